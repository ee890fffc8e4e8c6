"""Loading again in a warm process (watch) sees every change, though it reads again only what changed."""

import shutil

from coursepack import images, typeset
from coursepack.errors import SourceErrors
from coursepack.loading import load


def problems(root) -> list[str]:
    try:
        load(root)
    except SourceErrors as errors:
        return [str(problem) for problem in errors.problems]
    return []


def test_a_warm_reload_sees_each_edit(course):
    root = course()
    lesson = root / "lessons" / "intro.md"
    first = load(root).sections
    assert "cereal box" in first[("intro", "teacher", 0)] and "cereal box" not in first[("intro", "student", 0)]
    lesson.write_text(lesson.read_text().replace("cereal box", "paper plane"), encoding="utf-8")
    again = load(root).sections
    assert "paper plane" in again[("intro", "teacher", 0)] and "cereal box" not in again[("intro", "teacher", 0)]
    assert again[("welder", "student", 0)] == first[("welder", "student", 0)]


def test_a_warm_reload_finds_a_new_problem_and_forgets_a_fixed_one(course):
    root = course()
    lesson = root / "lessons" / "intro.md"
    text = lesson.read_text()
    assert problems(root) == []
    lesson.write_text(text + "\n::: nonsense\nx\n:::\n", encoding="utf-8")
    assert problems(root) == [
        "lessons/intro.md:15: error: unknown block 'nonsense' (known blocks are listed in the README; "
        "add your own under [blocks] in course.toml)"
    ]
    lesson.write_text(text, encoding="utf-8")
    assert problems(root) == []


def test_a_warm_reload_redraws_the_cluster_map_when_a_role_changes(course):
    root = course({"lessons/overview.md": "---\ntitle: Overview\nkind: overview\n---\n::: cluster-map\n:::\n"})
    assert "Welder" in load(root).sections[("overview", "student", 0)]
    role = root / "handouts" / "roles" / "welder.md"
    role.write_text(role.read_text().replace("title: Welder", "title: Pipe Welder"), encoding="utf-8")
    assert "Pipe Welder" in load(root).sections[("overview", "student", 0)]


def test_a_warm_reload_checks_an_edited_stylesheet(course):
    root = course()
    styles = root / "styles"
    shutil.copytree(load(root).course.styles, styles)
    sheet = styles / "coursepack.css"
    text = sheet.read_text(encoding="utf-8")
    sheet.write_text(text + "h1 { colr: red; }\n", encoding="utf-8")
    line = text.count("\n") + 1
    assert problems(root) == [f"styles/coursepack.css:{line}: error: ignored `colr: red`: unknown property"]
    sheet.write_text(text, encoding="utf-8")
    assert problems(root) == []


def test_images_are_held_to_the_typesetters_size_limit():
    assert images.MAX_RESOURCE_BYTES == typeset.MAX_RESOURCE_BYTES
