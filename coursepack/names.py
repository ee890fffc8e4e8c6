"""Students' names laid out in a worker process, which loads WeasyPrint while the roster and packet are read.

Loading WeasyPrint and the course's fonts is most of a class set's fixed cost: the worker starts
first and sets type once (a sample line warms its fonts), while the main process checks the roster,
the build and the packet; then the main process only stamps and writes. Each names page says its
own paper size, so the worker needs nothing from the packet to get ready.
"""

from __future__ import annotations

import multiprocessing
import tempfile
from collections.abc import Callable, Iterator
from contextlib import suppress
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType

from . import pool
from .errors import CoursepackError

GROUP = 4  # students laid out in one document (each written to a PDF of their own)
AHEAD = 2  # groups sent to the worker before the first comes back: it works while the main process stamps
EDGES = ("top", "bottom")
PLACES = ("left-corner", "left", "center", "right", "right-corner")
SIDES = ("left", "right")
NO_MARGIN_BOXES = " ".join(
    [f"@{edge}-{place} {{ content: none; }}" for edge in EDGES for place in PLACES]
    + [f"@{side}-{place} {{ content: none; }}" for side in SIDES for place in ("top", "middle", "bottom")]
)
NAMES_CSS = f"""
@page classset {{ margin: 0; {NO_MARGIN_BOXES} }}
.cs-page {{ page: classset; position: relative; overflow: hidden; }}
.cs-page + .cs-page {{ break-before: page; }}
.cs-line {{ position: absolute; height: 16pt; line-height: 14pt; font-size: 13pt; font-weight: 700;
  white-space: nowrap; color: #1a1a1a; }}
.cs-head {{ position: absolute; top: 0.3in; left: 0.5in; right: 0.5in; text-align: center; font-size: 9.5pt;
  font-weight: 700; color: #1a1a1a; white-space: nowrap; overflow: hidden; }}
"""
SAMPLE = '<div class="cs-page"></div><div class="cs-page"><div class="cs-head">Aa</div></div>'


class NamesWorker:
    """A worker process that lays out students' names with the course's styles, a PDF each, in order.

    It is a plain process with a pipe (no threads in the main process, which forks the build's workers
    later); a worker that dies or hangs is an error that says so, never a wait without end.
    """

    def __init__(self, root: Path) -> None:
        self.scratch = tempfile.TemporaryDirectory(prefix="coursepack-names-")
        context = multiprocessing.get_context("fork")
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs, self.scratch.name, str(root)), daemon=True)
        self.process.start()
        theirs.close()

    def __enter__(self) -> NamesWorker:
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if error is None:
            with suppress(OSError):
                self.pipe.send(None)  # done: the worker ends
            self.process.join(5)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.pipe.close()
        self.scratch.cleanup()

    def lay_out(self, head: str, students: list[str]) -> Iterator[bytes]:
        """Each student's names pages (after ``head``) laid out into a PDF of their own, in the order given."""
        groups = [students[first : first + GROUP] for first in range(0, len(students), GROUP)]
        for group in groups[:AHEAD]:
            self.send((head, group))
        for index in range(len(groups)):
            laid_out = self.receive()
            if index + AHEAD < len(groups):
                self.send((head, groups[index + AHEAD]))
            yield from laid_out

    def send(self, job: tuple[str, list[str]]) -> None:
        try:
            self.pipe.send(job)
        except OSError:
            raise self.stopped() from None

    def receive(self) -> list[bytes]:
        """The next group's PDFs, or an error saying what became of the worker."""
        try:
            if not self.pipe.poll(pool.JOB_SECONDS):
                raise CoursepackError(f"laying out students' names stopped: {pool.TOO_SLOW}")
            kind, value = self.pipe.recv()
        except (EOFError, OSError):
            raise self.stopped() from None
        if kind == "error":
            raise CoursepackError(f"laying out students' names failed: {value}")
        return value

    def stopped(self) -> CoursepackError:
        """The error for a worker that ended before its work did."""
        self.process.join(1)
        return CoursepackError(f"laying out students' names stopped: {pool.death(self.process.exitcode)}")


def serve(pipe: Connection, scratch: str, root: str) -> None:
    """In the worker: set type (a sample warms the fonts), then lay out each group the pipe brings."""
    failure = ""
    try:
        pool.start_worker(scratch)
        lay_out = names_typesetter(Path(root))
        lay_out("<html><head><title>sample</title></head>", [SAMPLE])
    except Exception as error:  # noqa: BLE001 - told to the main process with the first group
        failure = in_words(error)
    with suppress(EOFError, KeyboardInterrupt):
        while (job := pipe.recv()) is not None:
            try:
                pipe.send(("error", failure) if failure else ("ok", lay_out(*job)))
            except Exception as error:  # noqa: BLE001 - the main process reports it in one sentence
                pipe.send(("error", in_words(error)))


def in_words(error: Exception) -> str:
    """What went wrong in the worker, for the sentence the main process prints."""
    return str(error) if isinstance(error, CoursepackError) else f"{type(error).__name__}: {error}"


def names_typesetter(root: Path) -> Callable[[str, list[str]], list[bytes]]:
    """Lays out students' names pages with the course's styles and fonts: one document, a PDF each.

    A PDF holds only the glyphs drawn on its own pages, so a student's copy holds no classmate's letters.
    """
    from .record import styles_of
    from .typeset import Typesetter, collect_warnings, identifier

    styles = styles_of(root)
    typesetter = Typesetter(root, (root, styles), [styles / "coursepack.css"], NAMES_CSS)

    def lay_out(head: str, students: list[str]) -> list[bytes]:
        with collect_warnings():
            document = typesetter.layout(f'{head}<body class="classset-layer">{"".join(students)}</body></html>')
            if len(document.pages) != 2 * len(students):
                raise CoursepackError(f"the names took {len(document.pages)} pages, not two for each student")
            return [
                typesetter.write(document.copy(document.pages[2 * i : 2 * i + 2]), identifier(head, text), tagged=False)
                for i, text in enumerate(students)
            ]

    return lay_out
