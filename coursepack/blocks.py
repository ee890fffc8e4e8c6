"""Fenced blocks as Pandoc and the Carpentries write them: ``::: name``, ``:::: {.name}``, nested."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

OPEN = re.compile(
    r"^ {0,3}(?P<colons>:{3,})[ \t]*(?:\{(?P<attrs>[^}]*)\}|(?P<name>[^\s:{}]+))[ \t]*(?P<rest>.*?)[ \t]*$"
)
CLOSE = re.compile(r"^ {0,3}:{3,}[ \t]*$")
# A code fence as Python-Markdown's fenced_code reads it: at the start of the line, nothing after it but
# a language or {attributes}, and closed by the very same fence; anything else is not code.
CODE_OPEN = re.compile(r"^(?P<fence>~{3,}|`{3,})[ ]*(\{[^\n]*\}|\.?[\w#.+-]*[ ]*(hl_lines=(\"|').*?\4[ ]*)?)$")
ATTRIBUTE = re.compile(r"""\.([\w-]+)|#([\w-]+)|([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))""")
MAX_DEPTH = 12
AUDIENCES = ("all", "teacher", "student")


@dataclass(frozen=True)
class BlockKind:
    """What a named block is: its printed heading and who sees it (all, teacher or student editions)."""

    name: str
    heading: str
    audience: str = "all"
    box: bool = True

    def shown_in(self, edition: str) -> bool:
        if self.audience == "teacher":
            return edition == "teacher"
        if self.audience == "student":
            return edition != "teacher"
        return True


TEACHER_ONLY = {
    "teacher": "Teacher",
    "instructor": "Instructor note",
    "solution": "Solution",
    "answer": "Answer",
    "key": "Answer key",
}
BOXES = {
    "callout": "Note",
    "challenge": "Challenge",
    "discussion": "Discussion",
    "objectives": "Objectives",
    "questions": "Questions",
    "keypoints": "Key points",
    "prereq": "Before you start",
    "checklist": "Checklist",
    "hint": "Hint",
    "spoiler": "More to know",
    "caution": "Caution",
    "callout-note": "Note",
    "callout-tip": "Tip",
    "callout-important": "Important",
    "callout-warning": "Warning",
    "callout-caution": "Caution",
    "think": "Think about it",  # a question to stop and think about, with lines to write on
    "steps": "Step by step",  # a list of steps, drawn as a flow from one to the next
}
DEFAULT_KINDS = {
    **{name: BlockKind(name, heading, "teacher") for name, heading in TEACHER_ONLY.items()},
    **{name: BlockKind(name, heading) for name, heading in BOXES.items()},
    "student": BlockKind("student", "", "student", box=False),
}


@dataclass(frozen=True)
class Fence:
    """An opening fence: the block's name (or "" for a plain division), a title, the line it is on."""

    name: str
    title: str
    line: int
    classes: tuple[str, ...] = ()


def opening(text: str, line: int) -> Fence | None:
    """The opening fence on a line, or None (a line of colons alone closes a block)."""
    match = OPEN.match(text)
    if not match or CLOSE.match(text):
        return None
    if match.group("attrs") is not None:
        classes, title = [], ""
        attributes = match.group("attrs")
        for cls, _id, key, *values in ATTRIBUTE.findall(attributes):
            value = next((v for v in values if v), "")
            if cls:
                classes.append(cls)
            elif key == "title":
                title = value
            elif key == "class":
                classes += value.split()
        classes += re.findall(r"(?:^|\s)([A-Za-z][\w-]*)(?=\s|$)", ATTRIBUTE.sub(" ", attributes))  # {solution}
        names = tuple(name.lower() for name in classes)
        return Fence(names[0] if names else "", title, line, names)
    rest = match.group("rest").rstrip(":").strip()
    return Fence(match.group("name").lower(), rest, line)


def code_lines(lines: list[str]) -> set[int]:
    """The indices of the lines that belong to fenced code blocks, fences included."""
    inside: set[int] = set()
    index = 0
    while index < len(lines):
        opened = CODE_OPEN.match(lines[index])
        closing = None
        if opened:
            fence = opened.group("fence")
            closing = next((j for j in range(index + 1, len(lines)) if lines[j].rstrip(" ") == fence), None)
        if closing is None:
            index += 1
            continue
        inside.update(range(index, closing + 1))
        index = closing + 1
    return inside


def fence_line(text: str) -> bool:
    """A line that opens or closes a block (it ends a question or a paragraph)."""
    return bool(CLOSE.match(text) or opening(text, 0))


def strictest(fence: Fence, kinds: dict[str, BlockKind]) -> str:
    """The block name that decides who sees a block: ``{.callout .solution}`` is a solution."""
    for name in fence.classes:
        if name in kinds and kinds[name].audience == "teacher":
            return name
    return fence.name


def closing_index(lines: list[str], start: int, code: set[int] | None = None) -> int | None:
    """The index of the fence closing the block opened at ``start``, skipping code and nested blocks."""
    depth = 0
    code = code_lines(lines) if code is None else code
    for index in range(start + 1, len(lines)):
        text = lines[index]
        if index in code:
            continue
        if CLOSE.match(text):
            if depth == 0:
                return index
            depth -= 1
        elif opening(text, 0):
            depth += 1
    return None


