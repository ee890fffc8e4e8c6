"""Events: what the pipeline did, as records; the command line's reporter turns them into progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

PLANNED = "planned"  # the build knows its outputs: total, and how many must be made (count)
LAID_OUT = "laid-out"  # one document in one edition was laid out (path: its source, edition, total to lay out)
MADE = "made"  # one output PDF was made (path, pages, size)
REUSED = "reused"  # one output PDF was unchanged since the last build (path, pages, size)
WRITTEN = "written"  # every output was written to the output folder (total)
REMOVED = "removed"  # a PDF an earlier build wrote, which this build no longer makes, was removed (path)


@dataclass(frozen=True)
class Event:
    """Something the pipeline did: a code from this module and what it concerns."""

    code: str
    path: str = ""
    edition: str = ""
    total: int = 0
    count: int = 0
    pages: int = 0
    size: int = 0


Reporter = Callable[[Event], None]


def ignore(event: Event) -> None:
    """The reporter of a build nobody watches (tests, the benchmark)."""
