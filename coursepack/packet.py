"""The pypdf edge: check existing PDFs, bind them in, set page labels, fonts and metadata."""

from __future__ import annotations

from io import BytesIO

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import NameObject, RectangleObject

MAX_BOUND_PAGES = 200
PAGE_KEYS = ("/Contents", "/Resources", "/MediaBox", "/CropBox", "/Rotate", "/UserUnit")
DANGEROUS_KEYS = ("/AA", "/Annots", "/B", "/Thumb")


class PdfProblem(Exception):
    """An existing PDF that cannot be bound in (the message says why, for a teacher)."""


def open_pdf(data: bytes, password: str = "") -> PdfReader:
    """Open and check an existing PDF: readable, not locked, a sane number of pages."""
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise PdfProblem("this is not a PDF file (it does not start with %PDF-)")
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            if not password:
                raise PdfProblem(
                    "the PDF is encrypted: add its password to course.toml "
                    '([pdfs."<path>"] password = "..."), or bind an unlocked copy'
                )
            if not reader.decrypt(password):
                raise PdfProblem("the PDF's password in course.toml is wrong")
        count = len(reader.pages)
        if count == 0:
            raise PdfProblem("the PDF has no pages")
        if count > MAX_BOUND_PAGES:
            raise PdfProblem(f"the PDF has {count} pages; at most {MAX_BOUND_PAGES} can be bound into a packet")
        for page in reader.pages:
            page.mediabox  # noqa: B018 - reading the page tree finds truncated files
    except PdfProblem:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError) as error:
        raise PdfProblem(f"the PDF is damaged or truncated and cannot be read ({error})") from None
    return reader


def active_content(reader: PdfReader) -> list[str]:
    """What a PDF carries besides its printed pages: scripts, actions, attachments, links."""
    found = []
    root = reader.trailer["/Root"]
    names = root.get("/Names", {})
    if "/OpenAction" in root or "/AA" in root:
        found.append("an action run on opening")
    if "/JavaScript" in names:
        found.append("JavaScript")
    if "/EmbeddedFiles" in names:
        found.append("attached files")
    if any("/AA" in page or "/Annots" in page for page in reader.pages):
        found.append("links, form fields or page actions")
    return found


def bind(pdf: bytes, bound: list[tuple[int, bytes, str, bool]]) -> bytes:
    """Bind existing PDFs over their placeholder pages, as they are or scaled to the paper.

    ``bound`` holds (first placeholder page index, PDF bytes, password, scale) tuples.
    """
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    for start, data, password, scale in bound:
        source = open_pdf(data, password)
        for offset, page in enumerate(source.pages):
            paper = writer.pages[start + offset].mediabox
            replace_page(writer, start + offset, page)
            if scale:
                fit_to(writer.pages[start + offset], float(paper.width), float(paper.height))
    writer.compress_identical_objects()
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def replace_page(writer: PdfWriter, index: int, page: PageObject) -> None:
    """Put a page's content in place of a placeholder page, keeping its links and tags."""
    target = writer.pages[index]
    values = {key: page.raw_get(key) if key in page else page.get_inherited(key, None) for key in PAGE_KEYS}
    for key in PAGE_KEYS:
        value = values[key]
        if value is None:
            target.pop(NameObject(key), None)
        else:
            target[NameObject(key)] = value.clone(writer)
    for key in DANGEROUS_KEYS:
        target.pop(NameObject(key), None)


def fit_to(page: PageObject, width: float, height: float) -> None:
    """Scale a page's content to fit the paper, centred, keeping its proportions and rotation."""
    box = page.mediabox
    turned = page.rotation % 180 == 90
    content_w, content_h = (float(box.height), float(box.width)) if turned else (float(box.width), float(box.height))
    factor = min(width / content_w, height / content_h)
    page.scale_by(factor)
    box = page.mediabox
    pad_x = ((height if turned else width) - float(box.width)) / 2
    pad_y = ((width if turned else height) - float(box.height)) / 2
    page.mediabox = RectangleObject(
        [float(box.left) - pad_x, float(box.bottom) - pad_y, float(box.right) + pad_x, float(box.top) + pad_y]
    )
    page.cropbox = page.mediabox


def font_names(pdf: bytes) -> list[str]:
    """The BaseFont names of every font a PDF uses, page by page."""
    reader = PdfReader(BytesIO(pdf))
    names = []
    for page in reader.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for ref in fonts.get_object().values():
            names.append(str(ref.get_object().get("/BaseFont", "")))
    return names