def kinds_from_settings(value: Any) -> tuple[dict[str, BlockKind], list[tuple[str, str]]]:
    """``[blocks]`` in course.toml: ``name = "Heading"`` or ``[blocks.name]`` with heading and audience.

    Returns the block kinds (defaults included) and (needle, message) problems.
    """
    kinds = dict(DEFAULT_KINDS)
    problems: list[tuple[str, str]] = []
    if not isinstance(value, dict):
        return kinds, [("blocks", '[blocks] lists block names, e.g. safety = "Safety first"')]
    for name, spec in value.items():
        if not re.fullmatch(r"[a-z][a-z0-9-]*", name):
            problems.append((name, f"block name '{name}' must be lower-case letters, digits and dashes"))
            continue
        if isinstance(spec, str):
            spec = {"heading": spec}
        if not isinstance(spec, dict) or set(spec) - {"heading", "audience"}:
            problems.append(
                (name, f'block \'{name}\': write {name} = "Heading" or heading = "..." and audience = "..."')
            )
            continue
        default = DEFAULT_KINDS.get(name)
        audience = spec.get("audience", default.audience if default else "all")  # a new heading keeps who sees it
        if audience not in AUDIENCES:
            problems.append((name, f"block '{name}': audience must be one of {', '.join(AUDIENCES)}, not {audience!r}"))
            continue
        heading = spec.get("heading", default.heading if default else name.replace("-", " ").capitalize())
        if not isinstance(heading, str):
            problems.append((name, f"block '{name}': heading must be text in quotes"))
            continue
        kinds[name] = BlockKind(name, heading.strip(), audience, box=default.box if default else True)
    return kinds, problems


# Kramdown (Jekyll, the older Carpentries lessons): a blockquote followed by ``{: .solution}`` is a block.
IAL = re.compile(r"^ {0,3}\{:\s*([^}]*)\}\s*$")
QUOTED = re.compile(r"^ {0,3}>")
LIQUID = re.compile(r"^\s*\{%-?\s*(\w+)[^%]*%\}\s*$")
SILENT_LIQUID = ("raw", "endraw")


def kramdown_fence(text: str, line: int) -> Fence | None:
    """A kramdown attribute line as the block it names: ``{: .challenge .solution}``, ``{: class="x"}``."""
    match = IAL.match(text)
    if not match:
        return None
    classes = [name.lower() for name in re.findall(r"\.([\w-]+)", match.group(1))]
    for quoted in re.findall(r"""class\s*=\s*["']([^"']*)["']""", match.group(1)):
        classes += quoted.lower().split()
    return Fence(classes[0] if classes else "", "", line, tuple(classes))


def quoted_run_end(lines: list[str], start: int) -> int:
    """The index just after a run of blockquote lines."""
    end = start
    while end < len(lines) and QUOTED.match(lines[end]):
        end += 1
    return end


def unquote(text: str) -> str:
    """A blockquote line, one level less deep."""
    return re.sub(r"^ {0,3}> ?", "", text, count=1)


# Last guards: what a student edition must never hold, found in the rendered HTML and traced to a line.
CLASS_ATTRIBUTE = re.compile(r"""\bclass\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
DETAILS = re.compile(r"<details\b", re.IGNORECASE)
CODE_HTML = re.compile(r"<(pre|code)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
LITERAL_FENCE = re.compile(r":{3,}|[\u2236\uff1a\ua789]{3,}")  # colons, or runs of look-alike colons
NOT_A_FENCE = (
    "this ':::' is not read as a block: a block's fences start at the beginning of a line, outside quotes and lists"
)


def first_line_with(body: str, first_line: int, pattern: re.Pattern) -> int:
    """The first line that matches, outside code and other than fences read as blocks (else the first line)."""
    lines = body.split("\n")
    code = code_lines(lines)
    for index, text in enumerate(lines):
        handled = index in code or IAL.match(text) or opening(text, 0) or CLOSE.match(text)
        if not handled and pattern.search(text):
            return first_line + index
    return first_line


def leak_problems(
    raw: str, html: str, body: str, first_line: int, kinds: dict[str, BlockKind], edition: str
) -> list[tuple[int, str]]:
    """Author HTML that would print teacher-only text, and fences that were not read as blocks."""
    problems = []
    if DETAILS.search(raw):
        line = first_line_with(body, first_line, DETAILS)
        problems.append(
            (line, "a <details> block cannot fold on paper: use '::: solution' for an answer or '::: spoiler' for more")
        )
    hidden = {name for name, kind in kinds.items() if not kind.shown_in(edition)}
    for match in CLASS_ATTRIBUTE.finditer(raw):
        names = hidden & set(next(g for g in match.groups() if g is not None).lower().split())
        if names:
            name = sorted(names)[0]
            line = first_line_with(body, first_line, re.compile(rf"\.{name}\b|class=[\"']?[^\"'>]*\b{name}\b"))
            problems.append(
                (line, f"HTML or an attribute marks this as '{name}' but cannot hide it: use a '::: {name}' block")
            )
            break
    text = CODE_HTML.sub("", html)
    names = "|".join(re.escape(name) for name in sorted(hidden))
    marker = re.compile(r"\{:?[^{}]*?(\.|class\s*=\s*[\"']?[^{}]*?)\b(" + names + r")\b[^{}]*\}", re.IGNORECASE)
    if hidden and (found := marker.search(text)):
        line = first_line_with(body, first_line, marker)
        name = found.group(2).lower()
        problems.append(
            (line, f"this '{found.group(0)}' is not read as a block, so it cannot hide anything: use '::: {name}'")
        )
    indented = re.compile(r"^(?: {4,}|\t)[ \t]*:{3,}[ \t]*\{?[^\n]*?\b(" + names + r")\b", re.IGNORECASE)
    if hidden and (line := first_line_with(body, first_line, indented)) != first_line or indented.match(body):
        problems.append((line, "this indented block prints as code, for students too: start its ':::' at the margin"))
    if LITERAL_FENCE.search(text):
        line = first_line_with(body, first_line, re.compile(r"[^ \t:].*:{3,}|^[ \t]{4,}:{3,}|[\u2236\uff1a\ua789]{3,}"))
        problems.append((line, NOT_A_FENCE))
    return problems
