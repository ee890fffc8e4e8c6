"""Versions A, B, …: the same questions in other orders, keys that match, and class sets that take turns."""

from __future__ import annotations

import html
import os
import re
import signal
from pathlib import Path

import pytest
from conftest import REPO, pages_text, squash, write_course
from pypdf import PdfReader

from coursepack import versions
from coursepack.cli import main
from coursepack.errors import CoursepackError, SourceErrors
from coursepack.loading import load
from coursepack.markup import render
from coursepack.names import NamesWorker
from coursepack.roster import parse_roster

PART = """\
## Part A: Mixed

Answer every question.

? Which role bridges design and production? {points: 2}
( ) Production worker
(x) Manufacturing engineer
( ) Factory manager
( ) Welder

? Which are sectors? Select all that apply.
[x] Aerospace
[ ] Banking
[x] Textiles
[ ] Retail

? A [[manufacturing engineer]] bridges design and production.

? Robots never need maintenance.
= false

? Match each role to its duty.
Welder = Joins metal parts
Inspector = Checks parts
Planner = Orders materials
Driver = Delivers parts

? Put the steps in order.
1. Design
2. Prototype
3. Produce
4. Ship

## Part B: Pinned

? Read the whole part before you answer. {pin}

? Which tool measures a part's thickness?
( ) A hammer
(x) Calipers
( ) A wrench
( ) All of the above

? Which statements are true?
[x] Robots need upkeep
[ ] Robots never stop
[ ] First choice stays first {pin}
[ ] Both A and B
"""
PAIRS = {
    "Welder": "Joins metal parts",
    "Inspector": "Checks parts",
    "Planner": "Orders materials",
    "Driver": "Delivers parts",
}
STEPS = ["Design", "Prototype", "Produce", "Ship"]


def text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def questions(markup_html: str) -> list[str]:
    """Each question's HTML, in printed order."""
    return re.split(r'(?=<div class="question )', markup_html)[1:]


def prompt(question: str) -> str:
    """A question's prompt as printed, without the answers the teacher edition writes in its blanks."""
    found = re.search(r'<div class="q-prompt">(.*?)</div>', question).group(1)
    return text(re.sub(r'<span class="fill">.*?</span>', "", found))


def choices(question: str) -> dict[str, str]:
    """Letter → label, as printed."""
    found = re.findall(r'<span class="letter">([A-Z])</span> (.*?)(?:<span class="tag">|</li>)', question)
    return {letter: text(label) for letter, label in found}


def rendered(version: int, edition: str):
    return render(PART, 1, edition=edition, worksheet=True, seed="mixed", version=version)


def test_each_version_holds_the_same_questions_in_another_order():
    orders = []
    for version in range(3):
        student = rendered(version, "student")
        assert student.problems == []
        printed = [prompt(q) for q in questions(student.html)]
        orders.append(printed)
        part_a, part_b = printed[:6], printed[6:]
        assert sorted(part_a) == sorted(orders[0][:6]) and sorted(part_b) == sorted(orders[0][6:])
        assert part_b[0] == "Read the whole part before you answer."  # pinned
    assert len({tuple(order) for order in orders}) == 3
    assert orders[0][:2] == ["Which role bridges design and production?", "Which are sectors? Select all that apply."]


def test_version_a_prints_exactly_as_a_worksheet_without_versions():
    for edition in ("student", "teacher"):
        plain = render(PART, 1, edition=edition, worksheet=True, seed="mixed")
        assert rendered(0, edition).html == plain.html and rendered(0, edition).key == plain.key


def expected_key(student_question: str) -> str:
    """The answer a question as printed in the student edition must have in the key, worked out from the source."""
    shown = prompt(student_question)
    labels = choices(student_question)
    correct = {"Manufacturing engineer", "Aerospace", "Textiles", "Calipers", "Robots need upkeep"}
    if shown.startswith("Match"):
        lefts = re.findall(r'<span class="m-cell">\d+\. (.*?)</span>', student_question)
        rights = re.findall(
            r'<span class="m-cell letter">([A-Z])\.</span><span class="m-cell">(.*?)</span>', student_question
        )
        letter_of = {text(right): letter for letter, right in rights}
        return ", ".join(f"{i}-{letter_of[PAIRS[text(left)]]}" for i, left in enumerate(lefts, 1))
    if shown.startswith("Put the steps"):
        steps = [text(s) for s in re.findall(r"</span> (.*?)</li>", student_question)]
        return ", ".join(str(STEPS.index(step) + 1) for step in steps)
    if shown.startswith("A "):
        return "manufacturing engineer"
    if shown.startswith("Robots never"):
        return "False"
    if shown.startswith("Read"):
        return "Answers will vary."
    return ", ".join(letter for letter, label in labels.items() if label in correct)


