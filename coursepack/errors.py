"""Problems found in sources, and the exception that carries them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem, located in a course file: ``path:line: error: message``."""

    path: str
    line: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.severity}: {self.message}"


class CoursepackError(Exception):
    """Base of every error coursepack reports to a teacher (no traceback)."""


class SourceErrors(CoursepackError):
    """The sources have problems; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s) in the sources")
        self.problems = sorted(set(problems), key=_problem_order)


def _problem_order(problem: Problem) -> tuple:
    return (problem.path, problem.line or 0, problem.message)
