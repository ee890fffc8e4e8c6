"""watch: a warm process that rebuilds what each saved change reaches and names the PDFs it updated.

It watches the course folder (never the output folder, editors' temporary files or tool folders), runs
the same build as `build` after each batch of changes, prints problems as `check` does and goes on
watching; Ctrl-C stops it between two atomic writes, so no PDF is ever half-written.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import events, report
from .errors import CoursepackError
from .report import Finished, plural

IGNORED_FOLDERS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "__pycache__",
        "node_modules",
        ".idea",
        ".vscode",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".tox",
    }
)
EDITOR_FILES = re.compile(
    r"~$"  # backups: Emacs, gedit, Kate, nano
    r"|^\.#|^#.*#$"  # Emacs: lock files and autosaves
    r"|\.sw[a-px]$|^4913$"  # Vim: swap files and the file it writes to test a folder
    r"|___jb_\w+___$"  # JetBrains editors' safe writes
    r"|^\.goutputstream-|\.kate-swp$|\.crswap$"  # gedit, Kate, Chrome OS
    r"|^~\$|^\.~lock\.|\.tmp$|^\.DS_Store$"  # office suites' locks, temporary files, macOS Finder
)
QUIET_MS = 100  # watchfiles yields an empty batch after this long without a change


@dataclass(frozen=True)
class CourseFiles:
    """The changes that matter: files in the course folder, outside the output folder, not an editor's."""

    root: Path
    out: Path

    def __call__(self, change: object, path: str) -> bool:
        changed = Path(path)
        if changed == self.out or self.out in changed.parents or not changed.is_relative_to(self.root):
            return False
        parts = changed.relative_to(self.root).parts
        return bool(parts) and not IGNORED_FOLDERS.intersection(parts) and not EDITOR_FILES.search(parts[-1])


def batches(root: Path, out: Path, **options: Any) -> Iterator[list[str]]:
    """Each batch of saved changes to the course, as its files' paths in the course folder, sorted.

    The first batch comes once the watcher is in place (empty, after a quiet moment): from then on no
    save is missed. Later empty batches are quiet moments too. ``options`` go to ``watchfiles.watch``.
    """
    from watchfiles import watch

    files = CourseFiles(root.resolve(), out.resolve())
    quiet = {"yield_on_timeout": True, "rust_timeout": QUIET_MS, **options}
    for changes in watch(files.root, watch_filter=files, **quiet):
        yield sorted({Path(path).relative_to(files.root).as_posix() for _, path in changes})


def attempt(rebuild: Callable[[], Sequence[Finished]], out: Path) -> None:
    """One build: the PDFs it updated, its notes and warnings, or its problems; never an exception."""
    started = time.monotonic()
    try:
        outputs = rebuild()
    except CoursepackError as error:
        report.explain(error)
        return
    made = sorted(output.path for output in outputs if not output.reused)
    for path in made:
        print(out / path)
    report.remarks(outputs)
    seconds = time.monotonic() - started
    print(f"{plural(len(made), 'PDF')} updated, {len(outputs) - len(made)} unchanged ({seconds:.1f} s)")


def serve(root: Path, out: Path, changes: Iterable[list[str]], rebuild: Callable[[], Sequence[Finished]]) -> None:
    """Once the watcher is in place (its first batch), build; then again after each batch of changes."""
    waiting = f"watching {root} for changes (Ctrl-C to stop)"
    saves = iter(changes)
    next(saves, None)  # the watcher is in place: a save during the first build is seen, and rebuilt after it
    attempt(rebuild, out)
    print(waiting, flush=True)  # flushed: a pipe (an editor's build pane) sees each build as it ends
    for changed in saves:
        if changed:
            print(f"changed: {', '.join(changed)}", flush=True)
            attempt(rebuild, out)
            print(waiting, flush=True)


def run(root: Path, out: Path, args: argparse.Namespace) -> int:
    """The watch command; it ends only with Ctrl-C (KeyboardInterrupt, which the command line turns into 130)."""
    from . import build  # loads WeasyPrint once: every rebuild after it starts warm
    from .pool import Workers, quiet_libraries

    quiet_libraries()
    live = report.on_terminal(args.quiet)

    with Workers(args.jobs) as warm:  # worker processes kept, their typesetters set up, from one build to the next

        def rebuild() -> Sequence[Finished]:
            with report.reporting(live, lines=events.ignore) as reporter:
                return build.build(
                    root, out, strict=args.strict, workers=warm, strict_access=args.strict_access, report=reporter
                )

        serve(root, out, batches(root, out), rebuild)
    return 0
