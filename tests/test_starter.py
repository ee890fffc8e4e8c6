"""A teacher's first course: `coursepack new` writes one that builds as it is, and never over a folder in use."""

from __future__ import annotations

import re

from conftest import pages_text, squash

from coursepack.cli import main
from coursepack.schema import SETTINGS_FIELDS


def test_a_new_course_builds_as_it_is(tmp_path, capsys):
    folder = tmp_path / "my-course"
    assert main(["new", str(folder)]) == 0
    assert main(["--course", str(folder), "build", "--jobs", "1"]) == 0  # strict: not one warning
    capsys.readouterr()
    student = squash(" ".join(pages_text(folder / "build/student/week-1.pdf")))
    teacher = squash(" ".join(pages_text(folder / "build/teacher/week-1.pdf")))
    assert "Bring a padlock" in teacher and "Bring a padlock" not in student
    assert "personal protective equipment" in teacher and "Answer key" in teacher and "Answer key" not in student
    assert "Machine Operator" in student and "Safety Check" in student


def test_its_course_toml_shows_every_setting():
    from coursepack.starter import COURSE_TOML

    for key in (key for key in SETTINGS_FIELDS if key not in ("sectors", "pdfs", "blocks")):
        assert re.search(rf"^({key} =|\[{key}\]|\[\[{key}\]\])", COURSE_TOML, re.MULTILINE), key


def test_a_folder_in_use_is_never_written_over(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"coursepack: error: {tmp_path} is not an empty folder: give a new folder's name for the course\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
