"""Work done in worker processes: lay out each part once; compose documents and packets from parts."""

from __future__ import annotations

from dataclasses import asdict, replace
from pathlib import Path

from jinja2 import Environment

from . import compose, packet, supplement, templates
from .messages import messages
from .report import plural
from .stamp import STAMP_CSS, StampPage, stamp_html
from .targets import DocumentTarget, Entry, Output, PacketTarget, Part, PartTarget, Running, Setup
from .typeset import Document, Page, Typesetter, collect_warnings, identifier

PAPER_CSS = {"letter": "@page { size: letter; }", "a4": "@page { size: A4; }"}
ROLE_PAGE_LIMIT = 2
FEW_LINES = 0.2  # a last page whose end mark sits in its top fifth holds only a few lines
SPILL = 0.3  # a last page ending in its top 30% is laid out again snug (see ``snug``), to save it
END = "coursepack-end"  # the end mark after a document's sections (document.html)
SNUG_FROM, SNUG_TO = '<body class="', '<body class="snug '  # the class that lays a document out tighter
LAYERS = {"part": "", "stamp": STAMP_CSS, "front": ""}

_typesetters: dict[tuple[Setup, str], Typesetter] = {}


def typesetter(setup: Setup, layer: str) -> Typesetter:
    """The typesetter for a course's styles and paper, for parts, stamps or front matter; kept per process."""
    key = (setup, layer)
    if key not in _typesetters:
        for stale in [known for known in _typesetters if known[0] != setup]:  # styles changed under watch
            del _typesetters[stale]
        styles = Path(setup.styles)
        root = Path(setup.root)
        _typesetters[key] = Typesetter(
            root, (root, styles), [styles / "coursepack.css"], PAPER_CSS[setup.paper] + LAYERS[layer]
        )
    setter = _typesetters[key]
    setter.fetcher.refused.clear()
    setter.removed.clear()
    return setter


def lay_out(target: PartTarget) -> Part:
    """Lay out one document in one edition (in a worker), without running headers and footers."""
    with collect_warnings() as warnings:
        setter = typesetter(target.setup, "part")
        document = snug(setter, target, setter.layout(target.html))
        data = setter.write(document, identifier(target.path, target.html))
    found = font_fallbacks(data, Path(target.setup.styles))
    if target.kind == "role" and target.edition == "student":  # a teacher's copy may run on with notes
        found += role_budget(document, target.doc_id)
    found += [f"WeasyPrint: {w}" for w in warnings]
    found += [f"refused to load {url}" for url in setter.fetcher.refused] + setter.removed
    notes = tuple(f"{target.source}: warning: {w}" for w in dict.fromkeys(found))
    return Part(target.path, data, len(document.pages), notes)


def snug(setter: Typesetter, target: PartTarget, document: Document) -> Document:
    """A document that leaves only a few lines on its last page, laid out again a little tighter when that
    saves the page (role sheets keep their front and back; large print keeps its spacing)."""
    if target.kind == "role" or target.edition == "large-print" or len(document.pages) < 2:
        return document
    if end_height(document.pages[-1], END) >= SPILL or SNUG_FROM not in target.html:
        return document
    tighter = setter.layout(target.html.replace(SNUG_FROM, SNUG_TO, 1))
    return tighter if len(tighter.pages) < len(document.pages) else document


def stamp(setup: Setup, running: Running, pages: list[StampPage], total: int, name: str) -> bytes:
    """Lay out and write the running headers and footers of a PDF's body pages (``total``: its last number)."""
    setter = typesetter(setup, "stamp")
    with collect_warnings():
        document = setter.layout(stamp_html(running, pages, total, messages(Path(setup.root), running.language)))
        return setter.write(document, identifier(name, "stamp"))


def make_document(target: DocumentTarget, part: Part) -> Output:
    """A document's own PDF: its laid-out part, as it is unless it links to other documents."""
    data = compose.linked(part.data) if compose.DOCUMENT_LINK in target.part.html else part.data
    return Output(target.path, data, list(part.warnings), part.pages, 1, target.running.duplex, list(target.notes))


def make_packet(target: PacketTarget, parts: list[Part]) -> Output:
    """A packet: cover and contents with true page numbers, then its parts (duplex-padded), stamped and bound.

    A teacher packet has the student packet's pages, numbered as they are, with each document's
    teacher pages after its student pages (supplement.py).
    """
    running = target.running
    count = len(target.parts)
    places = compose.body_pages([part.pages for part in parts[:count]], running.duplex, running.right)
    extra = [index for index, part in enumerate(target.supplements) if part is not None]
    supplements = {index: (count + n, parts[count + n].pages) for n, index in enumerate(extra)}
    body, labels = supplement.interleaved(places, supplements, running.duplex, running.right)
    at = compose.starts(body)
    teacher = {index: label_text(labels[at[supplements[index][0]] - 1]) for index in extra}
    # the contents print the student packet's page numbers (and, in a teacher packet, where teacher pages are)
    front, front_warnings = front_matter(target, compose.starts(places), teacher)
    every = target.laid_out
    pages = [
        StampPage("", blank=True) if place is compose.BLANK else StampPage(every[place[0]].running) for place in body
    ]
    pages = [replace(page, number=label_text(label)) for page, label in zip(pages, labels, strict=True)]
    overlay = stamp(target.setup, target.running, pages, len(places), target.path)
    bare = {index for index, part in enumerate(target.parts) if not part.stamped}
    data = compose.compose(front, [part.data for part in parts], overlay, body, bare, labels)
    offset = compose.page_count(front)
    if target.bound:  # each bound page takes the place of one placeholder page: the count stays
        starts = {part.doc_id: offset + at[index] - 1 for index, part in enumerate(target.parts)}
        data = packet.bind(data, [(starts[b.doc_id], b.data, b.password, b.scale) for b in target.bound])
    warnings = [w for part in parts for w in part.warnings] + front_warnings
    notes = list(target.notes) + blank_note(target, places)
    return Output(target.path, data, warnings, offset + len(body), count, running.duplex, notes)


