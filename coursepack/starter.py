"""``coursepack new DIR``: a teacher's first course, small and complete, that builds as it is.

It shows each thing a course holds once: a commented course.toml with every setting at its default,
a lesson with a teacher-only block, a role sheet, a worksheet with several question types, a packet.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import CoursepackError

COURSE_TOML = """\
# Your course. Every setting is shown with its default; the README explains each one.
title = "Shop Safety Basics"                   # printed on every cover and page header
subtitle = "A starter unit: edit it, or replace it with your own"
teacher = ""            # your name: printed on every packet cover
school = ""             # your school: printed on every packet cover
paper = "letter"        # or "a4"
language = "en-US"      # the language of your documents (a document can set its own: language: es)
duplex = false          # true: print on both sides, every document starting on a right-hand page
large_print = false     # true: also build build/large-print/ (18 pt text, for students with low vision)
fillable = false        # true: also build build/fillable/ (worksheets students type into on a screen)
versions = 1            # 2 or more: worksheets in versions A, B, ... (questions and choices shuffled)

# Career pathways your role sheets name (id = "name"); a role sheet's "pathway" must be one of them.
[pathways]
production = "Production"
safety = "Health, Safety and Environmental Assurance"

# A packet binds documents into one PDF, in teaching order: ids (file names without .md), globs such
# as "roles/*", or paths of existing PDFs. Add as many [[packets]] as you like.
[[packets]]
id = "week-1"
title = "Week 1: Safe from the Start"
documents = ["01-safety-on-the-shop-floor", "machine-operator", "safety-check"]
# duplex = true         # this packet only
# start = "any"         # with duplex: documents follow each other with no blank pages
# versions = 2          # this packet's worksheets in versions A and B
"""

LESSON = """\
---
title: Safety on the Shop Floor
lesson: 1
duration: 45 minutes
objectives:
  - Name three kinds of personal protective equipment and what each protects.
  - Explain why a machine is locked out before it is repaired.
vocabulary:
  - term: Personal protective equipment (PPE)
    definition: Gear such as safety glasses, gloves and hearing protection that shields a worker from hazards.
  - term: Lockout/tagout
    definition: A procedure that shuts off a machine's power and marks it so that nobody starts it during repairs.
---
## Why Safety Comes First

Every shop has hazards: moving parts, sharp edges, loud noise, heat and chemicals. Good shops plan for
them, so that everyone goes home with the same ten fingers they came in with.

## Protect Yourself

Safety glasses guard your eyes from chips and sparks. Hearing protection guards your ears from noise
that can damage hearing for good. Gloves protect your hands from cuts and heat, but never wear them
near a spinning machine part, which can catch a glove and pull a hand in.

## Lock It Out

Before anyone repairs or cleans a machine, its power is switched off and locked, and a tag says who
locked it. This is called lockout/tagout. Only the person who put the lock on may take it off.

::: teacher
Bring a padlock and a lockout tag to pass around. Ask: "Why should only one person hold the key?"
:::
"""

ROLE = """\
---
title: Machine Operator
pathway: production
summary: Machine operators set up and run machines that cut, press and shape parts, and check each part.
duties:
  - Set up machines with the right tools and settings
  - Load material and start each production run
  - Measure finished parts and compare them with the drawing
  - Keep the work area clean and report problems early
skills:
  - Attention to detail
  - Basic math and measuring
  - Following safety rules every time
tools:
  - Calipers and micrometers
  - Presses, lathes and saws
  - Safety glasses and hearing protection
education:
  high_school: [Algebra I, Geometry, Manufacturing Technology]
  credentials: [OSHA 10]
environment: You work on a loud, busy shop floor, standing for much of your shift and wearing safety gear.
reflection:
  - Which of this job's duties would you enjoy most, and why?
  - Which safety habit from this unit would matter most in this job?
---
You start your shift by reading the work order and checking your machine. You put on your safety
glasses, set up the tooling and run a first part. You measure it with calipers: it matches the
drawing, so the run begins. Every hour you measure another part, and when a reading drifts you stop
the machine and adjust it before any bad parts are made.
"""

WORKSHEET = """\
---
title: Safety Check
lesson: 01-safety-on-the-shop-floor
instructions: Answer each question using what you learned in the lesson.
key: true
---
## Part A: Protective Gear

? Which gear protects your eyes from flying chips? {points: 1}
( ) Hearing protection
(x) Safety glasses
( ) Steel-toed boots

? Gloves are always safe to wear near a spinning machine part. {points: 1}
= false
Note: Ask students to explain how a glove could be caught.

? Gear that shields a worker from hazards is called [[personal protective equipment]]. {points: 1}

## Part B: Lockout/Tagout

? Match each word with its meaning. {points: 2}
Lock = Keeps the power switched off
Tag = Says who locked the machine

? Explain why only the person who put a lock on may take it off. {points: 2, lines: 3}
> So that nobody can start the machine while someone is still working on it.
"""

FILES = {
    "course.toml": COURSE_TOML,
    "lessons/01-safety-on-the-shop-floor.md": LESSON,
    "handouts/roles/machine-operator.md": ROLE,
    "handouts/worksheets/safety-check.md": WORKSHEET,
}


def write_starter(folder: Path) -> list[str]:
    """Write the starter course into ``folder`` (new, or empty); the files written, as paths in it."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise CoursepackError(f"{folder} is not an empty folder: give a new folder's name for the course")
    for relative, text in FILES.items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "x", encoding="utf-8", newline="\n") as file:
            file.write(text)
        os.chmod(path, 0o644)
    return list(FILES)
