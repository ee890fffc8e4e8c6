"""The bare-WeasyPrint baseline: the build's document HTMLs rendered once each, sequentially, in this process.

Each part's HTML (one per document × edition, as ``coursepack.plan.targets`` makes it) goes through
plain ``HTML(string=..., base_url=...).write_pdf(stylesheets=...)`` with the course's stylesheet and
the part's page CSS, parsed once. A ``FontConfiguration`` is passed too, as WeasyPrint requires for
the stylesheet's ``@font-face`` fonts (without it the text would be set in other fonts). No confined
fetcher, no PDF/UA tags, no page labels: only what any WeasyPrint user would write.
"""

from __future__ import annotations

import time
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from coursepack import workers
from coursepack.targets import PartTarget


def bare_weasyprint(parts: tuple[PartTarget, ...]) -> dict[str, float | int]:
    """Render every part once (after one untimed warm-up render); wall and CPU seconds, documents, pages."""
    if not parts:
        return {"seconds": 0.0, "cpu": 0.0, "documents": 0, "pages": 0}
    setup = parts[0].setup
    fonts = FontConfiguration()
    stylesheets = [
        CSS(filename=str(Path(setup.styles) / "coursepack.css"), font_config=fonts),
        CSS(string=workers.PAPER_CSS[setup.paper] + workers.LAYERS["part"], font_config=fonts),
    ]
    base_url = str(Path(setup.root)) + "/"

    def render(part: PartTarget) -> int:
        document = HTML(string=part.html, base_url=base_url).render(stylesheets=stylesheets, font_config=fonts)
        document.write_pdf()
        return len(document.pages)

    render(parts[0])  # warm-up: fonts loaded, caches filled, as in any warm process
    pages = 0
    wall, cpu = time.perf_counter(), time.process_time()
    for part in parts:
        pages += render(part)
    return {
        "seconds": round(time.perf_counter() - wall, 3),
        "cpu": round(time.process_time() - cpu, 3),
        "documents": len(parts),
        "pages": pages,
    }
