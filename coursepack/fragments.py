"""HTML pieces Markdown rendering shares: inline Markdown, placeholders for late HTML, document-unique ids."""

from __future__ import annotations

import functools
import re

import markdown


def bank_placeholder(number: int) -> str:
    """Marks where a part's word bank goes, once every question of the part has been read."""
    return f'<div class="word-bank-{number}"></div>'


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
