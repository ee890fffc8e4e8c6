"""Folders below the output folder besides the PDFs: a worker pool's own, and a class's, kept tidy.

Like everything coursepack writes, they are reached through folder descriptors, never through a link.
"""

from __future__ import annotations

import os
import shutil
from contextlib import ExitStack, suppress
from pathlib import Path

from .output import FOLDER_FLAGS, opened, parts_of, refuse_link

WORKERS = ".coursepack-workers"  # each process's worker pool keeps its temporary files here while it lives


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


def remove_others(out: Path, relative: str, keep: set[str]) -> None:
    """Remove the PDFs in a folder below the output folder that are not in ``keep`` (links never followed).

    A class's folder keeps only the files of the students on its roster now.
    """
    with ExitStack() as stack, opened(out) as here:
        for part in parts_of(relative):
            here = os.open(part, FOLDER_FLAGS, dir_fd=here)
            stack.callback(os.close, here)
        for entry in os.scandir(here):
            if entry.name.endswith(".pdf") and entry.name not in keep and entry.is_file(follow_symlinks=False):
                os.unlink(entry.name, dir_fd=here)
