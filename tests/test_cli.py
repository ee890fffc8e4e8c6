"""The command line on small courses: exit codes, messages, what is written and what is not."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import outline, pages_text, squash

from coursepack.cli import main
from coursepack.output import claim


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


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
    from coursepack import build

    monkeypatch.setattr(build, "load", lambda root: 1 / 0)
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
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    before = {p: p.read_bytes() for p in (root / "build").rglob("*.pdf")}
    code, out, _ = run(capsys, "--course", root, "build", "--jobs", "1")
    assert code == 0 and "(0 rendered, 8 unchanged since the last build;" in out
    with open(root / "lessons/intro.md", "a", encoding="utf-8") as lesson:
        lesson.write("\nOne more sentence.\n")
    code, out, _ = run(capsys, "--course", root, "build", "--jobs", "1")
    assert code == 0 and "(4 rendered, 4 unchanged since the last build;" in out
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
