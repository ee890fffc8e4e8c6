"""A worksheet as a QTI 1.2 quiz in the Common Cartridge 1.1 profile, made from its parsed questions.

What importers read (checked against their sources, so choices here follow them):

- The CC 1.1 profile has five item types, named in each item's ``cc_profile`` field: multiple choice,
  multiple response, true/false, fill in the blank (one ``response_str``) and essay. Moodle's CC
  importer (backup/cc/entity11.quiz.class.php) reads only those, takes the items directly under the
  assessment's ``section``, the points from ``cc_weighting`` and a blank's answers from the
  ``respcondition`` that sets SCORE to 100; an item with any other profile it leaves out.
- Canvas converts the QTI with its QTI importer, which takes a question's type from the item's
  ``question_type`` field and its points from ``points_possible`` when they are there (its own exports
  write both; see lib/cc/qti/qti_items.rb and gems/plugins/qti_exporter), so every item has them too.
- Several blanks (in a prompt, or a table's cells) become one fill-in-the-blank item per blank, the
  question's points shared among them: Canvas's own fill-in-multiple-blanks format lists each blank's
  answer in the question's presentation (fill_in_the_blank.rb reads them only from there), where any
  other LMS would show it to students; one CC item per blank keeps every answer in ``resprocessing``
  and is read by Canvas and Moodle alike.
- Matching has no CC type: it is written as Canvas writes its ``matching_question`` (one
  ``response_lid`` per left item, choosing among the right items), with no ``cc_profile``, so Moodle
  leaves it out. CC has no ordering type and neither has Canvas's classic quiz: Canvas itself imports
  a QTI ``orderInteraction`` as a matching question (order_interaction.rb), so an ordering question is
  a matching question here too: each step, as the worksheet prints it, matched to its place.
- Answers are only in ``resprocessing``, where an LMS keeps them from students. Sample answers and
  teacher notes are written nowhere: an essay item has no feedback or solution at all.

Identifiers are digests of the document id and the question's ordinal, so the same sources always give
the same bytes, and no identifier says which choice is right.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from . import formfields
from .questionhtml import shuffled
from .questions import BLANK, Question
from .versions import order

NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters XML 1.0 cannot hold

NAMESPACE = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
SCHEMA = "http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_qtiasiv1p2p1_v1p0.xsd"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
TOKEN = "qtiblanktoken{}x"  # stands for a blank while the prompt's Markdown is rendered (plain letters)


@dataclass(frozen=True)
class Kind:
    """How a question is written: its CC 1.1 profile ("" when CC has none) and Canvas's question type."""

    profile: str
    canvas: str


KINDS = {
    "single": Kind("cc.multiple_choice.v0p1", "multiple_choice_question"),
    "multiple": Kind("cc.multiple_response.v0p1", "multiple_answers_question"),
    "truefalse": Kind("cc.true_false.v0p1", "true_false_question"),
    "blank": Kind("cc.fib.v0p1", "short_answer_question"),
    "matching": Kind("", "matching_question"),
    "essay": Kind("cc.essay.v0p1", "essay_question"),
}


@dataclass(frozen=True)
class Item:
    """One question as written into the quiz: its type and points, for the summary and the tests."""

    ident: str
    kind: str  # a key of KINDS
    points: float


@dataclass(frozen=True)
class Quiz:
    """A worksheet's quiz: the assessment file and what it holds."""

    ident: str
    title: str
    xml: bytes
    items: tuple[Item, ...]


def ident(*parts: object) -> str:
    """A stable identifier (an XML name) from the parts it stands for."""
    return "i" + hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()[:24]


def kind_of(q: Question) -> str:
    """The quiz type of a parsed question."""
    if q.kind in ("single", "multiple", "truefalse", "matching"):
        return q.kind
    if q.kind == "ordering":
        return "matching"
    if q.kind in ("blank", "table"):
        return "blank"  # one item per blank
    return "essay"  # short and extended responses


def quiz(
    doc_id: str,
    title: str,
    questions: list[Question],
    graded: bool,
    words: Mapping[str, str],
    html: Callable[[str], str],
) -> Quiz:
    """The quiz of a worksheet's questions (the student edition's, version A); ``html`` renders inline Markdown.

    An ungraded worksheet (a self-assessment) is a quiz worth nothing, with no answer marked right. A question
    without points is worth 1, or 0 when others have points: the quiz totals what the printed Score does.
    """
    quiz_id = ident(doc_id, "quiz")
    root = ET.Element(
        "questestinterop", {"xmlns": NAMESPACE, "xmlns:xsi": XSI, "xsi:schemaLocation": f"{NAMESPACE} {SCHEMA}"}
    )
    assessment = ET.SubElement(root, "assessment", ident=quiz_id, title=title)
    fields(assessment, (("cc_profile", "cc.exam.v0p1"), ("qmd_assessmenttype", "Examination")))
    section = ET.SubElement(assessment, "section", ident=ident(doc_id, "section"))
    if any(q.points is not None for q in questions):  # the printed Score adds up only the points written
        questions = [q if q.points is not None else replace(q, points=0.0) for q in questions]
    made = []
    for number, q in enumerate(questions, start=1):
        if kind_of(q) == "blank" and len(q.blanks) > 1:
            for blank in range(1, len(q.blanks) + 1):
                made.append(ItemWriter(doc_id, q, graded, words, html, blank).write(section, f"{number}.{blank}"))
        else:
            made.append(ItemWriter(doc_id, q, graded, words, html).write(section, str(number)))
    ET.indent(root)
    body = NOT_XML.sub(b"", ET.tostring(root, encoding="utf-8", xml_declaration=False))  # a Word export's stray codes
    xml = b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
    return Quiz(quiz_id, title, xml + b"\n", tuple(made))


