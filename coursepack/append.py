"""Incremental updates: new or changed objects appended to a finished PDF, its bytes left as they are.

A class set adds a student's name to a packet without writing the packet again: the packet's bytes
are copied, then a few objects (the pages, now drawing a name, and the name itself) and a
cross-reference stream that points back to the packet's own. Readers take the newest version of
each object, so every copy costs the size of its names, not of the packet.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import BinaryIO

from pypdf import PageObject, PdfReader
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")
TAGGED_CONTENT = re.compile(rb"/\w+\s*<<\s*/MCID\s+\d+\s*>>\s*BDC")
LEVEL = 6


@dataclass(frozen=True)
class Base:
    """A finished PDF to append to: its bytes, its parsed objects and what its trailer says."""

    data: bytes
    reader: PdfReader
    size: int
    root: int
    info: int | None
    identifier: bytes
    startxref: int


def base_of(data: bytes) -> Base:
    """Read a finished PDF (as coursepack writes them: one cross-reference stream at the end)."""
    reader = PdfReader(BytesIO(data))
    found = STARTXREF.search(data[-64:])
    if found is None:
        raise ValueError("the PDF does not end with startxref and %%EOF")
    trailer = reader.trailer
    info = trailer.raw_get("/Info") if "/Info" in trailer else None
    first = trailer["/ID"][0] if "/ID" in trailer else None
    identifier = first.original_bytes if first is not None else hashlib.md5(data, usedforsecurity=False).digest()
    return Base(
        data,
        reader,
        int(trailer["/Size"]),
        trailer.raw_get("/Root").idnum,
        info.idnum if isinstance(info, IndirectObject) else None,
        identifier,
        int(found.group(1)),
    )


def serialised(item: PdfObject) -> bytes:
    """An object as PDF syntax."""
    out = BytesIO()
    item.write_to_stream(out)
    return out.getvalue()


def stream_body(dictionary: DictionaryObject, data: bytes) -> bytes:
    """A stream object's body: its dictionary (Flate-compressed, with its length) and its data."""
    packed = zlib.compress(data, LEVEL)
    entries = DictionaryObject({k: v for k, v in dictionary.items() if k not in ("/Length", "/Filter", "/DecodeParms")})
    entries[NameObject("/Filter")] = NameObject("/FlateDecode")
    entries[NameObject("/Length")] = NumberObject(len(packed))
    return serialised(entries) + b"\nstream\n" + packed + b"\nendstream"


def reference(number: int) -> IndirectObject:
    """A reference to an object by number (written as ``n 0 R``)."""
    return IndirectObject(number, 0, None)  # type: ignore[arg-type]


class Update:
    """Writes a finished PDF and then, object by object, an incremental update to it."""

    def __init__(self, base: Base, out: BinaryIO) -> None:
        self.base = base
        self.out = out
        self.next = base.size
        self.offsets: dict[int, int] = {}
        out.write(base.data)
        if not base.data.endswith(b"\n"):
            out.write(b"\n")

    def new(self) -> int:
        """A fresh object number."""
        self.next += 1
        return self.next - 1

    def put(self, number: int, body: bytes) -> int:
        """Write object ``number`` (new, or a new version of one in the base) and return its number."""
        self.offsets[number] = self.out.tell()
        self.out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        return number

    def add(self, body: bytes) -> int:
        """Write a new object; its number."""
        return self.put(self.new(), body)

    def finish(self, root: int | None = None, seed: bytes = b"") -> None:
        """The cross-reference stream of the update and its trailer (``seed`` makes the second identifier)."""
        xref = self.new()
        self.offsets[xref] = self.out.tell()
        numbers = sorted(self.offsets)
        rows = b"".join(struct.pack(">BIH", 1, self.offsets[n], 0) for n in numbers)
        index = b" ".join(b"%d %d" % run for run in runs(numbers))
        second = hashlib.md5(self.base.identifier + seed, usedforsecurity=False).hexdigest().encode()
        trailer = b"/Type /XRef /Size %d /W [1 4 2] /Index [%s] /Prev %d /Root %d 0 R /ID [<%s> <%s>]" % (
            self.next,
            index,
            self.base.startxref,
            root or self.base.root,
            self.base.identifier.hex().encode(),
            second,
        )
        if self.base.info is not None:
            trailer += b" /Info %d 0 R" % self.base.info
        data = zlib.compress(rows, LEVEL)
        self.out.write(b"%d 0 obj\n<< %s /Filter /FlateDecode /Length %d >>\nstream\n" % (xref, trailer, len(data)))
        self.out.write(data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % self.offsets[xref])


def runs(numbers: list[int]) -> Iterator[tuple[int, int]]:
    """Sorted object numbers as (first, count) runs, for a cross-reference stream's /Index."""
    start = previous = numbers[0]
    for number in numbers[1:]:
        if number != previous + 1:
            yield start, previous - start + 1
            start = number
        previous = number
    yield start, previous - start + 1


class Importer:
    """Copies objects of another PDF into an update, each once, renumbered."""

    def __init__(self, update: Update) -> None:
        self.update = update
        self.numbers: dict[int, int] = {}

    def value(self, item: PdfObject) -> PdfObject:
        """A direct copy of a value whose references point to copies written into the update."""
        if isinstance(item, IndirectObject):
            if item.idnum not in self.numbers:
                self.numbers[item.idnum] = self.update.new()
                self.update.put(self.numbers[item.idnum], self.body(item.get_object()))
            return reference(self.numbers[item.idnum])
        if isinstance(item, StreamObject):
            raise ValueError("a stream must be an indirect object")
        if isinstance(item, DictionaryObject):
            return DictionaryObject({key: self.value(value) for key, value in item.items()})
        if isinstance(item, ArrayObject):
            return ArrayObject(self.value(value) for value in item)
        return item

    def body(self, item: PdfObject) -> bytes:
        """An object's body, its references copied too."""
        if isinstance(item, StreamObject):
            return stream_body(self.value(DictionaryObject(item)), item.get_data())
        return serialised(self.value(item))

    def form(self, page: PageObject, number: int | None = None) -> int:
        """A page of the other PDF as a form XObject in the update (at ``number``), its tags made an artifact."""
        contents = page.get_contents()
        data = TAGGED_CONTENT.sub(b"/Artifact BMC", contents.get_data() if contents is not None else b"")
        form = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(page.mediabox),
                NameObject("/Resources"): self.value(page.raw_get("/Resources")),
            }
        )
        return self.update.put(self.update.new() if number is None else number, stream_body(form, data))
