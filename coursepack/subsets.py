"""One font per face in a composed PDF: the subsets its parts brought, merged into one.

Each laid-out part embeds its own subset of every face it uses. WeasyPrint subsets with glyph ids
retained, so every part's content streams draw a face's glyphs by the original font's ids, and one
font holding the union of the glyphs (outlines, advances, /W widths, ToUnicode entries) serves every
page. Subsets merge only when they are the same font: same face name, descriptor and font header,
and the same outline for every glyph id both have.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
    NumberObject,
    PdfObject,
    StreamObject,
)

from . import truetype

FIXED_PITCH = 1  # font descriptor flag bit 1
BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
HEX = re.compile(rb"<([0-9a-fA-F]*)>")
RANGE_ITEM = re.compile(rb"<([0-9a-fA-F]*)>|\[([^\]]*)\]")
CMAP_HEAD = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CIDSystemInfo
<< /Registry (Adobe)
/Ordering (UCS)
/Supplement 0
>> def
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <ffff>
endcodespacerange
"""
CMAP_TAIL = b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
DESCRIPTOR_KEYS = ("/FontFamily", "/ItalicAngle", "/Ascent", "/Descent", "/StemV", "/StemH")


@dataclass
class Subset:
    """One embedded TrueType subset: its font objects, its parsed program, the glyph ids it draws."""

    font: DictionaryObject
    inner: DictionaryObject
    descriptor: DictionaryObject
    program: StreamObject
    parsed: truetype.Font
    widths: dict[int, PdfObject]
    used: set[int]

    def face(self) -> tuple:
        """What makes two subsets the same font: face name, descriptor, font header."""
        described = tuple(str(self.descriptor.get(key)) for key in DESCRIPTOR_KEYS)
        flags = int(self.descriptor.get("/Flags", 0)) & ~FIXED_PITCH
        return (base_name(self.font), described, flags, self.parsed.origin)

    def drawn(self) -> dict[int, tuple]:
        """What each glyph it draws looks like: its advance, and its outline unless composite (their ids vary)."""
        glyphs, metrics = self.parsed.glyphs, self.parsed.metrics
        return {gid: (metrics[gid], None if truetype.components(glyphs[gid]) else glyphs[gid]) for gid in self.used}


def sort_into(groups: list[tuple[dict, list[Subset]]], subset: Subset, traits: dict) -> None:
    """Put a subset in the first group whose traits (by glyph id) agree with its own; a new group if none does."""
    for known, members in groups:
        if all(known.get(gid, trait) == trait for gid, trait in traits.items()):
            known.update(traits)
            members.append(subset)
            return
    groups.append((dict(traits), [subset]))


def one_font_per_face(writer: PdfWriter) -> None:
    """Merge each face's subsets into one font program, point every resource at it, name every font after it.

    WeasyPrint positions each glyph against the /W widths of its own part, which may differ by a unit
    from another part's (widths are measured at the size set), so subsets whose widths disagree stay
    separate fonts sharing one program and one ToUnicode map. Tags come from the program and the
    widths, so the same sources give the same bytes and no two different fonts share a name (a viewer
    may draw one with the other's glyphs); identical fonts become one.
    """
    resources = list(resource_dicts(writer))
    fonts: dict[int, IndirectObject] = {}
    for dictionary in resources:
        for reference in font_references(dictionary):
            fonts.setdefault(reference.idnum, reference)
    buckets: dict[tuple, list[tuple[dict, list[Subset]]]] = {}
    for reference in fonts.values():
        subset = read_subset(reference.get_object())
        if subset is not None:
            sort_into(buckets.setdefault(subset.face(), []), subset, subset.drawn())
    target: dict[int, IndirectObject] = {}
    for same_face in buckets.values():
        for _, bucket in same_face:
            target.update(merge(bucket))
    by_name: dict[str, IndirectObject] = {}
    for idnum, reference in fonts.items():
        kept = target.get(idnum, reference)
        name = rename_subset(kept.get_object())
        if name is not None:
            target[idnum] = by_name.setdefault(name, kept)
    for dictionary in resources:
        table = dictionary["/Font"].get_object() if "/Font" in dictionary else DictionaryObject()
        for key in list(table):
            reference = table.raw_get(key)
            if isinstance(reference, IndirectObject) and reference.idnum in target:
                table[NameObject(key)] = target[reference.idnum]


