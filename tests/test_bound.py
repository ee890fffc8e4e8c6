"""Existing PDFs bound in safely and faithfully: bombs and absurd lengths refused, damaged files
repaired with a note, printed annotations and bookmarks kept, everything else removed and said."""

from __future__ import annotations

import re
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from conftest import COURSE_TOML, outline
from pypdf import PdfReader, PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from coursepack.build import make_one
from coursepack.cli import main
from coursepack.loading import load
from coursepack.pdfcheck import PdfProblem, check_pdf, check_streams, in_words

PDF = "handouts/extra.pdf"


def raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF from object bodies (object 1 is the catalog), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", length: int | None = None) -> bytes:
    size = len(data) if length is None else length
    return b"<< /Length %d %s >>\nstream\n" % (size, extra) + data + b"\nendstream"


def one_page(content: bytes, resources: bytes = b"<< >>", more: list[bytes] = ()) -> bytes:
    """Catalog 1, pages 2, page 3 with content 4 and the given resources; more objects from 5."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources %s >>" % resources,
            content,
            *more,
        ]
    )


def gibibyte_of_zeros() -> bytes:
    """1 GiB of zeros, deflated twice: about 2.5 KB."""
    zeros, deflate = bytes(1 << 20), zlib.compressobj(9)
    head = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)
    block = deflate.compress(zeros) + deflate.flush(zlib.Z_FULL_FLUSH)  # the same after every full flush
    return zlib.compress(head + block * 1023 + deflate.flush(), 9)


def written(writer: PdfWriter) -> bytes:
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def packet_course(course, pdf: bytes):
    """A small course whose packet binds ``pdf`` between two documents."""
    toml = COURSE_TOML.replace('documents = ["intro", "roles/*"]', f'documents = ["intro", "{PDF}", "welder"]')
    return course({"course.toml": toml, PDF: pdf})


def refused(course, capsys, pdf: bytes) -> str:
    """Build the course; it must fail, cleanly: the first line of what it says."""
    code = main(["--course", str(packet_course(course, pdf)), "build", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err and "internal error" not in err
    return err.splitlines()[0]


def student_packet(course, tmp_path, pdf: bytes) -> tuple[Path, list[str]]:
    """Render only the student packet (quick): where it is written, and the notes for the teacher."""
    output = make_one(load(packet_course(course, pdf)), "student/unit.pdf")
    assert output.warnings == []
    path = tmp_path / "unit.pdf"
    path.write_bytes(output.data)
    return path, output.notes


# ---------------------------------------------------------------- refused


def test_a_decompression_bomb_is_refused_by_name(course, capsys):
    bomb = gibibyte_of_zeros()
    form = stream(b"q Q", b"/Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /B 6 0 R >> >>")
    pdf = one_page(
        stream(b"/F Do"),
        b"<< /XObject << /F 5 0 R >> >>",
        [form, stream(bomb, b"/Filter [/FlateDecode /FlateDecode]")],
    )
    assert len(pdf) < 4000
    assert refused(course, capsys, pdf) == (
        f"{PDF}: error: part of the PDF unpacks to more than 100 MB, too much to bind safely "
        "(it may be a decompression bomb); bind a smaller copy, e.g. printed to PDF again"
    )


def test_an_absurd_declared_length_is_refused_by_name(course, capsys):
    assert refused(course, capsys, one_page(stream(b"q Q", length=10**12))) == (
        f"{PDF}: error: the PDF declares a part far larger than the file itself (damaged, or made to crash "
        "PDF readers), so it cannot be bound; bind a copy saved again from its source"
    )


def megabyte_form(number: int) -> bytes:
    """A form XObject of 1 MB of zeros whose resources point back at itself (a cycle)."""
    extra = (
        b"/Filter /FlateDecode /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /S %d 0 R >> >>"
    )
    return stream(zlib.compress(bytes(1_000_000)), extra % number)


def test_streams_are_decoded_once_each_under_a_total_budget():
    shared = one_page(stream(b"/A Do /A Do"), b"<< /XObject << /A 5 0 R /B 5 0 R >> >>", [megabyte_form(5)])
    checked = check_streams(PdfReader(BytesIO(shared)).trailer["/Root"], total=2_000_000, per_stream=2_000_000)
    assert checked.decoded == 1_000_000 + len(b"/A Do /A Do") and not checked.damaged

    three = one_page(
        stream(b"/A Do"),
        b"<< /XObject << /A 5 0 R /B 6 0 R /C 7 0 R >> >>",
        [megabyte_form(5), megabyte_form(6), megabyte_form(7)],
    )
    with pytest.raises(PdfProblem, match=r"^the PDF unpacks to more than 2 MB of data, too much to bind safely"):
        check_streams(PdfReader(BytesIO(three)).trailer["/Root"], total=2_000_000, per_stream=2_000_000)
    with pytest.raises(PdfProblem, match=r"^part of the PDF unpacks to more than 0.5 MB"):
        check_streams(PdfReader(BytesIO(three)).trailer["/Root"], total=2_000_000, per_stream=500_000)


# ---------------------------------------------------------------- repaired


def blank_pdf(pages: int = 2) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    return written(writer)


def test_a_damaged_pdf_is_repaired_bound_and_noted(course, capsys, caplog, tmp_path):
    good = blank_pdf()
    pointer = re.search(rb"startxref\s+(\d+)", good)
    damaged = good[: pointer.start(1)] + str(int(pointer.group(1)) + 7).encode() + good[pointer.end(1) :]
    path, notes = student_packet(course, tmp_path, damaged)
    assert f"{PDF}: note: the PDF was damaged and has been repaired; check its pages in the packet" in notes
    assert [r for r in caplog.records if r.name.startswith("pypdf")] == [], "pypdf's repair messages are captured"
    assert capsys.readouterr() == ("", "")
    bookmarks = {title: page for _, title, page in outline(path)}
    assert bookmarks["Welder"] == bookmarks["Extra"] + 2, "both pages are bound"


# ---------------------------------------------------------------- annotations


def name(value: str) -> NameObject:
    return NameObject(value)


def annotation(subtype: str, flags: int = 4, **entries) -> DictionaryObject:
    result = DictionaryObject(
        {
            name("/Type"): name("/Annot"),
            name("/Subtype"): name(subtype),
            name("/Rect"): ArrayObject(FloatObject(v) for v in (100, 600, 300, 620)),
            name("/F"): NumberObject(flags),
        }
    )
    result.update({name("/" + key): value for key, value in entries.items()})
    return result


def action(kind: str, **entries) -> DictionaryObject:
    return DictionaryObject({name("/S"): name(kind), **{name("/" + k): v for k, v in entries.items()}})


def marked_pdf() -> bytes:
    """Two pages: a teacher's highlight and ink (printed), a hidden square, a form field, links of every kind."""
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_blank_page(612, 792)
    quads = ArrayObject(FloatObject(v) for v in (100, 620, 300, 620, 100, 600, 300, 600))
    highlight = writer.add_annotation(
        0,
        annotation(
            "/Highlight",
            QuadPoints=quads,
            C=ArrayObject([FloatObject(1), FloatObject(1), FloatObject(0)]),
            A=action("/JavaScript", JS=TextStringObject("app.alert('hi')")),
        ),
    )
    popup = writer.add_annotation(0, annotation("/Popup", flags=0, Parent=highlight.indirect_reference))
    highlight[name("/Popup")] = popup.indirect_reference
    writer.add_annotation(0, annotation("/Square", flags=0))
    writer.add_annotation(0, annotation("/Widget", FT=name("/Tx"), T=TextStringObject("name")))
    writer.add_annotation(0, annotation("/Link", A=action("/JavaScript", JS=TextStringObject("app.alert(1)"))))
    writer.add_annotation(0, annotation("/Link", A=action("/URI", URI=TextStringObject("file:///etc/passwd"))))
    writer.add_annotation(0, annotation("/Link", A=action("/Launch", F=TextStringObject("calc.exe"))))
    writer.add_annotation(0, annotation("/Link", A=action("/URI", URI=TextStringObject("data:text/html,x"))))
    writer.add_annotation(0, annotation("/Link", A=action("/URI", URI=TextStringObject("https://example.org/s"))))
    writer.add_annotation(0, annotation("/Link", Dest=ArrayObject([writer.pages[1].indirect_reference, name("/Fit")])))
    writer.add_annotation(0, annotation("/Link", Dest=TextStringObject("nowhere")))
    ink = ArrayObject([ArrayObject(FloatObject(v) for v in (100, 100, 200, 200, 300, 150))])
    writer.add_annotation(1, annotation("/Ink", InkList=ink))
    writer.add_attachment("answers.txt", b"the answers")
    return written(writer)


