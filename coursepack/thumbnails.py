"""A small PNG of a PDF's first page, for the web edition's index: the same PDF gives the same bytes.

PDFium (pypdfium2, a wheel with the library inside: nothing to install from the system) renders only
page 1 at the thumbnail's size; Pillow writes the PNG with no date or other varying metadata.
"""

from __future__ import annotations

import io

WIDTH = 240  # pixels: shown 120 CSS pixels wide, so sharp on a high-density screen too
COLOURS = 64  # a palette PNG: about a third of the size of a full-colour one, still legible


def version() -> str:
    """What the thumbnails depend on besides the PDF: a new PDFium may draw differently."""
    import pypdfium2

    return f"pdfium {pypdfium2.PDFIUM_INFO} width {WIDTH} colours {COLOURS}"


def thumbnail(pdf: bytes, width: int = WIDTH) -> bytes:
    """The first page of a PDF as a PNG ``width`` pixels wide (white background, palette colours)."""
    import pypdfium2
    from PIL import Image

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width / page.get_width()
        image = page.render(scale=scale, fill_color=(255, 255, 255, 255)).to_pil().convert("RGB")
        page.close()
    finally:
        document.close()
    small = image.quantize(COLOURS, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, "PNG", optimize=True)
    return out.getvalue()