def resource_dicts(writer: PdfWriter) -> Iterator[DictionaryObject]:
    """Every resource dictionary the pages use: pages, form XObjects, patterns, Type 3 fonts, appearances."""
    stack: list[PdfObject | None] = []
    for page in writer.pages:
        stack.append(page.raw_get("/Resources") if "/Resources" in page else None)
        for annotation in page.get("/Annots", []):
            for state in annotation.get_object().get("/AP", DictionaryObject()).values():
                state = state.get_object()
                streams = [state] if isinstance(state, StreamObject) else list(state.values())
                stack += [stream.get_object().get("/Resources") for stream in streams]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if item is None or (isinstance(item, IndirectObject) and item.idnum in seen):
            continue
        if isinstance(item, IndirectObject):
            seen.add(item.idnum)
        dictionary = item.get_object()
        yield dictionary
        for category in ("/XObject", "/Pattern", "/Font"):
            table = dictionary.get(category)
            for entry in table.get_object().values() if table is not None else []:
                inner = entry.get_object()
                if isinstance(inner, DictionaryObject) and "/Resources" in inner:
                    stack.append(inner.raw_get("/Resources"))


def font_references(resources: DictionaryObject) -> Iterator[IndirectObject]:
    """The indirect fonts a resource dictionary names."""
    table = resources["/Font"].get_object() if "/Font" in resources else DictionaryObject()
    for key in table:
        reference = table.raw_get(key)
        if isinstance(reference, IndirectObject):
            yield reference


def base_name(font: DictionaryObject) -> str:
    """A font's name without its subset tag."""
    return str(font.get("/BaseFont", "")).split("+", 1)[-1]


def read_subset(font: DictionaryObject) -> Subset | None:
    """A TrueType subset as WeasyPrint embeds them (Identity-H, glyph ids retained), or None."""
    if font.get("/Subtype") != "/Type0" or font.get("/Encoding") != "/Identity-H" or "/ToUnicode" not in font:
        return None
    if "+" not in str(font.get("/BaseFont", "")):
        return None
    inner = font["/DescendantFonts"][0].get_object()
    if inner.get("/Subtype") != "/CIDFontType2" or inner.get("/CIDToGIDMap", "/Identity") != "/Identity":
        return None
    descriptor = inner["/FontDescriptor"].get_object()
    if "/FontFile2" not in descriptor:
        return None
    program = descriptor["/FontFile2"].get_object()
    parsed = truetype.parse(program.get_data())
    if parsed is None:
        return None
    widths = read_widths(inner.get("/W", ArrayObject()))
    return Subset(font, inner, descriptor, program, parsed, widths, {gid for gid in widths if gid < len(parsed.glyphs)})


def merge(bucket: list[Subset]) -> dict[int, IndirectObject]:
    """One program and one ToUnicode map for the bucket; one font per set of agreeing widths. Returns the fonts kept."""
    first = bucket[0]
    if len(bucket) > 1:
        first.program.set_data(truetype.merge([s.parsed for s in bucket], [s.used for s in bucket]))
        first.program[NameObject("/Length1")] = NumberObject(len(first.program.get_data()))
        text: dict[int, bytes] = {}
        for subset in bucket:
            for gid, unicode in read_cmap(subset.font["/ToUnicode"].get_object().get_data()).items():
                text.setdefault(gid, unicode)
        first.font["/ToUnicode"].get_object().set_data(write_cmap(text))
    variants: list[tuple[dict, list[Subset]]] = []
    for subset in bucket:
        sort_into(variants, subset, {gid: float(width) for gid, width in subset.widths.items()})
    kept: dict[int, IndirectObject] = {}
    for _, variant in variants:
        keeper = variant[0]
        keeper.descriptor[NameObject("/FontFile2")] = first.descriptor.raw_get("/FontFile2")
        keeper.font[NameObject("/ToUnicode")] = first.font.raw_get("/ToUnicode")
        widths: dict[int, PdfObject] = {}
        for subset in variant:
            for gid, width in subset.widths.items():
                widths.setdefault(gid, width)
            kept[subset.font.indirect_reference.idnum] = keeper.font.indirect_reference
        keeper.inner[NameObject("/W")] = write_widths(widths)
        describe(keeper.descriptor, variant, widths, set().union(*(s.used for s in bucket)))
    return kept


