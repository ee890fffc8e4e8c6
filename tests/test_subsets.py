"""Composed PDFs carry one font program per face, drawing every glyph as the parts drew it."""

from __future__ import annotations

from io import BytesIO

from conftest import REPO
from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from coursepack import subsets, truetype


def embedded(path) -> list[subsets.Subset]:
    """The TrueType subsets the pages of a PDF use (pages and their form XObjects)."""
    reader = PdfReader(str(path))
    found: dict[int, subsets.Subset] = {}
    stack = [page.get("/Resources") for page in reader.pages]
    while stack:
        resources = stack.pop()
        if resources is None:
            continue
        resources = resources.get_object()
        for reference in subsets.font_references(resources):
            subset = subsets.read_subset(reference.get_object())
            if subset is not None:
                found.setdefault(reference.idnum, subset)
        for form in resources.get("/XObject", {}).values():
            stack.append(form.get_object().get("/Resources"))
    return list(found.values())


def outline(font: TTFont, gid: int) -> tuple:
    """A glyph's outline, composite glyphs drawn out, and its advance."""
    glyphs = font.getGlyphSet()
    name = font.getGlyphOrder()[gid]
    pen = DecomposingRecordingPen(glyphs)
    glyphs[name].draw(pen)
    return pen.value, glyphs[name].width


def form_programs(path) -> dict[int, int]:
    """The font programs a PDF form types with, by object number: their sizes."""
    form = PdfReader(str(path)).trailer["/Root"].get("/AcroForm")
    fonts = form["/DR"]["/Font"].values() if form else []
    programs = {}
    for font in fonts:
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        programs[descriptor.raw_get("/FontFile2").idnum] = len(descriptor["/FontFile2"].get_object().get_data())
    return programs


def test_every_packet_has_one_font_program_per_face(bundled):
    """Besides the whole font a fillable packet's fields type with (any letter a student may type)."""
    regular = (REPO / "styles" / "fonts" / "Lato-Regular.ttf").stat().st_size
    for path in bundled.glob("*/*.pdf"):
        typing = form_programs(path)
        assert set(typing.values()) == ({regular} if path.parent.name == "fillable" else set()), path
        programs: dict[str, set[int]] = {}
        for subset in embedded(path):
            program = subset.descriptor.raw_get("/FontFile2")
            if program.idnum not in typing:
                programs.setdefault(subsets.base_name(subset.font), set()).add(program.idnum)
        assert programs, path
        assert all(len(ids) == 1 for ids in programs.values()), (path, programs)


def test_merged_fonts_draw_every_glyph_as_the_parts_did(bundled):
    for edition in ("student", "teacher"):
        merged = {subsets.base_name(s.font): s for s in embedded(bundled / edition / "full-course.pdf")}
        programs = {face: TTFont(BytesIO(s.program.get_data())) for face, s in merged.items()}
        for part in sorted((bundled / ".coursepack-parts" / edition).glob("*.part")):
            for subset in embedded(part):
                face = subsets.base_name(subset.font)
                original = TTFont(BytesIO(subset.program.get_data()))
                for gid in subset.used:
                    assert outline(programs[face], gid) == outline(original, gid), (part.name, face, gid)


def test_a_packet_is_well_under_the_sum_of_its_parts(bundled):
    """Each part embeds its own fonts and writes its objects its own way; a packet shares them (about 0.5x)."""
    for edition in ("student", "teacher", "large-print"):
        parts = sum(p.stat().st_size for p in (bundled / ".coursepack-parts" / edition).glob("*.part"))
        assert (bundled / edition / "full-course.pdf").stat().st_size < 0.75 * parts


def test_a_moved_component_gets_its_own_id_after_every_drawn_glyph():
    """HarfBuzz moves a composite's components above the highest glyph id drawn; each subset moves them alike."""
    simple = b"\0\1" + b"\0" * 8 + b"\0\0" + b"\0\0" + b"\1" + b"\0"  # one contour, one point
    composite = b"\xff\xff" + b"\0" * 8 + b"\0\0" + b"\0\3" + b"\0\0"  # one component: glyph 3, byte offsets

    def font(glyphs: list[bytes]) -> truetype.Font:
        return truetype.Font({}, glyphs, [(500, 0)] * len(glyphs))

    first = font([b"", composite, simple, simple])
    merger = truetype.Merger(top=5)
    merger.add(first, {1})
    assert merger.glyphs[1][12:14] == b"\0\5"  # glyph 3 lies above glyph 1, the highest drawn: moved to 5
    assert merger.glyphs[5] == simple
    merger.add(font([b"", b"", b"", b"", simple]), {4})
    assert merger.glyphs[4] == simple and merger.next_id == 6
