"""Load and check a course: settings, sources, references, bound PDFs, packets and section HTML."""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

from markupsafe import Markup

from . import fragments, markup, schema, stylecheck, supplement, templates, versions
from .blocks import BlockKind
from .errors import Problem, SourceErrors
from .fonts import character_problems, svg_font_problems
from .images import course_relative_images, image_problems
from .messages import messages
from .messages import problems as message_problems
from .model import EDITIONS, FILLABLE, BoundPdf, Course, Document, Packet
from .record import styles_of
from .sources import SourceProblem, read_all, read_bytes, read_toml

VERSIONED_EDITIONS = ("student", "teacher")  # the editions a worksheet has versions B, C, … in


@dataclass(frozen=True)
class Plan:
    """A checked course with every document section rendered to HTML, per edition."""

    course: Course
    sections: dict[tuple[str, str, int], str]  # (document, edition, version from 0)


def load(root: Path) -> Plan:
    """Read and check every source and setting; raise SourceErrors with all problems."""
    root = root.resolve()
    problems: list[Problem] = []
    if not (root / "course.toml").is_file():
        raise SourceErrors([Problem("course.toml", None, "no course.toml here: is this a course folder?")])
    settings: dict[str, Any] = {}
    try:
        data, text = read_toml(root)
        settings, setting_problems = schema.validate_settings(data, text)
        problems += setting_problems
    except SourceProblem as problem:
        problems.append(Problem("course.toml", problem.line, problem.message))
        text = ""
    sources, read_problems = read_all(root)
    problems += read_problems
    documents: dict[str, Document] = {}
    for source in sources:
        kind, meta, found = schema.validate(source)
        problems += found
        doc_id = PurePosixPath(source.path).stem
        if doc_id in documents:
            problems.append(Problem(source.path, 1, f"document id '{doc_id}' is also used by {documents[doc_id].path}"))
            continue
        documents[doc_id] = Document(doc_id, kind, source, meta)
    if not settings:
        raise SourceErrors(problems)
    problems += check_references(documents, settings)
    bound, bound_problems = load_bound(root, settings, text)
    problems += bound_problems
    paths_with_problems = {problem.path for problem in problems}
    unreadable = {PurePosixPath(path).stem for path in paths_with_problems if path.endswith(".md")}
    packets, packet_problems = resolve_packets(settings, documents, bound, text, unreadable)
    problems += packet_problems
    documents, packets = with_versions(settings, documents, packets)
    styles = styles_of(root)
    problems += character_problems(styles, documents.values(), text)
    course = Course(
        root=root,
        styles=styles,
        title=settings["title"],
        subtitle=settings["subtitle"],
        teacher=settings["teacher"],
        school=settings["school"],
        paper=settings["paper"],
        language=settings["language"],
        pathways=settings["pathways"],
        documents=documents,
        bound=bound,
        packets=packets,
        settings=settings,
        editions=(*EDITIONS, "large-print") if settings["large_print"] else EDITIONS,
    )
    problems += templates.check_templates(styles) + stylecheck.stylesheet_problems(root, styles)
    problems += message_problems(root)
    try:
        sections, markup_problems = render_sections(course, templated=not problems)
    except templates.TemplateError as error:
        sections, markup_problems = {}, error.problems
    problems += markup_problems
    if problems:
        raise SourceErrors(problems)
    return Plan(course, sections)


