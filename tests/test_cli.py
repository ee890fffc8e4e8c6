"""The command line on small courses: exit codes, messages, what is written and what is not."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import outline, pages_text, squash
from pypdf import PdfReader

from coursepack import events, report
from coursepack.cli import STOPPED, main
from coursepack.events import Event
from coursepack.output import CACHE, claim


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def made_lines(out: str) -> list[str]:
    """The PDFs a build without a terminal said it made, one line each: 'made student/unit.pdf (5 pages, 32 KiB)'."""
    lines = [line for line in out.splitlines() if line.startswith("made ")]
    found = [re.fullmatch(r"made (\S+) \((?:1 page|\d+ pages), \d+ KiB\)", line) for line in lines]
    assert all(found), lines
    return [match[1] for match in found]


def test_check_reports_three_mistakes_in_two_files(course, capsys):
    root = course(
        {
            "lessons/intro.md": "---\ntitel: Intro\n---\nText\n",
            "handouts/roles/welder.md": "---\ntitle: Welder\npathway: prodution\nsummary: S\nduties: [a]\nskills: [b]\n"
            "tools: [c]\neducation: {}\nenvironment: E\nrelated: [assembler]\nreflection: [q]\nlesson: 3\n---\nBody\n",
        }
    )
    code, out, err = run(capsys, "--course", root, "check")
    assert code == 1
    assert err.splitlines() == [
        "handouts/roles/welder.md:3: error: unknown pathway 'prodution' (did you mean 'production'?) (pathways are listed in course.toml)",
        "handouts/roles/welder.md:12: error: unknown field 'lesson' for a role",
        "lessons/intro.md:2: error: unknown field 'titel' (did you mean 'title'?) for a lesson",
        "3 problems found; nothing was written.",
    ]
    assert not (root / "build").exists()


def test_check_passes_and_lists(course, capsys):
    root = course()
    assert run(capsys, "--course", root, "check") == (0, "3 documents and 1 packet: no problems found.\n", "")
    code, out, _ = run(capsys, "--course", root, "list")
    assert code == 0
    assert "  intro                                lesson     Introduction" in out
    assert "  unit                 Unit One\n      intro\n      assembler\n      welder\n" in out


def test_usage_errors_exit_2(capsys, tmp_path):
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    assert run(capsys, "--course", tmp_path / "missing", "check")[0] == 2


def test_missing_course_toml_is_a_clear_error(tmp_path, capsys):
    assert run(capsys, "--course", tmp_path, "check") == (
        1,
        "",
        "course.toml: error: no course.toml here: is this a course folder?\n1 problem found; nothing was written.\n",
    )


def test_build_writes_both_editions_and_the_packet(course, capsys):
    root = course()
    code, out, err = run(capsys, "--course", root, "build", "--jobs", "1")
    assert (code, err) == (0, "")
    for edition in ("student", "teacher"):
        for name in ("intro", "welder", "assembler"):
            assert (root / "build" / edition / "documents" / f"{name}.pdf").is_file()
    student = squash(" ".join(pages_text(root / "build/student/unit.pdf")))
    teacher = squash(" ".join(pages_text(root / "build/teacher/unit.pdf")))
    assert "Secret teaching tip" not in student and "Students will name three sectors" not in student
    assert "Secret teaching tip" in teacher and "Students will name three sectors" in teacher
    assert "Factories turn raw materials into products." in student
    assert [(d, t) for d, t, _ in outline(root / "build/student/unit.pdf")] == [
        (0, "Unit One"),
        (1, "Contents"),
        (1, "Introduction"),
        (2, "Making things"),
        (1, "Assembler"),
        (1, "Welder"),
    ]
    assert "student/unit.pdf" in out and "pages" in out and "sheets (simplex)" in out


def test_clean_removes_the_output_coursepack_made(course, capsys):
    root = course()
    claim(root, root / "build")
    (root / "build" / "student").mkdir()
    assert run(capsys, "--course", root, "clean") == (0, f"removed {root / 'build'}\n", "")
    assert not (root / "build").exists()
    assert run(capsys, "--course", root, "clean") == (0, f"nothing to remove: {root / 'build'} does not exist\n", "")


def test_a_failed_build_leaves_earlier_pdfs_untouched(course, capsys):
    root = course()
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    before = {p: p.read_bytes() for p in (root / "build").rglob("*.pdf")}
    (root / "lessons/intro.md").write_text("---\ntitle: [broken\n---\n", encoding="utf-8")
    assert run(capsys, "--course", root, "build")[0] == 1
    assert {p: p.read_bytes() for p in (root / "build").rglob("*.pdf")} == before
    assert not [p for p in (root / "build").rglob("*.tmp")]


def test_strict_build_fails_on_a_warning_and_no_strict_writes(course, capsys):
    from conftest import ROLE

    long_role = ROLE.format(title="Welder", related="assembler") + "\n\n".join(["A long day on the job. " * 60] * 12)
    root = course({"handouts/roles/welder.md": long_role})
    code, _, err = run(capsys, "--course", root, "build", "--jobs", "1")
    assert code == 1
    assert "warning: the role sheet runs to" in err
    assert not (root / "build" / "student").exists()
    assert run(capsys, "--course", root, "build", "--no-strict", "--jobs", "1")[0] == 0
    assert (root / "build/student/documents/intro.pdf").is_file()


def test_no_traceback_for_internal_errors(course, capsys, monkeypatch):
    root = course()
    from coursepack import loading

    monkeypatch.setattr(loading, "load", lambda root: 1 / 0)
    code, out, err = run(capsys, "--course", root, "check")
    assert code == 1 and "Traceback" not in err
    assert (
        err
        == "coursepack: internal error: ZeroDivisionError('division by zero') (run again with --debug for details)\n"
    )
    assert main(["--course", str(root), "--debug", "check"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_builds_are_byte_identical(course, tmp_path, capsys):
    root = course()
    assert run(capsys, "--course", root, "--out", tmp_path / "a", "build", "--jobs", "1")[0] == 0
    assert run(capsys, "--course", root, "--out", tmp_path / "b", "build")[0] == 0
    first = sorted(Path(tmp_path / "a").rglob("*.pdf"))
    assert first
    for path in first:
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes(), path


def test_a_role_sheet_longer_than_two_pages_is_a_warning(course, capsys):
    from conftest import ROLE

    long_role = ROLE.format(title="Welder", related="assembler") + "\n\n".join(["A long day on the job. " * 60] * 12)
    root = course({"handouts/roles/welder.md": long_role})
    code, _, err = run(capsys, "--course", root, "build", "--jobs", "1")
    assert code == 1
    assert "handouts/roles/welder.md: warning: the role sheet runs to 5 pages; shorten it to fit on 2" in err


def test_a4_paper(course, capsys):
    from conftest import COURSE_TOML

    root = course({"course.toml": 'paper = "a4"\n' + COURSE_TOML})
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    from pypdf import PdfReader

    for path in (root / "build").rglob("*.pdf"):
        box = PdfReader(str(path)).pages[0].mediabox
        assert (round(box.width), round(box.height)) == (595, 842), path


def test_unchanged_pdfs_are_reused_and_changed_ones_rendered(course, capsys):
    root = course()
    code, out, _ = run(capsys, "--course", root, "build", "--jobs", "1")
    assert code == 0 and len(made_lines(out)) == 8
    before = {p: p.read_bytes() for p in (root / "build").rglob("*.pdf")}
    code, out, _ = run(capsys, "--course", root, "build", "--jobs", "1")
    assert code == 0 and f"in {root / 'build'}: up to date (0 rendered, 8 unchanged since the last build;" in out
    assert made_lines(out) == []
    with open(root / "lessons/intro.md", "a", encoding="utf-8") as lesson:
        lesson.write("\nOne more sentence.\n")
    code, out, _ = run(capsys, "--course", root, "build", "--jobs", "1")
    assert code == 0 and "(4 rendered, 4 unchanged since the last build;" in out and "up to date" not in out
    assert sorted(made_lines(out)) == [
        "student/documents/intro.pdf",
        "student/unit.pdf",
        "teacher/documents/intro.pdf",
        "teacher/unit.pdf",
    ]
    after = {p: p.read_bytes() for p in (root / "build").rglob("*.pdf")}
    changed = sorted(p.relative_to(root / "build").as_posix() for p in before if before[p] != after[p])
    assert changed == [
        "student/documents/intro.pdf",
        "student/unit.pdf",
        "teacher/documents/intro.pdf",
        "teacher/unit.pdf",
    ]
    assert "One more sentence." in " ".join(pages_text(root / "build/student/unit.pdf"))


def test_dates_only_from_source_date_epoch(course, capsys, monkeypatch, tmp_path):
    from pypdf import PdfReader

    root = course()
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    assert "/CreationDate" not in PdfReader(str(root / "build/student/unit.pdf")).metadata
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert run(capsys, "--course", root, "--out", tmp_path / "dated", "build", "--jobs", "1")[0] == 0
    assert PdfReader(str(tmp_path / "dated/student/unit.pdf")).metadata["/CreationDate"].startswith("D:20260101")


def test_problems_in_teacher_blocks_are_reported(course, capsys):
    root = course(
        {"lessons/intro.md": "---\ntitle: Intro\n---\nText.\n\n::: teacher\n::: bogus\n:::\n![Tip](missing.png)\n:::\n"}
    )
    code, _, err = run(capsys, "--course", root, "check")
    assert code == 1
    assert err.splitlines()[:2] == [
        "lessons/intro.md:7: error: unknown block 'bogus' (known blocks are listed in the README; add your own under [blocks] in course.toml)",
        "lessons/intro.md:9: error: image 'missing.png' not found",
    ]


def test_outlook_needs_a_source_and_related_is_optional(course, capsys):
    from conftest import ROLE

    role = ROLE.format(title="Welder", related="assembler").replace("related: [assembler]\n", "outlook: Grows fast.\n")
    root = course({"handouts/roles/welder.md": role})
    code, _, err = run(capsys, "--course", root, "check")
    assert (code, err.splitlines()[0]) == (
        1,
        "handouts/roles/welder.md:12: error: field 'outlook' needs 'outlook_source' naming where the figures come from",
    )


def test_footnotes_and_anchor_links_build_strictly_in_a_packet(course, capsys):
    body = "---\ntitle: Intro\n---\nSee [below](#making-things).[^1]\n\n## Making things\n\nText.\n\n[^1]: A note.\n"
    root = course({"lessons/intro.md": body, "lessons/second.md": body.replace("Intro", "Second")})
    assert run(capsys, "--course", root, "build", "--jobs", "1")[:3:2] == (0, "")


def test_render_py_with_a_bare_python_hands_over_to_the_venv_or_says_what_to_do(course, tmp_path):
    """`python render.py` with a Python lacking the libraries: the project's .venv takes over, else one sentence."""
    import shutil
    import subprocess
    import sys

    from conftest import REPO

    root = course()
    import os

    bare = [os.path.realpath(sys.executable), "-S"]  # the base Python, no site-packages: none of our libraries
    handed = subprocess.run(
        [*bare, str(REPO / "render.py"), "--course", str(root), "check"], capture_output=True, text=True
    )
    assert (handed.returncode, handed.stdout) == (0, "3 documents and 1 packet: no problems found.\n")
    alone = tmp_path / "alone"
    shutil.copytree(REPO / "coursepack", alone / "coursepack")
    shutil.copy(REPO / "render.py", alone / "render.py")
    said = subprocess.run([*bare, str(alone / "render.py"), "check"], capture_output=True, text=True)
    assert said.returncode == 1
    assert said.stderr.startswith(f"coursepack: error: this Python ({bare[0]}) lacks '")
    assert said.stderr.endswith(
        "run 'make packet' once in this folder (it sets up .venv), then run this command again\n"
    )


