"""The output folder: one build at a time, atomic writes, reuse of unchanged PDFs, guarded clean."""

from __future__ import annotations

import fcntl
import hashlib
import html
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import __version__
from .errors import CoursepackError
from .workers import Output

CACHE = ".coursepack-cache.json"


# ---------------------------------------------------------------- write


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """One build at a time per output folder."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CoursepackError(f"another build is writing to {out}; wait for it to finish") from None
        for stale in out.rglob(".*.tmp"):  # left by a build that was killed half-way
            stale.unlink()
        yield


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
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


def clean(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
