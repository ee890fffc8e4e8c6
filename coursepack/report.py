"""What a build says: live progress on a terminal, a plain line per finished PDF otherwise, then the summary.

Only the pipeline's events and its returned outputs are read here. rich is imported when a terminal
build has something to make, so a build with nothing to do starts (and ends) in milliseconds.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from . import events
from .errors import CoursepackError, SourceErrors
from .model import FILLABLE

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class Finished(Protocol):
    """What the summary reads of one output PDF (the pipeline's Output)."""

    path: str
    data: bytes
    pages: int
    documents: int
    duplex: bool
    reused: bool
    notes: list[str]
    warnings: list[str]


def plural(count: int, word: str, many: str = "") -> str:
    """ "1 packet", "2 packets"; "1 copy", "2 copies" when the plural is given."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def kib(size: int) -> str:
    """A size in bytes as kibibytes, for a line of text."""
    return f"{size / 1024:.0f} KiB"


def is_packet(path: str) -> bool:
    """Whether an output path is a packet (the rest are single documents under documents/)."""
    return "/documents/" not in path


def plain(event: events.Event) -> None:
    """Without a terminal, or with --quiet: one line per PDF made, as soon as it is finished."""
    if event.code == events.MADE:
        print(f"made {event.path} ({plural(event.pages, 'page')}, {kib(event.size)})", flush=True)
    removed(event)


def removed(event: events.Event) -> None:
    """Say that a PDF an earlier build made is gone, so nobody prints an old one (a version no longer made)."""
    if event.code == events.REMOVED:
        print(f"removed {event.path}: the course no longer makes it", flush=True)


@dataclass(frozen=True)
class Bars:
    """The live display: rich's Progress with a bar for documents laid out and one for PDFs finished."""

    progress: Progress
    layouts: TaskID
    finished: TaskID


class Live:
    """On a terminal: live bars, drawn by rich once the plan has something to make, taken away at the end."""

    def __init__(self) -> None:
        self.bars: Bars | None = None

    def __call__(self, event: events.Event) -> None:
        removed(event)
        if event.code == events.PLANNED and event.count:
            self.bars = start(event.total)
        bars = self.bars
        if bars is None:
            return  # nothing to make: nothing to draw
        if event.code == events.LAID_OUT:
            detail = f"{event.path} ({event.edition})" if event.edition else event.path
            bars.progress.update(bars.layouts, advance=1, total=event.total or None, detail=detail, visible=True)
        elif event.code in (events.MADE, events.REUSED):
            bars.progress.update(bars.finished, advance=1, detail=event.path)
        elif event.code == events.WRITTEN:
            self.stop()

    def stop(self) -> None:
        """Take the bars away, so what follows prints on a clean screen."""
        if self.bars is not None:
            self.bars.progress.stop()
        self.bars = None


def start(total: int) -> Bars:
    """Draw the bars on standard output: PDFs out of ``total``; documents once the first is laid out."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[detail]}", style="dim"),
        transient=True,
    )
    layouts = progress.add_task("documents", total=None, detail="", visible=False)
    finished = progress.add_task("PDFs", total=total, detail="")
    progress.start()
    return Bars(progress, layouts, finished)


@contextmanager
def reporting(live: bool, lines: events.Reporter = plain) -> Iterator[events.Reporter]:
    """The reporter for one build: live bars (taken away however the build ends), or else ``lines``."""
    if not live:
        yield lines
        return
    bars = Live()
    try:
        yield bars
    finally:
        bars.stop()


def on_terminal(quiet: bool) -> bool:
    """Whether to draw live progress: standard output is a terminal and --quiet was not given."""
    return not quiet and sys.stdout.isatty()


def sheets(output: Finished) -> int:
    """The sheets of paper an output takes: two pages a sheet when it is printed duplex (none on screen)."""
    if output.path.startswith(f"{FILLABLE}/"):
        return 0
    return (output.pages + 1) // 2 if output.duplex else output.pages


def row(label: str, pages: int, paper: str, documents: str, size: int, state: str, width: int = 32) -> str:
    """One line of the summary table, its columns aligned (``width``: the first column's)."""
    return f"{label:<{width}} {pages:>4} pages  {paper:<21}  {documents:<13}  {size / 1024:>7.0f} KiB  {state}"


def packet_row(output: Finished, width: int = 32) -> str:
    """One packet: pages, sheets (simplex or duplex), documents, size, and whether it was made or reused."""
    paper = f"{sheets(output):>4} sheets ({'duplex' if output.duplex else 'simplex'})"
    paper = paper if sheets(output) else "     on screen"  # a fillable packet is not printed
    documents = f"{output.documents:>3} documents"
    state = "reused" if output.reused else "made"
    return row(output.path, output.pages, paper, documents, len(output.data), state, width)


def total_row(label: str, outputs: Sequence[Finished], paper: bool, width: int = 32) -> str:
    """A group of outputs in all: pages (and sheets, for packets), size, how many were made and reused."""
    made = sum(not o.reused for o in outputs)
    state = ", ".join(f"{count} {word}" for count, word in ((made, "made"), (len(outputs) - made, "reused")) if count)
    total = f"{sum(sheets(o) for o in outputs):>4} sheets" if paper else ""
    return row(label, sum(o.pages for o in outputs), total, "", sum(len(o.data) for o in outputs), state, width)


def table(outputs: Sequence[Finished]) -> list[str]:
    """The table at the end of a build: each packet, then documents and packets in all."""
    packets = [o for o in outputs if is_packet(o.path)]
    documents = [o for o in outputs if not is_packet(o.path)]
    width = max([32, *(len(output.path) for output in packets)])
    lines = [packet_row(output, width) for output in packets]
    if documents:
        lines.append(total_row(f"document PDFs ({len(documents)})", documents, paper=False, width=width))
    if packets:
        lines.append(total_row(f"packets ({len(packets)})", packets, paper=True, width=width))
    return lines


def closing(outputs: Sequence[Finished], out: Path, seconds: float) -> str:
    """The build's last line: what is where, how much was made and reused, how long it took."""
    packets = sum(is_packet(o.path) for o in outputs)
    reused = sum(o.reused for o in outputs)
    state = ": up to date" if reused == len(outputs) else ""
    return (
        f"{len(outputs) - packets} document PDFs and {packets} packets in {out}{state} "
        f"({len(outputs) - reused} rendered, {reused} unchanged since the last build; {seconds:.1f} s)"
    )


def remarks(outputs: Sequence[Finished]) -> None:
    """Each note (standard output) and each warning (standard error) of a build, once, naming its source."""
    from .build import once  # loaded already by the commands that build

    for note in dict.fromkeys(note for o in outputs for note in o.notes):
        print(note)
    for warning in once(w for o in outputs for w in o.warnings):
        print(warning, file=sys.stderr)


def explain(error: CoursepackError) -> int:
    """Print why nothing was written, as `check` and `build` always have; 1, the exit code for it."""
    if isinstance(error, SourceErrors):
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"{plural(len(error.problems), 'problem')} found; nothing was written.", file=sys.stderr)
        return 1
    from .build import BuildWarnings  # loaded already by the only commands that raise it

    if isinstance(error, BuildWarnings):
        for warning in error.warnings:
            print(warning, file=sys.stderr)
        count = plural(len(error.warnings), "warning")
        print(f"{count} in strict mode; nothing was written (use --no-strict for drafts).", file=sys.stderr)
    else:
        print(f"coursepack: error: {error}", file=sys.stderr)
    return 1
