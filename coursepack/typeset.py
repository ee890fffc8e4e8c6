"""The WeasyPrint edge: a fetcher confined to the course, warnings collected, HTML to PDF."""

from __future__ import annotations

import logging
import mimetypes
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import CSS, HTML, Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse, URLFetchingError

FORBIDDEN_ROOTS = (Path("/dev"), Path("/proc"), Path("/sys"))
MAX_RESOURCE_BYTES = 20_000_000
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True, "uncompressed_pdf": False}


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


class Typesetter:
    """Lays out HTML with the course stylesheets; one font configuration for all parts."""

    def __init__(self, base: Path, roots: tuple[Path, ...], stylesheets: list[Path], page_css: str):
        self.base = base
        self.fetcher = ConfinedFetcher(roots)
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

    def write(self, document: Document, identifier: bytes, front_pages: int | None = None) -> bytes:
        """Write laid-out pages as a tagged PDF with a stable identifier.

        With ``front_pages``, page labels number the front matter i, ii, … and the body from 1.
        """

        def label_pages(_document: Document, pdf: pydyf.PDF) -> None:
            numbers = [] if not front_pages else [0, pydyf.Dictionary({"S": "/r"})]
            numbers += [front_pages or 0, pydyf.Dictionary({"S": "/D", "St": 1})]
            pdf.catalog["PageLabels"] = pydyf.Dictionary({"Nums": pydyf.Array(numbers)})

        finisher = label_pages if front_pages is not None else None
        return document.write_pdf(pdf_identifier=identifier, finisher=finisher, **PDF_OPTIONS)
