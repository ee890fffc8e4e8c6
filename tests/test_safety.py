"""Nothing lost, nothing leaked, same bytes: output folders, permissions, blocks, links, reproducibility."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import REPO, pages_text, squash
from pypdf import PdfReader

from coursepack import build, export
from coursepack.cli import main
from coursepack.errors import CoursepackError
from coursepack.output import MARKER
from coursepack.pool import gigabytes, memory_budget, render_all

CARPENTRIES_LESSON = """\
---
title: Working with Files
---
## Listing files

A folder is *مجلد* in Arabic and *תיקייה* in Hebrew 📁. Run the command and read its output:

```
$ tree project
project/
├── data
│   └── parts.csv
└── README.md
```

::::::::::::::::::::::::::::::::::::::: challenge

## Challenge 1: Count the files

How many files does `project` hold? See [the welder](../handouts/roles/welder.md).

:::::::::::::::: solution

## Solution

SOLUTIONTEXT there are two files.

:::::::::::::::::::::::::

::::::::::::::::::::::::::::::::::::::::::::::::::

::: instructor
INSTRUCTORTEXT pause here for questions.
:::

::: {.callout}
## Tip
Use `tree -L 1` for one level.
:::

:::: keypoints
- `tree` draws folders as a tree.
::::

::: answer
ANSWERTEXT
:::

:::::: key
KEYTEXT
::::::
"""
SECRETS = ("SOLUTIONTEXT", "INSTRUCTORTEXT", "ANSWERTEXT", "KEYTEXT")


def run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.suffix in (".pdf", ".imscc")
    }


QUIZ = """---
title: Quiz
---
? Pick one {points: 1}
(x) Yes
( ) No

