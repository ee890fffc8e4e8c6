"""Compose PDFs from laid-out parts with pypdf: pages, one structure tree, bookmarks, destinations, labels."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from io import BytesIO

from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    Fit,
    IndirectObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from . import packed, pdfforms, subsets

DOCUMENT_LINK = "https://document.coursepack.invalid/"  # a link to another document's anchor, resolved here
XREF_HREF = re.compile(r'(<a class="xref" data-document="[^"]+" href=")#')
TAGGED_CONTENT = re.compile(rb"/\w+\s*<<\s*/MCID\s+\d+\s*>>\s*BDC")
MARKED = re.compile(rb"/\w+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC.*?EMC", re.DOTALL)
STAMP = "/CoursepackStamp"
BLANK = None  # a body page that shows no part: a duplex padding page, drawn by the stamp alone
PagePlace = tuple[int, int] | None  # (part, page in that part), or BLANK


def body_pages(page_counts: Sequence[int], duplex: bool, right: bool = True) -> list[PagePlace]:
    """Which part page each body page shows: parts in order, each starting on a right-hand page when duplex
    (on any page, without ``right``); a duplex body ends on a whole sheet."""
    places: list[PagePlace] = []
    for part, count in enumerate(page_counts):
        if duplex and right and len(places) % 2:
            places.append(BLANK)
        places += [(part, page) for page in range(count)]
    if duplex and len(places) % 2:
        places.append(BLANK)
    return places


def starts(places: Sequence[PagePlace]) -> dict[int, int]:
    """The body page number (from 1) on which each part starts."""
    first: dict[int, int] = {}
    for number, place in enumerate(places, start=1):
        if place is not BLANK:
            first.setdefault(place[0], number)
    return first


def outward(html: str, every_link: bool = False) -> str:
    """Links to other documents (cross-references; with ``every_link``, every in-page link) made resolvable here.

    A document is laid out alone, so a link to another document's anchor cannot be resolved then;
    it is written as a placeholder web link, and made a jump when the target is in the same PDF.
    """
    if every_link:
        return html.replace(' href="#', f' href="{DOCUMENT_LINK}')
    return XREF_HREF.sub(rf"\1{DOCUMENT_LINK}", html)


def linked(part: bytes) -> bytes:
    """A document's own PDF from its part: links to other documents become plain text (they are not in it)."""
    writer = PdfWriter(clone_from=PdfReader(BytesIO(part)))
    resolve_links(writer)
    return written(writer)


def page_count(data: bytes) -> int:
    """How many pages a PDF has."""
    return len(PdfReader(BytesIO(data)).pages)


def compose(
    front: bytes,
    parts: Sequence[bytes],
    stamp: bytes,
    places: Sequence[PagePlace],
    bare: set[int] = frozenset(),
    labels: Sequence[tuple[str, int]] = (),
) -> bytes:
    """A packet: the front matter's PDF, then every body page (a part's page or a blank) with its stamp.

    Pages of the ``bare`` parts (placeholders for existing PDFs) get no stamp. Body pages are
    numbered 1, 2, … or as ``labels`` say: ("", 9) is page 9, ("9", 2) is page 9b.
    The front matter gives the catalog (title, language, identifier, metadata); each part's structure
    tree, bookmarks and named destinations join the packet's, so it reads as one tagged document.
    """
    front_reader = PdfReader(BytesIO(front))
    writer = PdfWriter(clone_from=front_reader)
    front_pages = len(writer.pages)
    if "/Outlines" in writer.root_object:
        del writer.root_object[NameObject("/Outlines")]
    readers = [PdfReader(BytesIO(data)) for data in parts]
    margins = [margin_marks(reader) for reader in readers]
    overlay = PdfReader(BytesIO(stamp))
    added: dict[int, list[PageObject]] = {part: [] for part in range(len(readers))}
    for index, place in enumerate(places):
        over = overlay.pages[index]
        if place is BLANK:
            page = writer.add_blank_page(float(over.mediabox.width), float(over.mediabox.height))
            draw_over(page, as_form(writer, over))
            continue
        part, number = place
        page = writer.add_page(readers[part].pages[number])
        pdfforms.keep_groups(writer, readers[part].pages[number], page)
        if part not in bare:
            draw_over(page, as_form(writer, over), margins[part].get(number, frozenset()))
        added[part].append(page)
    tree = Structure(writer)
    top = copy_bookmarks(writer, front_reader, front_reader.outline, None, list(writer.pages[:front_pages]))
    parent = top[0] if top else None
    first = starts(places)
    for part in sorted(range(len(readers)), key=lambda part: first.get(part, len(places) + 1)):
        tree.join(readers[part], added[part])  # in page order: a teacher page follows its student pages
        copy_bookmarks(writer, readers[part], readers[part].outline, parent, added[part])
    join_destinations(writer, readers)
    resolve_links(writer)
    writer.set_page_label(0, front_pages - 1, style="/r")
    label_pages(writer, front_pages, labels or [("", number) for number in range(1, len(places) + 1)])
    subsets.one_font_per_face(writer)
    pdfforms.gather(writer)
    return written(writer)


