"""What Markdown rendering shares: its records, inline Markdown, placeholders for late HTML, unique ids."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import markdown

from .blocks import BlockKind
from .questions import Question

FORM_EDITIONS = ("fillable", "web")  # editions whose response areas are form controls


def audience(edition: str) -> str:
    """Who an edition's questions are printed for: the teacher (answers), a form (fields) or a student."""
    if edition == "teacher":
        return "teacher"
    return "form" if edition in FORM_EDITIONS else "student"


def bank_placeholder(number: int) -> str:
    """Marks where a part's word bank goes, once every question of the part has been read."""
    return f'<div class="word-bank-{number}"></div>'


def control_placeholder(number: int) -> str:
    """Marks where a form control (generated, so never sanitised away) goes after sanitising."""
    return f'<span class="control-{number}"></span>'


def block_placeholder(name: str) -> str:
    """Marks where generated HTML (not sanitised: it is ours) goes after sanitising."""
    return f'<div class="block-{name}"></div>'


# Text Markdown leaves as it is: letters, digits, single spaces and punctuation no rule reads (no
# quotes, dashes or ellipses for smarty, no list number at the start, nothing to escape).
PLAIN_TEXT = re.compile(r"(?!\d+\.)[A-Za-z0-9](?:[A-Za-z0-9,;:?!()%/+=]|-(?!-)|\.(?!\.)| (?! |\Z))*")


@functools.cache
def inline_converter() -> markdown.Markdown:
    """One converter for every line of inline text, reset between uses (making one costs ~1 ms)."""
    return markdown.Markdown(extensions=["smarty"])


@functools.lru_cache(maxsize=8192)
def inline(text: str) -> str:
    """Markdown for one line of text, without the paragraph around it (each text converted once)."""
    if PLAIN_TEXT.fullmatch(text):
        return text
    html = inline_converter().reset().convert(text)
    return re.sub(r"^<p>(.*)</p>$", r"\1", html, flags=re.DOTALL)


def prefix_ids(html: str, prefix: str) -> str:
    """Make ids and in-page links unique to a document, so a packet has no duplicates."""
    if not prefix:
        return html
    html = re.sub(r'\bid="(?!' + re.escape(prefix) + r"--)", f'id="{prefix}--', html)
    return re.sub(r'\bhref="#(?!' + re.escape(prefix) + r"--)", f'href="#{prefix}--', html)


@dataclass
class Markup:
    """A body rendered for one edition, with what the worksheet header and key need."""

    html: str = ""
    problems: list[tuple[int, str]] = field(default_factory=list)
    questions: int = 0
    points: float = 0
    key: list[tuple[int, str]] = field(default_factory=list)
    images: list[tuple[str, str]] = field(default_factory=list)
    banks: dict[str, list[str]] = field(default_factory=dict)  # word bank → the blanks of its part's questions
    open_bank: str = ""  # the word bank of the part being read ("" outside one)
    varies: set[str] = field(default_factory=set)  # "audience", "generated": why editions read differently
    generated: set[str] = field(default_factory=set)  # the generated blocks the body shows
    items: list[Question] = field(default_factory=list)  # the questions as this edition prints them, in order
    controls: dict[str, str] = field(default_factory=dict)  # placeholder → form control (form editions)


@dataclass(frozen=True)
class Options:
    """How a body is rendered: for which edition, as a worksheet or not, with which blocks."""

    edition: str
    worksheet: bool
    graded: bool
    seed: str
    blocks: dict[str, str]
    kinds: dict[str, BlockKind]
    folder: str
    documents: dict[str, str]
    version: int = 0  # 0 prints questions and choices as written; later versions shuffle them
    words: Mapping[str, str] | None = None  # the words questions print (Answer, Word bank …): English if None
    depth: int = 0
