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


@dataclass(frozen=True)
class Fit:
    """Where the two halves of a landscape side draw a page: a scale and two origins, in points."""

    width: float
    height: float
    scale: float
    origins: tuple[tuple[float, float], tuple[float, float]]


def fit(page_width: float, page_height: float) -> Fit:
    """A landscape side of the same paper, each half holding one page scaled to fit and centred."""
    width, height = page_height, page_width
    scale = min(width / 2 / page_width, height / page_height)
    x = (width / 2 - scale * page_width) / 2
    y = (height - scale * page_height) / 2
    return Fit(width, height, scale, ((x, y), (width / 2 + x, y)))


def side_content(fitted: Fit, names: Sequence[Sequence[str]]) -> bytes:
    """The content stream of a side: each half draws its XObjects (page, then its stamp) scaled into place."""
    out = []
    for (x, y), drawn in zip(fitted.origins, names, strict=True):
        if drawn:
            calls = " ".join(f"/{name} Do" for name in drawn)
            out.append(f"q {fitted.scale:.5f} 0 0 {fitted.scale:.5f} {x:.3f} {y:.3f} cm {calls} Q")
    return ("\n".join(out) + "\n").encode()


def sheets(sides: int) -> int:
    """Sheets of paper for so many sides printed on both sides."""
    return -(-sides // 2)
