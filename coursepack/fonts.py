"""Fonts, checked before layout: every character a teacher typed must be in a bundled font.

The fonts a course prints with are those its stylesheet declares with ``@font-face`` (the
bundled ``styles/coursepack.css``, or the course's own). Each font's character map is read once
per process with fontTools. Also here: SVG images must ask only for bundled fonts, and block
elements whose text starts in a right-to-left script get ``dir="rtl"``.

Generic families (``sans-serif``, ``serif``, ``monospace`` …) are not mapped to bundled fonts:
fontconfig resolves them to whatever the machine has. In an SVG a generic family is accepted
only as a fallback after a bundled one (``font-family="Lato, sans-serif"``); text with no font
named at all is drawn in the machine's ``sans-serif``, so it is an error too.
"""

from __future__ import annotations

import contextlib
import functools
import html
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit
from xml.parsers import expat

import tinycss2

from .errors import Problem
from .model import Document
from .svgcheck import stylesheet_rules

# The order of the stacks in styles/coursepack.css: Lato, then a face per script, then emoji and symbols.
TEXT_FAMILIES = ("Lato", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Emoji", "Noto Sans Symbols2", "Noto Sans Mono")
MONO_FAMILIES = ("Noto Sans Mono", "Lato", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Emoji", "Noto Sans Symbols2")
SVG_FONT_FAMILY = ",".join(TEXT_FAMILIES)
STYLESHEET = "coursepack.css"
GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui", "emoji", "math"}
NO_GLYPH_CATEGORIES = {"Zs", "Zl", "Zp", "Cc"}  # spaces and controls
# Unicode default-ignorable code points (DerivedCoreProperties): ZWJ, bidi marks, soft hyphen, variation selectors.
DEFAULT_IGNORABLE = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5))
DEFAULT_IGNORABLE += ((0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164))
DEFAULT_IGNORABLE += ((0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3))
DEFAULT_IGNORABLE += ((0x1D173, 0x1D17A), (0xE0000, 0xE0FFF))
CJK_RANGES = ((0x1100, 0x11FF), (0x2E80, 0x9FFF), (0xA960, 0xA97F), (0xAC00, 0xD7FF), (0xF900, 0xFAFF))
CJK_RANGES += ((0xFE30, 0xFE4F), (0xFF00, 0xFFEF), (0x20000, 0x3FFFF))
MAX_SVG_BYTES = 20_000_000


@dataclass(frozen=True)
class Face:
    """One ``@font-face`` rule: the family it declares and the font file it loads."""

    family: str
    path: Path


@dataclass(frozen=True)
class Bundle:
    """The fonts a styles folder declares: their faces and every character they draw."""

    faces: tuple[Face, ...]
    coverage: frozenset[int]

    def has_family(self, name: str) -> bool:
        """Whether a font-family name (compared as fontconfig does: no blanks, any case) is bundled.

        A face's declared family is compared first; its font file's own names only if need be.
        """
        key = family_key(name)
        return any(key == family_key(face.family) for face in self.faces) or any(
            key in font_families(face.path) for face in self.faces
        )

    def can_print(self, char: str) -> bool:
        """A character prints if a bundled font has it, or if it draws nothing.

        Characters are taken as written (no normalisation): Pango picks a font for each, so a
        precomposed letter no font has would come from the machine's fonts even if its parts are here.
        """
        return ord(char) in self.coverage or not needs_glyph(char)


def family_key(name: str) -> str:
    return "".join(name.split()).lower()


# ---------------------------------------------------------------- what is bundled


def bundle(styles: Path) -> Bundle:
    """The fonts ``styles/coursepack.css`` declares with ``@font-face``, read once per process."""
    css = styles / STYLESHEET
    try:
        stat = css.stat()
    except OSError:
        return Bundle((), frozenset())
    faces = _faces(css.resolve(), stat.st_mtime_ns, stat.st_size)
    return Bundle(faces, union(tuple(font_coverage(face.path) for face in faces)))


@functools.lru_cache(maxsize=8)
def union(coverages: tuple[frozenset[int], ...]) -> frozenset[int]:
    return frozenset().union(*coverages)


@functools.cache
def _faces(css: Path, _mtime: int, _size: int) -> tuple[Face, ...]:
    return tuple(font_faces(css.read_text(encoding="utf-8", errors="replace"), css.parent))


def font_faces(css: str, folder: Path) -> Iterator[Face]:
    """Each ``@font-face`` rule's family and its local font files (inside ``folder``)."""
    for rule in stylesheet_rules(css):
        if rule.type != "at-rule" or rule.lower_at_keyword != "font-face" or rule.content is None:
            continue
        family, sources = "", []
        for declaration in tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True):
            if declaration.type != "declaration":
                continue
            if declaration.lower_name == "font-family":
                family = tinycss2.serialize(declaration.value).strip().strip("\"'")
            elif declaration.lower_name == "src":
                sources += [token.value for token in declaration.value if token.type == "url"]
                sources += [
                    token.arguments[0].value
                    for token in declaration.value
                    if token.type == "function" and token.lower_name == "url" and token.arguments
                ]
        for source in sources:
            parts = urlsplit(source)
            path = (folder / unquote(parts.path)).resolve()
            if not parts.scheme and path.is_relative_to(folder) and path.is_file() and family:
                yield Face(family, path)


