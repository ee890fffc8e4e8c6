"""The bundled course, built once: every document, both editions, packets, and what shows where."""

from __future__ import annotations

import re

import pytest
import textstat
from conftest import REPO, outline, pages_text, squash
from pypdf import PdfReader

from coursepack import build

PLAN = build.load(REPO)
COURSE = PLAN.course
DOCS = COURSE.documents
ROLES = [d for d in DOCS.values() if d.kind == "role"]
READINGS = [d for d in DOCS.values() if d.kind in ("lesson", "overview")]
WORKSHEETS = [d for d in DOCS.values() if d.kind == "worksheet"]
QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u2014": "-", "\u2013": "-"})


def plain(text: str) -> str:
    """Text for comparing sources with extracted PDF text: no markup, straight quotes, folded spaces."""
    text = re.sub(r"[*_`#>|]", "", text).translate(QUOTES)
    return squash(re.sub(r"\[\[(.*?)\]\]", r"\1", text))


def pdf_text(path) -> str:
    return plain(" ".join(pages_text(path)))


def teacher_snippets(doc) -> list[str]:
    """A distinctive run of words from every paragraph or item of the teacher-only blocks."""
    blocks = re.findall(r"^::: teacher\n(.*?)^:::$", doc.source.body, flags=re.DOTALL | re.MULTILINE)
    visible = re.sub(r"^::: teacher\n.*?^:::$", "", doc.source.body, flags=re.DOTALL | re.MULTILINE)
    visible = plain(visible + " ".join(t["definition"] for t in doc.meta["vocabulary"] or []))
    snippets = []
    for block in blocks:
        for line in block.split("\n"):
            words = re.sub(r"^\s*(\d+\.|[-*]|#+)\s*", "", line).translate(QUOTES).split()
            run = []
            for word in words:
                run = [*run, word] if re.fullmatch(r"[A-Za-z]+", word) else []
                if len(run) == 8 and plain(" ".join(run)) not in visible:
                    snippets.append(" ".join(run))
                    break
    return snippets


def test_the_course_has_what_the_unit_needs():
    assert len(ROLES) >= 12
    assert {r.meta["pathway"] for r in ROLES} == set(COURSE.pathways)
    titles = {r.title for r in ROLES}
    for seed_role in (
        "Manufacturing Engineer",
        "Production Worker",
        "Factory Manager",
        "Robotics Technician",
        "Automation Engineer",
        "Data Analyst",
    ):
        assert seed_role in titles
    assert len([d for d in READINGS if d.kind == "lesson"]) >= 5
    assert len(WORKSHEETS) >= 6
    assert [p.id for p in COURSE.packets] == ["unit-1", "role-sheets", "full-course"]


def test_every_related_role_resolves():
    for role in ROLES:
        for related in role.meta["related"]:
            assert DOCS[related].kind == "role" and related != role.id


@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_every_document_builds(bundled, edition):
    for doc in DOCS.values():
        assert len(PdfReader(str(bundled / edition / "documents" / f"{doc.id}.pdf")).pages) >= 1


def test_role_sheets_fit_their_page_budget(bundled):
    for role in ROLES:
        pages = pages_text(bundled / "student" / "documents" / f"{role.id}.pdf")
        assert len(pages) in (1, 2), role.id
        assert plain(role.title) in plain(pages[0])


def test_the_cluster_map_holds_every_role(bundled):
    text = pdf_text(bundled / "student" / "documents" / "00-cluster-overview.pdf")
    for role in ROLES:
        assert plain(role.title) in text, role.title
    for pathway in COURSE.pathways.values():
        assert pathway.split(",")[0] in text


def test_student_editions_carry_no_teacher_part(bundled):
    student_text = {p: pdf_text(p) for p in (bundled / "student").rglob("*.pdf")}
    checked = 0
    for doc in READINGS:
        teacher_text = pdf_text(bundled / "teacher" / "documents" / f"{doc.id}.pdf")
        for snippet in teacher_snippets(doc) + (doc.meta["objectives"] or []):
            snippet = plain(snippet)
            assert snippet in teacher_text, (doc.id, snippet)
            for path, text in student_text.items():
                assert snippet not in text, (path.name, snippet)
            checked += 1
    assert checked > 50


