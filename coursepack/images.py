"""Image rules, checked before anything renders: inside the course, readable, sane size, with alt text.

Each problem is reported at the line of the Markdown (or ``<img>``) reference that has it; a
damaged SVG is reported in the SVG itself, at its line.
"""

from __future__ import annotations

import difflib
import functools
import html
import os
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit

from markupsafe import escape

from .blocks import code_lines
from .errors import Problem
from .model import Document
from .sanitise import attribute
from .svgcheck import scan_svg, short_url

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MAX_PIXELS = 40_000_000
MAX_RESOURCE_BYTES = 20_000_000  # the typesetter's limit for any file it loads (typeset.MAX_RESOURCE_BYTES)
DAMAGED = (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error)

CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
DEFINITION = re.compile(r"^ {0,3}\[([^\]]+)\]:[ \t]*<?([^\s>]+)>?", re.MULTILINE)
ALT = r"!\[((?:[^\[\]\\]|\\.|\[[^\]]*\])*)\]"
INLINE = re.compile(ALT + r"\(\s*(<[^>\n]*>|(?:[^\s()\\]|\\.|\([^\s()]*\))*)(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")
REFERENCE = re.compile(ALT + r"(?:\[([^\]]*)\])?")
IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class Reference:
    """An image written in a Markdown body: its line, its target as written, and whether it has alt text."""

    line: int
    src: str
    described: bool


def image_problems(root: Path, doc: Document, images: list[tuple[str, str]]) -> list[Problem]:
    """Images must be files inside the course folder, readable, of sane size, with alt text.

    ``images`` are the (src, alt) pairs of the rendered HTML; each problem is reported at every
    line of the body where such an image is written.
    """
    problems: list[Problem] = []
    folder = PurePosixPath(doc.path).parent
    references = image_references(doc.source.body, doc.source.body_line)
    for (key, described), src in {(target_key(src), bool(alt.strip())): src for src, alt in images}.items():
        message = image_problem(root, folder, src, "x" if described else "")
        target = resolve(root, folder, src)
        if target is not None and target.suffix.lower() == ".svg" and target.is_file() and not file_problem(target):
            problems += svg_problems(target, (root,))
        if not message:
            continue
        lines = [ref.line for ref in references if (target_key(ref.src), ref.described) == (key, described)]
        if not lines:
            body = doc.source.body.split("\n")
            lines = [next((doc.source.body_line + i for i, text in enumerate(body) if src and src in text), None)]
        problems += [Problem(doc.path, line or doc.source.body_line, message) for line in lines]
    return problems


def image_references(body: str, first_line: int) -> list[Reference]:
    """Every image written in a Markdown body, in order, outside code and comments."""
    text = mask_code(body)
    definitions = {label.strip().lower(): url for label, url in DEFINITION.findall(text)}
    found: list[tuple[int, str, bool]] = []
    for match in INLINE.finditer(text):
        src = match.group(2)
        src = src[1:-1] if src.startswith("<") else ESCAPED.sub(r"\1", src)
        found.append((match.start(), src, bool(match.group(1).strip())))
    taken = {start for start, _, _ in found}
    for match in REFERENCE.finditer(text):
        label = (match.group(2) or match.group(1)).strip().lower()
        if match.start() not in taken and label in definitions:
            found.append((match.start(), definitions[label], bool(match.group(1).strip())))
    for match in IMG_TAG.finditer(text):
        found.append((match.start(), attribute(match.group(0), "src"), bool(attribute(match.group(0), "alt"))))
    return [
        Reference(first_line + text.count("\n", 0, start), src, described) for start, src, described in sorted(found)
    ]


def mask_code(body: str) -> str:
    """The body with fenced code, code spans and HTML comments blanked out (line breaks kept)."""
    lines = body.split("\n")
    for index in code_lines(lines):
        lines[index] = ""
    blank = lambda match: re.sub(r"[^\n]", " ", match.group(0))  # noqa: E731
    return CODE_SPAN.sub(blank, COMMENT.sub(blank, "\n".join(lines)))


def target_key(src: str) -> str:
    """An image target as a path: percent escapes decoded, as Markdown tools and browsers do."""
    return unquote(src)


def resolve(root: Path, folder: PurePosixPath, src: str) -> Path | None:
    """The file an image reference names, if it is a relative path inside the course."""
    if not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("/"):
        return None
    target = (root / os.path.normpath((folder / target_key(src)).as_posix())).resolve()
    return target if target.is_relative_to(root) else None


def course_relative_images(html_text: str, folder: PurePosixPath) -> str:
    """Image paths are written relative to the Markdown file; the renderer wants them course-relative."""

    def rewrite(match: re.Match) -> str:
        src = target_key(html.unescape(match.group(2)))
        relative = os.path.normpath((folder / src).as_posix())
        return f'{match.group(1)}src="{escape(quote(relative))}"'

    html_text = re.sub(r'(<img\b[^>]*?\s)src="([^"/][^":]*)"', rewrite, html_text)
    return html_text.replace('alt="decorative"', 'alt="" class="decorative"')