def font_coverage(path: Path) -> frozenset[int]:
    """The code points a font file's cmap maps (none if unreadable); read again only when the file changes."""
    return _font_tables(path, *stamp(path), "cmap")


def font_families(path: Path) -> frozenset[str]:
    """A font file's family names (name IDs 1 and 16), compared as fontconfig compares them."""
    return frozenset(map(family_key, _font_tables(path, *stamp(path), "name")))


def stamp(path: Path) -> tuple[int, int]:
    """A file's modification time and size, which change when it is saved (0, -1 when it is gone)."""
    try:
        stat = path.stat()
    except OSError:
        return 0, -1
    return stat.st_mtime_ns, stat.st_size


@functools.cache
def _font_tables(path: Path, _mtime: int, _size: int, table: str) -> frozenset:
    from fontTools.ttLib import TTFont, TTLibError  # only when a font is read: importing costs ~60 ms

    try:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            if table == "name":
                return frozenset({font["name"].getDebugName(i) for i in (1, 16)} - {None})
            font.setGlyphOrder([])  # code points are all we need: glyph names (read from 'post') are not
            return frozenset(font.getBestCmap() or {})
    except (OSError, TTLibError, KeyError, AssertionError):
        return frozenset()


# ---------------------------------------------------------------- characters


def needs_glyph(char: str) -> bool:
    """Spaces, controls and default-ignorable characters (ZWJ, bidi marks, soft hyphen, variation selectors)
    draw nothing; every other character needs a glyph, combining marks included."""
    code = ord(char)
    if unicodedata.category(char) in NO_GLYPH_CATEGORIES:
        return False
    return not any(low <= code <= high for low, high in DEFAULT_IGNORABLE)


def character_problems(styles: Path, documents: Iterable[Document], settings_text: str = "") -> list[Problem]:
    """Characters no bundled font can draw, one problem per character per file, at its first line.

    Front matter values and Markdown bodies are read, and course.toml's lines (titles print too).
    """
    fonts = bundle(styles)
    if not fonts.faces:
        return [Problem(styles_path(styles), None, "the stylesheet bundles no fonts: add @font-face rules")]
    problems = []
    if settings_text:
        lines = [(number, line) for number, line in enumerate(settings_text.split("\n"), 1)]
        texts = [(n, TOML_ESCAPE.sub(unescape_toml, t)) for n, t in lines if not t.lstrip().startswith("#")]
        problems += file_problems(fonts, "course.toml", texts)
    for doc in documents:
        source = doc.source
        texts = [(source.line_of(*key), value) for key, value in front_matter_strings(source.meta)]
        texts += [(source.body_line + index, html.unescape(line)) for index, line in enumerate(source.body.split("\n"))]
        problems += file_problems(fonts, doc.path, texts)
    return problems


TOML_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})")


def unescape_toml(match: re.Match) -> str:
    """The character a TOML escape (\\uXXXX) stands for."""
    code = int(match.group(1) or match.group(2), 16)
    return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else ""


def file_problems(fonts: Bundle, path: str, texts: list[tuple[int, str]]) -> list[Problem]:
    """One problem per character no font has, at the first line it is on (in the order first met)."""
    texts = sorted(texts, key=lambda item: item[0])
    missing = {char for char in set().union(*(text for _, text in texts)) if not fonts.can_print(char)}
    first: dict[str, int] = {}
    for line, text in texts:
        if missing.isdisjoint(text):
            continue
        for char in text:
            if char in missing and char not in first:
                first[char] = line
    return [Problem(path, line, unprintable(char)) for char, line in first.items()]


def unprintable(char: str) -> str:
    """The message for a character no bundled font has."""
    message = f"the character '{char}' (U+{ord(char):04X}) cannot be printed: no bundled font has it"
    if any(low <= ord(char) <= high for low, high in CJK_RANGES):
        message += (
            " (Chinese, Japanese and Korean fonts are too large to bundle: write the word in Latin letters,"
            " e.g. pinyin or romaja, or add a font that has it to the course's own styles)"
        )
    return message


