"""``export``: formats made from a finished build; ``--lms`` makes the course cartridge.

An export runs after the build (which makes or reuses every PDF it needs) and keys itself on the
build's record: the keys of its outputs already digest every source, setting, style and line of
coursepack's code they are made from. When that key is the one the last export recorded and its
file is still the very file written, nothing is loaded and nothing is written.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import record
from .output import Stamp, locked, read_json, read_manifest, read_written, remove_written, write_atomic
from .targets import Output

if TYPE_CHECKING:
    from .lms import Cartridge

RECORD = ".coursepack-export.json"  # what each export last wrote, beside the build's own record
FORMAT = "lms-1"  # raised when the cartridge's layout changes in a way the code digest would not show


@dataclass(frozen=True)
class Exported:
    """An export's file and what it holds, for the summary."""

    path: str
    size: int
    reused: bool
    summary: str


def lms_path(title: str) -> str:
    """Where a course's cartridge goes, below the output folder."""
    from .lms import slug

    return f"lms/{slug(title)}.imscc"


def inputs_key(out: Path) -> str:
    """The digest of every output the build recorded: the student editions a cartridge shows, and the
    teacher editions, whose keys also cover the answers a quiz holds (a new answer changes no student page)."""
    manifest = read_manifest(out)
    keys = [f"{path}={manifest.files.get(path, {}).get('key', '')}" for path in sorted(manifest.outputs)]
    return record.digest(FORMAT, *keys)


def read_record(out: Path) -> dict[str, Any]:
    """The last exports' record ({} when missing, unreadable or a link)."""
    found = read_json(out, RECORD)
    return found if isinstance(found, dict) else {}


def export_lms(root: Path, out: Path, outputs: list[Output]) -> Exported:
    """Write (or keep) the cartridge of the course the build in ``out`` just made."""
    key = inputs_key(out)
    last = read_record(out).get("lms")
    if isinstance(last, dict) and last.get("key") == key and isinstance(last.get("path"), str):
        stamp = Stamp.recorded(last)
        data = read_written(out, last["path"], stamp) if stamp else None
        if data is not None:
            return Exported(last["path"], len(data), True, str(last.get("summary", "")))
    from .lms import cartridge
    from .loading import load

    plan = load(root)
    pdfs = {output.path: output.data for output in outputs if output.path.startswith(("student/", "fillable/"))}
    made = cartridge(plan, pdfs)
    path = lms_path(plan.course.title)
    summary = describe(made)
    with locked(root, out):
        stamp = write_atomic(out, path, made.data)
        entry = {"key": key, "path": path, "summary": summary, **asdict(stamp)}
        kept = {name: value for name, value in read_record(out).items() if name != "lms"}
        write_atomic(out, RECORD, json.dumps({**kept, "lms": entry}, indent=1, sort_keys=True).encode())
        if isinstance(last, dict) and last.get("path") not in (None, path):  # the course was renamed
            old = Stamp.recorded(last)
            if old is not None and isinstance(last["path"], str):
                remove_written(out, last["path"], old)
    return Exported(path, len(made.data), False, summary)


NAMES = {
    "single": "multiple choice",
    "multiple": "select all",
    "truefalse": "true/false",
    "blank": "fill in the blank",
    "matching": "matching",
    "essay": "essay",
}


def describe(made: Cartridge) -> str:
    """What a cartridge holds, in one line: modules, pages, files, quizzes and questions by type."""
    from .report import plural

    kinds = made.questions
    questions = ", ".join(f"{kinds[name]} {NAMES[name]}" for name in NAMES if kinds[name])
    return (
        f"{plural(len(made.modules), 'module')}, {plural(made.count('page'), 'web page')}, "
        f"{plural(made.count('file'), 'PDF')}, {plural(made.count('quiz'), 'quiz', 'quizzes')} "
        f"({plural(sum(kinds.values()), 'item')}: {questions or 'none'})"
    )


def size_text(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1024:.0f} KiB"
