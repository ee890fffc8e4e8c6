"""Worksheet questions as HTML for one edition and version: prompts, blanks, choices, keys, word banks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from html import escape

from . import formfields, versions
from .fragments import control_placeholder
from .messages import english
from .questions import BLANK, LETTERS, Question


def shuffled(items: list[str], seed: str) -> list[str]:
    """A fixed, non-alphabetical order, never the original one when that is avoidable."""
    order = sorted(items, key=lambda item: hashlib.sha256(f"{seed}\0{item}".encode()).hexdigest())
    if order == items and len(items) > 1:
        order = order[1:] + order[:1]
    return order


class QuestionRenderer:
    """Renders parsed questions to HTML for one edition; ``inline`` renders Markdown inline."""

    def __init__(
        self,
        teacher: bool,
        inline: Callable[[str], str],
        seed: str,
        version: int = 0,
        words: Mapping[str, str] | None = None,
        controls: dict[str, str] | None = None,
    ):
        """With ``controls`` (a form edition), response areas are form controls, kept there by placeholder."""
        self.teacher = teacher
        self.controls = controls
        self.number = 0  # the question being rendered
        self.inline = inline
        self.seed = seed
        self.version = version
        self.words = words or english()

    def arranged(self, q: Question) -> Question:
        """The question as this version prints it: choices and matching items in the version's order."""
        if not self.version:
            return q
        seed = f"{self.seed}:{q.ordinal}"
        pinned = versions.pinned_choices([label for label, _ in q.choices]) | q.pinned_choices
        choices = [q.choices[i] for i in versions.order(len(q.choices), seed, self.version, pinned)]
        pairs = [q.pairs[i] for i in versions.order(len(q.pairs), f"{seed}:left", self.version)]
        return replace(q, choices=choices, pairs=pairs)

    def in_order(self, items: list[str], ordinal: int) -> list[str]:
        """Matching answers or ordering steps as this version lists them (never as written)."""
        seed = f"{self.seed}:{ordinal}"
        base = shuffled(items, seed)
        return [base[i] for i in versions.order(len(base), seed, self.version)]

    def control(self, html: str) -> str:
        """A placeholder for a form control, which is put in after sanitising."""
        assert self.controls is not None
        placeholder = control_placeholder(len(self.controls))
        self.controls[placeholder] = html
        return placeholder

    def label(self, prompt: str, detail: str = "") -> str:
        """A control's spoken label, in the document's language."""
        return formfields.label(self.number, prompt, detail, self.words.get("blank", "blank"))

    def think(self, lines: str, heading: str) -> str:
        """A 'think about it' box's writing lines, with a field over them in a form edition."""
        if self.controls is None:
            return lines
        number = 1 + sum("-think-" in control for control in self.controls.values())
        name = formfields.document_field(self.seed, f"think-{number}")
        area = self.control(formfields.text_area(name, f"{heading} ({number})", 3))
        return lines.replace('<div class="write-lines">', f'<div class="write-lines">{area}', 1)

    def name(self, part: str = "") -> str:
        return formfields.field_name(self.seed, self.number, part)

    def render(self, q: Question, number_: int) -> str:
        self.number = number_
        points = ""
        if q.points is not None:
            points = f'<span class="q-points">{q.points:g} {self.words["point" if q.points == 1 else "points"]}</span>'
        prompt = self.blanks(q.prompt, q.prompt) if q.kind == "blank" else self.inline(q.prompt)
        body = getattr(self, f"render_{q.kind}")(q)
        notes = "".join(
            f'<p class="q-note"><span class="tag">{self.words["teacher_note"]}</span> {self.inline(n)}</p>'
            for n in q.notes
            if self.teacher
        )
        return (
            f'<div class="question q-{q.kind}"><div class="q-head"><span class="q-num">{number_}.</span>'
            f'<div class="q-prompt">{prompt}</div>{points}</div>{body}{notes}</div>'
        )

    def answer(self, text: str, cls: str = "answer") -> str:
        return f'<span class="{cls}">{self.inline(text)}</span>'

    def blanks(self, text: str, prompt: str = "", place: str = "", key: str = "") -> str:
        """Text with its ``[[answer]]`` blanks as lines; ``prompt``, ``place`` and ``key`` name their fields."""
        parts = BLANK.split(text)
        count = len(parts) // 2
        html = []
        for index, part in enumerate(parts):
            if index % 2 == 0:
                core = part.strip()
                lead, trail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()) :]
                html.append(f"{lead and ' '}{self.inline(core) if core else ''}{trail and ' '}")
            else:
                filled = self.answer(part.strip(), "fill") if self.teacher else ""  # one length: no hint
                if self.controls is not None:
                    blank = index // 2 + 1
                    of = self.words["blank_of"].replace("{n}", str(blank)).replace("{total}", str(count))
                    detail = ", ".join(d for d in (place, of if count > 1 else "") if d)
                    title = self.label(prompt or text, detail)
                    filled = self.control(formfields.text_field(self.name(f"{key}b{blank}"), title))
                html.append(f'<span class="blank blank-line">{filled}</span>')
        return "".join(html)

    def choice_list(self, q: Question, values: tuple[str, ...] = LETTERS) -> str:
        """Choices with a circle (one answer) or square (select all); ``values`` are what a form records."""
        items = []
        for index, (label, correct) in enumerate(q.choices):
            box = f'<span class="box box-{q.kind}"></span>'
            if self.controls is not None:
                letter = LETTERS[index]
                name = self.name(letter) if q.kind == "multiple" else self.name()
                title = self.label(q.prompt, f"{letter}. {formfields.spoken(label)}")
                question = self.label(q.prompt)
                box = self.control(formfields.choice(q.kind, name, values[index], question, title))
            mark = self.teacher and correct
            cls = "choice correct" if mark else "choice"
            tag = f'<span class="tag">{self.words["answer"]}</span>' if mark else ""
            items.append(
                f'<li class="{cls}">{box}<span class="letter">{LETTERS[index]}</span> {self.inline(label)}{tag}</li>'
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
                    (self.words["true"], q.answer == "true"),
                    (self.words["false"], q.answer == "false"),
                ],
            ),
            ("true", "false"),
        ).replace('class="choices"', 'class="choices inline"')

    def render_blank(self, q: Question) -> str:
        return ""

    def render_matching(self, q: Question) -> str:
        rights = self.in_order([right for _, right in q.pairs], q.ordinal)
        letter_of = {right: LETTERS[i] for i, right in enumerate(rights)}
        rows = []
        for index in range(len(q.pairs)):
            left, right = q.pairs[index]
            given = self.answer(letter_of[right], "fill") if self.teacher else ""
            if self.controls is not None:
                title = self.label(q.prompt, f"{index + 1}. {formfields.spoken(left)}")
                given = self.control(formfields.select(self.name(str(index + 1)), title, list(LETTERS[: len(rights)])))
            rows.append(
                f'<div class="m-row"><span class="m-cell slot"><span class="blank blank-xs">{given}</span></span>'
                f'<span class="m-cell">{index + 1}. {self.inline(left)}</span>'
                f'<span class="m-cell letter">{LETTERS[index]}.</span>'
                f'<span class="m-cell">{self.inline(rights[index])}</span></div>'
            )
        return f'<div class="matching">{"".join(rows)}</div>'

    def render_ordering(self, q: Question) -> str:
        steps = self.in_order(q.steps, q.ordinal)
        items = []
        places = [str(n) for n in range(1, len(steps) + 1)]
        for index, step in enumerate(steps):
            given = self.answer(str(q.steps.index(step) + 1), "fill") if self.teacher else ""
            if self.controls is not None:
                title = self.label(q.prompt, formfields.spoken(step))
                given = self.control(formfields.select(self.name(LETTERS[index]), title, places))
            items.append(f'<li><span class="blank blank-xs">{given}</span> {self.inline(step)}</li>')
        return f'<ul class="ordering">{"".join(items)}</ul>'

    def render_short(self, q: Question) -> str:
        if self.teacher and q.model:
            return self.sample(q)
        return f'<div class="lines">{self.area(q, q.lines)}' + '<div class="line"></div>' * q.lines + "</div>"

    def render_extended(self, q: Question) -> str:
        if self.teacher and q.model:
            return self.sample(q)
        lines = '<div class="line faint"></div>' * q.box
        return f'<div class="response-box">{self.area(q, q.box)}{lines}</div>'

    def area(self, q: Question, rows: int) -> str:
        """A multi-line field over a question's lines or box (nothing when printing)."""
        if self.controls is None:
            return ""
        return self.control(formfields.text_area(self.name(), self.label(q.prompt), rows))

    def sample(self, q: Question) -> str:
        text = "<br>".join(self.inline(line) for line in q.model)
        tag = f'<span class="tag">{self.words["sample_answer"]}</span>'
        return f'<div class="sample">{tag} <span class="answer">{text}</span></div>'

    def key(self, q: Question) -> str:
        """The compact answer-key entry of a question, as plain text."""
        if q.kind in ("single", "multiple"):
            return ", ".join(LETTERS[i] for i, (_, ok) in enumerate(q.choices) if ok)
        if q.kind == "truefalse":
            return self.words[q.answer]
        if q.kind in ("blank", "table"):
            return "; ".join(q.blanks)
        if q.kind == "matching":
            rights = self.in_order([right for _, right in q.pairs], q.ordinal)
            return ", ".join(f"{i}-{LETTERS[rights.index(r)]}" for i, (_, r) in enumerate(q.pairs, 1))
        if q.kind == "ordering":
            steps = self.in_order(q.steps, q.ordinal)
            return ", ".join(str(q.steps.index(step) + 1) for step in steps)
        return " ".join(q.model) or self.words["answers_will_vary"]

    def render_table(self, q: Question) -> str:
        head = "".join(f"<th>{self.inline(cell)}</th>" for cell in q.table[0])
        rows = []
        for r, row in enumerate(q.table[1:], start=1):
            cells = []
            for c, cell in enumerate(row):
                place = self.cell_place(q, r, c)
                m = BLANK.fullmatch(cell) if len(BLANK.findall(cell)) == 1 else None  # not "[[H]]2[[O]]"
                if m:
                    content = self.answer(m.group(1).strip(), "fill") if self.teacher else ""
                    if self.controls is not None:
                        title = self.label(q.prompt, place)
                        content = self.control(formfields.text_field(self.name(f"r{r}c{c + 1}"), title, "field cell"))
                    cells.append(f'<td class="to-fill">{content}</td>')
                else:
                    cells.append(f"<td>{self.blanks(cell, q.prompt, place, f'r{r}c{c + 1}-')}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return f'<table class="complete"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'

    def cell_place(self, q: Question, row: int, column: int) -> str:
        """A table cell in words: its column heading and the row's first cell ("Tool, row 2")."""
        heading = formfields.spoken(q.table[0][column]) if column < len(q.table[0]) else ""
        first = formfields.spoken(q.table[row][0]) if column and not BLANK.search(q.table[row][0]) else ""
        return ", ".join(p for p in (heading, first or self.words["row_n"].replace("{n}", str(row))) if p)


def word_bank(words: list[str], seed: str, label: str) -> str:
    """A boxed list of a part's blank answers, each once, in a fixed non-alphabetical order."""
    unique = list(dict.fromkeys(w for w in words if w))
    if not unique:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in shuffled(unique, seed))
    return f'<div class="word-bank"><span class="tag">{escape(label)}</span><ul>{items}</ul></div>'