def label_pages(writer: PdfWriter, offset: int, labels: Sequence[tuple[str, int]]) -> None:
    """Label the body pages (from ``offset``): runs of numbers in decimals, lettered pages as 9a, 9b, …."""
    start = 0
    for index in range(1, len(labels) + 1):
        prefix, number = labels[start]
        if index < len(labels) and labels[index] == (prefix, number + index - start):
            continue
        style = "/a" if prefix else "/D"
        writer.set_page_label(offset + start, offset + index - 1, style=style, prefix=prefix or None, start=number)
        start = index


def as_form(writer: PdfWriter, page: PageObject) -> IndirectObject:
    """A stamp page as a form XObject in the writer, all of it an artifact (WeasyPrint tags margin text)."""
    content = page["/Contents"].get_object()
    data = TAGGED_CONTENT.sub(b"/Artifact BMC", content.get_data())
    content.set_data(data)
    content[NameObject("/Type")] = NameObject("/XObject")
    content[NameObject("/Subtype")] = NameObject("/Form")
    content[NameObject("/BBox")] = ArrayObject(page.mediabox)
    content[NameObject("/Resources")] = page.raw_get("/Resources")
    return content.clone(writer).indirect_reference


def margin_marks(reader: PdfReader) -> dict[int, frozenset[int]]:
    """Per page, the marked-content ids of its running headers and footers.

    WeasyPrint gives margin-box text structure elements that it leaves out of the tree; a packet
    draws its own running headers and footers, so these are removed from the parts' pages.
    """
    tree = reader.root_object.get("/StructTreeRoot")
    if tree is None:
        return {}
    parents = dict(pairs(number_tree(tree.get_object()["/ParentTree"].get_object())))
    attached: dict[int, bool] = {}
    marks = {}
    for index, page in enumerate(reader.pages):
        elements = parents.get(page.get("/StructParents"))
        elements = elements.get_object() if elements is not None else []
        marks[index] = frozenset(
            mcid for mcid, element in enumerate(elements) if not in_tree(element, tree.indirect_reference, attached)
        )
    return marks


def in_tree(element: object, root: IndirectObject, attached: dict[int, bool]) -> bool:
    """Whether a structure element hangs from the tree's root, each step listed among its parent's kids."""
    if not isinstance(element, IndirectObject):
        return True
    if element.idnum not in attached:
        attached[element.idnum] = True  # a cycle (never written by WeasyPrint) counts as attached
        parent = element.get_object().raw_get("/P") if "/P" in element.get_object() else None
        if not isinstance(parent, IndirectObject):
            attached[element.idnum] = False
        elif parent.idnum == root.idnum:
            attached[element.idnum] = True
        else:
            kids = parent.get_object().get("/K")
            kids = kids if isinstance(kids, ArrayObject) else [kids]
            listed = any(isinstance(kid, IndirectObject) and kid.idnum == element.idnum for kid in kids)
            attached[element.idnum] = listed and in_tree(parent, root, attached)
    return attached[element.idnum]


def without_marks(content: bytes, marks: frozenset[int]) -> bytes:
    """A content stream without the marked content of the given ids (text only: no nested marks)."""
    if not marks:
        return content
    return MARKED.sub(lambda match: b"" if int(match.group(1)) in marks else match.group(0), content)


