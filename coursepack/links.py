"""Links: only web pages, email, in-page anchors and other documents of the course; nothing else prints."""

from __future__ import annotations

import difflib
import html
import posixpath
import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote, unquote, urlsplit

ANCHOR_TAG = re.compile(r"<a\b[^>]*>", re.IGNORECASE)
HREF = re.compile(r"""(\bhref\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)
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
    """A link as quoted in a message: never a long data: payload."""
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


def check_links(raw: str, folder: PurePosixPath, documents: dict[str, str]) -> tuple[str, list[LinkProblem]]:
    """Check every link in rendered HTML; links to course documents become cross-references."""
    problems: list[LinkProblem] = []

    def rewrite_tag(tag: re.Match) -> str:
        def rewrite_href(match: re.Match) -> str:
            href = next(g for g in match.groups()[1:] if g is not None)
            target, message = resolve(href, folder, documents)
            if message:
                problems.append(LinkProblem(href, message))
                return f'{match.group(1)}"#"'
            return f'{match.group(1)}"{html.escape(target)}"' if target else match.group(0)

        return HREF.sub(rewrite_href, tag.group(0))

    return ANCHOR_TAG.sub(rewrite_tag, raw), problems


def cross_references(sanitised: str) -> str:
    """Turn cross-reference placeholders into in-document links: #doc-ID, or #ID--anchor."""

    def link(match: re.Match) -> str:
        target, fragment, attributes, text = (unquote(match.group(1)), unquote(match.group(2)), *match.groups()[2:])
        anchor = html.escape(f"{target}--{fragment}" if fragment else f"doc-{target}")
        return f'<a class="xref" data-document="{html.escape(target)}" href="#{anchor}"{attributes}>{text}</a>'

    return XREF_LINK.sub(link, sanitised)


def keep_present(document_html: str, present: set[str]) -> str:
    """A cross-reference to a document not in this PDF prints as its text: a PDF links only within itself."""
    pattern = re.compile(r'<a class="xref" data-document="([^"]+)" href="[^"]*"[^>]*>(.*?)</a>', re.DOTALL)
    return pattern.sub(
        lambda m: m.group(0) if m.group(1) in present else f'<span class="xref">{m.group(2)}</span>', document_html
    )


def source_lines(body: str, first_line: int, href: str) -> list[int]:
    """The lines of a body where a link's text is written (the first line when it cannot be found)."""
    lines = [first_line + i for i, text in enumerate(body.split("\n")) if href in text]
    return lines or [first_line]
