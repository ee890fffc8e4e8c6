"""Class sets: a named copy of a packet for everyone on a roster, and one file to print them all.

The packet is built once (student edition). Each student's names are laid out on two small pages of
their own (the cover's lines, and a line above every page's running header: their file's fonts hold
no classmate's letters) and stamped onto the packet as artifacts by an incremental update: no packet
is laid out or written again per student, and a named copy keeps the packet's tags, bookmarks and links.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from . import events, impose
from .append import Importer, Update, serialised, stream_body
from .copies import BEFORE, Made, Packet, after_content, drawing
from .errors import Problem
from .printall import PrintAll
from .report import plural
from .roster import Roster, Student, print_file
from .versions import LETTERS

CLASSES = "classes"
SUMMARY_CLASSES = 12  # classes the summary names one by one
SMALLER = "(pages print at about two-thirds of their size)"  # two pages side by side on the same paper


def names_pages(packet: Packet, student: Student) -> str:
    """A student's two pages: the cover's lines filled in, and the line above every other page's header."""
    values = {"cover-name": student.name, "cover-class": student.section, "cover-period": student.period}
    cover = "".join(
        f'<div class="cs-line" dir="auto" style="left: {left + 4:.2f}pt; top: {packet.height - top:.2f}pt">'
        f"{html.escape(values[anchor])}</div>"
        for anchor, left, top in packet.lines
        if values[anchor]
    )
    head = f"<bdi>{html.escape(student.name)}</bdi>"
    if student.label:  # the class as its column says it ("Period 3"); never the roster's file name
        head += f" · <bdi>{html.escape(student.label)}</bdi>"
    return f'<div class="cs-page">{cover}</div><div class="cs-page"><div class="cs-head">{head}</div></div>'


def names_head(packet: Packet) -> str:
    """The start of a document of names pages: the packet's language, and its paper (the pages say their size,
    so the names' typesetter is ready before the packet is read)."""
    return (
        f'<!doctype html><html lang="{html.escape(packet.language)}"><head><meta charset="utf-8">'
        f"<title>names</title><style>@page classset {{ size: {packet.width:.2f}pt {packet.height:.2f}pt }} "
        f".cs-page {{ height: {packet.height - 1:.2f}pt }}</style></head>"
    )


@dataclass(frozen=True)
class Stamped:
    """The objects every named copy of a packet writes at the same numbers, the pages' bodies made once."""

    prefix: int
    cover: int
    page: int
    suffixes: tuple[tuple[int, bytes], ...]  # the streams drawn after the pages' content (most share one)
    pages: tuple[tuple[int, bytes], ...]


def stamped(packet: Packet) -> Stamped:
    """The numbers a named copy's update starts with, and each page again, drawing the name after its content."""
    size = packet.base.size
    prefix, cover, page = size, size + 1, size + 2
    after = [after_content(item, packet) for item in packet.base.reader.pages]
    numbers = {data: size + 3 + index for index, data in enumerate(dict.fromkeys(after))}
    pages = tuple(
        (
            item.indirect_reference.idnum,
            serialised(drawing(item, prefix, numbers[after[index]], cover if index == 0 else page)),
        )
        for index, item in enumerate(packet.base.reader.pages)
    )
    return Stamped(prefix, cover, page, tuple((number, data) for data, number in numbers.items()), pages)


def named_copy(packet: Packet, shared: Stamped, names: PdfReader, seed: str) -> bytes:
    """One student's packet: the packet's bytes, then its pages again, each drawing the student's name."""
    out = BytesIO()
    update = Update(packet.base, out)
    numbers = [update.new() for _ in range(3 + len(shared.suffixes))]
    assert numbers[:3] == [shared.prefix, shared.cover, shared.page]
    update.put(shared.prefix, stream_body(DictionaryObject(), BEFORE))
    for number, data in shared.suffixes:
        update.put(number, stream_body(DictionaryObject(), data))
    importer = Importer(update)
    importer.form(names.pages[0], shared.cover)
    importer.form(names.pages[1], shared.page)
    for number, body in shared.pages:
        update.put(number, body)
    update.finish(seed=seed.encode())
    return out.getvalue()


@dataclass(frozen=True)
class PrintFile:
    """A class's print file: its name, how many students' copies it holds, and its printed sides."""

    name: str
    students: int
    sides: int  # its bytes are written and let go: memory stays flat


@dataclass(frozen=True)
class ClassDone:
    """What the summary says of one class: where its files are, how many, and its print files."""

    group: str
    folder: str
    students: int
    printing: tuple[PrintFile, ...]


