"""Shortcuts in the Markdown stage give exactly what the long way gives."""

import random
import re

import pytest

from coursepack.fragments import PLAIN_TEXT, inline_converter
from coursepack.markup import render, render_editions

EDITIONS = ("student", "teacher", "large-print")


def converted(text: str) -> str:
    html = inline_converter().reset().convert(text)
    return re.sub(r"^<p>(.*)</p>$", r"\1", html, flags=re.DOTALL)


def test_plain_text_is_what_markdown_makes_of_it():
    alphabet = "aZ09 ,.;:?!()%/+=-" + "ab" * 4
    rng = random.Random(11)
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(20000)]
    samples += ["1. First", "2023. A year", "Well -- yes", "Wait...", "a  b", "Trailing ", "3D printing", "A-B"]
    plain = [text for text in samples if PLAIN_TEXT.fullmatch(text)]
    assert len(plain) > 5000
    assert [text for text in plain if converted(text) != text] == []
    assert not any(PLAIN_TEXT.fullmatch(t) for t in ("1. First", "Well -- yes", "Wait...", "a  b", "Trailing "))


BODIES = {
    "prose": "## Heading\n\nPlain *text* with a [link](#heading).\n",
    "teacher block": "Intro.\n\n::: teacher\n## Notes\nA tip.\n:::\n",
    "student block": "Intro.\n\n::: student\nOnly students.\n:::\n",
    "student class": 'Intro.\n\n<p class="student">Hidden?</p>\n',
    "teacher class": 'Intro.\n\n<p class="teacher">Hidden?</p>\n',
    "map": "Before.\n\n::: cluster-map\n:::\n",
    "nested map": "::: callout\n## Map\n::: cluster-map\n:::\n:::\n",
    "bad block": "::: nonsense\nText.\n:::\n",
    "hidden problem": "::: teacher\n::: nonsense\nx\n:::\n:::\n",
}
WORKSHEETS = {
    "choice": "? Which role bridges design and production? {points: 2}\n( ) Welder\n(x) Manufacturing engineer",
    "blank": "? A [[manufacturing engineer]] bridges design and [[production]].",
    "matching": "? Match each role.\nWelder = Joins metal\nInspector = Checks parts\nNote: Accept synonyms.",
    "question in a block": "::: callout\n? Robots never rest.\n= false\n:::\n",
    "no questions": "Just words.\n",
    "no questions, leak": 'Just words.\n\n<p class="teacher">x</p>\n',
    "word bank": "## Part A {word bank}\n\n? A [[robot]] welds.\n\n? A [[welder]] joins.\n",
}


def one_by_one(body: str, worksheet: bool) -> dict:
    return {
        edition: render(
            body, 4, edition=edition, worksheet=worksheet, seed="d", blocks={"cluster-map": f"<svg>{edition}</svg>"}
        )
        for edition in EDITIONS
    }


@pytest.mark.parametrize(
    "body, worksheet",
    [(b, False) for b in BODIES.values()] + [(b, True) for b in WORKSHEETS.values()],
    ids=[*BODIES, *WORKSHEETS],
)
def test_editions_read_once_are_those_rendered_one_by_one(body, worksheet):
    blocks = {edition: {"cluster-map": f"<svg>{edition}</svg>"} for edition in EDITIONS}
    together = render_editions(body, 4, blocks, worksheet=worksheet, seed="d")
    alone = one_by_one(body, worksheet)
    for edition in EDITIONS:
        mine, theirs = together[edition], alone[edition]
        assert (mine.html, sorted(mine.problems)) == (theirs.html, sorted(theirs.problems)), edition
        assert (mine.questions, mine.points, mine.key, mine.images) == (
            theirs.questions,
            theirs.points,
            theirs.key,
            theirs.images,
        )
