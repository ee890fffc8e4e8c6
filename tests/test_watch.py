"""watch: which changes count, what is rebuilt after each, problems printed as `check` prints them, Ctrl-C.

The loop is fed change sets by the test (no waiting on the clock); one test drives watchfiles itself,
synchronised by the empty batch it yields when nothing has happened yet.
"""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from conftest import LESSON

from coursepack import watch
from coursepack.cli import STOPPED, main


@pytest.mark.parametrize(
    ("relative", "counts"),
    [
        ("lessons/intro.md", True),
        ("course.toml", True),
        ("styles/coursepack.css", True),
        ("build-notes/plan.md", True),  # a folder whose name starts like the output folder's
        ("build", False),
        ("build/student/unit.pdf", False),
        ("build/.coursepack-cache.json", False),
        ("lessons/.intro.md.swp", False),
        ("lessons/4913", False),
        ("lessons/intro.md~", False),
        ("lessons/.#intro.md", False),
        ("lessons/#intro.md#", False),
        ("lessons/intro.md___jb_tmp___", False),
        ("handouts/.goutputstream-X1Y2Z3", False),
        ("handouts/~$sheet.docx", False),
        ("handouts/.~lock.sheet.odt#", False),
        (".git/index", False),
        (".venv/lib/python3.11/site.py", False),
        ("lessons/__pycache__/x.pyc", False),
        ("", False),
    ],
)
def test_changes_that_count_are_the_course_files_not_the_output_or_editors_temporary_files(tmp_path, relative, counts):
    files = watch.CourseFiles(tmp_path, tmp_path / "build")
    assert files(None, str(tmp_path / relative)) is counts


def test_changes_outside_the_course_or_in_an_output_folder_elsewhere_do_not_count(tmp_path):
    files = watch.CourseFiles(tmp_path / "course", tmp_path / "pdfs")
    assert files(None, str(tmp_path / "course/lessons/intro.md"))
    assert not files(None, str(tmp_path / "pdfs/student/unit.pdf"))
    assert not files(None, str(tmp_path / "elsewhere/intro.md"))


def test_watchfiles_reports_a_saved_lesson_but_not_the_output_folder_or_a_swap_file(course):
    root = course()
    (root / "build").mkdir()
    stop = threading.Event()
    changes = watch.batches(root, root / "build", stop_event=stop)
    assert next(changes) == []  # nothing has happened yet: the watcher is in place
    (root / "build/unit.pdf").write_bytes(b"%PDF-")
    (root / "lessons/.intro.md.swp").write_bytes(b"vim")
    (root / "lessons/intro.md").write_text(LESSON + "\nOne more sentence.\n", encoding="utf-8")
    batch = next(changes)
    for _ in range(100):  # a bound, not a clock: each empty batch is one quiet tenth of a second
        if batch:
            break
        batch = next(changes)
    assert batch == ["lessons/intro.md"]
    stop.set()
    assert list(changes) == []


def test_watch_rebuilds_what_each_change_reaches_prints_problems_and_goes_on_until_ctrl_c(course, capsys, monkeypatch):
    root = course()
    lesson = root / "lessons/intro.md"

    def saves(root: Path, out: Path):
        yield []  # the watcher is in place
        lesson.write_text(LESSON + "\nOne more sentence.\n", encoding="utf-8")
        yield ["lessons/intro.md"]
        lesson.write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
        yield ["lessons/intro.md"]
        yield []  # a quiet moment: nothing to build
        (root / "handouts/roles/welder.md").write_text(
            (root / "handouts/roles/welder.md").read_text(encoding="utf-8") + "\nA new paragraph.\n", encoding="utf-8"
        )
        lesson.write_text(LESSON, encoding="utf-8")
        yield ["handouts/roles/welder.md", "lessons/intro.md"]
        raise KeyboardInterrupt  # Ctrl-C while waiting for the next save

    monkeypatch.setattr(watch, "batches", saves)
    code = main(["--course", str(root), "watch", "--jobs", "1"])
    captured = capsys.readouterr()
    out = re.sub(r"\(\d+\.\d s\)", "(… s)", captured.out).replace(str(root), "COURSE")
    waiting = "watching COURSE for changes (Ctrl-C to stop)"
    pdfs = [
        f"COURSE/build/{edition}/{name}.pdf"
        for edition in ("student", "teacher")
        for name in ("documents/intro", "unit")
    ]
    welder = [f"COURSE/build/{edition}/documents/welder.pdf" for edition in ("student", "teacher")]
    assert out.splitlines() == [
        *sorted(
            f"COURSE/build/{edition}/{name}.pdf"
            for edition in ("student", "teacher")
            for name in ("documents/assembler", "documents/intro", "documents/welder", "unit")
        ),
        "8 PDFs updated, 0 unchanged (… s)",
        waiting,
        "changed: lessons/intro.md",
        *pdfs,
        "4 PDFs updated, 4 unchanged (… s)",
        waiting,
        "changed: lessons/intro.md",
        waiting,
        "changed: handouts/roles/welder.md, lessons/intro.md",
        *sorted(pdfs + welder),
        "6 PDFs updated, 2 unchanged (… s)",
        waiting,
    ]
    assert captured.err.splitlines() == [
        "lessons/intro.md:2: error: the front matter is not valid YAML: expected ',' or ']', but got '<stream end>'",
        "1 problem found; nothing was written.",
        STOPPED,
    ]
    assert code == 130
