"""The WeasyPrint edge: a fetcher confined to the course, warnings collected, HTML to PDF."""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import CSS, HTML, Document, Page
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

from . import pdfforms
from .links import shown

SAFE_SCHEMES = ("http", "https", "mailto")
__all__ = ["Document", "Page", "Typesetter", "collect_warnings"]
FORBIDDEN_ROOTS = (Path("/dev"), Path("/proc"), Path("/sys"))
MAX_RESOURCE_BYTES = 20_000_000
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "uncompressed_pdf": False}
# Font subsets carry a 'modified' time (fontTools stamps it from SOURCE_DATE_EPOCH, else the clock):
# a fixed one keeps the same sources giving the same bytes, whenever they are built.
FONT_TIMESTAMP = "1577836800"  # 2020-01-01


@contextmanager
def fixed_font_timestamp() -> Iterator[None]:
    """Font subsets are stamped with SOURCE_DATE_EPOCH when set, else with a fixed date, never the clock."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    if before is not None and before.isdigit():
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = FONT_TIMESTAMP  # unset, or not a number fontTools could read
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


class ConfinedFetcher(URLFetcher):
    """Serves regular files inside the allowed folders; refuses everything else, and says so."""

    def __init__(self, roots: tuple[Path, ...]):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.roots = tuple(root.resolve() for root in roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        path = self.allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise URLFetchingError(f"refused: {url}")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})

    def allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        path = Path(unquote(parts.path)).resolve()
        inside = any(path.is_relative_to(root) for root in self.roots)
        forbidden = any(path.is_relative_to(root) for root in FORBIDDEN_ROOTS)
        if not inside or forbidden or not path.is_file() or path.stat().st_size > MAX_RESOURCE_BYTES:
            return None
        return path


class WarningCollector(logging.Handler):
    """Collects what WeasyPrint logs at warning level or above."""

    # Alt text is a source rule checked before rendering; decorative images have an empty alt.
    IGNORED = re.compile(r"Using fontTools instead of HarfBuzz|Image .* has no required alt description")

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not self.IGNORED.match(message):
            self.messages.append(message.splitlines()[0])


@contextmanager
def collect_warnings() -> Iterator[list[str]]:
    logger = logging.getLogger("weasyprint")
    handler = WarningCollector()
    logger.addHandler(handler)
    previous = logger.propagate
    logger.propagate = False
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)
        logger.propagate = previous


def link_is_safe(kind: str, target: str) -> bool:
    """In-document jumps, web pages and email addresses; never files, scripts, data or attachments."""
    return kind == "internal" or (kind == "external" and urlsplit(target).scheme.lower() in SAFE_SCHEMES)


def identifier(*parts: str) -> bytes:
    """A PDF's file identifier, derived from what it is made from, so the same sources give the same bytes."""
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32].encode()


class Typesetter:
    """Lays out HTML with the course stylesheets; one font configuration for all parts."""

    def __init__(self, base: Path, roots: tuple[Path, ...], stylesheets: list[Path], page_css: str):
        self.base = base
        self.fetcher = ConfinedFetcher(roots)
        self.removed: list[str] = []
        self.fonts = FontConfiguration()
        self.stylesheets = [
            CSS(filename=str(path), url_fetcher=self.fetcher, font_config=self.fonts) for path in stylesheets
        ]
        self.stylesheets.append(CSS(string=page_css, font_config=self.fonts))

    def layout(self, html: str) -> Document:
        """Lay out one HTML document into pages."""
        return HTML(string=html, base_url=str(self.base) + "/", url_fetcher=self.fetcher).render(
            stylesheets=self.stylesheets, font_config=self.fonts, **PDF_OPTIONS
        )

    def unlink_unsafe(self, document: Document) -> None:
        """Last line of defence: a link that is not web, mail or in-document never reaches the PDF."""
        if document.metadata.attachments:
            count = len(document.metadata.attachments)
            self.removed.append(f"removed {count} attached file{'s' if count > 1 else ''} (a template asked for it)")
            document.metadata.attachments.clear()
        for page in document.pages:
            safe = [link for link in page.links if link_is_safe(link[0], link[1])]
            self.removed += [
                f"removed a link to '{shown(link[1])}' (written in a template)"
                for link in page.links
                if not link_is_safe(link[0], link[1])
            ]
            page.links[:] = safe

    def write(
        self, document: Document, identifier: bytes, front_pages: int | None = None, tagged: bool = True
    ) -> bytes:
        """Write laid-out pages as a tagged PDF (untagged, for what is only ever drawn as an artifact)
        with a stable identifier.

        With ``front_pages``, page labels number the front matter i, ii, … and the body from 1.
        """

        def finish(document: Document, pdf: pydyf.PDF) -> None:
            pdfforms.tidy(document, pdf)
            if front_pages is None:
                return
            numbers = [] if not front_pages else [0, pydyf.Dictionary({"S": "/r"})]
            numbers += [front_pages or 0, pydyf.Dictionary({"S": "/D", "St": 1})]
            pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(numbers)})

        self.unlink_unsafe(document)
        with fixed_font_timestamp():
            options = PDF_OPTIONS if tagged else {"uncompressed_pdf": False}
            return document.write_pdf(pdf_identifier=identifier, finisher=finish, **options)
