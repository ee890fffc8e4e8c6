"""The pypdf edge: bind checked PDFs in with their printed annotations and bookmarks; fonts."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    Fit,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    RectangleObject,
    TreeObject,
)

from .pdfcheck import PdfProblem, annotations, classify, entry, link_page, open_pdf, pypdf_log

__all__ = ["PdfProblem", "bind", "fit_to", "font_names", "open_pdf", "replace_page"]

PAGE_KEYS = ("/Contents", "/Resources", "/MediaBox", "/CropBox", "/Rotate", "/UserUnit")
DANGEROUS_KEYS = ("/AA", "/Annots", "/B", "/Thumb")
STRIPPED = frozenset(["/A", "/AA", "/P", "/Parent", "/Popup", "/IRT", "/StructParent", "/ExData", "/Dest", "/PA"])
LINK_KEYS = frozenset(
    ["/Type", "/Subtype", "/Rect", "/Border", "/BS", "/C", "/H", "/QuadPoints", "/F", "/NM", "/M", "/Contents"]
)
GEOMETRY = ("/QuadPoints", "/Vertices", "/L", "/CL", "/RD")


def bind(pdf: bytes, bound: list[tuple[int, bytes, str, bool]]) -> bytes:
    """Bind checked PDFs over their placeholder pages, as they print or scaled to the paper.

    ``bound`` holds (first placeholder page index, PDF bytes, password, scale) tuples. Printed
    annotations and safe links come along; the file's bookmarks go under its packet entry.
    """
    writer = PdfWriter(clone_from=PdfReader(BytesIO(pdf)))
    with pypdf_log():
        for start, data, password, scale in bound:
            source = open_pdf(data, password)
            parent = outline_entry(writer, start)
            for offset, page in enumerate(source.pages):
                paper = writer.pages[start + offset].mediabox
                replace_page(writer, start + offset, page)
                copy_annotations(writer, source, start, offset)
                if scale:
                    fit_to(writer.pages[start + offset], float(paper.width), float(paper.height))
            if parent is not None:
                copy_outline(writer, source, source.outline, parent, start, scale)
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


def copy_annotations(writer: PdfWriter, source: PdfReader, start: int, offset: int) -> None:
    """Copy the annotations that print (and web links, links within the file) onto the bound page.

    Actions, pop-ups and back references are left behind; everything else stays out.
    """
    for annotation in annotations(source.pages[offset]):
        kind = classify(source, annotation)
        if kind not in ("print", "web", "goto"):
            continue
        keys = LINK_KEYS if kind in ("web", "goto") else annotation.keys() - STRIPPED
        copy = DictionaryObject({NameObject(k): annotation.raw_get(k) for k in annotation if k in keys})
        if kind == "web":
            uri = annotation["/A"]["/URI"]
            copy[NameObject("/A")] = DictionaryObject({NameObject("/S"): NameObject("/URI"), NameObject("/URI"): uri})
        added = writer.add_annotation(start + offset, copy.clone(writer))
        if kind == "goto":
            target = writer.pages[start + link_page(source, annotation)].indirect_reference
            added[NameObject("/Dest")] = ArrayObject([target, NameObject("/Fit")])


def outline_entry(writer: PdfWriter, index: int) -> IndirectObject | None:
    """The packet's outline entry leading to a page (a bound file's first page), if any."""
    outlines = entry(writer.root_object, "/Outlines")
    page = writer.pages[index].indirect_reference
    stack = [outlines.raw_get("/First")] if isinstance(outlines, DictionaryObject) and "/First" in outlines else []
    seen = set()
    while stack:
        ref = stack.pop()
        node = ref.get_object() if isinstance(ref, IndirectObject) else None
        if not isinstance(node, DictionaryObject) or ref.idnum in seen:
            continue
        seen.add(ref.idnum)
        action = entry(node, "/A")
        dest = entry(action, "/D") if isinstance(action, DictionaryObject) else entry(node, "/Dest")
        if (
            isinstance(dest, ArrayObject)
            and dest
            and isinstance(dest[0], IndirectObject)
            and dest[0].idnum == page.idnum
        ):
            return ref
        stack += [node.raw_get(key) for key in ("/Next", "/First") if key in node]
    return None


def copy_outline(
    writer: PdfWriter, source: PdfReader, items: list, parent: IndirectObject, start: int, scale: bool
) -> None:
    """Add a bound file's bookmarks (nested as they were) under its entry, leading to its pages."""
    last = None
    for item in items:
        if isinstance(item, list):
            if last is not None:
                copy_outline(writer, source, item, last, start, scale)
            continue
        number = source.get_destination_page_number(item)
        flags, color = whole(entry(item, "/F", 0)), entry(item, "/C")
        last = add_child(
            writer,
            parent,
            title=str(item.title or ""),
            page_number=start + number if number is not None and 0 <= number < len(source.pages) else None,
            color=rgb(color),
            italic=bool(flags & 1),
            bold=bool(flags & 2),
            fit=Fit.fit() if scale else Fit(str(item.typ or "/Fit"), list(item.dest_array[2:])),
            is_open=whole(entry(item, "/Count", 0)) >= 0,
        )


