"""The worksheet question syntax: parse ``? prompt`` blocks, check them, render them per edition."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import versions
from .fields import FieldProblem, number, unknown_field

BLANK = re.compile(r"\[\[(.*?)\]\]")
OPTIONS = re.compile(r"\s*\{([^{}]*)\}\s*$")
CHOICE = re.compile(r"^(\(\s?\)|\([xX]\)|\[\s?\]|\[[xX]\])\s+(.*)$")
STEP = re.compile(r"^\d+[.)]\s+(.*)$")
PAIR = re.compile(r"^(.*?)\s+=\s+(.*)$")
ANSWER = re.compile(r"^=\s*(.*)$")
LOOKS_LIKE_NOTE = re.compile(r"^(teacher\s+)?notes?\s*:", re.IGNORECASE)
NOTE = re.compile(r"^Note:\s*(.*)$", re.IGNORECASE)
LOOKS_LIKE_ANSWER = re.compile(r"^((sample|model)\s+)?(answers?|solution|key)\s*:", re.IGNORECASE)
OPTION_NAMES = ("points", "lines", "box", "pin")
LETTERS = versions.LETTERS


class QuestionProblem(Exception):
    """A problem in one question, at a line of the source."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Question:
    """One parsed question; ``kind`` is decided by the lines under the prompt."""

    line: int
    prompt: str
    kind: str = "short"
    points: float | None = None
    lines: int = 3
    box: int = 0
    choices: list[tuple[str, bool]] = field(default_factory=list)
    choice_style: str = ""
    answer: str = ""
    pairs: list[tuple[str, str]] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)
    model: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    pinned: bool = False  # keeps its place among the questions around it in every version
    ordinal: int = 0  # its place among the document's questions as written: what its versions' orders come from
    pinned_choices: set[int] = field(default_factory=set)  # choices marked {pin}

    @property
    def blanks(self) -> list[str]:
        cells = [cell for row in self.table for cell in row]
        return [m.strip() for text in (self.prompt, *cells) for m in BLANK.findall(text)]


def parse_question(block: list[tuple[int, str]], graded: bool) -> Question:
    """Parse a question block: ``(line, text)`` pairs, the first starting with ``? ``."""
    first_line, first = block[0]
    prompt, options = split_options(first[1:].strip(), first_line)
    question = Question(first_line, prompt)
    apply_options(question, options, first_line)
    pending_left: list[tuple[int, str]] = []
    pending_right: list[tuple[int, str]] = []
    teacher_text: list[str] | None = None  # a sample answer or note a plain line continues
    for line, raw in block[1:]:
        text = raw.strip()
        if LOOKS_LIKE_NOTE.match(text) and not NOTE.match(text):
            raise QuestionProblem(line, f"write a teacher note as 'Note: …', not '{text[:30]}'")
        if LOOKS_LIKE_ANSWER.match(text):
            raise QuestionProblem(
                line, f"write a sample answer as '> …' (only the teacher edition prints it), not '{text[:30]}'"
            )
        if teacher_text is not None and (PAIR.match(text) or STEP.match(text)) and not NOTE.match(text):
            raise QuestionProblem(
                line,
                "a line after a sample answer or note would print for students: start each line of a sample answer "
                "with '>', and write a question's pairs or steps before its '>' and 'Note:' lines",
            )
        if m := CHOICE.match(text):
            mark, label = m.groups()
            style = "single" if mark.startswith("(") else "multiple"
            if question.choice_style and question.choice_style != style:
                raise QuestionProblem(line, "a question mixes '( )' and '[ ]' choices; use one kind")
            question.choice_style = style
            if versions.PIN_MARK.search(label):
                question.pinned_choices.add(len(question.choices))
            question.choices.append((versions.without_pin(label).strip(), "x" in mark.lower()))
        elif text.startswith("|"):
            question.table.append(split_row(text))
        elif m := STEP.match(text):
            question.steps.append(m.group(1).strip())
        elif text.startswith(">"):
            question.model.append(text[1:].strip())
            teacher_text = question.model
            continue
        elif m := NOTE.match(text):
            question.notes.append(m.group(1))
            teacher_text = question.notes
            continue
        elif teacher_text is not None and not (PAIR.match(text) or ANSWER.match(text) or text.endswith("=")):
            teacher_text[-1] = f"{teacher_text[-1]} {text}"  # a wrapped line goes on with the answer or note
            continue
        elif m := ANSWER.match(text):
            value = m.group(1).strip()
            if value.lower() in ("true", "false"):
                question.answer = value.lower()
            else:
                pending_right.append((line, value))
        elif m := PAIR.match(text):
            question.pairs.append((m.group(1).strip(), m.group(2).strip()))
        elif text.endswith(" =") or text.endswith("="):
            pending_left.append((line, text.rstrip("= ").strip()))
        elif question.choices or question.pairs or question.steps or question.table:
            raise QuestionProblem(line, f"this line is not part of the question above: '{text}'")
        else:
            question.prompt = f"{question.prompt} {text}".strip()
    if pending_left:
        line, left = pending_left[0]
        raise QuestionProblem(line, f"matching lists have unequal length: '{left}' has no match on its right")
    if pending_right:
        line, right = pending_right[0]
        if question.pairs:
            raise QuestionProblem(line, f"matching lists have unequal length: '{right}' has no match on its left")
        raise QuestionProblem(line, f"a true/false answer is written '= true' or '= false', not '= {right}'")
    keep_single_lines_in_prompt(question, block)
    decide_kind(question, graded)
    return question


