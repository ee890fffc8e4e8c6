"""Running headers and footers as a stamp: pages that hold only margin boxes, laid over the body's pages.

Documents are laid out once, with their own running headers and footers (their own PDF uses the
pages as they are). A packet removes those and draws its own page numbers and titles over the pages.
The stamp is laid out with the course's own stylesheet, so its margin boxes sit exactly where a
page's would; it is drawn as an artifact.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .targets import Running

# Added when a stamp is laid out: each stamp page sets its own running title, or says it is blank.
STAMP_CSS = """
.stamp { string-set: course attr(data-course), doctitle attr(data-running), number attr(data-number),
  total attr(data-total); }
.stamp + .stamp { break-before: page; }
.stamp.blank-sheet { page: blank-sheet; }
.blank-note { text-align: center; margin: 3in 0 0; color: #4d4d4d; }
@page { @bottom-center { content: string(pageword) " " string(number) " " string(ofword) " " string(total); } }
@page blank-sheet { @top-left { content: none; } @top-right { content: none; } @top-center { content: none; } }
.edition-large-print .stamp.blank-sheet { page: large-blank-sheet; }
@page large-blank-sheet { font-size: 18pt; @top-left { content: none; } @top-right { content: none; }
  @top-center { content: none; } @bottom-left { content: none; } @bottom-right { content: none; } }
.edition-large-print .blank-note { font-size: 18pt; }
"""


@dataclass(frozen=True)
class StampPage:
    """What one page's running header says: the title of the document on it, or that it is blank."""

    running: str
    blank: bool = False
    number: str = ""  # the page's number as printed: 9, or 9a for a teacher page after page 9


def stamp_html(running: Running, pages: Sequence[StampPage], total: int, words: Mapping[str, str]) -> str:
    """An HTML document with one empty page per body page, whose margin boxes make the stamp (in ``words``);
    each page prints its own number, of ``total``."""
    course = html.escape(running.course)
    classes = f"stamp-layer edition-{running.edition}{' duplex' if running.duplex and running.right else ''}"
    rows = []
    for page in pages:
        title = "" if page.blank else html.escape(page.running)
        note = f'<p class="blank-note">{html.escape(words["blank_page"])}</p>' if page.blank else ""
        rows.append(
            f'<div class="stamp{" blank-sheet" if page.blank else ""}" data-course="{"" if page.blank else course}" '
            f'data-running="{title}" data-number="{html.escape(page.number)}" data-total="{total}">{note}</div>'
        )
    return (
        f'<!doctype html><html lang="{html.escape(running.language)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(running.packet)}</title></head>"
        f'<body class="{classes}" data-course="{course}" data-packet="{html.escape(running.packet)}" '
        f'data-edition="{html.escape(running.edition_name)}" data-page-word="{html.escape(words["page"])}" '
        f'data-of-word="{html.escape(words["of"])}">{"".join(rows)}</body></html>'
    )
