"""An IMS Common Cartridge 1.1 of a course: its packets as modules, its documents as pages, PDFs and quizzes.

Only the student edition goes in (version A of each worksheet): readings and role sheets as web pages
(the student section HTML the PDFs are made from, sanitised, with no script and nothing from outside the
cartridge), each document's student PDF and each packet's as files (a fillable worksheet's fillable PDF
too), and each worksheet as a QTI quiz
(qti.py), whose answers are only where an LMS keeps them from students.

The layout follows Canvas's own cartridges, which Canvas, Moodle, Schoology, Blackboard and Brightspace
all import: pages in ``wiki_content/``, files in ``web_resources/``, a quiz in a folder named after its
resource. Entries are sorted and dated 1980-01-01, so the same sources give the same bytes.
"""

from __future__ import annotations

import html
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath
from urllib.parse import quote, unquote

from . import formfields, fragments, loading, qti, templates
from .images import course_relative_images
from .loading import Plan
from .messages import messages
from .model import FILLABLE, Course, Document
from .questions import Question
from .sanitise import sanitise
from .sources import SourceProblem, read_bytes
from .targets import document_path, packet_path

WINDOWS_SAFE = re.compile(r"[^<>:\"/\\|?*\x00-\x1f]+")  # a file name any system unzips

CP = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
LOM_MANIFEST = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
LOM_RESOURCE = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/resource"
SCHEMAS = "http://www.imsglobal.org/profile/cc/ccv1p1"
LOCATIONS = (
    f"{CP} {SCHEMAS}/ccv1p1_imscp_v1p2_v1p0.xsd "
    f"{LOM_MANIFEST} {SCHEMAS}/LOM/ccv1p1_lommanifest_v1p0.xsd "
    f"{LOM_RESOURCE} {SCHEMAS}/LOM/ccv1p1_lomresource_v1p0.xsd"
)
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
PAGE_KINDS = ("overview", "lesson", "role", "handout")  # documents that become web pages (worksheets: quizzes)
DATE = (1980, 1, 1, 0, 0, 0)  # the earliest date a zip file can hold: no build time in the bytes
SAFE_LINK = re.compile(r"^(https?:|mailto:|#)", re.IGNORECASE)
MAP = re.compile(r'<figure class="cluster-map">.*?</figure>', re.DOTALL)  # the drawn map (SVG: sanitised away)
LABEL = re.compile(r'<span class="fact-label">(.*?)</span>')  # set off by style in print
LOOSE = "More documents"  # the module of the documents no packet holds
IMAGE_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")')


@dataclass(frozen=True)
class Resource:
    """One resource of the manifest: a page, a file or a quiz, with the files it is made of."""

    ident: str
    kind: str  # "page", "file" (a PDF), "images" (a quiz's) or "quiz"
    files: tuple[str, ...]
    needs: tuple[str, ...] = ()  # resources it shows (a quiz's images: CC 1.1 gives an assessment one file)

    @property
    def type(self) -> str:
        return ASSESSMENT if self.kind == "quiz" else "webcontent"


@dataclass(frozen=True)
class Entry:
    """A module item: a title and the resource it shows."""

    ident: str
    title: str
    resource: str


@dataclass(frozen=True)
class Module:
    """One packet: its title and items in packet order."""

    ident: str
    title: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Cartridge:
    """The finished cartridge and what it holds (for the summary and the tests)."""

    data: bytes
    modules: tuple[Module, ...]
    resources: tuple[Resource, ...]
    quizzes: tuple[qti.Quiz, ...]

    def count(self, kind: str) -> int:
        return sum(resource.kind == kind for resource in self.resources)

    @property
    def questions(self) -> Counter[str]:
        return Counter(item.kind for quiz in self.quizzes for item in quiz.items)


def slug(title: str) -> str:
    """A file name from a course title: ``exploring-the-manufacturing-career-cluster``."""
    plain = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()  # "Café" → "Cafe"
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:80].strip("-") or "course"


def file_name(doc_id: str) -> str:
    """A document's file name in the cartridge: its id, unless the id holds what Windows cannot unzip."""
    return doc_id if WINDOWS_SAFE.fullmatch(doc_id) else formfields.safe_name(doc_id)


def student_questions(course: Course, doc: Document) -> list[Question]:
    """A worksheet's questions as its student edition prints them, version A (read once per process)."""
    placeholder = (("cluster-map", fragments.block_placeholder("cluster-map")),)
    unmapped = tuple((edition, placeholder) for edition in course.editions)
    return list(loading.reader(course, doc)(unmapped)["student"].items)


