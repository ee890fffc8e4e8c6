"""The worksheet question syntax: parse ``? prompt`` blocks, check them, render them per edition."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from .schema import FieldProblem, number, unknown_field

BLANK = re.compile(r"\[\[(.*?)\]\]")
OPTIONS = re.compile(r"\s*\{([^{}]*)\}\s*$")
CHOICE = re.compile(r"^(\(\s?\)|\([xX]\)|\[\s?\]|\[[xX]\])\s+(.*)$")
STEP = re.compile(r"^\d+[.)]\s+(.*)$")
PAIR = re.compile(r"^(.*?)\s+=\s+(.*)$")
ANSWER = re.compile(r"^=\s*(.*)$")
LOOKS_LIKE_NOTE = re.compile(r"^(teacher\s+)?notes?\s*:", re.IGNORECASE)
NOTE = re.compile(r"^Note:\s*(.*)$", re.IGNORECASE)
OPTION_NAMES = ("points", "lines", "box")
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


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
        if m := CHOICE.match(text):
            mark, label = m.groups()
            style = "single" if mark.startswith("(") else "multiple"
            if question.choice_style and question.choice_style != style:
                raise QuestionProblem(line, "a question mixes '( )' and '[ ]' choices; use one kind")
            question.choice_style = style
            question.choices.append((label.strip(), "x" in mark.lower()))
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
    if not m or ":" not in m.group(1):
        return text, {}
    options = {}
    for part in filter(None, (p.strip() for p in m.group(1).split(","))):
        name, _, value = part.partition(":")
        name = name.strip().lower()
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
    for name, items in (("matching answers", [right for _, right in q.pairs]), ("ordering steps", q.steps)):
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


def shuffled(items: list[str], seed: str) -> list[str]:
    """A fixed, non-alphabetical order, never the original one when that is avoidable."""
    order = sorted(items, key=lambda item: hashlib.sha256(f"{seed}\0{item}".encode()).hexdigest())
    if order == items and len(items) > 1:
        order = order[1:] + order[:1]
    return order


def blank_size(answer: str) -> str:
    return "s" if len(answer) <= 8 else "m" if len(answer) <= 18 else "l"


class QuestionRenderer:
    """Renders parsed questions to HTML for one edition; ``inline`` renders Markdown inline."""

    def __init__(self, teacher: bool, inline: Callable[[str], str], seed: str):
        self.teacher = teacher
        self.inline = inline
        self.seed = seed

    def render(self, q: Question, number_: int) -> str:
        points = ""
        if q.points is not None:
            points = f'<span class="q-points">{q.points:g} pt{"s" if q.points != 1 else ""}</span>'
        prompt = self.blanks(q.prompt) if q.kind == "blank" else self.inline(q.prompt)
        body = getattr(self, f"render_{q.kind}")(q)
        notes = "".join(
            f'<p class="q-note"><span class="tag">Teacher note</span> {self.inline(n)}</p>'
            for n in q.notes
            if self.teacher
        )
        return (
            f'<div class="question q-{q.kind}"><div class="q-head"><span class="q-num">{number_}.</span>'
            f'<div class="q-prompt">{prompt}</div>{points}</div>{body}{notes}</div>'
        )

    def answer(self, text: str, cls: str = "answer") -> str:
        return f'<span class="{cls}">{self.inline(text)}</span>'

    def blanks(self, text: str) -> str:
        parts = BLANK.split(text)
        html = []
        for index, part in enumerate(parts):
            if index % 2 == 0:
                core = part.strip()
                lead, trail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()) :]
                html.append(f"{lead and ' '}{self.inline(core) if core else ''}{trail and ' '}")
            else:
                size = blank_size(part.strip())
                filled = self.answer(part.strip(), "fill") if self.teacher else ""
                html.append(f'<span class="blank blank-{size}">{filled}</span>')
        return "".join(html)

    def choice_list(self, q: Question) -> str:
        items = []
        for index, (label, correct) in enumerate(q.choices):
            mark = self.teacher and correct
            cls = "choice correct" if mark else "choice"
            tag = '<span class="tag">Answer</span>' if mark else ""
            items.append(
                f'<li class="{cls}"><span class="box box-{q.kind}"></span>'
                f'<span class="letter">{LETTERS[index]}</span> {self.inline(label)}{tag}</li>'
            )
        return f'<ul class="choices">{"".join(items)}</ul>'

    render_single = render_multiple = choice_list

    def render_truefalse(self, q: Question) -> str:
        return self.choice_list(
            Question(
                q.line,
                q.prompt,
                kind="single",
                choices=[
                    ("True", q.answer == "true"),
                    ("False", q.answer == "false"),
                ],
            )
        ).replace('class="choices"', 'class="choices inline"')

    def render_blank(self, q: Question) -> str:
        return ""

    def render_matching(self, q: Question) -> str:
        rights = shuffled([right for _, right in q.pairs], f"{self.seed}:{q.line}")
        letter_of = {right: LETTERS[i] for i, right in enumerate(rights)}
        rows = []
        for index in range(len(q.pairs)):
            left, right = q.pairs[index]
            given = self.answer(letter_of[right], "fill") if self.teacher else ""
            rows.append(
                f'<div class="m-row"><span class="m-cell slot"><span class="blank blank-xs">{given}</span></span>'
                f'<span class="m-cell">{index + 1}. {self.inline(left)}</span>'
                f'<span class="m-cell letter">{LETTERS[index]}.</span>'
                f'<span class="m-cell">{self.inline(rights[index])}</span></div>'
            )
        return f'<div class="matching">{"".join(rows)}</div>'

    def render_ordering(self, q: Question) -> str:
        steps = shuffled(q.steps, f"{self.seed}:{q.line}")
        items = []
        for step in steps:
            given = self.answer(str(q.steps.index(step) + 1), "fill") if self.teacher else ""
            items.append(f'<li><span class="blank blank-xs">{given}</span> {self.inline(step)}</li>')
        return f'<ul class="ordering">{"".join(items)}</ul>'

    def render_short(self, q: Question) -> str:
        if self.teacher and q.model:
            return self.sample(q)
        return '<div class="lines">' + '<div class="line"></div>' * q.lines + "</div>"

    def render_extended(self, q: Question) -> str:
        if self.teacher and q.model:
            return self.sample(q)
        return '<div class="response-box">' + '<div class="line faint"></div>' * q.box + "</div>"

    def sample(self, q: Question) -> str:
        text = "<br>".join(self.inline(line) for line in q.model)
        return f'<div class="sample"><span class="tag">Sample answer</span> <span class="answer">{text}</span></div>'

    def key(self, q: Question) -> str:
        """The compact answer-key entry of a question, as plain text."""
        if q.kind in ("single", "multiple"):
            return ", ".join(LETTERS[i] for i, (_, ok) in enumerate(q.choices) if ok)
        if q.kind == "truefalse":
            return q.answer.capitalize()
        if q.kind in ("blank", "table"):
            return "; ".join(q.blanks)
        if q.kind == "matching":
            rights = shuffled([right for _, right in q.pairs], f"{self.seed}:{q.line}")
            return ", ".join(f"{i}-{LETTERS[rights.index(r)]}" for i, (_, r) in enumerate(q.pairs, 1))
        if q.kind == "ordering":
            steps = shuffled(q.steps, f"{self.seed}:{q.line}")
            return ", ".join(str(q.steps.index(step) + 1) for step in steps)
        return " ".join(q.model) or "Answers will vary."

    def render_table(self, q: Question) -> str:
        head = "".join(f"<th>{self.inline(cell)}</th>" for cell in q.table[0])
        rows = []
        for row in q.table[1:]:
            cells = []
            for cell in row:
                m = BLANK.fullmatch(cell)
                if m:
                    content = self.answer(m.group(1).strip(), "fill") if self.teacher else ""
                    cells.append(f'<td class="to-fill">{content}</td>')
                else:
                    cells.append(f"<td>{self.blanks(cell)}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return f'<table class="complete"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def word_bank(words: list[str], seed: str) -> str:
    """A boxed list of a part's blank answers, each once, in a fixed non-alphabetical order."""
    unique = list(dict.fromkeys(w for w in words if w))
    if not unique:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in shuffled(unique, seed))
    return f'<div class="word-bank"><span class="tag">Word bank</span><ul>{items}</ul></div>'