@pytest.mark.parametrize("version", [0, 1, 2])
def test_each_key_gives_the_answers_of_its_own_version(version):
    student, teacher = rendered(version, "student"), rendered(version, "teacher")
    printed = questions(student.html)
    assert [number for number, _ in teacher.key] == list(range(1, len(printed) + 1))
    for (number, key), question in zip(teacher.key, printed, strict=True):
        assert key == expected_key(question), (version, number, prompt(question))
    # the teacher edition prints the same questions in the same order, with the answers marked
    assert [prompt(q) for q in questions(teacher.html)] == [prompt(q) for q in printed]


def test_choices_move_but_pinned_ones_keep_their_place():
    for version in (1, 2, 3):
        printed = {prompt(q): choices(q) for q in questions(rendered(version, "student").html)}
        tool = printed["Which tool measures a part’s thickness?"]
        assert tool["D"] == "All of the above"
        statements = printed["Which statements are true?"]
        assert statements["C"] == "First choice stays first" and statements["D"] == "Both A and B"
        assert "{pin}" not in str(statements)
    first = {prompt(q): choices(q) for q in questions(rendered(0, "student").html)}
    moved = {prompt(q): choices(q) for q in questions(rendered(1, "student").html)}
    assert moved["Which role bridges design and production?"] != first["Which role bridges design and production?"]


def test_a_choice_naming_others_by_letter_keeps_every_choice_in_place():
    body = "? Which are metals?\n( ) Iron\n( ) Copper\n( ) Wood\n(x) Both A and B\n"
    for version in (1, 2, 5):
        printed = questions(render(body, 1, edition="student", worksheet=True, seed="m", version=version).html)
        assert choices(printed[0]) == {"A": "Iron", "B": "Copper", "C": "Wood", "D": "Both A and B"}
    assert versions.pinned_choices(["Red", "None", "Blue", "All the above"]) == frozenset({1, 3})


def test_pin_written_as_an_option_pins_and_an_edit_elsewhere_does_not_reshuffle():
    body = "? First {pin: true}\n\n? Second\n\n? Third\n\n? Fourth\n\n? Fifth\n"
    edited = "## Part A\n\nA paragraph added\nover two lines.\n\n" + body.replace("Third", "Third, fixed")
    for version in (1, 2, 3):
        order = [
            prompt(q)
            for q in questions(render(body, 1, edition="student", worksheet=True, seed="w", version=version).html)
        ]
        again = [
            prompt(q)
            for q in questions(render(edited, 1, edition="student", worksheet=True, seed="w", version=version).html)
        ]
        assert order[0] == "First" and again == [p.replace("Third", "Third, fixed") for p in order]


def test_twenty_six_versions_are_quick_and_all_different():
    orders = {tuple(versions.order(5, "many", version)) for version in range(26)}
    assert len(orders) == 26  # 5! = 120 orders: one each (found in one pass, not again for each version)


def test_orders_differ_from_every_earlier_version_when_there_are_enough():
    seen = [versions.order(3, "seed", version) for version in range(6)]
    assert len({tuple(order) for order in seen}) == 6  # 3! = 6 orders for 6 versions
    assert versions.order(4, "seed", 2, frozenset({0, 3}))[0::3] == [0, 3]
    assert versions.order(5, "seed", 4) == versions.order(5, "seed", 4)


# ---------------------------------------------------------------- settings

WORKSHEET = """\
---
title: Parts Quiz
key: true
---
? Which part holds the others? {points: 1}
(x) The frame
( ) The bolt
( ) The washer

? Name one metal. {points: 1}
= true

? Put the steps in order.
1. Cut
2. Weld
3. Paint
"""


