"""Existing PDFs checked before binding: readable, not a decompression bomb, and what they carry.

Every stream is decoded once under a byte budget; files that only load after repair are noted;
annotations, links and actions are sorted into what prints (kept) and what cannot (removed).
"""

from __future__ import annotations

import logging
import re
import warnings
import zlib
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO

from pypdf import PdfReader, apply_configuration
from pypdf.errors import DependencyError, LimitReachedError, PdfReadWarning, PyPdfError
from pypdf.filters import decode_stream_data
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject, StreamObject

from .model import Tally

MAX_BOUND_PAGES = 200
MAX_STREAM_BYTES = 100_000_000  # one stream, decoded: a 600 dpi colour page image fits
MAX_DECODED_BYTES = 400_000_000  # every stream of one PDF, decoded
MAX_NAMES = 10_000  # entries counted in a name tree (attached files, scripts)
PRINT_FLAG, HIDDEN_FLAG = 4, 2
LIMITS = {
    name: MAX_STREAM_BYTES
    for name in (
        "zlib_maximum_output_length",
        "lzw_maximum_output_length",
        "run_length_maximum_output_length",
        "brotli_maximum_output_length",
        "jbig2_maximum_output_length",
        "array_based_stream_maximum_output_length",
    )
}
MARKUP = frozenset(
    [
        "/Highlight",
        "/Underline",
        "/StrikeOut",
        "/Squiggly",
        "/Ink",
        "/Text",
        "/FreeText",
        "/Square",
        "/Circle",
        "/Line",
        "/Polygon",
        "/PolyLine",
        "/Stamp",
        "/Caret",
    ]
)
MEDIA = frozenset(["/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"])
WEB = ("http://", "https://", "mailto:")
FILE_ACTIONS = frozenset(["/Launch", "/GoToR", "/GoToE", "/ImportData"])
SCRIPTS = ("javascript:", "vbscript:")
READ_ERRORS = (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError)

REMOVED = {  # in the order a note lists them
    "open": ("action run on opening", "actions run on opening"),
    "document-script": ("script run on opening", "scripts run on opening"),
    "document-action": ("action run on printing, saving or closing", "actions run on printing, saving or closing"),
    "page-action": ("action run when a page opens", "actions run when pages open"),
    "field": ("form field", "form fields"),
    "file": ("link to a local file", "links to local files"),
    "script": ("link that runs JavaScript", "links that run JavaScript"),
    "data": ("link to embedded data", "links to embedded data"),
    "action": ("link that runs a viewer action", "links that run viewer actions"),
    "other-link": ("link of another kind", "links of other kinds"),
    "broken": ("link to a page that does not exist", "links to pages that do not exist"),
    "attachment": ("attached file", "attached files"),
    "media": ("video, sound or 3D object", "videos, sounds or 3D objects"),
    "hidden": ("annotation not set to print", "annotations not set to print"),
    "other": ("other annotation", "other annotations"),
    "annotation-action": ("action on a kept annotation", "actions on kept annotations"),
}
KEPT = {
    "print": ("printed annotation", "printed annotations"),
    "web": ("web link", "web links"),
    "goto": ("link within the file", "links within the file"),
}


class PdfProblem(Exception):
    """An existing PDF that cannot be bound in (the message says why, for a teacher)."""


@dataclass(frozen=True)
class CheckedPdf:
    """An existing PDF that may be bound in: its reader, whether it needed repair, what binding drops."""

    reader: PdfReader
    title: str
    repaired: bool
    removed: tuple[Tally, ...]
    kept: tuple[Tally, ...]


@dataclass(frozen=True)
class Streams:
    """What decoding every stream found: the decoded bytes, and whether any stream was damaged."""

    decoded: int
    damaged: bool


def in_words(tallies: Iterable[Tally]) -> str:
    """'2 form fields, 1 web link and 3 printed annotations'."""
    parts = [str(t) for t in tallies]
    return " and ".join([", ".join(parts[:-1]), parts[-1]] if len(parts) > 1 else parts)


@contextmanager
def pypdf_log() -> Iterator[list[str]]:
    """Collect what pypdf logs or warns while reading (repairs), instead of printing it."""
    messages: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            messages.append(record.getMessage())

    logger, handler = logging.getLogger("pypdf"), Collect(logging.WARNING)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield messages
        messages += [str(w.message) for w in caught if issubclass(w.category, PdfReadWarning)]
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def open_pdf(data: bytes, password: str = "", strict: bool = False) -> PdfReader:
    """Open an existing PDF: readable, unlocked, a sane number of pages (pypdf's log captured)."""
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise PdfProblem("this is not a PDF file (it does not start with %PDF-)")
    with apply_configuration(**LIMITS), pypdf_log():
        reader = PdfReader(BytesIO(data), strict=strict)
        if reader.is_encrypted:
            if not password:
                raise PdfProblem(
                    "the PDF is encrypted: add its password to course.toml "
                    '([pdfs."<path>"] password = "..."), or bind an unlocked copy'
                )
            if not reader.decrypt(password):
                raise PdfProblem("the PDF's password in course.toml is wrong")
        count = len(reader.pages)
        if count == 0:
            raise PdfProblem("the PDF has no pages")
        if count > MAX_BOUND_PAGES:
            raise PdfProblem(f"the PDF has {count} pages; at most {MAX_BOUND_PAGES} can be bound into a packet")
        for page in reader.pages:
            page.mediabox  # noqa: B018 - reading the page tree finds truncated files
    return reader


