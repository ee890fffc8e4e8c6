"""Merge TrueType subsets of one font cut with glyph ids retained, working on the tables' bytes.

HarfBuzz keeps every glyph a subset draws at its id in the original font; a composite glyph's
components whose ids lie above the highest id drawn are moved to the ids after it, so those ids
differ between subsets. The merged font keeps every drawn glyph at its id and gives each such moved
component, once, an id after the highest drawn in any subset.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

ARG_WORDS, SCALE, MORE, XY_SCALE, TWO_BY_TWO = 0x0001, 0x0008, 0x0020, 0x0040, 0x0080


class Glyphs(Sequence[bytes]):
    """A font's glyph data by id, sliced from the glyf table when asked for."""

    def __init__(self, glyf: bytes, offsets: tuple[int, ...], scale: int):
        self.glyf, self.offsets, self.scale = glyf, offsets, scale

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, gid: int) -> bytes:  # type: ignore[override]
        return self.glyf[self.offsets[gid] * self.scale : self.offsets[gid + 1] * self.scale]


class Metrics(Sequence[tuple[int, int]]):
    """A font's (advance, left side bearing) by glyph id, read from the hmtx table when asked for."""

    def __init__(self, hmtx: bytes, long_metrics: int, count: int):
        self.hmtx, self.long_metrics, self.count = hmtx, long_metrics, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, gid: int) -> tuple[int, int]:  # type: ignore[override]
        if gid < self.long_metrics:
            return struct.unpack_from(">Hh", self.hmtx, 4 * gid)
        (advance,) = struct.unpack_from(">H", self.hmtx, 4 * (self.long_metrics - 1))
        (bearing,) = struct.unpack_from(">h", self.hmtx, 4 * self.long_metrics + 2 * (gid - self.long_metrics))
        return advance, bearing


@dataclass
class Font:
    """A parsed TrueType font: its tables, and its glyphs and horizontal metrics by id."""

    tables: dict[bytes, bytes]
    glyphs: Sequence[bytes]
    metrics: Sequence[tuple[int, int]]

    @property
    def origin(self) -> bytes:
        """The font header as the original font had it (version, revision, units, dates), bounding box left out."""
        head = self.tables[b"head"]
        return head[:8] + head[12:36]


def parse(data: bytes) -> Font | None:
    """A TrueType font's tables, glyphs and metrics (None: not a TrueType font with outlines)."""
    (count,) = struct.unpack_from(">H", data, 4)
    tables = {}
    for index in range(count):
        tag, _, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * index)
        tables[tag] = data[offset : offset + length]
    if not {b"head", b"hhea", b"hmtx", b"loca", b"glyf", b"maxp"} <= tables.keys():
        return None
    (glyph_count,) = struct.unpack_from(">H", tables[b"maxp"], 4)
    (long_loca,) = struct.unpack_from(">h", tables[b"head"], 50)
    offsets = struct.unpack_from(f">{glyph_count + 1}{'I' if long_loca else 'H'}", tables[b"loca"])
    glyphs = Glyphs(tables[b"glyf"], offsets, 1 if long_loca else 2)
    (long_metrics,) = struct.unpack_from(">H", tables[b"hhea"], 34)
    return Font(tables, glyphs, Metrics(tables[b"hmtx"], long_metrics, glyph_count))


def components(glyph: bytes) -> list[int]:
    """The byte offsets of a composite glyph's component ids (none for a simple or empty glyph)."""
    if len(glyph) < 10 or struct.unpack_from(">h", glyph)[0] >= 0:
        return []
    found = []
    position = 10
    while True:
        (flags,) = struct.unpack_from(">H", glyph, position)
        found.append(position + 2)
        position += 4 + (4 if flags & ARG_WORDS else 2)
        position += 2 if flags & SCALE else 4 if flags & XY_SCALE else 8 if flags & TWO_BY_TWO else 0
        if not flags & MORE:
            return found


class Merger:
    """The glyphs of several subsets of one font, drawn glyphs at their ids, moved components after them."""

    def __init__(self, top: int):
        self.glyphs: dict[int, bytes] = {}
        self.metrics: dict[int, tuple[int, int]] = {}
        self.moved: dict[tuple[bytes, tuple[int, int]], int] = {}
        self.next_id = top

    def add(self, font: Font, used: set[int]) -> None:
        """Add the glyphs a subset draws, with the components they are made of."""
        highest = max(used, default=0)
        for gid in sorted(used):
            if gid < len(font.glyphs) and gid not in self.glyphs:
                self.glyphs[gid] = self.placed(font, font.glyphs[gid], highest)
                self.metrics[gid] = font.metrics[gid]

    def placed(self, font: Font, glyph: bytes, highest: int) -> bytes:
        """A glyph with its component ids pointing at the components' ids in the merged font."""
        data = bytearray(glyph)
        for offset in components(glyph):
            (component,) = struct.unpack_from(">H", glyph, offset)
            struct.pack_into(">H", data, offset, self.component(font, component, highest))
        return bytes(data)

    def component(self, font: Font, gid: int, highest: int) -> int:
        """Where a component glyph of a subset lies in the merged font."""
        glyph = self.placed(font, font.glyphs[gid], highest)
        if gid <= highest:  # at its own id, as in the original font
            self.glyphs.setdefault(gid, glyph)
            self.metrics.setdefault(gid, font.metrics[gid])
            return gid
        key = (glyph, font.metrics[gid])
        if key not in self.moved:
            self.moved[key] = self.next_id
            self.glyphs[self.next_id] = glyph
            self.metrics[self.next_id] = font.metrics[gid]
            self.next_id += 1
        return self.moved[key]