def test_no_output_pdf_links_to_a_file_a_script_or_data(bundled):
    """Every annotation of every output PDF: web, mail or a jump inside the PDF, never file:, javascript:, data:."""
    links = 0
    for path in bundled.rglob("*.pdf"):
        for page in PdfReader(path).pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A") or {}
                uri = str(action.get("/URI", ""))
                assert not uri or uri.startswith(("https:", "http:", "mailto:")), (path.name, uri)
                assert action.get("/S") in (None, "/URI", "/GoTo"), (path.name, action.get("/S"))
                links += 1
    assert links > 100


def answer_texts(doc) -> list[str]:
    """Sample answers, teacher notes and filled-in prompts of a worksheet, as printed."""
    texts = []
    for block in re.split(r"\n\s*\n", doc.source.body):
        lines = block.strip().split("\n")
        if not lines[0].startswith("? "):
            continue
        texts += [line[2:] for line in lines[1:] if line.startswith("> ")]
        texts += [line[5:].strip() for line in lines[1:] if line.startswith("Note:")]
        prompt = re.sub(r"\s*\{[^}]*\}\s*$", "", lines[0][2:])
        for match in re.finditer(r"\[\[(.*?)\]\]", prompt):
            before = plain(prompt[: match.start()] + match.group(1))[-40:]
            after = plain(re.sub(r"\[\[(.*?)\]\]", "", prompt[match.end() :]))[:20]
            texts.append(f"{before} {after}".strip() if after else before)
    return [plain(t)[:80] for t in texts if len(plain(t)) > 3]


def test_no_student_pdf_contains_any_worksheet_answer(bundled):
    student_text = {p: pdf_text(p) for p in (bundled / "student").rglob("*.pdf")}
    checked = 0
    for doc in WORKSHEETS:
        teacher_text = pdf_text(bundled / "teacher" / "documents" / f"{doc.id}.pdf")
        for answer in answer_texts(doc):
            assert answer in teacher_text, (doc.id, answer)
            for path, text in student_text.items():
                assert answer not in text, (path.name, answer)
            checked += 1
        student = student_text[bundled / "student" / "documents" / f"{doc.id}.pdf"]
        assert "ANSWER" not in student and "Answer key" not in student
    assert checked > 25


def test_teacher_worksheets_say_answer_key_on_every_page(bundled):
    for doc in WORKSHEETS:
        pages = pages_text(bundled / "teacher" / "documents" / f"{doc.id}.pdf")
        marker = "Teacher edition" if doc.meta["self_assessment"] else "Answer key"
        assert all(marker in page for page in pages), doc.id
    inventory = pdf_text(bundled / "teacher" / "documents" / "career-interest-inventory.pdf")
    assert "there are no right answers, so there is no answer key" in inventory


@pytest.mark.parametrize("doc", READINGS, ids=lambda d: d.id)
def test_reading_level_is_grade_8_to_11(doc):
    body = re.sub(r"^::: teacher\n.*?^:::$", "", doc.source.body, flags=re.DOTALL | re.MULTILINE)
    body = re.sub(r"^:::.*$", "", body, flags=re.MULTILINE)
    grade = textstat.flesch_kincaid_grade(plain(body))
    assert 8 <= grade <= 11, grade


@pytest.mark.parametrize("edition", ["student", "teacher"])
def test_packets_start_each_document_where_the_contents_say(bundled, edition):
    for pack in COURSE.packets:
        path = bundled / edition / f"{pack.id}.pdf"
        reader = PdfReader(str(path))
        labels = reader.page_labels
        pages = pages_text(path)
        front = labels.index("1")
        assert labels[:front] == ["i", "ii", "iii", "iv"][:front]
        contents = plain(" ".join(pages[1:front]))
        body_pages = sum(label.isdigit() for label in labels)  # a teacher packet's teacher pages are 9a, 9b, …
        for item in pack.items:
            title = plain(COURSE.item(item).title)
            number = int(re.search(re.escape(title) + r"[ .]+[A-Za-z ]+? (\d+)", contents).group(1))
            start = labels.index(str(number))
            assert title in plain(pages[start]), (pack.id, item, number)
            assert f"page {number} of {body_pages}" in pages[start]
            if pack.duplex:
                assert number % 2 == 1
        if pack.duplex:
            assert len(pages) % 2 == 0 and front % 2 == 0


def contents_numbers(pages: list[str], front: int) -> list[tuple[str, str]]:
    """Each contents line's title and student page number."""
    text = " ".join(pages[1:front])
    return re.findall(r"([A-Z][^.\n]*?)[ .]{3,}[A-Za-z ]+? (\d+)", text)


