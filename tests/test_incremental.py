"""What a rebuild remakes: each document laid out once, only what an edit reaches, nothing when nothing changed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from conftest import COURSE_TOML, LESSON, pages_text

from coursepack import build, events

WORKSHEET_PATH = "handouts/worksheets/sectors-check.md"
WORKSHEET = """\
---
title: Sectors Check
lesson: intro
---
## Part A

? Which sector builds cars? {points: 1}
(x) Automotive
( ) Textiles
"""


def built(root: Path, out: Path, jobs: int = 1) -> tuple[list[events.Event], list[build.Output]]:
    """Build, and return the events the pipeline emitted with the outputs."""
    seen: list[events.Event] = []
    outputs = build.build(root, out, strict=True, workers=jobs, report=seen.append)
    return seen, outputs


def laid_out(seen: list[events.Event]) -> list[str]:
    """Which sources were laid out, in which edition."""
    return sorted(f"{e.edition}: {e.path}" for e in seen if e.code == events.LAID_OUT)


def made(seen: list[events.Event]) -> list[str]:
    return sorted(e.path for e in seen if e.code == events.MADE)


def files(out: Path) -> dict[str, tuple[int, str]]:
    """Every file in an output folder: modification time and digest."""
    return {
        p.relative_to(out).as_posix(): (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_each_document_is_laid_out_once_per_edition(course, tmp_path):
    root = course({WORKSHEET_PATH: WORKSHEET})
    seen, outputs = built(root, tmp_path / "out")
    sources = ("lessons/intro.md", "handouts/roles/welder.md", "handouts/roles/assembler.md", WORKSHEET_PATH)
    each = [f"{edition}: {source}" for edition in ("student", "teacher") for source in sources]
    # and the lesson's teacher notes, which the teacher packet adds after its student pages
    assert laid_out(seen) == sorted([*each, "teacher: lessons/intro.md"])
    assert {e.total for e in seen if e.code == events.LAID_OUT} == {9}
    assert len(outputs) == 10  # four documents and a packet, in two editions
    assert made(seen) == sorted(o.path for o in outputs)


def test_a_build_with_nothing_changed_touches_nothing_and_says_so(course, tmp_path):
    root = course()
    out = tmp_path / "out"
    built(root, out)
    before = files(out)
    seen, outputs = built(root, out)
    assert [e.code for e in seen if e.code != events.REUSED] == [events.PLANNED]
    assert seen[0].count == 0 and all(o.reused for o in outputs)
    assert files(out) == before


def test_a_no_op_build_does_not_import_the_layout_engine(course, tmp_path):
    root = course()
    out = tmp_path / "out"
    built(root, out)
    code = (
        "import sys; from pathlib import Path; from coursepack import build; "
        f"build.build(Path({str(root)!r}), Path({str(out)!r})); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'jinja2', 'markdown')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_editing_a_worksheet_title_remakes_only_what_holds_it(course, tmp_path):
    toml = COURSE_TOML.replace('documents = ["intro", "roles/*"]', 'documents = ["intro", "sectors-check", "roles/*"]')
    root = course({WORKSHEET_PATH: WORKSHEET, "course.toml": toml})
    out = tmp_path / "out"
    built(root, out)
    path = root / WORKSHEET_PATH
    path.write_text(WORKSHEET.replace("Sectors Check", "Sectors Quiz"), encoding="utf-8")
    seen, _ = built(root, out)
    assert laid_out(seen) == [f"student: {WORKSHEET_PATH}", f"teacher: {WORKSHEET_PATH}"]
    assert made(seen) == [
        "student/documents/sectors-check.pdf",
        "student/unit.pdf",
        "teacher/documents/sectors-check.pdf",
        "teacher/unit.pdf",
    ]
    assert "Sectors Quiz" in " ".join(pages_text(out / "student/unit.pdf"))


def test_a_document_not_in_any_packet_remakes_no_packet(course, tmp_path):
    root = course({"course.toml": COURSE_TOML.replace('documents = ["intro", "roles/*"]', 'documents = ["roles/*"]')})
    out = tmp_path / "out"
    built(root, out)
    (root / "lessons/intro.md").write_text(LESSON + "\nOne more line.\n", encoding="utf-8")
    seen, _ = built(root, out)
    assert made(seen) == ["student/documents/intro.pdf", "teacher/documents/intro.pdf"]


def test_a_new_source_file_is_noticed(course, tmp_path):
    root = course()
    out = tmp_path / "out"
    built(root, out)
    (root / "lessons/second.md").write_text(LESSON.replace("Introduction", "Second"), encoding="utf-8")
    seen, outputs = built(root, out)
    assert "student/documents/second.pdf" in made(seen)
    assert laid_out(seen) == ["student: lessons/second.md", "teacher: lessons/second.md"]


def test_a_style_change_lays_everything_out_again(course, tmp_path):
    styles = Path(build.__file__).resolve().parent.parent / "styles"
    root = course()
    for source in styles.rglob("*"):
        if source.is_file():
            target = root / "styles" / source.relative_to(styles)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())
    out = tmp_path / "out"
    built(root, out)
    with open(root / "styles/coursepack.css", "a", encoding="utf-8") as css:
        css.write("\nh2 { letter-spacing: 0.01em; }\n")
    seen, outputs = built(root, out)
    assert len(laid_out(seen)) == 7 and len(made(seen)) == len(outputs) == 8  # six documents, a lesson's notes


def test_the_same_bytes_whatever_the_number_of_workers(course, tmp_path):
    root = course({WORKSHEET_PATH: WORKSHEET})
    built(root, tmp_path / "one", jobs=1)
    built(root, tmp_path / "two", jobs=2)
    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    digests = {path: digest for path, (_, digest) in one.items() if path.endswith((".pdf", ".part"))}
    assert digests and digests == {path: digest for path, (_, digest) in two.items() if path in digests}


def copy_styles(root: Path) -> None:
    """Give a course the bundled styles as its own, to edit."""
    styles = Path(build.__file__).resolve().parent.parent / "styles"
    for source in styles.rglob("*"):
        if source.is_file():
            target = root / "styles" / source.relative_to(styles)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())


def test_document_pdfs_are_written_before_any_packet_is_made(course, tmp_path):
    root = course()
    out = tmp_path / "out"
    present: dict[str, bool] = {}

    def seen(event: events.Event) -> None:
        if event.code == events.MADE and "/documents/" not in event.path:
            present[event.path] = all((out / e / "documents" / "intro.pdf").is_file() for e in ("student", "teacher"))

    build.build(root, out, strict=True, workers=1, report=seen)
    assert present == {"student/unit.pdf": True, "teacher/unit.pdf": True}


def test_warm_workers_set_type_afresh_when_the_styles_change(course, tmp_path):
    from coursepack.pool import Workers

    root = course()
    copy_styles(root)
    with Workers(1) as warm:
        build.build(root, tmp_path / "warm", strict=True, workers=warm)
        with open(root / "styles/coursepack.css", "a", encoding="utf-8") as css:
            css.write("\nh2 { letter-spacing: 0.2em; }\n")
        build.build(root, tmp_path / "warm", strict=True, workers=warm)
    build.build(root, tmp_path / "cold", strict=True, workers=1)
    warm, cold = files(tmp_path / "warm"), files(tmp_path / "cold")
    pdfs = [path for path in cold if path.endswith(".pdf")]
    assert pdfs and [warm[p][1] for p in pdfs] == [cold[p][1] for p in pdfs]


def test_check_after_a_build_reads_nothing_until_a_source_changes(course, tmp_path, capsys):
    from coursepack.cli import main

    root = course()
    out = root / "build"
    build.build(root, out, strict=True, workers=1)
    code = (
        "import sys; from coursepack.cli import main; "
        f"code = main(['--course', {str(root)!r}, 'check']); "
        "print(code, sorted(m for m in sys.modules if m.split('.')[0] in ('weasyprint', 'markdown', 'yaml')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.splitlines() == ["3 documents and 1 packet: no problems found.", "0 []"]
    (root / "lessons/intro.md").write_text(LESSON.replace("title: Introduction", "title: [broken"), encoding="utf-8")
    assert main(["--course", str(root), "check"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "lessons/intro.md:3: error: the front matter is not valid YAML: expected ',' or ']', but got ':'"
    )


def test_warm_workers_keep_their_fonts_from_one_build_to_the_next(course, tmp_path):
    from coursepack.pool import Workers

    root = course()
    out = tmp_path / "out"
    with Workers(1) as warm:
        for sentence in ("First addition.", "Second addition.", "Third addition."):
            (root / "lessons/intro.md").write_text(LESSON + f"\n{sentence}\n", encoding="utf-8")
            build.build(root, out, strict=True, workers=warm)  # a glyph drawn without its font would warn
            assert sentence in " ".join(pages_text(out / "student/documents/intro.pdf"))
    assert not (out / ".coursepack-workers").exists()
