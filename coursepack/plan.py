"""Plan: every target of a build (each document laid out once per edition, its own PDF, each packet)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from . import advice, compose, links, pdfcheck, record, supplement, templates, versions
from .loading import VERSIONED_EDITIONS, Plan, running_title
from .messages import messages
from .model import FILLABLE, BoundPdf, Course
from .targets import (
    UNTAGGED,
    Bound,
    DocumentTarget,
    Entry,
    PacketTarget,
    PartTarget,
    Running,
    Setup,
    document_path,
    packet_path,
)

MINUTES = (("teaching", "min_teaching"), ("exercises", "min_exercises"))  # a Carpentries episode's times


@dataclass(frozen=True)
class Targets:
    """What a build makes: parts to lay out, then documents and packets composed from them."""

    setup: Setup
    parts: tuple[PartTarget, ...]
    documents: tuple[DocumentTarget, ...]
    packets: tuple[PacketTarget, ...]

    @property
    def outputs(self) -> tuple[DocumentTarget | PacketTarget, ...]:
        """The PDFs a teacher gets, in the order they are reported."""
        return self.documents + self.packets


def targets(plan: Plan) -> Targets:
    """Every part, document PDF and packet of a checked course, in every edition."""
    course = plan.course
    setup = Setup(str(course.root), str(course.styles), course.paper, record.code_digest(course.styles))
    env = templates.environment(course.styles)
    every_id = set(course.documents) | set(course.bound)
    parts: dict[tuple[str, str, bool, int], PartTarget] = {}

    def part(item_id: str, edition: str, duplex: bool, version: int = 0, notes: bool = False) -> PartTarget:
        key = (item_id, supplement.EDITION if notes else edition, duplex, version)
        if key not in parts:
            item = course.item(item_id)
            document = course.documents.get(item_id)
            letter = versions.letter(version) if document and document.versions > 1 else ""
            language = (item.meta.get("language") if document else None) or course.language
            words = messages(course.root, language)
            html = templates.render(
                env,
                "document.html",
                course=course,
                edition=edition,
                edition_name=edition_name(edition, letter, words),
                mode="single",
                duplex=duplex,
                title=item.title,
                description=f"{words[item.word]} · {course.title}",
                language=language,
                running=words[item.word],
                sections=[plan.sections[key[:2] + (version,)]],
                t=words,
            )
            parts[key] = PartTarget(
                setup,
                item_id,
                edition,
                duplex,
                item.kind,
                item.path,
                compose.outward(links.keep_present(str(html), every_id)),
                supplement.notes_title(item.title, words)
                if notes
                else running_title(document, edition, words)
                if document
                else item.title,
                stamped=document is not None,
                version=letter if version else "",
                notes=notes,
            )
        return parts[key]

    def teacher_pages(item_id: str, duplex: bool, version: int) -> PartTarget | None:
        """What a teacher packet adds after a document's student pages: its key or notes, if it has any."""
        if (item_id, supplement.EDITION, version) not in plan.sections:
            return None
        return part(item_id, "teacher", duplex, version, notes=course.documents[item_id].kind != "worksheet")

    def version_of(item_id: str, version: int) -> int:
        """The version of a packet item in a packet's version (worksheets with fewer versions repeat)."""
        document = course.documents.get(item_id)
        return version % document.versions if document else 0

    documents, packets = [], []
    notes = {doc.id: tuple(advice.worksheet_notes(doc)) for doc in course.documents.values()}  # once each
    fillable = {doc_id for doc_id in course.documents if course.fillable(doc_id)}
    for edition in course.editions + ((FILLABLE,) if fillable else ()):
        for doc in course.documents.values():
            if edition == FILLABLE and doc.id not in fillable:
                continue
            for version in range(doc.versions if edition in VERSIONED_EDITIONS else 1):
                letter = versions.letter(version) if doc.versions > 1 else ""
                words = messages(course.root, doc.meta.get("language") or course.language)
                running = Running(
                    course.title,
                    words[doc.word],
                    edition,
                    edition_name(edition, letter, words),
                    doc.meta.get("language") or course.language,
                    course.settings["duplex"],
                )
                target = part(doc.id, edition, course.settings["duplex"], version)
                path = document_path(edition, doc.id, letter if version else "")
                documents.append(DocumentTarget(path, doc.path, target, running, notes[doc.id]))
        words = messages(course.root, course.language)  # a packet's cover, contents and page numbers
        for pack in course.packets:
            if edition == FILLABLE and not fillable & set(pack.items):
                continue  # a fillable packet is one with fillable worksheets; its other parts are the students'
            for version in range(pack.versions if edition in VERSIONED_EDITIONS else 1):
                letter = versions.letter(version) if pack.versions > 1 else ""  # large print: version A, and says so
                name = edition_name(edition, letter, words)
                duplex = pack.duplex and pack.right
                # a teacher's pages match the students'; a fillable packet's other pages are the students' too
                pages = {item: "student" if edition == "teacher" else edition for item in pack.items}
                if edition == FILLABLE:
                    pages = {item: FILLABLE if item in fillable else "student" for item in pack.items}
                packets.append(
                    PacketTarget(
                        packet_path(edition, pack.id, letter if version else ""),
                        "course.toml",
                        setup,
                        tuple(part(item, pages[item], duplex, version_of(item, version)) for item in pack.items),
                        Running(course.title, pack.title, edition, name, course.language, pack.duplex, pack.right),
                        pack.title,
                        contents(course, pack.items, words),
                        cover(course),
                        tuple(bound(course.bound[item]) for item in pack.items if item in course.bound),
                        tuple(
                            note
                            for item in pack.items
                            if item in course.bound
                            for note in bound_notes(course.bound[item])
                        ),
                        tuple(teacher_pages(item, duplex, version_of(item, version)) for item in pack.items)
                        if edition == "teacher"
                        else (),
                    )
                )
    return Targets(setup, tuple(parts.values()), tuple(documents), tuple(packets))