? Match them. {points: 2}
A = first
B = second
"""


# ---------------------------------------------------------------- nothing lost


@pytest.mark.parametrize("out", [".", "lessons", "handouts/roles", "styles", ".."])
def test_build_and_clean_refuse_an_output_folder_holding_sources(course, capsys, out):
    root = course({"styles/x.css": "p { color: black; }"})
    before = sorted(p.relative_to(root.parent).as_posix() for p in root.parent.rglob("*"))
    target = (root / out).resolve()
    for command in ("build", "clean"):
        code, _, err = run(capsys, "--course", root, "--out", root / out, command)
        assert code == 1
        assert err.startswith(f"coursepack: error: the output folder {target} ")
    assert sorted(p.relative_to(root.parent).as_posix() for p in root.parent.rglob("*")) == before


def test_clean_refuses_a_folder_coursepack_did_not_make(course, capsys, tmp_path):
    root = course()
    mine = tmp_path / "photos"
    mine.mkdir()
    (mine / "holiday.jpg").write_bytes(b"not really")
    code, _, err = run(capsys, "--course", root, "--out", mine, "clean")
    assert code == 1
    assert (
        err == f"coursepack: error: {mine} was not made by coursepack (it has no {MARKER} file); nothing was removed\n"
    )
    assert (mine / "holiday.jpg").is_file()
    code, _, err = run(capsys, "--course", root, "--out", mine, "build")
    assert code == 1
    assert "already holds files coursepack did not make" in err
    assert sorted(p.name for p in mine.iterdir()) == ["holiday.jpg"]


def test_pdfs_have_ordinary_permissions_and_no_litter_is_left(course, capsys, tmp_path, monkeypatch):
    root = course()
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr(tempfile, "tempdir", None)
    old = os.umask(0o022)
    try:
        assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    finally:
        os.umask(old)
    pdfs = list((root / "build").rglob("*.pdf"))
    assert pdfs and {oct(p.stat().st_mode & 0o777) for p in pdfs} == {"0o644"}
    assert list(scratch.iterdir()) == []  # no weasyprint-* font folders left in the temporary directory
    assert sorted(p.name for p in (root / "build").iterdir()) == [
        ".coursepack-cache.json",
        ".coursepack-output",
        ".coursepack-parts",
        ".lock",
        "large-print",
        "student",
        "teacher",
    ] or sorted(p.name for p in (root / "build").iterdir()) == [
        ".coursepack-cache.json",
        ".coursepack-output",
        ".coursepack-parts",
        ".lock",
        "student",
        "teacher",
    ]


@pytest.mark.skipif(not shutil.which("prlimit"), reason="prlimit (util-linux) is not installed")
def test_a_build_works_under_a_4_gb_address_space_limit(course, tmp_path):
    root = course()
    result = subprocess.run(
        ["prlimit", "--as=4000000000", sys.executable, str(REPO / "render.py"), "--course", str(root), "build"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert (root / "build" / "student" / "unit.pdf").is_file()


# ---------------------------------------------------------------- nothing leaked


@pytest.fixture(scope="module")
def carpentries(tmp_path_factory) -> Path:
    """A course holding a Carpentries-style lesson, built once in strict mode."""
    from conftest import COURSE_TOML, ROLE, write_course

    root = write_course(
        tmp_path_factory.mktemp("carpentries") / "course",
        {
            "course.toml": COURSE_TOML.replace('["intro", "roles/*"]', '["files", "roles/*"]'),
            "lessons/files.md": CARPENTRIES_LESSON,
            "handouts/roles/welder.md": ROLE.format(title="Welder", related="assembler"),
            "handouts/roles/assembler.md": ROLE.format(title="Assembler", related="welder"),
        },
    )
    build.build(root, root / "build", strict=True, workers=1)
    return root


def test_teacher_only_blocks_of_any_fence_never_reach_students(carpentries):
    for edition in ("student", "teacher"):
        for pdf in (carpentries / "build" / edition).rglob("*.pdf"):
            text = squash(" ".join(pages_text(pdf)))
            assert ":::" not in text
            if "files" in pdf.name or "unit" in pdf.name:
                assert "├── data" in text
                assert "CHALLENGE 1: COUNT THE FILES" in text
                assert "TIP Use tree -L 1 for one level." in text
                for secret in SECRETS:
                    assert (secret in text) == (edition == "teacher"), (pdf, secret)


def test_every_link_annotation_is_web_mail_or_internal(carpentries):
    """No file:, javascript: or data: URI in any output PDF; the cross-reference stays inside the packet."""
    internal = 0
    for pdf in (carpentries / "build").rglob("*.pdf"):
        for page in PdfReader(pdf).pages:
            for annotation in page.get("/Annots") or []:
                action = annotation.get_object().get("/A") or {}
                uri = str(action.get("/URI", ""))
                assert not uri.lower().startswith(("file:", "javascript:", "data:")), (pdf, uri)
                assert not uri or uri.startswith(("http:", "https:", "mailto:")), (pdf, uri)
                internal += action.get("/S") == "/GoTo" or "/Dest" in annotation.get_object()
    assert internal >= 2  # "the welder" links to the role sheet in each edition's packet


def test_links_that_leave_the_course_are_errors_with_their_lines(course, capsys):
    body = (
        "---\ntitle: Links\n---\nA [web page](https://example.org) and [mail](mailto:a@b.org).\n\n"
        'Bad: <a href="../../../../etc/passwd">passwd</a>\n\n'
        "[script](javascript:alert(1)) and [file](file:///etc/hosts) and [picture](../images/x.png)\n\n"
        "```\n[not a link](../../secret)\n```\n"
    )
    root = course({"lessons/intro.md": body})
    code, _, err = run(capsys, "--course", root, "check")
    allowed = "links may go to web pages (https://…), email addresses (mailto:…) or other documents of this course"
    assert code == 1
    assert err.splitlines() == [
        f"lessons/intro.md:6: error: the link '../../../../etc/passwd' leads outside the course folder: {allowed}",
        f"lessons/intro.md:8: error: the link '../images/x.png' is not a document of this course: {allowed}",
        f"lessons/intro.md:8: error: the link 'file:///etc/hosts' is not allowed: {allowed}",
        f"lessons/intro.md:8: error: the link 'javascript:alert(1)' is not allowed: {allowed}",
        "4 problems found; nothing was written.",
    ]


def test_block_names_are_data_and_unknown_ones_are_errors(course, capsys):
    from conftest import COURSE_TOML

    lesson = (
        "---\ntitle: Blocks\n---\nText.\n\n::: safety\nWear goggles.\n:::\n\n::: rubric\nRUBRICTEXT\n:::\n\n"
        "```\n::: not-a-block\n```\n\n:::: wondering\nHmm.\n::::\n"
    )
    root = course({"lessons/intro.md": lesson})
    code, _, err = run(capsys, "--course", root, "check")
    assert code == 1
    assert "lessons/intro.md:6: error: unknown block 'safety'" in err
    assert "lessons/intro.md:18: error: unknown block 'wondering'" in err
    assert "not-a-block" not in err
    (root / "course.toml").write_text(
        COURSE_TOML + '\n[blocks]\nsafety = "Safety first"\nwondering = "I wonder"\n'
        '[blocks.rubric]\naudience = "teacher"\n',
        encoding="utf-8",
    )
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    student = squash(" ".join(pages_text(root / "build/student/documents/intro.pdf")))
    teacher = squash(" ".join(pages_text(root / "build/teacher/documents/intro.pdf")))
    assert "SAFETY FIRST Wear goggles." in student and "I WONDER Hmm." in student
    assert "RUBRICTEXT" not in student and "RUBRICTEXT" in teacher


def test_nesting_too_deep_is_an_error_not_a_crash(course, capsys):
    quotes = "> " * 30 + "deep"
    lists = "\n".join("    " * i + "- item" for i in range(20))
    divs = "<div>" * 60 + "x" + "</div>" * 60
    body = f"---\ntitle: Deep\n---\nText.\n\n{quotes}\n\n{lists}\n\n{divs}\n"
    root = course({"lessons/intro.md": body})
    code, _, err = run(capsys, "--course", root, "check")
    assert code == 1
    assert "internal error" not in err
    assert "lessons/intro.md:6: error: nesting deeper than 12" in err
    assert "lessons/intro.md:21: error: nesting deeper than 12" in err
    root = course({"lessons/intro.md": f"---\ntitle: Deep\n---\nText.\n\n{divs}\n"})
    code, _, err = run(capsys, "--course", root, "check")
    assert (code, err) == (
        1,
        "lessons/intro.md:6: error: nesting deeper than 40\n1 problem found; nothing was written.\n",
    )


# ---------------------------------------------------------------- same bytes


def test_two_builds_a_year_apart_give_the_same_bytes(course, tmp_path, monkeypatch):
    """Font subsets carry a 'modified' time: a clock moved forward must not change a byte."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = course(
        {
            "lessons/files.md": CARPENTRIES_LESSON,
            "handouts/worksheets/quiz.md": QUIZ.replace("---\n", "---\nfillable: true\n", 1),
        }
    )
    for folder in ("first", "second"):  # each with its LMS cartridge
        export.export_lms(root, tmp_path / folder, build.build(root, tmp_path / folder, strict=True, workers=1))
        real = time.time
        monkeypatch.setattr(time, "time", lambda real=real: real() + 400 * 86400)
    first, second = digests(tmp_path / "first"), digests(tmp_path / "second")
    assert len(first) >= 8 and first == second and "lms/test-course.imscc" in first
    assert "fillable/documents/quiz.pdf" in first
    with zipfile.ZipFile(tmp_path / "first/lms/test-course.imscc") as cartridge:  # a worksheet no packet holds
        assert b"<title>More documents</title>" in cartridge.read("imsmanifest.xml")
        assert sum(name.endswith("assessment_qti.xml") for name in cartridge.namelist()) == 1


