"""Print files: a class's print-all (every student's named copy, each on new sheets), or a packet imposed.

It is an incremental update of the packet: the packet's pages are drawn again, once per copy,
sharing their content and resources, so the file grows by the names, not by the packets. Each
copy has a bookmark. With a layout, the pages are imposed (see ``impose``). The file is for the
printer: it is not tagged (each student's own copy is).
"""

from __future__ import annotations

from io import BytesIO

from pypdf import PageObject, PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, FloatObject, NameObject, NumberObject, TextStringObject

from . import impose
from .append import Importer, Update, reference, serialised, stream_body
from .copies import BEFORE, Made, Packet, after_content, drawing, placement
from .roster import Student

DROPPED = ("/StructParents", "/Annots", "/Parent")  # tags and links belong to each student's own copy
NODE, COVER, BODY = 2**31 - 1, 2**31 - 2, 2**31 - 3  # placeholders in a page's body, filled per student
PLACEHOLDERS = tuple(b"%d 0 R" % number for number in (NODE, COVER, BODY))


class PrintAll:
    """Builds a class's print-all file, one student at a time."""

    def __init__(self, packet: Packet, layout: str) -> None:
        self.packet = packet
        self.layout = layout
        self.out = BytesIO()
        self.update = Update(packet.base, self.out)
        self.root = self.update.new()
        self.kids: list[int] = []
        self.marks: list[tuple[str, int]] = []
        self.sides = 0
        self.side_size = impose.side_size(packet.width, packet.height)
        self.forms = [self.update.add(page_form(page)) for page in packet.base.reader.pages] if layout else []
        self.contents: dict[tuple, int] = {}
        self.templates = [] if layout else self.named_pages()

    def add(self, student: Student, names: PdfReader) -> None:
        """A student's copy: the packet's pages again (or imposed sides), drawing their names (two pages)."""
        importer = Importer(self.update)
        self.copy(student.name, (importer.form(names.pages[0]), importer.form(names.pages[1])))

    def copy(self, title: str, names: tuple[int, int] | None = None) -> None:
        """One copy of the packet, bookmarked ``title``: drawing a student's name forms (cover, body), if given.

        Without a layout a copy is always named (else it would be the packet itself).
        """
        node = self.update.new()
        if self.layout:
            sides = impose.sides_for(self.layout, self.packet.pages, True)
            leaves = [self.side(node, side, names) for side in sides]
        else:
            assert names is not None
            # a packet for both sides has an even number of pages: the next student starts on a new sheet
            mine = (b"%d 0 R" % node, *(b"%d 0 R" % form for form in names))
            leaves = [self.update.add(fill(template, mine)) for template in self.templates]
        self.update.put(node, serialised(pages_node(leaves, self.root)))
        self.kids.append(node)
        self.marks.append((title, leaves[0]))
        self.sides += len(leaves)

    def named_pages(self) -> list[bytes]:
        """The packet's pages again, drawing a name: bodies with placeholders for the student's node and forms."""
        empty = DictionaryObject()
        before = self.update.add(stream_body(empty, BEFORE))
        after: dict[bytes, int] = {}
        templates = []
        for page in self.packet.base.reader.pages:
            data = after_content(page, self.packet)
            if data not in after:
                after[data] = self.update.add(stream_body(empty, data))
            copy = drawing(page, before, after[data], COVER if page.page_number == 0 else BODY)
            for key in DROPPED:
                copy.pop(NameObject(key), None)
            copy[NameObject("/Parent")] = reference(NODE)
            templates.append(serialised(copy))
        return templates

    def side(self, node: int, side: impose.Side, names: tuple[int, int] | None) -> int:
        """One imposed side: up to two packet pages, upright and scaled, each with the student's name if named."""
        forms = DictionaryObject()
        halves = []
        pages = self.packet.base.reader.pages
        for half, slot in enumerate((side.left, side.right)):
            if slot is None:
                continue
            page = pages[slot]
            box = page.mediabox
            where = (float(box.left), float(box.bottom), float(box.width), float(box.height))
            forms[NameObject(f"/P{half}")] = reference(self.forms[slot])
            drawn = impose.Half(impose.into_half(self.side_size, half, where, page.rotation), f"P{half}")
            if names:
                forms[NameObject(f"/N{half}")] = reference(names[0] if slot == 0 else names[1])
                name_at = placement(page, self.packet.width, self.packet.height)
                drawn = impose.Half(drawn.matrix, drawn.page, f"N{half}", name_at)
            halves.append(drawn)
        shape = (side.left, side.right, bool(names))
        if shape not in self.contents:
            self.contents[shape] = self.update.add(stream_body(DictionaryObject(), impose.side_content(halves)))
        resources = DictionaryObject({NameObject("/XObject"): forms})
        width, height = self.side_size
        return self.update.add(serialised(leaf(node, width, height, resources, self.contents[shape])))

    def finish(self, path: str, seed: str) -> Made:
        """The pages tree, a bookmark per copy, a catalog of its own; the file's bytes."""
        update = self.update
        update.put(self.root, serialised(pages_node(self.kids, None, self.sides)))
        catalog = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Catalog"),
                NameObject("/Pages"): reference(self.root),
                NameObject("/PageMode"): NameObject("/UseOutlines"),
            }
        )
        source = self.packet.base.reader.root_object
        if "/Lang" in source:
            catalog[NameObject("/Lang")] = source["/Lang"]
        if self.marks:
            catalog[NameObject("/Outlines")] = reference(outline(update, self.marks))
        update.finish(root=update.add(serialised(catalog)), seed=seed.encode())
        return Made(path, self.out.getvalue(), self.sides, self.sides)