def describe(descriptor: DictionaryObject, variant: list[Subset], widths: dict[int, PdfObject], gids: set[int]) -> None:
    """A merged font's descriptor: the union of the bounding boxes, fixed pitch only if all widths agree, its glyphs."""
    boxes = [[float(value) for value in subset.descriptor["/FontBBox"]] for subset in variant]
    box = [min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes)]
    descriptor[NameObject("/FontBBox")] = ArrayObject(number(value) for value in box)
    flags = int(descriptor.get("/Flags", 0)) & ~FIXED_PITCH
    if len(widths) > 1 and len({float(width) for width in widths.values()}) == 1:
        flags |= FIXED_PITCH
    descriptor[NameObject("/Flags")] = NumberObject(flags)
    if "/CIDSet" in descriptor:
        size = max(gids) // 8 + 1
        bits = sum(1 << (size * 8 - 1 - gid) for gid in gids)
        descriptor["/CIDSet"].get_object().set_data(bits.to_bytes(size, "big"))


def number(value: float) -> NumberObject | FloatObject:
    """A PDF number, an integer when it is one."""
    return NumberObject(int(value)) if float(value).is_integer() else FloatObject(value)


def read_widths(array: ArrayObject) -> dict[int, PdfObject]:
    """A /W array as widths by glyph id (both its forms: c [w ...] and c_first c_last w)."""
    widths: dict[int, PdfObject] = {}
    items = list(array.get_object())
    index = 0
    while index < len(items):
        start = int(items[index])
        following = items[index + 1].get_object()
        if isinstance(following, ArrayObject):
            widths.update({start + offset: width for offset, width in enumerate(following)})
            index += 2
        else:
            widths.update(dict.fromkeys(range(start, int(following) + 1), items[index + 2]))
            index += 3
    return widths


def write_widths(widths: dict[int, PdfObject]) -> ArrayObject:
    """Widths by glyph id as a /W array of runs."""
    array = ArrayObject()
    for gid in sorted(widths):
        if gid - 1 not in widths:
            array += [NumberObject(gid), ArrayObject()]
        array[-1].append(widths[gid])
    return array


def read_cmap(data: bytes) -> dict[int, bytes]:
    """A ToUnicode CMap's mappings: UTF-16BE text (as hex) by glyph id."""
    mapping: dict[int, bytes] = {}
    for block in BFCHAR.findall(data):
        values = HEX.findall(block)
        mapping.update({int(code, 16): text for code, text in zip(values[::2], values[1::2], strict=True)})
    for block in BFRANGE.findall(data):
        found = RANGE_ITEM.findall(block)
        for (low, _), (high, _), (text, listed) in zip(found[::3], found[1::3], found[2::3], strict=True):
            first, last = int(low, 16), int(high, 16)
            if listed:
                mapping.update(zip(range(first, last + 1), HEX.findall(listed), strict=False))
                continue
            start = int(text, 16)
            for code in range(first, last + 1):
                mapping[code] = f"{start + code - first:0{len(text)}x}".encode()
    return mapping


def write_cmap(mapping: dict[int, bytes]) -> bytes:
    """A ToUnicode CMap as WeasyPrint writes them: bfchar blocks of at most 100 entries."""
    codes = sorted(mapping)
    lines = [CMAP_HEAD]
    for start in range(0, len(codes), 100):
        batch = codes[start : start + 100]
        lines.append(f"{len(batch)} beginbfchar\n".encode())
        lines += [b"<%04x> <%s>\n" % (code, mapping[code]) for code in batch]
        lines.append(b"endbfchar\n")
    lines.append(CMAP_TAIL)
    return b"".join(lines)


def rename_subset(font: DictionaryObject) -> str | None:
    """Give a subset font a tag made from its font file and widths, and return its new name (None: not a subset)."""
    base = str(font.get("/BaseFont", ""))
    if "+" not in base:
        return None
    descendants = font.get("/DescendantFonts")
    inner = descendants[0].get_object() if descendants else font
    descriptor = inner.get("/FontDescriptor")
    if descriptor is None:
        return None
    descriptor = descriptor.get_object()
    program = next((descriptor[k] for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in descriptor), None)
    if program is None:
        return None
    digest = hashlib.sha256(program.get_object().get_data() + repr(inner.get("/W")).encode()).digest()
    tag = "".join(chr(65 + byte % 26) for byte in digest[:6])
    name = f"/{tag}+{base.split('+', 1)[1]}"
    for target in (font, inner):
        target[NameObject("/BaseFont")] = NameObject(name)
    descriptor[NameObject("/FontName")] = NameObject(name)
    return name
