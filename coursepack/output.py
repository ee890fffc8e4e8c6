"""The output folder: one build at a time, atomic writes that never follow links, reuse of PDFs it wrote itself."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import stat
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from . import __version__
from .errors import CoursepackError
from .targets import Output

CACHE = ".coursepack-cache.json"
LOCK = ".lock"
MARKER = ".coursepack-output"
MARKER_TEXT = "This folder was made by coursepack; `coursepack clean` may remove it.\n"
PROTECTED_FOLDERS = ("lessons", "handouts", "styles", "rosters")
TEMPORARY = ".coursepack-tmp"
FOLDER_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
RECORDED = {"warnings": list, "pages": int, "documents": int, "duplex": bool, "notes": list}


@dataclass(frozen=True)
class Stamp:
    """The file coursepack wrote at a path: its inode, size, modification time and content digest."""

    inode: int
    size: int
    mtime_ns: int
    sha256: str

    def matches(self, info: os.stat_result) -> bool:
        """Whether a file's status is still that of the file coursepack wrote."""
        return (info.st_ino, info.st_size, info.st_mtime_ns) == (self.inode, self.size, self.mtime_ns)

    @classmethod
    def recorded(cls, entry: dict[str, Any]) -> Stamp | None:
        """The stamp a manifest entry holds, or None when it is missing or of the wrong shape."""
        values = [entry.get(name) for name in ("inode", "size", "mtime_ns")]
        if not all(type(value) is int for value in values) or not isinstance(entry.get("sha256"), str):
            return None
        return cls(*values, entry["sha256"])


def linked(path: Path) -> CoursepackError:
    """The refusal of a symbolic link where coursepack would write."""
    return CoursepackError(f"{path} is a symbolic link; coursepack writes only into real folders it made: remove it")


def why(error: OSError) -> str:
    """What the system said, in lower case, for the middle of a sentence."""
    return (error.strerror or type(error).__name__).lower()


def refuse_unsafe(root: Path, out: Path) -> None:
    """Refuse an output folder that is, holds or lies inside the course's sources."""
    root, out = Path(os.path.realpath(root)), Path(os.path.realpath(out))
    if out == root:
        raise CoursepackError(f"the output folder {out} is the course folder itself; choose another (default: build)")
    if root.is_relative_to(out):
        raise CoursepackError(
            f"the output folder {out} contains the course folder; choose a folder inside it or beside it"
        )
    for folder in PROTECTED_FOLDERS:
        if out.is_relative_to(root / folder):
            raise CoursepackError(
                f"the output folder {out} lies inside the course's {folder}/ folder; choose another (default: build)"
            )


def regular(path: Path) -> bool:
    """A regular file, not a link to one."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return False


def is_ours(out: Path) -> bool:
    """A folder coursepack made: it carries the marker file (or a cache from an earlier release)."""
    return regular(out / MARKER) or regular(out / CACHE)


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn a failure of the system to write into one sentence naming the path."""
    try:
        yield
    except OSError as error:
        raise CoursepackError(
            f"cannot write to {path}: {why(error)}; check its permissions and free space, "
            "or choose another output folder with --out"
        ) from None


@contextmanager
def opened(out: Path) -> Iterator[int]:
    """The output folder opened as a real folder, never through a link, to work below it safely."""
    if out.is_symlink():
        raise linked(out)
    folder = os.open(out, FOLDER_FLAGS)
    try:
        yield folder
    finally:
        os.close(folder)


def refuse_links(folder: int, out: Path) -> None:
    """Refuse an output folder that holds a symbolic link anywhere (coursepack never makes one)."""
    for top, dirs, files, top_fd in os.fwalk(".", dir_fd=folder):
        for name in sorted(dirs + files):
            if stat.S_ISLNK(os.stat(name, dir_fd=top_fd, follow_symlinks=False).st_mode):
                raise linked(out / top / name)


def claim(root: Path, out: Path) -> None:
    """Make (or adopt) the output folder; a folder holding other files, or a link, is refused, untouched."""
    refuse_unsafe(root, out)
    try:
        if out.is_symlink():
            raise linked(out)
        if out.exists() and not out.is_dir():
            raise CoursepackError(f"the output folder {out} is a file; choose a folder")
        if out.is_dir() and not is_ours(out) and any(out.iterdir()):
            raise CoursepackError(
                f"the output folder {out} already holds files coursepack did not make; choose a new or empty folder"
            )
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CoursepackError(
            f"cannot make the output folder {out}: {why(error)}; choose another folder with --out"
        ) from None
    with writing(out), opened(out) as folder:
        refuse_links(folder, out)
    if not regular(out / MARKER):
        write_atomic(out, MARKER, MARKER_TEXT.encode())


