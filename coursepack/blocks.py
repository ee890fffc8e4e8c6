"""Fenced blocks as Pandoc and the Carpentries write them: ``::: name``, ``:::: {.name}``, nested."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

OPEN = re.compile(
    r"^ {0,3}(?P<colons>:{3,})[ \t]*(?:\{(?P<attrs>[^}]*)\}|(?P<name>[^\s:{}]+))[ \t]*(?P<rest>.*?)[ \t]*$"
)
CLOSE = re.compile(r"^ {0,3}:{3,}[ \t]*$")
CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
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


def opening(text: str, line: int) -> Fence | None:
    """The opening fence on a line, or None (a line of colons alone closes a block)."""
    match = OPEN.match(text)
    if not match or CLOSE.match(text):
        return None
    if match.group("attrs") is not None:
        classes, title = [], ""
        for cls, _id, key, *values in ATTRIBUTE.findall(match.group("attrs")):
            if cls:
                classes.append(cls)
            elif key == "title":
                title = next((v for v in values if v), "")
        return Fence(classes[0].lower() if classes else "", title, line)
    rest = match.group("rest").rstrip(":").strip()
    return Fence(match.group("name").lower(), rest, line)


def closing_index(lines: list[str], start: int) -> int | None:
    """The index of the fence closing the block opened at ``start``, skipping code and nested blocks."""
    depth = 0
    code = ""
    for index in range(start + 1, len(lines)):
        text = lines[index]
        if code:
            if text.strip().startswith(code) and not text.strip().strip(code[0]):
                code = ""
            continue
        if fence := CODE_FENCE.match(text):
            code = fence.group(1)
        elif CLOSE.match(text):
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
        audience = spec.get("audience", "all")
        if audience not in AUDIENCES:
            problems.append((name, f"block '{name}': audience must be one of {', '.join(AUDIENCES)}, not {audience!r}"))
            continue
        heading = spec.get("heading", name.replace("-", " ").capitalize())
        if not isinstance(heading, str):
            problems.append((name, f"block '{name}': heading must be text in quotes"))
            continue
        kinds[name] = BlockKind(name, heading.strip(), audience)
    return kinds, problems


# Kramdown (Jekyll, the older Carpentries lessons): a blockquote followed by ``{: .solution}`` is a block.
IAL = re.compile(r"^ {0,3}\{:\s*([^}]*)\}\s*$")
QUOTED = re.compile(r"^ {0,3}>")
LIQUID = re.compile(r"^\s*\{%-?\s*(\w+)[^%]*%\}\s*$")
SILENT_LIQUID = ("raw", "endraw")


def kramdown_class(text: str) -> str | None:
    """The first class of a kramdown attribute line (``{: .challenge}`` → "challenge"), "" for none."""
    match = IAL.match(text)
    if not match:
        return None
    classes = re.findall(r"\.([\w-]+)", match.group(1))
    return classes[0].lower() if classes else ""


def quoted_run_end(lines: list[str], start: int) -> int:
    """The index just after a run of blockquote lines."""
    end = start
    while end < len(lines) and QUOTED.match(lines[end]):
        end += 1
    return end


def unquote(text: str) -> str:
    """A blockquote line, one level less deep."""
    return re.sub(r"^ {0,3}> ?", "", text, count=1)
