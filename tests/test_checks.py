"""`check` knows what `build` would refuse: images, SVGs, stylesheets, templates and course.toml
lines, each reported at the source file and line where the mistake is."""

from __future__ import annotations

import base64
import shutil
from io import BytesIO
from pathlib import Path

import PIL.Image
from conftest import COURSE_TOML, REPO
from pypdf import PdfReader

from coursepack.cli import main

HEAD = "---\ntitle: Introduction\n---\n"  # the body starts on line 4


def png(width: int = 8, height: int = 8) -> bytes:
    out = BytesIO()
    PIL.Image.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def run(capsys, root: Path, command: str = "check") -> tuple[int, list[str]]:
    args = ["--course", str(root), command] + (["--jobs", "1"] if command == "build" else [])
    code = main(args)
    return code, capsys.readouterr().err.splitlines()


def refused(capsys, root: Path, expected: list[str]) -> None:
    """`check` prints exactly these problems and exits 1; `build` refuses too and writes no PDF."""
    code, err = run(capsys, root)
    assert (code, err[:-1]) == (1, expected), err
    assert err[-1].endswith("found; nothing was written.")
    code, err = run(capsys, root, "build")
    assert (code, err[:-1]) == (1, expected), err
    assert not list(root.glob("build/**/*.pdf"))


def own_styles(root: Path) -> Path:
    shutil.copytree(REPO / "styles", root / "styles")
    return root / "styles"


def append_css(styles: Path, css: str) -> int:
    """Add rules at the end of coursepack.css; return the line number of the first one."""
    sheet = styles / "coursepack.css"
    text = sheet.read_text(encoding="utf-8")
    text += "" if text.endswith("\n") else "\n"
    sheet.write_text(text + css, encoding="utf-8")
    return text.count("\n") + 1


# ---------------------------------------------------------------- images


def test_a_truncated_png_is_refused_not_printed_as_a_grey_square(course, capsys):
    root = course({"lessons/intro.md": HEAD + "![Press](press.png)\n", "lessons/press.png": png(40, 40)[:60]})
    refused(
        capsys,
        root,
        [
            "lessons/intro.md:4: error: image 'press.png' cannot be read: the file is damaged or truncated; export it again"
        ],
    )


def test_an_svg_that_is_not_well_formed_is_named_at_its_line(course, capsys):
    svg = '<svg xmlns="http://www.w3.org/2000/svg">\n<rect width="4" height="4">\n</svg>\n'
    root = course({"lessons/intro.md": HEAD + "![Box](box.svg)\n", "lessons/box.svg": svg})
    refused(capsys, root, ["lessons/box.svg:3: error: the SVG is not well-formed XML: mismatched tag"])


def test_svg_entities_are_refused(course, capsys):
    svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY who "a secret">]>\n'
        '<svg xmlns="http://www.w3.org/2000/svg"><text y="9">&who;</text></svg>\n'
    )
    root = course({"lessons/intro.md": HEAD + "![Who](who.svg)\n", "lessons/who.svg": svg})
    code, err = run(capsys, root)
    assert (code, err[0]) == (
        1,
        "lessons/who.svg:2: error: the SVG declares entities in its DOCTYPE; remove the DOCTYPE",
    )


def test_an_svg_embedding_a_data_image_is_named_once_without_its_payload(course, capsys):
    payload = base64.b64encode(png()).decode()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="8">\n'
        f'<image width="8" height="8" xlink:href="data:image/png;base64,{payload}"/>\n</svg>\n'
    )
    body = "![Chart](chart.svg)\n\n::: teacher\n![Chart again](chart.svg)\n:::\n"
    root = course({"lessons/intro.md": HEAD + body, "lessons/chart.svg": svg})
    refused(
        capsys,
        root,
        [
            "lessons/chart.svg:2: error: the SVG embeds a data: URL (data:image/png;base64,…), which coursepack "
            "does not load: save it as a file in the course folder and link to it by its path"
        ],
    )