def front_matter_strings(value: Any, key: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """Every string in the front matter, with its key path (``("duties", 2)``)."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from front_matter_strings(item, (*key, name))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from front_matter_strings(item, (*key, index))
    elif isinstance(value, str):
        yield key, value


def styles_path(styles: Path) -> str:
    return f"{styles.name}/{STYLESHEET}"


# ---------------------------------------------------------------- SVG images


def svg_font_problems(root: Path, styles: Path, doc: Document, images: list[tuple[str, str]]) -> list[Problem]:
    """SVG images a document shows must ask only for bundled fonts; problems name the SVG and its line.

    Images that are missing, outside the course or not SVG are left to the image checks.
    """
    problems = []
    folder = PurePosixPath(doc.path).parent
    for src, _alt in images:
        if not src.lower().endswith(".svg") or re.match(r"^[a-z][a-z0-9+.-]*:|^/", src, re.IGNORECASE):
            continue
        relative = os.path.normpath((folder / unquote(src)).as_posix())
        target = (root / relative).resolve()
        if not target.is_relative_to(root.resolve()) or not target.is_file():
            continue
        stat = target.stat()
        if stat.st_size <= MAX_SVG_BYTES:
            found = _svg_fonts(target, stat.st_mtime_ns, stat.st_size)
            problems += [Problem(relative, line, message) for line, message in font_messages(bundle(styles), found)]
    return problems


@dataclass(frozen=True)
class SvgFonts:
    """What an SVG asks of fonts: each font-family list with its line, and text with no font named."""

    requests: tuple[tuple[int, str], ...]
    unnamed_text: int | None


@functools.cache
def _svg_fonts(path: Path, _mtime: int, _size: int) -> SvgFonts:
    return svg_fonts(path.read_bytes())


def svg_fonts(data: bytes) -> SvgFonts:
    """Font requests in an SVG: font-family and font in attributes, style attributes and <style>."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    requests: list[tuple[int, str]] = []
    named: list[bool] = [False]
    unnamed: list[int] = []
    style: list[tuple[int, list[str]]] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        line = parser.CurrentLineNumber
        families = [attributes[k] for k in ("font-family",) if k in attributes]
        families += [font_shorthand(attributes["font"])] if "font" in attributes else []
        families += declared_families(attributes.get("style", ""))
        requests.extend((line, family) for family in families if family)
        named.append(named[-1] or bool(families))
        local = name.rsplit(":", 1)[-1]
        if local == "text" and not named[-1]:
            unnamed.append(line)
        if local == "style":
            style.append((line, []))

    def end(name: str) -> None:
        named.pop()
        if name.rsplit(":", 1)[-1] == "style" and style:
            line, chunks = style.pop()
            text = "".join(chunks)
            for match in re.finditer(r"\bfont(-family)?\s*:\s*([^;}]+)", text):
                value = match.group(2) if match.group(1) else font_shorthand(match.group(2))
                requests.append((line + text[: match.start()].count("\n"), value))

    def characters(data: str) -> None:
        if style:
            style[-1][1].append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    with contextlib.suppress(expat.ExpatError):  # WeasyPrint reports an SVG it cannot read
        parser.Parse(data, True)
    styled = any(family for _line, family in requests)
    return SvgFonts(tuple(requests), None if styled or not unnamed else unnamed[0])


def declared_families(style: str) -> list[str]:
    """font-family (and font) values in a style attribute."""
    found = []
    for declaration in style.split(";"):
        name, _, value = declaration.partition(":")
        name = name.strip().lower()
        if name == "font-family":
            found.append(value)
        elif name == "font":
            found.append(font_shorthand(value))
    return found


def font_shorthand(value: str) -> str:
    """The family WeasyPrint reads from a ``font`` shorthand: all after its first word (``12px Lato``)."""
    parts = value.strip().split(maxsplit=1)
    return parts[1] if len(parts) == 2 else ""


def font_messages(fonts: Bundle, found: SvgFonts) -> list[tuple[int | None, str]]:
    """Each font an SVG asks for that is not bundled, once, at its first line.

    A generic family is a problem only first in its list: after another font it is a fallback.
    """
    bundled = ", ".join(dict.fromkeys(face.family for face in fonts.faces))
    messages: dict[str, tuple[int | None, str]] = {}
    for line, value in found.requests:
        for index, family in enumerate(html.unescape(part).strip().strip("\"'").strip() for part in value.split(",")):
            key = family.lower()
            if not family or key in messages or fonts.has_family(family):
                continue
            if key in GENERIC_FAMILIES:
                if index == 0:
                    example = "Noto Sans Mono" if key == "monospace" else "Lato"
                    messages[key] = (
                        line,
                        f"the SVG asks for the font '{family}', which each machine sets differently:"
                        f' name a bundled font first, e.g. font-family="{example}, {family}"',
                    )
            else:
                messages[key] = (
                    line,
                    f"the SVG asks for the font '{family}', which is not bundled: use one of {bundled}"
                    " (or convert its text to paths)",
                )
    if found.unnamed_text is not None:
        messages[""] = (
            found.unnamed_text,
            "the SVG has text in no named font, which each machine draws differently:"
            ' add font-family="Lato" to its <svg> element',
        )
    return list(messages.values())
