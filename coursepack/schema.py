"""Field rules per document kind, declared once as data, and the checks that apply them."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from .blocks import kinds_from_settings
from .errors import Problem
from .fields import (
    FieldProblem,
    describe,
    flag,
    list_or_record,
    number,
    onet_code,
    record,
    record_list,
    text,
    text_list,
    unknown_field,
    version_count,
)
from .model import Source
from .tomllines import locate
from .versions import MAX_VERSIONS

TERMS = record_list(record({"term": text, "definition": text}, required=("term", "definition")))
EDUCATION = record(
    {
        "high_school": text_list,
        # one list, or grouped by when a student can earn them: in high school, or later
        "credentials": list_or_record({"in_high_school": text_list, "later": text_list}),
        "apprenticeship": text,
        "two_year": text,
        "four_year": text,
    }
)

COMMON = {"kind": text, "title": text, "subtitle": text, "summary": text, "language": text}
READING = {
    **COMMON,
    "lesson": number,
    "duration": text,
    "objectives": text_list,
    "materials": text_list,
    "vocabulary": TERMS,
    # as Carpentries episodes write them: minutes, and the questions and key points boxes
    "teaching": number,
    "exercises": number,
    "questions": text_list,
    "keypoints": text_list,
}
KINDS: dict[str, dict[str, Any]] = {
    "lesson": {"fields": READING, "required": ("title",)},
    "overview": {"fields": READING, "required": ("title",)},
    "role": {
        "fields": {
            **COMMON,
            "pathway": text,
            "onet": onet_code,
            "sectors": text_list,
            "duties": text_list,
            "skills": text_list,
            "tools": text_list,
            "education": EDUCATION,
            "environment": text,
            "related": text_list,
            "reflection": text_list,
            "try_it": text,
            "outlook": text,
            "outlook_source": text,
        },
        "required": (
            "title",
            "pathway",
            "summary",
            "duties",
            "skills",
            "tools",
            "education",
            "environment",
            "reflection",
        ),
    },
    "worksheet": {
        "fields": {
            **COMMON,
            "lesson": text,
            "instructions": text,
            "key": flag,
            "self_assessment": flag,
            "versions": version_count,
            "fillable": flag,
        },
        "required": ("title",),
    },
    "handout": {"fields": COMMON, "required": ("title",)},
}
FOLDER_KINDS = {"lessons": "lesson", "handouts/roles": "role", "handouts/worksheets": "worksheet"}


def default_kind(path: str) -> str:
    """The kind a file's folder gives it: lessons/ → lesson, handouts/roles/ → role, …"""
    parent = PurePosixPath(path).parent.as_posix()
    for folder, kind in FOLDER_KINDS.items():
        if parent == folder or parent.startswith(folder + "/"):
            return kind
    return "handout"


def validate(source: Source) -> tuple[str, dict[str, Any], list[Problem]]:
    """Check a source's front matter against its kind; return kind, typed fields, problems."""
    problems: list[Problem] = []

    def report(key: tuple, message: str) -> None:
        problems.append(Problem(source.path, source.line_of(*key), message))

    kind = default_kind(source.path)
    if "kind" in source.meta:
        wanted = source.meta["kind"]
        if isinstance(wanted, str) and wanted in KINDS:
            kind = wanted
        else:
            report(("kind",), f"unknown kind {describe(wanted)} (use one of: {', '.join(KINDS)})")
    rules = KINDS[kind]
    meta: dict[str, Any] = dict.fromkeys(rules["fields"])
    suggested = set()
    for name, value in source.meta.items():
        check = rules["fields"].get(name)
        if check is None:
            message = unknown_field(name, rules["fields"])
            suggested.update(difflib.get_close_matches(name, list(rules["fields"]), n=1, cutoff=0.55))
            report((name,), f"{message} for a {kind}")
            continue
        try:
            meta[name] = check(value)
        except FieldProblem as problem:
            report((name, *problem.key), f"field '{name}' {problem.message}")
    for name in rules["required"]:
        if name not in source.meta and name not in suggested:
            line = source.body_line - 1
            problems.append(Problem(source.path, line, f"missing required field '{name}' for a {kind}"))
    if meta.get("outlook") and not meta.get("outlook_source"):
        report(("outlook",), "field 'outlook' needs 'outlook_source' naming where the figures come from")
    return kind, meta, problems


PACKET_FIELDS = ("id", "title", "documents", "duplex", "versions", "start")
STARTS = ("right", "any")  # where a duplex packet's documents start: a right-hand page, or the next page
SETTINGS_FIELDS = (
    "title",
    "subtitle",
    "teacher",
    "school",
    "paper",
    "language",
    "duplex",
    "large_print",
    "fillable",
    "versions",
    "pathways",
    "sectors",
    "packets",
    "pdfs",
    "blocks",
)
PAPERS = ("letter", "a4")
PDF_FIELDS = ("title", "password", "scale")


def toml_line(text: str, *path: str | int) -> int | None:
    """The line of course.toml where ``path`` (keys and array indexes) is written, or its nearest parent.

    ``toml_line(text, "packets", 1, "title")``: the second packet's title, else its [[packets]] line.
    """
    return locate(text).line(*path)


def packet_entry_line(text: str, spec: dict[str, Any], entry: str) -> int | None:
    """The line of a packet's ``documents`` entry (a packet from validate_settings)."""
    return toml_line(text, "packets", spec["index"], "documents", spec["documents"].index(entry))


