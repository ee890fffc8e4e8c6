"""The orchestrator: load and check everything, plan every output, render, write atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from . import events
from .errors import CoursepackError
from .loading import Plan, load
from .output import clean, folder_digest, job_key, locked, read_manifest, record, reuse, write_atomic, write_manifest
from .pool import render_all
from .workers import Output, jobs, run_job

__all__ = ["BuildWarnings", "Plan", "build", "clean", "load"]


class BuildWarnings(CoursepackError):
    """Strict mode: warnings were found, so nothing was written."""

    def __init__(self, warnings: list[str]):
        super().__init__(f"{len(warnings)} warning(s)")
        self.warnings = warnings


def build(
    root: Path,
    out: Path,
    strict: bool = True,
    workers: int | None = None,
    strict_access: bool = False,
    report: events.Reporter = events.ignore,
) -> list[Output]:
    """Check, render what changed in memory, and only then write it all.

    PDFs whose inputs are unchanged since the last build (same digest) are reused, not rendered, but only
    while each is still the very file that build wrote in this very folder (inode, size, time, digest).
    """
    plan = load(root)
    with locked(root, out) as scratch:
        todo = jobs(plan)
        styles_digest = folder_digest(plan.course.styles) + folder_digest(Path(__file__).parent, "*.py")
        keys = {job["path"]: job_key(job, plan.course.root, styles_digest) for job in todo}
        manifest = read_manifest(out)
        found = {job["path"]: reuse(out, manifest, job["path"], keys[job["path"]]) for job in todo}
        reused = {path: hit[0] for path, hit in found.items() if hit}
        stamps = {path: hit[1] for path, hit in found.items() if hit}
        report(events.Event(events.PLANNED, total=len(todo), count=len(todo) - len(reused)))
        for path, output in reused.items():
            report(events.Event(events.REUSED, path, pages=output.pages, size=len(output.data)))
        fresh = render_all(
            run_job, [job for job in todo if job["path"] not in reused], workers or min(2, os.cpu_count() or 1), scratch
        )
        rendered = {output.path: output for output in fresh}
        outputs = [reused.get(job["path"]) or rendered[job["path"]] for job in todo]
        warnings = once(w for o in outputs for w in o.warnings)
        if strict_access:
            warnings += sorted({note for o in outputs for note in o.notes if "without tags" in note})
        if (strict or strict_access) and warnings:
            raise BuildWarnings(warnings)
        for output in fresh:
            stamps[output.path] = write_atomic(out, output.path, output.data)
            report(events.Event(events.MADE, output.path, pages=output.pages, size=len(output.data)))
        write_manifest(out, {o.path: record(keys[o.path], stamps[o.path], o) for o in outputs})
        report(events.Event(events.WRITTEN, total=len(outputs)))
    return outputs


def once(warnings: Iterable[str]) -> list[str]:
    """Each warning once: a document's warning is not repeated for every packet that holds it."""
    seen: dict[str, str] = {}
    for warning in warnings:
        seen.setdefault(warning.split(": warning: ", 1)[-1], warning)
    return list(seen.values())
