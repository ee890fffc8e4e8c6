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
from pathlib import Path
from types import TracebackType

from . import pool

BATCH = 64  # students handed to the worker at a time: memory stays flat for any roster
GROUP = 4  # students laid out in one document (each written to a PDF of their own)
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
setter: list[Callable[[str, list[str]], list[bytes]]] = []  # in the worker: its one typesetter
failed: list[Exception] = []  # in the worker: why it could not set type


class NamesPool:
    """A worker process that lays out names' HTML with the course's styles into PDFs, in order."""

    def __init__(self, root: Path) -> None:
        self.scratch = tempfile.TemporaryDirectory(prefix="coursepack-names-")
        context = multiprocessing.get_context("fork")
        self.pool = context.Pool(1, initializer=start, initargs=(self.scratch.name, str(root)))

    def __enter__(self) -> NamesPool:
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, trace: TracebackType | None) -> None:
        if error is None:
            self.pool.close()
        else:
            self.pool.terminate()
        self.pool.join()
        self.scratch.cleanup()

    def lay_out(self, head: str, students: list[str]) -> Iterator[bytes]:
        """Each student's names pages (after ``head``) laid out into a PDF of their own, in the order given."""
        for first in range(0, len(students), BATCH):
            batch = students[first : first + BATCH]
            groups = [(head, batch[start : start + GROUP]) for start in range(0, len(batch), GROUP)]
            for laid_out in self.pool.imap(lay_out_names, groups):
                yield from laid_out


def start(scratch: str, root: str) -> None:
    """In the worker: the settings every worker has; then type set, and warmed, before the first name comes."""
    pool.start_worker(scratch)
    try:
        setter.append(names_typesetter(Path(root)))
        setter[0]("<html><head><title>sample</title></head>", [SAMPLE])
    except Exception as error:  # noqa: BLE001 - raised with the first name, in the main process (a pool
        failed.append(error)  # whose initializer fails would start it again and again)


def lay_out_names(group: tuple[str, list[str]]) -> list[bytes]:
    """In the worker: a group of students' names, as a PDF each."""
    if failed:
        raise failed[0]
    return setter[0](*group)


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
                raise ValueError(f"names took {len(document.pages)} pages for {len(students)} students, not two each")
            return [
                typesetter.write(document.copy(document.pages[2 * i : 2 * i + 2]), identifier(head, text), tagged=False)
                for i, text in enumerate(students)
            ]

    return lay_out