def check_pdf(data: bytes, password: str = "") -> CheckedPdf:
    """Open, decode and sort an existing PDF: strictly first, then with repairs (noted)."""
    with pypdf_log() as log:
        try:
            return examine(data, password, strict=True, repaired=False, log=log)
        except PdfProblem:
            raise
        except LimitReachedError as error:
            raise limit_problem(error) from None
        except READ_ERRORS:
            pass
        try:
            return examine(data, password, strict=False, repaired=True, log=log)
        except PdfProblem:
            raise
        except LimitReachedError as error:
            raise limit_problem(error) from None
        except READ_ERRORS as error:
            raise PdfProblem(f"the PDF is damaged or truncated and cannot be read ({error})") from None


def examine(data: bytes, password: str, strict: bool, repaired: bool, log: list[str]) -> CheckedPdf:
    """One reading: open, decode every stream, read the outline, count what binding drops and keeps."""
    reader = open_pdf(data, password, strict)
    with apply_configuration(**LIMITS):
        streams = check_streams(reader.trailer["/Root"])
        reader.outline  # noqa: B018 - a broken outline is found now, not while binding
        removed, kept = inventory(reader)
        title = str(entry(reader.metadata, "/Title") or "").strip()
    if re.search(r"^[a-z][a-z0-9+.-]*:|[/\\]|\.(html?|docx?|pptx?|pdf|tex)$", title, re.IGNORECASE):
        title = ""  # a file name, path or address left by the program that made it: not a title
    return CheckedPdf(reader, title, repaired or streams.damaged or bool(log), removed, kept)


def limit_problem(error: LimitReachedError) -> PdfProblem:
    """A pypdf safety limit, explained."""
    text = str(error)
    if "length" in text.lower() and ("declared" in text.lower() or "requested" in text.lower()):
        return PdfProblem(
            "the PDF declares a part far larger than the file itself (damaged, or made to crash PDF readers), "
            "so it cannot be bound; bind a copy saved again from its source"
        )
    if "decompress" in text.lower() or "decoding" in text.lower():
        return too_big(f"part of the PDF unpacks to more than {MAX_STREAM_BYTES / 1e6:g} MB")
    return PdfProblem(f"the PDF goes past a safety limit while being read ({text}), so it cannot be bound")


def too_big(what: str) -> PdfProblem:
    """A refusal for a PDF that unpacks to too much data."""
    return PdfProblem(
        f"{what}, too much to bind safely (it may be a decompression bomb); bind a smaller copy, "
        "e.g. printed to PDF again"
    )


def check_streams(root: PdfObject, total: int = MAX_DECODED_BYTES, per_stream: int = MAX_STREAM_BYTES) -> Streams:
    """Decode every stream reachable from ``root`` once, under a total and a per-stream budget."""
    limits = {name: per_stream for name in LIMITS}
    decoded, damaged = 0, False
    with apply_configuration(**limits):
        for stream in reachable_streams(root):
            try:
                size = len(decode_stream_data(stream) if "/Filter" in stream else stream.get_data())
            except LimitReachedError:
                raise too_big(f"part of the PDF unpacks to more than {per_stream / 1e6:g} MB") from None
            except (NotImplementedError, DependencyError):  # a filter pypdf cannot decode; printers may
                size = 0
            except (*READ_ERRORS, zlib.error):
                size, damaged = 0, True
            if size > per_stream:
                raise too_big(f"part of the PDF unpacks to more than {per_stream / 1e6:g} MB")
            decoded += size
            if decoded > total:
                raise too_big(f"the PDF unpacks to more than {total / 1e6:g} MB of data")
    return Streams(decoded, damaged)


