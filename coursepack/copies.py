"""Copies of a finished packet: the packet read once, and its pages drawn again with a name over them.

Class sets and print files are incremental updates of the packet (see ``append``); this module holds
what they share: the packet's reading, the records of files made, and a page that draws a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from pypdf import PageObject
from pypdf.generic import ArrayObject, DictionaryObject, NameObject

from .append import Base, base_of, reference
from .impose import IDENTITY, Matrix

NAME = b"/CoursepackName"  # the XObject a named page draws
COVER_LINES = ("cover-name", "cover-class", "cover-period")  # anchors of the cover's lines (front.html)
BEFORE = b"q\n"  # a page's own content is wrapped in q … Q, so the name is drawn in the page's default space


@dataclass(frozen=True)
class Packet:
    """The finished packet a class set is made from: its bytes parsed, its paper, its cover's lines."""

    base: Base
    width: float
    height: float
    lines: tuple[tuple[str, float, float], ...]  # (anchor, left, top) of each cover line, in PDF points
    language: str = "en"  # as the packet's catalog says

    @property
    def pages(self) -> int:
        return len(self.base.reader.pages)


@dataclass(frozen=True)
class Made:
    """A file of a class set: its path below the output folder, its bytes, pages and printed sides."""

    path: str
    data: bytes
    pages: int
    sides: int


def packet_of(data: bytes) -> Packet:
    """Read a finished packet: its paper and where the lines of its cover are."""
    base = base_of(data)
    box = base.reader.pages[0].mediabox
    found = base.reader.named_destinations
    lines = tuple(
        (name, float(found[name].left), float(found[name].top))
        for name in COVER_LINES
        if name in found and found[name].left is not None and found[name].top is not None
    )
    language = str(base.reader.root_object.get("/Lang", "en"))
    return Packet(base, float(box.width), float(box.height), lines, language)


def drawing(page: DictionaryObject, before: int, after: int, form: int) -> DictionaryObject:
    """A page's dictionary whose content is wrapped in the ``before`` and ``after`` streams, with the name form."""
    copy = DictionaryObject(page)
    contents = page.raw_get("/Contents") if "/Contents" in page else ArrayObject()
    contents = list(contents) if isinstance(contents, ArrayObject) else [contents]
    copy[NameObject("/Contents")] = ArrayObject([reference(before), *contents, reference(after)])
    resources = DictionaryObject(page["/Resources"].get_object()) if "/Resources" in page else DictionaryObject()
    forms = resources.get("/XObject")
    forms = DictionaryObject(forms.get_object()) if forms is not None else DictionaryObject()
    forms[NameObject(NAME.decode())] = reference(form)
    resources[NameObject("/XObject")] = forms
    copy[NameObject("/Resources")] = resources
    return copy


def after_content(page: PageObject, packet: Packet) -> bytes:
    """What a named page draws after its own content: the name, at the top of the page as it is shown.

    A packet page draws the names page as it is. A bound PDF's page may be of another size or turned
    (/Rotate): the names page is moved (and turned) so that its line sits at that page's top, centred.
    """
    matrix = placement(page, packet.width, packet.height)
    where = b"" if matrix == IDENTITY else " ".join(f"{value:g}" for value in matrix).encode() + b" cm "
    return b"Q\n/Artifact BMC q " + where + NAME + b" Do Q EMC\n"


def placement(page: PageObject, width: float, height: float) -> Matrix:
    """The matrix that puts a ``width`` × ``height`` names page top-centre on ``page`` as a reader shows it."""
    box = page.mediabox
    left, bottom, wide, high = float(box.left), float(box.bottom), float(box.width), float(box.height)
    turn = page.rotation % 360
    shown_wide, shown_high = (high, wide) if turn in (90, 270) else (wide, high)
    across, down = round((shown_wide - width) / 2, 3), round(shown_high - height, 3)
    if turn == 90:
        return (0, 1, -1, 0, left + wide - down, bottom + across)
    if turn == 180:
        return (-1, 0, 0, -1, left + wide - across, bottom + high - down)
    if turn == 270:
        return (0, -1, 1, 0, left + down, bottom + high - across)
    return (1, 0, 0, 1, left + across, bottom + down)
