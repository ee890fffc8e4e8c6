"""Class sets in the benchmark: 30 named copies of a 60-page packet, and rosters of 1,000 and 10,000 names.

Rosters are invented here (names with accents, apostrophes, hyphens and other scripts), 30 students
to a period, in the course copy's ``rosters/``; the packet is built before the clock starts.
"""

from __future__ import annotations

import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

FIRST = ["Ana", "José Luis", "Siobhán", "Chinedu", "Layla", "Νίκος", "Анна", "Priya", "Kevin", "Zofia", "Noa", "Léa"]
LAST = ["García", "O'Connor", "Okafor-Bello", "Nguyễn", "Смирнова", "Patel", "Kowalczyk", "Ben-David", "Çelik"]
PER_CLASS = 30
PACKET = "full-course"
BYTES_PER_COPY = 500_000  # disk a named copy of the packet takes, at most (for the free-space check)


def write_roster(course: Path, count: int) -> str:
    """An invented roster of ``count`` students, 30 to a period; its path in the course."""
    pick = random.Random(count)
    rows = ["First Name,Last Name,Student ID,Period"]
    rows += [f'{pick.choice(FIRST)},"{pick.choice(LAST)}",{100000 + n},{1 + n // PER_CLASS}' for n in range(count)]
    (course / "rosters").mkdir(exist_ok=True)
    path = course / "rosters" / f"bench-{count}.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path.relative_to(course).as_posix()


def figures(
    course: Path,
    out: Path,
    run: Callable[[list[str]], dict],
    seconds_left: float,
) -> dict:
    """Time class sets of 30, 1,000 and (if the budget allows) 10,000 students; ``run`` times one command.

    The rosters are written, and the course built, before the clock starts: a class set's time is what
    it takes beyond building the packet once.
    """
    rosters = {count: write_roster(course, count) for count in (PER_CLASS, 1000, 10000)}
    run(["build"])
    results: dict = {"packet": PACKET}
    thirty = run(["classset", "--roster", rosters[PER_CLASS], "--packet", PACKET])
    results["thirty"] = thirty
    started = time.perf_counter()
    thousand = run(["classset", "--roster", rosters[1000], "--packet", PACKET])
    results["thousand"] = thousand
    per_student = max(thousand["seconds"] - thirty["seconds"], 0.0) / (1000 - PER_CLASS)
    results["per_student_ms"] = round(per_student * 1000, 1)
    shutil.rmtree(out / "classes", ignore_errors=True)
    projected = thirty["seconds"] + 10000 * per_student
    left = seconds_left - (time.perf_counter() - started)
    if projected > left:
        results["ten_thousand"] = {"skipped": f"projected {projected:.0f} s > {max(left, 0):.0f} s left in the budget"}
    elif shutil.disk_usage(out).free < 10000 * BYTES_PER_COPY:
        results["ten_thousand"] = {"skipped": "too little free disk"}
    else:
        results["ten_thousand"] = run(["classset", "--roster", rosters[10000], "--packet", PACKET])
        shutil.rmtree(out / "classes", ignore_errors=True)
    return results