def test_printed_annotations_are_kept_and_the_rest_removed_and_said(course, tmp_path):
    path, notes = student_packet(course, tmp_path, marked_pdf())
    assert (
        f"{PDF}: note: removed 1 form field, 2 links to local files, 1 link that runs JavaScript, "
        "1 link to embedded data, 1 link to a page that does not exist, 1 attached file, 1 annotation not set to print and "
        "1 action on a kept annotation (a printed packet cannot use them); "
        "kept 2 printed annotations, 1 web link and 1 link within the file"
    ) in notes
    data = path.read_bytes()
    for word in (
        b"JavaScript",
        b"app.alert",
        b"file:",
        b"data:",
        b"calc.exe",
        b"/Launch",
        b"/Popup",
        b"/Widget",
        b"answers",
    ):
        assert word not in data, word
    reader = PdfReader(BytesIO(data))
    first = next(page for _, title, page in outline(path) if title == "Extra")
    found = {}
    for number, page in enumerate(reader.pages):
        for ref in page.get("/Annots", []):
            item = ref.get_object()
            assert item["/Subtype"] != "/Widget"
            uri = item.get("/A", {}).get("/URI", "")
            assert not str(uri).startswith(("file:", "javascript:", "data:")), uri
            if number in (first, first + 1):
                found.setdefault(number - first, []).append(item)
    kinds = {offset: sorted(str(item["/Subtype"]) for item in items) for offset, items in found.items()}
    assert kinds == {0: ["/Highlight", "/Link", "/Link"], 1: ["/Ink"]}
    highlight = next(item for item in found[0] if item["/Subtype"] == "/Highlight")
    assert "/A" not in highlight and "/Popup" not in highlight and "/AA" not in highlight
    assert highlight.raw_get("/P").idnum == reader.pages[first].indirect_reference.idnum
    assert [float(v) for v in highlight["/QuadPoints"]] == [100, 620, 300, 620, 100, 600, 300, 600]
    links = {str(item.get("/A", {}).get("/URI", "")): item for item in found[0] if item["/Subtype"] == "/Link"}
    assert set(links) == {"https://example.org/s", ""}
    assert dict(links["https://example.org/s"]["/A"]) == {"/S": "/URI", "/URI": "https://example.org/s"}
    assert reader.get_page_number(links[""]["/Dest"][0].get_object()) == first + 1


