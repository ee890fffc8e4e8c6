"""Teacher pages: what a teacher packet adds after a document's student pages, so those keep their numbers.

A worksheet's supplement is its answer key (the teacher edition of the worksheet). Any other
document's supplement is its teacher notes: the lesson plan and every part of the body that holds
teacher-only text, each under the heading it sits below in the reading.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from jinja2 import Environment
from markupsafe import Markup as MarkupSafe

from . import compose, templates
from .compose import BLANK, PagePlace
from .fragments import Markup
from .model import Document

VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"])
HEADING = re.compile(r"h[1-6]")


@dataclass(frozen=True)
class Note:
    """A part of a body with teacher-only text, and the heading it sits below ("" before any)."""

    heading: str
    html: str


@dataclass
class Element:
    """A top-level element of a body: where its source starts and ends, its tag, its text, whether it holds
    an element of class ``teacher-only``."""

    start: int
    tag: str
    end: int = 0
    text: str = ""
    teacher: bool = False


class TopLevel(HTMLParser):
    """Splits HTML into its top-level elements (see ``Element``)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.elements: list[Element] = []
        self.lines = [0] + [match.end() for match in re.finditer("\n", html)]
        self.feed(html)
        self.close()

    def position(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.depth == 0:
            self.elements.append(Element(self.position(), tag))
        element = self.elements[-1] if self.elements else None
        if element is not None and any(
            key == "class" and "teacher-only" in (value or "").split() for key, value in attrs
        ):
            element.teacher = True
        if tag not in VOID:
            self.depth += 1
        elif self.depth == 0 and element is not None:
            element.end = self.position() + len(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == 0:
            self.elements[-1].end = self.position() + len(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.depth and self.elements:
            self.elements[-1].text += data


def teacher_notes(html: str) -> list[Note]:
    """The top-level parts of a body that hold teacher-only text, each with the heading above it."""
    if "teacher-only" not in html:
        return []
    notes, heading, below = [], "", -1  # the heading's text, and which top-level element it is
    last = None  # the heading the last note went with
    for index, element in enumerate(TopLevel(html).elements):
        if HEADING.fullmatch(element.tag):
            heading, below = " ".join(element.text.split()), index
        elif element.teacher and element.end:
            part = html[element.start : element.end]
            if notes and last == below:  # notes under one heading: it is named once
                notes[-1] = Note(heading, notes[-1].html + part)
            else:
                notes.append(Note(heading, part))
            last = below
    return notes


EDITION = "teacher-notes"  # the key of a document's supplement among a plan's sections
PLAN_FIELDS = ("objectives", "materials", "duration", "teaching", "exercises")  # what the lesson plan prints


def notes_title(title: str, words: Mapping[str, str]) -> str:
    """The running title of a document's teacher notes: "What Is Manufacturing? · Teacher notes"."""
    return f"{title} · {words['teacher_notes']}"


def section(env: Environment, doc: Document, found: Mapping[str, Markup], teacher_section: str, **context: Any) -> str:
    """A document's supplement section in one version, or "" when the teacher edition adds nothing to it.

    ``found`` holds the body read for each edition; ``teacher_section`` is the teacher edition's section.
    """
    if "teacher" not in found:
        return ""
    teacher, student = found["teacher"], found.get("student")
    if doc.kind == "worksheet":
        answers = student is None or teacher.html != student.html
        return teacher_section if answers or doc.meta.get("key") or doc.meta.get("self_assessment") else ""
    notes = teacher_notes(teacher.html)
    planned = doc.kind in ("lesson", "overview") and any(doc.meta.get(f) not in (None, "", []) for f in PLAN_FIELDS)
    if not notes and not planned:
        return ""
    notes = [Note(note.heading, MarkupSafe(note.html)) for note in notes]
    return templates.render(env, "notes.html", doc=doc, notes=notes, edition="teacher", **context)


Label = tuple[str, int]  # a body page's label: a student page's number ("", 9), a teacher page's ("9", 2) = "9b"


def interleaved(
    places: Sequence[PagePlace], supplements: Mapping[int, tuple[int, int]], duplex: bool, right: bool
) -> tuple[list[PagePlace], list[Label]]:
    """A teacher packet's body: the student body's pages, numbered as they are, with each document's
    supplement after its student pages (``supplements``: part → (the supplement's part, its page count)).

    A supplement starts on a right-hand page when documents do, and takes a whole number of sheets
    when duplex, so every student page keeps its number and its side. Its pages are lettered after
    the page before them: 9a, 9b, …
    """
    first = compose.starts(places)
    ends = {
        part: max(n for n, place in enumerate(places, 1) if place is not BLANK and place[0] == part) for part in first
    }
    insert: dict[int, list[int]] = {}  # student page number → the supplements that go before it
    for part in sorted(supplements, key=lambda part: first[part]):
        at = ends[part] + 1
        while duplex and right and at <= len(places) and places[at - 1] is BLANK:
            at += 1
        insert.setdefault(at, []).append(part)
    body: list[PagePlace] = []
    labels: list[Label] = []
    for number in range(1, len(places) + 2):
        added: list[PagePlace] = []
        for part in insert.get(number, []):
            index, count = supplements[part]
            added += [(index, page) for page in range(count)]
            if duplex and len(added) % 2:
                added.append(BLANK)
        body += added
        labels += [(str(number - 1), letter) for letter in range(1, len(added) + 1)]
        if number <= len(places):
            body.append(places[number - 1])
            labels.append(("", number))
    if duplex and body[-2:] == [BLANK, BLANK]:  # a teacher page's padding, then the student body's: no sheet
        return body[:-2], labels[:-2]
    return body, labels