def check_references(documents: dict[str, Document], settings: dict[str, Any]) -> list[Problem]:
    """Role pathways, sectors and related roles, and worksheet lessons, must exist."""
    problems = []
    for doc in documents.values():
        meta, source = doc.meta, doc.source
        if doc.kind == "role":
            pathway = meta.get("pathway")
            if pathway and settings["pathways"] and pathway not in settings["pathways"]:
                problems.append(
                    Problem(
                        doc.path,
                        source.line_of("pathway"),
                        schema.unknown_field(pathway, settings["pathways"], "pathway")
                        + " (pathways are listed in course.toml)",
                    )
                )
            for index, sector in enumerate(meta.get("sectors") or []):
                if settings["sectors"] and sector not in settings["sectors"]:
                    problems.append(
                        Problem(
                            doc.path,
                            source.line_of("sectors", index),
                            schema.unknown_field(sector, settings["sectors"], "sector")
                            + " (sectors are listed in course.toml)",
                        )
                    )
            for index, related in enumerate(meta.get("related") or []):
                target = documents.get(related)
                if target is None or target.kind != "role":
                    roles = [d.id for d in documents.values() if d.kind == "role"]
                    message = schema.unknown_field(related, roles, "related role")
                    problems.append(Problem(doc.path, source.line_of("related", index), message))
                elif related == doc.id:
                    problems.append(
                        Problem(doc.path, source.line_of("related", index), "a role cannot be related to itself")
                    )
        if doc.kind == "worksheet" and meta.get("lesson"):
            lessons = [d.id for d in documents.values() if d.kind in ("lesson", "overview")]
            if meta["lesson"] not in lessons:
                message = schema.unknown_field(meta["lesson"], lessons, "lesson")
                problems.append(Problem(doc.path, source.line_of("lesson"), message))
    return problems


def load_bound(root: Path, settings: dict[str, Any], text: str) -> tuple[dict[str, BoundPdf], list[Problem]]:
    """Every existing PDF a packet lists: read, opened and checked before anything renders."""
    bound, problems = {}, []
    listed = sorted({d for p in settings["packets"] for d in p["documents"] if d.lower().endswith(".pdf")})
    if listed:
        from . import pdfcheck  # only for a course that binds PDFs: importing pypdf costs ~0.2 s
    for entry in listed:
        options = settings["pdfs"].get(entry, {})
        if (root / entry).resolve().is_relative_to(root) and not os.path.lexists(root / entry):
            problems.append(Problem(entry, None, "the PDF listed in course.toml does not exist"))
            continue
        try:
            data = read_bytes(root, entry, limit=50_000_000)
            checked = pdfcheck.check_pdf(data, str(options.get("password", "")))
        except (SourceProblem, pdfcheck.PdfProblem) as problem:
            problems.append(Problem(entry, None, str(problem)))
            continue
        title = options.get("title") or checked.title or PurePosixPath(entry).stem.replace("-", " ").capitalize()
        bound[entry] = BoundPdf(
            entry,
            entry,
            str(title),
            data,
            len(checked.reader.pages),
            str(options.get("password", "")),
            options.get("scale") is True,
            checked.removed,
            kept=checked.kept,
            repaired=checked.repaired,
        )
    return bound, problems


def resolve_packets(
    settings: dict[str, Any],
    documents: dict[str, Document],
    bound: dict[str, BoundPdf],
    text: str,
    unreadable: set[str],
) -> tuple[tuple[Packet, ...], list[Problem]]:
    """Expand each packet's entries (ids, globs, PDF paths) in the order written.

    Entries naming a file that could not be read are left out quietly: its own problem says why.
    """
    packets, problems = [], []
    for spec in settings["packets"]:
        items: list[str] = []
        for entry in spec["documents"]:
            if entry.lower().endswith(".pdf"):
                matches = [entry] if entry in bound else []
            elif any(fnmatch.fnmatchcase(stem, entry.rsplit("/", 1)[-1]) for stem in unreadable):
                continue
            else:
                matches = [
                    d.id
                    for d in sorted(documents.values(), key=lambda d: (d.title.lower(), d.id))
                    if matches_entry(d, entry)
                ]
                if not matches:
                    hint = "no document matches " + schema.unknown_field(entry, documents, "")
                    problems.append(
                        Problem(
                            "course.toml", schema.packet_entry_line(text, spec, entry), f"packet '{spec['id']}': {hint}"
                        )
                    )
            items += [m for m in matches if m not in items]
        packets.append(Packet(spec["id"], spec["title"], tuple(items), spec["duplex"], right=spec["start"] == "right"))
    return tuple(packets), problems


