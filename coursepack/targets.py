"""Targets: frozen records of everything a build makes, and the paths they are written to (made here only)."""

from __future__ import annotations

from dataclasses import dataclass, field

# Laid-out documents (PDFs without running headers), kept in the output folder to compose from;
# named .part so that a teacher looking for PDFs (or a sync to a shared drive) sees only the outputs.
PARTS = ".coursepack-parts"
UNTAGGED = "its pages are bound without tags"  # the note on an existing PDF a screen reader cannot read


@dataclass(frozen=True)
class Setup:
    """What a worker's typesetter needs: the course, its styles and the paper size.

    ``code`` is the digest of the styles and coursepack's code: a warm worker (``watch``) sets type
    afresh when a stylesheet or a font changes.
    """

    root: str
    styles: str
    paper: str
    code: str


@dataclass(frozen=True)
class Running:
    """What the running headers and footers of a PDF share: course, packet (or document kind), edition."""

    course: str
    packet: str
    edition: str
    edition_name: str
    language: str
    duplex: bool
    right: bool = True  # when duplex: each document starts on a right-hand page (and its margins mirror)


@dataclass(frozen=True)
class PartTarget:
    """One document laid out once in one edition: the pages every PDF holding it is composed from."""

    setup: Setup
    doc_id: str
    edition: str
    duplex: bool
    kind: str
    source: str
    html: str
    running: str
    stamped: bool = True  # an existing PDF's placeholder pages get no running header or footer
    version: str = ""  # a worksheet's version letter after A ("" for version A and for other documents)
    notes: bool = False  # a document's teacher notes (supplement.py), not the document itself

    @property
    def path(self) -> str:
        """Where the laid-out part is kept, below the output folder."""
        return part_path(self.edition + ("-notes" if self.notes else ""), self.doc_id, self.duplex, self.version)


@dataclass(frozen=True)
class Part:
    """A laid-out part: its PDF (without running headers and footers), pages and warnings."""

    path: str
    data: bytes
    pages: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bound:
    """An existing PDF bound into a packet in place of its placeholder pages."""

    doc_id: str
    data: bytes
    password: str
    scale: bool


@dataclass(frozen=True)
class Entry:
    """One line of a packet's contents."""

    id: str
    title: str
    label: str
    kind: str
    time: str = ""  # how long it takes, for a lesson that says ("Two 50-minute class periods")
    heads: bool = False  # a lesson or overview: the documents after it, to the next one, are its own
    inside: bool = False  # one of those documents


@dataclass(frozen=True)
class DocumentTarget:
    """A document's own PDF: its part with running headers and footers."""

    path: str
    source: str
    part: PartTarget
    running: Running
    notes: tuple[str, ...] = ()  # advice on the document, for the summary (see advice.py)


@dataclass(frozen=True)
class PacketTarget:
    """A packet's PDF: front matter laid out with true page numbers, then its parts, stamped and bound."""

    path: str
    source: str
    setup: Setup
    parts: tuple[PartTarget, ...]
    running: Running
    title: str
    entries: tuple[Entry, ...]
    front: tuple[tuple[str, str], ...]  # course fields the cover prints: title, subtitle, teacher, school
    bound: tuple[Bound, ...] = ()
    notes: tuple[str, ...] = ()
    # a teacher packet: each document's student pages, then (when it has any) its teacher pages
    supplements: tuple[PartTarget | None, ...] = ()

    @property
    def laid_out(self) -> tuple[PartTarget, ...]:
        """Every part the packet is composed from: its documents' parts, then their supplements."""
        return self.parts + tuple(part for part in self.supplements if part is not None)


@dataclass
class Output:
    """One finished PDF, with what the summary and strict mode need."""

    path: str
    data: bytes
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    documents: int = 0
    duplex: bool = False
    notes: list[str] = field(default_factory=list)
    reused: bool = False


def document_path(edition: str, doc_id: str, version: str = "") -> str:
    """Where a document's own PDF goes, below the output folder (versions after A in a folder each)."""
    return f"{version_folder(edition, version)}/documents/{doc_id}.pdf"


def packet_path(edition: str, packet_id: str, version: str = "") -> str:
    """Where a packet goes, below the output folder (versions after A in a folder each)."""
    return f"{version_folder(edition, version)}/{packet_id}.pdf"


def version_folder(edition: str, version: str) -> str:
    """An edition's folder, or its folder for version B, C, …: ``student/version-B``."""
    return f"{edition}/version-{version}" if version else edition


def part_path(edition: str, doc_id: str, duplex: bool, version: str = "") -> str:
    """Where a laid-out part is kept, below the output folder."""
    return f"{PARTS}/{edition}/{doc_id}{'.duplex' if duplex else ''}{f'.{version}' if version else ''}.part"
