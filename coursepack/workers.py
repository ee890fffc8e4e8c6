"""Render jobs: every PDF to make, laid out and written in worker processes under budgets."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import links, packet, pdfcheck, templates
from .loading import Plan
from .model import BoundPdf
from .typeset import Document, Page, Typesetter, collect_warnings

BLANK_END = '<section class="blank-end"><p>This page is intentionally left blank.</p></section>'
PAPER_CSS = {"letter": "@page { size: letter; }", "a4": "@page { size: A4; }"}
ROLE_PAGE_LIMIT = 2
FEW_LINES = 0.2  # a last page whose end mark sits in its top fifth holds only a few lines


@dataclass
class Output:
    """One rendered PDF, with what the summary and strict mode need."""

    path: str
    data: bytes
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    documents: int = 0
    duplex: bool = False
    notes: list[str] = field(default_factory=list)
    reused: bool = False


# ---------------------------------------------------------------- render


def jobs(plan: Plan) -> list[dict[str, Any]]:
    """Every PDF to make: each document per edition, each packet per edition."""
    course = plan.course
    common = {"root": str(course.root), "styles": str(course.styles), "paper": course.paper}
    env = templates.environment(course.styles)
    result = []
    for edition in course.editions:
        for doc in course.documents.values():
            document_html = templates.render(
                env,
                "document.html",
                course=course,
                edition=edition,
                mode="single",
                duplex=False,
                title=doc.title,
                description=f"{doc.label} · {course.title}",
                language=doc.meta.get("language") or course.language,
                running=doc.label,
                sections=[plan.sections[(doc.id, edition)]],
            )
            result.append(
                {
                    **common,
                    "type": "document",
                    "source": doc.path,
                    "path": f"{edition}/documents/{doc.id}.pdf",
                    "html": links.keep_present(str(document_html), {doc.id}),
                    "kind": doc.kind,
                    "id": doc.id,
                }
            )
        for pack in course.packets:
            body = templates.render(
                env,
                "document.html",
                course=course,
                edition=edition,
                mode="packet",
                duplex=pack.duplex,
                title=f"{pack.title} · {course.title}",
                description=f"{pack.title} · {course.title}",
                language=course.language,
                running=pack.title,
                sections=[plan.sections[(item, edition)] for item in pack.items],
            )
            front = {
                "course": {
                    "title": course.title,
                    "subtitle": course.subtitle,
                    "teacher": course.teacher,
                    "school": course.school,
                },
                "packet": {"title": pack.title},
                "edition": edition,
                "language": course.language,
                "entries": [
                    {"id": i, "title": course.item(i).title, "label": course.item(i).label, "kind": course.item(i).kind}
                    for i in pack.items
                ],
            }
            bound = [
                (i, course.bound[i].data, course.bound[i].password, course.bound[i].scale)
                for i in pack.items
                if i in course.bound
            ]
            result.append(
                {
                    **common,
                    "type": "packet",
                    "source": "course.toml",
                    "path": f"{edition}/{pack.id}.pdf",
                    "html": links.keep_present(str(body), set(pack.items)),
                    "front": front,
                    "duplex": pack.duplex,
                    "bound": bound,
                    "notes": [note for i in pack.items if i in course.bound for note in bound_notes(course.bound[i])],
                    "documents": len(pack.items),
                }
            )
    return result


_typesetters: dict[tuple, Typesetter] = {}


def typesetter(job: dict[str, Any]) -> Typesetter:
    """The typesetter for a job's course, styles and paper, made once per worker process and kept."""
    key = (job["root"], job["styles"], job["paper"])
    if key not in _typesetters:
        styles = Path(job["styles"])
        _typesetters[key] = Typesetter(
            Path(job["root"]), (Path(job["root"]), styles), [styles / "coursepack.css"], PAPER_CSS[job["paper"]]
        )
    return _typesetters[key]


def identifier(*parts: str) -> bytes:
    """A PDF's file identifier, derived from what it is made from, so the same sources give the same bytes."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32].encode()


def run_job(job: dict[str, Any]) -> Output:
    """Render one PDF (in a worker process); warnings are returned, not printed."""
    with collect_warnings() as warnings:
        setter = typesetter(job)
        setter.fetcher.refused.clear()
        setter.removed.clear()
        if job["type"] == "document":
            document = setter.layout(job["html"])
            data = setter.write(document, identifier(job["path"], job["html"]))
            output = Output(job["path"], data, pages=len(document.pages), documents=1)
            output.warnings += font_fallbacks(data, Path(job["styles"]))
            if job["kind"] == "role" and not job["path"].startswith("large-print/"):
                output.warnings += role_budget(document, job["id"])
        else:
            output = render_packet(setter, job)
    output.warnings += [f"WeasyPrint: {w}" for w in warnings]
    output.warnings += [f"refused to load {url}" for url in setter.fetcher.refused]
    output.warnings += setter.removed
    output.warnings = [f"{job['source']}: warning: {w}" for w in dict.fromkeys(output.warnings)]
    return output


def render_packet(setter: Typesetter, job: dict[str, Any]) -> Output:
    """Lay out the body, then the cover and contents with true page numbers; one PDF."""
    body = setter.layout(job["html"])
    if job["duplex"] and len(body.pages) % 2:
        body = setter.layout(job["html"].replace("</body>", BLANK_END + "</body>"))
    starts: dict[str, int] = {}
    for number, page in enumerate(body.pages, start=1):
        for anchor in page.anchors:
            starts.setdefault(anchor, number)
    front_context = dict(job["front"])
    for entry in front_context["entries"]:
        entry["page"] = starts.get(f"doc-{entry['id']}", "")
    env = templates.environment(Path(job["styles"]))

    def front_html(pad: bool) -> str:
        sections = [templates.render(env, "front.html", pad=pad, **front_context)]
        return templates.render(
            env,
            "document.html",
            mode="front",
            duplex=job["duplex"],
            title=job["front"]["packet"]["title"],
            description="",
            running="",
            sections=sections,
            **{k: front_context[k] for k in ("course", "edition", "language")},
        )

    front = setter.layout(front_html(False))
    if job["duplex"] and len(front.pages) % 2:
        front = setter.layout(front_html(True))
    combined = body.copy(front.pages + body.pages)
    offset = len(front.pages)
    data = setter.write(combined, identifier(job["path"], job["html"]), front_pages=offset)
    warnings = font_fallbacks(data, Path(job["styles"]))
    if job["bound"]:
        bound = [(offset + starts[f"doc-{item}"] - 1, *rest) for item, *rest in job["bound"]]
        data = packet.bind(data, bound)
    return Output(job["path"], data, warnings, len(combined.pages), job["documents"], job["duplex"], job["notes"])


def bound_notes(item: BoundPdf) -> list[str]:
    """What a teacher should know about an existing PDF bound into a packet."""
    notes = [f"{item.path}: note: its pages are bound without tags; a screen reader cannot read them"]
    if item.repaired:
        notes.append(f"{item.path}: note: the PDF was damaged and has been repaired; check its pages in the packet")
    if item.removed:
        them = "it" if len(item.removed) == 1 and item.removed[0].count == 1 else "them"
        kept = f"; kept {pdfcheck.in_words(item.kept)}" if item.kept else ""
        removed = pdfcheck.in_words(item.removed)
        notes.append(f"{item.path}: note: removed {removed} (a printed packet cannot use {them}){kept}")
    return notes


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
