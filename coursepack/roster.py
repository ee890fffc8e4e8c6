"""Class rosters: a CSV as a school information system or a spreadsheet exports it, read into students.

UTF-8 (with or without BOM) or UTF-16 (Excel's "Unicode text"); comma, semicolon or tab; a header
naming the name column(s); quoted names with commas; blank lines ignored; unknown columns ignored.
A roster holds personal data: problems name lines and columns, never a student's name.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import Problem, SourceErrors
from .sources import SourceProblem, read_bytes
from .versions import LETTERS, roster_version

MAX_ROSTER_BYTES = 20_000_000
DELIMITERS = (",", ";", "\t")
# Column headings, compared by ``key`` (case, spaces and punctuation ignored), in English, Spanish,
# French, German and Portuguese, as school systems and spreadsheets export them.
NAME = (
    *("name", "studentname", "student", "fullname", "learner", "pupil", "studentfullname"),
    *("nombrecompleto", "alumno", "estudiante", "nomcomplet", "élève", "eleve", "schüler", "nomecompleto", "aluno"),
)
FIRST = (
    *("firstname", "first", "givenname", "given", "forename", "preferredname", "studentfirstname"),
    *("nombre", "prénom", "prenom", "vorname", "nome", "primeironome"),
)
LAST = (
    *("lastname", "last", "surname", "familyname", "family", "studentlastname"),
    *("apellido", "apellidos", "nom", "nomdefamille", "nachname", "familienname", "sobrenome", "apelido"),
)
PERIOD = ("period", "classperiod", "block", "homeroom", "periodo", "période", "periode", "stunde")
SECTION = (
    *("class", "section", "classname", "course", "coursesection", "group"),
    *("clase", "grupo", "curso", "classe", "groupe", "cours", "klasse", "kurs", "gruppe", "turma"),
)
VERSION = ("version", "testversion", "examversion", "versión", "versao", "versão")
# Bidirectional controls and other invisible format characters: never in a file name.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
SLUG_BYTES = 80
PRINT_ALL = "print-all.pdf"  # each class's print file: no student's file may take its name


@dataclass(frozen=True)
class Student:
    """One student of a roster: the name as written, their class, a file name, the source line.

    ``group`` names the class their packets are filed under ("Period 3", "Biology A", or the roster's
    name); ``section`` and ``period`` are what the roster's class and period columns say, if it has them.
    """

    name: str
    group: str
    slug: str
    line: int
    section: str = ""
    period: str = ""
    folder: str = ""  # below build/classes/: one per class, never shared with another class
    label: str = ""  # the class as the roster's columns name it, printed beside the name ("" when none does)
    version: str = ""  # the version a Version column gives the student (A, B, …); "" takes turns


@dataclass(frozen=True)
class Roster:
    """A roster read: its students in the order written, and the class a student is in when no column says."""

    path: str
    students: tuple[Student, ...]

    def groups(self) -> dict[str, list[Student]]:
        """Students by class, each class in the order it first appears."""
        found: dict[str, list[Student]] = {}
        for student in self.students:
            found.setdefault(student.group, []).append(student)
        return found


def read_roster(root: Path, relative: str) -> Roster:
    """Read and check a roster inside the course folder; every problem at once, as ``path:line``."""
    if not (root / relative).exists():
        raise SourceErrors([Problem(relative, None, "there is no such roster: check its name and folder")])
    try:
        text = decoded(read_bytes(root, relative, MAX_ROSTER_BYTES))
    except SourceProblem as problem:
        raise SourceErrors([Problem(relative, problem.line, problem.message)]) from None
    return parse_roster(text, relative, Path(relative).stem)


def decoded(data: bytes) -> str:
    """The roster's text: UTF-16 by its byte order mark, else UTF-8 (BOM or not)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SourceProblem(1, "the file says it is UTF-16 but is not: export the roster again") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise SourceProblem(line, "this line is not UTF-8: export the roster as 'CSV UTF-8'") from None


def key(header: str) -> str:
    """A column heading compared loosely: "First Name", "first_name" and "FIRSTNAME" are one."""
    return re.sub(r"[\W_]+", "", header.casefold())


def delimiter(text: str) -> str:
    """The separator the header line uses most (outside quotes): comma, semicolon or tab."""
    header = next((line for line in text.splitlines() if line.strip()), "")
    outside = re.sub(r'"[^"]*"', "", header)
    return max(DELIMITERS, key=lambda sep: (outside.count(sep), sep == ","))