# ---------------------------------------------------------------- workers that fail


def dies_on_b(job: SimpleNamespace) -> str:
    """A job runner whose worker is killed (as the system's out-of-memory killer would) on job b."""
    if job.path == "b.pdf":
        os.kill(os.getpid(), signal.SIGKILL)
    return job.path


def runs_out_of_memory(job: SimpleNamespace) -> str:
    raise MemoryError


def test_a_worker_that_dies_is_named_truthfully_and_its_neighbours_survive(tmp_path):
    jobs = [SimpleNamespace(path=f"{name}.pdf", source=f"lessons/{name}.md") for name in "abc"]
    with pytest.raises(CoursepackError) as error:
        render_all(dies_on_b, jobs, 2, tmp_path)
    assert str(error.value) == (
        "lessons/b.md: making b.pdf failed: the system stopped its process (SIGKILL: usually out of memory); "
        "free some memory or split it"
    )
    assert render_all(dies_on_b, [jobs[0], jobs[2]], 2, tmp_path) == ["a.pdf", "c.pdf"]


def test_a_worker_out_of_memory_names_the_limit_in_force(tmp_path):
    with pytest.raises(CoursepackError) as error:
        render_all(runs_out_of_memory, [SimpleNamespace(path="a.pdf", source="lessons/a.md")], 1, tmp_path)
    assert str(error.value) == (
        f"lessons/a.md: making a.pdf failed: it needed more than {gigabytes(memory_budget())} of memory; "
        "split the document or shrink its images"
    )


