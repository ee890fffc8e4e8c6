"""Any text a teacher can type prints: bundled fonts only, checked before layout, RTL set right to left."""

from __future__ import annotations

import re
from io import BytesIO
from pathlib import Path

import pytest
import tinycss2
from fontTools.ttLib import TTFont
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NameObject

from coursepack import build, fonts, markup, templates
from coursepack.errors import SourceErrors
from coursepack.workers import font_fallbacks

REPO = Path(__file__).resolve().parent.parent
STYLES = REPO / "styles"
BUNDLED = ", ".join(dict.fromkeys(face.family for face in fonts.bundle(STYLES).faces))

ONE_LESSON = """\
title = "Test Course"
teacher = "Ms. Rivera"
school = "Lincoln High"

[[packets]]
id = "unit"
title = "Unit One"
documents = ["vocabulary"]
"""

# An ELL vocabulary list: precomposed and decomposed Vietnamese, RTL, emoji with VS16 and ZWJ.
VOCABULARY = """\
---
title: Vocabulary · Vocabulario · Từ vựng
summary: "Palabras: máquina, fábrica ✓"
---
## Words for the factory floor

| English | Translation |
| --- | --- |
| machine | la máquina (Spanish) |
| factory | nhà máy · Tie\u0302\u0301ng Vie\u0323\u0302t (Vietnamese) |
| factory | مصنع |
| worker | פועל |
| worker | рабочий (Russian) · εργάτης (Greek) |

مرحبا بكم في ورشة العمل.

- שלום, ברוכים הבאים
- Great work 👍🏽 ❤️ 👨\u200d👩\u200d👧 ☐ ★

The word مصنع means *factory*; soft\u00adhyphen, no\u2011break, left\u200eto\u200fright.

```
course/
├── lessons/
│   └── intro.md
└── course.toml
```
"""


def pdf_fonts(data: bytes) -> set[str]:
    """Every font a PDF draws with (pages and the forms they use), subset prefix removed."""
    names: set[str] = set()

    def walk(resources, seen: set[int]) -> None:
        resources = resources.get_object() if resources else {}
        for ref in (resources.get("/Font") or {}).values():
            names.add(str(ref.get_object().get("/BaseFont", "")).lstrip("/").split("+")[-1])
        for ref in (resources.get("/XObject") or {}).values():
            if id(ref.get_object()) not in seen:
                seen.add(id(ref.get_object()))
                walk(ref.get_object().get("/Resources"), seen)

    for page in PdfReader(BytesIO(data)).pages:
        walk(page.get("/Resources"), set())
    return names


def problems_of(root: Path) -> list[str]:
    with pytest.raises(SourceErrors) as caught:
        build.load(root)
    return [str(problem) for problem in caught.value.problems]


# ---------------------------------------------------------------- fonts and stylesheet


def test_every_font_family_in_the_stylesheet_is_bundled():
    bundle = fonts.bundle(STYLES)
    stacks = {}
    for rule in tinycss2.parse_stylesheet((STYLES / "coursepack.css").read_text(), True, True):
        if rule.type == "at-rule" and rule.lower_at_keyword == "font-face":
            continue
        content = rule.content or []
        declarations = tinycss2.parse_blocks_contents(content, True, True)
        nested = [d for d in declarations if d.type == "at-rule" and d.content]
        declarations += [x for d in nested for x in tinycss2.parse_blocks_contents(d.content, True, True)]
        for declaration in declarations:
            if declaration.type == "declaration" and declaration.lower_name == "font-family":
                families = [f.strip().strip('"') for f in tinycss2.serialize(declaration.value).split(",")]
                assert all(bundle.has_family(family) for family in families), families
                at = f"@{rule.lower_at_keyword} " if rule.type == "at-rule" else ""
                stacks[(at + tinycss2.serialize(rule.prelude)).strip()] = tuple(families)
    assert stacks["html"] == stacks["@page"] == fonts.TEXT_FAMILIES
    assert stacks["code, kbd, pre, samp"] == fonts.MONO_FAMILIES
    assert set(fonts.TEXT_FAMILIES) == set(fonts.MONO_FAMILIES) == {face.family for face in bundle.faces}


