"""What this machine lacks that coursepack needs or runs faster with, found without importing WeasyPrint.

WeasyPrint loads Pango, HarfBuzz and Fontconfig when it is imported; a missing one is then an OSError
after a banner. These probes load the same libraries (ctypes) just before, so coursepack says in one
sentence, with the line that installs them, what is missing. ``python -m coursepack.environment`` is
the Makefile's check.
"""

from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .errors import CoursepackError

if TYPE_CHECKING:
    import ctypes

__all__ = ["MissingLibraries", "check_before_weasyprint", "require_drawing_libraries", "speed_notes"]

HARFBUZZ_SUBSET_SINCE = (4, 1, 0)  # WeasyPrint subsets fonts with HarfBuzz from this version on, else fontTools


@dataclass(frozen=True)
class Library:
    """A shared library WeasyPrint loads: its name, its file names (Linux, macOS), its Debian package."""

    name: str
    files: tuple[str, ...]
    debian: str


HARFBUZZ = Library("HarfBuzz", ("libharfbuzz.so.0", "libharfbuzz.0.dylib"), "libharfbuzz0b")
DRAWING = (
    Library("GLib", ("libgobject-2.0.so.0", "libgobject-2.0.0.dylib"), "libglib2.0-0"),
    Library("Pango", ("libpango-1.0.so.0", "libpango-1.0.dylib"), "libpango-1.0-0"),
    Library("PangoFT2", ("libpangoft2-1.0.so.0", "libpangoft2-1.0.dylib"), "libpangoft2-1.0-0"),
    HARFBUZZ,
    Library("Fontconfig", ("libfontconfig.so.1", "libfontconfig.1.dylib"), "libfontconfig1"),
)
HARFBUZZ_SUBSET = Library(
    "HarfBuzz subsetting", ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib"), "libharfbuzz-subset0"
)
SLOW_FONTS = "fonts are written 2-4x slower"


class MissingLibraries(CoursepackError):
    """A library WeasyPrint draws with is missing: one sentence with the line that installs it."""


@cache
def load(library: Library) -> ctypes.CDLL | None:
    """The library as the system's loader finds it (as WeasyPrint will), or None."""
    import ctypes  # here, not at the top: the CLI imports this module and starts in milliseconds

    for file in library.files:
        try:
            return ctypes.CDLL(file)
        except OSError:
            continue
    return None


def install_line(missing: list[Library]) -> str:
    """How to install the missing libraries on this machine: a command, or the Debian package names."""
    if sys.platform == "darwin":
        return "brew install pango"  # brings GLib, HarfBuzz (with subsetting) and Fontconfig
    packages = " ".join(library.debian for library in missing)
    return f"sudo apt-get install {packages}" if shutil.which("apt-get") else f"your package manager ({packages})"


def require_drawing_libraries() -> None:
    """Raise MissingLibraries unless every library WeasyPrint needs to import loads (Linux and macOS)."""
    if sys.platform not in ("linux", "darwin"):
        return  # other systems: WeasyPrint's own message names what it could not load
    missing = [library for library in DRAWING if load(library) is None]
    if missing:
        names = " and ".join(library.name for library in missing)
        them = "it" if len(missing) == 1 else "them"
        raise MissingLibraries(
            f"this machine lacks {names}, which WeasyPrint draws with; install {them} with: {install_line(missing)}"
        )


class DrawingLibrariesFirst:
    """An import hook (a meta path finder): the first import of WeasyPrint, from any module, probes first."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        """Raise MissingLibraries instead of letting WeasyPrint fail; find nothing (the usual finders do)."""
        if name == "weasyprint":
            require_drawing_libraries()


def check_before_weasyprint() -> None:
    """Probe the drawing libraries when something first imports WeasyPrint: never in a run that does not."""
    if DrawingLibrariesFirst not in sys.meta_path:
        sys.meta_path.insert(0, DrawingLibrariesFirst)


def speed_notes() -> list[str]:
    """What makes builds slower here than they need to be, each with the line that fixes it."""
    harfbuzz = load(HARFBUZZ) if sys.platform in ("linux", "darwin") else None
    if harfbuzz is None:
        return []  # not a system we know, or no HarfBuzz at all: require_drawing_libraries says so
    if not harfbuzz.hb_version_atleast(*HARFBUZZ_SUBSET_SINCE):
        since = ".".join(map(str, HARFBUZZ_SUBSET_SINCE))
        return [f"note: {SLOW_FONTS} with a HarfBuzz older than {since}; upgrade HarfBuzz to subset them faster"]
    if load(HARFBUZZ_SUBSET) is None:
        return [f"note: {SLOW_FONTS} without HarfBuzz subsetting; install it with: {install_line([HARFBUZZ_SUBSET])}"]
    return []


def main(argv: list[str]) -> int:
    """The Makefile's check: 1 with one sentence if WeasyPrint cannot draw here; with --speed, the notes too."""
    try:
        require_drawing_libraries()
    except MissingLibraries as missing:
        print(f"coursepack: error: {missing}", file=sys.stderr)
        return 1
    for note in speed_notes() if "--speed" in argv else []:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