def test_the_teacher_edition_matches_the_student_edition_page_for_page(bundled):
    for pack in [p for p in COURSE.packets]:
        for version in ("", "version-B/") if pack.versions > 1 else ("",):
            student_path = bundled / "student" / f"{version}{pack.id}.pdf"
            teacher_path = bundled / "teacher" / f"{version}{pack.id}.pdf"
            student, teacher = pages_text(student_path), pages_text(teacher_path)
            student_labels = PdfReader(str(student_path)).page_labels
            teacher_labels = PdfReader(str(teacher_path)).page_labels
            body = [label for label in student_labels if label.isdigit()]
            # every student page is in the teacher edition, with its number, on the same side of the sheet
            assert [label for label in teacher_labels if label.isdigit()] == body
            for label in body:
                here, there = student_labels.index(label), teacher_labels.index(label)
                assert here % 2 == there % 2, (pack.id, label)
                same = teacher[there].replace("Teacher edition", "Student edition")
                assert squash(same) == squash(student[here]), (pack.id, version, label)
            # the contents give every shared item the same page number in both editions
            front_s, front_t = student_labels.index("1"), teacher_labels.index("1")
            numbers = contents_numbers(student, front_s)
            assert len(numbers) == len(pack.items)
            theirs = contents_numbers(teacher, front_t)
            assert [number for _, number in theirs] == [number for _, number in numbers]
            assert all(mine.endswith(title) for (mine, _), (title, _) in zip(theirs, numbers, strict=True))
            # teacher pages are lettered after the page before them, and say so in their footer
            lettered = [label for label in teacher_labels[front_t:] if not label.isdigit()]
            if any(COURSE.documents[item].kind == "worksheet" for item in pack.items if item in COURSE.documents):
                assert lettered
            for label in lettered:
                assert re.fullmatch(r"\d+[a-z]+", label)
                assert f"page {label} of {len(body)}" in teacher[teacher_labels.index(label)]
    student_text = " ".join(pages_text(bundled / "student" / "full-course.pdf"))
    assert "Answer key" not in student_text and "Teacher notes" not in student_text


def test_packet_outline_nests_documents_and_headings(bundled):
    path = bundled / "teacher" / "unit-1.pdf"
    tree = outline(path)
    labels = PdfReader(str(path)).page_labels
    assert tree[0] == (0, "Unit 1: What Is Manufacturing?", 0)
    lettered = {page for page, label in enumerate(labels) if re.fullmatch(r"\d+[a-z]+", label)}  # teacher pages
    documents = [(title, page) for depth, title, page in tree if depth == 1 and page not in lettered]
    assert [t for t, _ in documents] == ["Contents"] + [COURSE.item(i).title for i in COURSE.packets[0].items]
    assert any(depth == 2 for depth, _, _ in tree)
    text = pages_text(path)
    for title, page in documents[1:]:
        assert plain(title) in plain(text[page])
    # each document's teacher pages follow it in the outline, titled as what they are
    teacher = [(title, labels[page]) for depth, title, page in tree if depth == 1 and page in lettered]
    assert ("Manufacturing Vocabulary · Answer key", "8a") in teacher
    assert ("What Is Manufacturing? · Teacher notes", "6a") in teacher


GOLDEN = REPO / "tests" / "golden" / "packets.json"


def packet_summary(bundled) -> dict:
    """Pages, page labels and outline of every packet: reviewed in the diff when they change."""
    summary = {}
    for path in sorted([*bundled.glob("*/*.pdf"), *bundled.glob("*/version-*/*.pdf")]):
        reader = PdfReader(str(path))
        labels = reader.page_labels
        summary[path.relative_to(bundled).as_posix()] = {
            "pages": len(reader.pages),
            "front": labels.index("1"),
            "outline": [f"{'  ' * depth}{title} @ {labels[page]}" for depth, title, page in outline(path)],
        }
    return summary


def test_packets_match_the_golden_summary(bundled):
    """Refresh with `make golden` after an intended change, and review the diff."""
    import json
    import os

    summary = packet_summary(bundled)
    if os.environ.get("COURSEPACK_UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert summary == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_contents_are_grouped_by_lesson_with_the_time_each_takes(bundled):
    contents = squash(pages_text(bundled / "student/unit-1.pdf")[1])
    lessons = [d for d in READINGS if d.kind == "lesson" and d.id in COURSE.packets[0].items]
    assert lessons and all(f"{plain(d.title)}" in plain(contents) for d in lessons)
    for lesson in lessons:
        after = plain(contents).split(plain(lesson.title), 1)[1]
        assert re.match(r"[ .]*Reading \d+ " + re.escape(lesson.meta["duration"]), after), lesson.id
