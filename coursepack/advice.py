"""Advice on a worksheet as a test: patterns a student could use to guess, told as notes (never refused).

Only what can be counted is checked: where the right answers of multiple-choice questions sit, how
true/false answers lean, and blank lines typed as underscores whose lengths differ.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from .model import Document
from .questions import LETTERS, QuestionProblem, parse_question

UNDERSCORES = re.compile(r"_{3,}")
FEWEST = 4  # questions of a kind before their answers' pattern means anything


def worksheet_notes(doc: Document) -> list[str]:
    """Notes on a graded worksheet's answer patterns, naming the source; none for other documents."""
    if doc.kind != "worksheet" or doc.meta.get("self_assessment"):
        return []
    positions: list[int] = []
    offered: list[int] = []  # how many choices each multiple-choice question has
    truths: list[str] = []
    lengths: set[int] = set()
    for block in question_blocks(doc.source.body, doc.source.body_line):
        try:
            question = parse_question(block, graded=True)
        except QuestionProblem:
            continue  # its problem is reported by the build
        if question.kind == "single":
            positions.append(next(index for index, (_, right) in enumerate(question.choices) if right))
            offered.append(len(question.choices))
        elif question.kind == "truefalse":
            truths.append(question.answer)
        lengths |= {len(run) for run in UNDERSCORES.findall(question.prompt)}
    notes = []
    if len(positions) >= FEWEST:
        place, count = Counter(positions).most_common(1)[0]
        if unlikely(count, len(positions), len(offered) / sum(offered)):
            notes.append(
                f"{count} of {len(positions)} multiple-choice answers are {LETTERS[place]}: "
                "a student who notices can guess; move some right answers to other letters"
            )
    if len(truths) >= FEWEST and len(set(truths)) == 1:
        notes.append(f"all {len(truths)} true/false answers are '{truths[0]}': mix true and false statements")
    if len(lengths) > 1:
        notes.append(
            "blank lines typed as underscores have different lengths, which can hint at the answers: "
            "write the answer in [[ ]] (coursepack prints every blank the same length)"
        )
    return [f"{doc.path}: note: {note}" for note in notes]


def unlikely(count: int, questions: int, chance: float) -> bool:
    """Whether one letter holding ``count`` of the right answers is unlikely by chance (under 5%, any letter)."""
    miss = 1 - chance
    tail = sum(math.comb(questions, k) * chance**k * miss ** (questions - k) for k in range(count, questions + 1))
    return count * 2 > questions and tail / chance < 0.05


def question_blocks(body: str, first_line: int) -> list[list[tuple[int, str]]]:
    """The ``? `` question blocks of a body, as (line, text) pairs (a question runs to a blank line)."""
    blocks: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] | None = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        if line.startswith("? "):
            current = [(number, line)]
            blocks.append(current)
        elif not line.strip():
            current = None
        elif current is not None:
            current.append((number, line))
    return blocks
