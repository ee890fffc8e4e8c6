"""Installed from a wheel, coursepack carries its styles; a missing system library is one sentence."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from coursepack import environment

CHECKOUT = ("pyproject.toml", "README.md", "coursepack", "styles")


def build_wheel(tmp_path: Path) -> Path:
    """The wheel of a copy of the checkout, built by the project's own backend (as `pip install .` does)."""
    source, dist = tmp_path / "source", tmp_path / "dist"
    source.mkdir()
    for name in CHECKOUT:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(REPO / name, source / name)
    dist.mkdir()
    script = f"from setuptools import build_meta; build_meta.build_wheel({str(dist)!r})"
    subprocess.run([sys.executable, "-c", script], cwd=source, check=True, capture_output=True)
    (wheel,) = dist.glob("*.whl")
    return wheel


def test_the_wheel_carries_the_styles_and_checks_a_course_without_its_own(course, tmp_path):
    wheel = build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    styles = {
        f"coursepack/styles/{p.relative_to(REPO / 'styles').as_posix()}"
        for p in (REPO / "styles").rglob("*")
        if p.is_file()
    }
    assert styles <= names
    assert not {n for n in names if n.startswith("styles/")}  # inside the package, not a top-level folder
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "coursepack = coursepack.__main__:main" in entry_points

    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)  # a pure-Python wheel unpacked is its installed layout
    root = course()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed)}  # found before the checkout's editable install
    ran = subprocess.run(
        [sys.executable, "-m", "coursepack", "--course", str(root), "check"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert (ran.returncode, ran.stdout, ran.stderr) == (0, "3 documents and 1 packet: no problems found.\n", "")


def test_without_pango_a_build_says_one_sentence_with_the_install_line(course):
    """The probe stops before WeasyPrint is imported: neither its banner nor a traceback shows."""
    script = (
        "import sys\n"
        "from coursepack import environment\n"
        "real = environment.load\n"
        "environment.load = lambda library: None if library.name == 'Pango' else real(library)\n"
        "from coursepack.__main__ import main\n"
        "code = main()\n"
        "assert 'weasyprint' not in sys.modules\n"
        "sys.exit(code)\n"
    )
    root = course()
    ran = subprocess.run([sys.executable, "-c", script, "--course", str(root), "build"], capture_output=True, text=True)
    apt = "sudo apt-get install libpango-1.0-0" if shutil.which("apt-get") else "your package manager (libpango-1.0-0)"
    sentence = f"coursepack: error: this machine lacks Pango, which WeasyPrint draws with; install it with: {apt}"
    assert (ran.returncode, ran.stderr.splitlines()[-1:]) == (1, [sentence])
    assert "Traceback" not in ran.stderr and "WeasyPrint could not import" not in ran.stdout


def test_missing_libraries_are_named_together_and_subsetting_is_a_note(monkeypatch):
    absent = {"Pango", "PangoFT2", "HarfBuzz subsetting"}
    real = environment.load
    monkeypatch.setattr(environment, "load", lambda library: None if library.name in absent else real(library))
    monkeypatch.setattr(environment.shutil, "which", lambda name: "/usr/bin/apt-get")
    with pytest.raises(environment.MissingLibraries) as missing:
        environment.require_drawing_libraries()
    assert str(missing.value) == (
        "this machine lacks Pango and PangoFT2, which WeasyPrint draws with; "
        "install them with: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0"
    )
    assert environment.speed_notes() == [
        "note: fonts are written 2-4x slower without HarfBuzz subsetting; "
        "install it with: sudo apt-get install libharfbuzz-subset0"
    ]


def test_the_makefile_check_is_silent_where_everything_is_installed(capsys):
    """The machine running the tests draws with WeasyPrint, so it has every library (CI installs them)."""
    assert environment.main([]) == 0
    assert capsys.readouterr() == ("", "")