def is_pinned(first_line: str) -> bool:
    """Whether a question keeps its place in every version (``{pin}`` or ``pin: true`` in its options).

    A question whose options are wrong is not pinned: its problem is reported when it is read.
    """
    try:
        _, options = split_options(first_line[1:].strip(), 0)
    except QuestionProblem:
        return False
    return options.get("pin", "").lower() in ("true", "yes")


def keep_single_lines_in_prompt(question: Question, block: list[tuple[int, str]]) -> None:
    """One 'a = b' line or one numbered line is part of the prompt (x + 3 = 5), not a list."""
    others = question.choices or question.table or question.answer
    if len(question.pairs) == 1 and not (others or question.steps):
        question.prompt += " " + " = ".join(question.pairs.pop())
    if len(question.steps) == 1 and not (others or question.pairs):
        numbered = next(text.strip() for _, text in block[1:] if STEP.match(text.strip()))
        question.steps.clear()
        question.prompt += " " + numbered


def split_options(text: str, line: int) -> tuple[str, dict[str, str]]:
    """Options in braces at the end of a prompt; braces without 'name:' are prompt text."""
    m = OPTIONS.search(text)
    parts = [p.strip() for p in m.group(1).split(",") if p.strip()] if m else []
    if not m or (":" not in m.group(1) and [p.lower() for p in parts] != ["pin"]):
        return text, {}
    options = {}
    for part in parts:
        name, _, value = part.partition(":")
        name = name.strip().lower()
        if name == "pin" and not value.strip():
            options[name] = "true"
            continue
        if name not in OPTION_NAMES:
            raise QuestionProblem(line, unknown_field(name, OPTION_NAMES, "option"))
        options[name] = value.strip()
    return text[: m.start()].strip(), options


def apply_options(question: Question, options: dict[str, str], line: int) -> None:
    if "points" in options:
        try:
            question.points = number(options["points"])
        except FieldProblem:
            raise QuestionProblem(line, f"points must be a number, not '{options['points']}'") from None
        if question.points < 0:
            raise QuestionProblem(line, f"points cannot be negative: '{options['points']}'")
    if "pin" in options:
        if options["pin"].lower() not in ("true", "yes", "false", "no"):
            raise QuestionProblem(line, f"pin is written '{{pin}}' (or 'pin: true'), not 'pin: {options['pin']}'")
        question.pinned = options["pin"].lower() in ("true", "yes")
    for name in ("lines", "box"):
        if name in options:
            value = options[name]
            if not re.fullmatch(r"[0-9]+", value) or not 1 <= int(value) <= 40:
                raise QuestionProblem(line, f"{name} must be a whole number from 1 to 40, not '{value}'")
            setattr(question, name, int(value))


def decide_kind(q: Question, graded: bool) -> None:
    if not q.prompt:
        raise QuestionProblem(q.line, "the question has no prompt: write it after '? '")
    kinds = [
        name
        for name, present in (
            ("choices", q.choices),
            ("true/false answer", q.answer),
            ("matching pairs", q.pairs),
            ("ordering steps", q.steps),
            ("table", q.table),
        )
        if present
    ]
    if len(kinds) > 1:
        raise QuestionProblem(q.line, f"the question mixes {kinds[0]} and {kinds[1]}; split it in two")
    for name, items in (("choices", q.choices), ("matching pairs", q.pairs)):
        if len(items) > len(LETTERS):
            raise QuestionProblem(q.line, f"a question can have at most {len(LETTERS)} {name}; split it in two")
    for name, items in (
        ("choices", [label for label, _ in q.choices]),
        ("matching items", [left for left, _ in q.pairs]),
        ("matching answers", [right for _, right in q.pairs]),
        ("ordering steps", q.steps),
    ):
        repeated = next((item for index, item in enumerate(items) if item in items[:index]), None)
        if repeated:
            raise QuestionProblem(q.line, f"{name} must all differ: '{repeated}' appears twice")
    if q.choices:
        q.kind = q.choice_style
        correct = sum(ok for _, ok in q.choices)
        if len(q.choices) < 2:
            raise QuestionProblem(q.line, "a choice question needs at least two choices")
        if graded and q.kind == "single" and correct != 1:
            raise QuestionProblem(
                q.line,
                "multiple-choice question has no correct answer: mark one choice '(x)'"
                if correct == 0
                else f"multiple-choice question has {correct} correct answers: mark exactly one '(x)', "
                "or use '[x]' boxes for select-all",
            )
        if graded and q.kind == "multiple" and correct == 0:
            raise QuestionProblem(q.line, "select-all question has no correct answer: mark at least one '[x]'")
    elif q.answer:
        q.kind = "truefalse"
    elif q.pairs:
        q.kind = "matching"
        if len(q.pairs) < 2:
            raise QuestionProblem(q.line, "a matching question needs at least two 'left = right' lines")
    elif q.steps:
        q.kind = "ordering"
        if len(q.steps) < 2:
            raise QuestionProblem(q.line, "an ordering question needs at least two numbered steps")
    elif q.table:
        q.kind = "table"
        if len(q.table) > 1 and all(set(cell) <= set("-: ") for cell in q.table[1]):
            del q.table[1]
        if not any(BLANK.search(cell) for row in q.table[1:] for cell in row):
            raise QuestionProblem(q.line, "the table has no cells to complete: write [[answer]] in them")
    elif BLANK.search(q.prompt):
        q.kind = "blank"
    elif q.box:
        q.kind = "extended"
    for index, blank in enumerate(q.blanks, start=1):
        if not blank:
            raise QuestionProblem(q.line, f"blank {index} has no answer: write it inside [[...]]")


def split_row(text: str) -> list[str]:
    return [cell.strip() for cell in text.strip().strip("|").split("|")]
