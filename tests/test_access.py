"""Accessibility: tagged PDFs in reading order, alt text, language, large print, contrast."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, pages_text
from pypdf import PdfReader

from coursepack.cli import main


def structure(path: Path) -> list[tuple[int, str, dict]]:
    """The structure tree as (depth, role, attributes) in reading order."""
    reader = PdfReader(str(path))
    result = []

    def walk(node, depth):
        node = node.get_object()
        if not isinstance(node, dict) or "/S" not in node:
            return
        result.append((depth, str(node["/S"]), {k: node[k] for k in ("/Alt", "/Lang", "/T") if k in node}))
        kids = node.get("/K")
        for kid in kids if isinstance(kids, list) else [kids]:
            if kid is not None and hasattr(kid, "get_object"):
                walk(kid, depth + 1)

    root = reader.trailer["/Root"]["/StructTreeRoot"]
    kids = root["/K"]
    for kid in kids if isinstance(kids, list) else [kids]:
        walk(kid, 0)
    return result


def test_documents_are_tagged_with_language_title_and_pdfua_id(bundled):
    path = bundled / "student" / "documents" / "00-cluster-overview.pdf"
    reader = PdfReader(str(path))
    root = reader.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a PDF boolean
    assert root["/Lang"] == "en-US"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    assert reader.metadata.title == "The Manufacturing Career Cluster"
    assert b'pdfuaid:part="1"' in reader.xmp_metadata.stream.get_data()
    roles = [role for _, role, _ in structure(path)]
    assert roles[0] == "/Document"
    assert roles.index("/H1") < roles.index("/H2")
    for kind in ("/P", "/L", "/LI", "/Figure", "/Caption"):
        assert kind in roles


def test_the_cluster_map_has_a_text_alternative_from_the_role_data(bundled):
    figures = [
        attrs
        for _, role, attrs in structure(bundled / "student/documents/00-cluster-overview.pdf")
        if role == "/Figure"
    ]
    assert len(figures) == 1
    alt = str(figures[0]["/Alt"])
    assert alt.startswith(
        "Exploring the Manufacturing Career Cluster. Career map: pathways and their roles: Production"
    )
    for role in ("Robotics Technician", "Data Analyst", "Welder", "Quality Engineer"):
        assert role in alt


def test_running_headers_and_footers_are_artifacts(bundled):
    reader = PdfReader(str(bundled / "student" / "documents" / "welder.pdf"))
    data = reader.pages[0].get_contents().get_data()
    assert data.count(b"/Artifact\nBMC") >= 4  # header left and right, footer left, centre, right


def test_packets_have_one_structure_tree_in_packet_order(bundled):
    path = bundled / "teacher" / "unit-1.pdf"
    tree = structure(path)
    assert [role for depth, role, _ in tree if depth == 0] == ["/Document"]
    headings = [i for i, (_, role, _) in enumerate(tree) if role == "/H1"]
    text = " ".join(pages_text(path))
    assert len(headings) >= 13  # cover, contents and the twelve documents
    assert "Unit 1: What Is Manufacturing?" in text


def test_tables_have_header_cells(bundled):
    tree = structure(bundled / "student" / "documents" / "sectors.pdf")
    tables = [i for i, (_, role, _) in enumerate(tree) if role == "/Table"]
    assert tables
    assert "/TH" in [role for _, role, _ in tree]


def test_language_of_the_course_and_of_a_document(course, capsys):
    root = course({"lessons/intro.md": "---\ntitle: Vocabulario\nlanguage: es\n---\nLa fábrica.\n"})
    assert main(["--course", str(root), "build", "--jobs", "1"]) == 0
    assert PdfReader(str(root / "build/student/documents/intro.pdf")).trailer["/Root"]["/Lang"] == "es"
    assert PdfReader(str(root / "build/student/documents/welder.pdf")).trailer["/Root"]["/Lang"] == "en-US"
    packet = PdfReader(str(root / "build/student/unit.pdf"))
    assert packet.trailer["/Root"]["/Lang"] == "en-US"
    # inside the packet, the Spanish document's elements say so (a screen reader reads it in Spanish)
    document = packet.trailer["/Root"]["/StructTreeRoot"]["/K"]
    document = (document[0] if isinstance(document, list) else document).get_object()
    languages = [str(kid.get_object().get("/Lang", "")) for kid in document["/K"]]
    assert "es" in languages and not any(language not in ("", "es") for language in languages)


def test_large_print_edition_is_student_content_in_large_type(bundled):
    path = bundled / "large-print" / "unit-1.pdf"
    text = " ".join(pages_text(path))
    assert "Large-print edition" in text and "Teacher edition" not in text and "ANSWER" not in text
    assert len(pages_text(path)) > len(pages_text(bundled / "student" / "unit-1.pdf"))
    css = (REPO / "styles" / "coursepack.css").read_text()
    assert re.search(r"body\.edition-large-print \{[^}]*font-size: 18pt", css)


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_palette_meets_wcag_aa_for_text():
    css = (REPO / "styles" / "coursepack.css").read_text()
    palette = dict(re.findall(r"--([a-z]+):\s*(#[0-9a-f]{6})", css))
    for text in ("ink", "accent", "muted"):
        for background in ("#ffffff", palette["tint"], palette["teacher"]):
            assert contrast(palette[text], background) >= 4.5, (text, background)


@pytest.mark.skipif(
    shutil.which("pdfua") is None and not Path(sys.prefix, "bin", "pdfua").exists(), reason="pdfua not installed"
)
def test_an_independent_checker_finds_no_errors(bundled):
    checker = shutil.which("pdfua") or str(Path(sys.prefix, "bin", "pdfua"))
    paths = [
        bundled / "student/unit-1.pdf",
        bundled / "teacher/full-course.pdf",
        bundled / "large-print/role-sheets.pdf",
    ]
    paths += sorted((bundled / "student" / "documents").glob("*.pdf"))
    paths += [bundled / "fillable/unit-1.pdf", bundled / "fillable/documents/vocabulary.pdf"]
    for path in paths:
        report = subprocess.run([checker, "check", str(path)], capture_output=True, text=True).stdout
        assert "[ERROR]" not in report, (path.name, report)


def test_images_render_with_alt_text_and_decorative_ones_pass(course, capsys):
    from io import BytesIO

    import PIL.Image

    image = BytesIO()
    PIL.Image.new("RGB", (40, 20), (200, 40, 40)).save(image, "PNG")
    body = (
        "---\ntitle: Intro\n---\n![A red hydraulic press](../images/press.png)\n\n![decorative](../images/press.png)\n"
    )
    root = course({"lessons/intro.md": body, "images/press.png": image.getvalue()})
    assert main(["--course", str(root), "build", "--jobs", "1"]) == 0
    path = root / "build/student/documents/intro.pdf"
    figures = [a for _, role, a in structure(path) if role == "/Figure"]
    assert [str(a.get("/Alt", "")) for a in figures][:1] == ["A red hydraulic press"]
    assert len(PdfReader(str(path)).pages[0]["/Resources"]["/XObject"]) >= 2
