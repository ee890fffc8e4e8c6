"""Fillable worksheets: a form field for every response area, filled in PDFium (the engine of Chrome's viewer)."""

import io
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pypdf import PdfReader

from coursepack import build

TAB = 0x09  # the Tab key, as PDFium numbers keys


def form_fields(path: Path | bytes) -> dict:
    data = path if isinstance(path, bytes) else path.read_bytes()
    return PdfReader(io.BytesIO(data)).get_fields() or {}


def widgets(reader: PdfReader, page: int) -> list:
    annotations = [a.get_object() for a in reader.pages[page].get("/Annots", [])]
    return [a for a in annotations if a.get("/Subtype") == "/Widget"]


class Viewer:
    """A PDF open in PDFium with its form: click, type, press Tab, save."""

    def __init__(self, data: bytes):
        self.pdf = pdfium.PdfDocument(data)
        self.pdf.init_forms()
        self.form = self.pdf.formenv.raw
        self.pages = {}

    def page(self, index: int):
        if index not in self.pages:
            self.pages[index] = self.pdf[index]
            raw.FORM_OnAfterLoadPage(self.pages[index].raw, self.form)
        return self.pages[index]

    def click(self, index: int, widget) -> None:
        x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
        page = self.page(index).raw
        raw.FORM_OnMouseMove(self.form, page, 0, (x0 + x1) / 2, (y0 + y1) / 2)  # the pointer goes there first
        raw.FORM_OnLButtonDown(self.form, page, 0, (x0 + x1) / 2, (y0 + y1) / 2)
        raw.FORM_OnLButtonUp(self.form, page, 0, (x0 + x1) / 2, (y0 + y1) / 2)

    def type(self, index: int, text: str) -> None:
        for character in text:
            raw.FORM_OnChar(self.form, self.page(index).raw, ord(character), 0)

    def tab(self, index: int) -> None:
        raw.FORM_OnKeyDown(self.form, self.page(index).raw, TAB, 0)
        raw.FORM_OnKeyUp(self.form, self.page(index).raw, TAB, 0)

    def focused(self) -> str:
        where, annotation = raw.c_int(-1), raw.FPDF_ANNOTATION()
        assert raw.FORM_GetFocusedAnnot(self.form, raw.byref(where), raw.byref(annotation)) and annotation
        size = raw.FPDFAnnot_GetFormFieldName(self.form, annotation, None, 0)
        buffer = (raw.c_ubyte * size)()
        raw.FPDFAnnot_GetFormFieldName(self.form, annotation, raw.cast(buffer, raw.POINTER(raw.FPDF_WCHAR)), size)
        return bytes(buffer).decode("utf-16-le").rstrip("\x00")

    def ink(self, index: int) -> int:
        """How many dark pixels the page shows, its fields drawn."""
        image = self.page(index).render(scale=1, may_draw_forms=True).to_pil().convert("L")
        return sum(1 for value in image.get_flattened_data() if value < 128)

    def saved(self) -> bytes:
        raw.FORM_ForceToKillFocus(self.form)
        out = io.BytesIO()
        self.pdf.save(out)
        return out.getvalue()


def test_every_response_area_of_a_worksheet_is_a_named_field_with_a_tooltip(bundled):
    path = bundled / "fillable" / "documents" / "vocabulary.pdf"
    fields = form_fields(path)
    reader = PdfReader(str(path))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Fillable edition" in text and "Answer key" not in text
    numbers = sorted({int(m) for name in fields for m in re.findall(r"-q(\d+)", name)})
    assert numbers == list(range(1, 14))  # 13 questions, each with its fields
    assert {"vocabulary-name", "vocabulary-date", "vocabulary-class"} <= set(fields)
    kinds = {name: field.get("/FT") for name, field in fields.items()}
    assert kinds["vocabulary-q1-b1"] == "/Tx" and kinds["vocabulary-q9"] == "/Btn" and kinds["vocabulary-q13"] == "/Tx"
    assert fields["vocabulary-q9"]["/_States_"] == ["/0", "/1", "/2", "/3"]  # one group of four choices
    assert all(field.get("/TU") for field in fields.values())
    assert fields["vocabulary-q9"]["/TU"] == "9. Which statement best describes manufacturing?"
    assert not any("." in name for name in fields)  # one level: no button named "q9.q9"
    assert all(not field.get("/V") or field.get("/V") == "/Off" for field in fields.values())  # nothing answered
    tree = reader.trailer["/Root"]["/StructTreeRoot"]
    assert tree is not None and reader.trailer["/Root"]["/MarkInfo"]["/Marked"]