def fill(template: bytes, references: tuple[bytes, ...]) -> bytes:
    """A page's body for one student: the placeholders replaced by their node and name forms."""
    for placeholder, reference_to in zip(PLACEHOLDERS, references, strict=True):
        template = template.replace(placeholder, reference_to)
    return template


def page_form(page: PageObject) -> bytes:
    """A packet page as a form XObject (for imposition): its content, its resources, its box."""
    contents = page.get_contents()
    form = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject(page.mediabox),
            NameObject("/Resources"): DictionaryObject(page["/Resources"].get_object()),
        }
    )
    return stream_body(form, contents.get_data() if contents is not None else b"")


def leaf(node: int, width: float, height: float, resources: DictionaryObject, contents: int) -> DictionaryObject:
    """A page dictionary of the given size under a pages node, drawn by one content stream."""
    page = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Page"),
            NameObject("/Parent"): reference(node),
            NameObject("/MediaBox"): ArrayObject(
                [NumberObject(0), NumberObject(0), FloatObject(round(width, 3)), FloatObject(round(height, 3))]
            ),
            NameObject("/Resources"): resources,
            NameObject("/Contents"): reference(contents),
        }
    )
    return page


def pages_node(kids: list[int], parent: int | None, count: int | None = None) -> DictionaryObject:
    """A node of the pages tree."""
    node = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Pages"),
            NameObject("/Kids"): ArrayObject(map(reference, kids)),
            NameObject("/Count"): NumberObject(len(kids) if count is None else count),
        }
    )
    if parent is not None:
        node[NameObject("/Parent")] = reference(parent)
    return node


def outline(update: Update, marks: list[tuple[str, int]]) -> int:
    """A bookmark per student, leading to their first page; the outline's number."""
    top = update.new()
    numbers = [update.new() for _ in marks]
    for position, ((title, page), number) in enumerate(zip(marks, numbers, strict=True)):
        item = DictionaryObject(
            {
                NameObject("/Title"): TextStringObject(title),
                NameObject("/Parent"): reference(top),
                NameObject("/Dest"): ArrayObject([reference(page), NameObject("/Fit")]),
            }
        )
        if position:
            item[NameObject("/Prev")] = reference(numbers[position - 1])
        if position + 1 < len(numbers):
            item[NameObject("/Next")] = reference(numbers[position + 1])
        update.put(number, serialised(item))
    root = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Outlines"),
            NameObject("/First"): reference(numbers[0]),
            NameObject("/Last"): reference(numbers[-1]),
            NameObject("/Count"): NumberObject(len(numbers)),
        }
    )
    update.put(top, serialised(root))
    return top
