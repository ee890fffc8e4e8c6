"""Every word coursepack itself prints (Name, Word bank, page n of N …), from a catalogue keyed by language.

English and Spanish are bundled (styles/messages/<language>.toml). A course adds a language, or
changes any word, with the same file in its own styles/messages/. A document's language picks its
words: "es-MX" reads es.toml, then es-MX.toml over it; a word no file has stays English.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from .errors import Problem
from .fields import unknown_field
from .record import BUNDLED_STYLES, WORDS
from .sources import SourceProblem, read_toml

BUNDLED = BUNDLED_STYLES / "messages"
FOLDER = WORDS
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


@functools.cache
def english() -> dict[str, str]:
    """The bundled English words: every word there is."""
    return tomllib.loads((BUNDLED / "en.toml").read_text(encoding="utf-8"))


def names(language: str) -> list[str]:
    """The catalogue files a language reads, broadest first: ["es", "es-MX"]."""
    if not LANGUAGE.fullmatch(language):
        return []
    parts = language.split("-")
    return ["-".join(parts[: count + 1]) for count in range(len(parts))]


def messages(root: Path, language: str) -> dict[str, str]:
    """The words for documents in ``language`` (a course's own files over the bundled ones, over English).

    The result is shared: it is not to be changed. A course's file that cannot be read is left out
    here (``problems`` reports it). A course's file edited while ``watch`` runs is read again.
    """
    own = [root / FOLDER / f"{name}.toml" for name in names(language)]
    return words_of(root, language, tuple(path.stat().st_mtime_ns if path.is_file() else 0 for path in own))


@functools.lru_cache(maxsize=64)
def words_of(root: Path, language: str, versions: tuple[int, ...]) -> dict[str, str]:
    """``messages``, read once for each version of the course's files (``versions``: their times)."""
    words = dict(english())
    for name in names(language):
        bundled = BUNDLED / f"{name.lower()}.toml"
        if bundled.is_file():
            words.update(tomllib.loads(bundled.read_text(encoding="utf-8")))
        if not (root / FOLDER / f"{name}.toml").is_file():
            continue
        try:
            own, _ = read_toml(root, f"{FOLDER}/{name}.toml")
        except SourceProblem:
            continue
        words.update({key: value for key, value in own.items() if key in words and isinstance(value, str)})
    return words


def problems(root: Path) -> list[Problem]:
    """A course's own catalogue files: TOML that cannot be read, unknown words, values that are not text."""
    found = []
    folder = root / FOLDER
    for path in sorted(folder.glob("*.toml")) if folder.is_dir() else []:
        relative = f"{FOLDER}/{path.name}"
        try:
            own, _ = read_toml(root, relative)
        except SourceProblem as problem:
            found.append(Problem(relative, problem.line, problem.message))
            continue
        for key, value in own.items():
            if key not in english():
                found.append(Problem(relative, None, unknown_field(key, english(), "word")))
            elif not isinstance(value, str):
                found.append(Problem(relative, None, f"'{key}' must be text in quotes"))
    return found
