"""Check the stylesheets a build will use before anything is laid out, each problem at its CSS line.

A stylesheet is read as tinycss2 reads it (braces, parse errors), its ``@import``s and ``url()``s
are followed as the confined fetcher would follow them, and WeasyPrint itself parses it with its
warnings captured: whatever it would warn about while rendering is reported here, at the line.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import tinycss2

from .errors import Problem
from .images import display, link_problem, svg_problems
from .svgcheck import short_url, stylesheet_links, stylesheet_rules

STYLESHEETS = ("coursepack.css",)  # what the typesetter loads from the styles folder
POSITION = re.compile(r" at (\d+):\d+([,.])?")
LINK = re.compile(r"<link\b[^>]*\brel\s*=\s*[\"']?stylesheet[^>]*>", re.IGNORECASE)
STYLE = re.compile(r"(<style\b[^>]*>)(.*?)</style>", re.IGNORECASE | re.DOTALL)
HREF = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
MAX_MESSAGE = 200


def stylesheet_problems(root: Path, styles: Path) -> list[Problem]:
    """Every stylesheet the build uses: the styles folder's, those its templates link, and their imports."""
    root, styles = root.resolve(), styles.resolve()
    roots = (root, styles)
    problems: list[Problem] = []
    for name in STYLESHEETS:
        path = styles / name
        if path.is_file():
            problems += sheet_problems(path, roots, ())
        else:
            message = f"the styles folder has templates/ but no {name}: copy it from coursepack's bundled styles"
            problems.append(Problem(display(styles, roots), None, message))
    for template in sorted((styles / "templates").rglob("*.html")):
        problems += template_style_problems(template, roots)
    return problems


def template_style_problems(template: Path, roots: tuple[Path, ...]) -> list[Problem]:
    """The ``<link rel=stylesheet>`` files and ``<style>`` blocks written in a template."""
    try:
        text = template.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []  # the template check reports it
    shown = display(template, roots)
    problems = []
    for match in LINK.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        found = HREF.search(match.group(0))
        href = next(g for g in found.groups() if g is not None) if found else ""
        if not href or "{" in href:
            continue
        target, message = resolve_sheet(roots[0] / "index.html", href, roots)
        if message:
            problems.append(Problem(shown, line, message))
        elif target is not None:
            problems += sheet_problems(target, roots, ())
    for match in STYLE.finditer(text):
        if "{{" in match.group(2) or "{%" in match.group(2):
            continue  # built by the template; checked when it renders
        offset = text.count("\n", 0, match.start(2))
        problems += [
            Problem(problem.path, problem.line and problem.line + offset, problem.message)
            for problem in css_problems(match.group(2), template, roots, (), shown)
        ]
    return problems


def sheet_problems(path: Path, roots: tuple[Path, ...], chain: tuple[Path, ...]) -> list[Problem]:
    """One stylesheet file and, through its imports, every file it brings in."""
    shown = display(path, roots)
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return [Problem(shown, line, f"byte 0x{data[error.start]:02x} is not UTF-8: save the stylesheet as UTF-8")]
    return css_problems(text, path, roots, chain, shown)


@dataclass(frozen=True)
class CssReading:
    """What a stylesheet's text says on its own: syntax problems, links, and WeasyPrint's warnings."""

    syntax: tuple[tuple[int, str], ...]
    links: tuple[tuple[int, str, bool], ...]
    warnings: tuple[tuple[int | None, str], ...]


@functools.lru_cache(maxsize=64)
def read_css(text: str, path: Path) -> CssReading:
    """Braces, parse errors, ``@import``s and ``url()``s, and WeasyPrint's warnings: read once per text."""
    found = brace_problems(text)
    rules = stylesheet_rules(text)
    braces = {line for line, _ in found}
    found += [
        (rule.source_line, f"CSS parse error: {rule.message.rstrip('.')}")
        for rule in rules
        if rule.type == "error" and rule.source_line not in braces
    ]
    return CssReading(tuple(found), tuple(stylesheet_links(rules)), tuple(weasyprint_warnings(text, path, rules)))


