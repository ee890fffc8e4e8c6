"""The dependency record: what each output is made from, as digests, and the files a build read.

Staleness is decided twice. Cheaply, before anything is loaded: if no file the last build read has
changed (size and modification time), and no folder it listed has gained or lost a file, the build
is up to date without importing WeasyPrint or rendering a template. Exactly, once the sources are
loaded: each part and each output has a key, a digest of everything it is made from, and only what
has a new key is laid out or composed again.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
from collections.abc import Iterable
from pathlib import Path

from . import __version__
from .targets import Bound, DocumentTarget, PacketTarget, PartTarget

PACKAGE = Path(__file__).resolve().parent
# The bundled styles: coursepack/styles/ in an installed wheel (see pyproject.toml), styles/ in a checkout.
BUNDLED_STYLES = PACKAGE / "styles" if (PACKAGE / "styles").is_dir() else PACKAGE.parent / "styles"
SOURCE_FOLDERS = ("lessons", "handouts")
WORDS = "styles/messages"  # a course's own words (messages.py), read even when its styles are the bundled ones
IMAGE = re.compile(r'<img[^>]*\ssrc="([^"]+)"')


def styles_of(root: Path) -> Path:
    """The styles a course uses: its own (a styles folder with templates), else the bundled ones."""
    return root / "styles" if (root / "styles" / "templates").is_dir() else BUNDLED_STYLES


def digest(*parts: str | bytes) -> str:
    """A hex digest of several strings or byte strings, kept apart."""
    hashed = hashlib.sha256()
    for part in parts:
        hashed.update(part if isinstance(part, bytes) else part.encode())
        hashed.update(b"\0")
    return hashed.hexdigest()


def folder_digest(folder: Path, pattern: str = "*") -> str:
    """A digest of the files in a folder (styles, or coursepack's own code)."""
    hashed = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        hashed.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return hashed.hexdigest()


def code_digest(styles: Path) -> str:
    """The styles and coursepack's own code: a change to either lays everything out again."""
    return digest(__version__, folder_digest(styles), folder_digest(PACKAGE, "*.py"))


def images(target: PartTarget) -> list[Path]:
    """The image files a part shows (course-relative in its HTML)."""
    root = Path(target.setup.root)
    return [root / html.unescape(src) for src in sorted(set(IMAGE.findall(target.html)))]


def part_key(target: PartTarget, code: str) -> str:
    """Everything a part's pages are made from: its HTML, paper, images, the styles and the code."""
    pictures = [path.read_bytes() if path.is_file() else b"missing" for path in images(target)]
    return digest(code, target.setup.paper, target.html, *pictures)


def output_key(target: DocumentTarget | PacketTarget, parts: dict[str, str]) -> str:
    """Everything a document's or packet's PDF is made from: its parts' keys and what it prints itself."""
    if isinstance(target, DocumentTarget):
        return digest(target.path, repr((target.running, target.notes)), target.part.running, parts[target.part.path])
    return digest(
        target.path,
        repr((target.running, target.title, target.entries, target.front, target.notes)),
        *(f"{part.path}\0{part.running}\0{part.stamped}\0{parts[part.path]}" for part in target.laid_out),
        repr([part is not None for part in target.supplements]),
        *(bound_digest(item) for item in target.bound),
    )


def made_from(target: DocumentTarget | PacketTarget | PartTarget) -> list[str]:
    """The files an output is made from, course-relative where they are in the course; styles and code as a whole."""
    parts = (
        [target]
        if isinstance(target, PartTarget)
        else [target.part]
        if isinstance(target, DocumentTarget)
        else target.laid_out
    )
    root = Path(parts[0].setup.root) if parts else Path(".")
    files = {"course.toml"} | {part.source for part in parts}
    files |= {relative(path, root) for part in parts for path in images(part)}
    styles = Path(parts[0].setup.styles) if parts else root / "styles"
    return sorted(files) + [f"{relative(styles, root)}/ (styles, templates, fonts)", f"coursepack {__version__}"]


def relative(path: Path, root: Path) -> str:
    """A path relative to the course folder when it is inside it."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def bound_digest(item: Bound) -> str:
    """An existing PDF as bound: its bytes, password and scaling."""
    return digest(item.doc_id, item.data, item.password, str(item.scale))


def read_files(root: Path, styles: Path, parts: Iterable[PartTarget]) -> list[Path]:
    """Every file a build reads: settings, sources, styles, images and coursepack's code."""
    files = [root / "course.toml", *PACKAGE.glob("*.py")]
    for folder in (*(root / name for name in SOURCE_FOLDERS), styles, root / WORDS):
        files += [path for path in folder.rglob("*") if path.is_file()]
    for target in parts:
        files += images(target)
    return sorted(set(files))


def listed_folders(root: Path, styles: Path) -> list[Path]:
    """Every folder whose listing a build depends on: a file added or removed there changes the course."""
    folders = [root]
    for folder in (*(root / name for name in SOURCE_FOLDERS), styles, root / WORDS):
        if folder.is_dir():
            folders += [folder, *(path for path in folder.rglob("*") if path.is_dir())]
    return sorted(set(folders))


def snapshot(files: Iterable[Path], folders: Iterable[Path]) -> dict[str, list[int]]:
    """Size and modification time of each file, modification time of each folder; missing ones recorded so."""
    seen: dict[str, list[int]] = {}
    for path in files:
        seen[f"file:{path}"] = status(path, with_size=True)
    for path in folders:
        seen[f"folder:{path}"] = status(path, with_size=False)
    return seen


def status(path: Path, with_size: bool) -> list[int]:
    """[size, mtime] of a file or [mtime] of a folder; [-1] when it is missing."""
    try:
        info = os.stat(path)
    except OSError:
        return [-1]
    return [info.st_size, info.st_mtime_ns] if with_size else [info.st_mtime_ns]


def unchanged(recorded: dict[str, list[int]]) -> bool:
    """Whether every file and folder the last build read is as it was then."""
    if not recorded:
        return False
    for key, value in recorded.items():
        kind, _, path = key.partition(":")
        if status(Path(path), with_size=kind == "file") != value:
            return False
    return True
