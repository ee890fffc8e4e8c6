"""Layout and write cost of the bundled course's documents, in ms per page, by kind and edition.

Run from the repository root with the environment's Python:

    python bench/layout.py [--runs 3] [--kind role] [--edition teacher] [--json]

One warm process lays out and writes every single-document PDF of each edition ``--runs`` times;
each figure is the median over the runs of (time for the group's documents) / (their pages).
Times are CPU time of this process, so other work on a shared machine disturbs them little;
``wall`` in the JSON is the same figure in elapsed time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

from coursepack import build, workers

ROOT = Path(__file__).resolve().parent.parent


def measure(job: dict) -> dict[str, float]:
    """Lay out and write one document once: its pages and the seconds each step took."""
    setter = workers.typesetter(job)
    cpu, wall = time.process_time(), time.perf_counter()
    document = setter.layout(job["html"])
    layout_cpu, layout_wall = time.process_time() - cpu, time.perf_counter() - wall
    cpu = time.process_time()
    setter.write(document, workers.identifier(job["path"], job["html"]))
    return {"pages": len(document.pages), "layout": layout_cpu, "wall": layout_wall, "write": time.process_time() - cpu}


def run(jobs: list[dict], runs: int) -> list[dict]:
    """Rows of ms/page by (kind, edition), then for all documents: medians over ``runs`` runs."""
    groups: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for job in jobs:
        groups[(job["kind"], job["path"].split("/", 1)[0])].append(job)
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
                    every[name] += value
            samples[key].append(totals)
        samples[("all", "all")].append(every)
    rows = []
    for (kind, edition), found in samples.items():
        members = groups.get((kind, edition), jobs)
        row = {"kind": kind, "edition": edition, "documents": len(members), "pages": int(found[0]["pages"])}
        for name in ("layout", "write", "wall"):
            row[name] = round(statistics.median(1000 * sample[name] / sample["pages"] for sample in found), 1)
        rows.append(row)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs to take the median of (default 3)")
    parser.add_argument("--kind", action="append", help="only this kind of document (repeatable)")
    parser.add_argument("--edition", action="append", help="only this edition (repeatable)")
    parser.add_argument("--course", type=Path, default=ROOT, help="the course folder (default: the bundled course)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args()
    jobs = [
        job
        for job in workers.jobs(build.load(args.course))
        if job["type"] == "document"
        and (not args.kind or job["kind"] in args.kind)
        and (not args.edition or job["path"].split("/", 1)[0] in args.edition)
    ]
    if not jobs:
        print("no documents match", file=sys.stderr)
        return 1
    rows = run(jobs, args.runs)
    if args.json:
        print(json.dumps({"unit": "ms/page", "runs": args.runs, "rows": rows}, indent=2))
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