# ---------------------------------------------------------------- progress, summary, options, Ctrl-C


@dataclass(frozen=True)
class Made:
    """What the summary reads of an output, without building one."""

    path: str
    data: bytes
    pages: int
    documents: int = 0
    duplex: bool = False
    reused: bool = False
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def test_the_summary_counts_pages_sheets_and_sizes_and_says_what_was_made():
    outputs = [
        Made("student/documents/intro.pdf", bytes(2048), 3),
        Made("student/documents/welder.pdf", bytes(1024), 2, reused=True),
        Made("student/unit.pdf", bytes(10240), 7, documents=3, duplex=True),
        Made("teacher/unit.pdf", bytes(11264), 7, documents=3, reused=True),
    ]
    assert report.table(outputs) == [
        "student/unit.pdf                    7 pages     4 sheets (duplex)     3 documents       10 KiB  made",
        "teacher/unit.pdf                    7 pages     7 sheets (simplex)    3 documents       11 KiB  reused",
        "document PDFs (2)                   5 pages                                              3 KiB  1 made, 1 reused",
        "packets (2)                        14 pages    11 sheets                                21 KiB  1 made, 1 reused",
    ]
    assert report.closing(outputs, Path("build"), 2.0) == (
        "2 document PDFs and 2 packets in build (2 rendered, 2 unchanged since the last build; 2.0 s)"
    )
    reused = [Made(o.path, o.data, o.pages, o.documents, o.duplex, reused=True) for o in outputs]
    assert report.table(reused)[-1].endswith(" 21 KiB  2 reused")
    assert report.closing(reused, Path("build"), 0.04) == (
        "2 document PDFs and 2 packets in build: up to date (0 rendered, 4 unchanged since the last build; 0.0 s)"
    )