def versioned_course(tmp_path: Path, toml: str, files: dict[str, str] | None = None) -> Path:
    return write_course(
        tmp_path / "course",
        {
            "course.toml": f'title = "Shop"\n{toml}',
            "handouts/worksheets/quiz.md": WORKSHEET,
            "handouts/worksheets/fixed.md": WORKSHEET.replace("Parts Quiz", "Fixed Quiz").replace(
                "---\n?", "versions: 1\n---\n?", 1
            ),
            **(files or {}),
        },
    )


def test_a_packet_setting_gives_its_worksheets_versions_and_other_packets_keep_one(tmp_path):
    root = versioned_course(
        tmp_path,
        '[[packets]]\nid = "a"\ntitle = "A"\ndocuments = ["quiz", "fixed"]\nversions = 3\n\n'
        '[[packets]]\nid = "b"\ntitle = "B"\ndocuments = ["quiz"]\n',
    )
    course = load(root).course
    assert course.documents["quiz"].versions == 3 and course.documents["fixed"].versions == 1
    assert [(p.id, p.versions) for p in course.packets] == [("a", 3), ("b", 1)]


def test_a_worksheet_has_at_least_the_versions_of_each_packet_it_is_in(tmp_path):
    root = versioned_course(
        tmp_path,
        '[[packets]]\nid = "a"\ntitle = "A"\ndocuments = ["quiz", "fixed"]\nversions = 3\n',
        {"handouts/worksheets/quiz.md": WORKSHEET.replace("key: true", "key: true\nversions: 2")},
    )
    course = load(root).course
    assert course.documents["quiz"].versions == 3 and course.documents["fixed"].versions == 1
    assert course.packets[0].versions == 3


def test_wrong_version_counts_are_refused_at_their_lines(tmp_path):
    root = versioned_course(
        tmp_path,
        'versions = 0\n\n[[packets]]\nid = "a"\ntitle = "A"\ndocuments = ["quiz"]\nversions = "two"\n',
        {"handouts/worksheets/bad.md": WORKSHEET.replace("---\n?", "versions: lots\n---\n?", 1)},
    )
    with pytest.raises(SourceErrors) as caught:
        load(root)
    assert [str(p) for p in caught.value.problems] == [
        "course.toml:2: error: 'versions' must be a whole number from 1 to 26 (versions A, B, …), not 0",
        "course.toml:8: error: 'versions' must be a whole number from 1 to 26 (versions A, B, …), not 'two'",
        "handouts/worksheets/bad.md:4: error: field 'versions' must be a number, not 'lots'",
    ]


# ---------------------------------------------------------------- builds and class sets


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    root = versioned_course(
        tmp_path_factory.mktemp("versions"),
        'duplex = true\n\n[[packets]]\nid = "quiz-day"\ntitle = "Quiz Day"\ndocuments = ["quiz"]\nversions = 2\n',
        {"rosters/p1.csv": "Name,Version\nAda Lovelace,\nGrace Hopper,\nAlan Turing,\nKaty Johnson,b\n"},
    )
    assert main(["--course", str(root), "classset", "--roster", "rosters/p1.csv", "--quiet", "--jobs", "1"]) == 0
    return root


def test_version_b_prints_its_letter_on_every_page_and_its_key_matches_it(shop):
    out = shop / "build"
    student = [squash(page) for page in pages_text(out / "student/version-B/quiz-day.pdf")]
    teacher = [squash(page) for page in pages_text(out / "teacher/version-B/quiz-day.pdf")]
    assert all("VERSION B" in page.upper() for page in student + teacher)
    assert not any("Version A" in page for page in student)
    a = squash(" ".join(pages_text(out / "student/documents/quiz.pdf")))
    b = squash(" ".join(pages_text(out / "student/version-B/documents/quiz.pdf")))
    starts = ("Which part holds", "Name one metal", "Put the steps")
    assert sorted(starts, key=a.index) != sorted(starts, key=b.index)
    key = squash(" ".join(pages_text(out / "teacher/version-B/documents/quiz.pdf")))
    assert "Version A" in key and "Version B (this version)" in key  # one key per version at a glance


