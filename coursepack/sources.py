"""Find and read course sources: UTF-8 text, YAML front matter, Markdown body."""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .model import Source

MAX_SOURCE_BYTES = 1_000_000
MAX_FRONT_MATTER_BYTES = 64_000
MAX_YAML_DEPTH = 12
SOURCE_FOLDERS = ("lessons", "handouts")
SAVE_AS_UTF8 = "save the file as UTF-8"


class SourceProblem(Exception):
    """A single problem that stops reading one file."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def find_sources(root: Path) -> list[Path]:
    """Every Markdown source under lessons/ and handouts/, in a stable order."""
    found = []
    for folder in SOURCE_FOLDERS:
        base = root / folder
        if base.is_dir():
            found += [p for p in base.rglob("*.md") if p.is_file()]
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def read_bytes(root: Path, relative: str, limit: int = MAX_SOURCE_BYTES) -> bytes:
    """Read a regular file inside the course folder, refusing links out and huge files."""
    path = root / relative
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise SourceProblem(None, "the file lies outside the course folder (a link?); copy it in")
    if not resolved.is_file():
        raise SourceProblem(None, "not a regular file")
    size = resolved.stat().st_size
    if size > limit:
        raise SourceProblem(None, f"the file is too large ({size / 1e6:.1f} MB; the limit is {limit / 1e6:g} MB)")
    return resolved.read_bytes()


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) to text with ``\\n`` line ends; else a clear problem."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SourceProblem(1, f"the file is UTF-16, not UTF-8: {SAVE_AS_UTF8}")
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise SourceProblem(
            line,
            f"column {column}: byte 0x{data[error.start]:02x} is not UTF-8 "
            f"(a file saved as Windows-1252 or Latin-1?): {SAVE_AS_UTF8}",
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise SourceProblem(line, f"the file contains NUL bytes (is it a binary file?): {SAVE_AS_UTF8}")
    return text.replace("\r\n", "\n").replace("\r", "\n")


@functools.lru_cache(maxsize=1024)
def split_front_matter(path: str, text: str) -> Source:
    """Split ``---`` YAML front matter from the Markdown body, keeping line numbers.

    Read once per process for the same text (watch reads again only what changed): the Source is shared.
    """
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise SourceProblem(1, "the file must start with front matter: a line '---', fields, then '---'")
    closing = [i for i, line in enumerate(lines) if i and line.strip() in ("---", "...")]
    if not closing:
        raise SourceProblem(1, "the front matter is not closed: add a line '---' after the last field")
    index = closing[0]
    yaml_text = "\n".join(lines[1:index])
    if len(yaml_text.encode()) > MAX_FRONT_MATTER_BYTES:
        raise SourceProblem(2, "the front matter is too large (the limit is 64 KB)")
    meta, positions = parse_yaml(yaml_text, first_line=2)
    if not isinstance(meta, dict):
        raise SourceProblem(2, "the front matter must be fields written as 'name: value'")
    return Source(path, meta, positions, "\n".join(lines[index + 1 :]), index + 2)


def parse_yaml(text: str, first_line: int = 1) -> tuple[Any, dict[tuple, int]]:
    """Parse YAML safely: strings only (no implicit types), no aliases, tags or duplicates.

    Returns the value and a map from key paths (``("education", "credentials", 0)``) to lines.
    """
    positions: dict[tuple, int] = {}
    try:
        events = iter(list(yaml.parse(text, Loader=yaml.SafeLoader)))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = first_line + mark.line if mark else first_line
        raise SourceProblem(line, f"the front matter is not valid YAML: {error.problem}") from None
    except yaml.YAMLError as error:
        raise SourceProblem(first_line, f"the front matter is not valid YAML: {error}") from None

    def line_of(event: yaml.Event) -> int:
        return first_line + event.start_mark.line

    def value(event: yaml.Event, path: tuple) -> Any:
        if len(path) > MAX_YAML_DEPTH:
            raise SourceProblem(line_of(event), f"nesting deeper than {MAX_YAML_DEPTH} (fields inside fields)")
        if isinstance(event, yaml.AliasEvent):
            raise SourceProblem(line_of(event), "YAML aliases (*name) are not allowed; write the value out")
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise SourceProblem(line_of(event), f"YAML tags ({tag}) are not allowed; remove the tag")
        if getattr(event, "anchor", None):
            raise SourceProblem(line_of(event), "YAML anchors (&name) are not allowed; write the value out")
        positions.setdefault(path, line_of(event))
        if isinstance(event, yaml.ScalarEvent):
            return None if event.style is None and event.value in ("", "~", "null") else event.value
        if isinstance(event, yaml.SequenceStartEvent):
            items: list[Any] = []
            while not isinstance(item := next(events), yaml.SequenceEndEvent):
                items.append(value(item, (*path, len(items))))
            return items
        if isinstance(event, yaml.MappingStartEvent):
            mapping: dict[str, Any] = {}
            while not isinstance(key_event := next(events), yaml.MappingEndEvent):
                if not isinstance(key_event, yaml.ScalarEvent):
                    raise SourceProblem(line_of(key_event), "a field name must be plain text")
                key = key_event.value
                if key in mapping:
                    raise SourceProblem(line_of(key_event), f"field '{key}' is given twice")
                positions[(*path, key)] = line_of(key_event)
                mapping[key] = value(next(events), (*path, key))
            return mapping
        raise SourceProblem(line_of(event), "unexpected YAML content")

    result: Any = None
    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            if result is not None:
                raise SourceProblem(line_of(event), "the front matter holds more than one YAML document")
            result = value(next(events), ())
    return ({} if result is None else result), positions


def read_toml(root: Path, name: str = "course.toml") -> tuple[dict[str, Any], str]:
    """Read the course settings file; a problem carries the line TOML reports."""
    text = decode(read_bytes(root, name))
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        where = re.search(r" \(at line (\d+), column \d+\)| \(at end of document\)", message)
        line = int(where.group(1)) if where and where.group(1) else None
        message = message.replace(where.group(0), "") if where else message
        raise SourceProblem(line, f"not valid TOML: {message[0].lower()}{message[1:]}") from None


def read_source(root: Path, path: Path) -> Source:
    """Read, decode and split one Markdown source."""
    relative = path.relative_to(root).as_posix()
    return split_front_matter(relative, decode(read_bytes(root, relative)))


def read_all(root: Path) -> tuple[list[Source], list[Problem]]:
    """Read every source, collecting one problem per unreadable file."""
    sources, problems = [], []
    for path in find_sources(root):
        try:
            sources.append(read_source(root, path))
        except SourceProblem as problem:
            problems.append(Problem(path.relative_to(root).as_posix(), problem.line, problem.message))
    return sources, problems
