"""Reading sources: decoding, front matter and safe YAML, without the disk."""

import pytest

from coursepack.schema import default_kind, validate
from coursepack.sources import SourceProblem, decode, split_front_matter


def problem_of(callable_, *args):
    with pytest.raises(SourceProblem) as caught:
        callable_(*args)
    return caught.value.line, caught.value.message


def test_utf8_with_bom_and_crlf_is_accepted():
    assert decode(b"\xef\xbb\xbf---\r\ntitle: A\r\n---\rBody") == "---\ntitle: A\n---\nBody"


def test_windows_1252_is_an_error_with_line_and_column():
    assert problem_of(decode, "---\ntitle: Caf\xe9\n".encode("cp1252")) == (
        2,
        "column 11: byte 0xe9 is not UTF-8 (a file saved as Windows-1252 or Latin-1?): save the file as UTF-8",
    )


def test_utf16_is_an_error():
    assert problem_of(decode, "---\n".encode("utf-16")) == (
        1,
        "the file is UTF-16, not UTF-8: save the file as UTF-8",
    )


def test_front_matter_splits_and_keeps_line_numbers():
    source = split_front_matter("lessons/a.md", "---\ntitle: A\nlesson: 2\n---\n# Head\ntext")
    assert source.meta == {"title": "A", "lesson": "2"}
    assert source.line_of("lesson") == 3
    assert source.body.startswith("# Head")
    assert source.body_line == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("# No front matter", (1, "the file must start with front matter: a line '---', fields, then '---'")),
        ("---\ntitle: A\n", (1, "the front matter is not closed: add a line '---' after the last field")),
        ("---\na: &x [1]\nb: *x\n---\n", (2, "YAML anchors (&name) are not allowed; write the value out")),
        (
            "---\na: !!python/object:os.system x\n---\n",
            (2, "YAML tags (tag:yaml.org,2002:python/object:os.system) are not allowed; remove the tag"),
        ),
        ("---\ntitle: A\ntitle: B\n---\n", (3, "field 'title' is given twice")),
        (
            "---\ntitle: [A\n---\n",
            (2, "the front matter is not valid YAML: expected ',' or ']', but got '<stream end>'"),
        ),
        ("---\n- a\n- b\n---\n", (2, "the front matter must be fields written as 'name: value'")),
    ],
)
def test_front_matter_problems(text, expected):
    assert problem_of(split_front_matter, "x.md", text) == expected


def test_yaml_values_stay_the_text_the_teacher_typed():
    source = split_front_matter("x.md", "---\ntitle: yes\nsubtitle: 2024-01-01\nkind: lesson\n---\n")
    kind, meta, problems = validate(source)
    assert (meta["title"], meta["subtitle"], problems) == ("yes", "2024-01-01", [])


def test_folder_decides_kind():
    assert [
        default_kind(p) for p in ("lessons/a.md", "handouts/roles/x/b.md", "handouts/worksheets/c.md", "handouts/d.md")
    ] == [
        "lesson",
        "role",
        "worksheet",
        "handout",
    ]


def test_schema_problems_are_all_reported_with_lines():
    source = split_front_matter(
        "handouts/worksheets/w.md", "---\ntitel: Quiz\nkey: maybe\nkind: lessn\n---\n? Q\n= true\n"
    )
    kind, meta, problems = validate(source)
    assert [str(p) for p in problems] == [
        "handouts/worksheets/w.md:4: error: unknown kind 'lessn' (use one of: lesson, overview, role, worksheet, handout)",
        "handouts/worksheets/w.md:2: error: unknown field 'titel' (did you mean 'title'?) for a worksheet",
        "handouts/worksheets/w.md:3: error: field 'key' must be true or false, not 'maybe'",
    ]


def test_nested_field_problems_point_at_their_line():
    text = "---\ntitle: T\nvocabulary:\n  - term: A\n    definition: B\n  - term: C\n    defn: D\n---\n"
    kind, meta, problems = validate(split_front_matter("lessons/l.md", text))
    assert [str(p) for p in problems] == [
        "lessons/l.md:7: error: field 'vocabulary' item 2: unknown field 'defn' (did you mean 'definition'?)"
    ]
