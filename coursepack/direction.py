"""Right to left: blocks whose first strong character is Arabic, Hebrew … are set right to left."""

from __future__ import annotations

import html
import re
import unicodedata

TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>")
DIRECTED = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "dt", "dd"}


def mark_direction(markup: str) -> str:
    """Paragraphs, list items, headings, table cells and definitions whose first strong character
    is right-to-left (Arabic, Hebrew …) get ``dir="rtl"``; an element with a ``dir`` keeps it."""
    parts, last = [], 0
    for match in TAG.finditer(markup):
        closing, name = match.group(1), match.group(2).lower()
        if closing or name not in DIRECTED or re.search(r"\sdir\s*=", match.group(0), re.IGNORECASE):
            continue
        if first_strong(markup, match.end(), name) == "rtl":
            parts += [markup[last : match.end() - 1], ' dir="rtl">']
            last = match.end()
    parts.append(markup[last:])
    return "".join(parts)


def first_strong(markup: str, start: int, name: str) -> str:
    """``rtl``, ``ltr`` or ``""``: the direction of the first strong character before ``</name>``."""
    depth, position = 0, start
    for match in TAG.finditer(markup, start):
        direction = text_direction(html.unescape(markup[position : match.start()]))
        if direction:
            return direction
        if match.group(2).lower() == name:
            depth += -1 if match.group(1) else 1
            if depth < 0:
                return ""
        position = match.end()
    return text_direction(html.unescape(markup[position:]))


def text_direction(text: str) -> str:
    """The direction of the first strongly directional character: "rtl", "ltr" or ""."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return ""