def safe_html(text: str) -> str:
    """Generated or rendered HTML reduced to the allowlist; links only to the web, mail or the same page."""

    def keep(element: str, attribute: str, value: str) -> str | None:
        if attribute == "href" and not SAFE_LINK.match(value):
            return None  # another document of the course: its text stays, without a link
        return value

    return sanitise(text, keep)


class Builder:
    """Gathers a cartridge's files and resources, each resource made once however many modules show it."""

    def __init__(self, plan: Plan, pdfs: Mapping[str, bytes]) -> None:
        self.plan, self.course, self.pdfs = plan, plan.course, pdfs
        self.files: dict[str, bytes] = {}
        self.resources: dict[str, Resource] = {}
        self.quizzes: dict[str, qti.Quiz] = {}

    def resource(self, kind: str, key: str, files: dict[str, bytes], needs: tuple[str, ...] = ()) -> str:
        ident = qti.ident("resource", kind, key)
        if ident not in self.resources:
            self.files.update(files)
            self.resources[ident] = Resource(ident, kind, tuple(files), needs)
        return ident

    def packed(self, match: re.Match, images: dict[str, bytes], base: str) -> str:
        """A course image (course-relative ``src``), copied in below web_resources/ and shown from ``base``."""
        source = unquote(html.unescape(match.group(2)))
        try:
            images[f"web_resources/{source}"] = read_bytes(self.course.root, source)
        except SourceProblem:
            return f"{match.group(1)}{match.group(3)}"
        return f"{match.group(1)}{base}{html.escape(quote(source))}{match.group(3)}"

    def pdf(self, path: str, name: str) -> str | None:
        """A student PDF the build made, as a file (None when the build made none at this path)."""
        if path not in self.pdfs:
            return None
        return self.resource("file", path, {f"web_resources/{name}": self.pdfs[path]})

    def page(self, doc: Document) -> str:
        """A document's student section as a web page: no style sheet comes with it, so a drawn cluster map
        becomes its list (as large print draws it) and a label is set off from the text it names."""
        section = MAP.sub(lambda m: self.cluster_list(doc), self.plan.sections[(doc.id, "student", 0)])
        body = LABEL.sub(r"<strong>\1:</strong> ", safe_html(section))
        name = f"wiki_content/{file_name(doc.id)}.html"
        images: dict[str, bytes] = {}
        body = IMAGE_SRC.sub(lambda m: self.packed(m, images, "../web_resources/"), body)  # from wiki_content/
        language = html.escape(doc.meta.get("language") or self.course.language)
        text = (
            f'<!DOCTYPE html>\n<html lang="{language}">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(doc.title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
        )
        return self.resource("page", doc.id, {name: text.encode(), **images})

    def cluster_list(self, doc: Document) -> str:
        course = self.course
        words = messages(course.root, doc.meta.get("language") or course.language)
        return templates.cluster_list(course.title, *course.career_map(), words)

    def quiz(self, doc: Document) -> str:
        words = messages(self.course.root, doc.meta.get("language") or self.course.language)
        graded = not doc.meta.get("self_assessment")
        images: dict[str, bytes] = {}
        folder = PurePosixPath(doc.path).parent

        def shown(text: str) -> str:  # a question's image: $IMS-CC-FILEBASE$ is web_resources/ on import
            body = course_relative_images(inline_html(text), folder)
            return IMAGE_SRC.sub(lambda m: self.packed(m, images, "$IMS-CC-FILEBASE$/"), body)

        made = qti.quiz(doc.id, doc.title, student_questions(self.course, doc), graded, words, shown)
        self.quizzes[doc.id] = made
        needs = (self.resource("images", doc.id, images),) if images else ()
        return self.resource("quiz", doc.id, {f"{made.ident}/assessment_qti.xml": made.xml}, needs)

    def entries(self, packet_id: str, items: tuple[str, ...]) -> list[Entry]:
        """A packet's items: each document as a page or quiz, then its student PDF.

        An existing PDF the packet binds is only in the packet's PDF, which the build made safe (its own
        file may hold scripts or actions the build removes).
        """
        entries = []
        for doc in (self.course.documents[item] for item in items if item in self.course.documents):
            if doc.kind == "worksheet":
                entries.append((doc.title, self.quiz(doc)))
            elif doc.kind in PAGE_KINDS:
                entries.append((doc.title, self.page(doc)))
            if pdf := self.pdf(document_path("student", doc.id), f"documents/{file_name(doc.id)}.pdf"):
                entries.append((f"{doc.title} (PDF)", pdf))
            fillable = document_path(FILLABLE, doc.id) if self.course.fillable(doc.id) else ""
            if fillable and (form := self.pdf(fillable, f"fill/{file_name(doc.id)}.pdf")):
                entries.append((f"{doc.title} (PDF to fill in)", form))  # for students working on a screen
        return [  # identified by packet and resource: stable when a packet is reordered
            Entry(qti.ident("item", packet_id, resource), title, resource) for title, resource in entries
        ]

    def modules(self) -> tuple[Module, ...]:
        modules = []
        for packet in self.course.packets:
            pdf = self.pdf(packet_path("student", packet.id), f"{packet.id}.pdf")
            first = [Entry(qti.ident("item", packet.id, "packet"), f"{packet.title} (PDF)", pdf)] if pdf else []
            entries = first + self.entries(packet.id, packet.items)
            modules.append(Module(qti.ident("module", packet.id), packet.title, tuple(entries)))
        packed = {item for packet in self.course.packets for item in packet.items}
        if loose := tuple(doc_id for doc_id in self.course.documents if doc_id not in packed):
            entries = self.entries("", loose)  # documents no packet holds, as the course lists them
            modules.append(Module(qti.ident("module", ""), LOOSE, tuple(entries)))
        return tuple(modules)