@contextmanager
def locked(root: Path, out: Path) -> Iterator[Path]:
    """One build at a time per output folder; yields a private temporary folder inside it, removed after."""
    claim(root, out)
    with ExitStack() as stack:
        with writing(out):
            folder = stack.enter_context(opened(out))
            refuse_link(folder, LOCK, out / LOCK)
            lock = os.open(LOCK, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666, dir_fd=folder)
            stack.callback(os.close, lock)
            try:  # a POSIX record lock: the process's own, so worker processes it forks never hold it
                fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except (BlockingIOError, PermissionError):
                raise CoursepackError(f"another build is writing to {out}; wait for it to finish") from None
            sweep(folder)
            refuse_link(folder, TEMPORARY, out / TEMPORARY)
            shutil.rmtree(TEMPORARY, ignore_errors=True, dir_fd=folder)
            os.mkdir(TEMPORARY, dir_fd=folder)
            stack.callback(shutil.rmtree, TEMPORARY, ignore_errors=True, dir_fd=folder)
        yield out / TEMPORARY


def refuse_link(folder: int, name: str, path: Path) -> None:
    """Refuse a symbolic link at a name (shown as path) coursepack is about to write; a missing name is fine."""
    with suppress(FileNotFoundError):
        if stat.S_ISLNK(os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode):
            raise linked(path)


def sweep(folder: int) -> None:
    """Remove temporary files left by a build that was killed half-way (links are never followed)."""
    for _, _, files, top_fd in os.fwalk(".", dir_fd=folder):
        for name in files:
            if name.startswith(".") and name.endswith(".tmp"):
                os.unlink(name, dir_fd=top_fd)


def enter(folder: int, name: str, path: Path) -> int:
    """Open a real sub-folder, making it if needed; a link in its place is refused."""
    try:
        mode = os.stat(name, dir_fd=folder, follow_symlinks=False).st_mode
    except FileNotFoundError:
        os.mkdir(name, dir_fd=folder)
        mode = stat.S_IFDIR
    if stat.S_ISLNK(mode):
        raise linked(path)
    return os.open(name, FOLDER_FLAGS, dir_fd=folder)


def parts_of(relative: str) -> tuple[str, ...]:
    """The names on a path below the output folder; never absolute, never climbing out."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise ValueError(f"not a path below the output folder: {relative!r}")
    return parts


def write_atomic(out: Path, relative: str, data: bytes) -> Stamp:
    """Write a file below the output folder: to a temporary name beside it, then moved into place.

    No folder on the way, and not the file itself, may be a symbolic link; ordinary permissions (the umask applies).
    """
    *folders, name = parts_of(relative)
    with writing(out / relative), ExitStack() as stack, opened(out) as here:
        for depth, part in enumerate(folders, start=1):
            here = enter(here, part, out.joinpath(*folders[:depth]))
            stack.callback(os.close, here)
        refuse_link(here, name, out / relative)
        temporary = f".{name}.{secrets.token_hex(6)}.tmp"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666, dir_fd=here)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                info = os.fstat(handle.fileno())
            os.replace(temporary, name, src_dir_fd=here, dst_dir_fd=here)
        except BaseException:
            with suppress(OSError):
                os.unlink(temporary, dir_fd=here)
            raise
    return Stamp(info.st_ino, info.st_size, info.st_mtime_ns, hashlib.sha256(data).hexdigest())


def read_written(out: Path, relative: str, stamp: Stamp) -> bytes | None:
    """The bytes of the file coursepack wrote at this path, if it is still that very file (links never followed)."""
    *folders, name = parts_of(relative)
    try:
        with ExitStack() as stack, opened(out) as here:
            for part in folders:
                here = os.open(part, FOLDER_FLAGS, dir_fd=here)
                stack.callback(os.close, here)
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=here)
            with os.fdopen(fd, "rb") as handle:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode) or not stamp.matches(info):
                    return None
                data = handle.read()
    except (OSError, CoursepackError):
        return None
    return data if hashlib.sha256(data).hexdigest() == stamp.sha256 else None


def remove_written(out: Path, relative: str, stamp: Stamp) -> bool:
    """Remove the file coursepack wrote at this path if it is still that very file, and the folders it
    leaves empty; a file changed or replaced since, or a link, is left alone."""
    *folders, name = parts_of(relative)
    try:
        with ExitStack() as stack, opened(out) as top:
            here, chain = top, []
            for part in folders:
                chain.append((here, part))
                here = os.open(part, FOLDER_FLAGS, dir_fd=here)
                stack.callback(os.close, here)
            info = os.stat(name, dir_fd=here, follow_symlinks=False)
            if not stat.S_ISREG(info.st_mode) or not stamp.matches(info):
                return False
            os.unlink(name, dir_fd=here)
            for parent, part in reversed(chain):
                with suppress(OSError):  # a folder that still holds something stays
                    os.rmdir(part, dir_fd=parent)
    except (OSError, CoursepackError):
        return False
    return True


def identity(out: Path) -> dict[str, Any]:
    """The output folder itself: where it is, and its device and inode (a copy or a move is another folder)."""
    info = os.lstat(out)
    return {"path": os.path.realpath(out), "device": info.st_dev, "inode": info.st_ino}


@dataclass(frozen=True)
class Manifest:
    """What the last build in this folder recorded: each file it wrote, its outputs in order, what it read."""

    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    inputs: dict[str, list[int]] = field(default_factory=dict)
    checked: tuple[int, int] | None = None  # documents and packets of a course that passed every check


def read_json(out: Path, name: str) -> Any:
    """A record coursepack keeps in the output folder, parsed (None when missing, unreadable, malformed or a link)."""
    try:
        with opened(out) as folder:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=folder)
            with os.fdopen(fd, "rb") as handle:
                return json.loads(handle.read())
    except (OSError, ValueError, CoursepackError):
        return None


def read_manifest(out: Path) -> Manifest:
    """What an earlier build recorded for this very folder; empty when missing, malformed or another folder's."""
    manifest = read_json(out, CACHE)
    try:
        here = identity(out)
    except (OSError, CoursepackError):
        return Manifest()
    if not isinstance(manifest, dict) or manifest.get("folder") != here or not isinstance(manifest.get("files"), dict):
        return Manifest()
    files = {path: entry for path, entry in manifest["files"].items() if isinstance(entry, dict)}
    outputs = manifest.get("outputs")
    inputs = manifest.get("inputs")
    if manifest.get("version") != __version__ or not isinstance(outputs, list) or not isinstance(inputs, dict):
        return Manifest(files)
    if not all(isinstance(path, str) for path in outputs) or not all(isinstance(v, list) for v in inputs.values()):
        return Manifest(files)
    checked = manifest.get("checked")
    counts = tuple(checked) if isinstance(checked, list) and [type(n) for n in checked] == [int, int] else None
    return Manifest(files, tuple(outputs), inputs, counts)


