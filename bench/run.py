"""coursepack's benchmark (``make bench``): every figure of issue 11's table, measured in one run.

Run from the repository root with the environment's Python:

    python bench/run.py [--json] [--results bench/results.json] [--scales 1,4,16] [--repeat 5] [--saves 3]

It prints a table (or, with ``--json``, the JSON on stdout) and writes the JSON to ``--results``.
Builds, ``check`` and ``watch`` run as subprocesses (``python render.py …``) on temporary copies of
the bundled course, timed from start to exit; the baseline and the layout rows run in this process.
All temporary files (and the subprocesses' TMPDIR) live in one folder removed at the end.

The scaled courses (×1, ×4, ×16) are built with large_print = false: student and teacher editions.
To keep a run under 5 minutes, a scaled build whose projected time (from the previous scale's)
would end past ``--budget`` seconds of the run is skipped and reported as skipped; ``--budget 0``
builds every scale whatever it costs.
"""

from __future__ import annotations

import argparse
import ctypes.util
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import classes
import courses
import layout
from baseline import bare_weasyprint
from measure import Run, checked, pages, snapshot, timed, touched, watch_latency
from table import print_table

from coursepack import build
from coursepack.loading import Plan
from coursepack.plan import Targets, targets
from coursepack.pool import quiet_libraries
from coursepack.targets import PARTS, document_path

ROOT = Path(__file__).resolve().parent.parent
CHECKOUT = [ROOT]  # whose render.py the subprocesses run (--checkout)
STARTED = time.perf_counter()
EDITIONS_SHARE = 0.55  # pages of the student and teacher editions / pages of all three (bundled course: 127/244)
MIN_FREE = 3 << 30  # a scaled build is skipped when the disk has less room than this
TARGETS = {
    "cold_vs_baseline": 0.6,
    "layout_ms_per_page": 40,
    "noop_seconds": 0.05,
    "rebuild_vs_cold": 0.15,
    "watch_documents_seconds": 0.5,
    "watch_packets_seconds": 3.0,
    "check_seconds": 0.3,
    "peak_mb": 300,
    "site_vs_cold": 0.25,
    "classset_thirty_seconds": 1.0,
    "lms_vs_cold": 0.25,
}


def render(course: Path, out: Path | None, *command: str) -> list[str]:
    """The command line of ``python render.py --course C [--out O] COMMAND …``."""
    where = ["--course", str(course)] + (["--out", str(out)] if out else [])
    python = CHECKOUT[0] / ".venv" / "bin" / "python"
    return [str(python if python.is_file() else sys.executable), str(CHECKOUT[0] / "render.py"), *where, *command]


def median(values: list[float]) -> float:
    """The median, rounded to the millisecond."""
    return round(statistics.median(values), 3)