def whole(value: Any) -> int:
    """A bookmark's number field, 0 when a damaged file holds something else there."""
    return int(value) if isinstance(value, (int, float, NumberObject, FloatObject)) else 0


def rgb(value: Any) -> tuple[float, float, float] | None:
    """A bookmark's colour, None when it is not three numbers."""
    numbers = isinstance(value, ArrayObject) and all(isinstance(c, (NumberObject, FloatObject)) for c in value)
    if numbers and len(value) == 3:
        return (float(value[0]), float(value[1]), float(value[2]))
    return None


def add_child(writer: PdfWriter, parent: IndirectObject, **item: Any) -> IndirectObject:
    """``add_outline_item`` under an entry WeasyPrint wrote (a plain dictionary, not a TreeObject).

    pypdf links children through the parent's TreeObject methods: a TreeObject twin of the entry,
    with the entry's reference, takes the child; its /First, /Last and /Count are copied back.
    """
    node = parent.get_object()
    if isinstance(node, TreeObject):
        return writer.add_outline_item(parent=parent, **item)
    twin = TreeObject(node)
    twin.indirect_reference = parent
    child = writer.add_outline_item(parent=twin, **item)
    node.update(twin)
    return child


def fit_to(page: PageObject, width: float, height: float) -> None:
    """Scale a page's content to fit the paper, centred, keeping its proportions and rotation."""
    box = page.mediabox
    turned = page.rotation % 180 == 90
    content_w, content_h = (float(box.height), float(box.width)) if turned else (float(box.width), float(box.height))
    factor = min(width / content_w, height / content_h)
    page.scale_by(factor)  # scales annotation rectangles too, but not the shapes inside them
    for annotation in annotations(page):
        for key in GEOMETRY:
            if isinstance(entry(annotation, key), ArrayObject):
                annotation[NameObject(key)] = scaled(annotation[key], factor)
        if isinstance(entry(annotation, "/InkList"), ArrayObject):
            annotation[NameObject("/InkList")] = ArrayObject(scaled(path, factor) for path in annotation["/InkList"])
    box = page.mediabox
    pad_x = ((height if turned else width) - float(box.width)) / 2
    pad_y = ((width if turned else height) - float(box.height)) / 2
    page.mediabox = RectangleObject(
        [float(box.left) - pad_x, float(box.bottom) - pad_y, float(box.right) + pad_x, float(box.top) + pad_y]
    )
    page.cropbox = page.mediabox


def scaled(numbers: ArrayObject, factor: float) -> ArrayObject:
    return ArrayObject(FloatObject(float(n) * factor) for n in numbers.get_object())


def font_names(pdf: bytes) -> list[str]:
    """The BaseFont names of every font a PDF uses, page by page."""
    reader = PdfReader(BytesIO(pdf))
    names = []
    for page in reader.pages:
        fonts = entry(entry(page, "/Resources"), "/Font")
        for ref in fonts.values() if isinstance(fonts, DictionaryObject) else []:
            names.append(str(ref.get_object().get("/BaseFont", "")))
    return names