def with_versions(
    settings: dict[str, Any], documents: dict[str, Document], packets: tuple[Packet, ...]
) -> tuple[dict[str, Document], tuple[Packet, ...]]:
    """How many versions each worksheet and packet has.

    A packet has its own setting, or as many as its worksheets ask for (their front matter, else the
    course's); one whose worksheets all keep one version has one. A worksheet has as many as it asks
    for, raised to those of the packets it is in, so that version C of a packet holds a version C of
    each; ``versions: 1`` in its front matter keeps it as written everywhere.
    """
    graded = [d for d in documents.values() if d.kind == "worksheet" and not d.meta.get("self_assessment")]
    own = {d.id: d.meta.get("versions") or settings["versions"] for d in graded}
    kept = {d.id for d in graded if d.meta.get("versions") == 1}
    counts = dict(own)
    sized = []
    for spec, packet in zip(settings["packets"], packets, strict=True):
        varying = [item for item in packet.items if item in own and item not in kept]
        wanted = spec["versions"] or max((own[item] for item in varying), default=1)
        sized.append(replace(packet, versions=wanted if varying else 1))
        for item in varying:
            counts[item] = max(counts[item], wanted)
    documents = {doc_id: replace(doc, versions=counts.get(doc_id, 1)) for doc_id, doc in documents.items()}
    return documents, tuple(sized)


def matches_entry(doc: Document, entry: str) -> bool:
    """A packet entry names a document by id or by path, globs allowed: "welder", "roles/*"."""
    if "/" not in entry:
        return fnmatch.fnmatchcase(doc.id, entry)
    path = doc.path.removesuffix(".md")
    return any(fnmatch.fnmatchcase(path, prefix + entry) for prefix in ("", "handouts/", "lessons/"))


# ---------------------------------------------------------------- sections


def render_sections(course: Course, templated: bool = True) -> tuple[dict[tuple[str, str, int], str], list[Problem]]:
    """Every document's section HTML in every edition and version; Markdown problems with their lines.

    With ``templated`` false (other problems were found) only the Markdown is checked.
    """
    env = templates.environment(course.styles)
    pathways, by_pathway = course.career_map()
    words = messages(course.root, course.language)
    maps = {large: templates.cluster_map(course.title, pathways, by_pathway, large, words) for large in (False, True)}
    sections, problems = {}, []
    documents = {doc.path: doc.id for doc in course.documents.values()} | {p: p for p in course.bound}
    editions = tuple((edition, (("cluster-map", maps[edition == "large-print"]),)) for edition in course.editions)
    # Bodies are read first with placeholders for generated blocks, so that a role's new title (which
    # redraws the cluster map) makes a warm process read again only the bodies that show the map.
    unmapped = tuple(
        (edition, (("cluster-map", fragments.block_placeholder("cluster-map")),)) for edition in course.editions
    )
    versioned = tuple((edition, blocks) for edition, blocks in editions if edition in VERSIONED_EDITIONS)
    for doc in course.documents.values():
        folder = PurePosixPath(doc.path).parent
        source = doc.source
        words = messages(course.root, doc.meta.get("language") or course.language)
        read = reader(course, doc, documents)
        shows_map = "cluster-map" in source.body.lower()
        # a fillable worksheet has one more edition: the student edition's blocks, with form fields to type in
        fill = tuple((FILLABLE, dict(eds)["student"]) for eds in (unmapped, editions) if course.fillable(doc.id))
        results = None if shows_map else read(unmapped + fill[:1])
        if results is None or any(r.generated or '<div class="block-' in r.html for r in results.values()):
            results = read(editions + fill[1:])
        checked: set[tuple] = set()  # editions share most images: each list is checked once
        for result in results.values():
            if (images := tuple(result.images)) not in checked:
                checked.add(images)
                problems += image_problems(course.root, doc, result.images)
                problems += svg_font_problems(course.root, course.styles, doc, result.images)
            problems += [Problem(doc.path, line, message) for line, message in result.problems]
        if not templated or problems:
            continue
        # Versions B, C, … of a worksheet: the student and teacher editions only (large print keeps A).
        by_version = [results] + [read(versioned, version=v) for v in range(1, doc.versions)]
        keys = [(versions.letter(v), found["teacher"].key) for v, found in enumerate(by_version)]
        for version, found in enumerate(by_version):
            found = {ed: replace(r, html=Markup(course_relative_images(r.html, folder))) for ed, r in found.items()}
            letter = versions.letter(version) if doc.versions > 1 else ""
            for edition, result in found.items():
                sections[(doc.id, edition, version)] = templates.render(
                    env,
                    [f"{doc.kind}.html", "lesson.html" if doc.kind == "overview" else "handout.html"],
                    doc=doc,
                    body=result,
                    edition=edition,
                    running_title=running_title(doc, edition, words),
                    t=words,
                    version=letter,
                    keys=keys if doc.versions > 1 else [],
                    **kind_context(course, doc),
                )
            title = supplement.notes_title(doc.title, words)
            teacher = sections.get((doc.id, "teacher", version), "")
            if notes := supplement.section(env, doc, found, teacher, running_title=title, t=words, version=letter):
                sections[(doc.id, supplement.EDITION, version)] = notes
    course_words = messages(course.root, course.language)
    for item in course.bound.values():
        for edition in course.editions:
            sections[(item.id, edition, 0)] = templates.render(
                env, "bound.html", doc=item, edition=edition, running_title=item.title, t=course_words
            )
    return sections, problems