def image_problem(root: Path, folder: PurePosixPath, src: str, alt: str) -> str:
    """What is wrong with an image reference, or an empty string."""
    if re.match(r"^(https?|ftp):", src, re.IGNORECASE) or src.startswith("//"):
        return f"image '{src}' is on the network; coursepack never downloads anything: save it into the course folder"
    target = resolve(root, folder, src)
    if target is None:
        return f"image '{src}' is outside the course folder; copy it into the course and use a relative path"
    relative = os.path.normpath((folder / target_key(src)).as_posix())
    if not target.is_file():
        candidates = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.suffix.lower() in IMAGE_TYPES]
        near = difflib.get_close_matches(relative, candidates, n=1, cutoff=0.6)
        hint = f" (did you mean {os.path.relpath(near[0], folder.as_posix())}?)" if near else ""
        return f"image '{src}' not found{hint}"
    if target.suffix.lower() not in IMAGE_TYPES:
        return f"'{src}' is not an image coursepack can print (use {', '.join(IMAGE_TYPES)})"
    reason = file_problem(target)
    if reason:
        return f"image '{src}' {reason}"
    if not alt.strip():
        return f"image '{src}' has no alt text: describe it in ![...]({src}), or write ![decorative]({src})"
    return ""


def file_problem(path: Path) -> str:
    """Why an image file cannot be printed ("is too large …", "cannot be read …"), or ""."""
    stat = path.stat()
    return _file_problem(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4096)
def _file_problem(path: Path, _mtime: int, size: int) -> str:
    if size > MAX_RESOURCE_BYTES:
        return f"is too large ({size / 1e6:.1f} MB; the limit is {MAX_RESOURCE_BYTES / 1e6:g} MB)"
    if path.suffix.lower() == ".svg":
        return ""
    import PIL.Image  # only when an image is read: importing Pillow costs ~30 ms
    import PIL.ImageFile

    unreadable = (*DAMAGED, PIL.Image.DecompressionBombError)
    try:
        image = PIL.Image.open(path)
    except (*unreadable, PIL.UnidentifiedImageError):
        return "cannot be read (a damaged or unsupported file?)"
    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:
            return f"is too large ({width}x{height} pixels); resize it to at most 40 megapixels"
        lenient, PIL.ImageFile.LOAD_TRUNCATED_IMAGES = PIL.ImageFile.LOAD_TRUNCATED_IMAGES, False
        try:  # WeasyPrint lets Pillow fill a truncated image with grey; a check must not
            image.load()
        except unreadable:
            return "cannot be read: the file is damaged or truncated; export it again"
        finally:
            PIL.ImageFile.LOAD_TRUNCATED_IMAGES = lenient
    return ""


def svg_problems(path: Path, roots: tuple[Path, ...], seen: frozenset[Path] = frozenset()) -> list[Problem]:
    """An SVG must be well-formed, without entities, and load only readable files inside ``roots``.

    Problems are located in the SVG (or in an SVG it links to), so each is reported once.
    """
    stat = path.stat()
    return list(_svg_problems(path, roots, seen, stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=1024)
def _svg_problems(path: Path, roots: tuple[Path, ...], seen: frozenset[Path], _mtime: int, _size: int) -> tuple:
    shown = display(path, roots)
    scan = scan_svg(path.read_bytes())
    problems = [Problem(shown, line, message) for line, message in scan.problems]
    for line, url in scan.links:
        message, target = link_problem(path, roots, url)
        if message:
            problems.append(Problem(shown, line, message))
        elif target is not None and target.suffix.lower() == ".svg" and target not in seen | {path}:
            problems += svg_problems(target, roots, seen | {path})
    return tuple(problems)


def link_problem(origin: Path, roots: tuple[Path, ...], url: str, what: str = "SVG") -> tuple[str, Path | None]:
    """What is wrong with a resource an SVG or stylesheet loads (and the file it names)."""
    parts = urlsplit(urljoin(origin.as_uri(), url.strip()))
    shown = short_url(url)
    if parts.scheme == "data":
        return (
            f"the {what} embeds a data: URL ({shown}), which coursepack does not load: "
            "save it as a file in the course folder and link to it by its path",
            None,
        )
    if parts.scheme in ("http", "https", "ftp") or parts.netloc not in ("", "localhost"):
        return (
            f"the {what} links to {shown} on the network; "
            "coursepack never downloads anything: save it into the course folder",
            None,
        )
    if parts.scheme != "file":
        return f"the {what} links to {shown}, which coursepack does not load", None
    target = Path(unquote(parts.path)).resolve()
    if not any(target.is_relative_to(root) for root in roots):
        return f"the {what} links to '{shown}', outside the course folder; copy it into the course", None
    if not target.is_file():
        return f"the {what} links to '{shown}', which does not exist", None
    if target.suffix.lower() in IMAGE_TYPES and (reason := file_problem(target)):
        return f"the {what} links to image '{shown}', which {reason}", None
    return "", target


def display(path: Path, roots: tuple[Path, ...]) -> str:
    """A file's path as a teacher sees it: relative to the course, or to the styles' parent folder."""
    for index, root in enumerate(roots):
        if path.is_relative_to(root):
            return path.relative_to(root if index == 0 else root.parent).as_posix()
    return path.as_posix()