def test_an_svg_linking_to_the_network_or_outside_is_refused_by_check(course, capsys):
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8">\n'
        '<image width="8" height="8" href="http://169.254.169.254/x.png"/>\n'
        '<image width="8" height="8" href="../../outside.png"/>\n<image href="gone.png"/>\n</svg>\n'
    )
    root = course({"lessons/intro.md": HEAD + "![Logo](logo.svg)\n", "lessons/logo.svg": svg})
    code, err = run(capsys, root)
    assert code == 1
    assert err[:-1] == [
        "lessons/logo.svg:2: error: the SVG links to http://169.254.169.254/x.png on the network; "
        "coursepack never downloads anything: save it into the course folder",
        "lessons/logo.svg:3: error: the SVG links to '../../outside.png', outside the course folder; copy it into the course",
        "lessons/logo.svg:4: error: the SVG links to 'gone.png', which does not exist",
    ]


def test_percent_encoded_image_names_resolve_in_check_and_in_the_pdf(course, capsys):
    files = {
        "course.toml": COURSE_TOML.replace('"roles/*"', '"intro"'),
        "lessons/intro.md": HEAD + "![Photo](my%20photo.png)\n",
        "lessons/my photo.png": png(30, 20),
    }
    root = course(files, base=False)
    assert run(capsys, root) == (0, [])
    assert run(capsys, root, "build") == (0, [])
    page = PdfReader(root / "build/student/documents/intro.pdf").pages[0]
    assert [image.image.size for image in page.images] == [(30, 20)]


def test_each_image_problem_is_reported_where_that_image_is_written(course, capsys):
    body = (
        "![Press](press.png)\n"  # 4: fine
        "\n```\n![](press.png) in a code block is only text\n```\n\n"  # 6-8
        "Inline `![](press.png)` code too.\n\n"  # 10
        "![](press.png)\n\n"  # 12: no alt text
        "<!-- ![](gone.png) -->\n"  # 14: a comment
        "![Gone](gone.png)\n"  # 15: not found
    )
    root = course({"lessons/intro.md": HEAD + body, "lessons/press.png": png()})
    code, err = run(capsys, root)
    assert code == 1
    assert err[:-1] == [
        "lessons/intro.md:12: error: image 'press.png' has no alt text: describe it in ![...](press.png), or write ![decorative](press.png)",
        "lessons/intro.md:15: error: image 'gone.png' not found (did you mean press.png?)",
    ]


# ---------------------------------------------------------------- stylesheets


def test_css_weasyprint_would_ignore_is_found_by_check_at_its_line(course, capsys):
    root = course()
    first = append_css(own_styles(root), "h1 { colr: red; }\np { color: 12px }\na::nonsense { color: red }\n")
    refused(
        capsys,
        root,
        [
            f"styles/coursepack.css:{first}: error: ignored `colr: red`: unknown property",
            f"styles/coursepack.css:{first + 1}: error: ignored `color: 12px`: invalid value",
            f"styles/coursepack.css:{first + 2}: error: invalid or unsupported selector 'a::nonsense'",
        ],
    )


def test_css_urls_must_be_files_in_the_course(course, capsys):
    root = course()
    css = (
        ".a { background: url(http://169.254.169.254/x.png) }\n"
        ".b { background: url(/etc/passwd) }\n"
        ".c { background: url(icons/gone.svg) }\n"
        ".d { background: url(data:image/png;base64,iVBORw0KGgo=) }\n"
    )
    first = append_css(own_styles(root), css)
    code, err = run(capsys, root)
    assert code == 1
    assert err[:-1] == [
        f"styles/coursepack.css:{first}: error: the stylesheet links to http://169.254.169.254/x.png on the network; "
        "coursepack never downloads anything: save it into the course folder",
        f"styles/coursepack.css:{first + 1}: error: the stylesheet links to '/etc/passwd', outside the course folder; "
        "copy it into the course",
        f"styles/coursepack.css:{first + 2}: error: the stylesheet links to 'icons/gone.svg', which does not exist",
        f"styles/coursepack.css:{first + 3}: error: the stylesheet embeds a data: URL (data:image/png;base64,…), "
        "which coursepack does not load: save it as a file in the course folder and link to it by its path",
    ]


def test_css_imports_that_loop_or_leave_the_styles_folder(course, capsys):
    root = course()
    styles = own_styles(root)
    sheet = styles / "coursepack.css"
    sheet.write_text('@import "a.css";\n@import url(../lessons/x.css);\n' + sheet.read_text(encoding="utf-8"))
    (styles / "a.css").write_text('@import "b.css";\n')
    (styles / "b.css").write_text('\n@import "a.css";\np { colr: red }\n')
    (root / "lessons/x.css").write_text("p { color: red }\n")
    code, err = run(capsys, root)
    assert code == 1
    assert err[:-1] == [
        "styles/b.css:2: error: the @import makes a loop "
        "(styles/coursepack.css → styles/a.css → styles/b.css → styles/a.css); remove one of them",
        "styles/b.css:3: error: ignored `colr: red`: unknown property",
        "styles/coursepack.css:2: error: the stylesheet '../lessons/x.css' is outside the styles folder; "
        "keep every stylesheet in styles/",
    ]


