"""Shared fixtures: small courses written from dicts, and one build of the bundled course."""

from __future__ import annotations

import fcntl
import functools
import hashlib
import os
import textwrap
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from coursepack import build

REPO = Path(__file__).resolve().parent.parent

COURSE_TOML = """\
title = "Test Course"
teacher = "Ms. Rivera"
school = "Lincoln High"

[pathways]
production = "Production"

[[packets]]
id = "unit"
title = "Unit One"
documents = ["intro", "roles/*"]
"""

LESSON = """\
---
title: Introduction
lesson: 1
objectives:
  - Students will name three sectors.
---
## Making things

Factories turn raw materials into products.

::: teacher
Secret teaching tip: start with a cereal box.
:::
"""

ROLE = """\
---
title: {title}
pathway: production
summary: Makes things on the line.
duties: [Operate machines, Assemble parts]
skills: [Teamwork]
tools: [Hand tools]
education:
  high_school: [Algebra I]
  credentials: [OSHA 10]
environment: A busy factory floor.
related: [{related}]
reflection: ["What would you enjoy?", "What would be hard?"]
---
You arrive at seven and start the line.
"""


def write_course(root: Path, files: dict[str, str]) -> Path:
    files = {"course.toml": COURSE_TOML, **files}
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return root


@pytest.fixture
def course(tmp_path):
    """``course({path: text})`` writes a small course folder and returns its path."""

    def make(files: dict[str, str] | None = None, base: bool = True) -> Path:
        default = {
            "lessons/intro.md": LESSON,
            "handouts/roles/welder.md": ROLE.format(title="Welder", related="assembler"),
            "handouts/roles/assembler.md": ROLE.format(title="Assembler", related="welder"),
        }
        return write_course(tmp_path / "course", {**(default if base else {}), **(files or {})})

    return make


@pytest.fixture(scope="session")
def bundled(tmp_path_factory) -> Path:
    """The bundled course, built once (strict) for the whole run, whichever test worker asks first."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the folder every worker of this run shares
    out = shared / "bundled"
    with open(shared / "bundled.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the other workers wait for the first one's build
        if not (out / "done").is_file():
            build.build(REPO, out, strict=True)
            (out / "done").write_text("built\n")
    return out


@pytest.fixture(scope="session")
def bundled_site(bundled) -> Path:
    """The bundled course's web edition (``export --site``), made once for the whole run beside its PDFs."""
    from coursepack import publish

    with open(bundled.parent / "bundled.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (bundled / "site-done").is_file():
            publish.export_site(REPO, bundled, strict=True)
            (bundled / "site-done").write_text("exported\n")
    return bundled / publish.SITE


def pages_text(path: Path | bytes) -> list[str]:
    """The text of each page; the same bytes are extracted once per test session."""
    data = path if isinstance(path, bytes) else path.read_bytes()
    return list(text_of(hashlib.sha256(data).hexdigest(), data))


@functools.cache
def text_of(digest: str, data: bytes) -> tuple[str, ...]:
    return tuple(page.extract_text() or "" for page in PdfReader(BytesIO(data)).pages)


def squash(text: str) -> str:
    """Text with all white space folded, for searches across line breaks."""
    return " ".join(text.split())


def outline(path: Path) -> list[tuple[int, str, int]]:
    """The outline as (depth, title, page index) triples, in order."""
    reader = PdfReader(str(path))
    result = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                result.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return result