def fields(parent: ET.Element, pairs: tuple[tuple[str, str], ...]) -> None:
    """A ``qtimetadata`` block of label/entry fields."""
    meta = ET.SubElement(parent, "qtimetadata")
    for label, entry in pairs:
        field = ET.SubElement(meta, "qtimetadatafield")
        ET.SubElement(field, "fieldlabel").text = label
        ET.SubElement(field, "fieldentry").text = entry


def material(parent: ET.Element, html: str) -> None:
    """HTML text, escaped into ``mattext`` as QTI 1.2 carries it."""
    ET.SubElement(ET.SubElement(parent, "material"), "mattext", texttype="text/html").text = html


def prompt(parent: ET.Element, html: str) -> None:
    """A question's text, in a block as Canvas writes it (a prompt may hold a table)."""
    material(parent, f"<div>{html}</div>")


def plain(parent: ET.Element, text: str) -> None:
    ET.SubElement(ET.SubElement(parent, "material"), "mattext", texttype="text/plain").text = text


def in_print_order(items: list[str], seed: str) -> list[str]:
    """Matching answers or ordering steps in the order the student edition (version A) prints them."""
    base = shuffled(items, seed)
    return [base[i] for i in order(len(base), seed, 0)]


class ItemWriter:
    """Writes one question as a QTI item."""

    def __init__(
        self,
        doc_id: str,
        q: Question,
        graded: bool,
        words: Mapping[str, str],
        html: Callable[[str], str],
        blank: int = 0,
    ) -> None:
        """``blank``: which of a question's several blanks this item asks for (0: the whole question)."""
        self.doc_id, self.q, self.graded, self.words, self.html, self.blank = doc_id, q, graded, words, html, blank
        self.kind = kind_of(q)
        points = (q.points if q.points is not None else 1.0) if graded else 0.0
        self.points = points / len(q.blanks) if blank else points

    def id(self, *parts: object) -> str:
        return ident(self.doc_id, self.q.ordinal, *((self.blank,) if self.blank else ()), *parts)

    def write(self, section: ET.Element, number: str) -> Item:
        kind = KINDS[self.kind]
        item = ET.SubElement(section, "item", ident=self.id(), title=number)
        points = f"{self.points:g}"
        meta = [("cc_profile", kind.profile), ("cc_weighting", points)] if kind.profile else []
        if self.kind == "essay":
            meta.append(("qmd_computerscored", "No"))
        fields(
            ET.SubElement(item, "itemmetadata"), (*meta, ("question_type", kind.canvas), ("points_possible", points))
        )
        presentation = ET.SubElement(item, "presentation")
        processing = ET.Element("resprocessing")
        outcomes = ET.SubElement(processing, "outcomes")
        ET.SubElement(outcomes, "decvar", varname="SCORE", vartype="Decimal", minvalue="0", maxvalue="100")
        getattr(self, f"write_{self.kind}")(presentation, processing)
        item.append(processing)
        return Item(item.get("ident", ""), self.kind, self.points)

    # ------------------------------------------------------------ choices

    def choices(self, presentation: ET.Element, labels: list[str], cardinality: str) -> list[str]:
        prompt(presentation, self.html(self.q.prompt))
        lid = ET.SubElement(presentation, "response_lid", ident="response1", rcardinality=cardinality)
        render = ET.SubElement(lid, "render_choice")  # choices in the order printed on paper
        idents = [self.id("choice", index) for index in range(len(labels))]
        for label_id, label in zip(idents, labels, strict=True):
            material(ET.SubElement(render, "response_label", ident=label_id), label)
        return idents

    def correct(self, processing: ET.Element, condition: ET.Element) -> None:
        """The condition that scores 100 (nothing for an ungraded worksheet)."""
        if not self.graded:
            return
        respcondition = ET.SubElement(processing, "respcondition", {"continue": "No"})
        respcondition.append(condition)
        ET.SubElement(respcondition, "setvar", varname="SCORE", action="Set").text = "100"

    def write_single(self, presentation: ET.Element, processing: ET.Element) -> None:
        idents = self.choices(presentation, [self.html(label) for label, _ in self.q.choices], "Single")
        right = [i for i, (_, ok) in zip(idents, self.q.choices, strict=True) if ok]
        condition = ET.Element("conditionvar")
        if right:
            ET.SubElement(condition, "varequal", respident="response1").text = right[0]
            self.correct(processing, condition)

    def write_truefalse(self, presentation: ET.Element, processing: ET.Element) -> None:
        idents = self.choices(presentation, [self.words["true"], self.words["false"]], "Single")
        condition = ET.Element("conditionvar")
        ET.SubElement(condition, "varequal", respident="response1").text = idents[self.q.answer == "false"]
        self.correct(processing, condition)

    def write_multiple(self, presentation: ET.Element, processing: ET.Element) -> None:
        idents = self.choices(presentation, [self.html(label) for label, _ in self.q.choices], "Multiple")
        condition = ET.Element("conditionvar")
        every = ET.SubElement(condition, "and")  # each right choice marked, and no other
        for label_id, (_, ok) in zip(idents, self.q.choices, strict=True):
            parent = every if ok else ET.SubElement(every, "not")
            ET.SubElement(parent, "varequal", respident="response1").text = label_id
        self.correct(processing, condition)

    # ------------------------------------------------------------ blanks

    def write_blank(self, presentation: ET.Element, processing: ET.Element) -> None:
        """A blank (or one of several, each shown numbered) as a CC fill-in-the-blank item."""
        q, count = self.q, len(self.q.blanks)
        html = self.with_blanks(q.prompt, lambda n: "_____" + (f" ({n})" if count > 1 else ""))
        if q.table:
            html += self.table()
        if count > 1:
            asked = self.words["blank_of"].replace("{n}", str(self.blank)).replace("{total}", str(count))
            html += f"<p><strong>{asked[:1].upper() + asked[1:]}</strong></p>"
        prompt(presentation, html)
        response = ET.SubElement(presentation, "response_str", ident="response1", rcardinality="Single")
        ET.SubElement(ET.SubElement(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
        condition = ET.Element("conditionvar")
        answer = formfields.spoken(q.blanks[max(self.blank, 1) - 1])  # as the key prints it: "H2O", not "**H2O**"
        ET.SubElement(condition, "varequal", respident="response1", case="No").text = answer
        self.correct(processing, condition)

    def with_blanks(self, text: str, shown: Callable[[int], str], start: int = 1) -> str:
        """Markdown with ``[[answer]]`` blanks rendered to HTML, each blank shown without its answer."""
        count = iter(range(start, start + len(BLANK.findall(text))))
        tokens = BLANK.sub(lambda m: TOKEN.format(next(count)), text)
        rendered = self.html(tokens) if tokens.strip() else ""
        return re.sub(TOKEN.format(r"(\d+)"), lambda m: shown(int(m.group(1))), rendered)

    def table(self) -> str:
        """A table question's table, its blanks numbered after the prompt's."""
        q, seen = self.q, len(BLANK.findall(self.q.prompt))
        head = "".join(f"<th>{self.html(cell)}</th>" for cell in q.table[0])
        rows = []
        for row in q.table[1:]:
            cells = []
            for cell in row:
                cells.append(f"<td>{self.with_blanks(cell, lambda n: f'_____ ({n})', seen + 1)}</td>")
                seen += len(BLANK.findall(cell))
            rows.append(f"<tr>{''.join(cells)}</tr>")
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"

    # ------------------------------------------------------------ matching, ordering, essays

    def write_matching(self, presentation: ET.Element, processing: ET.Element) -> None:
        """Each left item chooses among the right items, as printed; an ordering question's steps choose a place."""
        q = self.q
        seed = f"{self.doc_id}:{q.ordinal}"
        if q.kind == "ordering":
            lefts = in_print_order(q.steps, seed)
            rights = [str(n) for n in range(1, len(q.steps) + 1)]
            answers = [str(q.steps.index(step) + 1) for step in lefts]
        else:
            lefts = [left for left, _ in q.pairs]
            rights = in_print_order([right for _, right in q.pairs], seed)
            answers = [right for _, right in q.pairs]
        prompt(presentation, self.html(q.prompt))
        right_ids = {right: self.id("match", index) for index, right in enumerate(rights)}
        share = f"{100 / len(lefts):.2f}"
        for index, (left, answer) in enumerate(zip(lefts, answers, strict=True)):
            respident = f"response_{self.id('left', index)}"
            lid = ET.SubElement(presentation, "response_lid", ident=respident)
            material(lid, self.html(left))
            render = ET.SubElement(lid, "render_choice")
            for right in rights:
                material(ET.SubElement(render, "response_label", ident=right_ids[right]), self.html(right))
            if self.graded:
                respcondition = ET.SubElement(processing, "respcondition")
                condition = ET.SubElement(respcondition, "conditionvar")
                ET.SubElement(condition, "varequal", respident=respident).text = right_ids[answer]
                ET.SubElement(respcondition, "setvar", varname="SCORE", action="Add").text = share

    def write_essay(self, presentation: ET.Element, processing: ET.Element) -> None:
        """A short or extended response: graded by the teacher; no sample answer anywhere."""
        prompt(presentation, self.html(self.q.prompt))
        response = ET.SubElement(presentation, "response_str", ident="response1", rcardinality="Single")
        ET.SubElement(ET.SubElement(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
        respcondition = ET.SubElement(processing, "respcondition", {"continue": "No"})
        ET.SubElement(ET.SubElement(respcondition, "conditionvar"), "other")