def parse_roster(text: str, path: str, default_group: str) -> Roster:
    """Students from a roster's text; SourceErrors listing every problem."""
    header, header_line, read = rows_of(text, path)
    columns = [key(cell) for cell in header]
    names = columns_for(columns, NAME)
    first, last = columns_for(columns, FIRST), columns_for(columns, LAST)
    if not names and not first and not last:  # its cells are not quoted: the first line may be a student's
        message = (
            "no name column: the first line must name the columns, one of them 'Name' (or 'First Name' and 'Last Name')"
        )
        raise SourceErrors([Problem(path, header_line, message)])
    period, section = columns_for(columns, PERIOD)[:1], columns_for(columns, SECTION)[:1]
    # a Name column beside a first-name column but no last-name one is the family name ("Name;Vorname")
    naming = first[:1] + names[:1] if names and first and not last else names[:1] or first[:1] + last[:1]
    versions = columns_for(columns, VERSION)[:1]
    used = set(naming + period + section + versions)
    problems: list[Problem] = []
    students: list[Student] = []
    seen: dict[tuple[str, str], list[tuple[int, tuple[str, ...]]]] = {}
    for number, row in read:
        if len(row) > len(header):
            message = (
                f"this line has {len(row)} cells but the header names {len(header)}: "
                "put a name that holds a comma (Last, First) in quotes"
            )
            problems.append(Problem(path, number, message))
            continue
        cells = [cell.strip() for cell in row] + [""] * (len(header) - len(row))
        name = " ".join(cells[index] for index in naming if cells[index])
        if not INVISIBLE.sub("", name).strip():
            problems.append(Problem(path, number, "the student's name is empty: fill it in or delete the line"))
            continue
        if "\n" in name or "\r" in name:
            problems.append(Problem(path, number, "the student's name runs over two lines: put it on one"))
            continue
        in_period = cells[period[0]] if period else ""
        in_section = cells[section[0]] if section else ""
        label = group_name(header[period[0]], in_period) if in_period else ""
        label = label or (group_name(header[section[0]], in_section) if in_section else "")
        klass = label or default_group
        others = tuple(cells[index] for index in range(len(cells)) if index not in used)
        twins = seen.setdefault((klass, compared(name)), [])
        same = next((earlier for earlier, rest in twins if rest == others), None)
        if same is not None:
            message = (
                f"this line repeats the student on line {same}: delete one, "
                "or add a column that tells them apart (such as a student ID)"
            )
            problems.append(Problem(path, number, message))
            continue
        twins.append((number, others))
        try:
            version = roster_version(cells[versions[0]]) if versions else ""
        except ValueError:
            problems.append(Problem(path, number, "the version must be a letter (A, B, …) or a number (1, 2, …)"))
            continue
        students.append(Student(name, klass, "", number, in_section, in_period, label=label, version=version))
    if not students and not problems:
        problems.append(Problem(path, header_line, "the roster lists no students: add a line for each"))
    if problems:
        raise SourceErrors(problems)
    return Roster(path, tuple(with_slugs(students)))


def rows_of(text: str, path: str) -> tuple[list[str], int, list[tuple[int, list[str]]]]:
    """The header, its line, and every other line that is not blank, with its number."""
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter(text), strict=True)
    header: list[str] | None = None
    header_line = 0
    read: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for row in rows:
            line_here, line = line, rows.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header, header_line = row, line_here
            else:
                read.append((line_here, row))
    except csv.Error as error:
        if "unexpected end of data" in str(error):
            message = 'a quote opened on this line is never closed: add the closing "'
        else:
            message = 'a quote on this line is out of place: a cell in quotes must start and end with "'
        raise SourceErrors([Problem(path, line, message)]) from None
    if header is None:
        message = "the roster is empty: it needs a header line and one line per student"
        raise SourceErrors([Problem(path, None, message)])
    return header, header_line, read


def compared(name: str) -> str:
    """A name as duplicates are found: composed the same way, spaces collapsed, case ignored."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def group_name(heading: str, value: str) -> str:
    """A class as a teacher says it: "Period 3" or "Section 2" for a bare number, else as written."""
    return f"{heading.strip().title()} {value}" if value.isdigit() else value


def columns_for(columns: list[str], names: tuple[str, ...]) -> list[int]:
    """The indexes of the columns whose heading is one of ``names``, in the order of ``names``."""
    return [columns.index(name) for name in names if name in columns]


def with_slugs(students: list[Student]) -> list[Student]:
    """Each student with a file name unique within their class, and each class with a folder of its own."""
    folders: dict[str, str] = {}
    for student in students:
        if student.group not in folders:
            folders[student.group] = unique(slug(student.group) or "class", set(folders.values()))
    taken = {folder: {stem.casefold() for stem in print_file_stems()} for folder in folders.values()}
    named = []
    for student in students:
        folder = folders[student.group]
        file = unique(slug(student.name) or f"student-{student.line}", taken[folder])
        taken[folder].add(file)
        named.append(replace(student, slug=file, folder=folder))
    return named


def print_file(version: str) -> str:
    """A class's print file: ``print-all.pdf``, or one per version: ``print-all-version-B.pdf``."""
    return f"print-all-version-{version}.pdf" if version else PRINT_ALL


def print_file_stems() -> list[str]:
    """The names print files take in a class's folder, which no student's file may take."""
    return [print_file(version).removesuffix(".pdf") for version in ("", *LETTERS)]


def unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first not taken."""
    candidate, count = base, 1
    while candidate in taken:
        count += 1
        candidate = f"{base}-{count}"
    return candidate


def slug(text: str) -> str:
    """A safe, readable file name: letters and digits of any script, accents dropped, words joined by '-'."""
    text = unicodedata.normalize("NFKD", INVISIBLE.sub("", text)).replace("'", "").replace("\u2019", "")
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = re.findall(r"[^\W_]+", unicodedata.normalize("NFC", text).casefold())
    joined = "-".join(words)
    while len(joined.encode()) > SLUG_BYTES:  # a file name stays far below the 255 bytes file systems allow
        joined = joined[:-1]
    return joined.strip("-")