def machine() -> dict:
    """What the figures depend on: cores, load, HarfBuzz subsetting, versions."""
    import pypdf
    import weasyprint

    return {
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "uptime": subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip(),
        "harfbuzz_subset": ctypes.util.find_library("harfbuzz-subset") is not None,
        "python": platform.python_version(),
        "weasyprint": weasyprint.__version__,
        "pypdf": pypdf.__version__,
        "checkout": str(CHECKOUT[0]),
        "commit": subprocess.run(
            ["git", "-C", str(CHECKOUT[0]), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
        ).stdout.strip(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the JSON on stdout instead of the table")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results.json", help="where to write JSON")
    parser.add_argument("--scales", default="1,4,16", help="course repetitions to build (default 1,4,16)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of the no-op build (median; default 5)")
    parser.add_argument("--check-repeat", type=int, default=3, help="runs of check (median; default 3)")
    parser.add_argument(
        "--budget",
        type=float,
        default=300,
        help="skip a scaled build projected to end past this many seconds of the run (default 300; 0: never)",
    )
    parser.add_argument("--saves", type=int, default=3, help="saves timed in watch (median)")
    parser.add_argument("--layout-runs", type=int, default=1, help="runs of the layout rows (median)")
    parser.add_argument(
        "--checkout", type=Path, default=ROOT, help="run the commands of this checkout (its render.py and .venv)"
    )
    args = parser.parse_args()
    CHECKOUT[0] = args.checkout.resolve()
    quiet_libraries()
    results: dict = {"machine": machine(), "targets": TARGETS}
    with tempfile.TemporaryDirectory(prefix="coursepack-bench-") as scratch:
        tmp = Path(scratch)
        (tmp / "tmp").mkdir()
        env = os.environ | {"TMPDIR": str(tmp / "tmp")}
        measure_all(results, tmp, env, args)
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    results["bench_seconds"] = round(time.perf_counter() - STARTED, 1)
    results["ratios"] = ratios(results)
    text = json.dumps(results, indent=2)
    args.results.write_text(text + "\n", encoding="utf-8")
    if args.json:
        print(text)
    else:
        print_table(results, args.results)
    return 0


def measure_all(results: dict, tmp: Path, env: dict[str, str], args: argparse.Namespace) -> None:
    """Every figure, in an order where each step starts from what the previous one left."""
    say("loading the bundled course")
    plan = build.load(ROOT)
    goal = targets(plan)
    say(f"baseline: bare WeasyPrint, {len(goal.parts)} document HTMLs")
    results["baseline"] = bare_weasyprint(goal.parts)
    say("layout ms/page by kind")
    results["layout"] = layout.run(layout.jobs_of(goal.parts), args.layout_runs)
    results["layout_runs"] = args.layout_runs
    results["bench_process_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    course, out = courses.copy_course(ROOT, tmp / "course"), tmp / "out"
    say("cold build")
    cold = checked(timed(render(course, out, "build"), env), "cold build")
    results["cold"] = run_figures(cold) | pages(out)

    say("web edition: export --site with the PDFs current, then with nothing changed")
    site = checked(timed(render(course, out, "export", "--site"), env), "export --site")
    again = [checked(timed(render(course, out, "export", "--site"), env), "export --site") for _ in range(args.repeat)]
    results["site"] = run_figures(site) | {"noop_seconds": figures_of(again)["seconds"]}

    say(f"no-op build ×{args.repeat}")
    before = snapshot(out)
    noops = [checked(timed(render(course, out, "build"), env), "no-op build") for _ in range(args.repeat)]
    results["noop"] = figures_of(noops) | {"touched": touched(before, snapshot(out))}

    say("export --lms after the build, then again with nothing changed")
    made = checked(timed(render(course, out, "export", "--lms", "--quiet"), env), "export --lms")
    kept = checked(timed(render(course, out, "export", "--lms", "--quiet"), env), "export --lms (kept)")
    cartridge = next((out / "lms").glob("*.imscc"))
    results["lms"] = run_figures(made) | {
        "kept_seconds": round(kept.seconds, 3),
        "size": cartridge.stat().st_size,
        "vs_cold": round(made.seconds / cold.seconds, 3),
    }

    say(f"check ×{args.check_repeat}")
    checks = [checked(timed(render(course, None, "check"), env), "check") for _ in range(args.check_repeat)]
    results["check"] = figures_of(checks)
    recorded = [checked(timed(render(course, out, "check"), env), "check") for _ in range(args.check_repeat)]
    results["check_recorded"] = figures_of(recorded)

    worksheet = edited_worksheet(plan, goal)
    doc = plan.course.documents[worksheet]
    documents = [document_path(edition, worksheet) for edition in plan.course.editions]
    packets = [p.path for p in goal.packets if any(part.doc_id == worksheet for part in p.parts)]
    say(f"rebuild after editing the title of {doc.path}")
    before = snapshot(out)
    courses.set_title(course / doc.path, f"{doc.title} (edited)")
    rebuild = checked(timed(render(course, out, "build"), env), "rebuild")
    changed = touched(before, snapshot(out))
    results["rebuild"] = run_figures(rebuild) | {
        "edited": doc.path,
        "remade": [p for p in changed if p.endswith(".pdf")],
        "parts_laid_out": [p for p in changed if p.startswith(PARTS + "/") and p.endswith(".part")],
        "expected": documents + packets,
    }

    results["watch"] = watch_figures(course, out, doc.path, doc.title, documents, packets, env, args.saves)

    def command(arguments: list[str]) -> dict:
        return run_figures(checked(timed(render(course, out, *arguments), env), " ".join(arguments[:1])))

    say("class sets: 30 and 1,000 names (10,000 if the budget allows)")
    left = args.budget - (time.perf_counter() - STARTED) if args.budget else float("inf")
    results["classes"] = classes.figures(course, out, command, left)
    results["scaling"] = []
    for times in map(int, args.scales.split(",")):
        guess = projected(results["scaling"], times, results["cold"])
        results["scaling"].append(scaled(times, tmp, env, guess, args.budget))
    runs = [results[k] for k in ("cold", "noop", "check", "rebuild")] + results["scaling"]
    runs += [results["watch"]] if results["watch"].get("available") else []
    runs += [step for step in results["classes"].values() if isinstance(step, dict) and "peak_mb" in step]
    results["peak_mb"] = max(r.get("peak_mb", 0) for r in runs)


def edited_worksheet(plan: Plan, goal: Targets) -> str:
    """The worksheet held by the most packets (ties: the first by id): the edit that reaches the most PDFs."""
    held = {
        doc_id: sum(any(part.doc_id == doc_id for part in packet.parts) for packet in goal.packets)
        for doc_id, doc in plan.course.documents.items()
        if doc.kind == "worksheet"
    }
    return min(held, key=lambda doc_id: (-held[doc_id], doc_id))


def run_figures(run: Run) -> dict:
    """One run's wall time, CPU time (all its processes) and peak memory."""
    return {"seconds": round(run.seconds, 3), "cpu": round(run.cpu, 2), "peak_mb": round(run.peak_mb, 1)}


def figures_of(runs: list[Run]) -> dict:
    """Repeated runs: the median and every wall time, the largest peak memory."""
    return {
        "seconds": median([r.seconds for r in runs]),
        "runs": [round(r.seconds, 3) for r in runs],
        "cpu": median([r.cpu for r in runs]),
        "n": len(runs),
        "peak_mb": round(max(r.peak_mb for r in runs), 1),
    }


def watch_figures(
    course: Path, out: Path, source: str, title: str, documents: list[str], packets: list[str], env: dict, saves: int
) -> dict:
    """Watch latency from a save to its document PDFs and to every packet holding it; or not available."""
    if timed(render(course, out, "watch", "--help"), env).returncode != 0:
        say("watch: not available (no 'render.py watch' on this branch)")
        return {"available": False}
    say(f"watch: {saves} saves of {source}")

    def save(number: int) -> None:
        courses.set_title(course / source, f"{title} (edit {number})")

    latencies, run = watch_latency(render(course, out, "watch"), out, save, documents, packets, saves, env)
    return {
        "available": True,
        "documents_seconds": median([lat.documents for lat in latencies]),
        "packets_seconds": median([lat.packets for lat in latencies]),
        "documents_runs": [round(lat.documents, 3) for lat in latencies],
        "packets_runs": [round(lat.packets, 3) for lat in latencies],
        "n": len(latencies),
        "peak_mb": round(run.peak_mb, 1),
    }


def projected(done: list[dict], times: int, cold: dict) -> float:
    """Seconds a scaled build should take: from the last scale built, else from the cold build's pages."""
    built = [step for step in done if "seconds" in step]
    if built:
        return built[-1]["seconds"] * times / built[-1]["times"]
    share = EDITIONS_SHARE * times  # the scaled courses build two of the cold build's three editions
    return cold["seconds"] * share


def scaled(times: int, tmp: Path, env: dict[str, str], projection: float, budget: float) -> dict:
    """A cold build of the bundled course repeated ``times`` over, student and teacher editions (no large print)."""
    what = {"times": times, "editions": "student, teacher (large_print = false)"}
    elapsed = time.perf_counter() - STARTED
    if budget and elapsed + projection > budget:
        why = f"{elapsed:.0f} s run so far + {projection:.0f} s projected > --budget {budget:.0f} s"
        say(f"×{times}: skipped ({why})")
        return what | {"skipped": why, "projected_seconds": round(projection)}
    if shutil.disk_usage(tmp).free < MIN_FREE * max(1, times // 4):
        say(f"×{times}: skipped, too little free disk")
        return what | {"skipped": "too little free disk"}
    say(f"×{times}: cold build, student and teacher editions")
    course = courses.repeat_course(ROOT, tmp / f"x{times}", times, large_print=False)
    out = tmp / f"x{times}-out"
    run = checked(timed(render(course, out, "build"), env), f"×{times} build")
    found = pages(out)
    shutil.rmtree(course)
    shutil.rmtree(out)
    rate = {f"{name}_per_second": round(count / run.seconds, 1) for name, count in found.items()}
    return what | run_figures(run) | found | rate


def ratios(results: dict) -> dict:
    """The ratios the closing note quotes, from this one run."""
    found = {"cold_vs_baseline": round(results["cold"]["seconds"] / results["baseline"]["seconds"], 3)}
    found["cold_cpu_vs_baseline_cpu"] = round(results["cold"]["cpu"] / results["baseline"]["cpu"], 3)
    found["rebuild_vs_cold"] = round(results["rebuild"]["seconds"] / results["cold"]["seconds"], 3)
    found["site_vs_cold"] = round(results["site"]["seconds"] / results["cold"]["seconds"], 3)
    scaling = [s for s in results["scaling"] if "seconds" in s]
    if scaling:
        first = scaling[0]["laid_out_per_second"]
        for step in scaling[1:]:
            found[f"pages_per_second_x{step['times']}_vs_x{scaling[0]['times']}"] = round(
                step["laid_out_per_second"] / first, 3
            )
    return found


def say(message: str) -> None:
    """Progress on stderr, so that --json output stays clean."""
    print(f"bench: {message}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
