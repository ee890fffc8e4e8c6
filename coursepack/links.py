"""Links: only web pages, email, in-page anchors and other documents of the course; nothing else prints."""

from __future__ import annotations

import difflib
import html
import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

WEB = ("http", "https", "mailto")
XREF = "https://xref.coursepack.invalid/"
XREF_LINK = re.compile(r'<a href="' + re.escape(XREF) + r'([^/"]+)/([^"]*)"([^>]*)>(.*?)</a>', re.DOTALL)
ALLOWED = "links may go to web pages (https://…), email addresses (mailto:…) or other documents of this course"
DOCUMENT_SUFFIXES = (".md", ".html", ".htm", ".pdf", "")


@dataclass(frozen=True)
class LinkProblem:
    """A link that may not print, with the text it was written as."""

    href: str
    message: str


def shown(href: str) -> str:
    """A link as quoted in a message: control characters made visible, never a long data: payload."""
    href = re.sub(r"[\x00-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", href)
    return href if len(href) <= 60 else href[:57] + "…"


def resolve(href: str, folder: PurePosixPath, documents: dict[str, str]) -> tuple[str | None, str | None]:
    """Where a link may point (None: leave it), or a problem message."""
    cleaned = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(href))
    if not cleaned or cleaned.startswith("#"):
        return None, None
    parts = urlsplit(cleaned)
    scheme = parts.scheme.lower()
    if scheme in WEB:
        return None, None
    if scheme or cleaned.startswith("//"):
        return None, f"the link '{shown(href)}' is not allowed: {ALLOWED}"
    path = unquote(parts.path)
    if path.startswith("/"):
        return None, f"the link '{shown(href)}' is an absolute path on this computer: {ALLOWED}"
    relative = posixpath.normpath((folder / path).as_posix())
    if relative == ".." or relative.startswith("../"):
        return None, f"the link '{shown(href)}' leads outside the course folder: {ALLOWED}"
    stem, suffix = posixpath.splitext(relative)
    target = next(
        (
            documents[stem + s]
            for s in DOCUMENT_SUFFIXES
            if suffix.lower() in DOCUMENT_SUFFIXES and stem + s in documents
        ),
        None,
    )
    if target is None:
        return (
            None,
            f"the link '{shown(href)}' is not a document of this course{hint(path, folder, documents)}: {ALLOWED}",
        )
    return f"{XREF}{quote(target, safe='')}/{quote(parts.fragment, safe='')}", None


def hint(path: str, folder: PurePosixPath, documents: dict[str, str]) -> str:
    """A likely fix for a link that is not a course document: mailto:, https://, or a near document."""
    if re.fullmatch(r"[^/@\s]+@[\w-]+(\.[\w-]+)+", path):
        return f" (did you mean mailto:{path}?)"
    if re.match(r"(www\.)?[\w-]+(\.[\w-]+)*\.(com|org|net|edu|gov|io|us|uk|ca|info)(/|$)", path, re.IGNORECASE):
        return f" (did you mean https://{path}?)"
    relative = posixpath.normpath((folder / path).as_posix())
    near = difflib.get_close_matches(relative, list(documents), n=1, cutoff=0.6)
    return f" (did you mean {posixpath.relpath(near[0], folder.as_posix() or '.')}?)" if near else ""


class LinkFilter:
    """Rewrites each link as the sanitiser keeps it (nh3's attribute filter): what prints is what was checked."""

    def __init__(self, folder: str, documents: dict[str, str]):
        self.folder = PurePosixPath(folder)
        self.documents = documents

    def __call__(self, element: str, attribute: str, value: str) -> str | None:
        if element != "a" or attribute != "href":
            return value
        target, message = resolve(value, self.folder, self.documents)
        return None if message else target or value


class LinkCollector(HTMLParser):
    """Every ``<a href>`` of a piece of HTML, read by an HTML parser (quotes and entities as browsers read them)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value is not None]


def link_problems(raw: str, folder: str, documents: dict[str, str]) -> list[LinkProblem]:
    """A problem for every link that may not print, in the order written."""
    collector = LinkCollector()
    collector.feed(raw)
    collector.close()
    problems = []
    for href in collector.hrefs:
        message = resolve(href, PurePosixPath(folder), documents)[1]
        if message:
            problems.append(LinkProblem(href, message))
    return problems


def problem_lines(body: str, first_line: int, problems: list[LinkProblem]) -> list[tuple[int, str]]:
    """Each link problem at its line: the k-th problem with a link at the k-th line that holds it."""
    lines = body.split("\n")
    found: dict[str, list[int]] = {}
    seen: dict[str, int] = {}
    located = []
    for problem in problems:
        if problem.href not in found:
            written = {problem.href, html.escape(problem.href, quote=False), html.escape(problem.href)}
            found[problem.href] = [first_line + i for i, text in enumerate(lines) if any(w in text for w in written)]
        places = found[problem.href] or [first_line]
        count = seen.get(problem.href, 0)
        seen[problem.href] = count + 1
        located.append((places[min(count, len(places) - 1)], problem.message))
    return located


def missing_anchors(document_html: str, prefix: str) -> list[LinkProblem]:
    """In-page links (``#duties``) to no heading or anchor of the document."""
    ids = set(re.findall(r'\bid="([^"]+)"', document_html))
    problems = []
    for anchor in re.findall(r'<a href="#([^"]+)"', document_html):
        if html.unescape(anchor) not in ids:
            written = "#" + html.unescape(anchor).removeprefix(f"{prefix}--")
            problems.append(
                LinkProblem(written, f"the link '{shown(written)}' leads to no heading or anchor of this document")
            )
    return problems


def cross_references(sanitised: str) -> str:
    """Turn cross-reference placeholders into in-document links: #doc-ID, or #ID--anchor."""

    def link(match: re.Match) -> str:
        target, fragment, attributes, text = (unquote(match.group(1)), unquote(match.group(2)), *match.groups()[2:])
        anchor = html.escape(f"{target}--{fragment}" if fragment else f"doc-{target}")
        return f'<a class="xref" data-document="{html.escape(target)}" href="#{anchor}"{attributes}>{text}</a>'

    return XREF_LINK.sub(link, sanitised)


def keep_present(document_html: str, present: set[str]) -> str:
    """A cross-reference to a document not in this PDF prints as its text: a PDF links only within itself.

    One to an anchor the document does not have leads to the document's start.
    """
    ids = set(re.findall(r'\bid="([^"]+)"', document_html))
    pattern = re.compile(r'<a class="xref" data-document="([^"]+)" href="#([^"]*)"([^>]*)>(.*?)</a>', re.DOTALL)

    def keep(match: re.Match) -> str:
        target, anchor, rest, text = match.groups()
        if html.unescape(target) not in present:
            return f'<span class="xref">{text}</span>'
        if html.unescape(anchor) not in ids:
            anchor = html.escape(f"doc-{html.unescape(target)}")
        return f'<a class="xref" data-document="{target}" href="#{anchor}"{rest}>{text}</a>'

    return pattern.sub(keep, document_html)
