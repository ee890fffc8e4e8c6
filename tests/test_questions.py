"""The worksheet question syntax: every type in both editions, and every validation error."""

import re
from pathlib import Path

import pytest

from coursepack.markup import render

README = Path(__file__).resolve().parent.parent / "README.md"

EXAMPLES = {
    "single": "? Which role bridges design and production? {points: 2}\n( ) Production worker\n(x) Manufacturing engineer\n( ) Factory manager",
    "multiple": "? Which are sectors? Select all that apply.\n[x] Aerospace\n[ ] Banking\n[x] Textiles",
    "truefalse": "? Robots never need maintenance.\n= false",
    "blank": "? A [[manufacturing engineer]] bridges design and [[production]].",
    "matching": "? Match each role to its duty.\nWelder = Joins metal parts\nInspector = Checks parts\nPlanner = Orders materials",
    "ordering": "? Put the steps in order.\n1. Design\n2. Prototype\n3. Produce\n4. Ship",
    "short": "? Explain one way automation creates jobs. {lines: 4}\n> Robots need technicians to maintain them.",
    "extended": "? Describe a career you would like. {box: 6}\n> Names a role and two duties.",
    "table": "? Complete the table.\n| Role | Pathway |\n|---|---|\n| Welder | [[Production]] |\n| Inspector | Quality |",
}


def worksheet(body: str, edition: str, graded: bool = True):
    return render(body, 10, edition=edition, worksheet=True, graded=graded, seed="w")


@pytest.mark.parametrize("kind", list(EXAMPLES))
def test_each_question_type_renders_in_both_editions(kind):
    student = worksheet(EXAMPLES[kind], "student")
    teacher = worksheet(EXAMPLES[kind], "teacher")
    assert student.problems == teacher.problems == []
    assert f'class="question q-{kind}"' in student.html
    assert f'class="question q-{kind}"' in teacher.html
    assert 'class="fill"' not in student.html and "correct" not in student.html
    assert "Sample answer" not in student.html
    assert ('class="fill"' in teacher.html) or ("correct" in teacher.html) or ("Sample answer" in teacher.html)


def test_student_edition_hides_every_answer():
    body = "\n\n".join(EXAMPLES.values())
    student, teacher = worksheet(body, "student"), worksheet(body, "teacher")
    for answer in ("manufacturing engineer", "Robots need technicians", "Names a role", ">Production<"):
        assert answer not in student.html
        assert answer in teacher.html
    assert student.questions == 9 and student.points == 2


def test_points_lines_and_boxes():
    html = worksheet(EXAMPLES["short"] + "\n\n" + EXAMPLES["extended"], "student").html
    assert html.count('<div class="line"></div>') == 4
    assert '<div class="response-box">' + '<div class="line faint"></div>' * 6 + "</div>" in html


def test_matching_and_ordering_are_shuffled_in_a_fixed_way():
    first = worksheet(EXAMPLES["matching"] + "\n\n" + EXAMPLES["ordering"], "student")
    again = worksheet(EXAMPLES["matching"] + "\n\n" + EXAMPLES["ordering"], "student")
    assert first.html == again.html
    steps = re.findall(r"</span> (Design|Prototype|Produce|Ship)</li>", first.html)
    assert sorted(steps) == sorted(["Design", "Prototype", "Produce", "Ship"])
    assert steps != ["Design", "Prototype", "Produce", "Ship"]


def test_word_bank_lists_each_blank_once_not_alphabetically():
    body = "## Part A {word bank}\n\n? The [[sector]] and the [[pathway]] and [[automation]].\n\n? One more [[sector]]."
    html = worksheet(body, "student").html
    bank = re.search(r'<div class="word-bank">.*?</div>', html).group(0)
    words = re.findall(r"<li>(.*?)</li>", bank)
    assert sorted(words) == ["automation", "pathway", "sector"]
    assert "{word bank}" not in html


