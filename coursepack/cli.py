"""The command line: build, check, list and clean a course folder."""

from __future__ import annotations

import argparse
import os
import sys
import time
import traceback
from pathlib import Path

from . import build, environment
from .errors import CoursepackError, SourceErrors
from .pool import quiet_libraries
from .templates import EDITION_NAMES


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="coursepack", description="Turn a course folder of Markdown lessons and handouts into print-ready PDFs."
    )
    top.add_argument("--course", type=Path, default=Path("."), help="the course folder (default: the current folder)")
    top.add_argument("--out", type=Path, help="where the PDFs go (default: <course>/build)")
    top.add_argument("--debug", action="store_true", help="show a Python traceback when something goes wrong")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    make = commands.add_parser("build", help="render every document in both editions and bind every packet")
    make.add_argument(
        "--no-strict", dest="strict", action="store_false", help="write the PDFs even when there are warnings (drafts)"
    )
    make.add_argument("--jobs", type=int, default=None, help="worker processes (default: up to 2)")
    make.add_argument(
        "--strict-access",
        action="store_true",
        help="fail when a packet binds an existing PDF a screen reader cannot read",
    )
    commands.add_parser("check", help="read and check every source; print every problem; write nothing")
    commands.add_parser("list", help="list each document (id, kind, title) and each packet with its documents")
    commands.add_parser("clean", help="remove the output folder")
    return top


def main(argv: list[str] | None = None) -> int:
    """Run a command; 0 on success, 1 when the sources have problems, 2 on usage errors."""
    args = parser().parse_args(argv)
    quiet_libraries()
    root = args.course
    out = args.out or root / "build"
    if not root.is_dir():
        print(f"coursepack: error: the course folder {root} does not exist", file=sys.stderr)
        return 2
    try:
        return run(args, root, out)
    except SourceErrors as errors:
        for problem in errors.problems:
            print(problem, file=sys.stderr)
        print(f"{plural(len(errors.problems), 'problem')} found; nothing was written.", file=sys.stderr)
        return 1
    except build.BuildWarnings as found:
        for warning in found.warnings:
            print(warning, file=sys.stderr)
        count = plural(len(found.warnings), "warning")
        print(f"{count} in strict mode; nothing was written (use --no-strict for drafts).", file=sys.stderr)
        return 1
    except CoursepackError as error:
        print(f"coursepack: error: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # the reader of our output (| head) stopped listening: nothing to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except Exception as error:  # noqa: BLE001 - a teacher gets one sentence, --debug gets the trace
        if args.debug:
            traceback.print_exc()
        else:
            print(f"coursepack: internal error: {error!r} (run again with --debug for details)", file=sys.stderr)
        return 1


def run(args: argparse.Namespace, root: Path, out: Path) -> int:
    if args.command == "clean":
        print(f"removed {out}" if build.clean(root, out) else f"nothing to remove: {out} does not exist")
        return 0
    if args.command in ("check", "list"):
        plan = build.load(root)
        if args.command == "check":
            course = plan.course
            found = f"{plural(len(course.documents), 'document')} and {plural(len(course.packets), 'packet')}"
            print(f"{found}: no problems found.")
        else:
            print_list(plan)
        return 0
    started = time.monotonic()
    outputs = build.build(root, out, strict=args.strict, workers=args.jobs, strict_access=args.strict_access)
    for output in outputs:
        if "/documents/" not in output.path:
            sheets = (output.pages + 1) // 2 if output.duplex else output.pages
            sided = "duplex" if output.duplex else "simplex"
            print(
                f"{output.path:<32} {output.pages:>4} pages  {sheets:>4} sheets ({sided})  "
                f"{output.documents:>3} documents  {len(output.data) / 1024:>7.0f} KiB"
            )
    documents = sum("/documents/" in o.path for o in outputs)
    for note in dict.fromkeys(note for o in outputs for note in o.notes):
        print(note)
    for warning in build.once(w for o in outputs for w in o.warnings):
        print(warning, file=sys.stderr)
    for note in environment.speed_notes() if len(outputs) > reused_count(outputs) else []:
        print(note)
    seconds = time.monotonic() - started
    reused = reused_count(outputs)
    print(
        f"{documents} document PDFs and {len(outputs) - documents} packets in {out} "
        f"({len(outputs) - reused} rendered, {reused} unchanged since the last build; {seconds:.1f} s)"
    )
    return 0


def reused_count(outputs: list[build.Output]) -> int:
    return sum(o.reused for o in outputs)


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def print_list(plan: build.Plan) -> None:
    course = plan.course
    print(f"{course.title}\n\nDocuments:")
    for doc in course.documents.values():
        print(f"  {doc.id:<36} {doc.kind:<10} {doc.title}")
    for item in course.bound.values():
        print(f"  {item.id:<36} {'pdf':<10} {item.title} ({plural(item.page_count, 'page')})")
    print("\nPackets:")
    for pack in course.packets:
        print(f"  {pack.id:<20} {pack.title}{'  (duplex)' if pack.duplex else ''}")
        for item in pack.items:
            print(f"      {item}")
    print(f"\nEditions: {', '.join(EDITION_NAMES[e] for e in course.editions)}")
