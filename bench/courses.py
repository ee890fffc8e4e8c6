"""Course folders for the benchmark: a temporary copy of a course, the course repeated N times, a title edit.

Nothing here touches the course it copies: every change is made in the copy.
"""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

COURSE_PARTS = ("course.toml", "lessons", "handouts", "styles", "rosters")
SOURCE_FOLDERS = ("lessons", "handouts")
HEADER = re.compile(r"^\[\[?[A-Za-z\"]")  # a TOML table header: [table], [[array]], ["quoted"]
LARGE_PRINT = re.compile(r"^large_print\s*=.*$", re.MULTILINE)
TITLE = re.compile(r"^title:.*$", re.MULTILINE)
GLOB = re.compile(r"[*?\[]")


def copy_course(source: Path, dest: Path) -> Path:
    """Copy a course folder's settings, sources and styles (not its outputs) to ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in COURSE_PARTS:
        found = source / name
        if found.is_dir():
            shutil.copytree(found, dest / name)
        elif found.is_file():
            shutil.copy2(found, dest / name)
    return dest


def suffix(copy: int) -> str:
    """The id suffix of the ``copy``-th repetition (2, 3, …): ends in a digit, so originals' globs can skip it."""
    return f"-x{copy}"


def repeat_course(source: Path, dest: Path, times: int, large_print: bool | None = None) -> Path:
    """The course ``times`` over: every lesson and handout copied with a suffixed id, every packet too.

    Copy k of a document is ``<id>-x<k>.md`` beside the original, with the same front matter (its
    cross-references still point at the originals). Copy k of a packet lists copy k of each document;
    a glob such as ``roles/*`` becomes ``roles/*-x<k>`` in copy k and ``roles/*[!0-9]`` in the original,
    so that no packet grows with ``times``. ``large_print`` (when not None) overrides the setting.
    """
    copy_course(source, dest)
    for copy in range(2, times + 1):
        for folder in SOURCE_FOLDERS:
            for path in sorted((source / folder).rglob("*.md")):
                target = dest / path.relative_to(source).with_name(path.stem + suffix(copy) + ".md")
                shutil.copy2(path, target)
    text = (source / "course.toml").read_text(encoding="utf-8")
    packets = tomllib.loads(text).get("packets", [])
    kept = without_packets(text)
    if large_print is not None:
        setting = f"large_print = {'true' if large_print else 'false'}"
        kept = LARGE_PRINT.sub(setting, kept) if LARGE_PRINT.search(kept) else setting + "\n" + kept
    tables = [packet_toml(packet, copy) for copy in range(1, times + 1) for packet in packets]
    (dest / "course.toml").write_text(kept.rstrip() + "\n\n" + "\n".join(tables), encoding="utf-8")
    return dest


def without_packets(text: str) -> str:
    """A course.toml's text without its [[packets]] tables (everything else as written)."""
    kept, skipping = [], False
    for line in text.splitlines():
        if HEADER.match(line):
            skipping = line.strip() == "[[packets]]"
        if not skipping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def packet_toml(packet: dict, copy: int) -> str:
    """One [[packets]] table of copy ``copy`` (1: the original, its globs kept from matching the copies)."""
    entries = [entry_of(entry, copy) for entry in packet["documents"]]
    lines = ["[[packets]]"]
    lines.append(f"id = {quoted(packet['id'] + (suffix(copy) if copy > 1 else ''))}")
    lines.append(f"title = {quoted(packet['title'] + (f' (copy {copy})' if copy > 1 else ''))}")
    lines.append("documents = [" + ", ".join(quoted(entry) for entry in entries) + "]")
    lines += [f"{key} = {'true' if value else 'false'}" for key, value in packet.items() if isinstance(value, bool)]
    return "\n".join(lines) + "\n"


def entry_of(entry: str, copy: int) -> str:
    """A packet entry in copy ``copy``: an existing PDF as it is, an id or a glob suffixed."""
    if entry.lower().endswith(".pdf"):
        return entry
    if GLOB.search(entry):
        return entry + ("[!0-9]" if copy == 1 else suffix(copy))
    return entry if copy == 1 else entry + suffix(copy)


def quoted(text: str) -> str:
    """A TOML basic string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def set_title(path: Path, title: str) -> None:
    """Rewrite the ``title:`` line of a Markdown file's front matter (a save, as an editor makes it)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(TITLE.sub(f"title: {title}", text, count=1), encoding="utf-8")
