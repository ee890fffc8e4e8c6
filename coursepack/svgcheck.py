"""Read an SVG safely (no DOCTYPE entities, nothing fetched) and list what it would load.

The renderer parses SVGs with ElementTree and loads ``<image>`` links and stylesheet ``url()``s
through its fetcher; this module finds the same links, with their lines, without loading them.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from urllib.parse import urljoin
from xml.parsers import expat

import tinycss2

SVG_NAMESPACE = "http://www.w3.org/2000/svg"
XLINK_HREF = "http://www.w3.org/1999/xlink href"
XML_BASE = "http://www.w3.org/XML/1998/namespace base"
LINKING = {"image", "feImage"}


class Refused(Exception):
    """The SVG uses an XML feature coursepack does not read."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class SvgScan:
    """What reading an SVG found: problems as (line, message), and every link it loads as (line, url)."""

    problems: tuple[tuple[int | None, str], ...]
    links: tuple[tuple[int, str], ...]


def scan_svg(data: bytes) -> SvgScan:
    """Parse an SVG without entities or external DTDs; return its problems and the resources it loads."""
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    links: list[tuple[int, str]] = []
    bases: list[str] = []
    elements: list[str] = []
    style: list[tuple[int, list[str]]] = []
    problems: list[tuple[int | None, str]] = []

    def doctype(_name: str, _system: str | None, _public: str | None, internal: bool) -> None:
        if internal:
            raise Refused(parser.CurrentLineNumber, "the SVG declares entities in its DOCTYPE; remove the DOCTYPE")

    def entity(*_args: object) -> None:
        raise Refused(parser.CurrentLineNumber, "the SVG declares entities; remove them")

    def skipped(name: str, _parameter: bool) -> None:
        raise Refused(parser.CurrentLineNumber, f"the SVG uses the entity &{name}; which it does not define")

    def start(name: str, attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        line = parser.CurrentLineNumber
        if not elements and local != "svg":
            raise Refused(line, f"the file is not an SVG image (it starts with <{local}>)")
        elements.append(local)
        base = urljoin(bases[-1] if bases else "", attributes.get(XML_BASE, ""))
        bases.append(base)
        if namespace in ("", SVG_NAMESPACE) and local in LINKING:
            href = attributes.get(XLINK_HREF) or attributes.get("href")
            if href and not href.startswith("#"):
                links.append((line, urljoin(base, href) if base else href))
        if local == "style":
            style.append((line, []))

    def end(name: str) -> None:
        elements.pop()
        bases.pop()
        if name.rpartition(" ")[2] == "style" and style:
            line, text = style.pop()
            for at, url, imported in stylesheet_links("".join(text), line):
                if imported:
                    problems.append(
                        (at, f"the SVG imports a stylesheet ({short_url(url)}); write its rules in <style>")
                    )
                else:
                    links.append((at, url))

    def characters(text: str) -> None:
        if style:
            style[-1][1].append(text)

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.ExternalEntityRefHandler = entity
    parser.SkippedEntityHandler = skipped
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = characters
    try:
        parser.Parse(data, True)
    except Refused as refused:
        return SvgScan(((refused.line, refused.message),), ())
    except expat.ExpatError as error:
        return SvgScan(((error.lineno, f"the SVG is not well-formed XML: {expat.ErrorString(error.code)}"),), ())
    return SvgScan(tuple(problems), tuple(links))


def stylesheet_links(css: str | list, first_line: int = 1) -> list[tuple[int, str, bool]]:
    """The ``url()`` and ``@import`` targets of a stylesheet: (line, url, is an import), fragments left out.

    ``css`` is the stylesheet's text, or its rules as ``tinycss2.parse_stylesheet`` gives them.
    """
    found = []
    rules = stylesheet_rules(css) if isinstance(css, str) else css
    for rule in rules:
        if rule.type == "at-rule" and rule.lower_at_keyword == "import":
            target = next((t for t in rule.prelude if t.type in ("string", "url", "function")), None)
            url = target.value if target is not None and target.type != "function" else token_url(target)
            if url is not None:
                found.append((first_line + rule.source_line - 1, url, True))
            continue
        for token in walk((getattr(rule, "prelude", None) or []) + (getattr(rule, "content", None) or [])):
            url = token_url(token)
            if url is not None and not url.startswith("#"):
                found.append((first_line + token.source_line - 1, url, False))
    return found


@functools.lru_cache(maxsize=16)
def stylesheet_rules(css: str) -> tuple:
    """A stylesheet's rules as tinycss2 reads them (no comments or blanks), parsed once per text: not to be changed."""
    return tuple(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True))


def walk(tokens: list) -> list:
    """Every token of a component value list, nested blocks included, in source order."""
    result = []
    for token in tokens:
        result.append(token)
        if token.type in ("() block", "[] block", "{} block", "function"):
            result += walk(token.arguments if token.type == "function" else token.content)
    return result


def token_url(token: object) -> str | None:
    """The target of ``url(x)`` / ``url("x")`` tokens, or of the string after ``@import``."""
    kind = getattr(token, "type", "")
    if kind == "url":
        return token.value  # type: ignore[attr-defined]
    if kind == "function" and token.lower_name == "url":  # type: ignore[attr-defined]
        strings = [t.value for t in token.arguments if t.type == "string"]  # type: ignore[attr-defined]
        return strings[0] if strings else None
    return None


def short_url(url: str) -> str:
    """A URL as it can be printed: a ``data:`` URL without its payload."""
    if url[:5].lower() == "data:":
        return url[: url.find(",") + 1] + "…" if "," in url else "data:…"
    return re.sub(r"\s+", " ", url)[:200]
