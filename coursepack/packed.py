"""Write a composed PDF with its objects packed into compressed object streams (pypdf writes each plainly).

Only the objects the catalog reaches are written, so fonts merged away and anything else left behind
go; numbers stay the writer's (the gaps are free entries). The file identifier is a digest of the
body, so the same sources give the same bytes.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from io import BytesIO

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject, StreamObject

PER_STREAM = 200  # objects per object stream
LEVEL = 6  # zlib level: 9 saves ~1% more for twice the time
VERSION = "%PDF-1.7"  # as WeasyPrint writes the parts (PDF/UA-1 is built on PDF 1.7; object streams need 1.5)


def reachable(writer: PdfWriter) -> dict[int, PdfObject]:
    """Every indirect object the catalog leads to, by number."""
    found: dict[int, PdfObject] = {}
    stack: list[PdfObject] = [writer.root_object.indirect_reference]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in found:
                continue
            if item.pdf is not writer:
                raise ValueError(f"object {item.idnum} belongs to another PDF")
            item = found.setdefault(item.idnum, item.get_object())
        if isinstance(item, DictionaryObject):
            stack += item.values()
        elif isinstance(item, ArrayObject):
            stack += item
    return found


def serialised(item: PdfObject) -> bytes:
    """An object as PDF syntax."""
    out = BytesIO()
    item.write_to_stream(out)
    return out.getvalue()


def write(writer: PdfWriter) -> bytes:
    """The PDF's bytes: streams as objects, every other object in object streams, a cross-reference stream."""
    objects = reachable(writer)
    info = writer.metadata
    next_number = max(objects) + 1
    if info is not None:
        info_number = next_number
        objects[info_number] = DictionaryObject(info)
        next_number += 1
    header = max(writer.pdf_header, VERSION)
    out = BytesIO()
    out.write(header.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
    where: dict[int, tuple[int, int, int]] = {}  # number -> (type, offset or stream number, index)
    packable = [number for number in sorted(objects) if not isinstance(objects[number], StreamObject)]
    for number in sorted(objects):
        if isinstance(objects[number], StreamObject):
            where[number] = (1, out.tell(), 0)
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, serialised(objects[number])))
    for start in range(0, len(packable), PER_STREAM):
        numbers = packable[start : start + PER_STREAM]
        bodies = [serialised(objects[number]) for number in numbers]
        offsets, position = [], 0
        for number, body in zip(numbers, bodies, strict=True):
            offsets.append(b"%d %d" % (number, position))
            position += len(body) + 1
        index = b" ".join(offsets) + b"\n"
        data = zlib.compress(index + b"\n".join(bodies) + b"\n", LEVEL)
        stream_number = next_number
        next_number += 1
        where.update({number: (2, stream_number, i) for i, number in enumerate(numbers)})
        where[stream_number] = (1, out.tell(), 0)
        out.write(
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (stream_number, len(numbers), len(index), len(data))
        )
        out.write(data + b"\nendstream\nendobj\n")
    xref_number = next_number
    where[xref_number] = (1, out.tell(), 0)
    where[0] = (0, 0, 0xFFFF)
    rows = b"".join(struct.pack(">BIH", *where.get(number, (0, 0, 0))) for number in range(xref_number + 1))
    identifier = hashlib.md5(out.getvalue(), usedforsecurity=False).hexdigest().encode()
    trailer = b"/Type /XRef /Size %d /W [1 4 2] /Root %d 0 R /ID [<%s> <%s>]" % (
        xref_number + 1,
        writer.root_object.indirect_reference.idnum,
        identifier,
        identifier,
    )
    if info is not None:
        trailer += b" /Info %d 0 R" % info_number
    data = zlib.compress(rows, LEVEL)
    start = where[xref_number][1]
    out.write(b"%d 0 obj\n<< %s /Filter /FlateDecode /Length %d >>\nstream\n" % (xref_number, trailer, len(data)))
    out.write(data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % start)
    return out.getvalue()
