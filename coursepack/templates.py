"""Jinja2 templates over the course styles, and the cluster map drawn from role data."""

from __future__ import annotations

import functools
import os
import textwrap
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .fonts import SVG_FONT_FAMILY

EDITION_NAMES = {"student": "Student edition", "teacher": "Teacher edition", "large-print": "Large-print edition"}


@functools.cache
def environment(styles: Path) -> jinja2.Environment:
    """A strict, autoescaping environment over ``styles/templates``, made once per process."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(styles / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(env: jinja2.Environment, name: str | list[str], **context: Any) -> Markup:
    """Render a template (the first of a list that exists) to markup included as it is."""
    html = env.select_template([name] if isinstance(name, str) else name).render(
        **context, edition_name=EDITION_NAMES.get(context.get("edition"), ""), created=source_date()
    )
    return Markup(html)


def source_date() -> str:
    """The build date for PDF metadata: only from SOURCE_DATE_EPOCH, so builds stay reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit():
        return ""
    return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cluster_map(title: str, pathways: dict[str, str], roles: dict[str, list[str]], large: bool = False) -> str:
    """An SVG map, pathways → roles, with a text alternative built from the same data.

    ``large`` draws two columns of bigger text for the large-print edition.
    """
    columns, box_width, gap = (2, 214, 19) if large else (3, 214, 19)
    size = 15.5 if large else 11.5
    line_height = size * 1.3
    names = list(pathways)
    rows = [names[i : i + columns] for i in range(0, len(names), columns)]
    wrapped = {pid: textwrap.wrap(pathways[pid], 22 if large else 30) for pid in names}
    role_lines = {pid: [textwrap.wrap(role, 23 if large else 31) for role in roles.get(pid, [])] for pid in names}
    parts = []
    top = 78
    width = columns * box_width + (columns - 1) * gap
    parts.append(
        f'<rect x="{width / 2 - 170}" y="4" width="340" height="40" rx="6" fill="#1a1a1a"/>'
        f'<text x="{width / 2}" y="30" text-anchor="middle" font-size="{14 if large else 15}" font-weight="900" '
        f'fill="#ffffff">{escape(title)}</text>'
    )
    for number, row in enumerate(rows):
        height = max(len(wrapped[p]) * line_height + sum(map(len, role_lines[p])) * line_height + 26 for p in row)
        for column, pid in enumerate(row):
            x = column * box_width + column * gap
            centre = x + box_width / 2
            if number == 0:  # the first row hangs from the title; later rows stand below it
                parts.append(
                    f'<path d="M{width / 2} 44 L{centre} {top}" stroke="#7a7a7a" stroke-width="1.2" fill="none"/>'
                )
            parts.append(
                f'<rect x="{x}" y="{top}" width="{box_width}" height="{height}" rx="4" '
                f'fill="#eef2f6" stroke="#1a1a1a" stroke-width="1.2"/>'
            )
            y = top + 17
            for line in wrapped[pid]:
                parts.append(
                    f'<text x="{x + 10}" y="{y}" font-size="{size}" font-weight="700" '
                    f'fill="#1f4e79">{escape(line)}</text>'
                )
                y += line_height
            parts.append(f'<path d="M{x + 10} {y - 8} H{x + box_width - 10}" stroke="#7a7a7a" stroke-width="0.8"/>')
            y += 6
            for lines in role_lines[pid]:
                for index, line in enumerate(lines):
                    bullet = "• " if index == 0 else ""
                    indent = 10 if index == 0 else 20
                    parts.append(
                        f'<text x="{x + indent}" y="{y}" font-size="{size - 0.5}" fill="#1a1a1a">'
                        f"{bullet}{escape(line)}</text>"
                    )
                    y += line_height
        top += height + 22
    description = "; ".join(
        f"{pathways[pid]}: {', '.join(roles.get(pid, [])) or 'no role sheets yet'}" for pid in names
    )
    alt = f"Map of the {title}. Pathways and their roles — {description}."
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {top}" role="img" '
        f'aria-label="{escape(alt)}" font-family="{SVG_FONT_FAMILY}"><title>{escape(alt)}</title>{"".join(parts)}</svg>'
    )
    caption = "The cluster map: each box is a pathway, listing the role sheets in this course."
    return f'<figure class="cluster-map">{svg}<figcaption>{caption}</figcaption></figure>'