def edition_name(edition: str, version: str, words: Mapping[str, str]) -> str:
    """What a page's footer and a cover call the edition: "Student edition", "Student edition · Version B"."""
    name = templates.edition_label(words, edition)
    return f"{name} · {words['version']} {version}" if version else name


def contents(course: Course, items: tuple[str, ...], words: Mapping[str, str]) -> tuple[Entry, ...]:
    """A packet's contents: a line per item; a reading followed by other documents heads them as a group."""
    readings = [course.item(item).kind in ("lesson", "overview") for item in items]
    entries, group = [], False
    for index, (item, reading) in enumerate(zip(items, readings, strict=True)):
        heads = reading and index + 1 < len(items) and not readings[index + 1]
        entries.append(replace(entry(course, item, words, heads), inside=group and not reading))
        group = heads or (group and not reading)
    return tuple(entries)


def entry(course: Course, item_id: str, words: Mapping[str, str], heads: bool) -> Entry:
    """A packet item's line in the contents (with a reading's time, when it says)."""
    item = course.item(item_id)
    if item.kind not in ("lesson", "overview"):
        return Entry(item_id, item.title, words[item.word], item.kind)
    meta = item.meta
    minutes = [f"{meta[key]} {words[word]}" for key, word in MINUTES if meta.get(key) is not None]
    return Entry(item_id, item.title, words[item.word], item.kind, meta.get("duration") or ", ".join(minutes), heads)


def cover(course: Course) -> tuple[tuple[str, str], ...]:
    """The course fields a packet's cover prints."""
    return tuple((name, getattr(course, name)) for name in ("title", "subtitle", "teacher", "school"))


def bound(item: BoundPdf) -> Bound:
    """An existing PDF, ready to bind in place of its placeholder pages."""
    return Bound(item.id, item.data, item.password, item.scale)


def bound_notes(item: BoundPdf) -> list[str]:
    """What a teacher should know about an existing PDF bound into a packet."""
    notes = [f"{item.path}: note: {UNTAGGED}; a screen reader cannot read them"]
    if item.repaired:
        notes.append(f"{item.path}: note: the PDF was damaged and has been repaired; check its pages in the packet")
    if item.removed:
        them = "it" if len(item.removed) == 1 and item.removed[0].count == 1 else "them"
        kept = f"; kept {pdfcheck.in_words(item.kept)}" if item.kept else ""
        removed = pdfcheck.in_words(item.removed)
        notes.append(f"{item.path}: note: removed {removed} (a printed packet cannot use {them}){kept}")
    return notes