def test_bundled_fonts_are_static_and_licensed():
    files = sorted((STYLES / "fonts").glob("*.ttf"))
    licences = [p.name.removesuffix("-OFL.txt") for p in (STYLES / "fonts").glob("*-OFL.txt")]
    declared = {face.path for face in fonts.bundle(STYLES).faces}
    for path in files:
        with TTFont(path, lazy=True) as font:
            assert "fvar" not in font, path.name
            assert "Open Font License" in font["name"].getDebugName(13), path.name
        assert [name for name in licences if path.name.startswith(name)], f"no licence file for {path.name}"
        assert path.resolve() in declared, f"{path.name} has no @font-face rule"


def test_scripts_a_classroom_meets_are_covered():
    bundle = fonts.bundle(STYLES)
    text = (
        "Tiếng Việt ỹ Ữ đ Ơ ư ă ñ ç ß ø ł ő ş ğ ı ¿¡ «» „“ Ελληνικά ΆΈ Русский Українська ґ є ї "
        "العربية پچژگ עִברִית ├──└──│┌┐ 😀👍🏽❤✅⭐ ✓✗☐★☆ → ≤ ≥ ½ ° × ÷ π √ ∞ ∑ € £"
    )
    assert [c for c in text if not bundle.can_print(c)] == []


def test_characters_that_draw_nothing_need_no_font():
    bundle = fonts.bundle(STYLES)
    text = "e\u0302\u0301 \u00a0\u00ad\u200b\u200c\u200d\u200e\u200f\u2066\u2069\ufeff\ufe0e\ufe0f\t"
    assert fonts.file_problems(bundle, "a.md", [(1, text)]) == []


def test_a_visible_format_character_needs_a_font():
    bundle = fonts.bundle(STYLES)
    assert bundle.can_print("\u0600") and not bundle.can_print("\U00013430")


def test_font_fallback_warning_names_only_fonts_not_bundled():
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    names = ["Lato-Heavy", "Noto-Sans-Arabic-Bold", "Noto-Sans-Arabic-Oblique", "Noto-Emoji", "DejaVu-Sans"]
    fonts_used = {
        NameObject(f"/F{i}"): DictionaryObject({NameObject("/BaseFont"): NameObject(f"/ABCDEF+{name}")})
        for i, name in enumerate(names)
    }
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(fonts_used)})
    out = BytesIO()
    writer.write(out)
    assert font_fallbacks(out.getvalue(), STYLES) == [
        "font fallback: 'DejaVu-Sans' was used for characters the bundled fonts lack"
    ]


def test_cluster_map_asks_for_the_text_stack():
    svg = templates.cluster_map("Cluster", {"p": "Production"}, {"p": ["Welder"]})
    assert f'font-family="{",".join(fonts.TEXT_FAMILIES)}"' in svg
    assert fonts.font_messages(fonts.bundle(STYLES), fonts.svg_fonts(svg.encode())) == []


# ---------------------------------------------------------------- the check before layout


def test_an_unprintable_character_is_an_error_at_its_first_line(course):
    lesson = "---\ntitle: Hieroglyphs \U000f0001\nlesson: 1\n---\n## Signs\n\nThe sign 𓀀 is a man.\n\nAgain: 𓀀 and 𓀁.\n"
    root = course({"lessons/intro.md": lesson})
    assert problems_of(root) == [
        "lessons/intro.md:2: error: the character '\U000f0001' (U+F0001) cannot be printed: no bundled font has it",
        "lessons/intro.md:7: error: the character '𓀀' (U+13000) cannot be printed: no bundled font has it",
        "lessons/intro.md:9: error: the character '𓀁' (U+13001) cannot be printed: no bundled font has it",
    ]


def test_chinese_and_korean_say_why(course):
    root = course({"course.toml": ONE_LESSON, "lessons/vocabulary.md": "---\ntitle: Names\n---\nWang Wei 王\n"})
    assert problems_of(root) == [
        "lessons/vocabulary.md:4: error: the character '王' (U+738B) cannot be printed: no bundled font has it"
        " (Chinese, Japanese and Korean fonts are too large to bundle: write the word in Latin letters,"
        " e.g. pinyin or romaja, or add a font that has it to the course's own styles)"
    ]


