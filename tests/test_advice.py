"""Worksheets that test well: blanks that give nothing away, advice on answer patterns, large print that pairs right."""

from __future__ import annotations

import re

from conftest import REPO
from pypdf import PdfReader

from coursepack import build
from coursepack.advice import worksheet_notes
from coursepack.markup import render
from coursepack.model import Document, Source


def worksheet(body: str, meta: dict | None = None) -> Document:
    source = Source("handouts/worksheets/quiz.md", {}, {}, body, 5)
    return Document("quiz", "worksheet", source, {"self_assessment": None, **(meta or {})})


def choice(answer: int) -> str:
    marks = ["(x)" if index == answer else "( )" for index in range(4)]
    return "? Pick one.\n" + "\n".join(f"{mark} Option {index}" for index, mark in enumerate(marks)) + "\n"


def test_every_blank_is_the_same_length_whatever_its_answer():
    body = "? A [[cog]] turns a [[manufacturing execution system]].\n"
    for edition in ("student", "teacher"):
        html = render(body, 1, edition=edition, worksheet=True).html
        assert re.findall(r'class="blank ([^"]*)"', html) == ["blank-line", "blank-line"]


def test_answers_bunched_in_one_place_are_told_word_for_word():
    bunched = "\n".join([choice(1)] * 5 + [choice(2), "? Robots rest.\n= true\n"] + ["? Yes.\n= true\n"] * 3)
    assert worksheet_notes(worksheet(bunched)) == [
        "handouts/worksheets/quiz.md: note: 5 of 6 multiple-choice answers are B: a student who notices can guess; "
        "move some right answers to other letters",
        "handouts/worksheets/quiz.md: note: all 4 true/false answers are 'true': mix true and false statements",
    ]
    spread = "\n".join(  # three of seven on one letter happens by chance: no note
        [choice(1)] * 3
        + [choice(0), choice(2), choice(3), choice(0), "? Robots rest.\n= false\n"]
        + ["? Yes.\n= true\n"] * 3
    )
    assert worksheet_notes(worksheet(spread)) == []
    assert worksheet_notes(worksheet(bunched, {"self_assessment": True})) == []


def test_underscore_blanks_of_different_lengths_are_told():
    body = "? The ___ is red.\n> Apple\n\n? A ________ is long.\n> Caterpillar\n"
    assert worksheet_notes(worksheet(body)) == [
        "handouts/worksheets/quiz.md: note: blank lines typed as underscores have different lengths, which can hint "
        "at the answers: write the answer in [[ ]] (coursepack prints every blank the same length)"
    ]


def test_the_bundled_worksheets_spread_their_answers():
    course = build.load(REPO).course
    assert [note for doc in course.documents.values() for note in worksheet_notes(doc)] == []


def line_positions(path) -> list[tuple[str, float, float]]:
    """Each run of text on a page with its position (text, x, y)."""
    found: list[tuple[str, float, float]] = []
    for page in PdfReader(path).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                found.append((text.strip(), tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

        page.extract_text(visitor_text=visit)
    return found


def test_large_print_matching_keeps_items_beside_their_answers(bundled):
    runs = line_positions(bundled / "large-print/documents/match-the-role.pdf")
    item = next((x, y) for text, x, y in runs if text.startswith("1. Production"))
    letter = next((x, y) for text, x, y in runs if text == "A.")
    assert abs(item[1] - letter[1]) < 2 and letter[0] > item[0] + 100  # the same line, a column to the right


def test_the_career_map_joins_every_box_to_its_title_and_prints_legibly():
    from coursepack.templates import cluster_map

    pathways = {f"p{i}": f"Pathway number {i}" for i in range(7)}
    roles = {f"p{i}": [f"Role {i}a", f"Role {i}b"] for i in range(7)}
    listed = cluster_map("Manufacturing", pathways, roles, large=True)  # large print: a list at the page's size
    assert "<svg" not in listed and "font-size" not in listed
    assert all(f"<li>Role {i}a</li><li>Role {i}b</li>" in listed for i in range(7))
    for large, smallest in ((False, 9.5),):  # drawn for the other editions
        svg = cluster_map("Manufacturing", pathways, roles, large)
        width = float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1))
        scale = 493 / width  # drawn across a Letter page's text width (6.85 in)
        sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
        assert min(sizes) * scale >= smallest, (large, min(sizes) * scale)
        tops = {float(y) for y in re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="214"', svg)}
        drops = {float(y) for y in re.findall(r'<path d="M[\d.]+ [\d.]+ V([\d.]+)"', svg)}
        assert len(re.findall(r'<rect x="[\d.]+" y="[\d.]+" width="214"', svg)) == 7 and tops <= drops
        trunk = re.search(r'<path d="M[\d.]+ 44 V([\d.]+)"', svg)  # from the title down to the last row's bus
        assert trunk and float(trunk.group(1)) == max(tops) - 16


def test_check_gives_its_advice_again_when_nothing_changed_since_the_build(course, capsys, monkeypatch):
    from conftest import COURSE_TOML

    from coursepack.cli import main

    body = "---\ntitle: Quiz\n---\n" + "\n".join([choice(1)] * 5 + [choice(2)])
    root = course({"course.toml": COURSE_TOML, "handouts/worksheets/quiz.md": body})
    advice = "handouts/worksheets/quiz.md: note: 5 of 6 multiple-choice answers are B"
    assert main(["--course", str(root), "check"]) == 0
    first = capsys.readouterr().out
    assert advice in first
    assert main(["--course", str(root), "build", "--quiet", "--jobs", "1"]) == 0
    capsys.readouterr()
    from coursepack import loading

    monkeypatch.setattr(loading, "load", lambda root: (_ for _ in ()).throw(AssertionError("read again")))
    assert main(["--course", str(root), "check"]) == 0  # answered from the build's record, without reading
    assert capsys.readouterr().out == first
