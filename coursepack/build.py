"""The orchestrator: load and check everything, plan every output, render, write atomically."""

from __future__ import annotations

import difflib
import fcntl
import fnmatch
import hashlib
import html
import json
import multiprocessing
import os
import re
import resource
import shutil
import tempfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, TimeoutError
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import PIL.Image
from markupsafe import Markup, escape

from . import __version__, markup, packet, schema, templates
from .errors import CoursepackError, Problem, SourceErrors
from .model import EDITIONS, BoundPdf, Course, Document, Packet
from .sources import SourceProblem, read_all, read_bytes, read_toml
from .typeset import Typesetter, collect_warnings

BUNDLED_STYLES = Path(__file__).resolve().parent.parent / "styles"
IMAGE_TYPES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp")
MAX_PIXELS = 40_000_000
BLANK_END = '<section class="blank-end"><p>This page is intentionally left blank.</p></section>'
PAPER_CSS = {"letter": "@page { size: letter; }", "a4": "@page { size: A4; }"}
CACHE = ".coursepack-cache.json"
ROLE_PAGE_LIMIT = 2
JOB_SECONDS = 300
WORKER_MEMORY = 4 << 30
FEW_LINES = 0.12


@dataclass(frozen=True)
class Plan:
    """A checked course with every document section rendered to HTML, per edition."""

    course: Course
    sections: dict[tuple[str, str], str]


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


class BuildWarnings(CoursepackError):
    """Strict mode: warnings were found, so nothing was written."""

    def __init__(self, warnings: list[str]):
        super().__init__(f"{len(warnings)} warning(s)")
        self.warnings = warnings


# ---------------------------------------------------------------- load and check


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
    styles = root / "styles" if (root / "styles" / "templates").is_dir() else BUNDLED_STYLES
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
    sections, markup_problems = render_sections(course, templated=not problems)
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
    for entry in sorted({d for p in settings["packets"] for d in p["documents"] if d.lower().endswith(".pdf")}):
        options = settings["pdfs"].get(entry, {})
        if (root / entry).resolve().is_relative_to(root) and not os.path.lexists(root / entry):
            problems.append(Problem(entry, None, "the PDF listed in course.toml does not exist"))
            continue
        try:
            data = read_bytes(root, entry, limit=50_000_000)
            reader = packet.open_pdf(data, str(options.get("password", "")))
        except (SourceProblem, packet.PdfProblem) as problem:
            problems.append(Problem(entry, None, str(problem)))
            continue
        title = (
            options.get("title")
            or (reader.metadata or {}).get("/Title")
            or PurePosixPath(entry).stem.replace("-", " ").capitalize()
        )
        bound[entry] = BoundPdf(
            entry,
            entry,
            str(title),
            data,
            len(reader.pages),
            str(options.get("password", "")),
            options.get("scale") is True,
            tuple(packet.active_content(reader)),
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
                        Problem("course.toml", schema.toml_line(text, f'"{entry}"'), f"packet '{spec['id']}': {hint}")
                    )
            items += [m for m in matches if m not in items]
        packets.append(Packet(spec["id"], spec["title"], tuple(items), spec["duplex"]))
    return tuple(packets), problems


def matches_entry(doc: Document, entry: str) -> bool:
    """A packet entry names a document by id or by path, globs allowed: "welder", "roles/*"."""
    if "/" not in entry:
        return fnmatch.fnmatchcase(doc.id, entry)
    path = doc.path.removesuffix(".md")
    return any(fnmatch.fnmatchcase(path, prefix + entry) for prefix in ("", "handouts/", "lessons/"))


# ---------------------------------------------------------------- sections