def test_a_class_set_takes_versions_in_turn_unless_the_roster_gives_one(shop):
    folder = shop / "build/classes/p1/quiz-day"
    letters = {}
    for name in ("ada-lovelace", "grace-hopper", "alan-turing", "katy-johnson"):
        text = squash(" ".join(pages_text(folder / f"{name}.pdf")))
        letters[name] = "B" if "Version B" in text else "A"
    assert letters == {"ada-lovelace": "A", "grace-hopper": "B", "alan-turing": "A", "katy-johnson": "B"}
    for letter, names in (("A", ["Ada Lovelace", "Alan Turing"]), ("B", ["Grace Hopper", "Katy Johnson"])):
        reader = PdfReader(folder / f"print-all-version-{letter}.pdf")
        assert [item.title for item in reader.outline] == names
    assert not (folder / "print-all.pdf").exists()


def test_a_version_column_takes_letters_or_numbers():
    roster = parse_roster("Name,Version\nAda,b\nBea,2\nCy,\nDee,1\n", "rosters/p.csv", "p")
    assert [s.version for s in roster.students] == ["B", "B", "", "A"]
    with pytest.raises(SourceErrors) as caught:
        parse_roster("Name,Version\nAda,B2\nBea,27\n", "rosters/p.csv", "p")
    assert [str(p) for p in caught.value.problems] == [
        "rosters/p.csv:2: error: the version must be a letter (A, B, …) or a number (1, 2, …)",
        "rosters/p.csv:3: error: the version must be a letter (A, B, …) or a number (1, 2, …)",
    ]


def test_a_names_worker_that_fails_or_dies_is_an_error_not_a_wait(tmp_path):
    (tmp_path / "styles" / "templates").mkdir(parents=True)  # the course's own styles, without a stylesheet
    with NamesWorker(tmp_path) as worker, pytest.raises(CoursepackError) as caught:
        list(worker.lay_out("<html>", ["<div class='cs-page'></div><div class='cs-page'></div>"]))
    assert str(caught.value).startswith("laying out students' names failed: ")
    with NamesWorker(REPO) as worker, pytest.raises(CoursepackError) as caught:
        os.kill(worker.process.pid, signal.SIGKILL)
        list(worker.lay_out("<html>", ["<div class='cs-page'></div><div class='cs-page'></div>"]))
    assert str(caught.value) == (
        "laying out students' names stopped: the system stopped its process (SIGKILL: usually out of memory); "
        "free some memory or split it"
    )


def test_a_roster_naming_a_version_the_packet_lacks_is_refused(shop, capsys):
    (shop / "rosters/p2.csv").write_text("Name;Version\nAda;A\nBea;C\n", encoding="utf-8")
    assert main(["--course", str(shop), "classset", "--roster", "rosters/p2.csv", "--quiet"]) == 1
    assert "rosters/p2.csv:3: error: version C is not made: the packet has versions A and B" in capsys.readouterr().err
    assert not (shop / "build/classes/p2").exists()


def test_a_version_no_longer_made_is_removed_and_said_unless_the_teacher_changed_it(tmp_path, capsys):
    packets = '[[packets]]\nid = "quiz-day"\ntitle = "Quiz Day"\ndocuments = ["quiz"]\nversions = {}\n'
    root = versioned_course(tmp_path, packets.format(3))
    assert main(["--course", str(root), "build", "--quiet", "--jobs", "1"]) == 0
    version_c = root / "build/student/version-C"
    assert (version_c / "quiz-day.pdf").is_file()
    kept = root / "build/teacher/version-C/documents/quiz.pdf"
    kept.write_bytes(kept.read_bytes() + b"\n% annotated by the teacher\n")  # changed since: not ours to remove
    (root / "course.toml").write_text(
        (root / "course.toml").read_text(encoding="utf-8").replace("versions = 3", "versions = 2"), encoding="utf-8"
    )
    capsys.readouterr()
    assert main(["--course", str(root), "build", "--quiet", "--jobs", "1"]) == 0
    told = capsys.readouterr().out
    assert not version_c.exists()  # its PDFs removed, and the folders they leave empty
    assert "removed student/version-C/quiz-day.pdf: the course no longer makes it" in told
    assert kept.is_file() and "teacher/version-C/documents/quiz.pdf" not in told
    assert (root / "build/student/version-B/quiz-day.pdf").is_file()