def css_problems(text: str, path: Path, roots: tuple[Path, ...], chain: tuple[Path, ...], shown: str) -> list[Problem]:
    """Braces, parse errors, imports, url()s and WeasyPrint's own warnings, for CSS read from ``path``."""
    reading = read_css(text, path)
    found = list(reading.syntax)
    problems: list[Problem] = []
    for line, url, imported in reading.links:
        if imported:
            target, message = resolve_sheet(path, url, roots, styles_only=True)
            if target is not None and target in (*chain, path):
                names = " → ".join(display(p, roots) for p in (*chain, path, target))
                message = f"the @import makes a loop ({names}); remove one of them"
            if message:
                found.append((line, message))
            elif target is not None:
                problems += sheet_problems(target, roots, (*chain, path))
            continue
        message, target = link_problem(path, roots, url, "stylesheet")
        if message:
            found.append((line, message))
        elif target is not None and target.suffix.lower() == ".svg":
            problems += svg_problems(target, roots)
    lines = {line for line, _ in found}
    found += [(line, message) for line, message in reading.warnings if line not in lines]
    return problems + [Problem(shown, line, message) for line, message in found]


def resolve_sheet(
    origin: Path, url: str, roots: tuple[Path, ...], styles_only: bool = False
) -> tuple[Path | None, str]:
    """The stylesheet file an ``@import`` or ``<link>`` names, or why it cannot be used."""
    parts = urlsplit(urljoin(origin.as_uri(), url.strip()))
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        return None, f"the stylesheet {short_url(url)} is not a file in the course; coursepack never downloads anything"
    target = Path(unquote(parts.path)).resolve()
    inside = target.is_relative_to(roots[-1]) if styles_only else any(target.is_relative_to(r) for r in roots)
    if not inside:
        where = "styles folder" if styles_only else "course folder"
        return None, f"the stylesheet '{url}' is outside the {where}; keep every stylesheet in styles/"
    if not target.is_file():
        return None, f"the stylesheet '{url}' does not exist"
    return target, ""


def brace_problems(text: str) -> list[tuple[int, str]]:
    """Braces that do not pair up, and comments that never end: rules they would swallow vanish silently."""
    problems = []
    opened: list[int] = []
    index, line = 0, 1
    while index < len(text):
        char = text[index]
        if char == "\n":
            line += 1
        elif text.startswith("/*", index):
            end = text.find("*/", index + 2)
            if end < 0:
                return [*problems, (line, "the comment opened here is never closed: add */")]
            line += text.count("\n", index, end)
            index = end + 1
        elif char in "\"'":
            end = index + 1
            while end < len(text) and text[end] not in (char, "\n"):
                end += 2 if text[end] == "\\" else 1
            index = end
            if end >= len(text) or text[end] == "\n":
                continue  # an unclosed string ends at the line end, as in CSS
        elif char == "{":
            opened.append(line)
        elif char == "}":
            if opened:
                opened.pop()
            else:
                problems.append((line, "this '}' closes nothing: remove it"))
        index += 1
    problems += [(first, "the '{' opened here is never closed: add '}'") for first in opened[:1]]
    return problems


def weasyprint_warnings(text: str, path: Path, rules: list) -> list[tuple[int | None, str]]:
    """What WeasyPrint warns about when it reads the stylesheet, at the lines it names.

    Imports and urls are left to the checks above (nothing is fetched here); a warning without a
    line (an unsupported selector) is found by reading the rules one at a time.
    """
    messages = parse_warnings(text, path)
    found: list[tuple[int | None, str]] = []
    unplaced = []
    for message in messages:
        if message.startswith(("Failed to load", "Parse error at")):
            continue
        match = POSITION.search(message)
        if match:
            found.append((int(match.group(1)), plain(message)))
        else:
            unplaced.append(message)
    if unplaced:
        for rule in rules:
            if rule.type != "error":
                probe = " " * (rule.source_column - 1) + tinycss2.serialize([rule])
                found += [(rule.source_line, plain(m)) for m in parse_warnings(probe, path) if m in unplaced]
    return found


def parse_warnings(text: str, path: Path) -> list[str]:
    """WeasyPrint's warnings for a stylesheet, parsed as the renderer parses it (but fetching nothing)."""
    from weasyprint import CSS  # only when a stylesheet is read: importing WeasyPrint costs ~0.5 s

    from .typeset import ConfinedFetcher, collect_warnings

    with collect_warnings() as messages:
        CSS(string=text, base_url=path.as_uri(), url_fetcher=ConfinedFetcher(()))
    return list(messages)


def plain(message: str) -> str:
    """A WeasyPrint warning without its position: "ignored `colr: red`: unknown property"."""
    message = POSITION.sub(lambda m: ":" if m.group(2) == "," else "", message).strip().rstrip(".")
    message = re.sub(r"([`'])([^`'\n]*?)\s+\1", r"\1\2\1", message).replace("selector, '", "selector '")
    message = message[:1].lower() + message[1:]
    return message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 1] + "…"