def inline_html(text: str) -> str:
    """A line of Markdown as sanitised HTML, as the quiz shows it."""
    return safe_html(fragments.inline(text))


def cartridge(plan: Plan, pdfs: Mapping[str, bytes]) -> Cartridge:
    """The cartridge of a loaded course; ``pdfs`` are the student PDFs the build made, by output path."""
    builder = Builder(plan, pdfs)
    modules = builder.modules()
    resources = tuple(builder.resources.values())
    manifest = manifest_xml(plan.course, modules, resources)
    return Cartridge(
        zipped({"imsmanifest.xml": manifest, **builder.files}), modules, resources, tuple(builder.quizzes.values())
    )


def manifest_xml(course: Course, modules: tuple[Module, ...], resources: tuple[Resource, ...]) -> bytes:
    """The cartridge's imsmanifest.xml: metadata, one organization of modules, the resources."""
    root = ET.Element(
        "manifest",
        {
            "identifier": qti.ident("manifest", course.title),
            "xmlns": CP,
            "xmlns:lomimscc": LOM_MANIFEST,
            "xmlns:lom": LOM_RESOURCE,
            "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance",
            "xsi:schemaLocation": LOCATIONS,
        },
    )
    metadata = ET.SubElement(root, "metadata")
    ET.SubElement(metadata, "schema").text = "IMS Common Cartridge"
    ET.SubElement(metadata, "schemaversion").text = "1.1.0"
    general = ET.SubElement(ET.SubElement(metadata, "lomimscc:lom"), "lomimscc:general")
    title = ET.SubElement(ET.SubElement(general, "lomimscc:title"), "lomimscc:string", language=course.language)
    title.text = course.title
    if course.subtitle:
        about = ET.SubElement(general, "lomimscc:description")
        ET.SubElement(about, "lomimscc:string", language=course.language).text = course.subtitle
    organizations = ET.SubElement(root, "organizations")
    organization = ET.SubElement(
        organizations, "organization", identifier=qti.ident("organization", course.title), structure="rooted-hierarchy"
    )
    top = ET.SubElement(organization, "item", identifier=qti.ident("root", course.title))
    for module in modules:
        node = ET.SubElement(top, "item", identifier=module.ident)
        ET.SubElement(node, "title").text = module.title
        for entry in module.entries:
            leaf = ET.SubElement(node, "item", identifier=entry.ident, identifierref=entry.resource)
            ET.SubElement(leaf, "title").text = entry.title
    listed = ET.SubElement(root, "resources")
    for resource in resources:
        attributes = {"identifier": resource.ident, "type": resource.type}
        if resource.kind != "quiz":  # CC 1.1: an assessment names its file, never an href
            attributes["href"] = quote(resource.files[0])  # a URL: "a b.png" is "a%20b.png", "q#1" is "q%231"
        node = ET.SubElement(listed, "resource", attributes)
        for name in resource.files:
            ET.SubElement(node, "file", href=quote(name))
        for needed in resource.needs:
            ET.SubElement(node, "dependency", identifierref=needed)
    ET.indent(root)
    body = qti.NOT_XML.sub(b"", ET.tostring(root, encoding="utf-8", xml_declaration=False))
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def zipped(files: Mapping[str, bytes]) -> bytes:
    """A zip of the files: the manifest first, the rest sorted, fixed dates and permissions."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(files, key=lambda name: (name != "imsmanifest.xml", name)):
            info = zipfile.ZipInfo(name, DATE)
            info.external_attr = 0o644 << 16
            # PDFs are compressed already: stored as they are, they cost no time to pack or unpack
            info.compress_type = zipfile.ZIP_STORED if name.endswith(".pdf") else zipfile.ZIP_DEFLATED
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()
