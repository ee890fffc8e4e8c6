"""The web edition (``export --site``): every document a page, an index, nothing from outside, no script,
no teacher text, the same bytes twice, and only what changed written again."""

from __future__ import annotations

import hashlib
import re
import shutil
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

from PIL import Image

from coursepack import publish
from coursepack.cli import main

REPO = Path(__file__).resolve().parent.parent
WORKSHEET = """\
---
title: Tools Check
lesson: intro
---
## Part A

? The [[lathe]] spins the [[work]].

? Pick one
(x) steel
( ) water

? Why do welders wear masks?
> SECRETSAMPLE because of the bright arc.

::: teacher
SECRETNOTE: collect these on Friday.
:::
"""


class Page(HTMLParser):
    """What the tests read in a page: links, sources, headings, controls, labels, scripts, attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.headings: list[int] = []
        self.controls: list[dict[str, str | None]] = []
        self.labels: set[str] = set()
        self.ids: set[str] = set()
        self.tags: set[str] = set()
        self.events: list[str] = []
        self.lang = ""
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.add(tag)
        self.events += [name for name in found if name.startswith("on")]
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if tag == "html":
            self.lang = str(found.get("lang") or "")
        if tag == "title":
            self._in_title = True
        for name in ("href", "src"):
            if found.get(name):
                self.links.append(str(found[name]))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("input", "textarea", "select"):
            self.controls.append(found)
        if tag == "label" and found.get("for"):
            self.labels.add(str(found["for"]))

    def handle_endtag(self, tag: str) -> None:
        self._in_title = self._in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_every_document_has_a_page_the_index_links_with_its_pdfs_and_thumbnail(bundled_site):
    documents = sorted(p.stem for p in (REPO / "lessons").glob("*.md")) + sorted(
        p.stem for p in (REPO / "handouts").rglob("*.md")
    )
    pages = sorted(p.stem for p in bundled_site.glob("*.html") if p.name != "index.html")
    assert pages == sorted(documents) and len(pages) == 26
    index = read_page(bundled_site / "index.html")
    for doc in documents:
        for link in (
            f"{doc}.html",
            f"pdf/student/documents/{doc}.pdf",
            f"pdf/large-print/documents/{doc}.pdf",
            f"thumbnails/{doc}.png",
        ):
            assert link in index.links, link
    assert "pdf/student/full-course.pdf" in index.links
    worksheets = sorted(p.stem for p in (REPO / "handouts" / "worksheets").glob("*.md"))
    assert worksheets and all(f"pdf/fillable/documents/{doc}.pdf" in index.links for doc in worksheets)
    assert "pdf/fillable/documents/vocabulary.pdf" in read_page(bundled_site / "vocabulary.html").links
    assert index.title == "Exploring the Manufacturing Career Cluster" and index.lang == "en-US"
    html = (bundled_site / "index.html").read_text()
    assert "A two-week unit for career and technical education" in html
    assert re.search(r"<h2 id=\"group-\d+\">Lesson 2: On the Production Floor</h2>", html)
    assert html.index(">Lesson 1: What Is Manufacturing?</h2>") < html.index(">Manufacturing Vocabulary<")
    assert html.index(">Manufacturing Vocabulary<") < html.index(">Lesson 2: On the Production Floor</h2>")


def test_every_link_is_relative_and_leads_to_a_file_of_the_site(bundled_site):
    for path in bundled_site.glob("*.html"):
        page = read_page(path)
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https", "mailto"):
                assert path.name != "index.html" and link.startswith(("https://", "http://", "mailto:"))
                continue  # a citation's web address, written in the source: a link, never a resource
            assert not parts.scheme and not parts.netloc and not link.startswith("/"), (path.name, link)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file() and target.is_relative_to(bundled_site.resolve()), (path.name, link)
            if parts.fragment and target.suffix == ".html":
                assert parts.fragment in read_page(target).ids, (path.name, link)


def test_pages_are_semantic_labelled_and_without_script(bundled_site):
    css = (bundled_site / "site.css").read_text()
    assert "url(" not in css and "@import" not in css
    for path in bundled_site.glob("*.html"):
        page = read_page(path)
        text = path.read_text()
        assert "<script" not in text.lower() and "javascript:" not in text.lower() and not page.events, path.name
        assert page.lang == "en-US" and page.title, path.name
        assert page.headings[0] == 1 and page.headings.count(1) == 1, path.name
        assert all(b - a <= 1 for a, b in zip(page.headings, page.headings[1:], strict=False)), path.name
        assert {"header", "nav", "main", "footer"} <= page.tags, path.name
        assert 'href="#main"' in text and 'id="main"' in text
        assert all("scope=" in cell for cell in re.findall(r"<th(?:\s[^>]*)?>", text)), path.name
        for control in page.controls:
            assert control.get("name"), (path.name, control)
            assert control.get("aria-label") or control.get("id") in page.labels, (path.name, control)
        names = [c["name"] for c in page.controls if c.get("type") != "radio" and c.get("type") != "checkbox"]
        assert len(names) == len(set(names)), path.name
    sheet = read_page(bundled_site / "match-the-role.html")
    kinds = {(c.get("type") or "select") for c in sheet.controls}
    assert {"text", "radio", "select"} <= kinds


def test_the_site_holds_nothing_for_teachers_only(bundled_site):
    for name, data in site_files(bundled_site).items():
        if name.startswith("pdf/"):
            assert name.startswith(("pdf/student/", "pdf/large-print/", "pdf/fillable/")) and "/version-" not in name
        elif name.endswith(".html"):
            text = data.decode()
            for mark in ("teacher-only", "answer-list", "Answer key", "Teacher edition", 'class="correct'):
                assert mark not in text, (name, mark)
            assert not re.search(r"<(input|option)\b[^>]*\b(checked|selected)\b", text), name  # no answer filled in


def test_thumbnails_are_small_pngs_of_the_first_page(bundled_site):
    for path in (bundled_site / "thumbnails").glob("*.png"):
        image = Image.open(BytesIO(path.read_bytes()))
        assert image.format == "PNG" and image.width == 240 and 300 < image.height < 320
        assert len(image.getcolors(256) or []) > 8  # not blank
        assert path.stat().st_size < 20_000


def test_a_second_export_writes_nothing_and_an_edit_rewrites_only_what_it_reaches(course, capsys, tmp_path):
    root = course({"handouts/worksheets/tools.md": WORKSHEET})
    assert main(["--course", str(root), "export", "--site", "--jobs", "1", "--quiet"]) == 0
    first = capsys.readouterr().out
    assert re.search(
        r"site: 4 pages and an index, \d+ files \(\d+ written, 0 unchanged, 4 thumbnails drawn\)", first
    ), first
    before = {p: (root / "build/site" / p).stat().st_mtime_ns for p in site_files(root / "build/site")}
    assert main(["--course", str(root), "export", "--site", "--jobs", "1", "--quiet"]) == 0
    assert "site: up to date (4 pages" in capsys.readouterr().out
    welder = root / "handouts/roles/welder.md"
    welder.write_text(welder.read_text().replace("You arrive at seven", "You arrive at six"))
    assert main(["--course", str(root), "export", "--site", "--jobs", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    after = {p: (root / "build/site" / p).stat().st_mtime_ns for p in site_files(root / "build/site")}
    changed = sorted(p for p in after if after[p] != before.get(p))
    assert changed == [
        "pdf/student/documents/welder.pdf",
        "pdf/student/unit.pdf",
        "thumbnails/welder.png",
        "welder.html",
    ]
    assert "1 thumbnail drawn" in out
    assert "You arrive at six" in (root / "build/site/welder.html").read_text()


def test_a_document_taken_out_of_the_course_leaves_the_site(course, capsys):
    root = course({"handouts/worksheets/tools.md": WORKSHEET})
    assert main(["--course", str(root), "export", "--site", "--jobs", "1", "--quiet"]) == 0
    (root / "handouts/worksheets/tools.md").unlink()
    assert main(["--course", str(root), "export", "--site", "--jobs", "1", "--quiet"]) == 0
    assert "removed" in capsys.readouterr().out
    site = root / "build/site"
    assert not (site / "tools.html").exists() and not (site / "thumbnails/tools.png").exists()
    assert "tools.html" not in (site / "index.html").read_text()


def test_the_same_sources_give_the_same_bytes(course, tmp_path):
    root = course({"handouts/worksheets/tools.md": WORKSHEET})
    publish.export_site(root, tmp_path / "one", workers=1)
    publish.export_site(root, tmp_path / "two", workers=1)
    one, two = site_files(tmp_path / "one/site"), site_files(tmp_path / "two/site")
    assert len(one) >= 10
    assert {k: hashlib.sha256(v).hexdigest() for k, v in one.items()} == {
        k: hashlib.sha256(v).hexdigest() for k, v in two.items()
    }


def test_a_worksheet_is_a_form_without_its_answers_or_teacher_notes(course, tmp_path):
    root = course({"handouts/worksheets/tools.md": WORKSHEET})
    publish.export_site(root, tmp_path / "out", workers=1)
    site = tmp_path / "out/site"
    page = read_page(site / "tools.html")
    names = {str(c.get("name")) for c in page.controls}
    assert {"tools-q1-b1", "tools-q1-b2", "tools-q2", "tools-q3", "tools-name"} <= names
    for data in site_files(site).values():
        for secret in (b"SECRETSAMPLE", b"SECRETNOTE", b"lathe", b"Secret teaching tip"):
            assert secret not in data
    assert "Secret teaching tip" in (root / "lessons/intro.md").read_text()


def test_a_right_to_left_document_says_so(course, tmp_path):
    lesson = "---\ntitle: مقدمة\nlanguage: ar\n---\nالتصنيع يحول المواد الخام إلى منتجات.\n"
    root = course({"lessons/arabic.md": lesson})
    publish.export_site(root, tmp_path / "out", workers=1)
    assert '<html lang="ar" dir="rtl">' in (tmp_path / "out/site/arabic.html").read_text()
    assert '<html lang="en-US">' in (tmp_path / "out/site/index.html").read_text()


def test_a_course_s_own_templates_and_stylesheet_cannot_put_script_or_remote_files_in_the_site(course, capsys):
    root = course()
    shutil.copytree(REPO / "styles", root / "styles")
    page = root / "styles/templates/site/page.html"
    page.write_text(
        page.read_text().replace(
            "</main>", '</main><script>alert(1)</script><img src="https://x.example/t.png" alt="">'
        )
    )
    (root / "styles/site.css").write_text("body { background: url(https://x.example/b.png); }\n")
    assert main(["--course", str(root), "export", "--site", "--jobs", "1", "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "the web edition was not written" in err
    assert "intro.html: the web edition may not hold '<script' (no script)" in err
    assert "intro.html: the web edition loads only its own files, not 'https://x.example/t.png'" in err
    assert "site.css: the web edition's stylesheet may not load anything (no @import, no url())" in err
    assert not (root / "build/site").exists()


def test_export_without_a_form_to_export_is_a_usage_error(course, capsys):
    assert main(["--course", str(course()), "export"]) == 2
    assert capsys.readouterr().err == (
        "coursepack export: error: say what to export: --site (the web edition, in build/site/), "
        "--lms (a course cartridge for an LMS), or both\n"
    )


def test_images_are_copied_in_with_their_alt_text(course, tmp_path):
    picture = BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(picture, "PNG")
    lesson = "---\ntitle: Pictures\n---\n![A red bar on a white page](img/bar.png)\n\nSee it.\n"
    other = "---\ntitle: Again\n---\n![The same red bar](../lessons/img/bar.png)\n"
    root = course(
        {"lessons/pictures.md": lesson, "lessons/img/bar.png": picture.getvalue(), "handouts/again.md": other}
    )
    publish.export_site(root, tmp_path / "out", workers=1)
    site = tmp_path / "out/site"
    assert (site / "images/lessons/img/bar.png").read_bytes() == picture.getvalue()
    assert (
        '<img alt="A red bar on a white page" src="images/lessons/img/bar.png"' in (site / "pictures.html").read_text()
    )
    assert 'src="images/lessons/img/bar.png"' in (site / "again.html").read_text()
