"""Teacher pages: what a teacher packet adds after each document's student pages, and where."""

from __future__ import annotations

from conftest import COURSE_TOML, ROLE, outline, pages_text, squash
from pypdf import PdfReader
from test_packets import poster

from coursepack import workers
from coursepack.cli import main
from coursepack.compose import BLANK, body_pages
from coursepack.supplement import Note, interleaved, teacher_notes


def test_teacher_notes_are_the_parts_of_a_body_holding_teacher_text_under_their_headings():
    html = (
        "<h2>Start</h2><p>Read this.</p>"
        '<aside class="teacher-only block-teacher"><p>Tip one</p></aside>'
        '<aside class="teacher-only block-teacher"><p>Tip two</p></aside>'
        "<h2>Try it</h2>"
        '<aside class="lesson-box block-challenge"><p>Question</p>'
        '<aside class="teacher-only block-solution"><p>Solution</p></aside></aside>'
        '<h2>Try it</h2><aside class="teacher-only block-teacher"><p>Again</p></aside>'
        '<pre><code>&lt;aside class="teacher-only"&gt; shown to students &lt;/aside&gt;</code></pre>'
    )
    notes = teacher_notes(html)
    assert [note.heading for note in notes] == ["Start", "Try it", "Try it"]  # two sections: named twice
    assert "Tip one" in notes[0].html and "Tip two" in notes[0].html  # one heading: named once
    assert "Question" in notes[1].html and "Solution" in notes[1].html  # the challenge comes with its solution
    assert "shown to students" not in "".join(note.html for note in notes)  # code is not a note
    assert teacher_notes("<h2>A</h2><p>Nothing for teachers.</p>") == []
    assert teacher_notes('<aside class="teacher-only"><p>First</p></aside>') == [
        Note("", '<aside class="teacher-only"><p>First</p></aside>')
    ]


def test_teacher_pages_keep_every_student_page_on_its_number_and_side():
    places = body_pages([3, 2], duplex=True)  # 1 2 3 (blank 4) 5 6
    body, labels = interleaved(places, {0: (2, 1)}, duplex=True, right=True)
    named = [workers.label_text(label) for label in labels]
    assert named == ["1", "2", "3", "4", "4a", "4b", "5", "6"]
    assert body[4] == (2, 0) and body[5] is BLANK  # the teacher page starts on a right-hand page, padded
    for number in range(1, 7):
        assert named.index(str(number)) % 2 == (number - 1) % 2
    # documents on any page: the teacher pages follow at once, and no sheet is left blank on both sides
    places = body_pages([1], duplex=True, right=False)
    body, labels = interleaved(places, {0: (1, 1)}, duplex=True, right=False)
    assert body == [(0, 0), (1, 0)] and [workers.label_text(label) for label in labels] == ["1", "1a"]
    # not duplex: no padding at all
    body, labels = interleaved(body_pages([2, 1], duplex=False), {0: (2, 3)}, duplex=False, right=True)
    assert [workers.label_text(label) for label in labels] == ["1", "2", "2a", "2b", "2c", "3"]
    assert workers.label_text(("9", 27)) == "9aa" and workers.label_text(("9", 28)) == "9bb"  # as PDF letters


ROLE_WITH_NOTE = ROLE.format(title="Welder", related="assembler") + "\n::: teacher\nBring a welding helmet.\n:::\n"


def test_a_role_sheet_with_a_teacher_note_gets_teacher_pages(course, capsys):
    root = course({"handouts/roles/welder.md": ROLE_WITH_NOTE})
    assert main(["--course", str(root), "build", "--strict", "--jobs", "1"]) == 0, capsys.readouterr().err
    teacher = root / "build/teacher/unit.pdf"
    labels = PdfReader(str(teacher)).page_labels
    notes = [page for depth, title, page in outline(teacher) if title == "Welder · Teacher notes"]
    assert len(notes) == 1 and not labels[notes[0]].isdigit()
    assert "Bring a welding helmet." in squash(pages_text(teacher)[notes[0]])
    assert "welding helmet" not in " ".join(pages_text(root / "build/student/unit.pdf"))


def test_a_bound_pdf_takes_as_many_pages_as_it_has(course, capsys):
    toml = COURSE_TOML.replace('documents = ["intro", "roles/*"]', 'documents = ["handouts/poster.pdf", "welder"]')
    root = course(
        {
            "course.toml": toml.replace('school = "Lincoln High"', 'school = "Lincoln High"\nduplex = true'),
            "handouts/poster.pdf": poster(),
        }
    )
    assert main(["--course", str(root), "build", "--jobs", "1"]) == 0, capsys.readouterr().err
    for edition in ("student", "teacher"):
        path = root / "build" / edition / "unit.pdf"
        labels = PdfReader(str(path)).page_labels
        starts = {title: labels[page] for depth, title, page in outline(path) if depth == 1}
        assert starts["Welder"] == "3", edition  # the poster's two pages, then the role sheet


def test_the_teacher_contents_link_each_answer_key_to_its_lettered_page(bundled):
    reader = PdfReader(str(bundled / "teacher" / "unit-1.pdf"))
    labels = reader.page_labels
    front = labels.index("1")
    targets = {}
    for page in reader.pages[1:front]:
        for annotation in page.get("/Annots", []):
            name = str(annotation.get_object().get("/Dest", ""))
            if name.startswith("teacher-"):
                targets[name] = labels[reader.get_destination_page_number(reader.named_destinations[name])]
    assert targets["teacher-vocabulary"] == "8a" and targets["teacher-01-what-is-manufacturing"] == "6a"
    contents = squash(" ".join(pages_text(bundled / "teacher" / "unit-1.pdf")[1:front]))
    assert "Answer key · page 8a" in contents and "Teacher notes · page 6a" in contents