def test_line_numbers_stay_true_after_fenced_code(course, capsys):
    body = "---\ntitle: Code\n---\nText.\n\n```\none\ntwo\nthree\n```\n\n~~~~\n:::\n~~~~\n\n::: frobnicate\nx\n:::\n"
    root = course({"lessons/intro.md": body})
    code, _, err = run(capsys, "--course", root, "check")
    assert (code, err.splitlines()[0]) == (
        1,
        "lessons/intro.md:16: error: unknown block 'frobnicate' (known blocks are listed in the README; add your own under [blocks] in course.toml)",
    )


def test_a_course_template_cannot_put_a_file_link_in_a_pdf(course, capsys):
    root = course()
    shutil.copytree(REPO / "styles", root / "styles")
    template = root / "styles" / "templates" / "lesson.html"
    template.write_text(
        template.read_text().replace("</section>", '<p><a href="file:///etc/passwd">notes</a></p></section>', 1)
    )
    code, _, err = run(capsys, "--course", root, "build", "--jobs", "1", "--no-strict")
    assert code == 0
    assert "lessons/intro.md: warning: removed a link to 'file:///etc/passwd' (written in a template)" in err
    uris = [
        str((annotation.get_object().get("/A") or {}).get("/URI", ""))
        for pdf in (root / "build").rglob("*.pdf")
        for page in PdfReader(pdf).pages
        for annotation in page.get("/Annots") or []
    ]
    assert uris and not [uri for uri in uris if uri.startswith("file:")]


def test_course_templates_run_in_a_sandbox(course, capsys):
    root = course()
    shutil.copytree(REPO / "styles", root / "styles")
    template = root / "styles" / "templates" / "lesson.html"
    template.write_text(template.read_text() + "{{ ''.__class__.__mro__[1].__subclasses__() }}\n")
    code, _, err = run(capsys, "--course", root, "check")
    assert code == 1
    assert err.startswith("styles/templates/lesson.html:")
    assert "the template failed: SecurityError: access to attribute '__class__' of 'str' object is unsafe." in err


KRAMDOWN_LESSON = """\
---
title: Scaling Up
---
Intro.

> ## Challenge 1: Parametrise
>
> Rewrite the test with `pytest.mark.parametrize`.
>
> > ## Solution
> > KRAMDOWNSECRET use a list of tuples.
> > ~~~
> > @pytest.mark.parametrize("a", [1, 2])
> > ~~~
> > {: .language-python}
> {: .solution}
{: .challenge}

> Keep tests small.
{: .callout}

A quote that is just a quote:

> Measure twice, cut once.

~~~
pytest tests/
~~~
{: .language-bash}

{% include links.md %}
"""


