"""Fillable PDFs: a tidy field tree as WeasyPrint writes it, and one form for a packet of fillable parts."""

from __future__ import annotations

import re

import pydyf
from pypdf import PageObject, PdfWriter
from pypdf.generic import ArrayObject, BooleanObject, DictionaryObject, NameObject

FONT_NAME = re.compile(r"(/[^\s/]+)\s+[\d.]+\s+Tf")


def tidy(_document: object, pdf: pydyf.PDF) -> None:
    """A WeasyPrint finisher: each radio group is one field, its buttons only its widgets.

    WeasyPrint names every radio button as well as its group and lists both among the form's
    fields, so viewers see "q9" and "q9.q9". A button keeps no name of its own; the group's
    tooltip is the question (the buttons' tooltips name their choice).
    """
    form = pdf.catalog.get("AcroForm")
    if form is None:
        return
    kept = pydyf.Array()
    for reference in form["Fields"]:
        field = pdf.objects[int(reference.split()[0])]
        if "Parent" in field:
            del field["T"]
            continue
        kept.append(reference)
    form["Fields"] = kept


def keep_groups(writer: PdfWriter, original: PageObject, page: PageObject) -> None:
    """pypdf copies a page's widgets without their /Parent: each radio button gets its group back."""
    for source, copy in zip(original.get("/Annots", []), page.get("/Annots", []), strict=False):
        widget = source.get_object()
        if "/Parent" in widget:
            group = widget["/Parent"].get_object().clone(writer)
            copy.get_object()[NameObject("/Parent")] = group.indirect_reference


def gather(writer: PdfWriter) -> None:
    """Give a composed PDF one form: every field on its pages, in page order (the tab order).

    A field's font (named in its /DA) is the one its page draws text with: a fillable part embeds
    it whole, so a student may type any letter. Called after the pages' fonts are merged.
    """
    fields = ArrayObject()
    seen: set[int] = set()
    fonts = DictionaryObject()
    for page in writer.pages:
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            field = widget.raw_get("/Parent") if "/Parent" in widget else annotation
            if field.idnum not in seen:
                seen.add(field.idnum)
                fields.append(field)
            table = page["/Resources"].get_object().get("/Font", DictionaryObject()).get_object()
            for name in FONT_NAME.findall(str(widget.get("/DA", ""))):
                if name not in fonts and name in table:
                    fonts[NameObject(name)] = table.raw_get(name)
    if fields:
        writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
            {
                NameObject("/Fields"): fields,
                NameObject("/DR"): DictionaryObject({NameObject("/Font"): fonts}),
                NameObject("/NeedAppearances"): BooleanObject(True),
            }
        )