def test_indirect_arrays_and_actions_are_followed():
    """Annotations, actions and name trees behind references, as most PDF writers store them."""
    pdf = raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Names 8 0 R /OpenAction 10 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Annots 4 0 R >>",
            b"[5 0 R 6 0 R]",
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 7 0 R >>",
            b"<< /Type /Annot /Subtype /Underline /Rect [0 0 9 9] /F 4 /AA << /E 7 0 R >> >>",
            b"<< /S /URI /URI (javascript:alert(1)) >>",
            b"<< /JavaScript 9 0 R >>",
            b"<< /Names [(a) 10 0 R (b) 10 0 R] >>",
            b"<< /S /JavaScript /JS (app.alert(2)) >>",
        ]
    )
    checked = check_pdf(pdf)
    assert not checked.repaired
    assert in_words(checked.removed) == (
        "1 action run on opening, 2 scripts run on opening, 1 link that runs JavaScript and "
        "1 action on a kept annotation"
    )
    assert in_words(checked.kept) == "1 printed annotation"


def test_a_script_alone_is_named_as_one(course, tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    writer.add_open_action(JavaScript("app.alert(1)"))
    _, notes = student_packet(course, tmp_path, written(writer))
    assert f"{PDF}: note: removed 1 script run on opening (a printed packet cannot use it)" in notes


# ---------------------------------------------------------------- bookmarks


def test_the_bound_files_bookmarks_are_nested_under_its_entry(course, tmp_path):
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(612, 792)
    writer.add_metadata({"/Title": "Field Guide"})
    part_a = writer.add_outline_item(title="Part A", page_number=0)
    a1 = writer.add_outline_item(title="A.1", page_number=1, parent=part_a)
    writer.add_outline_item(title="A.1.a", page_number=2, parent=a1)
    writer.add_outline_item(title="Part B", page_number=2)
    path, notes = student_packet(course, tmp_path, written(writer))
    assert notes == [f"{PDF}: note: its pages are bound without tags; a screen reader cannot read them"], "sound"
    items = outline(path)
    at = next(i for i, (_, title, _) in enumerate(items) if title == "Field Guide")
    depth, _, first = items[at]
    assert items[at : at + 6] == [
        (depth, "Field Guide", first),
        (depth + 1, "Part A", first),
        (depth + 2, "A.1", first + 1),
        (depth + 3, "A.1.a", first + 2),
        (depth + 1, "Part B", first + 2),
        (depth, "Welder", first + 3),
    ]


def test_bookmarks_with_damaged_style_fields_are_bound_plainly(course, tmp_path):
    writer = PdfWriter()
    for _ in range(2):
        writer.add_blank_page(612, 792)
    item = writer.add_outline_item(title="Safety rules", page_number=1).get_object()
    item[NameObject("/F")] = NameObject("/Bold")  # a name where a number belongs
    item[NameObject("/C")] = ArrayObject([NameObject("/Red"), NameObject("/Green"), NameObject("/Blue")])
    path, _ = student_packet(course, tmp_path, written(writer))
    titles = [title for _, title, _ in outline(path)]
    assert "Safety rules" in titles
