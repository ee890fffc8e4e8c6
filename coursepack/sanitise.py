"""Authors' HTML reduced to a safe allowlist, and how deeply it nests."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import nh3

HTML_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
VOID_TAGS = {"br", "hr", "img", "wbr", "input", "meta", "link", "col", "area", "source"}
MAX_HTML_DEPTH = 40
ALLOWED_TAGS = {
    "a",
    "abbr",
    "aside",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "section",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "lang", "title", "aria-label", "id", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "type"},
}


def sanitise(html: str, attribute_filter: Callable[[str, str, str], str | None] | None = None) -> str:
    """Reduce HTML to the allowlist: no scripts, styles, frames, forms or foreign URLs.

    ``attribute_filter`` sees every attribute the sanitiser keeps (links are checked there).
    """
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=attribute_filter,
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
    )


def html_depth(html: str) -> int:
    """How deeply elements nest in HTML."""
    depth = deepest = 0
    for closing, name, self_closing in HTML_TAG.findall(html):
        if name.lower() in VOID_TAGS or self_closing:
            continue
        depth = max(0, depth - 1) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def html_depth_line(body: str, first_line: int) -> int:
    """The source line where raw HTML first nests too deeply (the first line when it cannot be told)."""
    depth = 0
    for offset, text in enumerate(body.split("\n")):
        for closing, name, self_closing in HTML_TAG.findall(text):
            if name.lower() not in VOID_TAGS and not self_closing:
                depth = max(0, depth - 1) if closing else depth + 1
                if depth > MAX_HTML_DEPTH // 2:
                    return first_line + offset
    return first_line


def attribute(tag: str, name: str) -> str:
    """An attribute's value in an HTML tag, unescaped ("" when absent)."""
    match = re.search(rf"""\b{name}\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", tag, flags=re.IGNORECASE)
    return html.unescape(next(g for g in match.groups() if g is not None)) if match else ""