def render_sections(course: Course, templated: bool = True) -> tuple[dict[tuple[str, str], str], list[Problem]]:
    """Every document's section HTML in both editions; Markdown problems with their lines.

    With ``templated`` false (other problems were found) only the Markdown is checked.
    """
    env = templates.environment(course.styles)
    roles = sorted((d for d in course.documents.values() if d.kind == "role"), key=lambda d: d.title)
    by_pathway: dict[str, list[str]] = {}
    for role in roles:
        by_pathway.setdefault(role.meta["pathway"], []).append(role.title)
    pathways = course.pathways or {p: p for p in by_pathway}
    maps = {large: templates.cluster_map(course.title, pathways, by_pathway, large) for large in (False, True)}
    sections, problems = {}, []
    for doc in course.documents.values():
        for edition in course.editions:
            result = markup.render(
                doc.source.body,
                doc.source.body_line,
                edition=edition,
                worksheet=doc.kind == "worksheet",
                graded=not doc.meta.get("self_assessment"),
                seed=doc.id,
                blocks={"cluster-map": maps[edition == "large-print"]},
            )
            resource_problems = image_problems(course.root, doc, result.images)
            result.html = Markup(course_relative_images(result.html, PurePosixPath(doc.path).parent))
            problems += [Problem(doc.path, line, message) for line, message in result.problems]
            problems += resource_problems
            if not templated or problems:
                continue
            sections[(doc.id, edition)] = templates.render(
                env,
                [f"{doc.kind}.html", "lesson.html" if doc.kind == "overview" else "handout.html"],
                doc=doc,
                body=result,
                edition=edition,
                running_title=running_title(doc, edition),
                **kind_context(course, doc),
            )
    for item in course.bound.values():
        for edition in course.editions:
            sections[(item.id, edition)] = templates.render(
                env, "bound.html", doc=item, edition=edition, running_title=item.title
            )
    return sections, problems


def running_title(doc: Document, edition: str) -> str:
    if edition == "teacher" and doc.kind == "worksheet" and not doc.meta.get("self_assessment"):
        return f"{doc.title} · Answer key"
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


def image_problems(root: Path, doc: Document, images: list[tuple[str, str]]) -> list[Problem]:
    """Images must be files inside the course folder, of sane size, with alt text."""
    problems = []
    lines = doc.source.body.split("\n")
    for src, alt in images:
        message = image_problem(root, PurePosixPath(doc.path).parent, src, alt)
        if message:
            line = next((doc.source.body_line + i for i, text in enumerate(lines) if src and src in text), None)
            problems.append(Problem(doc.path, line or doc.source.body_line, message))
    return problems


def course_relative_images(html_text: str, folder: PurePosixPath) -> str:
    """Image paths are written relative to the Markdown file; the renderer wants them course-relative."""

    def rewrite(match: re.Match) -> str:
        src = html.unescape(match.group(2))
        relative = os.path.normpath((folder / src).as_posix())
        return f'{match.group(1)}src="{escape(relative)}"'

    html_text = re.sub(r'(<img\b[^>]*?\s)src="([^"/][^":]*)"', rewrite, html_text)
    return html_text.replace('alt="decorative"', 'alt="" class="decorative"')


def image_problem(root: Path, folder: PurePosixPath, src: str, alt: str) -> str:
    """What is wrong with an image reference, or an empty string."""
    if re.match(r"^(https?|ftp):", src, re.IGNORECASE) or src.startswith("//"):
        return f"image '{src}' is on the network; coursepack never downloads anything: save it into the course folder"
    if not src or re.match(r"^[a-z][a-z0-9+.-]*:", src, re.IGNORECASE) or src.startswith("/"):
        return f"image '{src}' is outside the course folder; copy it into the course and use a relative path"
    relative = os.path.normpath((folder / src).as_posix())
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        return f"image '{src}' is outside the course folder; copy it into the course and use a relative path"
    if not target.is_file():
        candidates = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.suffix.lower() in IMAGE_TYPES]
        near = difflib.get_close_matches(relative, candidates, n=1, cutoff=0.6)
        hint = f" (did you mean {os.path.relpath(near[0], folder.as_posix())}?)" if near else ""
        return f"image '{src}' not found{hint}"
    if target.suffix.lower() not in IMAGE_TYPES:
        return f"'{src}' is not an image coursepack can print (use {', '.join(IMAGE_TYPES)})"
    if target.suffix.lower() != ".svg":
        try:
            with PIL.Image.open(target) as image:
                width, height = image.size
        except (OSError, PIL.Image.DecompressionBombError):
            return f"image '{src}' cannot be read (a damaged or unsupported file?)"
        if width * height > MAX_PIXELS:
            return f"image '{src}' is too large ({width}x{height} pixels); resize it to at most 40 megapixels"
    if not alt.strip():
        return f"image '{src}' has no alt text: describe it in ![...]({src}), or write ![decorative]({src})"
    return ""


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
                    "path": f"{edition}/documents/{doc.id}.pdf",
                    "html": str(document_html),
                    "kind": doc.kind,
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
                    "path": f"{edition}/{pack.id}.pdf",
                    "html": str(body),
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
    key = (job["root"], job["styles"], job["paper"])
    if key not in _typesetters:
        styles = Path(job["styles"])
        _typesetters[key] = Typesetter(
            Path(job["root"]), (Path(job["root"]), styles), [styles / "coursepack.css"], PAPER_CSS[job["paper"]]
        )
    return _typesetters[key]