def test_kramdown_blocks_of_older_carpentries_lessons_never_leak(course, capsys):
    root = course({"lessons/intro.md": KRAMDOWN_LESSON})
    code, _, err = run(capsys, "--course", root, "check")
    assert (code, err.splitlines()[0]) == (
        1,
        "lessons/intro.md:31: error: the Jekyll tag '{% include links.md %}' cannot be followed here: "
        "paste in what it stands for, or remove the line",
    )
    (root / "lessons/intro.md").write_text(KRAMDOWN_LESSON.replace("{% include links.md %}\n", ""))
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    student = squash(" ".join(pages_text(root / "build/student/documents/intro.pdf")))
    teacher = squash(" ".join(pages_text(root / "build/teacher/documents/intro.pdf")))
    assert "KRAMDOWNSECRET" not in student and "KRAMDOWNSECRET" in teacher
    assert "CHALLENGE 1: PARAMETRISE Rewrite the test" in student
    assert "NOTE Keep tests small." in student and "Measure twice, cut once." in student
    assert "{:" not in student + teacher


def test_a_lone_kramdown_solution_line_is_refused(course, capsys):
    body = "---\ntitle: Lone\n---\n## Solution\nThe answer is 4.\n{: .solution}\n"
    root = course({"lessons/intro.md": body})
    code, _, err = run(capsys, "--course", root, "check")
    assert (code, err.splitlines()[0]) == (
        1,
        "lessons/intro.md:6: error: the line '{: .solution}' marks no quoted block, so what it marks would "
        "print for students: put it in a '::: solution' block",
    )


def test_carpentries_episode_front_matter_prints(course, capsys):
    body = (
        "---\ntitle: Navigating Files\nteaching: 30\nexercises: 10\nquestions:\n- How can I move around?\n"
        "objectives:\n- Explain paths.\nkeypoints:\n- '`cd` changes the folder.'\n---\nText.\n"
    )
    root = course({"lessons/intro.md": body})
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    student = squash(" ".join(pages_text(root / "build/student/documents/intro.pdf")))
    teacher = squash(" ".join(pages_text(root / "build/teacher/documents/intro.pdf")))
    assert "QUESTIONS How can I move around? Text. KEY POINTS cd changes the folder." in student
    assert "Time: 30 min teaching, 10 min exercises" in teacher and "30 min teaching" not in student


def test_links_that_are_almost_right_get_a_suggestion(course, capsys):
    body = "---\ntitle: Hints\n---\n[desk](help@school.org) [center](writing.tamu.edu/hours) [role](../handouts/roles/weldr.md)\n"
    root = course({"lessons/intro.md": body})
    code, _, err = run(capsys, "--course", root, "check")
    assert code == 1
    assert "the link 'help@school.org' is not a document of this course (did you mean mailto:help@school.org?)" in err
    assert "(did you mean https://writing.tamu.edu/hours?)" in err
    assert "(did you mean ../handouts/roles/welder.md?)" in err