def test_live_progress_follows_the_events_and_shows_nothing_when_nothing_is_made(monkeypatch):
    idle = report.Live()
    idle(Event(events.PLANNED, total=8, count=0))
    idle(Event(events.REUSED, "student/unit.pdf", pages=5, size=100))
    assert idle.bars is None
    live = report.Live()
    live(Event(events.PLANNED, total=8, count=4))
    live(Event(events.REUSED, "student/documents/welder.pdf", pages=1, size=100))
    tasks = {task.description: task for task in live.bars.progress.tasks}
    assert (tasks["documents"].visible, tasks["PDFs"].visible) == (False, True)  # documents: once one is laid out
    live(Event(events.LAID_OUT, "lessons/intro.md", "teacher"))
    live(Event(events.MADE, "teacher/documents/intro.pdf", pages=1, size=100))
    assert (tasks["documents"].completed, tasks["documents"].visible) == (1, True)
    assert tasks["documents"].fields["detail"] == "lessons/intro.md (teacher)"
    assert (tasks["PDFs"].completed, tasks["PDFs"].total) == (2, 8)
    live(Event(events.WRITTEN, total=8))
    assert live.bars is None
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert (report.on_terminal(quiet=False), report.on_terminal(quiet=True)) == (True, False)


def test_the_command_line_starts_without_weasyprint_or_rich():
    loaded = "import sys, coursepack.cli; print(sorted({'weasyprint', 'rich', 'coursepack.build'} & set(sys.modules)))"
    assert subprocess.run([sys.executable, "-c", loaded], capture_output=True, text=True).stdout == "[]\n"


