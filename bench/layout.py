"""Layout and write cost of the bundled course's documents, in ms per page, by kind and edition.

Run from the repository root with the environment's Python:

    python bench/layout.py [--runs 3] [--kind role] [--edition teacher] [--json]

One warm process lays out and writes every single-document PDF of each edition ``--runs`` times;
each figure is the median over the runs of (time for the group's documents) / (their pages).
Times are CPU time of this process (``wall`` in the JSON: elapsed time), which other work on a
shared machine disturbs less than elapsed time, though not at all. The ``reference`` row lays the
lessons out with WeasyPrint's default styles only, generic prose to read the other rows against.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from weasyprint import CSS, HTML

from coursepack import build, typeset, workers
from coursepack.plan import targets
from coursepack.targets import PartTarget

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("lesson", "overview", "role", "worksheet", "handout", "reference")


@dataclass(frozen=True)
class Job:
    """One part (a document laid out once in one edition) to measure, under its kind and edition."""

    kind: str
    edition: str
    target: PartTarget


def measure(job: Job) -> dict[str, float]:
    """Lay out and write one document once: its pages and the seconds each step took."""
    target = job.target
    setter = workers.typesetter(target.setup, "part")
    cpu, wall = time.process_time(), time.perf_counter()
    if job.kind == "reference":
        document = HTML(string=target.html).render(stylesheets=[CSS(string=workers.PAPER_CSS[target.setup.paper])])
    else:
        document = setter.layout(target.html)
    layout_cpu, layout_wall = time.process_time() - cpu, time.perf_counter() - wall
    cpu = time.process_time()
    setter.write(document, typeset.identifier(target.path, target.html))
    return {"pages": len(document.pages), "layout": layout_cpu, "wall": layout_wall, "write": time.process_time() - cpu}


def run(jobs: list[Job], runs: int) -> list[dict]:
    """Rows of ms/page by (kind, edition), then for all documents: medians over ``runs`` runs."""
    groups: dict[tuple[str, str], list[Job]] = defaultdict(list)
    for job in jobs:
        groups[(job.kind, job.edition)].append(job)
    for members in groups.values():  # warm up: fonts, images and caches, once per group
        measure(members[0])
    samples: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
    for _ in range(runs):
        every: dict[str, float] = defaultdict(float)
        for key, members in groups.items():
            totals: dict[str, float] = defaultdict(float)
            for job in members:
                for name, value in measure(job).items():
                    totals[name] += value
                    if key[0] != "reference":
                        every[name] += value
            samples[key].append(totals)
        if every:
            samples[("all", "all")].append(every)
    rows = []
    for (kind, edition), found in samples.items():
        members = groups.get((kind, edition), [job for job in jobs if job.kind != "reference"])
        row = {"kind": kind, "edition": edition, "documents": len(members), "pages": int(found[0]["pages"])}
        for name in ("layout", "write", "wall"):
            row[name] = round(statistics.median(1000 * sample[name] / sample["pages"] for sample in found), 1)
        rows.append(row)
    return rows


def selected(args: argparse.Namespace) -> list[Job]:
    """The parts to measure (each document laid out once per edition), sorted by kind, and the reference lessons."""
    return jobs_of(targets(build.load(args.course)).parts, args.kind, args.edition)


def jobs_of(
    parts: tuple[PartTarget, ...], kinds: list[str] | None = None, editions: list[str] | None = None
) -> list[Job]:
    """The parts of the given kinds and editions (all when None), sorted by kind, and the reference lessons."""
    jobs = [
        Job(part.kind, part.edition, part)
        for part in parts
        if (not kinds or part.kind in kinds) and (not editions or part.edition in editions)
    ]
    lessons = [job.target for job in jobs if job.kind == "lesson" and job.edition == "student"]
    reference = [Job("reference", "student", target) for target in lessons]
    order = {kind: index for index, kind in enumerate(KINDS)}
    return sorted(jobs, key=lambda job: order.get(job.kind, len(order))) + reference


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs to take the median of (default 3)")
    parser.add_argument("--kind", action="append", help="only this kind of document (repeatable)")
    parser.add_argument("--edition", action="append", help="only this edition (repeatable)")
    parser.add_argument("--course", type=Path, default=ROOT, help="the course folder (default: the bundled course)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    jobs = selected(args)
    if not jobs:
        print("no documents match", file=sys.stderr)
        return 1
    rows = run(jobs, args.runs)
    if args.json:
        print(json.dumps({"unit": "ms/page", "clock": "cpu", "runs": args.runs, "rows": rows}, indent=2))
        return 0
    print(f"ms per page, CPU time, median of {args.runs} runs")
    print(f"{'kind':<10} {'edition':<12} {'docs':>4} {'pages':>5} {'layout':>7} {'write':>6} {'(wall)':>7}")
    for row in rows:
        print(
            f"{row['kind']:<10} {row['edition']:<12} {row['documents']:>4} {row['pages']:>5}"
            f" {row['layout']:>7} {row['write']:>6} {row['wall']:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