def draw_over(page: PageObject, form: IndirectObject, hidden: frozenset[int] = frozenset()) -> None:
    """Draw a form over a page's content, as an artifact; the page's own ``hidden`` marked content goes."""
    resources = DictionaryObject(page["/Resources"].get_object()) if "/Resources" in page else DictionaryObject()
    forms = DictionaryObject(resources["/XObject"].get_object()) if "/XObject" in resources else DictionaryObject()
    forms[NameObject(STAMP)] = form
    resources[NameObject("/XObject")] = forms
    page[NameObject("/Resources")] = resources
    body = without_marks(page.get_contents().get_data(), hidden) if "/Contents" in page else b""
    stream = DecodedStreamObject()
    stream.set_data(b"q\n" + body + b"\nQ\n/Artifact BMC q " + STAMP.encode() + b" Do Q EMC\n")
    page.replace_contents(stream.flate_encode())


def written(writer: PdfWriter) -> bytes:
    """The PDF's bytes, its objects packed into compressed object streams (only those it still uses)."""
    return packed.write(writer)


class Structure:
    """The packet's structure tree, which the parts' trees join in page order."""

    def __init__(self, writer: PdfWriter):
        self.writer = writer
        root = writer.root_object["/StructTreeRoot"].get_object()
        self.document = root["/K"][0] if isinstance(root["/K"], ArrayObject) else root["/K"]
        self.parents = root["/ParentTree"].get_object()
        self.numbers = ArrayObject(number_tree(self.parents))
        self.parents[NameObject("/Nums")] = self.numbers
        if "/Kids" in self.parents:
            del self.parents[NameObject("/Kids")]
        self.root = root
        self.next_key = max((int(key) for key in self.numbers[::2]), default=-1) + 1

    def join(self, reader: PdfReader, pages: list[PageObject]) -> None:
        """Add a part's structure elements under the packet's document element, renumbering its keys."""
        source = reader.root_object.get("/StructTreeRoot")
        if source is None:
            return
        source = source.get_object()
        offset = self.next_key
        for page in pages:
            if "/StructParents" in page:
                page[NameObject("/StructParents")] = NumberObject(page["/StructParents"] + offset)
            for annotation in page.get("/Annots", []):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(annotation["/StructParent"] + offset)
        kids = source["/K"] if isinstance(source["/K"], ArrayObject) else ArrayObject([source["/K"]])
        document_kids = self.document.get_object()["/K"]
        # a part in another language than the packet's says so on its elements: a screen reader switches voice
        language = reader.root_object.get("/Lang")
        foreign = language is not None and language != self.writer.root_object.get("/Lang")
        for kid in kids:
            element = kid.get_object()
            inner = element["/K"] if element.get("/S") == "/Document" else ArrayObject([kid])
            for grandchild in inner if isinstance(inner, ArrayObject) else [inner]:
                copy = grandchild.clone(self.writer, ignore_fields=["/P"])
                document_kids.append(copy)
                adopt(copy, self.document)
                if foreign and isinstance(copy.get_object(), DictionaryObject) and "/Lang" not in copy.get_object():
                    copy.get_object()[NameObject("/Lang")] = TextStringObject(str(language))
        for key, value in pairs(number_tree(source["/ParentTree"].get_object())):
            self.numbers += [NumberObject(int(key) + offset), value.clone(self.writer, ignore_fields=["/P"])]
            self.next_key = max(self.next_key, int(key) + offset + 1)
        self.root[NameObject("/ParentTreeNextKey")] = NumberObject(self.next_key)


def adopt(element: object, parent: IndirectObject) -> None:
    """Give a copied structure element, and every element under it, its parent again."""
    stack = [(element, parent)]
    while stack:
        node, owner = stack.pop()
        if not isinstance(node, IndirectObject):
            continue
        data = node.get_object()
        if not isinstance(data, DictionaryObject) or "/S" not in data:
            continue
        data[NameObject("/P")] = owner
        kids = data.get("/K")
        stack += [(kid, node) for kid in (kids if isinstance(kids, ArrayObject) else [kids])]


def number_tree(node: DictionaryObject) -> list:
    """A number tree's /Nums entries, flattened from its kids."""
    if "/Nums" in node:
        return list(node["/Nums"])
    return [entry for kid in node.get("/Kids", []) for entry in number_tree(kid.get_object())]


