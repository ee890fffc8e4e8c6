"""Versions A, B, …: the same questions and choices in other orders, seeded so every build agrees.

Version A prints as written. Each later version prints an order of its own: different from every
earlier version's whenever there are orders enough, with pinned items in their places.
"""

from __future__ import annotations

import functools
import hashlib
import math
import re

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_VERSIONS = len(LETTERS)
# Choices whose place carries meaning: "All of the above", "None of these", "None", "Neither".
PINNED_CHOICE = re.compile(
    r"\b(all|none|both|neither|either)\s+(of\s+)?(the\s+)?(above|below|these|them)\b"
    r"|^(none|neither|both|all)\b|\b(above|below)\s*[.!]?$",
    re.IGNORECASE,
)
# A choice that names others by letter ("Both A and B", "A & C"): moving any choice would change it.
LETTER_REFERENCE = re.compile(r"\b[A-Z]\s*(,|and|or|&)\s*[A-Z]\b")
PIN_MARK = re.compile(r"\s*\{\s*pin\s*\}\s*$", re.IGNORECASE)


def letter(version: int) -> str:
    """The letter of a version counted from 0: A, B, …"""
    return LETTERS[version]


def order(count: int, seed: str, version: int, pinned: frozenset[int] = frozenset()) -> list[int]:
    """The positions of ``count`` items in the order ``version`` prints them (version 0: as written)."""
    return list(orders(count, seed, version + 1, pinned)[version])


@functools.lru_cache(maxsize=4096)
def orders(count: int, seed: str, versions: int, pinned: frozenset[int]) -> tuple[tuple[int, ...], ...]:
    """The orders of versions 0 to ``versions - 1``, each found once."""
    found = [tuple(range(count))]
    movable = [index for index in range(count) if index not in pinned]
    for version in range(1, versions):
        enough = math.factorial(len(movable)) > len(found)
        candidate = found[0]
        for attempt in range(256):
            moved = sorted(
                movable, key=lambda i: hashlib.sha256(f"{seed}\0{version}\0{attempt}\0{i}".encode()).digest()
            )
            places = dict(zip(movable, moved, strict=True))
            candidate = tuple(places.get(index, index) for index in range(count))
            if not enough or candidate not in found:
                break
        found.append(candidate)
    return tuple(found)


def rank(seed: str, version: int, attempt: int, index: int) -> bytes:
    """Where an item falls in a version's order: a digest, the same on every machine."""
    return hashlib.sha256(f"{seed}\0{version}\0{attempt}\0{index}".encode()).digest()


def pinned_choices(labels: list[str]) -> frozenset[int]:
    """The choices that keep their places in every version: all of them when one names others by letter."""
    if any(LETTER_REFERENCE.search(label) for label in labels):
        return frozenset(range(len(labels)))
    return frozenset(index for index, label in enumerate(labels) if PINNED_CHOICE.search(label))


def without_pin(label: str) -> str:
    """A choice's label as it prints, without its ``{pin}`` mark."""
    return PIN_MARK.sub("", label)


def roster_version(cell: str) -> str:
    """The version a roster's Version cell gives (A, B, … or 1, 2, …), "" when empty; ValueError otherwise."""
    value = cell.strip().upper()
    if value.isdigit() and 1 <= int(value) <= MAX_VERSIONS:
        return LETTERS[int(value) - 1]
    if value and (len(value) != 1 or value not in LETTERS):
        raise ValueError(value)
    return value
