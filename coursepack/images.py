"""Image rules, checked before anything renders: inside the course, readable, sane size, with alt text."""

from __future__ import annotations

import difflib
import html
import os
import re
from pathlib import Path, PurePosixPath

import PIL.Image
from markupsafe import escape

from .errors import Problem
from .model import Document

IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MAX_PIXELS = 40_000_000


def image_problems(root: Path, doc: Document, images: list[tuple[str, str]]) -> list[Problem]:
    """Images must be files inside the course folder, of sane size, with alt text."""
    problems = []
    lines = doc.source.body.split("\n")
    for src, alt in images:
        message = image_problem(root, PurePosixPath(doc.path).parent, src, alt)
        if message:
            line = next((doc.source.body_line + i for i, text in enumerate(lines) if src and src in text), None)
            problems.append(Problem(doc.path, line or doc.source.body_line, message))
    return problems


def course_relative_images(html_text: str, folder: PurePosixPath) -> str:
    """Image paths are written relative to the Markdown file; the renderer wants them course-relative."""

    def rewrite(match: re.Match) -> str:
        src = html.unescape(match.group(2))
        relative = os.path.normpath((folder / src).as_posix())
        return f'{match.group(1)}src="{escape(relative)}"'

    html_text = re.sub(r'(<img\b[^>]*?\s)src="([^"/][^":]*)"', rewrite, html_text)
    return html_text.replace('alt="decorative"', 'alt="" class="decorative"')


def image_problem(root: Path, folder: PurePosixPath, src: str, alt: str) -> str:
    """What is wrong with an image reference, or an empty string."""
    if re.match(r"^(https?|ftp):", src, re.IGNORECASE) or src.startswith("//"):
        return f"image '{src}' is on the network; coursepack never downloads anything: save it into the course folder"
    if not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("/"):
        return f"image '{src}' is outside the course folder; copy it into the course and use a relative path"
    relative = os.path.normpath((folder / src).as_posix())
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        return f"image '{src}' is outside the course folder; copy it into the course and use a relative path"
    if not target.is_file():
        candidates = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.suffix.lower() in IMAGE_TYPES]
        near = difflib.get_close_matches(relative, candidates, n=1, cutoff=0.6)
        hint = f" (did you mean {os.path.relpath(near[0], folder.as_posix())}?)" if near else ""
        return f"image '{src}' not found{hint}"
    if target.suffix.lower() not in IMAGE_TYPES:
        return f"'{src}' is not an image coursepack can print (use {', '.join(IMAGE_TYPES)})"
    if target.suffix.lower() != ".svg":
        try:
            with PIL.Image.open(target) as image:
                width, height = image.size
        except (OSError, PIL.Image.DecompressionBombError):
            return f"image '{src}' cannot be read (a damaged or unsupported file?)"
        if width * height > MAX_PIXELS:
            return f"image '{src}' is too large ({width}x{height} pixels); resize it to at most 40 megapixels"
    if not alt.strip():
        return f"image '{src}' has no alt text: describe it in ![...]({src}), or write ![decorative]({src})"
    return ""