def test_an_unclosed_brace_is_found_where_it_opens(course, capsys):
    root = course()
    first = append_css(own_styles(root), "p { color: red\nh1 { color: blue }\n")
    code, err = run(capsys, root)
    assert (code, err[:-1]) == (
        1,
        [f"styles/coursepack.css:{first}: error: the '{{' opened here is never closed: add '}}'"],
    )


# ---------------------------------------------------------------- templates


def edit_template(styles: Path, name: str, old: str, new: str) -> None:
    path = styles / "templates" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_template_syntax_error_names_the_template_and_line(course, capsys):
    root = course()
    edit_template(own_styles(root), "role.html", "{{ doc.meta.summary }}", "{{ doc.meta.summary }")
    refused(capsys, root, ["styles/templates/role.html:4: error: template syntax error: unexpected '}'"])


def test_a_syntax_error_in_any_template_of_the_folder_is_found_by_check(course, capsys):
    root = course()
    (own_styles(root) / "templates" / "spare.html").write_text("<p>\n{% if %}\n</p>\n")
    code, err = run(capsys, root)
    assert (code, err[:-1]) == (
        1,
        [
            "styles/templates/spare.html:2: error: template syntax error: Expected an expression, got 'end of statement block'"
        ],
    )


def test_an_undefined_name_in_an_included_template_is_located(course, capsys):
    root = course()
    edit_template(own_styles(root), "_band.html", "{{", "{{ nope }}{{")
    refused(capsys, root, ["styles/templates/_band.html:1: error: the template failed: 'nope' is undefined"])


def test_template_errors_at_build_name_the_template_not_an_internal_error(course, capsys):
    root = course()
    styles = own_styles(root)
    edit_template(styles, "document.html", "{{ title }}", "{{ titel }}")
    code, err = run(capsys, root, "build")
    assert (code, err) == (
        1,
        [
            "styles/templates/document.html:5: error: the template failed: 'titel' is undefined",
            "1 problem found; nothing was written.",
        ],
    )
    shutil.copy(REPO / "styles/templates/document.html", styles / "templates/document.html")
    edit_template(styles, "front.html", "{{", "{{ 1 + course.title }}{{")  # rendered in a worker process
    code, err = run(capsys, root, "build")
    assert code == 1
    assert err[0].startswith("styles/templates/front.html:") and "TypeError: unsupported operand" in err[0], err
    assert not list(root.glob("build/**/*.pdf"))


# ---------------------------------------------------------------- course.toml


def test_a_mistake_in_the_second_packet_is_reported_at_that_packet(course, capsys):
    toml = COURSE_TOML.replace("[[packets]]", '# colour = "red" and duplex = "yes" are not valid here\n[[packets]]') + (
        '\n[[packets]]\nid = "extra"\ntitle = "Extra"\nduplex = "yes"\n'
        'documents = [\n  "intro",  # the first\n  "intr",\n]\ncolour = "red"\n'
    )
    root = course({"course.toml": toml})
    lines = toml.split("\n")
    duplex, entry, colour = (lines.index(text) + 1 for text in ('duplex = "yes"', '  "intr",', 'colour = "red"'))
    refused(
        capsys,
        root,
        [
            f"course.toml:{duplex}: error: packet 'extra': 'duplex' must be true or false",
            f"course.toml:{entry}: error: packet 'extra': no document matches 'intr' (did you mean 'intro'?)",
            f"course.toml:{colour}: error: packet: unknown field 'colour'",
        ],
    )


def test_a_key_mentioned_in_a_comment_does_not_fool_the_line(course, capsys):
    toml = '# papr: write "paper" (papr = "a4" would be wrong)\n' + COURSE_TOML.replace(
        'school = "Lincoln High"', 'school = "Lincoln High"\npapr = "a4"'
    )
    root = course({"course.toml": toml})
    code, err = run(capsys, root)
    assert (code, err[:-1]) == (1, ["course.toml:5: error: unknown field 'papr' (did you mean 'paper'?)"])
