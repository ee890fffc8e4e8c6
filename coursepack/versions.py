"""Versions A, B, …: the same questions and choices in other orders, seeded so every build agrees.

Version A prints as written. Every later version moves each item that is not pinned, and differs from
every earlier version whenever there are orders enough.
"""

from __future__ import annotations

import hashlib
import math
import re

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_VERSIONS = 26
# Choices whose place carries meaning: "All of the above", "None of these", "Both A and B", "Neither".
PINNED_CHOICE = re.compile(
    r"\b(all|none|both|neither|either)\s+of\s+(the\s+)?(above|below|these|them)\b"
    r"|^(both|neither)\b|(?-i:\b[A-Z]\s+(and|or)\s+[A-Z]\b)|\b(above|below)\s*[.!]?$",
    re.IGNORECASE,
)
PIN_MARK = re.compile(r"\s*\{\s*pin\s*\}\s*$", re.IGNORECASE)


def letter(version: int) -> str:
    """The letter of a version counted from 0: A, B, …"""
    return LETTERS[version]


def order(count: int, seed: str, version: int, pinned: frozenset[int] = frozenset()) -> list[int]:
    """The positions of ``count`` items in the order ``version`` prints them (version 0: as written)."""
    if version == 0:
        return list(range(count))
    earlier = [order(count, seed, v, pinned) for v in range(version)]
    movable = [index for index in range(count) if index not in pinned]
    enough = math.factorial(len(movable)) > len(earlier)
    candidate = list(range(count))
    for attempt in range(256):
        moved = sorted(movable, key=lambda i: hashlib.sha256(f"{seed}\0{version}\0{attempt}\0{i}".encode()).digest())
        candidate = list(range(count))
        for slot, index in zip(movable, moved, strict=True):
            candidate[slot] = index
        if not enough or candidate not in earlier:
            break
    return candidate


def pinned_choice(label: str) -> bool:
    """Whether a choice keeps its place in every version ("All of the above", or marked ``{pin}``)."""
    return bool(PINNED_CHOICE.search(label) or PIN_MARK.search(label))


def without_pin(label: str) -> str:
    """A choice's label as it prints, without its ``{pin}`` mark."""
    return PIN_MARK.sub("", label)


def pinned_question(first_line: str) -> bool:
    """Whether a question keeps its place in every version: ``{pin}`` among the options of its first line."""
    options = re.search(r"\{([^{}]*)\}\s*$", first_line)
    return bool(options) and any(part.strip().lower() == "pin" for part in options.group(1).split(","))
