"""Response areas as form controls: one per answer, readable unique names, spoken labels, no answers."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from coursepack.markup import render
from coursepack.messages import english

SHEET = """\
? The [[lathe]] spins the [[work]].

? Pick one
(x) steel
( ) water

? Select all that are metals
[x] steel
[ ] wood
[x] copper

? Robots never need maintenance.
= false

? Match each tool
saw = cuts
drill = bores

? Put in order
1. design
2. build

? Why do welders wear masks?

? Describe a day on the job. {box: 4}

? Complete the table
| Tool | Use |
|---|---|
| file | [[smooths]] |
"""


def fields(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<(input|textarea|select)\b[^>]*\bname="([^"]+)"', html)


def test_every_response_area_is_one_named_control_and_no_answer_shows():
    result = render(SHEET, 1, edition="fillable", worksheet=True, seed="tools")
    assert result.problems == []
    names = [name for _, name in fields(result.html)]
    radios = re.findall(r'type="radio"[^>]*name="([^"]+)"', result.html)
    assert sorted(set(names)) == sorted(
        ["tools-q1-b1", "tools-q1-b2", "tools-q2", "tools-q3-A", "tools-q3-B", "tools-q3-C", "tools-q4"]
        + ["tools-q5-1", "tools-q5-2", "tools-q6-A", "tools-q6-B", "tools-q7", "tools-q8", "tools-q9-r1c2"]
    )
    assert len(names) == len(set(names)) + len(radios) - len(set(radios))  # only a radio group shares a name
    assert 'title="3. Select all that are metals (C. copper)"' in result.html
    assert 'title="1. The blank spins the blank. (blank 2 of 2)"' in result.html
    assert 'title="9. Complete the table (Use, file)"' in result.html
    assert '<textarea class="field area" rows="4"' in result.html
    for answer in ("lathe", "smooths", "checked", "correct"):
        assert answer not in result.html
    assert "control-" not in result.html
    assert [q.kind for q in result.items] == [
        "blank",
        "single",
        "multiple",
        "truefalse",
        "matching",
        "ordering",
        "short",
        "extended",
        "table",
    ]


def test_print_editions_have_no_controls_and_authors_cannot_write_them():
    for edition in ("student", "teacher"):
        assert fields(render(SHEET, 1, edition=edition, worksheet=True, seed="tools").html) == []
    typed = render(
        '<input name="x" value="y"><textarea name="z">t</textarea>\n\n' + SHEET,
        1,
        edition="fillable",
        worksheet=True,
        seed="tools",
    )
    assert ("input", "x") not in fields(typed.html) and ("textarea", "z") not in fields(typed.html)


def test_field_names_stay_apart_when_ids_are_made_safe():
    from coursepack.formfields import document_field

    names = {document_field(doc_id, "q1") for doc_id in ("a b", "a-b", "a.b", "ñandú")}
    assert len(names) == 4 and all(re.fullmatch(r"[A-Za-z0-9_-]+", name) for name in names)
    assert document_field("vocabulary", "q3-b1") == "vocabulary-q3-b1"


def test_lines_after_a_sample_answer_or_note_never_print_for_students():
    for body, line in (
        ("? Solve x + 2 = 5. {lines: 2}\n> Subtract 2 from both sides:\nx + 2 - 2 = 5 - 2\nx = 3\n", 3),
        ("? Why plan?\nNote: Accept anything close to\n1. Define the problem\n", 3),
    ):
        result = render(body, 1, edition="student", worksheet=True, seed="w")
        assert result.problems[0][0] == line and "start each line of a sample answer with '>'" in result.problems[0][1]
    result = render("? Capital of France?\nAnswer: Paris\n", 1, edition="student", worksheet=True, seed="w")
    assert result.problems == [
        (2, "write a sample answer as '> …' (only the teacher edition prints it), not 'Answer: Paris'")
    ]
    wrapped = render("? Why?\n> Because it is\nsafer for everyone.\n", 1, edition="teacher", worksheet=True, seed="w")
    assert wrapped.problems == [] and wrapped.key == [(1, "Because it is safer for everyone.")]


def test_a_cell_with_two_blanks_keeps_its_text_and_has_a_field_per_blank():
    body = "? Formulas\n| Name | Formula |\n|---|---|\n| Water | [[H]]2[[O]] |\n"
    teacher = render(body, 1, edition="teacher", worksheet=True, seed="w")
    assert teacher.key == [(1, "H; O")]
    form = render(body, 1, edition="fillable", worksheet=True, seed="w")
    assert [name for _, name in fields(form.html)] == ["w-q1-r1c2-b1", "w-q1-r1c2-b2"] and ">2<" in form.html


def test_tooltips_say_blank_in_the_documents_language():
    from coursepack.messages import messages

    words = messages(Path("."), "es")
    result = render("? El [[torno]] gira.\n", 1, edition="fillable", worksheet=True, seed="w", words=words)
    assert 'title="1. El espacio gira."' in result.html


def test_quiz_answers_are_plain_text_and_its_xml_holds_no_stray_control_codes():
    from coursepack import qti
    from coursepack.fragments import inline

    body = "? Water is [[**H2O**]] and \x0bsalt is [[NaCl\\*]].\n"
    items = render(body, 1, edition="student", worksheet=True, seed="w").items
    made = qti.quiz("w", "Chemistry", items, True, english(), inline)
    root = ET.fromstring(made.xml)  # well-formed
    answers = [v.text for v in root.iter("{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}varequal")]
    assert answers == ["H2O", "NaCl*"]


def test_the_quiz_totals_what_the_printed_score_does():
    from coursepack import qti
    from coursepack.fragments import inline

    def total(body: str) -> float:
        items = render(body, 1, edition="student", worksheet=True, seed="w").items
        return sum(item.points for item in qti.quiz("w", "T", items, True, english(), inline).items)

    some = "? One {points: 2}\n(x) a\n( ) b\n\n? Two\n(x) a\n( ) b\n"
    none = "? One\n(x) a\n( ) b\n\n? Two\n(x) a\n( ) b\n"
    assert total(some) == 2 == render(some, 1, edition="student", worksheet=True, seed="w").points
    assert total(none) == 2  # no points written: each question is worth 1


def test_a_think_box_takes_a_field_in_form_editions_only():
    body = "? Why?\n\n::: think\nWhat would you change?\n:::\n\n::: think\nAnd then?\n:::\n"
    form = render(body, 1, edition="fillable", worksheet=True, seed="w")
    assert [name for _, name in fields(form.html)] == ["w-q1", "w-think-1", "w-think-2"]
    assert 'title="Think about it (2)"' in form.html
    assert fields(render(body, 1, edition="student", worksheet=True, seed="w").html) == []


def test_a_question_only_one_edition_prints_is_an_error_so_the_keys_agree():
    body = (
        "? First\n(x) a\n( ) b\n\n::: teacher\n? Bonus for the teacher\n(x) a\n( ) b\n:::\n\n? Second\n(x) a\n( ) b\n"
    )
    for edition in ("student", "teacher"):
        problems = render(body, 1, edition=edition, worksheet=True, seed="w").problems
        assert problems == [
            (
                6,
                "a question inside a '::: teacher' block is numbered in one edition only: move it out of the block "
                "(a teacher's note goes under its question as 'Note: …')",
            )
        ]