def test_a_student_fills_a_worksheet_in_pdfium_in_reading_order(bundled):
    data = (bundled / "fillable" / "documents" / "vocabulary.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(data))
    viewer = Viewer(data)
    blank_ink = viewer.ink(0)
    first = widgets(reader, 0)[0]
    viewer.click(0, first)
    viewer.type(0, "Ada Lovelace")
    order = [viewer.focused()]
    for _ in range(4):
        viewer.tab(0)
        order.append(viewer.focused())
    viewer.type(0, "raw materials")
    assert order == ["vocabulary-name", "vocabulary-date", "vocabulary-class", "vocabulary-q1-b1", "vocabulary-q2-b1"]
    assert viewer.ink(0) > blank_ink  # what was typed shows on the page
    second = widgets(reader, 1)
    radio = next(w for w in second if w.get("/Parent") and w["/Parent"].get("/T") == "vocabulary-q9")
    viewer.click(1, radio)
    essay = next(w for w in second if w.get("/T") == "vocabulary-q13")
    viewer.click(1, essay)
    viewer.type(1, "Phones, shoes and bikes are made in factories.")
    viewer.tab(1)  # on to the next field: the answer is kept
    filled = form_fields(viewer.saved())
    assert filled["vocabulary-name"]["/V"] == "Ada Lovelace"
    assert filled["vocabulary-q2-b1"]["/V"] == "raw materials"
    assert filled["vocabulary-q9"]["/V"] == "/0"
    assert filled["vocabulary-q13"]["/V"] == "Phones, shoes and bikes are made in factories."


def test_a_fillable_packet_has_one_form_with_unique_names_across_its_parts(bundled):
    path = bundled / "fillable" / "unit-1.pdf"
    reader = PdfReader(str(path))
    listed = [ref.get_object() for ref in reader.trailer["/Root"]["/AcroForm"]["/Fields"]]
    names = [field["/T"] for field in listed]
    assert len(names) == len(set(names))
    owners = {name.split("-q")[0].rsplit("-", 1)[0] if "-q" not in name else name.split("-q")[0] for name in names}
    assert {"vocabulary", "sectors", "match-the-role"} <= owners
    assert {"cover-name", "cover-class", "cover-period"} <= set(names)  # the cover's name lines too
    on_pages = 0
    for index in range(len(reader.pages)):
        for widget in widgets(reader, index):
            on_pages += 1
            field = widget.get("/Parent") or widget
            assert field.get("/T") in names  # every widget belongs to a listed field
    assert on_pages > len(names)  # radio groups have several buttons
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Answer key" not in text and "Sample answer" not in text
    student = PdfReader(str(bundled / "student" / "unit-1.pdf"))
    assert len(student.pages) == len(reader.pages)  # the same pages as the printed packet
    assert "/AcroForm" not in student.trailer["/Root"]


def test_fillable_is_chosen_per_worksheet_or_for_the_course(course, tmp_path):
    sheet = "---\ntitle: Quiz\n{extra}---\n? Pick one\n(x) yes\n( ) no\n"
    root = course(
        {
            "handouts/worksheets/on.md": sheet.format(extra="fillable: true\n"),
            "handouts/worksheets/off.md": sheet.format(extra=""),
        }
    )
    build.build(root, tmp_path / "out")
    made = sorted(p.name for p in (tmp_path / "out" / "fillable" / "documents").glob("*.pdf"))
    assert made == ["on.pdf"]
    assert set(form_fields(tmp_path / "out" / "fillable" / "documents" / "on.pdf")) == {
        "on-name",
        "on-date",
        "on-class",
        "on-q1",
    }


def test_no_answer_or_teacher_note_reaches_a_fillable_worksheet(course, tmp_path):
    sheet = (
        "---\ntitle: Secrets\nfillable: true\n---\n"
        "::: teacher\nSECRET-BLOCK: collect these on Friday.\n:::\n\n"
        "? The [[SECRETBLANK]] spins.\n\n"
        "? Pick one\n(x) SECRET-CHOICE\n( ) other\n\n"
        "? Why?\n> SECRET-SAMPLE answer\nNote: SECRET-NOTE for the teacher\n\n"
        "? Match\nSECRETLEFT = right side\nleft two = SECRET-RIGHT\n"
    )
    root = course({"handouts/worksheets/secrets.md": sheet})
    build.build(root, tmp_path / "out")
    data = (tmp_path / "out" / "fillable" / "documents" / "secrets.pdf").read_bytes()
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(page.extract_text() for page in reader.pages)
    said = " ".join(str(field.get(key, "")) for field in form_fields(data).values() for key in ("/TU", "/V"))
    for secret in ("SECRET-BLOCK", "SECRETBLANK", "SECRET-SAMPLE", "SECRET-NOTE"):
        assert secret not in text and secret not in said, secret
    assert "SECRET-CHOICE" in text and "(A. SECRET-CHOICE)" not in said  # shown, never marked
    assert all(not field.get("/V") or field.get("/V") == "/Off" for field in form_fields(data).values())


def actions(path: Path) -> set[str]:
    """Every key of a PDF that could run script or act on its own, anywhere in its object graph."""
    reader = PdfReader(str(path))
    found, seen, stack = set(), set(), [reader.trailer["/Root"]]
    while stack:
        item = stack.pop()
        if hasattr(item, "idnum"):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, dict):
            found |= {key for key in item if key in ("/JS", "/JavaScript", "/AA", "/OpenAction", "/Launch")}
            stack += [value for key, value in item.items() if key not in ("/Parent", "/P")]
        elif isinstance(item, list):
            stack += list(item)
    return found


def test_fillable_pdfs_hold_no_script_or_automatic_action(bundled):
    paths = [bundled / "fillable" / "unit-1.pdf", *sorted((bundled / "fillable" / "documents").glob("*.pdf"))]
    assert len(paths) >= 6
    for path in paths:
        assert actions(path) == set(), path