def make_class_sets(
    packets: tuple[Packet, ...],
    roster: Roster,
    lay_out: Callable[[str, list[str]], Iterator[bytes]],
    write: Callable[[Made], None],
    tidy: Callable[[str, set[str]], None],
    packet_id: str,
    layout: str = "",
    report: events.Reporter = events.ignore,
) -> list[ClassDone]:
    """Every class of a roster: each student's named packet, then the class's print files, written as made.

    ``packets`` holds the packet's versions A, B, …: students take them in turn, in roster order within
    their class, unless a Version column gives theirs; each version has its own print file. Each class's
    files go in ``classes/<class>/<packet>/``. ``lay_out`` turns each student's names pages into a PDF of
    their own (their fonts hold only their own letters), in order; ``write``
    puts a file in the output folder; ``tidy`` removes what an earlier run of the roster made there that
    this one did not (students no longer on it). Events name folders, never a student.
    """
    shared = [stamped(packet) for packet in packets]
    done = []
    classes = roster.groups()
    total = len(roster.students) + len(classes)
    report(events.Event(events.PLANNED, total=total, count=total))
    for group, students in classes.items():
        folder = f"{CLASSES}/{students[0].folder}/{packet_id}"
        printing: dict[int, PrintAll] = {}  # a print file per version
        chosen = [LETTERS.index(s.version) if s.version else turn % len(packets) for turn, s in enumerate(students)]
        texts = [names_pages(packets[version], student) for version, student in zip(chosen, students, strict=True)]
        for student, version, laid_out in zip(students, chosen, lay_out(names_head(packets[0]), texts), strict=True):
            packet = packets[version]
            names = PdfReader(BytesIO(laid_out))
            seed = f"{packet_id}\0{group}\0{student.slug}\0{version}"
            data = named_copy(packet, shared[version], names, seed)
            write(Made(f"{folder}/{student.slug}.pdf", data, packet.pages, packet.pages))
            if version not in printing:
                printing[version] = PrintAll(packet, layout)
            printing[version].add(student, names)
            report(events.Event(events.MADE, folder, pages=packet.pages, size=len(data)))
        files = []
        for version, print_all in sorted(printing.items()):
            name = print_file(LETTERS[version] if len(packets) > 1 else "")
            made = print_all.finish(f"{folder}/{name}", f"{packet_id}\0{group}\0{layout}\0{version}")
            write(made)
            files.append(PrintFile(name, len(print_all.kids), made.sides))
            report(events.Event(events.MADE, folder, pages=made.pages, size=len(made.data)))
        tidy(folder, {f"{student.slug}.pdf" for student in students} | {file.name for file in files})
        done.append(ClassDone(group, folder, len(students), tuple(files)))
    report(events.Event(events.WRITTEN, total=total))
    return done


def version_range(versions: int) -> str:
    """The letters of a packet's versions, in words: "A and B", "A to D"."""
    return f"A {'and' if versions == 2 else 'to'} {LETTERS[versions - 1]}"


def version_problems(roster: Roster, versions: int) -> list[Problem]:
    """Students whose Version column names a version the packet does not have, at their lines."""
    have = f"versions {version_range(versions)}" if versions > 1 else "one version"
    return [
        Problem(roster.path, student.line, f"version {student.version} is not made: the packet has {have}")
        for student in roster.students
        if student.version and LETTERS.index(student.version) >= versions
    ]


def summary(done: list[ClassDone], out: Path, layout: str, duplex: bool) -> list[str]:
    """What the teacher reads: where each class's packets are, and how to print the print-all file.

    A roster of many classes (a district's) names the first few and counts the rest.
    """
    lines = []
    for item in done[:SUMMARY_CLASSES]:
        lines.append(f"{item.group}: {plural(item.students, 'named packet')} in {out / item.folder}/")
        for file in item.printing:
            lines.append(f"  {file.name}: {advice(file.students, file.sides, layout, duplex)}")
    if len(done) > SUMMARY_CLASSES:
        rest = done[SUMMARY_CLASSES:]
        students = sum(item.students for item in rest)
        more = plural(len(rest), "more class", "more classes")
        lines.append(f"… and {more} ({students} students) in {out / CLASSES}/")
    return lines


def advice(copies: int, sides: int, layout: str, duplex: bool) -> str:
    """How many sheets a print file takes and how to set the printer for it."""
    sheets = plural(impose.sheets(sides) if layout or duplex else sides, "sheet")
    if layout == "booklet":
        return (
            f"{plural(copies, 'booklet')} on {sheets}: print on both sides, flipping on the short edge; "
            f"fold each booklet's sheets in half and staple at the fold {SMALLER}"
        )
    if layout == "2up":
        copies_text = plural(copies, "copy", "copies")
        return (
            f"{copies_text}, two pages per side, on {sheets}: print on both sides, flipping on the short edge {SMALLER}"
        )
    how = "on both sides, flipping on the long edge" if duplex else "on one side"
    return f"{plural(copies, 'copy', 'copies')} on {sheets}: print {how}"


def checked_roster(root: Path, given: Path) -> Roster:
    """Read the roster; every name must print with the bundled fonts (else SourceErrors, at the lines)."""
    from .errors import SourceErrors
    from .fonts import bundle, file_problems
    from .record import styles_of
    from .roster import read_roster

    roster = read_roster(root, roster_path(root, given))
    texts = [(student.line, " ".join((student.name, student.group, student.section))) for student in roster.students]
    problems = file_problems(bundle(styles_of(root)), roster.path, texts)
    if problems:
        raise SourceErrors(problems)
    return roster


def packet_ids(root: Path) -> list[str] | None:
    """The packets course.toml lists, if it can be read (the build says what is wrong with it otherwise)."""
    from .sources import SourceProblem, read_toml

    try:
        data, _ = read_toml(root)
    except SourceProblem:
        return None
    packets = data.get("packets")
    return [str(p.get("id")) for p in packets if isinstance(p, dict)] if isinstance(packets, list) else None


def roster_path(root: Path, given: Path) -> str:
    """The roster's path in the course folder (a roster is read from nowhere else).

    A relative path is read from the course folder (``--roster rosters/p3.csv``), or else from the
    current folder.
    """
    top = root.resolve()
    where = given if given.is_absolute() or (top / given).exists() or not given.exists() else Path.cwd() / given
    resolved = (where if where.is_absolute() else top / where).resolve()
    if not resolved.is_relative_to(top):
        from .errors import CoursepackError

        raise CoursepackError(f"the roster {given} is outside the course folder: put it in {top / 'rosters'}")
    return resolved.relative_to(top).as_posix()
