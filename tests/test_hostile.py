"""A hostile and broken input corpus: a clear message, the right exit code, no file from outside
the course in any PDF, and the previous build's PDFs left exactly as they were."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import PIL.Image
import pytest
from conftest import COURSE_TOML, LESSON, ROLE, pages_text, write_course
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from coursepack.cli import main

MARKER = "MARKER7F3A"
LESSON_HEAD = "---\ntitle: Introduction\n---\n"
LINKS = "links may go to web pages (https://…), email addresses (mailto:…) or other documents of this course"


def png(width: int = 8, height: int = 8) -> bytes:
    out = BytesIO()
    PIL.Image.new("L", (width, height), 128).save(out, "PNG")
    return out.getvalue()


def pdf_bytes(pages: int = 1, javascript: bool = False) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(612, 792)
    if javascript:
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert(1)")}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def baseline(tmp_path_factory) -> Path:
    """A small course, built once; each case starts from a copy of it and its PDFs."""
    root = write_course(
        tmp_path_factory.mktemp("baseline") / "course",
        {
            "lessons/intro.md": LESSON,
            "handouts/roles/welder.md": ROLE.format(title="Welder", related="assembler"),
            "handouts/roles/assembler.md": ROLE.format(title="Assembler", related="welder"),
            "images/press.png": png(),
        },
    )
    assert main(["--course", str(root), "build", "--jobs", "1"]) == 0
    return root


@pytest.fixture
def case(baseline, tmp_path):
    """Copy the built course next to an outside folder holding the marker; return both."""
    root = tmp_path / "course"
    shutil.copytree(baseline, root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(MARKER)
    (outside / "secret.svg").write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40"><text y="20">{MARKER}</text></svg>'
    )
    return root, outside


def lesson(body: str) -> dict:
    return {"lessons/intro.md": LESSON_HEAD + body}


CASES = {
    # front matter
    "not-yaml": (
        lesson("").__class__({"lessons/intro.md": "---\ntitle: [oops\n---\n"}),
        "lessons/intro.md:2: error: the front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
    ),
    "unclosed-fence": (
        {"lessons/intro.md": "---\ntitle: A\n\nText\n"},
        "lessons/intro.md:1: error: the front matter is not closed: add a line '---' after the last field",
    ),
    "no-front-matter": (
        {"lessons/intro.md": "# Just Markdown\n"},
        "lessons/intro.md:1: error: the file must start with front matter: a line '---', fields, then '---'",
    ),
    "python-tag": (
        {"lessons/intro.md": "---\ntitle: !!python/object/apply:os.system [ls]\n---\n"},
        "lessons/intro.md:2: error: YAML tags (tag:yaml.org,2002:python/object/apply:os.system) are not allowed; remove the tag",
    ),
    "alias-bomb": (
        {"lessons/intro.md": "---\na: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\ntitle: T\n---\n"},
        "lessons/intro.md:2: error: YAML anchors (&name) are not allowed; write the value out",
    ),
    "duplicate-key": (
        {"lessons/intro.md": "---\ntitle: A\ntitle: B\n---\n"},
        "lessons/intro.md:3: error: field 'title' is given twice",
    ),
    "wrong-type": (
        {"lessons/intro.md": "---\ntitle: A\nlesson: one\n---\n"},
        "lessons/intro.md:3: error: field 'lesson' must be a number, not 'one'",
    ),
    "list-for-text": (
        {"lessons/intro.md": "---\ntitle: [A, B]\n---\n"},
        "lessons/intro.md:2: error: field 'title' must be text",
    ),
    "unknown-field": (
        {"lessons/intro.md": "---\ntitle: A\nobjectivs: [x]\n---\n"},
        "lessons/intro.md:3: error: unknown field 'objectivs' (did you mean 'objectives'?) for a lesson",
    ),
    "list-front-matter": (
        {"lessons/intro.md": "---\n- a\n---\n"},
        "lessons/intro.md:2: error: the front matter must be fields written as 'name: value'",
    ),
    "huge-front-matter": (
        {"lessons/intro.md": "---\ntitle: A\nsummary: " + "x" * 70_000 + "\n---\n"},
        "lessons/intro.md:2: error: the front matter is too large (the limit is 64 KB)",
    ),
    "unknown-kind": (
        {"lessons/intro.md": "---\ntitle: A\nkind: script\n---\n"},
        "lessons/intro.md:3: error: unknown kind 'script' (use one of: lesson, overview, role, worksheet, handout)",
    ),
    # encodings, empty and huge files
    "cp1252": (
        {"lessons/intro.md": "---\ntitle: Caf\xe9\n---\n".encode("cp1252")},
        "lessons/intro.md:2: error: column 11: byte 0xe9 is not UTF-8 (a file saved as Windows-1252 or Latin-1?): save the file as UTF-8",
    ),
    "utf16": (
        {"lessons/intro.md": "---\ntitle: A\n---\n".encode("utf-16")},
        "lessons/intro.md:1: error: the file is UTF-16, not UTF-8: save the file as UTF-8",
    ),
    "binary": (
        {"lessons/intro.md": b"---\ntitle: A\n---\n\x00\x01"},
        "lessons/intro.md:4: error: the file contains NUL bytes (is it a binary file?): save the file as UTF-8",
    ),
    "empty-file": (
        {"lessons/intro.md": ""},
        "lessons/intro.md:1: error: the file must start with front matter: a line '---', fields, then '---'",
    ),
    "five-megabytes": (
        {"lessons/intro.md": LESSON_HEAD + "word " * 1_000_000},
        "lessons/intro.md: error: the file is too large (5.0 MB; the limit is 1 MB)",
    ),
    "empty-worksheet": (
        {"handouts/worksheets/quiz.md": "---\ntitle: Quiz\n---\n"},
        "handouts/worksheets/quiz.md:4: error: the worksheet has no questions: start each question with '? '",
    ),
    # paths and URLs
    "image-dotdot": (
        lesson("![Secret](../../outside/secret.svg)\n"),
        "lessons/intro.md:4: error: image '../../outside/secret.svg' is outside the course folder; copy it into the course and use a relative path",
    ),
    "image-absolute": (
        lesson("![Secret](/etc/passwd)\n"),
        "lessons/intro.md:4: error: image '/etc/passwd' is outside the course folder; copy it into the course and use a relative path",
    ),
    "image-file-url": (
        lesson("![Secret](file:///etc/passwd)\n"),
        "lessons/intro.md:4: error: image 'file:///etc/passwd' is outside the course folder; copy it into the course and use a relative path",
    ),
    "image-network": (
        lesson("![Logo](https://example.com/logo.png)\n"),
        "lessons/intro.md:4: error: image 'https://example.com/logo.png' is on the network; coursepack never downloads anything: save it into the course folder",
    ),
    "image-link-local": (
        lesson("![Meta](http://169.254.169.254/latest/meta-data)\n"),
        "lessons/intro.md:4: error: image 'http://169.254.169.254/latest/meta-data' is on the network; coursepack never downloads anything: save it into the course folder",
    ),
    "raw-img-network": (
        lesson('<img src="http://10.0.0.1/x.png" alt="x">\n'),
        "lessons/intro.md:4: error: image 'http://10.0.0.1/x.png' is on the network; coursepack never downloads anything: save it into the course folder",
    ),
    "image-near-miss": (
        lesson("![Press](../images/pres.png)\n"),
        "lessons/intro.md:4: error: image '../images/pres.png' not found (did you mean ../images/press.png?)",
    ),
    "image-no-alt": (
        lesson("![](../images/press.png)\n"),
        "lessons/intro.md:4: error: image '../images/press.png' has no alt text: describe it in ![...](../images/press.png), or write ![decorative](../images/press.png)",
    ),
    "image-not-image": (
        {**lesson("![Notes](notes.txt)\n"), "lessons/notes.txt": "hello"},
        "lessons/intro.md:4: error: 'notes.txt' is not an image coursepack can print (use .png, .jpg, .jpeg, .gif, .svg, .webp)",
    ),
    "image-pixel-bomb": (
        {**lesson("![Huge](huge.png)\n"), "lessons/huge.png": png(9000, 9000)},
        "lessons/intro.md:4: error: image 'huge.png' is too large (9000x9000 pixels); resize it to at most 40 megapixels",
    ),
    "image-damaged": (
        {**lesson("![Broken](broken.png)\n"), "lessons/broken.png": b"\x89PNG\r\n\x1a\nnot really"},
        "lessons/intro.md:4: error: image 'broken.png' cannot be read (a damaged or unsupported file?)",
    ),
    "symlink-out": (
        {**lesson("![Secret](link.svg)\n"), "lessons/link.svg": ("symlink", "../../outside/secret.svg")},
        "lessons/intro.md:4: error: image 'link.svg' is outside the course folder; copy it into the course and use a relative path",
    ),
    "symlinked-source": (
        {"lessons/extra.md": ("symlink", "../../outside/secret.txt")},
        "lessons/extra.md: error: the file lies outside the course folder (a link?); copy it in",
    ),
    # blocks and worksheets
    "unclosed-teacher": (
        lesson("::: teacher\nTip\n"),
        "lessons/intro.md:4: error: the '::: teacher' block is not closed: add a line ':::'",
    ),
    "bad-question": (
        {"handouts/worksheets/quiz.md": "---\ntitle: Quiz\n---\n? Pick.\n(x) A\n(x) B\n"},
        "handouts/worksheets/quiz.md:4: error: multiple-choice question has 2 correct answers: mark exactly one '(x)', or use '[x]' boxes for select-all",
    ),
    # existing PDFs
    "pdf-not-pdf": (
        {
            "handouts/poster.pdf": b"GIF89a not a pdf",
            "course.toml": COURSE_TOML.replace('"roles/*"]', '"roles/*", "handouts/poster.pdf"]'),
        },
        "handouts/poster.pdf: error: this is not a PDF file (it does not start with %PDF-)",
    ),
    "pdf-truncated": (
        {
            "handouts/poster.pdf": pdf_bytes()[:300],
            "course.toml": COURSE_TOML.replace('"roles/*"]', '"roles/*", "handouts/poster.pdf"]'),
        },
        "handouts/poster.pdf: error: the PDF is damaged or truncated and cannot be read",
    ),
    "pdf-too-many-pages": (
        {
            "handouts/poster.pdf": pdf_bytes(201),
            "course.toml": COURSE_TOML.replace('"roles/*"]', '"roles/*", "handouts/poster.pdf"]'),
        },
        "handouts/poster.pdf: error: the PDF has 201 pages; at most 200 can be bound into a packet",
    ),
    "pdf-missing": (
        {"course.toml": COURSE_TOML.replace('"roles/*"]', '"roles/*", "handouts/gone.pdf"]')},
        "handouts/gone.pdf: error: the PDF listed in course.toml does not exist",
    ),
    "pdf-outside": (
        {"course.toml": COURSE_TOML.replace('"roles/*"]', '"roles/*", "../outside/x.pdf"]')},
        "../outside/x.pdf: error: the file lies outside the course folder (a link?); copy it in",
    ),
    # course.toml
    "toml-duplicate-key": (
        {"course.toml": COURSE_TOML + 'title = "Again"\n'},
        "course.toml:12: error: not valid TOML: cannot overwrite a value",
    ),
    "toml-syntax": (
        {"course.toml": COURSE_TOML.replace('title = "Test Course"', "title = Test Course")},
        "course.toml:1: error: not valid TOML: invalid value",
    ),
    "toml-unknown-document": (
        {"course.toml": COURSE_TOML.replace('"intro"', '"intro", "intr"')},
        "course.toml:11: error: packet 'unit': no document matches 'intr' (did you mean 'intro'?)",
    ),
    "toml-unknown-key": (
        {"course.toml": 'papr = "a4"\n' + COURSE_TOML},
        "course.toml:1: error: unknown field 'papr' (did you mean 'paper'?)",
    ),
    "toml-bad-paper": (
        {"course.toml": 'paper = "legal"\n' + COURSE_TOML},
        "course.toml:1: error: 'paper' must be \"letter\" or \"a4\", not 'legal'",
    ),
    "toml-duplicate-packet": (
        {"course.toml": COURSE_TOML + '\n[[packets]]\nid = "unit"\ntitle = "Again"\ndocuments = ["intro"]\n'},
        "course.toml:14: error: packet id 'unit' is used twice",
    ),
    "duplicate-document-id": (
        {"handouts/intro.md": "---\ntitle: Another intro\n---\n"},
        "lessons/intro.md:1: error: document id 'intro' is also used by handouts/intro.md",
    ),
    "role-unknown-related": (
        {"handouts/roles/welder.md": ROLE.format(title="Welder", related="asembler")},
        "handouts/roles/welder.md:12: error: unknown related role 'asembler' (did you mean 'assembler'?)",
    ),
    # links and blocks that could leak or print as noise
    "file-link": (
        lesson("[Read this](file:///etc/passwd) Safe text.\n"),
        f"lessons/intro.md:4: error: the link 'file:///etc/passwd' is not allowed: {LINKS}",
    ),
    "javascript-link": (
        lesson("[Click](javascript:alert(1)) Safe text.\n"),
        f"lessons/intro.md:4: error: the link 'javascript:alert(1)' is not allowed: {LINKS}",
    ),
    "entity-javascript-link": (
        lesson('<a href="java&#x09;script:alert(1)">x</a>\n'),
        "lessons/intro.md:4: error: the link 'java\\x09script:alert(1)' is not allowed",
    ),
    "data-link": (
        lesson("[x](data:text/html;base64," + "A" * 500 + ")\n"),
        "lessons/intro.md:4: error: the link 'data:text/html;base64,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA…' is not allowed",
    ),
    "climbing-link": (
        lesson('<a href="../../../../etc/passwd">passwd</a>\n'),
        f"lessons/intro.md:4: error: the link '../../../../etc/passwd' leads outside the course folder: {LINKS}",
    ),
    "absolute-link": (
        lesson("[x](/etc/passwd)\n"),
        "lessons/intro.md:4: error: the link '/etc/passwd' is an absolute path on this computer",
    ),
    "four-colon-unknown-block": (
        lesson(":::: exercise\nDo it.\n::::\n"),
        "lessons/intro.md:4: error: unknown block 'exercise'",
    ),
    "stray-block-close": (
        lesson("Text.\n\n:::\n"),
        "lessons/intro.md:6: error: this ':::' closes no block: remove it, or open the block above it",
    ),
    "unclosed-solution": (
        lesson(":::::: solution\nSECRET\n"),
        "lessons/intro.md:4: error: the ':::::: solution' block is not closed: add a line ':::' after it",
    ),
    "deep-yaml": (
        {"lessons/intro.md": "---\ntitle: Deep\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n"},
        "lessons/intro.md:3: error: nesting deeper than 12 (fields inside fields)",
    ),
    "deep-yaml-block": (
        {"lessons/intro.md": "---\ntitle: Deep\n" + "".join("  " * i + f"k{i}:\n" for i in range(20)) + "---\n"},
        "lessons/intro.md:16: error: nesting deeper than 12 (fields inside fields)",
    ),
    "deep-list": (
        lesson("Safe text.\n\n" + "".join("    " * i + "- level\n" for i in range(40))),
        "lessons/intro.md:19: error: nesting deeper than 12 (lists, quotes and blocks inside each other)",
    ),
    "deep-quote": (
        lesson("> " * 200 + "deep\n"),
        "lessons/intro.md:4: error: nesting deeper than 12 (lists, quotes and blocks inside each other)",
    ),
    "deep-html": (
        lesson("<div>" * 300 + "x" + "</div>" * 300 + "\n"),
        "lessons/intro.md:4: error: nesting deeper than 40",
    ),
    "deep-blocks": (
        lesson(
            "".join(f"{':' * (30 - i)} callout\n" for i in range(20))
            + "x\n"
            + "".join(f"{':' * (11 + i)}\n" for i in range(20))
        ),
        "lessons/intro.md:16: error: nesting deeper than 12 (blocks inside blocks)",
    ),
    "unknown-block-setting": (
        {"course.toml": COURSE_TOML + '\n[blocks]\nRubric = "x"\n'},
        "course.toml:14: error: block name 'Rubric' must be lower-case letters, digits and dashes",
    ),
}

SANITISED = {
    "script": lesson("<script>document.write('INJECTED')</script>\nSafe text.\n"),
    "style-import": lesson("<style>@import url(file:///etc/passwd); body { color: red }</style>\nSafe text.\n"),
    "style-attribute": lesson('<p style="background: url(http://169.254.169.254/)">Safe text.</p>\n'),
    "iframe": lesson('<iframe src="http://example.com/"></iframe>\nSafe text.\n'),
    "link-stylesheet": lesson('<link rel="stylesheet" href="http://example.com/x.css">\nSafe text.\n'),
    "base-href": lesson('<base href="file:///etc/">\nSafe text.\n'),
    "object-embed": lesson(
        '<object data="../../outside/secret.svg"></object><embed src="../../outside/secret.svg">\nSafe text.\n'
    ),
    "form": lesson('<form action="http://x"><input name="q"></form>\nSafe text.\n'),
    "jinja-body": lesson("Safe text. {{ config }} {% for x in range(9) %}{{ x }}{% endfor %}\n"),
    "jinja-title": {"lessons/intro.md": '---\ntitle: "{{ 7*7 }} Safe text."\n---\nBody.\n'},
    "long-word": lesson("Safe text. " + "Pneumonoultramicroscopicsilicovolcanoconiosis" * 12 + "\n"),
    "wide-table": lesson(
        "Safe text.\n\n| "
        + " | ".join(f"C{i}" for i in range(30))
        + " |\n|"
        + "---|" * 30
        + "\n| "
        + " | ".join("x" * 20 for _ in range(30))
        + " |\n"
    ),
    "pdf-javascript": {
        "handouts/poster.pdf": pdf_bytes(javascript=True),
        "course.toml": COURSE_TOML.replace('"roles/*"]', '"roles/*", "handouts/poster.pdf"]'),
        **lesson("Safe text.\n"),
    },
    "bom-crlf": {"lessons/intro.md": b"\xef\xbb\xbf---\r\ntitle: Introduction\r\n---\r\nSafe text.\r\n"},
}


def apply(root: Path, files: dict) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, tuple):
            path.unlink(missing_ok=True)
            path.symlink_to(content[1])
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def snapshot(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted((root / "build").rglob("*.pdf"))}


def assert_no_leak(root: Path) -> None:
    for path in (root / "build").rglob("*.pdf"):
        assert MARKER.encode() not in path.read_bytes()
        assert MARKER not in " ".join(pages_text(path))


SITE_FORBIDDEN = ("<script", "<iframe", "<object", "<embed", "<base", "<form", "<style", "javascript:", "file:")
SITE_FORBIDDEN += ("injected", "etc/passwd", "169.254", "example.com", MARKER.lower())


def assert_safe_site(root: Path) -> None:
    """The web edition: no script or active content, nothing fetched from elsewhere, nothing from outside."""
    site = root / "build" / "site"
    assert (site / "index.html").is_file()
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css"):
            text = path.read_text(encoding="utf-8").lower()
            for word in SITE_FORBIDDEN:
                assert word not in text, (path.name, word)
            assert not re.search(r"<[^>]*\son[a-z]+\s*=", text), path.name
            assert not re.search(r"\bsrc=\"(?!images/|thumbnails/)", text), path.name
            assert re.findall(r"<link\b[^>]*>", text) in ([], ['<link rel="stylesheet" href="site.css">'])
        elif path.is_file() and path.suffix != ".pdf":
            assert MARKER.encode() not in path.read_bytes()
    assert_no_leak(root)


@pytest.mark.parametrize("name", list(CASES))
def test_broken_input_gets_one_clear_message(case, capsys, name):
    root, _ = case
    files, message = CASES[name]
    before = snapshot(root)
    apply(root, files)
    code = main(["--course", str(root), "build", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    assert "Traceback" not in err
    assert message in err.splitlines() or any(line.startswith(message) for line in err.splitlines()), err
    assert snapshot(root) == before
    assert_no_leak(root)


@pytest.mark.parametrize("name", list(SANITISED))
def test_hostile_content_is_neutralised(case, capsys, name):
    root, _ = case
    apply(root, SANITISED[name])
    code = main(["--course", str(root), "build", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    text = " ".join(pages_text(root / "build/student/documents/intro.pdf"))
    assert "Safe text." in " ".join(text.split()) or "Safe text." in text
    assert "INJECTED" not in text and "etc/passwd" not in text
    assert_no_leak(root)
    if name.startswith("jinja"):
        assert "{{" in text and "49" not in text
    assert main(["--course", str(root), "export", "--site", "--jobs", "1", "--quiet"]) == 0
    assert_safe_site(root)
    if name.startswith("jinja"):
        page = (root / "build/site/intro.html").read_text()
        assert "{{" in page and "49" not in page
    if name == "pdf-javascript":
        assert "handouts/poster.pdf: note: removed 1 action run on opening (a printed packet cannot use it)" in out
        assert "handouts/poster.pdf: note: its pages are bound without tags; a screen reader cannot read them" in out


def test_a_second_build_at_the_same_time_is_refused(case, capsys):
    root, _ = case
    holder = (  # another process holds the lock, as a build does while it writes
        "import fcntl, sys; handle = open(sys.argv[1], 'w'); fcntl.lockf(handle, fcntl.LOCK_EX); "
        "print('locked', flush=True); sys.stdin.read()"
    )
    with subprocess.Popen(
        [sys.executable, "-c", holder, str(root / "build" / ".lock")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as other:
        assert other.stdout.readline() == "locked\n"
        code = main(["--course", str(root), "build"])
        other.stdin.close()
    assert code == 1
    assert (
        capsys.readouterr().err
        == f"coursepack: error: another build is writing to {root / 'build'}; wait for it to finish\n"
    )


def test_templates_never_see_outside_files_through_css(case, capsys):
    root, outside = case
    shutil.copytree(Path(__file__).resolve().parent.parent / "styles", root / "styles")
    with open(root / "styles" / "coursepack.css", "a") as css:
        css.write(
            f'\nbody {{ background: url("{outside / "secret.svg"}"); }}\n.band {{ background: url(http://169.254.169.254/x.png); }}\n'
        )
    code = main(["--course", str(root), "build", "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == 1
    found = [line for line in err.splitlines() if line.startswith("styles/coursepack.css:")]  # by check, at its line
    assert any("secret.svg', outside the course folder" in line for line in found), err
    assert any("http://169.254.169.254/x.png on the network" in line for line in found), err
    assert_no_leak(root)


HOSTILE_WORKSHEET = """\
---
title: Hostile Quiz
---
? Pick <script>document.write('INJECTED')</script> one [site](https://example.com) {points: 1}
(x) <span onclick="alert(1)">Safe text.</span>
( ) <iframe src="http://example.com/"></iframe> Other
( ) <object data="../../outside/secret.svg"></object> Third

? Fill in <style>@import url(file:///etc/passwd);</style> the [[BLANKANSWER]] here. {points: 1}

? Explain. {points: 2}
> SAMPLESECRET a model answer
Note: NOTESECRET only for the teacher
"""
REFUSED_WORKSHEET = """\
---
title: Refused Quiz
---
? Pick [one](javascript:alert(1)) {points: 1}
(x) <img src="http://169.254.169.254/x.png" alt="x"> A
( ) B
"""


def test_hostile_content_never_reaches_the_lms_cartridge(case, capsys):
    """Every hostile lesson above and a hostile worksheet, exported: no script, no outside file, no teacher text."""
    import html
    import re
    import zipfile

    root, _ = case
    body = "".join(
        files["lessons/intro.md"].split("---\n", 2)[2]
        for name, files in SANITISED.items()
        if name
        in (
            "script",
            "style-import",
            "style-attribute",
            "iframe",
            "link-stylesheet",
            "base-href",
            "object-embed",
            "form",
        )
    )
    apply(
        root,
        {
            "lessons/intro.md": LESSON_HEAD + body + "\n::: teacher\nTEACHERSECRET in a block.\n:::\n",
            "handouts/worksheets/quiz.md": HOSTILE_WORKSHEET,
            "course.toml": COURSE_TOML.replace('"roles/*"]', '"roles/*", "quiz"]'),
        },
    )
    apply(root, {"handouts/worksheets/refused.md": REFUSED_WORKSHEET})
    code = main(["--course", str(root), "export", "--lms", "--jobs", "1", "--quiet"])
    err = capsys.readouterr().err.splitlines()
    assert code == 1 and "internal error" not in " ".join(err) and not (root / "build/lms").exists()
    assert err[0].startswith("handouts/worksheets/refused.md:4: error: the link 'javascript:alert(1)' is not allowed")
    assert err[1].startswith("handouts/worksheets/refused.md:5: error: image 'http://169.254.169.254/x.png' is on the")
    (root / "handouts/worksheets/refused.md").unlink()
    code = main(["--course", str(root), "export", "--lms", "--jobs", "1", "--quiet"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, ""), err
    [cartridge] = (root / "build/lms").glob("*.imscc")
    with zipfile.ZipFile(cartridge) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert any(name.endswith(".xml") and b"BLANKANSWER" in data for name, data in files.items())  # in resprocessing
    for name, data in files.items():
        assert MARKER.encode() not in data
        if name.endswith(".pdf"):
            continue
        text = html.unescape(html.unescape(data.decode()))  # QTI carries HTML escaped once more
        for bad in (
            "<script",
            "<iframe",
            "<object",
            "<embed",
            "<form",
            "<style",
            "<link",
            "<base",
            "javascript:",
            "etc/passwd",
            "169.254",
            "INJECTED",
            "SAMPLESECRET",
            "NOTESECRET",
            "TEACHERSECRET",
            "secret.txt",
        ):
            assert bad not in text, (name, bad)
        assert not re.search(r"\son[a-z]+\s*=", text), name
        if name.endswith("assessment_qti.xml"):
            shown = text.split("<resprocessing>")[1:]
            assert all("BLANKANSWER" not in part.split("</resprocessing>")[1] for part in shown)
