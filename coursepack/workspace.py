"""Folders below the output folder besides the PDFs: a worker pool's own, and a class's, kept tidy.

Like everything coursepack writes, they are reached through folder descriptors, never through a link.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from contextlib import ExitStack, suppress
from pathlib import Path

from .output import FOLDER_FLAGS, opened, parts_of, refuse_link, write_atomic

WORKERS = ".coursepack-workers"  # each process's worker pool keeps its temporary files here while it lives
CLASS_RECORD = ".coursepack-class.json"  # in a class's folder: the files each roster made there


def worker_folder(out: Path) -> Path:
    """A folder of this process's own for its worker pool's temporary files (the fonts WeasyPrint unpacks).

    It outlives a build (watch keeps its workers, and their fonts, between builds); folders left by
    processes that are gone are removed.
    """
    with opened(out) as folder:
        refuse_link(folder, WORKERS, out / WORKERS)
        with suppress(FileExistsError):
            os.mkdir(WORKERS, dir_fd=folder)
        base = os.open(WORKERS, FOLDER_FLAGS, dir_fd=folder)
        try:
            for entry in os.scandir(base):
                if entry.name.isdigit() and not alive(int(entry.name)):
                    shutil.rmtree(entry.name, dir_fd=base)
            with suppress(FileExistsError):
                os.mkdir(str(os.getpid()), dir_fd=base)
        finally:
            os.close(base)
    return out / WORKERS / str(os.getpid())


def alive(pid: int) -> bool:
    """Whether a process is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_worker_folder(path: Path) -> None:
    """Remove a worker pool's folder, and the folder of pools when it is left empty."""
    shutil.rmtree(path, ignore_errors=True)
    with suppress(OSError):
        path.parent.rmdir()


def tidy_class(out: Path, relative: str, roster: str, keep: set[str]) -> None:
    """Remove the PDFs an earlier run of this roster made in a class's folder that this run did not make.

    Each class folder records which roster made which files: a student no longer on the roster loses
    their file, while other rosters' files and files a teacher put there stay. Links are never followed.
    """
    with ExitStack() as stack, opened(out) as here:
        for part in parts_of(relative):
            here = os.open(part, FOLDER_FLAGS, dir_fd=here)
            stack.callback(os.close, here)
        made = recorded(here)
        for name in set(made.get(roster, [])) - keep:
            with suppress(FileNotFoundError):
                if stat.S_ISREG(os.stat(name, dir_fd=here, follow_symlinks=False).st_mode):
                    os.unlink(name, dir_fd=here)
    made[roster] = sorted(keep)
    write_atomic(out, f"{relative}/{CLASS_RECORD}", json.dumps(made, indent=1, sort_keys=True).encode())


def recorded(folder: int) -> dict[str, list[str]]:
    """Which files each roster made in a class folder, as its record says (nothing when it has none)."""
    try:
        fd = os.open(CLASS_RECORD, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=folder)
        with os.fdopen(fd, "rb") as handle:
            found = json.loads(handle.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {
        key: [name for name in value if isinstance(name, str) and "/" not in name and name.endswith(".pdf")]
        for key, value in found.items()
        if isinstance(key, str) and isinstance(value, list)
    }