def merge(fonts: list[Font], used: list[set[int]]) -> bytes:
    """One font with every glyph the subsets draw (and their components); the first font gives the other tables."""
    merger = Merger(max((max(ids, default=0) for ids in used), default=0) + 1)
    for font, ids in zip(fonts, used, strict=True):
        merger.add(font, ids)
    count = merger.next_id
    glyphs = [merger.glyphs.get(gid, b"") for gid in range(count)]
    glyphs = [glyph + b"\0" * (-len(glyph) % 4) for glyph in glyphs]
    offsets = [0]
    for glyph in glyphs:
        offsets.append(offsets[-1] + len(glyph))
    long_loca = offsets[-1] > 0x1FFFE
    loca = (
        struct.pack(f">{count + 1}I", *offsets)
        if long_loca
        else struct.pack(f">{count + 1}H", *(offset // 2 for offset in offsets))
    )
    metrics = [merger.metrics.get(gid, (0, 0)) for gid in range(count)]
    tables = dict(fonts[0].tables)
    tables[b"glyf"] = b"".join(glyphs)
    tables[b"loca"] = loca
    tables[b"hmtx"] = struct.pack(">" + "Hh" * count, *(value for pair in metrics for value in pair))
    tables[b"head"] = header(fonts, long_loca)
    tables[b"hhea"] = horizontal_header(fonts, count)
    maxp = tables[b"maxp"]
    limits = [
        max(values) for values in zip(*(struct.unpack_from(">13H", f.tables[b"maxp"], 6) for f in fonts), strict=True)
    ]
    tables[b"maxp"] = maxp[:4] + struct.pack(">H13H", count, *limits) + maxp[32:] if len(maxp) >= 32 else maxp
    if b"post" in tables:
        tables[b"post"] = b"\0\3\0\0" + tables[b"post"][4:32]  # format 3: no glyph names
    return font_file(tables)


def header(fonts: list[Font], long_loca: bool) -> bytes:
    """The font header with the union of the bounding boxes and the loca format used."""
    boxes = [struct.unpack_from(">4h", font.tables[b"head"], 36) for font in fonts]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    head = bytearray(fonts[0].tables[b"head"])
    struct.pack_into(">I", head, 8, 0)
    struct.pack_into(">4h", head, 36, *box)
    struct.pack_into(">h", head, 50, int(long_loca))
    return bytes(head)


def horizontal_header(fonts: list[Font], count: int) -> bytes:
    """The horizontal header with the extremes of every subset and one advance per glyph."""
    values = [struct.unpack_from(">Hhhh", font.tables[b"hhea"], 10) for font in fonts]
    hhea = bytearray(fonts[0].tables[b"hhea"])
    extremes = (max(v[0] for v in values), min(v[1] for v in values), min(v[2] for v in values))
    struct.pack_into(">Hhhh", hhea, 10, *extremes, max(v[3] for v in values))
    struct.pack_into(">H", hhea, 34, count)
    return bytes(hhea)


def checksum(data: bytes) -> int:
    """A TrueType table checksum."""
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def font_file(tables: dict[bytes, bytes]) -> bytes:
    """A TrueType font file from its tables, in tag order, with checksums and the head's adjustment."""
    tags = sorted(tables)
    power = 1 << (len(tags).bit_length() - 1)
    directory = struct.pack(
        ">IHHHH", 0x00010000, len(tags), power * 16, power.bit_length() - 1, (len(tags) - power) * 16
    )
    offset = 12 + 16 * len(tags)
    entries, bodies = [], []
    for tag in tags:
        data = tables[tag]
        entries.append(struct.pack(">4sIII", tag, checksum(data), offset, len(data)))
        bodies.append(data + b"\0" * (-len(data) % 4))
        offset += len(bodies[-1])
    font = bytearray(directory + b"".join(entries) + b"".join(bodies))
    head = 12 + 16 * len(tags) + sum(len(body) for tag, body in zip(tags, bodies, strict=True) if tag < b"head")
    struct.pack_into(">I", font, head + 8, (0xB1B0AFBA - checksum(bytes(font))) & 0xFFFFFFFF)
    return bytes(font)
