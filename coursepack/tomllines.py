"""Where each key, table and array item of course.toml is written: the lines TOML parsers forget.

``locate(text).line("packets", 1, "title")`` is the line of the second packet's title (or, if it
has none, of that ``[[packets]]`` header). Comments, quoted and dotted keys, arrays of tables and
values over several lines are followed; the text is assumed to be valid TOML (tomllib read it).
"""

from __future__ import annotations

import bisect
import functools
import re
import tomllib
from dataclasses import dataclass

BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
SCALAR_END = re.compile(r"[,\]}\n#]")

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class TomlLines:
    """The line of every key, table and array item, by its path of keys and indexes."""

    lines: dict[Path, int]

    def line(self, *path: str | int) -> int | None:
        """The line of ``path``, or of the nearest enclosing table or key that is written."""
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def key_line(self, name: str) -> int | None:
        """The first line where a key or table called ``name`` is written, at any depth."""
        return min((line for path, line in self.lines.items() if path[-1] == name), default=None)


@functools.lru_cache(maxsize=8)
def locate(text: str) -> TomlLines:
    """Read course.toml's text for the line of everything it defines."""
    scanner = Scanner(text)
    scanner.document()
    return TomlLines(scanner.lines)


class Scanner:
    """A reader of TOML structure (not values): headers, keys, arrays and inline tables."""

    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.breaks = [index for index, char in enumerate(text) if char == "\n"]
        self.lines: dict[Path, int] = {}
        self.tables: dict[Path, int] = {}  # arrays of tables: how many elements so far

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self.breaks, self.pos if pos is None else pos) + 1

    def peek(self, count: int = 1) -> str:
        return self.text[self.pos : self.pos + count]

    def record(self, path: Path, line: int) -> None:
        for end in range(1, len(path) + 1):
            self.lines.setdefault(path[:end], line)

    def skip(self, newlines: bool = True) -> None:
        """Skip blanks and comments (and line ends, if ``newlines``)."""
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.pos += 1
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.pos = len(self.text) if end < 0 else end
            else:
                return

    def document(self) -> None:
        current: Path = ()
        while True:
            self.skip()
            if self.pos >= len(self.text):
                return
            start = self.pos
            if self.peek(2) == "[[":
                self.pos += 2
                path = self.resolve(self.key(), array=True)
                self.tables[path] = self.tables.get(path, 0) + 1
                current = (*path, self.tables[path] - 1)
                self.record(current, self.line(start))
                self.close("]]")
            elif self.peek() == "[":
                self.pos += 1
                current = self.resolve(self.key())
                self.record(current, self.line(start))
                self.close("]")
            else:
                self.pair(current)
            self.skip(newlines=False)
            if self.pos < len(self.text) and self.text[self.pos] != "\n":
                self.pos += 1  # not TOML; move on rather than stop

    def close(self, bracket: str) -> None:
        end = self.text.find(bracket, self.pos)
        self.pos = len(self.text) if end < 0 else end + len(bracket)

    def resolve(self, keys: list[str], array: bool = False) -> Path:
        """A header's keys as a path: an array of tables along the way means its last element."""
        path: Path = ()
        for index, key in enumerate(keys):
            path = (*path, key)
            if path in self.tables and (index < len(keys) - 1 or not array):
                path = (*path, self.tables[path] - 1)
        return path

    def key(self) -> list[str]:
        """A bare, quoted or dotted key."""
        parts = []
        while True:
            self.skip(newlines=False)
            char = self.peek()
            if char in ('"', "'"):
                start = self.pos
                self.string()
                parts.append(tomllib.loads(f"k = {self.text[start : self.pos]}")["k"])
            elif match := BARE_KEY.match(self.text, self.pos):
                parts.append(match.group(0))
                self.pos = match.end()
            else:
                return parts
            self.skip(newlines=False)
            if self.peek() != ".":
                return parts
            self.pos += 1

    def pair(self, table: Path) -> None:
        """``key = value``: the key's line, then the value's items."""
        start = self.pos
        keys = self.key()
        if not keys:
            return
        path = (*table, *keys)
        self.record(path, self.line(start))
        self.skip(newlines=False)
        if self.peek() == "=":
            self.pos += 1
            self.skip(newlines=False)
            self.value(path)

    def value(self, path: Path) -> None:
        char = self.peek()
        if char == "[":
            self.pos += 1
            index = 0
            while True:
                self.skip()
                if self.pos >= len(self.text) or self.peek() == "]":
                    self.pos += 1
                    return
                self.record((*path, index), self.line())
                before = self.pos
                self.value((*path, index))
                index += 1
                self.skip()
                if self.peek() == "," or self.pos == before:
                    self.pos += 1
        elif char == "{":
            self.pos += 1
            while True:
                self.skip()
                if self.pos >= len(self.text) or self.peek() == "}":
                    self.pos += 1
                    return
                before = self.pos
                self.pair(path)
                self.skip()
                if self.peek() == "," or self.pos == before:
                    self.pos += 1
        elif char in ('"', "'"):
            self.string()
        else:
            match = SCALAR_END.search(self.text, self.pos)
            self.pos = match.start() if match else len(self.text)

    def string(self) -> None:
        """Skip a basic, literal or multi-line string."""
        quote = self.peek()
        if self.peek(3) == quote * 3:
            end = self.text.find(quote * 3, self.pos + 3)
            while quote == '"' and end > 0 and escaped(self.text, end):
                end = self.text.find(quote * 3, end + 1)
            end = len(self.text) if end < 0 else end + 3
            while self.text[end : end + 1] == quote:  # up to two quotes may end the content
                end += 1
            self.pos = end
            return
        end = self.pos + 1
        while end < len(self.text) and self.text[end] not in (quote, "\n"):
            end += 2 if quote == '"' and self.text[end] == "\\" else 1
        self.pos = min(end + 1, len(self.text))


def escaped(text: str, pos: int) -> bool:
    """Whether the character at ``pos`` follows an odd number of backslashes."""
    count = 0
    while pos - count - 1 >= 0 and text[pos - count - 1] == "\\":
        count += 1
    return count % 2 == 1