def pairs(entries: list) -> Iterator[tuple]:
    """(key, value) pairs of a flat /Nums or /Names array."""
    return zip(entries[::2], entries[1::2], strict=True)


def copy_bookmarks(
    writer: PdfWriter, reader: PdfReader, items: list, parent: IndirectObject | None, pages: list[PageObject]
) -> list[IndirectObject]:
    """A PDF's bookmarks, nested as they were, leading to its pages in the packet; the top ones made."""
    last = None
    made = []
    for item in items:
        if isinstance(item, list):
            if last is not None:
                copy_bookmarks(writer, reader, item, last, pages)
            continue
        number = reader.get_destination_page_number(item)
        if number is None or number >= len(pages):
            continue
        last = writer.add_outline_item(
            title=str(item.title), page_number=pages[number], parent=parent, fit=fit_of(item)
        )
        made.append(last)
    return made


def fit_of(item: DictionaryObject) -> Fit:
    """The destination fit of a bookmark (an /XYZ point as WeasyPrint writes them)."""
    return Fit.xyz(left=item.get("/Left"), top=item.get("/Top"), zoom=item.get("/Zoom"))


def join_destinations(writer: PdfWriter, readers: Sequence[PdfReader]) -> None:
    """Every part's named destinations (anchors; their names are unique per document) in the packet."""
    names = writer.root_object.get("/Names")
    dests = names.get_object().get("/Dests") if names else None
    entries = dict(pairs(number_tree_names(dests.get_object()))) if dests else {}
    for reader in readers:
        source = reader.root_object.get("/Names")
        source_dests = source.get_object().get("/Dests") if source else None
        if source_dests is None:
            continue
        for key, value in pairs(number_tree_names(source_dests.get_object())):
            entries.setdefault(str(key), value.clone(writer))
    if not entries:
        return
    array = ArrayObject()
    for key in sorted(entries):
        array += [TextStringObject(key), entries[key]]
    if names is None:
        writer.root_object[NameObject("/Names")] = DictionaryObject()
        names = writer.root_object["/Names"]
    names.get_object()[NameObject("/Dests")] = DictionaryObject({NameObject("/Names"): array})


def number_tree_names(node: DictionaryObject) -> list:
    """A name tree's /Names entries, flattened from its kids."""
    if "/Names" in node:
        return list(node["/Names"])
    return [entry for kid in node.get("/Kids", []) for entry in number_tree_names(kid.get_object())]


def destination_names(writer: PdfWriter) -> set[str]:
    """The named destinations (anchors) a PDF has."""
    names = writer.root_object.get("/Names")
    dests = names.get_object().get("/Dests") if names else None
    return {str(key) for key, _ in pairs(number_tree_names(dests.get_object()))} if dests else set()


def resolve_links(writer: PdfWriter) -> None:
    """Placeholder links to other documents jump to them when they are here; otherwise they are plain text."""
    present = destination_names(writer)
    tree = writer.root_object.get("/StructTreeRoot")
    parents = dict(pairs(number_tree(tree.get_object()["/ParentTree"].get_object()))) if tree else {}
    for page in writer.pages:
        annotations = page.get("/Annots")
        if annotations is None:
            continue
        annotations = annotations.get_object()
        for reference in list(annotations):
            annotation = reference.get_object()
            action = annotation.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if not uri.startswith(DOCUMENT_LINK):
                continue
            name = uri.removeprefix(DOCUMENT_LINK)
            if name in present:
                del annotation[NameObject("/A")]
                annotation[NameObject("/Dest")] = TextStringObject(name)
                continue
            annotations.remove(reference)
            owner = parents.get(annotation.get("/StructParent"))
            if owner is not None:
                element = owner.get_object()
                kids = element.get("/K")
                if isinstance(kids, ArrayObject):
                    element[NameObject("/K")] = ArrayObject(k for k in kids if not refers_to(k, reference))


def refers_to(kid: object, annotation: IndirectObject) -> bool:
    """Whether a structure element's kid is the object reference of an annotation."""
    data = kid.get_object() if isinstance(kid, IndirectObject) else kid
    if not isinstance(data, DictionaryObject) or data.get("/Type") != "/OBJR":
        return False
    target = data.raw_get("/Obj")
    return isinstance(target, IndirectObject) and target.idnum == annotation.idnum