def record_of(key: str, stamp: Stamp, output: Output) -> dict[str, Any]:
    """The manifest entry for a PDF: its inputs' digest, the file written, and what the summary needs."""
    return {"key": key, **asdict(stamp), **{name: getattr(output, name) for name in RECORDED}}


def write_manifest(
    out: Path,
    files: dict[str, dict[str, Any]],
    outputs: list[str],
    inputs: dict[str, list[int]],
    checked: tuple[int, int] | None = None,
) -> None:
    """Record what this build wrote, tied to this folder, with the outputs in order and what it read.

    ``checked``: the course's documents and packets, when it passed every check (``check`` says so again
    without reading anything while no file the build read has changed).
    """
    with writing(out):
        manifest = {
            "folder": identity(out),
            "version": __version__,
            "files": files,
            "outputs": outputs,
            "inputs": inputs,
            "checked": list(checked) if checked else None,
        }
    write_atomic(out, CACHE, json.dumps(manifest, indent=1, sort_keys=True).encode())


def fields_of(entry: dict[str, Any]) -> dict[str, Any] | None:
    """The summary fields a manifest entry recorded, or None when any is missing or of the wrong shape."""
    fields = {name: entry.get(name) for name in RECORDED}
    for name, kind in RECORDED.items():
        value = fields[name]
        if type(value) is not kind or (kind is list and not all(isinstance(item, str) for item in value)):
            return None
    return fields


def reuse(out: Path, manifest: dict[str, Any], path: str, key: str) -> tuple[Output, Stamp] | None:
    """The PDF an earlier build wrote in this folder from exactly the same inputs, if it is still that file."""
    entry = manifest.get(path)
    if not isinstance(entry, dict) or entry.get("key") != key:
        return None
    stamp, fields = Stamp.recorded(entry), fields_of(entry)
    if stamp is None or fields is None:
        return None
    data = read_written(out, path, stamp)
    return None if data is None else (Output(path, data, **fields, reused=True), stamp)


def clean(root: Path, out: Path) -> bool:
    """Remove an output folder coursepack made; refuse anything else. False when there was nothing."""
    try:
        if not out.is_symlink() and not out.exists():
            return False
        refuse_unsafe(root, out)
        if out.is_symlink():
            raise CoursepackError(
                f"{out} is a symbolic link; coursepack removes only real folders it made, "
                "so nothing was removed: remove the link itself"
            )
        if not out.is_dir() or not is_ours(out):
            raise CoursepackError(f"{out} was not made by coursepack (it has no {MARKER} file); nothing was removed")
        shutil.rmtree(out)
    except OSError as error:
        raise CoursepackError(f"cannot remove {out}: {why(error)}; check its permissions and try again") from None
    return True