# Every route a reviewer found for teacher-only text to reach students: refused with its line, or hidden.
HIDDEN = {
    "two-classes": ("lessons/intro.md", "Intro.\n\n::: {.callout .solution}\nSECRET\n:::\n"),
    "stray-backticks": ("lessons/intro.md", "Intro.\n\n```ls -l``` lists the files.\n\n::: solution\nSECRET\n:::\n"),
    "unclosed-code-fence": ("lessons/intro.md", "Intro.\n\n```\n\n::: solution\nSECRET\n:::\n"),
    "kramdown": ("lessons/intro.md", "Intro.\n\n> ## Solution\n> SECRET\n{: .solution}\n"),
    "renamed-key": ("lessons/intro.md", "Intro.\n\n::: key\nSECRET\n:::\n"),
    "class-key": ("lessons/intro.md", "Intro.\n\n::: {class=solution}\nSECRET\n:::\n"),
    "kramdown-two-classes": ("lessons/intro.md", "Intro.\n\n> SECRET\n{: .challenge .solution}\n"),
    "wrapped-sample-answer": (
        "handouts/worksheets/w.md",
        "? Explain one way automation creates jobs. {lines: 4}\n> Robots must be repaired, which\ncreates jobs for SECRET technicians.\n",
    ),
    "kramdown-word-bank": (
        "handouts/worksheets/w.md",
        "## Part A {word bank}\n\n? A [[visible]] thing.\n\n> If stuck: [[SECRET]]\n{: .solution}\n",
    ),
    "question-then-block": ("handouts/worksheets/w.md", "? What is 2+2?\n::: solution\nSECRET\n:::\n"),
    "word-bank": (
        "handouts/worksheets/w.md",
        "## Part A {word bank}\n\n? The sky is [[blue]].\n\n::: teacher\nIf stuck: [[SECRET]].\n:::\n",
    ),
}
REFUSED = {
    "indented-fence": (
        "Intro.\n\n    ::: solution\n    SECRET\n    :::\n",
        6,
        "this indented block prints as code, for students too",
    ),
    "inline-attribute": (
        "Intro.\n\nTerm\n:   The answer {: .solution}\n\nSECRET\n",
        7,
        "this '{: .solution}' is not read as a block",
    ),
    "invisible-before-fence": (
        "Intro.\n\n\u200b::: solution\nSECRET\n\u200b:::\n",
        6,
        "this ':::' is not read as a block",
    ),
    "look-alike-colons": (
        "Intro.\n\n\u2236\u2236\u2236 solution\nSECRET\n\u2236\u2236\u2236\n",
        6,
        "this ':::' is not read as a block",
    ),
    "fence-in-quote": ("Intro.\n\n> ::: solution\n> SECRET\n> :::\n", 6, "this ':::' is not read as a block"),
    "fence-in-list": (
        "Intro.\n\n- Step one\n\n    ::: solution\n    SECRET\n    :::\n",
        8,
        "this ':::' is not read as a block",
    ),
    "html-class": (
        'Intro.\n\n<div class="solution">SECRET</div>\n',
        6,
        "HTML or an attribute marks this as 'solution' but cannot hide it: use a '::: solution' block",
    ),
    "details": (
        "Intro.\n\n<details><summary>Solution</summary>SECRET</details>\n",
        6,
        "a <details> block cannot fold on paper: use '::: solution' for an answer or '::: spoiler' for more",
    ),
}


@pytest.mark.parametrize("name", list(HIDDEN))
def test_teacher_text_is_hidden_however_it_is_written(course, capsys, name):
    from conftest import COURSE_TOML

    path, body = HIDDEN[name]
    toml = (
        "large_print = true\n" + COURSE_TOML.replace('["intro", "roles/*"]', '["*"]') + '\n[blocks]\nkey = "Key idea"\n'
    )
    root = course({"course.toml": toml, path: f"---\ntitle: Leaky\n---\n{body}"})
    assert run(capsys, "--course", root, "export", "--site", "--jobs", "1")[0] == 0  # builds the PDFs first
    for edition in ("student", "large-print", "teacher"):
        text = " ".join(pages_text(root / "build" / edition / "unit.pdf"))
        assert ("SECRET" in text) == (edition == "teacher"), edition
        assert ":::" not in text
    site = [path for path in (root / "build" / "site").rglob("*") if path.is_file()]
    assert Path(path).stem + ".html" in {page.name for page in site}
    for path in site:
        if path.suffix == ".pdf":
            assert "SECRET" not in " ".join(pages_text(path)), path
        else:
            assert b"SECRET" not in path.read_bytes() and b":::" not in path.read_bytes(), path


@pytest.mark.parametrize("name", list(REFUSED))
def test_teacher_text_that_cannot_be_hidden_is_refused_at_its_line(course, capsys, name):
    body, line, message = REFUSED[name]
    root = course({"lessons/intro.md": f"---\ntitle: Leaky\n---\n{body}"})
    code, _, err = run(capsys, "--course", root, "check")
    assert code == 1
    assert err.startswith(f"lessons/intro.md:{line}: error: {message}")