def identifier(*parts: str) -> bytes:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32].encode()


def run_job(job: dict[str, Any]) -> Output:
    """Render one PDF (in a worker process); warnings are returned, not printed."""
    with collect_warnings() as warnings:
        setter = typesetter(job)
        setter.fetcher.refused.clear()
        if job["type"] == "document":
            document = setter.layout(job["html"])
            data = setter.write(document, identifier(job["path"], job["html"]))
            output = Output(job["path"], data, pages=len(document.pages), documents=1)
            output.warnings += font_fallbacks(data, Path(job["styles"]))
            if job["kind"] == "role" and not job["path"].startswith("large-print/"):
                output.warnings += role_budget(document)
        else:
            output = render_packet(setter, job)
    output.warnings += [f"WeasyPrint: {w}" for w in warnings]
    output.warnings += [f"refused to load {url}" for url in setter.fetcher.refused]
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
    if item.removed:
        notes.append(f"{item.path}: note: removed {', '.join(item.removed)}; its pages are bound as they print")
    return notes


def role_budget(document) -> list[str]:
    """A role sheet prints on one page or two, and never leaves a few lines on the last."""
    pages = len(document.pages)
    if pages > ROLE_PAGE_LIMIT:
        return [f"the role sheet runs to {pages} pages; shorten it to fit on {ROLE_PAGE_LIMIT}"]
    if pages > 1 and page_fill(document.pages[-1]) < FEW_LINES:
        return ["the role sheet spills a few lines onto its last page; shorten it to fit on one page"]
    return []


def page_fill(page) -> float:
    """How much of a page's content area its text uses, from 0 to 1."""
    box = page._page_box
    top, height = box.content_box_y(), box.height
    bottoms = [b.position_y + b.margin_height() for b in box.descendants() if type(b).__name__ == "LineBox"]
    return (max(bottoms, default=top) - top) / height if height else 1


def font_fallbacks(data: bytes, styles: Path) -> list[str]:
    """Fonts in the PDF that are not bundled mean a glyph fell back to a system font."""
    bundled = {p.stem.split("-")[0].lower() for p in (styles / "fonts").glob("*.[ot]tf")}
    used = {name.split("+")[-1].lstrip("/") for name in packet.font_names(data)}
    return [
        f"font fallback: '{name}' was used for characters the bundled fonts lack"
        for name in sorted(used)
        if name.split("-")[0].lower() not in bundled
    ]


# ---------------------------------------------------------------- write