def test_jobs_must_be_a_whole_number_of_one_or_more(capsys):
    for jobs in ("0", "two", "-1"):
        with pytest.raises(SystemExit) as caught:
            main(["build", "--jobs", jobs])
        assert caught.value.code == 2
        assert f"argument --jobs: expected a whole number of 1 or more, not '{jobs}'" in capsys.readouterr().err


def test_ctrl_c_during_a_build_stops_with_130_and_leaves_no_pdf_half_written(course, capsys, monkeypatch):
    root = course()
    made = []

    def interrupt_at_the_third(event: Event) -> None:
        made.extend([event.path] if event.code == events.MADE else [])
        if len(made) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(report, "reporting", lambda live: contextlib.nullcontext(interrupt_at_the_third))
    assert run(capsys, "--course", root, "build", "--jobs", "1") == (130, "", STOPPED + "\n")
    assert {p.name for p in (root / "build").iterdir()} <= {".coursepack-output", CACHE, ".lock", "student", "teacher"}
    assert not [p for p in (root / "build").rglob("*.tmp")]
    for pdf in (root / "build").rglob("*.pdf"):
        assert PdfReader(str(pdf)).pages, pdf  # every PDF there is whole
    monkeypatch.undo()
    assert run(capsys, "--course", root, "build", "--jobs", "1", "--quiet")[0] == 0  # the lock was let go
    assert len(list((root / "build").rglob("*.pdf"))) == 8


def test_course_and_out_may_follow_the_command(course, capsys, tmp_path):
    root = course()
    assert main(["check", "--course", str(root)]) == 0
    assert "no problems found" in capsys.readouterr().out
    assert main(["list", "--course", str(tmp_path / "missing")]) == 2
    assert "the course folder" in capsys.readouterr().err


def test_a_fillable_packet_takes_no_paper_in_the_summary():
    outputs = [
        Made("student/unit.pdf", bytes(10240), 7, documents=3, duplex=True),
        Made("fillable/unit.pdf", bytes(20480), 7, documents=3, duplex=True),
    ]
    assert report.table(outputs) == [
        "student/unit.pdf                    7 pages     4 sheets (duplex)     3 documents       10 KiB  made",
        "fillable/unit.pdf                   7 pages       on screen           3 documents       20 KiB  made",
        "packets (2)                        14 pages     4 sheets                                30 KiB  2 made",
    ]