def validate_settings(data: dict[str, Any], text: str) -> tuple[dict[str, Any], list[Problem]]:
    """Check course.toml: known keys and types, packets with ids, titles and documents."""
    problems: list[Problem] = []

    def report(where: tuple | str, message: str) -> None:
        """At the line of a path of keys, or of the first key or table called ``where``."""
        line = locate(text).line(*where) if isinstance(where, tuple) else locate(text).key_line(where)
        problems.append(Problem("course.toml", line, message))

    for key in data:
        if key not in SETTINGS_FIELDS:
            report((key,), unknown_field(key, SETTINGS_FIELDS))
    settings: dict[str, Any] = {
        "title": "",
        "subtitle": "",
        "teacher": "",
        "school": "",
        "paper": "letter",
        "language": "en-US",
        "duplex": False,
        "large_print": False,
        "fillable": False,
        "versions": 1,
        "pathways": {},
        "sectors": {},
        "packets": [],
        "pdfs": {},
    }
    for key in ("title", "subtitle", "teacher", "school", "language"):
        if key in data:
            if isinstance(data[key], str):
                settings[key] = data[key].strip()
            else:
                report((key,), f"'{key}' must be text in quotes")
    if not settings["title"]:
        problems.append(Problem("course.toml", None, "missing 'title' (the course title)"))
    paper = data.get("paper", "letter")
    if not isinstance(paper, str) or paper.lower() not in PAPERS:
        report(("paper",), f'\'paper\' must be "letter" or "a4", not {paper!r}')
    else:
        settings["paper"] = paper.lower()
    for key in ("duplex", "large_print", "fillable"):
        if key in data:
            if isinstance(data[key], bool):
                settings[key] = data[key]
            else:
                report((key,), f"'{key}' must be true or false")
    settings["versions"] = whole_versions(data, ("versions",), report) or 1
    for table in ("pathways", "sectors"):
        value = data.get(table, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            wrong = [k for k, v in value.items() if not isinstance(v, str)] if isinstance(value, dict) else []
            report((table, *wrong[:1]), f'[{table}] must list ids with their names, e.g. production = "Production"')
        else:
            settings[table] = value
    settings["blocks"], block_problems = kinds_from_settings(data.get("blocks", {}))
    for needle, message in block_problems:
        report(("blocks", needle), message)
    pdfs = data.get("pdfs", {})
    if isinstance(pdfs, dict) and all(isinstance(v, dict) for v in pdfs.values()):
        settings["pdfs"] = pdfs
        for path, options in pdfs.items():
            for key in options:
                if key not in PDF_FIELDS:
                    report(("pdfs", path, key), f'[pdfs."{path}"]: {unknown_field(key, PDF_FIELDS)}')
    else:
        report(("pdfs",), '[pdfs."handouts/file.pdf"] tables hold title and password of existing PDFs')
    packets = data.get("packets", [])
    if not isinstance(packets, list) or not packets:
        report(("packets",), "add at least one [[packets]] table with id, title and documents")
        packets = []
    seen = set()
    for index, packet in enumerate(packets):
        if not isinstance(packet, dict):
            report(("packets", index), "each packet is a [[packets]] table with id, title and documents")
            continue
        for key in packet:
            if key not in PACKET_FIELDS:
                report(("packets", index, key), f"packet: {unknown_field(key, PACKET_FIELDS)}")
        pid = packet.get("id")
        if not isinstance(pid, str) or not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", pid):
            report(("packets", index, "id"), f"packet id {pid!r} must be lower-case letters, digits and dashes")
            continue
        if pid in seen:
            problems.append(
                Problem("course.toml", toml_line(text, "packets", index, "id"), f"packet id '{pid}' is used twice")
            )
        seen.add(pid)
        if not isinstance(packet.get("title"), str) or not packet["title"].strip():
            report(("packets", index, "title"), f"packet '{pid}' needs a title")
        documents = packet.get("documents")
        if not isinstance(documents, list) or not documents or not all(isinstance(d, str) for d in documents):
            report(("packets", index, "documents"), f'packet \'{pid}\' needs documents = ["id", "roles/*", ...]')
            continue
        duplex = packet.get("duplex", settings["duplex"])
        if not isinstance(duplex, bool):
            report(("packets", index, "duplex"), f"packet '{pid}': 'duplex' must be true or false")
            duplex = False
        settings["packets"].append(
            {
                "id": pid,
                "title": str(packet.get("title", pid)).strip(),
                "documents": documents,
                "duplex": duplex,
                "index": index,
                "versions": whole_versions(packet, ("packets", index, "versions"), report),
                "start": start_of(packet, pid, ("packets", index, "start"), report),
            }
        )
    return settings, problems


def start_of(table: dict[str, Any], pid: str, where: tuple, report: Callable[[tuple, str], None]) -> str:
    """Where a packet's documents start ("right" unless written); reported when it is neither."""
    value = table.get("start", "right")
    if value not in STARTS:
        report(
            where,
            f'packet \'{pid}\': start must be "right" (each document on a right-hand page) or "any", not {value!r}',
        )
        return "right"
    return value


def whole_versions(table: dict[str, Any], where: tuple, report: Callable[[tuple, str], None]) -> int | None:
    """A ``versions`` setting (1 to 26: A to Z), None when it is not written; reported when it is wrong."""
    value = table.get("versions")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_VERSIONS:
        report(where, f"'versions' must be a whole number from 1 to {MAX_VERSIONS} (versions A, B, …), not {value!r}")
        return None
    return value
