"""The output folder: links are never followed, odd folders get one sentence, reuse only of files coursepack wrote."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import shutil
import time
from pathlib import Path

import pytest
from conftest import pages_text, squash

from coursepack.cli import main
from coursepack.errors import CoursepackError
from coursepack.output import CACHE, MARKER, claim, locked, read_manifest, reuse, write_atomic
from coursepack.pool import render_all

LINKED = "is a symbolic link; coursepack writes only into real folders it made: remove it"
CLEAN_LINKED = (
    "is a symbolic link; coursepack removes only real folders it made, so nothing was removed: remove the link itself"
)
SECRET = "Secret teaching tip"


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


# ---------------------------------------------------------------- links are never followed


def test_a_linked_folder_inside_the_output_folder_is_refused_and_not_written_through(course, capsys, tmp_path):
    root = course()
    claim(root, root / "build")
    victim = tmp_path / "victim"
    victim.mkdir()
    (root / "build" / "student").symlink_to(victim)
    code, _, err = run(capsys, "--course", root, "build", "--jobs", "1")
    assert (code, err) == (1, f"coursepack: error: {root / 'build' / 'student'} {LINKED}\n")
    assert list(victim.iterdir()) == []


def test_a_linked_lock_file_is_refused_and_its_target_kept(course, capsys, tmp_path):
    root = course()
    claim(root, root / "build")
    victim = tmp_path / "victim-file.txt"
    victim.write_text("precious\n")
    (root / "build" / ".lock").symlink_to(victim)
    code, _, err = run(capsys, "--course", root, "build", "--jobs", "1")
    assert (code, err) == (1, f"coursepack: error: {root / 'build' / '.lock'} {LINKED}\n")
    assert victim.read_text() == "precious\n"


def test_an_output_folder_that_is_a_link_is_refused(course, capsys, tmp_path):
    root = course()
    elsewhere = tmp_path / "elsewhere"
    claim(root, elsewhere)
    (root / "build").symlink_to(elsewhere)
    code, _, err = run(capsys, "--course", root, "build", "--jobs", "1")
    assert (code, err) == (1, f"coursepack: error: {root / 'build'} {LINKED}\n")
    assert sorted(p.name for p in elsewhere.iterdir()) == [MARKER]


def test_write_atomic_never_follows_a_link_on_the_way_or_at_the_target(tmp_path):
    out, victim = tmp_path / "out", tmp_path / "victim"
    out.mkdir()
    victim.mkdir()
    (victim / "unit.pdf").write_bytes(b"theirs")
    (out / "student").symlink_to(victim)
    with pytest.raises(CoursepackError) as error:
        write_atomic(out, "student/unit.pdf", b"ours")
    assert str(error.value) == f"{out / 'student'} {LINKED}"
    (out / "student").unlink()
    (out / "student").mkdir()
    (out / "student" / "unit.pdf").symlink_to(victim / "unit.pdf")
    with pytest.raises(CoursepackError) as error:
        write_atomic(out, "student/unit.pdf", b"ours")
    assert str(error.value) == f"{out / 'student' / 'unit.pdf'} {LINKED}"
    assert sorted(p.name for p in victim.iterdir()) == ["unit.pdf"]
    assert (victim / "unit.pdf").read_bytes() == b"theirs"
    assert [p.name for p in (out / "student").iterdir()] == ["unit.pdf"]  # no temporary file left


def test_the_lock_file_is_opened_without_truncating_it(course):
    root = course()
    claim(root, root / "build")
    (root / "build" / ".lock").write_text("kept\n")
    with locked(root, root / "build") as scratch:
        assert scratch == root / "build" / ".coursepack-tmp" and scratch.is_dir()
    assert (root / "build" / ".lock").read_text() == "kept\n"
    assert not scratch.exists()


# ---------------------------------------------------------------- odd output folders: one sentence each


def test_a_dangling_link_as_output_folder_is_refused_by_build_and_clean(course, capsys, tmp_path):
    root = course()
    (root / "build").symlink_to(tmp_path / "nowhere")
    code, _, err = run(capsys, "--course", root, "build")
    assert (code, err) == (1, f"coursepack: error: {root / 'build'} {LINKED}\n")
    code, out, err = run(capsys, "--course", root, "clean")
    assert (code, out, err) == (1, "", f"coursepack: error: {root / 'build'} {CLEAN_LINKED}\n")
    assert (root / "build").is_symlink() and not (tmp_path / "nowhere").exists()


def test_clean_refuses_a_link_to_a_folder_coursepack_made(course, capsys, tmp_path):
    root = course()
    elsewhere = tmp_path / "elsewhere"
    claim(root, elsewhere)
    (root / "build").symlink_to(elsewhere)
    code, out, err = run(capsys, "--course", root, "clean")
    assert (code, out, err) == (1, "", f"coursepack: error: {root / 'build'} {CLEAN_LINKED}\n")
    assert (elsewhere / MARKER).is_file()


@pytest.mark.parametrize(
    ("out", "reason"), [("course.toml/x", "not a directory"), ("/proc/x", "no such file or directory")]
)
def test_an_output_folder_that_cannot_be_made_is_one_sentence(course, capsys, out, reason):
    root = course()
    target = root / out
    code, _, err = run(capsys, "--course", root, "--out", target, "build")
    assert (code, err) == (
        1,
        f"coursepack: error: cannot make the output folder {target}: {reason}; choose another folder with --out\n",
    )
    assert run(capsys, "--course", root, "--out", target, "clean") == (
        0,
        f"nothing to remove: {target} does not exist\n",
        "",
    )


@pytest.mark.parametrize(
    "cache",
    [
        [],
        "text",
        None,
        {"folder": [], "files": {}},
        {"student/unit.pdf": {"key": "x", "sha256": "y"}},
        {"folder": "SELF", "files": []},
        {"folder": "SELF", "files": {"student/unit.pdf": []}},
        {"folder": "SELF", "files": {"student/unit.pdf": {"key": 1, "inode": "x", "pages": None}}},
    ],
)
def test_a_malformed_build_cache_is_read_as_empty(course, cache):
    root = course()
    out = root / "build"
    claim(root, out)
    if isinstance(cache, dict) and cache.get("folder") == "SELF":
        info = os.lstat(out)
        cache = {**cache, "folder": {"path": os.path.realpath(out), "device": info.st_dev, "inode": info.st_ino}}
    (out / CACHE).write_text(json.dumps(cache))
    manifest = read_manifest(out)
    assert all(isinstance(entry, dict) for entry in manifest.files.values())
    assert reuse(out, manifest.files, "student/unit.pdf", "x") is None


def test_a_build_over_a_malformed_cache_renders_everything(course, capsys):
    root = course()
    claim(root, root / "build")
    (root / "build" / CACHE).write_text("[]")
    code, out, err = run(capsys, "--course", root, "build", "--jobs", "1")
    assert (code, err) == (0, "")
    assert "(8 rendered, 0 unchanged since the last build;" in out


# ---------------------------------------------------------------- reuse only of the very file coursepack wrote


def spoof(build: Path, stamp: bool) -> None:
    """Put the teacher's packet in the student's place and make the cache vouch for it."""
    shutil.copyfile(build / "teacher/unit.pdf", build / "student/unit.pdf")
    manifest = json.loads((build / CACHE).read_text())
    entry = manifest["files"]["student/unit.pdf"]
    entry["sha256"] = hashlib.sha256((build / "student/unit.pdf").read_bytes()).hexdigest()
    if stamp:  # a careful forger records the new file's inode, size and time as well
        info = os.stat(build / "student/unit.pdf")
        entry.update(inode=info.st_ino, size=info.st_size, mtime_ns=info.st_mtime_ns)
    (build / CACHE).write_text(json.dumps(manifest))


@pytest.mark.parametrize("how", ["in place", "copied", "moved"])
def test_a_spoofed_build_cache_never_puts_an_unrendered_pdf_in_the_student_edition(course, capsys, how):
    root = course()
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    assert SECRET in squash(" ".join(pages_text(root / "build/teacher/unit.pdf")))
    spoof(root / "build", stamp=how != "in place")
    if how == "copied":
        shutil.copytree(root, root.with_name("shared"), symlinks=True)
        root = root.with_name("shared")
    elif how == "moved":
        root = root.rename(root.with_name("moved"))
    code, out, err = run(capsys, "--course", root, "build", "--jobs", "1")
    assert (code, err) == (0, "")
    expected = "(1 rendered, 7 unchanged" if how == "in place" else "(8 rendered, 0 unchanged"
    assert f"{expected} since the last build;" in out
    assert SECRET not in squash(" ".join(pages_text(root / "build/student/unit.pdf")))


# ---------------------------------------------------------------- workers stop only their own processes


def sleeper() -> None:
    time.sleep(60)


def echo(job: dict) -> str:
    return job["path"]


def test_render_all_leaves_the_callers_own_processes_alone(tmp_path):
    unrelated = multiprocessing.get_context("fork").Process(target=sleeper)
    unrelated.start()
    try:
        assert render_all(echo, [{"path": "a.pdf", "source": "lessons/a.md"}], 1, tmp_path) == ["a.pdf"]
        time.sleep(0.2)
        assert unrelated.is_alive()
    finally:
        unrelated.kill()
        unrelated.join()