def test_many_identical_bad_links_are_reported_quickly_each_at_its_line(course, capsys):
    body = "".join(f"See [a](javascript:x) number {i}.\n\n" for i in range(3000))
    root = course({"lessons/intro.md": f"---\ntitle: Links\n---\n{body}"})
    code, _, err = run(capsys, "--course", root, "check")
    lines = [line.split(":")[1] for line in err.splitlines()[:-1]]
    assert code == 1 and lines == [str(4 + 2 * i) for i in range(3000)]


@pytest.mark.parametrize(("paragraphs", "spills"), [(8, False), (10, True), (16, False)])
def test_a_role_sheet_that_spills_a_few_lines_is_a_warning(course, paragraphs, spills):
    """Measured with WeasyPrint's public page anchors (an end mark), not its private page boxes."""
    from conftest import ROLE

    body = "\n\n".join(
        f"Paragraph {i}: the shift starts with a safety check of every machine." for i in range(paragraphs)
    )
    role = ROLE.format(title="Welder", related="assembler").replace("You arrive at seven and start the line.", body)
    root = course({"handouts/roles/welder.md": role})
    outputs = build.build(root, root / "build", strict=False, workers=1)
    warnings = next(o for o in outputs if o.path == "student/documents/welder.pdf").warnings
    spill = "handouts/roles/welder.md: warning: the role sheet spills a few lines onto its last page; shorten it to fit on one page"
    assert (warnings == [spill]) == spills


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            "? Complete the table.\n| Robotics technician | [[SECRET]] |\n| Welder | [[Production]] |\n",
            "an answer in [[…]] belongs in a fill-in question's prompt or table cells",
        ),
        (
            "? A [[SECRET]] works here. Which?\n( ) Welder\n(x) Engineer\n",
            "an answer in [[…]] belongs in a fill-in question's prompt or table cells",
        ),
        ("? Explain. {lines: ²}\n", "lines must be a whole number from 1 to 40, not '²'"),
        ("? Explain.\nTeacher note: SECRET\n", "write a teacher note as 'Note: …', not 'Teacher note: SECRET'"),
    ],
)
def test_answers_written_where_they_would_print_are_refused(course, capsys, question, message):
    root = course({"handouts/worksheets/w.md": f"---\ntitle: W\n---\n{question}"})
    code, _, err = run(capsys, "--course", root, "check")
    line = 5 if "Teacher note" in question else 4
    assert (code, err.splitlines()[0]) == (1, f"handouts/worksheets/w.md:{line}: error: {message}")


def test_the_answer_key_at_a_glance_renders_inline_markdown(course, capsys):
    body = "---\ntitle: Shell\nkey: true\n---\n? Which command lists files? {lines: 2}\n> `ls -l` or *ls*\n"
    root = course({"handouts/worksheets/shell.md": body})
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0
    text = squash(" ".join(pages_text(root / "build/teacher/documents/shell.pdf")))
    assert "Answer key at a glance" in text and "ls -l or ls" in text and "`" not in text


def test_links_to_anchors_that_do_not_exist(course, capsys):
    body = "---\ntitle: Anchors\n---\n## Duties\n\nSee [duties](#duties) and [nothing](#nowhere).\n"
    root = course({"lessons/intro.md": body})
    code, _, err = run(capsys, "--course", root, "check")
    assert (code, err.splitlines()[0]) == (
        1,
        "lessons/intro.md:6: error: the link '#nowhere' leads to no heading or anchor of this document",
    )
    body = "---\ntitle: Anchors\n---\nSee [the welder's duties](../handouts/roles/welder.md#nowhere) and [me](intro.md#top).\n"
    (root / "lessons/intro.md").write_text(body)
    assert run(capsys, "--course", root, "build", "--jobs", "1")[0] == 0  # unknown anchors lead to the document
