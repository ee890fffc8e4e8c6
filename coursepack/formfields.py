"""Response areas as form controls, for fillable PDFs and web pages: readable names and spoken labels.

A control is generated HTML: the question renderer leaves a placeholder where it goes, and the
control is put in after the body is sanitised (which strips every control an author writes).
"""

from __future__ import annotations

import hashlib
import re
from html import escape, unescape

from .fragments import inline
from .questions import BLANK

NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
TAG = re.compile(r"<[^>]+>")


def field_name(doc_id: str, number: int, part: str = "") -> str:
    """A question's field name, unique in a packet and readable in a form's data: ``vocabulary-q3-b1``."""
    return document_field(doc_id, f"q{number}" + (f"-{part}" if part else ""))


def document_field(doc_id: str, part: str) -> str:
    """A field name of a document (``vocabulary-name``).

    PDF joins field names with dots, so a name holds only letters, digits, ``-`` and ``_``; an id
    with other characters gets a short digest of itself, so two ids never make one name.
    """
    return f"{safe_name(doc_id)}-{part}"


def safe_name(text: str) -> str:
    """Letters, digits, ``-`` and ``_`` only; text that had others gets a short digest of itself, so two
    texts never make one name ("a b" and "a-b")."""
    base = NAME_UNSAFE.sub("-", text).strip("-") or "document"
    return base if base == text else f"{base}-{hashlib.sha256(text.encode()).hexdigest()[:4]}"


def spoken(text: str, blank: str = "blank") -> str:
    """Markdown prompt text as the plain words a screen reader says (a blank read as ``blank``)."""
    text = BLANK.sub(f" {blank} ", text)
    words = re.sub(r"\s+", " ", unescape(TAG.sub("", inline(text)))).strip()
    return re.sub(r" ([.,;:!?])", r"\1", words)


def label(number: int, prompt: str, detail: str = "", blank: str = "blank") -> str:
    """What a control is called to a screen reader and in a PDF tooltip: the question and the part."""
    words = f"{number}. {spoken(prompt, blank)}"
    return f"{words} ({detail})" if detail else words


def attributes(name: str, title: str, spoken_as: str = "") -> str:
    """The name and labels of a control, escaped: ``title`` is the PDF tooltip (TU) and a browser's,
    ``spoken_as`` what a screen reader says on the web when it says more (a choice, beside its question)."""
    return f'name="{escape(name)}" title="{escape(title)}" aria-label="{escape(spoken_as or title)}"'


def text_field(name: str, title: str, cls: str = "field") -> str:
    """A one-line text field (a blank, a table cell, a matching or ordering slot)."""
    return f'<input type="text" class="{cls}" {attributes(name, title)}>'


def text_area(name: str, title: str, rows: int) -> str:
    """A multi-line field laid over printed lines or a box, the same height as them."""
    return f'<textarea class="field area" rows="{rows}" {attributes(name, title)}></textarea>'


def choice(kind: str, name: str, value: str, question: str, title: str) -> str:
    """A radio button (one answer) or a check box (select all) in place of a printed circle or square.

    A radio group is one PDF field, whose tooltip is the ``question``; a check box is a field of its own.
    """
    control, tip = ("radio", question) if kind == "single" else ("checkbox", title)
    return (
        f'<input type="{control}" class="field box-field box-{kind}" value="{escape(value)}" '
        f"{attributes(name, tip, title)}>"
    )


def select(name: str, title: str, values: list[str]) -> str:
    """A choice list (a matching letter, a step's place) with an empty first entry."""
    options = '<option value="">–</option>'  # an empty option is not valid HTML; no value is recorded
    options += "".join(f'<option value="{escape(v)}">{escape(v)}</option>' for v in values)
    return f'<select class="field pick" {attributes(name, title)}>{options}</select>'