SVG = """\
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 60" width="200" height="60">
  <style>.note { font: 12px Papyrus; }</style>
  <text x="10" y="20" font-family="'Comic Sans MS', cursive">Hello</text>
  <text x="10" y="40" style="font-family: Lato, sans-serif">Fine</text>
</svg>
"""


def test_an_svg_asking_for_a_font_not_bundled_is_an_error(course):
    lesson = "---\ntitle: Chart\nlesson: 1\n---\n![A chart](../images/chart.svg)\n"
    root = course({"lessons/intro.md": lesson, "images/chart.svg": SVG})
    assert problems_of(root) == [
        f"images/chart.svg:2: error: the SVG asks for the font 'Papyrus', which is not bundled: use one of {BUNDLED}"
        " (or convert its text to paths)",
        f"images/chart.svg:3: error: the SVG asks for the font 'Comic Sans MS', which is not bundled: use one of"
        f" {BUNDLED} (or convert its text to paths)",
    ]


def test_svg_generic_families_and_unnamed_text():
    bundle = fonts.bundle(STYLES)
    generic = b'<svg xmlns="http://www.w3.org/2000/svg">\n<text font-family="sans-serif">A</text></svg>'
    assert fonts.font_messages(bundle, fonts.svg_fonts(generic)) == [
        (
            2,
            "the SVG asks for the font 'sans-serif', which each machine sets differently:"
            ' name a bundled font first, e.g. font-family="Lato, sans-serif"',
        )
    ]
    unnamed = b'<svg xmlns="http://www.w3.org/2000/svg">\n<g>\n<text>A</text></g></svg>'
    assert fonts.font_messages(bundle, fonts.svg_fonts(unnamed)) == [
        (
            3,
            "the SVG has text in no named font, which each machine draws differently:"
            ' add font-family="Lato" to its <svg> element',
        )
    ]
    named = b'<svg xmlns="http://www.w3.org/2000/svg" font-family="Noto Sans Arabic, Lato"><text>A</text></svg>'
    assert fonts.font_messages(bundle, fonts.svg_fonts(named)) == []
    assert fonts.font_messages(bundle, fonts.svg_fonts(b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')) == []


# ---------------------------------------------------------------- right to left


def test_blocks_starting_right_to_left_get_dir_rtl():
    body = "مرحبا بكم\n\n- שלום\n- hello\n\n| a | b |\n| --- | --- |\n| 1 | آلة |\n\n## 12 שלום\n\nThe word مصنع.\n"
    html = markup.render(body, 1, edition="student").html
    assert '<p dir="rtl">مرحبا' in html and '<li dir="rtl">שלום' in html and '<td dir="rtl">آلة' in html
    assert re.search(r'<h2 id="[^"]*" dir="rtl">12 שלום', html)
    assert "<p>The word مصنع.</p>" in html and "<li>hello</li>" in html


def test_an_authors_dir_is_kept():
    html = markup.render('<p dir="ltr">مرحبا</p>\n', 1, edition="student").html
    assert html == '<p dir="ltr">مرحبا</p>'


# ---------------------------------------------------------------- a real build


def test_ell_vocabulary_builds_strict_with_bundled_fonts_only(course, tmp_path):
    root = course({"course.toml": ONE_LESSON, "lessons/vocabulary.md": VOCABULARY}, base=False)
    outputs = build.build(root, tmp_path / "out", strict=True, workers=1)
    document = next(o for o in outputs if o.path == "student/documents/vocabulary.pdf")
    used = pdf_fonts(document.data)
    assert {
        "Lato",
        "Noto-Sans-Arabic",
        "Noto-Sans-Hebrew",
        "Noto-Sans-Mono",
        "Noto-Emoji",
        "Noto-Sans-Symbols2",
    } <= used
    prefixes = tuple("-".join(family.split()) for family in fonts.TEXT_FAMILIES)
    for output in outputs:
        assert all(name.startswith(prefixes) for name in pdf_fonts(output.data)), (output.path, used)