@contextmanager
def locked(out: Path) -> Iterator[None]:
    """One build at a time per output folder."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise CoursepackError(f"another build is writing to {out}; wait for it to finish") from None
        for stale in out.rglob(".*.tmp"):  # left by a build that was killed half-way
            stale.unlink()
        yield


def write_atomic(path: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def limit_worker() -> None:
    """Each worker process gets a memory budget; a runaway document fails alone."""
    resource.setrlimit(resource.RLIMIT_AS, (WORKER_MEMORY, WORKER_MEMORY))


def render_all(todo: list[dict[str, Any]], workers: int) -> list[Output]:
    """Render every job in worker processes, each under a time and memory budget."""
    if not todo:
        return []
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=max(1, workers), mp_context=context, initializer=limit_worker)
    outputs = []
    try:
        futures = [pool.submit(run_job, job) for job in todo]
        for job, future in zip(todo, futures, strict=True):
            try:
                outputs.append(future.result(timeout=JOB_SECONDS))
            except TimeoutError:
                raise CoursepackError(
                    f"{job['path']}: rendering took longer than {JOB_SECONDS} s; split the document into smaller ones"
                ) from None
            except (MemoryError, BrokenProcessPool):
                raise CoursepackError(
                    f"{job['path']}: rendering needed more than {WORKER_MEMORY >> 30} GB of memory; "
                    "split the document or shrink its images"
                ) from None
    finally:
        for process in list(getattr(pool, "_processes", {}).values()):  # stop runaway workers at once
            process.kill()
        pool.shutdown(wait=True, cancel_futures=True)
    return outputs


def job_key(job: dict[str, Any], root: Path, styles_digest: str) -> str:
    """A digest of everything a PDF is made from: its HTML, the styles, images and bound PDFs."""
    digest = hashlib.sha256(f"{__version__}\0{job['path']}\0{job['paper']}\0{styles_digest}".encode())
    digest.update(job["html"].encode())
    digest.update(json.dumps(job.get("front"), sort_keys=True).encode())
    for src in sorted(set(re.findall(r'<img[^>]*\ssrc="([^"]+)"', job["html"]))):
        path = root / html.unescape(src)
        digest.update(path.read_bytes() if path.is_file() else b"missing")
    for _, data, password, scale in job.get("bound", []):
        digest.update(hashlib.sha256(data).digest() + f"{password}\0{scale}".encode())
    return digest.hexdigest()


def folder_digest(folder: Path, pattern: str = "*") -> str:
    """A digest of the files in a folder (styles, or coursepack's own code)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def reuse(out: Path, manifest: dict[str, Any], path: str, key: str) -> Output | None:
    """The PDF an earlier build made from exactly the same inputs, if it is still intact."""
    entry = manifest.get(path)
    target = out / path
    if not entry or entry.get("key") != key or not target.is_file():
        return None
    data = target.read_bytes()
    if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
        return None
    fields = {name: entry[name] for name in ("warnings", "pages", "documents", "duplex", "notes")}
    return Output(path, data, **fields, reused=True)


def build(
    root: Path, out: Path, strict: bool = True, workers: int | None = None, strict_access: bool = False
) -> list[Output]:
    """Check, render what changed in memory, and only then write it all.

    PDFs whose inputs are unchanged since the last build (same digest) are reused, not rendered.
    """
    plan = load(root)
    with locked(out):
        todo = jobs(plan)
        styles_digest = folder_digest(plan.course.styles) + folder_digest(Path(__file__).parent, "*.py")
        keys = {job["path"]: job_key(job, plan.course.root, styles_digest) for job in todo}
        try:
            manifest = json.loads((out / CACHE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        reused = {job["path"]: reuse(out, manifest, job["path"], keys[job["path"]]) for job in todo}
        fresh = render_all([job for job in todo if not reused[job["path"]]], workers or min(2, os.cpu_count() or 1))
        rendered = {output.path: output for output in fresh}
        outputs = [reused[job["path"]] or rendered[job["path"]] for job in todo]
        warnings = [f"{o.path}: warning: {w}" for o in outputs for w in o.warnings]
        if strict_access:
            warnings += sorted({note for o in outputs for note in o.notes if "without tags" in note})
        if (strict or strict_access) and warnings:
            raise BuildWarnings(warnings)
        for output in fresh:
            write_atomic(out / output.path, output.data)
        manifest = {
            o.path: {
                "key": keys[o.path],
                "sha256": hashlib.sha256(o.data).hexdigest(),
                "warnings": o.warnings,
                "pages": o.pages,
                "documents": o.documents,
                "duplex": o.duplex,
                "notes": o.notes,
            }
            for o in outputs
        }
        write_atomic(out / CACHE, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return outputs


def clean(out: Path) -> None:
    if out.exists():
        shutil.rmtree(out)
