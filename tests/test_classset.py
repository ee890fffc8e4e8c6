"""Class sets: rosters as schools export them, a named copy for every student, print-all, booklets."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from conftest import LESSON, ROLE, pages_text, squash, write_course
from pypdf import PdfReader

from coursepack import impose
from coursepack.classset import names_pages
from coursepack.cli import main
from coursepack.errors import SourceErrors
from coursepack.roster import parse_roster, read_roster, slug

ROSTER = """\
Last Name;First Name;Student ID;Period;Notes
Álvarez;José Luis;101;3;likes robots
"O'Connor; Jr.";Siobhán;102;3;
Okafor-Bello;Chinedu;103;3;

حداد;يوسف;104;3;
Nguyễn;Thị Minh Anh;105;4;
"""


def students(text: str) -> list[tuple[str, str, str, int]]:
    roster = parse_roster(text, "rosters/p.csv", "p")
    return [(s.name, s.group, s.slug, s.line) for s in roster.students]


def problems(text: str) -> list[str]:
    with pytest.raises(SourceErrors) as caught:
        parse_roster(text, "rosters/p.csv", "p")
    return [str(problem) for problem in caught.value.problems]


# ---------------------------------------------------------------- rosters


def test_a_semicolon_roster_with_first_and_last_names_periods_quotes_and_blank_lines():
    assert students(ROSTER) == [
        ("José Luis Álvarez", "Period 3", "jose-luis-alvarez", 2),
        ("Siobhán O'Connor; Jr.", "Period 3", "siobhan-oconnor-jr", 3),
        ("Chinedu Okafor-Bello", "Period 3", "chinedu-okafor-bello", 4),
        ("يوسف حداد", "Period 3", "يوسف-حداد", 6),
        ("Thị Minh Anh Nguyễn", "Period 4", "thi-minh-anh-nguyen", 7),
    ]


@pytest.mark.parametrize(
    ("header", "separator"),
    [("Name,Email", ","), ("Student\tEmail", "\t"), ("student_name;email", ";"), ("Full Name,Email", ",")],
)
def test_a_single_name_column_in_common_spellings_and_separators(header, separator):
    text = f'{header}\n"Lee, Ann"{separator}a@x\nBo Li{separator}b@x\n'
    assert [name for name, *_ in students(text)] == ["Lee, Ann", "Bo Li"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nachname;Vorname;Klasse\nMüller;Jonas;7b\n", ("Jonas Müller", "7b")),
        ("Nom,Prénom,Classe\nDubois,Léa,3e B\n", ("Léa Dubois", "3e B")),
        ("Apellidos;Nombre;Grupo\nGarcía López;Lucía;2\n", ("Lucía García López", "Grupo 2")),
        ("Name;Vorname\nSchmidt;Anna\n", ("Anna Schmidt", "p")),  # Name beside Vorname is the family name
    ],
)
def test_rosters_with_headings_in_other_languages(text, expected):
    assert students(text)[0][:2] == expected


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16"])
def test_rosters_as_spreadsheets_save_them(tmp_path, encoding):
    (tmp_path / "rosters").mkdir()
    (tmp_path / "rosters/p3.csv").write_bytes("First,Surname\r\nZoë,Ångström\r\n".encode(encoding))
    roster = read_roster(tmp_path, "rosters/p3.csv")
    assert [(s.name, s.group, s.slug) for s in roster.students] == [("Zoë Ångström", "p3", "zoe-angstrom")]


def test_every_problem_of_a_roster_at_its_line_without_naming_anyone():
    text = "Name,ID\nAna Ruiz,1\n,2\nAna Ruiz,1\nAna Ruiz,3\n"
    assert problems(text) == [
        "rosters/p.csv:3: error: the student's name is empty: fill it in or delete the line",
        "rosters/p.csv:4: error: this line repeats the student on line 2: delete one, "
        "or add a column that tells them apart (such as a student ID)",
    ]


def test_a_duplicate_told_apart_by_another_column_gets_its_own_file_name():
    assert [(name, file) for name, _, file, _ in students("Name,ID\nAna Ruiz,1\nAna Ruiz,3\n")] == [
        ("Ana Ruiz", "ana-ruiz"),
        ("Ana Ruiz", "ana-ruiz-2"),
    ]


def test_a_roster_without_a_name_column_or_with_an_open_quote():
    assert problems("Maya Abernathy,maya@x.edu\nAna Ruiz,ana@x.edu\n") == [  # no header: no student's data echoed
        "rosters/p.csv:1: error: no name column: the first line must name the columns, "
        "one of them 'Name' (or 'First Name' and 'Last Name')"
    ]
    assert problems('Name\nAna\n"Bo\nCy\n') == [
        'rosters/p.csv:3: error: a quote opened on this line is never closed: add the closing "'
    ]
    assert problems("\n\n") == [
        "rosters/p.csv: error: the roster is empty: it needs a header line and one line per student"
    ]
    assert problems("Name,ID\n\n") == ["rosters/p.csv:1: error: the roster lists no students: add a line for each"]
    assert problems('Name\n"Ana"x\n') == [
        'rosters/p.csv:2: error: a quote on this line is out of place: a cell in quotes must start and end with "'
    ]


def test_a_comma_inside_an_unquoted_name_and_a_name_over_two_lines_are_refused():
    assert problems('Student Name\nAbernathy, Maya\n"Ruiz\nAna"\n') == [
        "rosters/p.csv:2: error: this line has 2 cells but the header names 1: "
        "put a name that holds a comma (Last, First) in quotes",
        "rosters/p.csv:3: error: the student's name runs over two lines: put it on one",
    ]


def test_the_same_name_written_two_ways_is_still_a_duplicate():
    assert problems("Name\nJosé  Ruiz\nJose\u0301 ruiz\n") == [
        "rosters/p.csv:3: error: this line repeats the student on line 2: delete one, "
        "or add a column that tells them apart (such as a student ID)"
    ]


def test_the_name_line_names_the_class_only_as_a_column_does():
    from coursepack.copies import Packet

    def head(text: str) -> str:
        student = parse_roster(text, "rosters/biology.csv", "biology").students[0]
        html = names_pages(Packet(None, 612, 792, (), "en"), student)  # type: ignore[arg-type]
        return html.split('class="cs-head">')[1].split("</div>")[0]

    assert head("Name\nAna\n") == "<bdi>Ana</bdi>"  # never the roster's file name
    assert head("Name,Section\nAna,2\n") == "<bdi>Ana</bdi> · <bdi>Section 2</bdi>"
    assert head("Name,Period,Class\nAna,3,Biology\n") == "<bdi>Ana</bdi> · <bdi>Period 3</bdi>"


def test_file_names_never_carry_bidi_controls_or_paths_and_stay_short():
    assert slug("\u202eevil\u202c/../../etc/passwd") == "evil-etc-passwd"
    assert slug("..") == ""
    assert students("Name\n../..\n")[0][2] == "student-2"
    assert len(slug("𝔸" * 200).encode()) <= 80


def test_no_student_takes_the_print_file_and_no_two_classes_share_a_folder():
    roster = parse_roster("Name,Class\nPrint All,Biology A\nAna,Biology A\nAna,biology-a\n", "rosters/p.csv", "p")
    assert [(s.folder, s.slug) for s in roster.students] == [
        ("biology-a", "print-all-2"),
        ("biology-a", "ana"),
        ("biology-a-2", "ana"),
    ]


# ---------------------------------------------------------------- named packets

NAMES = ["José Luis Álvarez", "Siobhán O'Connor; Jr.", "Chinedu Okafor-Bello", "يوسف حداد"]


@pytest.fixture(scope="module")
def class_set(tmp_path_factory) -> Path:
    root = write_course(
        tmp_path_factory.mktemp("classset") / "course",
        {
            "lessons/intro.md": LESSON,
            "handouts/roles/welder.md": ROLE.format(title="Welder", related="assembler"),
            "handouts/roles/assembler.md": ROLE.format(title="Assembler", related="welder"),
            "rosters/period-3.csv": ROSTER,
        },
    )
    assert main(["--course", str(root), "classset", "--roster", "rosters/period-3.csv", "--quiet", "--jobs", "1"]) == 0
    return root


def test_every_named_page_carries_its_student_and_no_other(class_set):
    folder = class_set / "build/classes/period-3/unit"
    packet = pages_text(class_set / "build/student/unit.pdf")
    assert sorted(p.name for p in folder.glob("*.pdf")) == sorted(
        [
            "jose-luis-alvarez.pdf",
            "siobhan-oconnor-jr.pdf",
            "chinedu-okafor-bello.pdf",
            "يوسف-حداد.pdf",
            "print-all.pdf",
        ]
    )
    for name in NAMES:
        path = folder / f"{slug(name)}.pdf"
        pages = [squash(text) for text in pages_text(path)]
        assert len(pages) == len(packet)
        assert all(name in page for page in pages), name
        assert not any(other in page for other in NAMES if other != name for page in pages)
        assert all(f"{name} · Period 3" in page for page in pages[1:])
    assert sorted(p.name for p in (class_set / "build/classes/period-4/unit").glob("*.pdf")) == [
        "print-all.pdf",
        "thi-minh-anh-nguyen.pdf",
    ]


def test_a_named_copy_keeps_the_packet_tags_bookmarks_and_labels(class_set):
    packet = PdfReader(class_set / "build/student/unit.pdf")
    named = PdfReader(class_set / "build/classes/period-3/unit/chinedu-okafor-bello.pdf")
    assert named.page_labels == packet.page_labels
    assert [item.title for item in named.outline if not isinstance(item, list)] == [
        item.title for item in packet.outline if not isinstance(item, list)
    ]
    assert "/StructTreeRoot" in named.root_object and named.root_object["/MarkInfo"]["/Marked"]
    content = named.pages[3].get_contents().get_data()
    assert content.rstrip().endswith(b"/Artifact BMC q /CoursepackName Do Q EMC")


@pytest.mark.skipif(
    shutil.which("pdfua") is None and not Path(sys.prefix, "bin", "pdfua").exists(), reason="pdfua not installed"
)
def test_named_copies_pass_the_independent_checker(class_set):
    checker = shutil.which("pdfua") or str(Path(sys.prefix, "bin", "pdfua"))
    path = class_set / "build/classes/period-3/unit/يوسف-حداد.pdf"
    report = subprocess.run([checker, "check", str(path)], capture_output=True, text=True).stdout
    assert "[ERROR]" not in report, report


def test_print_all_starts_each_student_on_a_new_sheet_with_a_bookmark(class_set):
    each = len(PdfReader(class_set / "build/student/unit.pdf").pages)
    reader = PdfReader(class_set / "build/classes/period-3/unit/print-all.pdf")
    assert len(reader.pages) == each * len(NAMES)
    assert [(item.title, reader.get_destination_page_number(item)) for item in reader.outline] == [
        (name, index * each) for index, name in enumerate(NAMES)
    ]
    text = [squash(page.extract_text()) for page in reader.pages]
    for index, name in enumerate(NAMES):
        assert all(name in page for page in text[index * each : (index + 1) * each])


def test_print_all_as_booklets(class_set):
    code = main(
        ["--course", str(class_set), "classset", "--roster", "rosters/period-3.csv", "--layout", "booklet", "--quiet"]
    )
    assert code == 0
    pages = len(PdfReader(class_set / "build/student/unit.pdf").pages)
    reader = PdfReader(class_set / "build/classes/period-3/unit/print-all.pdf")
    sides = len(impose.booklet_sides(pages))
    assert len(reader.pages) == sides * len(NAMES)
    box = reader.pages[0].mediabox
    assert (round(box.width), round(box.height)) == (792, 612)
    first = squash(reader.pages[0].extract_text())
    assert "Unit One" in first and NAMES[0] in first
    assert [reader.get_destination_page_number(item) for item in reader.outline] == [
        index * sides for index in range(len(NAMES))
    ]
    assert main(["--course", str(class_set), "classset", "--roster", "rosters/period-3.csv", "--quiet"]) == 0


@pytest.mark.parametrize(
    ("pages", "order"),
    [
        (8, [(7, 0), (1, 6), (5, 2), (3, 4)]),
        (10, [(None, 0), (1, None), (9, 2), (3, 8), (7, 4), (5, 6)]),
        (13, [(None, 0), (1, None), (None, 2), (3, 12), (11, 4), (5, 10), (9, 6), (7, 8)]),
    ],
)
def test_booklet_page_order(pages, order):
    sides = impose.booklet_sides(pages)
    assert [(side.left, side.right) for side in sides] == order
    assert len(sides) % 2 == 0 and len(sides) * 2 % 4 == 0
    printed = sorted(slot for side in sides for slot in (side.left, side.right) if slot is not None)
    assert printed == list(range(pages))


def test_two_up_keeps_reading_order_and_whole_sheets():
    assert [(s.left, s.right) for s in impose.two_up_sides(5, duplex=True)] == [(0, 1), (2, 3), (4, None), (None, None)]
    assert len(impose.two_up_sides(5, duplex=False)) == 3


# ---------------------------------------------------------------- refusals


def test_a_roster_outside_the_course_or_an_unknown_packet_is_refused_before_building(course, tmp_path, capsys):
    root = course({"rosters/p.csv": "Name\nAna\n"})
    outside = tmp_path / "elsewhere.csv"
    outside.write_text("Name\nAna\n", encoding="utf-8")
    assert main(["--course", str(root), "classset", "--roster", str(outside)]) == 1
    assert capsys.readouterr().err == (
        f"coursepack: error: the roster {outside} is outside the course folder: put it in {root.resolve() / 'rosters'}\n"
    )
    assert main(["--course", str(root), "classset", "--roster", "rosters/p.csv", "--packet", "unit-9"]) == 1
    assert capsys.readouterr().err == "coursepack: error: no packet 'unit-9' in course.toml (its packets: unit)\n"
    assert not (root / "build").exists()


def test_a_name_no_bundled_font_can_print_is_an_error_at_its_line(course, capsys):
    root = course({"rosters/p.csv": "Name\nAna\n李娜\n"})
    assert main(["--course", str(root), "classset", "--roster", "rosters/p.csv"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("rosters/p.csv:3: error: the character '娜' (U+5A1C) cannot be printed")
    assert err[-1] == "2 problems found; nothing was written."
    assert not (root / "build").exists()


def test_a_named_copy_holds_no_classmate_letters(class_set):
    named = PdfReader(class_set / "build/classes/period-3/unit/chinedu-okafor-bello.pdf")
    form = named.pages[1]["/Resources"]["/XObject"]["/CoursepackName"].get_object()
    mapped = set()
    for font in form["/Resources"]["/Font"].values():
        cmap = font.get_object()["/ToUnicode"].get_data().decode("latin-1")
        mapped |= {chr(int(code, 16)) for code in re.findall(r"<[0-9A-F]{4}> <([0-9A-F]{4})>", cmap)}
    assert mapped <= set("Chinedu Okafor-Bello · Period 3")
    assert "ي" not in mapped


def test_a_student_no_longer_on_the_roster_loses_their_file_and_nothing_else_goes(class_set):
    folder = class_set / "build/classes/period-3/unit"
    mine = folder / "my-answer-key.pdf"
    mine.write_bytes(b"%PDF-1.7 a teacher's own file")
    roster = class_set / "rosters/period-3.csv"
    roster.write_text(ROSTER.replace("Okafor-Bello;Chinedu;103;3;\n", ""), encoding="utf-8")
    try:
        assert main(["--course", str(class_set), "classset", "--roster", "rosters/period-3.csv", "--quiet"]) == 0
        assert not (folder / "chinedu-okafor-bello.pdf").exists()
        assert mine.is_file() and (folder / "jose-luis-alvarez.pdf").is_file()
    finally:
        roster.write_text(ROSTER, encoding="utf-8")
        mine.unlink()
        assert main(["--course", str(class_set), "classset", "--roster", "rosters/period-3.csv", "--quiet"]) == 0


def test_named_copies_are_the_same_bytes_every_time(class_set, tmp_path):
    path = class_set / "build/classes/period-3/unit/jose-luis-alvarez.pdf"
    before = path.read_bytes()
    assert main(["--course", str(class_set), "classset", "--roster", "rosters/period-3.csv", "--quiet"]) == 0
    assert path.read_bytes() == before
    assert PdfReader(BytesIO(before)).pages[0].extract_text().count("José Luis Álvarez") == 1


def test_impose_writes_a_booklet_and_a_two_up_file_of_a_packet(class_set, capsys):
    pages = len(PdfReader(class_set / "build/student/unit.pdf").pages)
    assert main(["--course", str(class_set), "impose", "--quiet"]) == 0
    booklet = PdfReader(class_set / "build/student/unit-booklet.pdf")
    sides = impose.booklet_sides(pages)
    assert len(booklet.pages) == len(sides)
    assert [item.title for item in booklet.outline] == ["Unit One"]
    assert "Unit One" in squash(booklet.pages[0].extract_text())  # the cover, on the right half of the first side
    assert NAMES[0] not in " ".join(page.extract_text() for page in booklet.pages)
    sheets = len(sides) // 2
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == (
        f"{class_set / 'build/student/unit-booklet.pdf'}: 1 booklet on {sheets} sheets: print on both sides, "
        "flipping on the short edge; fold each booklet's sheets in half and staple at the fold "
        "(pages print at about two-thirds of their size)"
    )
    assert main(["--course", str(class_set), "impose", "--layout", "2up", "--packet", "unit", "--quiet"]) == 0
    two_up = PdfReader(class_set / "build/student/unit-2up.pdf")
    assert len(two_up.pages) == len(impose.two_up_sides(pages, duplex=True))
    assert (round(two_up.pages[0].mediabox.width), round(two_up.pages[0].mediabox.height)) == (792, 612)


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
@pytest.mark.parametrize("box", [(0, 0, 612, 792), (0, 0, 595, 420), (10, 20, 842, 595)])
def test_the_name_line_sits_at_the_top_of_any_bound_page_as_it_is_shown(box, turn):
    from pypdf import PageObject
    from pypdf.generic import RectangleObject

    from coursepack.copies import placement

    page = PageObject.create_blank_page(width=box[2] - box[0], height=box[3] - box[1])
    page.mediabox = RectangleObject(box)
    page.rotate(turn)
    a, b, c, d, e, f = placement(page, 612, 792)
    x, y = 306 * a + (792 - 20) * c + e, 306 * b + (792 - 20) * d + f  # the name line, centred, 20 pt from the top
    left, bottom, right, top = box
    shown = {  # where a reader shows that point, on the page turned as /Rotate says
        0: (x - left, y - bottom),
        90: (y - bottom, right - x),
        180: (right - x, top - y),
        270: (top - y, x - left),
    }[turn]
    wide, high = (top - bottom, right - left) if turn in (90, 270) else (right - left, top - bottom)
    assert shown == pytest.approx((wide / 2, high - 20), abs=0.01)
    assert (a * d - b * c) == 1  # turned, never mirrored


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_imposition_puts_any_page_upright_inside_its_half(turn):
    side = impose.side_size(612, 792)
    box = (0, 0, 595, 420)  # an A5 landscape page bound into a Letter packet
    a, b, c, d, e, f = impose.into_half(side, 1, box, turn)
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (0, 595) for y in (0, 420)]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    assert side[0] / 2 - 0.01 <= min(xs) and max(xs) <= side[0] + 0.01 and min(ys) >= 0 and max(ys) <= side[1] + 0.01
    top_left = {0: (0, 420), 90: (0, 0), 180: (595, 0), 270: (595, 420)}[turn]  # the corner a reader sees top left
    x, y = a * top_left[0] + c * top_left[1] + e, b * top_left[0] + d * top_left[1] + f
    assert x == pytest.approx(min(xs)) and y == pytest.approx(max(ys))


def test_a_roster_is_found_in_the_course_whatever_the_current_folder(course, tmp_path, capsys, monkeypatch):
    root = course({"rosters/p.csv": "Name\nAna\n"})
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "rosters").mkdir(parents=True)
    (elsewhere / "rosters/p.csv").write_text("Name\nSomeone else\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    assert classset_roster(root, "rosters/p.csv") == ["Ana"]
    assert main(["--course", str(root), "classset", "--roster", "rosters/nope.csv"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "rosters/nope.csv: error: there is no such roster: check its name and folder"
    )


def classset_roster(root: Path, given: str) -> list[str]:
    from coursepack.classset import checked_roster

    return [student.name for student in checked_roster(root, Path(given)).students]
