"""Packets with existing PDFs: bound in as they are, with bookmarks and contents lines; broken ones refused."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from conftest import COURSE_TOML, outline, pages_text, squash
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from coursepack.cli import main
from coursepack.packet import font_names

POSTER_HTML = """<html><head><title>Shop Safety Poster</title><style>@page { size: A5 landscape; }</style></head>
<body><h1>Shop safety</h1><p>Wear eye protection.</p><h1 style="break-before: page">Emergency exits</h1></body></html>"""


def poster(rotate: bool = True, password: str = "") -> bytes:
    writer = PdfWriter(clone_from=PdfReader(BytesIO(HTML(string=POSTER_HTML).write_pdf())))
    if rotate:
        writer.pages[1].rotate(90)
    if password:
        writer.encrypt(password)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def packet_course(course, documents: str, extra: str = "", files: dict | None = None):
    toml = COURSE_TOML.replace('documents = ["intro", "roles/*"]', f"documents = {documents}\nduplex = true") + extra
    return course({"course.toml": toml, "handouts/poster.pdf": poster(), **(files or {})})


def build(root, capsys) -> tuple[int, str]:
    code = main(["--course", str(root), "build", "--jobs", "1"])
    return code, capsys.readouterr().err


def test_existing_pdf_is_bound_in_as_it_is(course, capsys):
    root = packet_course(
        course,
        '["intro", "handouts/poster.pdf", "welder"]',
        '\n[pdfs."handouts/poster.pdf"]\ntitle = "Shop Safety Poster"\n',
    )
    assert build(root, capsys) == (0, "")
    path = root / "build/student/unit.pdf"
    reader = PdfReader(str(path))
    labels = reader.page_labels
    text = pages_text(path)
    contents = squash(text[1])
    assert "Shop Safety Poster" in contents and "Handout" in contents
    poster_pages = [i for i, t in enumerate(text) if "Wear eye protection" in t or "Emergency exits" in t]
    assert len(poster_pages) == 2
    first = poster_pages[0]
    assert int(labels[first]) % 2 == 1, "duplex: the poster starts on a right-hand page"
    assert f"Handout {labels[first]}" in contents
    assert [round(float(x)) for x in reader.pages[first].mediabox[2:]] == [595, 420]
    assert reader.pages[first + 1].rotation == 90
    assert (1, "Shop Safety Poster", first) in outline(path)
    assert len(reader.pages) % 2 == 0


def test_untagged_bound_pdfs_are_reported_and_fail_strict_access(course, capsys):
    root = packet_course(course, '["intro", "handouts/poster.pdf"]')
    assert main(["--course", str(root), "build", "--jobs", "1"]) == 0
    assert (
        "handouts/poster.pdf: note: its pages are bound without tags; a screen reader cannot read them"
        in capsys.readouterr().out
    )
    assert main(["--course", str(root), "build", "--strict-access"]) == 1
    assert "handouts/poster.pdf: note: its pages are bound without tags" in capsys.readouterr().err


def test_existing_pdf_can_be_scaled_to_the_paper(course, capsys):
    root = packet_course(course, '["handouts/poster.pdf"]', '\n[pdfs."handouts/poster.pdf"]\nscale = true\n')
    assert build(root, capsys) == (0, "")
    reader = PdfReader(str(root / "build/student/unit.pdf"))
    front = reader.page_labels.index("1")
    box = reader.pages[front].mediabox
    assert [round(box.width), round(box.height)] == [612, 792]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"Just some text, not a PDF",
            "handouts/poster.pdf: error: this is not a PDF file (it does not start with %PDF-)",
        ),
        ("truncated", "handouts/poster.pdf: error: the PDF is damaged or truncated and cannot be read"),
        (
            "encrypted",
            'handouts/poster.pdf: error: the PDF is encrypted: add its password to course.toml ([pdfs."<path>"] password = "..."), or bind an unlocked copy',
        ),
    ],
)
def test_broken_pdfs_are_refused_by_name(course, capsys, data, message):
    if data == "truncated":
        data = poster()[:1500]
    elif data == "encrypted":
        data = poster(password="secret")
    root = packet_course(course, '["intro", "handouts/poster.pdf"]', files={"handouts/poster.pdf": data})
    code, err = build(root, capsys)
    assert code == 1
    assert err.splitlines()[0].startswith(message)
    assert "Traceback" not in err
    assert not (root / "build/student").exists()


def test_encrypted_pdf_with_its_password_is_bound(course, capsys):
    root = packet_course(
        course,
        '["handouts/poster.pdf"]',
        '\n[pdfs."handouts/poster.pdf"]\npassword = "secret"\n',
        files={"handouts/poster.pdf": poster(password="secret")},
    )
    assert build(root, capsys) == (0, "")
    assert "Emergency exits" in " ".join(pages_text(root / "build/teacher/unit.pdf"))


def test_duplex_packets_start_documents_on_odd_pages(course, capsys):
    root = packet_course(course, '["intro", "welder", "assembler"]')
    assert build(root, capsys) == (0, "")
    path = root / "build/teacher/unit.pdf"
    labels = PdfReader(str(path)).page_labels
    starts = [page for depth, _, page in outline(path) if depth == 1 and labels[page].isdigit()]
    assert [int(labels[p]) % 2 for p in starts] == [1, 1, 1]
    assert [p % 2 for p in starts] == [0, 0, 0]  # right-hand pages (the front matter is i, ii), teacher pages or not
    assert len(labels) % 2 == 0
    blank = [t for t in pages_text(path) if "This page is intentionally left blank" in t]
    assert blank


def test_a_packet_that_starts_documents_on_any_page_wastes_no_paper(course, capsys):
    right = packet_course(course, '["intro", "welder", "assembler"]')
    assert main(["--course", str(right), "build", "--jobs", "1"]) == 0
    told = capsys.readouterr().out
    # three one-page documents: on right-hand pages they take six pages, three blank; on any page, four
    assert sum("intentionally left blank" in t for t in pages_text(right / "build/student/unit.pdf")) == 3
    assert (
        "course.toml: note: student/unit.pdf has 3 blank pages so that each document starts on a right-hand "
        'page; start = "any" in its [[packets]] table saves 2'
    ) in told
    toml = (right / "course.toml").read_text(encoding="utf-8").replace("duplex = true", 'duplex = true\nstart = "any"')
    (right / "course.toml").write_text(toml, encoding="utf-8")
    assert main(["--course", str(right), "build", "--jobs", "1"]) == 0
    assert "blank pages so that" not in capsys.readouterr().out
    path = right / "build/student/unit.pdf"
    texts = pages_text(path)
    body = [t for t in texts[PdfReader(str(path)).page_labels.index("1") :]]
    assert sum("intentionally left blank" in t for t in body) <= 1 and len(texts) % 2 == 0
    labels = PdfReader(str(path)).page_labels
    starts = [labels[page] for depth, _, page in outline(path) if depth == 1][1:]
    assert starts == ["1", "2", "3"]  # each document on the next page, whichever side
    contents = squash(texts[1])
    assert (
        re.search(r"Introduction\D*1\b", contents)
        and re.search(r"Welder\D*2\b", contents)
        and re.search(r"Assembler\D*3\b", contents)
    )


def test_font_names_are_unique_to_one_font_in_every_packet(bundled):
    for path in bundled.glob("*/*.pdf"):
        reader = PdfReader(str(path))
        fonts = {}
        for page in reader.pages:
            for ref in page["/Resources"].get_object().get("/Font", {}).values():
                font = ref.get_object()
                fonts.setdefault(str(font["/BaseFont"]), set()).add(ref.idnum)
        assert all(len(ids) == 1 for ids in fonts.values()), (path, fonts)
        assert font_names(path.read_bytes())


def test_contents_running_to_two_pages_keeps_true_page_numbers(course):
    from conftest import COURSE_TOML

    from coursepack import build as pipeline

    lessons = {f"lessons/l{i:02d}.md": f"---\ntitle: Lesson number {i}\n---\nShort text {i}.\n" for i in range(60)}
    toml = COURSE_TOML.replace('documents = ["intro", "roles/*"]', 'documents = ["l*"]\nduplex = true')
    root = course({"course.toml": toml, **lessons}, base=False)
    plan = pipeline.load(root)
    output = pipeline.make_one(plan, "student/unit.pdf")
    assert output.warnings == []
    reader = PdfReader(BytesIO(output.data))
    labels = reader.page_labels
    front = labels.index("1")
    assert labels[:front] == ["i", "ii", "iii", "iv"]  # cover, two contents pages, a blank to stay duplex
    text = pages_text(output.data)
    contents = squash(" ".join(text[1:3]))
    for i in (0, 31, 59):
        number = int(re.search(rf"Lesson number {i}[ .]+Reading (\d+)", contents).group(1))
        assert f"Lesson number {i}" in text[front + number - 1]
        assert number % 2 == 1