def test_key_entries_give_a_compact_answer_list():
    key = dict(worksheet("\n\n".join(EXAMPLES.values()), "teacher").key)
    assert key[1] == "B"
    assert key[2] == "A, C"
    assert key[3] == "False"
    assert key[4] == "manufacturing engineer; production"
    assert key[9] == "Production"


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("? Pick one.\n( ) A\n( ) B", 10, "multiple-choice question has no correct answer: mark one choice '(x)'"),
        (
            "? Pick one.\n(x) A\n(x) B",
            10,
            "multiple-choice question has 2 correct answers: mark exactly one '(x)', or use '[x]' boxes for select-all",
        ),
        ("? Pick some.\n[ ] A\n[ ] B", 10, "select-all question has no correct answer: mark at least one '[x]'"),
        ("? The [[ ]] is blank.", 10, "blank 1 has no answer: write it inside [[...]]"),
        ("? Match.\nA = 1\nB =", 12, "matching lists have unequal length: 'B' has no match on its right"),
        ("? Match.\nA = 1\nB = 2\n= 3", 13, "matching lists have unequal length: '3' has no match on its left"),
        ("? Q {points: two}", 10, "points must be a number, not 'two'"),
        ("? Q {point: 2}", 10, "unknown option 'point' (did you mean 'points'?)"),
        ("? Q {lines: 0}", 10, "lines must be a whole number from 1 to 40, not '0'"),
        ("?\n( ) A\n(x) B", 10, "the question has no prompt: write it after '? '"),
        ("? Q\n( ) A\n[x] B", 12, "a question mixes '( )' and '[ ]' choices; use one kind"),
        ("## Part A\n\nJust text.", 10, "the worksheet has no questions: start each question with '? '"),
        ("::: teacher\nNo end", 10, "the '::: teacher' block is not closed: add a line ':::' after it"),
        (
            "::: teachr\n:::",
            10,
            "unknown block 'teachr' (did you mean 'teacher'?) (known blocks are listed in the README; "
            "add your own under [blocks] in course.toml)",
        ),
    ],
)
def test_validation_errors_word_for_word(body, line, message):
    assert worksheet(body, "student").problems == [(line, message)]


def test_self_assessment_needs_no_correct_answer():
    body = "? I like fixing machines.\n( ) Not like me\n( ) A little like me\n( ) Very like me"
    assert worksheet(body, "teacher", graded=False).problems == []


def test_teacher_blocks_only_in_teacher_edition():
    body = "Intro.\n\n::: teacher\nAsk about **cereal**.\n:::\n\nAfter."
    student = render(body, 1, edition="student")
    teacher = render(body, 1, edition="teacher")
    assert "cereal" not in student.html and "After." in student.html
    assert (
        '<aside class="teacher-only block-teacher"><p class="teacher-label">Teacher</p><p>Ask about <strong>cereal</strong>.</p></aside>'
        in teacher.html
    )


def test_raw_html_is_sanitised_and_templates_print_literally():
    body = '<script>alert(1)</script><p style="color:red" onclick="x()">Hi {{ secret }}</p><iframe src="http://x"></iframe>'
    html = render(body, 1, edition="student").html
    assert "<script" not in html and "style=" not in html and "onclick" not in html and "iframe" not in html
    assert "Hi {{ secret }}" in html


def readme_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## Writing worksheet questions", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```markdown\n(.*?)```", section, flags=re.DOTALL)


def test_readme_examples_parse_and_render():
    examples = readme_examples()
    assert len(examples) >= 9
    for example in examples:
        for edition in ("student", "teacher"):
            result = worksheet(example, edition)
            assert result.problems == [], example
            assert result.questions >= 1


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("? Match.\nA = 1\nB = 1", 10, "matching answers must all differ: '1' appears twice"),
        ("? Order.\n1. Cut\n2. Cut", 10, "ordering steps must all differ: 'Cut' appears twice"),
        ("? Robots are new.\n= yes", 11, "a true/false answer is written '= true' or '= false', not '= yes'"),
        ("? Q {points: -3}", 10, "points cannot be negative: '-3'"),
        (
            "? Pick.\n" + "\n".join(f"( ) {i}" for i in range(27)) + "\n(x) right",
            10,
            "a question can have at most 26 choices; split it in two",
        ),
    ],
)
def test_more_validation_errors(body, line, message):
    assert worksheet(body, "student").problems == [(line, message)]


def test_one_equation_or_numbered_line_stays_in_the_prompt():
    result = worksheet("? Solve for x:\nx + 3 = 5 {lines: 2}", "student")
    assert result.problems == [] and "x + 3 = 5" in result.html and "q-short" in result.html
    result = worksheet("? Which set is {a, b}? Explain. {lines: 2}", "student")
    assert result.problems == [] and "{a, b}" in result.html


def test_questions_in_teacher_blocks_share_numbering_and_report_problems():
    body = "? One.\n= true\n\n::: teacher\n? Two {points: 2}\n= false\n:::\n\n? Three.\n= true"
    teacher = worksheet(body, "teacher")
    assert [number for number, _ in teacher.key] == [1, 2, 3] and teacher.points == 2
    broken = "? One.\n= true\n\n::: teacher\n? Bad {points: x}\n:::"
    assert (14, "points must be a number, not 'x'") in worksheet(broken, "teacher").problems


def test_code_footnotes_and_anchors_are_rendered_and_unique():
    body = "See [the note](#making-things).[^1]\n\n## Making things\n\n```\nG01 X10\n```\n\n[^1]: A footnote."
    html = render(body, 1, edition="student", seed="intro").html
    assert "<pre><code>G01 X10" in html
    assert 'id="intro--making-things"' in html and 'href="#intro--making-things"' in html
    assert 'id="intro--fn:1"' in html