def reachable_streams(root: PdfObject) -> Iterator[StreamObject]:
    """Every stream reachable from an object, each once (shared and cyclic references included)."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            stack += [item.raw_get(key) for key in item]
        elif isinstance(item, ArrayObject):
            stack += list(item)
        if isinstance(item, StreamObject):
            yield item


# ---------------------------------------------------------------- what binding keeps and removes


def entry(item: PdfObject | None, key: str, default: object = None) -> object:
    """A dictionary's entry, resolved (pypdf's ``get`` leaves indirect references as they are)."""
    item = item.get_object() if item is not None else None
    return item[key] if isinstance(item, DictionaryObject) and key in item else default


def annotations(page: DictionaryObject) -> list[DictionaryObject]:
    """A page's annotation dictionaries, resolved."""
    found = entry(page, "/Annots", [])
    items = [ref.get_object() for ref in found] if isinstance(found, ArrayObject) else []
    return [item for item in items if isinstance(item, DictionaryObject)]


def inventory(reader: PdfReader) -> tuple[tuple[Tally, ...], tuple[Tally, ...]]:
    """What binding removes and keeps, counted: actions, scripts, attachments, annotations."""
    found: Counter[str] = Counter()
    root = reader.trailer["/Root"]
    opening = entry(root, "/OpenAction")
    if isinstance(opening, DictionaryObject) and entry(opening, "/S") != "/GoTo":
        found["open"] += 1
    found["document-action"] += len(entry(root, "/AA", {}))
    names = entry(root, "/Names")
    found["document-script"] += count_names(entry(names, "/JavaScript"))
    found["attachment"] += count_names(entry(names, "/EmbeddedFiles"))
    for page in reader.pages:
        found["page-action"] += "/AA" in page
        for annotation in annotations(page):
            kind = classify(reader, annotation)
            found[kind] += 1
            if kind == "print" and ("/A" in annotation or "/AA" in annotation):
                found["annotation-action"] += 1
    return tallies(found, REMOVED), tallies(found, KEPT)


def tallies(found: Counter[str], words: dict[str, tuple[str, str]]) -> tuple[Tally, ...]:
    return tuple(Tally(found[key], *words[key]) for key in words if found[key])


def count_names(tree: PdfObject | None) -> int:
    """The number of entries in a name tree (at most MAX_NAMES are counted)."""
    count, stack, seen = 0, [tree], set()
    while stack and count < MAX_NAMES:
        node = stack.pop()
        node = node.get_object() if node is not None else None
        if not isinstance(node, DictionaryObject) or id(node) in seen:
            continue
        seen.add(id(node))
        count += len(entry(node, "/Names", [])) // 2
        stack += list(entry(node, "/Kids", []))
    return min(count, MAX_NAMES)


def classify(reader: PdfReader, annotation: DictionaryObject) -> str:
    """What becomes of an annotation: 'print', 'web' or 'goto' (kept), or why it is removed."""
    subtype, flags = entry(annotation, "/Subtype"), entry(annotation, "/F", 0)
    flags = int(flags) if isinstance(flags, (int, float)) else 0
    if subtype in MARKUP:
        return "print" if flags & PRINT_FLAG and not flags & HIDDEN_FLAG else "hidden"
    if subtype == "/Link":
        return classify_link(reader, annotation)
    if subtype == "/Widget":
        return "field"
    if subtype == "/FileAttachment":
        return "attachment"
    if subtype in MEDIA:
        return "media"
    if subtype == "/Popup":
        return "popup"  # the window of a note: goes with its note, never listed
    return "other"


def classify_link(reader: PdfReader, link: DictionaryObject) -> str:
    action = entry(link, "/A")
    if not isinstance(action, DictionaryObject):
        return "goto" if "/Dest" in link and link_page(reader, link) is not None else "broken"
    kind = entry(action, "/S")
    if kind == "/URI":
        uri = entry(action, "/URI", "")
        uri = (uri.decode("latin-1") if isinstance(uri, bytes) else str(uri)).strip().lower()
        if uri.startswith(WEB):
            return "web"
        if uri.startswith(SCRIPTS):
            return "script"
        if uri.startswith("data:"):
            return "data"
        return "file" if uri.startswith("file:") or ":" not in uri.split("/")[0] else "other-link"
    if kind == "/JavaScript":
        return "script"
    if kind in FILE_ACTIONS:
        return "file"
    if kind == "/GoTo":
        return "goto" if link_page(reader, link) is not None else "broken"
    return "action"


def link_page(reader: PdfReader, link: DictionaryObject) -> int | None:
    """The index of the page in the same file an internal link leads to, if that page exists."""
    action = entry(link, "/A")
    target = entry(action, "/D") if isinstance(action, DictionaryObject) else entry(link, "/Dest")
    if isinstance(target, DictionaryObject):  # a named destination's dictionary form
        target = entry(target, "/D")
    if isinstance(target, str):
        destination = reader.named_destinations.get(str(target))
        return reader.get_destination_page_number(destination) if destination else None
    if isinstance(target, ArrayObject) and target and isinstance(target[0], IndirectObject):
        pages = {(p.indirect_reference.idnum, p.indirect_reference.generation): i for i, p in enumerate(reader.pages)}
        return pages.get((target[0].idnum, target[0].generation))
    return None
