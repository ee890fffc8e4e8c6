"""Imposition: which pages go on which side of which sheet, for booklets and two pages per side.

A booklet is printed on both sides, flipped on the short edge, folded in half and stapled at the
fold: its pages are padded to a multiple of four and placed two per landscape side. ``2up`` puts
two pages side by side in reading order. Pages are drawn as form XObjects, scaled to fit half a side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LAYOUTS = ("booklet", "2up")
Slot = int | None  # a page index, or None for an empty half (a padding page)


@dataclass(frozen=True)
class Side:
    """One side of a sheet: the page on its left half and the page on its right half."""

    left: Slot
    right: Slot


def booklet_sides(pages: int) -> list[Side]:
    """Saddle-stitch order: padded to a multiple of four; front and back of each sheet, outermost first."""
    total = -(-max(pages, 1) // 4) * 4

    def page(index: int) -> Slot:
        return index if index < pages else None

    sides = []
    for sheet in range(total // 4):
        sides.append(Side(page(total - 1 - 2 * sheet), page(2 * sheet)))
        sides.append(Side(page(2 * sheet + 1), page(total - 2 - 2 * sheet)))
    return sides


def two_up_sides(pages: int, duplex: bool) -> list[Side]:
    """Two pages per side in reading order; an even number of sides when printed on both sides of the paper."""
    sides = [Side(index, index + 1 if index + 1 < pages else None) for index in range(0, pages, 2)]
    if duplex and len(sides) % 2:
        sides.append(Side(None, None))
    return sides


def sides_for(layout: str, pages: int, duplex: bool) -> list[Side]:
    """The sides of one copy of a packet in a layout."""
    return booklet_sides(pages) if layout == "booklet" else two_up_sides(pages, duplex)


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


@dataclass(frozen=True)
class Half:
    """What one half of a side draws: a page's form, placed by ``matrix``; its name form, placed by ``name``."""

    matrix: Matrix
    page: str
    name: str = ""
    name_matrix: Matrix = IDENTITY


def side_size(page_width: float, page_height: float) -> tuple[float, float]:
    """A side is the packet's paper turned to landscape."""
    return page_height, page_width


def upright(box: tuple[float, float, float, float], turn: int) -> tuple[Matrix, float, float]:
    """From a page's own space (its box: left, bottom, width, height) to the page as shown, turned by /Rotate."""
    left, bottom, wide, high = box
    if turn % 360 == 90:
        return (0, -1, 1, 0, -bottom, left + wide), high, wide
    if turn % 360 == 180:
        return (-1, 0, 0, -1, left + wide, bottom + high), wide, high
    if turn % 360 == 270:
        return (0, 1, -1, 0, bottom + high, -left), high, wide
    return (1, 0, 0, 1, -left, -bottom), wide, high


def into_half(side: tuple[float, float], half: int, box: tuple[float, float, float, float], turn: int) -> Matrix:
    """Where a page goes on half of a side: upright, scaled to fit, centred."""
    shown, wide, high = upright(box, turn)
    width, height = side
    scale = min(width / 2 / wide, height / high)
    x = half * width / 2 + (width / 2 - scale * wide) / 2
    y = (height - scale * high) / 2
    return then(shown, (scale, 0, 0, scale, x, y))


def then(first: Matrix, second: Matrix) -> Matrix:
    """The matrix that applies ``first``, then ``second`` (PDF's row-vector order)."""
    a1, b1, c1, d1, e1, f1 = first
    a2, b2, c2, d2, e2, f2 = second
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def cm(matrix: Matrix) -> str:
    """A matrix as a content stream's ``cm`` operator."""
    return " ".join(f"{round(value, 5):g}" for value in matrix) + " cm"


def side_content(halves: Sequence[Half]) -> bytes:
    """The content stream of a side: each half draws its page, then the name over it, in place."""
    out = []
    for half in halves:
        name = ""
        if half.name:
            inner = "" if half.name_matrix == IDENTITY else f"{cm(half.name_matrix)} "
            name = f" q {inner}/{half.name} Do Q"
        out.append(f"q {cm(half.matrix)} /{half.page} Do{name} Q")
    return ("\n".join(out) + "\n").encode()


def sheets(sides: int) -> int:
    """Sheets of paper for so many sides printed on both sides."""
    return -(-sides // 2)