def group(entries: tuple[Entry, ...], index: int) -> list[str]:
    """The titles of the documents a reading heads in the contents (none for other entries)."""
    if not entries[index].heads:
        return []
    following = entries[index + 1 :]
    return [e.title for e in following[: next((n for n, e in enumerate(following) if not e.inside), None)]]


def teacher_label(target: PacketTarget, index: int) -> str:
    """What an entry's teacher pages are, as their running head says after the title: "Answer key", …"""
    pages = target.supplements[index] if index < len(target.supplements) else None
    return pages.running.removeprefix(target.entries[index].title).lstrip(" ·") if pages is not None else ""


def label_text(label: supplement.Label) -> str:
    """How a body page's number prints: 9, or 9a for the first teacher page after page 9 (as PDF letters
    count: a … z, aa … zz, aaa …)."""
    prefix, number = label
    if not prefix:
        return str(number)
    return prefix + chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1)


def blank_note(target: PacketTarget, places: list[compose.PagePlace]) -> list[str]:
    """What starting each document on a right-hand page costs in blank pages, when it costs any."""
    blanks = places.count(compose.BLANK)
    saved = blanks - (len(places) - blanks) % 2  # starting on any page, only the last sheet may have one
    if not target.running.right or saved < 1 or target.supplements:  # a teacher packet: as its student one
        return []
    return [
        f"{target.source}: note: {target.path} has {plural(blanks, 'blank page')} so that each document starts "
        f'on a right-hand page; start = "any" in its [[packets]] table saves {saved}'
    ]


def front_matter(target: PacketTarget, first: dict[int, int], teacher: dict[int, str]) -> tuple[bytes, list[str]]:
    """The cover and contents, numbered i, ii, …, padded to an even count when duplex; and their warnings.

    ``first``: the page each entry starts on; ``teacher``: where its teacher pages start, if it has any.
    """
    setter = typesetter(target.setup, "front")
    env = templates.environment(Path(target.setup.styles))
    html = front_html(env, target, first, teacher, False)
    with collect_warnings() as warnings:
        document = setter.layout(compose.outward(html, every_link=True))
        if target.running.duplex and len(document.pages) % 2:
            document = setter.layout(compose.outward(front_html(env, target, first, teacher, True), every_link=True))
        data = setter.write(document, identifier(target.path, html))
    found = font_fallbacks(data, Path(target.setup.styles)) + [f"WeasyPrint: {w}" for w in warnings]
    found += [f"refused to load {url}" for url in setter.fetcher.refused] + setter.removed
    return data, [f"{target.source}: warning: {w}" for w in dict.fromkeys(found)]


def front_html(
    env: Environment, target: PacketTarget, first: dict[int, int], teacher: dict[int, str], pad: bool
) -> str:
    """The HTML of a packet's cover and contents (``first``: the page each entry starts on, when known)."""
    context = {
        "course": dict(target.front),
        "packet": {"title": target.title},
        "edition": target.running.edition,
        "edition_name": target.running.edition_name,
        "language": target.running.language,
        "t": messages(Path(target.setup.root), target.running.language),
        "entries": [
            asdict(e)
            | {
                "page": first.get(index, ""),
                "teacher_page": teacher.get(index, ""),
                "teacher_label": teacher_label(target, index),
            }
            | {"group": group(target.entries, index)}
            for index, e in enumerate(target.entries)
        ],
    }
    sections = [templates.render(env, "front.html", pad=pad, **context)]
    return str(
        templates.render(
            env,
            "document.html",
            mode="front",
            duplex=target.running.duplex,
            title=target.title,
            description="",
            running="",
            sections=sections,
            **{k: context[k] for k in ("course", "edition", "edition_name", "language", "t")},
        )
    )


def role_budget(document: Document, doc_id: str) -> list[str]:
    """A role sheet prints on one page or two, and never leaves a few lines on the last."""
    pages = len(document.pages)
    if pages > ROLE_PAGE_LIMIT:
        return [f"the role sheet runs to {pages} pages; shorten it to fit on {ROLE_PAGE_LIMIT}"]
    if pages > 1 and end_height(document.pages[-1], f"end-{doc_id}") < FEW_LINES:
        return ["the role sheet spills a few lines onto its last page; shorten it to fit on one page"]
    return []


def end_height(page: Page, anchor: str) -> float:
    """How far down a page (0 top, 1 bottom) the document's end mark sits; 1 when it is not on the page."""
    point = page.anchors.get(anchor)
    return point[1] / page.height if point and page.height else 1


def font_fallbacks(data: bytes, styles: Path) -> list[str]:
    """Fonts in the PDF that are not bundled mean a glyph fell back to a system font."""
    bundled = {p.stem.split("-")[0].lower() for p in (styles / "fonts").glob("*.[ot]tf")}
    used = {name.split("+")[-1].lstrip("/") for name in packet.font_names(data)}
    return [
        f"font fallback: '{name}' was used for characters the bundled fonts lack"
        for name in sorted(used)
        if not name.replace("-", "").lower().startswith(tuple(bundled))
    ]
