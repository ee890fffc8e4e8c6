"""The web edition's content: each document as an accessible HTML page, and an index of the course.

Pages come from the same sources and section templates as the PDFs, read for the ``web`` edition
(fragments.FORM_EDITIONS): a student's page, whose response areas are named, labelled form
controls. Nothing here writes or renders a PDF; ``publish.py`` does the writing.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from . import loading, templates
from .images import course_relative_images
from .messages import messages
from .model import FILLABLE, Course, Document
from .record import BUNDLED_STYLES, digest
from .sources import SourceProblem, read_bytes
from .targets import document_path, packet_path

EDITION = "web"
STYLESHEET = "site.css"
RIGHT_TO_LEFT = {"ar", "arc", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"}
XREF = re.compile(r'<a class="xref" data-document="([^"]+)" href="#([^"]*)"')
IMAGE_SRC = re.compile(r'(<img\b[^>]*\ssrc=")([^"]+)(")')
CHOICE = re.compile(r'(<li class="choice">)(<input\b[^>]*>.*?)(</li>)', re.DOTALL)
THEAD = re.compile(r"<thead>.*?</thead>", re.DOTALL)
SUMMARY_LENGTH = 220


@dataclass(frozen=True)
class Entry:
    """One document in the index: what it is, what it says, and where its page, thumbnail and PDFs are."""

    doc_id: str
    title: str
    kind: str
    kind_label: str
    summary: str
    page: str
    thumbnail: str
    pdf: str
    large_pdf: str
    fill_pdf: str = ""  # a fillable worksheet's PDF form


@dataclass(frozen=True)
class Group:
    """A lesson (or the course's opening documents) and the documents that go with it, in teaching order."""

    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Packet:
    """A packet's PDFs, for the index."""

    title: str
    pdf: str
    large_pdf: str


@dataclass(frozen=True)
class SiteFile:
    """A file of the site (path below ``site/``); ``pdf`` set for a thumbnail, rendered only when needed."""

    path: str
    data: bytes = b""
    pdf: bytes = b""
    copied: str = ""  # for a PDF copied from the build: its path below the output folder

    @property
    def key(self) -> str:
        """A digest of what the file is made from."""
        return digest(self.path, self.pdf or self.data)


def rtl(language: str) -> bool:
    """Whether a language (``ar``, ``he-IL``) is written right to left."""
    return language.split("-")[0].lower() in RIGHT_TO_LEFT


@functools.cache
def environment(styles: Path) -> jinja2.Environment:
    """The course's templates, then the bundled ones (a course's own styles may have no site templates)."""
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([styles / "templates", BUNDLED_STYLES / "templates"]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["inline"] = templates.inline_text
    return env


def order(course: Course) -> list[Document]:
    """The documents in teaching order: the longest packet's, then the other packets', then the rest by path."""
    packets = sorted(course.packets, key=lambda p: -len(p.items))
    ids = [item for packet in packets for item in packet.items if item in course.documents]
    ids += sorted((d.id for d in course.documents.values()), key=lambda i: course.documents[i].path)
    return [course.documents[doc_id] for doc_id in dict.fromkeys(ids)]


def groups(course: Course, entries: dict[str, Entry]) -> tuple[Group, ...]:
    """Documents grouped under the lesson (or overview) they follow, in teaching order."""
    words = messages(course.root, course.language)
    made: list[tuple[str, list[Entry]]] = []
    for doc in order(course):
        if doc.kind in ("lesson", "overview") or not made:
            opening = doc.kind in ("lesson", "overview")
            made.append((lesson_heading(doc, words) if opening else words["site_documents"], []))
        made[-1][1].append(entries[doc.id])
    return tuple(Group(title, tuple(items)) for title, items in made)


def lesson_heading(doc: Document, words: dict[str, str]) -> str:
    """A group's heading: "Lesson 1: What Is Manufacturing?"."""
    number = doc.meta.get("lesson")
    return f"{words['lesson']} {number}: {doc.title}" if number is not None else doc.title


def summary(doc: Document, body_html: str) -> str:
    """The front matter's summary, else the body's first paragraph, as plain text cut at a word."""
    text = str(doc.meta.get("summary") or "")
    if not text:
        first = re.search(r"<p\b[^>]*>(.*?)</p>", body_html, re.DOTALL)
        text = html.unescape(re.sub(r"<[^>]+>", "", first.group(1))) if first else ""
    text = " ".join(text.split())
    if len(text) > SUMMARY_LENGTH:
        text = text[:SUMMARY_LENGTH].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return text


def web_links(body: str, doc_id: str, present: set[str]) -> str:
    """Cross-references become links between pages; one to a document with no page prints as text."""

    def link(match: re.Match) -> str:
        target, anchor = html.unescape(match.group(1)), match.group(2)
        if target == doc_id:
            return match.group(0)
        page = f"{target}.html" if target in present else ""
        return f'<a class="xref" data-document="{match.group(1)}" href="{html.escape(page)}#{anchor}"'

    return XREF.sub(link, body)


def images_of(root: Path, body: str) -> tuple[str, dict[str, bytes]]:
    """Images (course-relative) copied under ``images/``, read only from inside the course folder."""
    found: dict[str, bytes] = {}

    def move(match: re.Match) -> str:
        source = html.unescape(match.group(2))
        if re.match(r"[a-z][a-z0-9+.-]*:", source, re.IGNORECASE) or source.startswith("/"):
            return match.group(1) + match.group(3)  # not the course's: the checks refuse it; never fetched
        try:
            found[f"images/{PurePosixPath(source).as_posix()}"] = read_bytes(root, source)
        except SourceProblem:
            return match.group(1) + match.group(3)
        return f"{match.group(1)}images/{html.escape(source)}{match.group(3)}"

    return IMAGE_SRC.sub(move, body), found


def section(course: Course, doc: Document, env: jinja2.Environment) -> tuple[str, str, dict[str, bytes]]:
    """A document's section in the web edition, its plain summary and the images it shows."""
    words = messages(course.root, doc.meta.get("language") or course.language)
    blocks = (("cluster-map", templates.cluster_map(course.title, *course.career_map(), False, words)),)
    folder = PurePosixPath(doc.path).parent
    result = loading.reader(course, doc)(((EDITION, blocks),))[EDITION]
    body = course_relative_images(result.html, folder)
    body = web_links(body, doc.id, set(course.documents))
    body, pictures = images_of(course.root, body)
    body = CHOICE.sub(r"\1<label>\2</label>\3", body)  # the choice's words select it too
    body = THEAD.sub(lambda m: re.sub(r"<th(?=[\s>])(?![^>]*\bscope=)", '<th scope="col"', m.group(0)), body)
    html_text = templates.render(
        env,
        [f"{doc.kind}.html", "lesson.html" if doc.kind == "overview" else "handout.html"],
        doc=doc,
        body=replace(result, html=Markup(body)),
        edition=EDITION,
        running_title=doc.title,
        t=words,
        version="",
        keys=[],
        **loading.kind_context(course, doc),
    )
    return html_text, summary(doc, body), pictures


def site_files(course: Course, pdfs: dict[str, bytes]) -> list[SiteFile]:
    """Every file of the site: pages, index, stylesheet, images, thumbnails to make and PDFs to copy.

    ``pdfs``: the build's PDFs by path below the output folder (student and, when built, large print).
    """
    env = environment(course.styles)
    words = messages(course.root, course.language)
    files: list[SiteFile] = []
    entries: dict[str, Entry] = {}
    ordered = order(course)
    present = {doc.id for doc in ordered}
    for index, doc in enumerate(ordered):
        text, plain, pictures = section(course, doc, env)
        files += [SiteFile(path, data) for path, data in pictures.items()]
        doc_words = messages(course.root, doc.meta.get("language") or course.language)
        pdf, large = document_path("student", doc.id), document_path("large-print", doc.id)
        entry = Entry(
            doc.id,
            doc.title,
            doc.kind,
            doc_words[doc.word] if doc.kind != "overview" else doc_words["cluster_overview"],
            plain,
            f"{doc.id}.html",
            f"thumbnails/{doc.id}.png" if pdf in pdfs else "",
            f"pdf/{pdf}" if pdf in pdfs else "",
            f"pdf/{large}" if large in pdfs else "",
            f"pdf/{fill}" if (fill := document_path(FILLABLE, doc.id)) in pdfs else "",
        )
        entries[doc.id] = entry
        language = str(doc.meta.get("language") or course.language)
        neighbours = [ordered[i] if 0 <= i < len(ordered) else None for i in (index - 1, index + 1)]
        page = templates.render(
            env,
            "site/page.html",
            course=course,
            doc=doc,
            entry=entry,
            section=Markup(text),
            language=language,
            rtl=rtl(language),
            previous=neighbours[0],
            next=neighbours[1],
            t=doc_words,
            stylesheet=STYLESHEET,
        )
        files.append(SiteFile(entry.page, page.encode()))
        if entry.thumbnail:
            files.append(SiteFile(entry.thumbnail, pdf=pdfs[pdf]))
    files += [SiteFile(f"pdf/{path}", copied=path) for path in sorted(pdfs)]
    packets = tuple(
        Packet(
            p.title,
            f"pdf/{packet_path('student', p.id)}" if packet_path("student", p.id) in pdfs else "",
            f"pdf/{packet_path('large-print', p.id)}" if packet_path("large-print", p.id) in pdfs else "",
        )
        for p in course.packets
    )
    index = templates.render(
        env,
        "site/index.html",
        course=course,
        groups=groups(course, entries),
        packets=tuple(p for p in packets if p.pdf),
        language=course.language,
        rtl=rtl(course.language),
        t=words,
        stylesheet=STYLESHEET,
        present=present,
    )
    files.append(SiteFile("index.html", index.encode()))
    files.append(SiteFile(STYLESHEET, stylesheet(course)))
    return list({item.path: item for item in files}.values())  # an image two pages show, once


ACTIVE = re.compile(
    r"<(?:script|iframe|frame|object|embed|applet|base|form|meta\s[^>]*http-equiv)\b|<[a-z][^>]*\son[a-z]+\s*="
    r"|=\s*[\"']?\s*javascript:",
    re.I,
)
TAG_LINKS = re.compile(
    r"<([a-z][a-z0-9]*)\b[^>]*?\s(?:src|srcset|href|action|data|poster|formaction)\s*=\s*\"([^\"]*)\"", re.I
)
CSS_REMOTE = re.compile(r"@import|url\(\s*['\"]?\s*(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def refusals(files: list[SiteFile]) -> list[str]:
    """What no file of the site may hold, whatever a course's own templates or stylesheet say: a script or
    other active content, or anything loaded from elsewhere (a link to a web page is fine)."""
    found = []
    for item in files:
        if item.path.endswith(".html"):
            text = item.data.decode()
            if match := ACTIVE.search(text):
                found.append(f"{item.path}: the web edition may not hold {match.group(0).strip()!r} (no script)")
            for tag, url in TAG_LINKS.findall(text):
                remote = re.match(r"[a-z][a-z0-9+.-]*:|//|/", url.strip(), re.I)
                if remote and not (tag.lower() == "a" and re.match(r"(?:https?|mailto):", url.strip(), re.I)):
                    found.append(f"{item.path}: the web edition loads only its own files, not {url!r}")
            if re.search(r"\sstyle\s*=\s*\"[^\"]*url\(", text, re.I):
                found.append(f"{item.path}: the web edition loads only its own files (a style with url())")
        elif item.path.endswith(".css") and CSS_REMOTE.search(item.data.decode(errors="replace")):
            found.append(f"{item.path}: the web edition's stylesheet may not load anything (no @import, no url())")
    return found


def stylesheet(course: Course) -> bytes:
    """The course's own ``styles/site.css``, else the bundled one."""
    if (course.styles / STYLESHEET).is_file() and course.styles.is_relative_to(course.root):
        return read_bytes(course.root, (course.styles / STYLESHEET).relative_to(course.root).as_posix())
    return (BUNDLED_STYLES / STYLESHEET).read_bytes()


def wanted_pdfs(paths: list[str]) -> list[str]:
    """The build's PDFs the site links to: student, large-print and fillable documents and packets (version A)."""
    return [p for p in paths if p.split("/")[0] in ("student", "large-print", FILLABLE) and "/version-" not in p]
