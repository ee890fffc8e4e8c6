"""Jinja2 templates over the course styles, and the cluster map drawn from role data."""

from __future__ import annotations

import functools
import os
import re
import textwrap
from collections.abc import Mapping
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import Any

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import formfields
from .errors import Problem, SourceErrors
from .fonts import SVG_FONT_FAMILY
from .fragments import inline
from .messages import english
from .sanitise import sanitise

EDITION_WORDS = {
    "student": "student_edition",
    "teacher": "teacher_edition",
    "large-print": "large_print_edition",
    "fillable": "fillable_edition",
}
REQUIRED = ("document.html", "front.html", "bound.html", "handout.html")
OURS = Path(__file__).resolve().parent


class TemplateError(SourceErrors):
    """A template cannot be compiled or rendered; the problem names the template file and line."""

    def __reduce__(self) -> tuple:  # crosses from worker processes intact
        return (type(self), (self.problems,))


@functools.cache
def environment(styles: Path) -> jinja2.Environment:
    """A strict, autoescaping, sandboxed environment over ``styles/templates``, made once per process.

    Templates travel with shared course folders: the sandbox keeps them from reaching Python internals.
    """
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(styles / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["inline"] = inline_text
    env.filters["field_name"] = formfields.document_field
    return env


def edition_label(words: Mapping[str, str], edition: str) -> str:
    """What an edition is called in ``words``: "Student edition", "Edición del estudiante"."""
    return words[EDITION_WORDS[edition]] if edition in EDITION_WORDS else ""


def inline_text(text: str) -> Markup:
    """A front-matter line with inline Markdown (`code`, *emphasis*), sanitised; links print as text."""
    return Markup(re.sub(r"</?a\b[^>]*>", "", sanitise(inline(str(text)))))


def render(env: jinja2.Environment, name: str | list[str], **context: Any) -> Markup:
    """Render a template (the first of a list that exists) to markup included as it is.

    A mistake in a template raises TemplateError located in the template, not a traceback.
    """
    names = [name] if isinstance(name, str) else name
    try:
        context.setdefault("t", english())  # the words it prints: English unless the caller gives a language's
        context.setdefault("edition_name", edition_label(context["t"], context.get("edition", "")))
        html = env.select_template(names).render(**context, created=source_date())
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError([syntax_problem(env, error)]) from None
    except jinja2.TemplateNotFound as error:
        where = template_frame(env, error)
        if where is None:
            message = f"no template {' or '.join(names)} in {folder(env)}: copy one from coursepack's bundled styles"
            raise TemplateError([Problem(folder(env), None, message)]) from None
        raise TemplateError([Problem(*where, f"template '{error.name}' not found in {folder(env)}")]) from None
    except Exception as error:
        where = template_frame(env, error)
        if where is None:
            raise
        message = str(error) if isinstance(error, jinja2.UndefinedError) else f"{type(error).__name__}: {error}"
        raise TemplateError([Problem(*where, f"the template failed: {message}")]) from None
    return Markup(html)


def check_templates(styles: Path) -> list[Problem]:
    """Compile every template of ``styles/templates``: syntax errors with their file and line."""
    env = environment(styles)
    names = env.list_templates(filter_func=lambda name: not name.rpartition("/")[2].startswith("."))
    problems = []
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            problems.append(syntax_problem(env, error))
        except UnicodeDecodeError:
            problems.append(Problem(f"{folder(env)}/{name}", None, "the template is not UTF-8: save it as UTF-8"))
    for name in REQUIRED:
        if name not in names:
            message = f"the styles folder has no {name} template: copy it from coursepack's bundled styles"
            problems.append(Problem(folder(env), None, message))
    return problems


def folder(env: jinja2.Environment) -> str:
    """The templates folder as a teacher sees it (``styles/templates``)."""
    return Path(env.loader.searchpath[0]).relative_to(Path(env.loader.searchpath[0]).parent.parent).as_posix()


def syntax_problem(env: jinja2.Environment, error: jinja2.TemplateSyntaxError) -> Problem:
    path = f"{folder(env)}/{error.name}" if error.name else error.filename or folder(env)
    return Problem(path, error.lineno, f"template syntax error: {error.message}")


def template_frame(env: jinja2.Environment, error: BaseException) -> tuple[str, int] | None:
    """The template file and line where an error was raised, if template code raised it.

    Jinja rewrites tracebacks so that template frames carry the template's file and line; an
    error raised in coursepack's own code, called from a template, is not the template's.
    """
    base = Path(env.loader.searchpath[0]).resolve()
    innermost = None
    traceback = error.__traceback__
    while traceback is not None:
        filename = Path(traceback.tb_frame.f_code.co_filename).resolve()
        if filename.is_relative_to(base):
            innermost = (filename.relative_to(base).as_posix(), traceback.tb_lineno)
        elif innermost and filename.is_relative_to(OURS):
            return None
        traceback = traceback.tb_next
    return (f"{folder(env)}/{innermost[0]}", innermost[1]) if innermost else None


def source_date() -> str:
    """The build date for PDF metadata: only from SOURCE_DATE_EPOCH, so builds stay reproducible."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if not epoch.isdigit():
        return ""
    return datetime.fromtimestamp(int(epoch), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cluster_map(
    title: str, pathways: dict[str, str], roles: dict[str, list[str]], large: bool = False, words: Mapping | None = None
) -> str:
    """An SVG map, pathways → roles, every box joined to the title, with a text alternative from the same data.

    Text is sized so that, drawn across the page, it prints at 9.5 pt or more. For the large-print
    edition (``large``) the map is a list of boxes joined by a line, at the edition's 18 pt (see ``cluster_list``).
    """
    words = words or english()
    if large:
        return cluster_list(title, pathways, roles, words)
    columns, box_width, gap = 3, 214, 19
    size = 13.5
    line_height = size * 1.3
    names = list(pathways)
    rows = [names[i : i + columns] for i in range(0, len(names), columns)]
    wrapped = {pid: textwrap.wrap(pathways[pid], 26) for pid in names}
    role_lines = {pid: [textwrap.wrap(role, 27) for role in roles.get(pid, [])] for pid in names}
    width = columns * box_width + (columns - 1) * gap
    trunk = box_width + gap / 2  # down the gap between the first two columns
    banner = min(width, len(title) * size * 0.55 + 40)
    parts = [
        f'<rect x="{width / 2 - banner / 2}" y="4" width="{banner}" height="40" rx="6" fill="#1a1a1a"/>'
        f'<text x="{width / 2}" y="30" text-anchor="middle" font-size="{size + 1.5}" font-weight="900" '
        f'fill="#ffffff">{escape(title)}</text>'
    ]
    top, bus = 78, 0.0
    for row in rows:
        height = max(len(wrapped[p]) * line_height + sum(map(len, role_lines[p])) * line_height + 26 for p in row)
        bus = top - 16
        centres = [column * (box_width + gap) + box_width / 2 for column in range(len(row))]
        line = f"M{min(centres[0], trunk)} {bus} H{max(centres[-1], trunk)}"  # the row's bus, from the trunk
        parts.append(f'<path d="{line}" stroke="#4a4a4a" stroke-width="1.2"/>')
        for column, pid in enumerate(row):
            x = column * (box_width + gap)
            parts.append(f'<path d="M{centres[column]} {bus} V{top}" stroke="#4a4a4a" stroke-width="1.2"/>')
            parts.append(
                f'<rect x="{x}" y="{top}" width="{box_width}" height="{height}" rx="4" '
                f'fill="#eef2f6" stroke="#1a1a1a" stroke-width="1.2"/>'
            )
            y = top + size + 5
            for line in wrapped[pid]:
                parts.append(
                    f'<text x="{x + 10}" y="{y}" font-size="{size}" font-weight="700" '
                    f'fill="#1f4e79">{escape(line)}</text>'
                )
                y += line_height
            parts.append(f'<path d="M{x + 10} {y - 8} H{x + box_width - 10}" stroke="#7a7a7a" stroke-width="0.8"/>')
            y += size * 0.55  # clear of the rule above the roles
            for lines in role_lines[pid]:
                for index, line in enumerate(lines):
                    bullet = "• " if index == 0 else ""
                    indent = 10 if index == 0 else 20
                    text = f"{bullet}{escape(line)}"
                    parts.append(f'<text x="{x + indent}" y="{y}" font-size="{size}" fill="#1a1a1a">{text}</text>')
                    y += line_height
        top += height + 34
    parts.insert(1, f'<path d="M{trunk} 44 V{bus}" stroke="#4a4a4a" stroke-width="1.2"/>')  # title to every row
    described = "; ".join(f"{pathways[pid]}: {', '.join(roles.get(pid, [])) or words['no_roles']}" for pid in names)
    alt = f"{title}. {words['map_pathways']}: {described}."
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {top - 12}" role="img" '
        f'aria-label="{escape(alt)}" font-family="{SVG_FONT_FAMILY}"><title>{escape(alt)}</title>{"".join(parts)}</svg>'
    )
    return f'<figure class="cluster-map">{svg}<figcaption>{escape(words["cluster_map_caption"])}</figcaption></figure>'


def cluster_list(title: str, pathways: dict[str, str], roles: dict[str, list[str]], words: Mapping) -> str:
    """The cluster map for large print: the title, then a box per pathway listing its roles, joined by a line
    down the left; text at the page's size, and pages may turn between boxes."""
    boxes = "".join(
        f'<li class="map-pathway"><p class="map-name">{escape(name)}</p>'
        f"<ul>{''.join(f'<li>{escape(role)}</li>' for role in roles.get(pid, []))}</ul></li>"
        if roles.get(pid)
        else f'<li class="map-pathway"><p class="map-name">{escape(name)}</p><p>{escape(words["no_roles"])}</p></li>'
        for pid, name in pathways.items()
    )
    return (
        f'<figure class="cluster-map cluster-list"><p class="map-title">{escape(title)}</p>'
        f'<ul class="map-pathways">{boxes}</ul><figcaption>{escape(words["cluster_map_caption"])}</figcaption></figure>'
    )
