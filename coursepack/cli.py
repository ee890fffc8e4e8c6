"""The command line: build, check, list, clean, watch and export a course folder.

It starts in milliseconds: the build machinery (and WeasyPrint with it) is imported by the commands
that need it, never here at the top.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from . import environment, events, report
from .errors import CoursepackError
from .impose import LAYOUTS
from .report import plural

if TYPE_CHECKING:
    from .loading import Plan
    from .names import NamesWorker

STOPPED = "coursepack: stopped; every PDF is as it was or complete, none half-written"


def positive(text: str) -> int:
    """--jobs: a whole number of 1 or more."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return int(text)


def build_options(command: argparse.ArgumentParser) -> None:
    """The options of the commands that build: build and watch."""
    command.add_argument(
        "--no-strict", dest="strict", action="store_false", help="write the PDFs even when there are warnings (drafts)"
    )
    command.add_argument(
        "--strict-access",
        action="store_true",
        help="fail when a packet binds an existing PDF a screen reader cannot read",
    )
    command.add_argument(
        "--jobs",
        type=positive,
        default=os.cpu_count() or 1,
        help=f"worker processes (default: the number of cores, {os.cpu_count() or 1} here)",
    )
    command.add_argument(
        "--quiet", action="store_true", help="no live progress: one line per PDF made, then the summary"
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="coursepack", description="Turn a course folder of Markdown lessons and handouts into print-ready PDFs."
    )
    top.add_argument("--course", type=Path, default=Path("."), help="the course folder (default: the current folder)")
    top.add_argument("--out", type=Path, help="where the PDFs go (default: <course>/build)")
    top.add_argument("--debug", action="store_true", help="show a Python traceback when something goes wrong")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # --course and --out may also come after the command ("export --lms --course DIR"), as teachers write them
    where = argparse.ArgumentParser(add_help=False)
    where.add_argument("--course", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    where.add_argument("--out", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    add = functools.partial(commands.add_parser, parents=[where])
    build_options(add("build", help="render every document in both editions and bind every packet"))
    add("check", help="read and check every source; print every problem; write nothing")
    add("list", help="list each document (id, kind, title) and each packet with its documents")
    add("clean", help="remove the output folder")
    starting = add("new", help="write a small starter course into a new folder, ready to build")
    starting.add_argument("folder", type=Path, help="the new course's folder (it must not exist, or be empty)")
    build_options(add("watch", help="build, then rebuild what each saved change reaches, until Ctrl-C"))
    classset = add("classset", help="a named copy of a packet for every student on a class roster")
    classset.add_argument("--roster", type=Path, required=True, help="the roster: a CSV file in the course folder")
    classset.add_argument("--packet", help="the packet's id (default: the first packet in course.toml)")
    classset.add_argument(
        "--layout", choices=LAYOUTS, help="impose print-all.pdf: folded booklets, or two pages per side"
    )
    build_options(classset)
    imposing = add(
        "impose", help="print files of packets: folded booklets, or two pages per side (the same pages, smaller)"
    )
    imposing.add_argument("--layout", choices=LAYOUTS, default=LAYOUTS[0], help=f"default: {LAYOUTS[0]}")
    imposing.add_argument("--packet", help="one packet's id (default: every packet)")
    imposing.add_argument("--edition", choices=("student", "teacher", "large-print"), default="student")
    build_options(imposing)
    exporting = add(
        "export", help="build, then the course in other forms: --site (a web edition), --lms (an LMS cartridge)"
    )
    exporting.add_argument("--site", action="store_true", help="every document as an accessible web page, and an index")
    exporting.add_argument(
        "--lms", action="store_true", help="one IMS Common Cartridge 1.1 (.imscc): modules, pages, PDFs and quizzes"
    )
    build_options(exporting)
    return top


def main(argv: list[str] | None = None) -> int:
    """Run a command; 0 on success, 1 when the sources have problems, 2 on usage errors, 130 when stopped."""
    args = parser().parse_args(argv)
    root = args.course
    out = args.out or root / "build"
    if not root.is_dir() and args.command != "new":
        print(f"coursepack: error: the course folder {root} does not exist", file=sys.stderr)
        return 2
    try:
        return run(args, root, out)
    except CoursepackError as error:
        return report.explain(error)
    except KeyboardInterrupt:  # Ctrl-C: every write is atomic, so there is nothing to tidy
        print(STOPPED, file=sys.stderr)
        return 130
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
    """The command, its modules imported here: a build with nothing to do imports next to nothing."""
    if args.command == "new":
        from .starter import write_starter

        written = write_starter(args.folder)
        print(f"a starter course in {args.folder}: {', '.join(written)}")
        print(f"build it with: python render.py --course {args.folder} build   (then edit it, and build again)")
        return 0
    if args.command == "check":
        from .build import last_checked

        known = last_checked(root, out)  # nothing changed since a build checked it all: nothing to read again
        if known:
            (documents, packets), notes = known
            print(f"{plural(documents, 'document')} and {plural(packets, 'packet')}: no problems found.")
            for note in notes:
                print(note)
            return 0
    if args.command in ("check", "list"):
        from . import advice, loading
        from .pool import quiet_libraries

        quiet_libraries()
        plan = loading.load(root)
        if args.command == "list":
            print_list(plan)
            return 0
        course = plan.course
        found = f"{plural(len(course.documents), 'document')} and {plural(len(course.packets), 'packet')}"
        print(f"{found}: no problems found.")
        for note in (note for doc in course.documents.values() for note in advice.worksheet_notes(doc)):
            print(note)
        return 0
    from . import build

    if args.command == "clean":
        print(f"removed {out}" if build.clean(root, out) else f"nothing to remove: {out} does not exist")
        return 0
    if args.command == "watch":
        from . import watch

        return watch.run(root, out, args)
    if args.command == "classset":
        return run_classset(args, root, out)
    if args.command == "impose":
        return run_impose(args, root, out)
    if args.command == "export":
        return run_export(args, root, out)
    started = time.monotonic()
    with report.reporting(report.on_terminal(args.quiet)) as reporter:
        outputs = build.build(
            root, out, strict=args.strict, workers=args.jobs, strict_access=args.strict_access, report=reporter
        )
    for line in report.table(outputs):
        print(line)
    report.remarks(outputs)
    for note in environment.speed_notes() if any(not o.reused for o in outputs) else []:
        print(note)
    print(report.closing(outputs, out, time.monotonic() - started))
    return 0


def run_classset(args: argparse.Namespace, root: Path, out: Path) -> int:
    """A class set, its names laid out by a worker that starts loading WeasyPrint first."""
    from .names import NamesWorker  # noqa: F811 - at run time, the worker itself

    started = time.monotonic()
    with NamesWorker(root) as names:
        return make_class_set(args, root, out, names, started)


def make_class_set(args: argparse.Namespace, root: Path, out: Path, names: NamesWorker, started: float) -> int:
    """Check the roster, build the packet (if it changed), then stamp a named copy for every student."""
    from . import classset, copies
    from .errors import SourceErrors
    from .output import locked, write_atomic
    from .targets import packet_path
    from .versions import LETTERS
    from .workspace import tidy_class

    roster = classset.checked_roster(root, args.roster)
    outputs = build_first(args, root, out)
    made = {o.path: o for o in outputs}
    packets = {Path(o.path).stem: o for o in outputs if o.path.count("/") == 1 and o.path.startswith("student/")}
    chosen = packets.get(args.packet) if args.packet else next(iter(packets.values()), None)
    if chosen is None:
        raise unknown_packet(args.packet, list(packets))
    packet_id = Path(chosen.path).stem
    letters = [letter for letter in LETTERS[1:] if packet_path("student", packet_id, letter) in made]
    versions = (chosen, *(made[packet_path("student", packet_id, letter)] for letter in letters))
    if problems := classset.version_problems(roster, len(versions)):
        raise SourceErrors(problems)
    packet = copies.packet_of(chosen.data)
    others = tuple(copies.packet_of(version.data) for version in versions[1:])

    def write(made: copies.Made) -> None:
        write_atomic(out, made.path, made.data)

    def tidy(folder: str, keep: set[str]) -> None:
        tidy_class(out, folder, roster.path, keep)

    with locked(root, out), report.reporting(report.on_terminal(args.quiet), lines=events.ignore) as reporter:
        layout = args.layout or ""
        done = classset.make_class_sets(
            (packet, *others), roster, names.lay_out, write, tidy, packet_id, layout, reporter
        )
    for line in classset.summary(done, out, args.layout or "", chosen.duplex):
        print(line)
    taking = f", versions {classset.version_range(len(versions))} in turn" if len(versions) > 1 else ""
    seconds = time.monotonic() - started
    print(f"{plural(len(roster.students), 'named packet')} of {chosen.path}{taking} ({seconds:.1f} s)")
    return 0


def build_first(args: argparse.Namespace, root: Path, out: Path) -> list:
    """Build what changed (a mistyped packet is refused first); the outputs."""
    from . import build, classset

    packet = getattr(args, "packet", None)  # export names no packet
    known = classset.packet_ids(root) if packet else None
    if packet and known is not None and packet not in known:  # said before minutes of building
        raise unknown_packet(packet, known)
    with report.reporting(report.on_terminal(args.quiet)) as reporter:
        return build.build(
            root, out, strict=args.strict, workers=args.jobs, strict_access=args.strict_access, report=reporter
        )


def unknown_packet(packet: str | None, known: list[str]) -> CoursepackError:
    """The error for a packet course.toml does not list."""
    return CoursepackError(f"no packet '{packet}' in course.toml (its packets: {', '.join(known) or 'none'})")


def run_impose(args: argparse.Namespace, root: Path, out: Path) -> int:
    """Build (if anything changed), then write each chosen packet imposed for printing, and how to print it."""
    from . import classset, copies
    from .output import locked, write_atomic
    from .printall import PrintAll

    outputs = build_first(args, root, out)
    edition = f"{args.edition}/"
    chosen = [o for o in outputs if o.path.startswith(edition) and report.is_packet(o.path)]
    chosen = [o for o in chosen if not args.packet or Path(o.path).name == f"{args.packet}.pdf"]  # its versions too
    if not chosen:
        raise CoursepackError(f"the course builds no {args.edition} edition of that packet (see large_print)")
    with locked(root, out):
        for output in chosen:
            packet = copies.packet_of(output.data)
            printing = PrintAll(packet, args.layout)
            printing.copy(str(packet.base.reader.metadata.title or Path(output.path).stem))
            made = printing.finish(output.path.removesuffix(".pdf") + f"-{args.layout}.pdf", args.layout)
            write_atomic(out, made.path, made.data)
            print(f"{out / made.path}: {classset.advice(1, made.sides, args.layout, True)}")
    if args.edition == "large-print":
        print("note: imposed pages print smaller; for students who need large print, print the packets full size")
    return 0


def run_export(args: argparse.Namespace, root: Path, out: Path) -> int:
    """Build (if anything changed), then write each chosen export (or keep it, when its inputs are the same)."""
    from . import export, publish

    if not (args.site or args.lms):  # a mistyped command: exit 2, as argparse does
        print(
            "coursepack export: error: say what to export: --site (the web edition, in build/site/), "
            "--lms (a course cartridge for an LMS), or both",
            file=sys.stderr,
        )
        return 2
    if args.site:
        code = publish.run(args, root, out)  # builds first
        if code or not args.lms:
            return code
    started = time.monotonic()
    outputs = build_first(args, root, out)
    made = export.export_lms(root, out, outputs)
    state = "up to date" if made.reused else "written"
    print(f"{out / made.path}: {made.summary}; {export.size_text(made.size)}, {state}")
    print(f"import it into Canvas, Schoology, Moodle, Blackboard or Brightspace ({time.monotonic() - started:.1f} s)")
    return 0


def print_list(plan: Plan) -> None:
    from .messages import english
    from .templates import edition_label

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
    print(f"\nEditions: {', '.join(edition_label(english(), e) for e in course.editions)}")
