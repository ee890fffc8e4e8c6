"""Role sheets: front and back, an O*NET-SOC code, credentials by when a student earns them, no printed pay."""

from __future__ import annotations

import re

import pytest
from conftest import REPO, ROLE, pages_text, squash

from coursepack import build
from coursepack.cli import main
from coursepack.errors import SourceErrors
from coursepack.loading import load

COURSE = build.load(REPO).course
ROLES = [d for d in COURSE.documents.values() if d.kind == "role"]
EDITIONS = ["student", "teacher"]


def front_and_back(bundled, edition: str, role) -> tuple[str, str]:
    pages = pages_text(bundled / edition / "documents" / f"{role.id}.pdf")
    assert len(pages) == 2, f"{edition}/{role.id} has {len(pages)} pages"
    return squash(pages[0]).casefold(), squash(pages[1]).casefold()  # box labels print in capitals


@pytest.mark.parametrize("edition", EDITIONS)
def test_a_day_on_the_job_starts_the_back_of_every_role_sheet(bundled, edition):
    for role in ROLES:
        front, back = front_and_back(bundled, edition, role)
        assert "a day on the job" not in front, role.id
        assert back.startswith("a day on the job"), f"{role.id}: {back[:60]}"
        assert "try it" in back and squash(role.meta["try_it"])[:40].casefold() in back, role.id
        assert "reflect" in back, role.id


def test_every_role_prints_its_onet_code_and_where_to_find_local_pay(bundled):
    codes = {}
    for role in ROLES:
        code = role.meta["onet"]
        assert re.fullmatch(r"\d{2}-\d{4}\.\d{2}", code), role.id
        codes.setdefault(code, role.id)
        front, _ = front_and_back(bundled, "student", role)
        assert f"o*net-soc code {code}" in front, role.id
        assert "salary finder at careeronestop.org" in front, role.id
    assert len(codes) == len(ROLES)  # no two roles share a code by a copy-paste slip


def test_credentials_are_split_into_high_school_and_later(bundled):
    for role in ROLES:
        credentials = role.meta["education"]["credentials"]
        assert set(credentials) == {"in_high_school", "later"}, role.id
        front, _ = front_and_back(bundled, "student", role)
        assert "credentials in high school" in front and "credentials later" in front, role.id
        for item in credentials["in_high_school"] + credentials["later"]:
            assert squash(item).casefold() in front, (role.id, item)


def test_no_student_pdf_prints_a_pay_figure(bundled):
    for path in sorted((bundled / "student").rglob("*.pdf")):
        text = squash(" ".join(pages_text(path)))
        assert not re.search(r"\$\s?\d", text), path.name


@pytest.mark.parametrize(
    ("code", "shown"),
    [("51-4121", "'51-4121'"), ("514121.00", "'514121.00'"), ("[51-4121.00]", "a list")],
)
def test_a_malformed_onet_code_is_one_plain_line_naming_file_and_line(course, code, shown):
    role = ROLE.format(title="Welder", related="assembler").replace(
        "pathway: production", f"pathway: production\nonet: {code}"
    )
    root = course({"handouts/roles/welder.md": role})
    with pytest.raises(SourceErrors) as caught:
        load(root)
    assert [str(p) for p in caught.value.problems] == [
        "handouts/roles/welder.md:4: error: field 'onet' must be an O*NET-SOC code written NN-NNNN.NN,"
        f" such as 51-4121.00, not {shown}"
    ]


def test_a_role_with_one_list_of_credentials_and_no_code_still_builds(course, capsys):
    root = course()
    assert main(["--course", str(root), "build", "--jobs", "1"]) == 0
    capsys.readouterr()
    front = squash(pages_text(root / "build" / "student" / "documents" / "welder.pdf")[0]).casefold()
    assert "credentials osha 10" in front
    assert "o*net-soc code" not in front and "a day on the job" in front  # no code, no pay pointer; one page


def test_the_course_makes_no_dated_or_doubtful_claims():
    for path in [*REPO.glob("lessons/*.md"), *REPO.glob("handouts/**/*.md")]:
        text = path.read_text(encoding="utf-8")
        for claim in ("did not exist", "a generation ago"):
            assert claim not in text.lower(), (path.name, claim)
