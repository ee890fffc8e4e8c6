"""The output folder: one build at a time, atomic writes, reuse of unchanged PDFs, guarded clean."""

from __future__ import annotations

import fcntl
import hashlib
import html
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import __version__
from .errors import CoursepackError
from .workers import Output

CACHE = ".coursepack-cache.json"


MARKER = ".coursepack-output"
MARKER_TEXT = "This folder was made by coursepack; `coursepack clean` may remove it.\n"
SOURCE_FOLDERS = ("lessons", "handouts", "styles", "rosters")
TEMPORARY = ".coursepack-tmp"


def refuse_unsafe(root: Path, out: Path) -> None:
    """Refuse an output folder that is, holds or lies inside the course's sources."""
    root, out = root.resolve(), out.resolve()
    if out == root:
        raise CoursepackError(f"the output folder {out} is the course folder itself; choose another (default: build)")
    if root.is_relative_to(out):
        raise CoursepackError(
            f"the output folder {out} contains the course folder; choose a folder inside it or beside it"
        )
    for folder in SOURCE_FOLDERS:
        if out.is_relative_to(root / folder):
            raise CoursepackError(
                f"the output folder {out} lies inside the course's {folder}/ folder; choose another (default: build)"
            )


def is_ours(out: Path) -> bool:
    """A folder coursepack made: it carries the marker file (or a cache from an earlier release)."""
    return (out / MARKER).is_file() or (out / CACHE).is_file()


def claim(root: Path, out: Path) -> None:
    """Make (or adopt) the output folder; a folder holding other files is refused, untouched."""
    refuse_unsafe(root, out)
    if out.exists() and not out.is_dir():
        raise CoursepackError(f"the output folder {out} is a file; choose a folder")
    if out.is_dir() and not is_ours(out) and any(out.iterdir()):
        raise CoursepackError(
            f"the output folder {out} already holds files coursepack did not make; choose a new or empty folder"
        )
    out.mkdir(parents=True, exist_ok=True)
    if not (out / MARKER).is_file():
        write_atomic(out / MARKER, MARKER_TEXT.encode())


@contextmanager
def locked(root: Path, out: Path) -> Iterator[Path]:
    """One build at a time per output folder; yields a private temporary folder inside it, removed after."""
    claim(root, out)
    with open(out / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CoursepackError(f"another build is writing to {out}; wait for it to finish") from None
        for stale in out.rglob(".*.tmp"):  # left by a build that was killed half-way
            stale.unlink()
        scratch = out / TEMPORARY
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
        try:
            yield scratch
        finally:
            shutil.rmtree(scratch, ignore_errors=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then move it into place (ordinary permissions)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the umask applies, as for any file
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def job_key(job: dict[str, Any], root: Path, styles_digest: str) -> str:
    """A digest of everything a PDF is made from: its HTML, the styles, images and bound PDFs."""
    digest = hashlib.sha256(f"{__version__}\0{job['path']}\0{job['paper']}\0{styles_digest}".encode())
    digest.update(job["html"].encode())
    digest.update(json.dumps(job.get("front"), sort_keys=True).encode())
    for src in sorted(set(re.findall(r'<img[^>]*\ssrc="([^"]+)"', job["html"]))):
        path = root / html.unescape(src)
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    for _, data, password, scale in job.get("bound", []):
        digest.update(hashlib.sha256(data).digest() + f"{password}\0{scale}".encode())
    return digest.hexdigest()


def folder_digest(folder: Path, pattern: str = "*") -> str:
    """A digest of the files in a folder (styles, or coursepack's own code)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def reuse(out: Path, manifest: dict[str, Any], path: str, key: str) -> Output | None:
    """The PDF an earlier build made from exactly the same inputs, if it is still intact."""
    entry = manifest.get(path)
    target = out / path
    if not entry or entry.get("key") != key or not target.is_file():
        return None
    data = target.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        return None
    fields = {name: entry[name] for name in ("warnings", "pages", "documents", "duplex", "notes")}
    return Output(path, data, **fields, reused=True)


def clean(root: Path, out: Path) -> bool:
    """Remove an output folder coursepack made; refuse anything else. False when there was nothing."""
    if not out.exists():
        return False
    refuse_unsafe(root, out)
    if not out.is_dir() or not is_ours(out):
        raise CoursepackError(f"{out} was not made by coursepack (it has no {MARKER} file); nothing was removed")
    shutil.rmtree(out)
    return True