def reader(course: Course, doc: Document, documents: dict[str, str] | None = None) -> functools.partial:
    """A document's body read in given editions (``body_markup`` with the document's own arguments)."""
    if documents is None:
        documents = {d.path: d.id for d in course.documents.values()} | {p: p for p in course.bound}
    words = messages(course.root, doc.meta.get("language") or course.language)
    return functools.partial(
        body_markup,
        doc.source.body,
        doc.source.body_line,
        doc.kind == "worksheet",
        not doc.meta.get("self_assessment"),
        doc.id,
        tuple(course.settings["blocks"].items()),
        PurePosixPath(doc.path).parent,
        tuple(documents.items()),
        tuple(words.items()),
    )


@functools.lru_cache(maxsize=1024)
def body_markup(
    body: str,
    first_line: int,
    worksheet: bool,
    graded: bool,
    seed: str,
    kinds: tuple[tuple[str, BlockKind], ...],
    folder: PurePosixPath,
    documents: tuple[tuple[str, str], ...],
    words: tuple[tuple[str, str], ...],
    editions: tuple[tuple[str, tuple[tuple[str, str], ...]], ...],
    version: int = 0,
) -> dict[str, fragments.Markup]:
    """A body in each edition (with its generated blocks), read once per process for the same inputs.

    Reading Markdown needs nothing but these arguments, so a warm process (watch) reads again only
    the bodies that changed. The results are shared: they are not to be changed.
    """
    return markup.render_editions(
        body,
        first_line,
        {edition: dict(blocks) for edition, blocks in editions},
        worksheet=worksheet,
        graded=graded,
        seed=seed,
        kinds=dict(kinds),
        folder=folder.as_posix(),
        documents=dict(documents),
        version=version,
        words=dict(words),
    )


def running_title(doc: Document, edition: str, words: Mapping[str, str]) -> str:
    """A document's title in its page headers: a worksheet's key (or teacher edition) says so."""
    if edition == "teacher" and doc.kind == "worksheet":
        return f"{doc.title} · {words['teacher_edition' if doc.meta.get('self_assessment') else 'answer_key']}"
    return doc.title


def kind_context(course: Course, doc: Document) -> dict[str, Any]:
    if doc.kind == "role":
        sectors = course.settings["sectors"]
        return {
            "pathway": course.pathways.get(doc.meta["pathway"], doc.meta["pathway"]),
            "sectors": [sectors.get(s, s.replace("-", " ").capitalize()) for s in doc.meta.get("sectors") or []],
            "related": [course.documents[r] for r in doc.meta["related"] or [] if r in course.documents],
        }
    if doc.kind == "worksheet":
        lesson = course.documents.get(doc.meta.get("lesson") or "")
        return {"lesson_title": lesson.title if lesson else ""}
    return {}
