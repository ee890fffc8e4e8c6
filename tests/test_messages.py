"""Labels in the course's language: every word coursepack prints comes from a catalogue keyed by language."""

from __future__ import annotations

import tomllib

import pytest
from conftest import pages_text, squash

from coursepack.cli import main
from coursepack.errors import SourceErrors
from coursepack.loading import load
from coursepack.messages import BUNDLED, english

QUIZ = """\
---
title: Prueba de seguridad
language: es
key: true
---
## Parte A {word bank}

? Los [[guantes]] protegen las manos. {points: 1}

? Las gafas protegen los oídos.
= false

? ¿Qué protege los ojos?
( ) Botas
(x) Gafas
"""


def test_spanish_is_complete_and_says_nothing_english_has_not():
    spanish = tomllib.loads((BUNDLED / "es.toml").read_text(encoding="utf-8"))
    assert set(spanish) == set(english())
    assert all(value.strip() for value in spanish.values())


def test_a_spanish_worksheet_prints_spanish_labels_even_in_an_english_packet(course, capsys):
    root = course(
        {
            "handouts/worksheets/prueba.md": QUIZ,
            "course.toml": (course().joinpath("course.toml").read_text(encoding="utf-8")).replace(
                'documents = ["intro", "roles/*"]', 'documents = ["intro", "prueba"]'
            ),
        }
    )
    assert main(["--course", str(root), "build", "--jobs", "1"]) == 0
    capsys.readouterr()
    student = squash(" ".join(pages_text(root / "build/student/documents/prueba.pdf")))
    teacher = squash(" ".join(pages_text(root / "build/teacher/documents/prueba.pdf")))
    for word in ("Nombre", "Fecha", "Clase/Período", "Puntaje", "BANCO DE PALABRAS", "Verdadero", "Falso"):
        assert word in student.upper() if word.isupper() else word in student, word
    assert "página 1 de 1" in student and "Edición del estudiante" in student
    assert "Name" not in student and "Word bank" not in student and "page 1 of" not in student
    assert "CLAVE DE RESPUESTAS" in teacher.upper() and "Resumen de respuestas" in teacher
    assert "Edición del docente" in teacher
    packet = squash(" ".join(pages_text(root / "build/student/unit.pdf")))
    assert "Nombre" in packet and "Contents" in packet  # the packet's own words are the course's (English)


def test_a_course_changes_a_word_or_is_told_what_it_mistyped(course, capsys):
    root = course(
        {
            "styles/messages/en.toml": 'score = "Points"\n',
            "handouts/worksheets/q.md": QUIZ.replace("language: es\n", ""),
        }
    )
    assert main(["--course", str(root), "build", "--jobs", "1"]) == 0
    capsys.readouterr()
    assert "Points" in squash(" ".join(pages_text(root / "build/student/documents/q.pdf")))
    (root / "styles/messages/en.toml").write_text('score = "Marks"\n', encoding="utf-8")  # seen by the next build
    assert main(["--course", str(root), "build", "--jobs", "1"]) == 0
    capsys.readouterr()
    assert "Marks" in squash(" ".join(pages_text(root / "build/student/documents/q.pdf")))
    (root / "styles/messages/en.toml").write_text('scor = "Points"\nname = 3\n', encoding="utf-8")
    with pytest.raises(SourceErrors) as caught:
        load(root)
    assert sorted(str(p) for p in caught.value.problems) == [
        "styles/messages/en.toml: error: 'name' must be text in quotes",
        "styles/messages/en.toml: error: unknown word 'scor' (did you mean 'score'?)",
    ]
