"""Worksheet questions as HTML for one edition and version: prompts, blanks, choices, keys, word banks."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import replace
from html import escape

from . import versions
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
    ):
        self.teacher = teacher
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

    def render(self, q: Question, number_: int) -> str:
        points = ""
        if q.points is not None:
            points = f'<span class="q-points">{q.points:g} {self.words["point" if q.points == 1 else "points"]}</span>'
        prompt = self.blanks(q.prompt) if q.kind == "blank" else self.inline(q.prompt)
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

    def blanks(self, text: str) -> str:
        parts = BLANK.split(text)
        html = []
        for index, part in enumerate(parts):
            if index % 2 == 0:
                core = part.strip()
                lead, trail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()) :]
                html.append(f"{lead and ' '}{self.inline(core) if core else ''}{trail and ' '}")
            else:
                filled = self.answer(part.strip(), "fill") if self.teacher else ""  # one length: no hint
                html.append(f'<span class="blank blank-line">{filled}</span>')
        return "".join(html)

    def choice_list(self, q: Question) -> str:
        items = []
        for index, (label, correct) in enumerate(q.choices):
            mark = self.teacher and correct
            cls = "choice correct" if mark else "choice"
            tag = f'<span class="tag">{self.words["answer"]}</span>' if mark else ""
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
                    (self.words["true"], q.answer == "true"),
                    (self.words["false"], q.answer == "false"),
                ],
            )
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


def word_bank(words: list[str], seed: str, label: str) -> str:
    """A boxed list of a part's blank answers, each once, in a fixed non-alphabetical order."""
    unique = list(dict.fromkeys(w for w in words if w))
    if not unique:
        return ""
    items = "".join(f"<li>{escape(w)}</li>" for w in shuffled(unique, seed))
    return f'<div class="word-bank"><span class="tag">{escape(label)}</span><ul>{items}</ul></div>'
