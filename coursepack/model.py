"""The course as data: frozen records passed between the pipeline stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EDITIONS = ("student", "teacher")
FILLABLE = "fillable"  # a worksheet's student edition with form fields (build/fillable/)
KIND_WORDS = {  # what each kind of document is called, as a key of the message catalogue (messages.py)
    "lesson": "reading",
    "overview": "reading",
    "role": "role_sheet",
    "worksheet": "worksheet",
    "handout": "handout",
    "pdf": "handout",
}


class Kinded:
    """A packet item by its kind: what that kind is called."""

    kind: str

    @property
    def word(self) -> str:
        """What its kind is called: a key of the message catalogue ("role_sheet")."""
        return KIND_WORDS[self.kind]

    @property
    def label(self) -> str:
        """What its kind is called in English (for a course's own templates written before the catalogue)."""
        from .messages import english

        return english()[self.word]


@dataclass(frozen=True)
class Source:
    """A Markdown source split into front matter and body, with line numbers."""

    path: str
    meta: dict[str, Any]
    lines: dict[tuple, int]
    body: str
    body_line: int

    def line_of(self, *key: Any) -> int:
        """Line of a front-matter field (or list item), or the first line."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


@dataclass(frozen=True)
class Document(Kinded):
    """A validated document: its kind, id, typed front matter and Markdown body."""

    id: str
    kind: str
    source: Source
    meta: dict[str, Any]
    versions: int = 1  # a worksheet's versions A, B, … (its own setting, the course's, or its packets')

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def title(self) -> str:
        return self.meta.get("title") or self.id


@dataclass(frozen=True)
class Tally:
    """A count of one kind of thing in an existing PDF, in words: "2 form fields"."""

    count: int
    singular: str
    plural: str

    def __str__(self) -> str:
        return f"{self.count} {self.singular if self.count == 1 else self.plural}"


@dataclass(frozen=True)
class BoundPdf(Kinded):
    """An existing PDF from the course folder, bound into packets as it prints.

    ``removed`` and ``kept`` count what binding drops (actions, fields, links) and keeps
    (printed annotations, safe links); ``repaired`` says it only loaded after repair.
    """

    id: str
    path: str
    title: str
    data: bytes
    page_count: int
    password: str = ""
    scale: bool = False
    removed: tuple[Tally, ...] = ()
    kind: str = "pdf"
    kept: tuple[Tally, ...] = ()
    repaired: bool = False


@dataclass(frozen=True)
class Packet:
    """An ordered selection of documents bound into one PDF per edition."""

    id: str
    title: str
    items: tuple[str, ...]
    duplex: bool
    versions: int = 1  # packets A, B, …: version k holds each worksheet's version k (or k mod its count)
    right: bool = True  # when duplex: each document starts on a right-hand page (else on the next page)


@dataclass(frozen=True)
class Course:
    """Everything a build needs, read and validated, before anything is written."""

    root: Path
    styles: Path
    title: str
    subtitle: str
    teacher: str
    school: str
    paper: str
    language: str
    pathways: dict[str, str]
    documents: dict[str, Document]
    bound: dict[str, BoundPdf]
    packets: tuple[Packet, ...]
    editions: tuple[str, ...] = EDITIONS
    settings: dict[str, Any] = field(default_factory=dict)

    def fillable(self, doc_id: str) -> bool:
        """Whether a document has a fillable edition: a worksheet, when it or the course says so."""
        doc = self.documents.get(doc_id)
        if doc is None or doc.kind != "worksheet":
            return False
        own = doc.meta.get("fillable")
        return bool(self.settings.get("fillable", False) if own is None else own)

    def career_map(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """What the cluster map draws: the pathways by id, and under each its role sheets' titles (A to Z)."""
        by_pathway: dict[str, list[str]] = {}
        for role in sorted((d for d in self.documents.values() if d.kind == "role"), key=lambda d: d.title):
            by_pathway.setdefault(role.meta["pathway"], []).append(role.title)
        return self.pathways or {p: p for p in by_pathway}, by_pathway

    def item(self, item_id: str) -> Document | BoundPdf:
        """A packet item: a rendered document or a bound PDF."""
        return self.documents.get(item_id) or self.bound[item_id]
