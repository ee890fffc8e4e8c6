"""The orchestrator: load and check everything, plan every output, render, write atomically."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from .errors import CoursepackError
from .loading import Plan, load
from .output import CACHE, clean, folder_digest, job_key, locked, reuse, write_atomic
from .pool import render_all
from .workers import Output, jobs, run_job

__all__ = ["BuildWarnings", "Plan", "build", "clean", "load"]


class BuildWarnings(CoursepackError):
    """Strict mode: warnings were found, so nothing was written."""

    def __init__(self, warnings: list[str]):
        super().__init__(f"{len(warnings)} warning(s)")
        self.warnings = warnings


def build(
    root: Path, out: Path, strict: bool = True, workers: int | None = None, strict_access: bool = False
) -> list[Output]:
    """Check, render what changed in memory, and only then write it all.

    PDFs whose inputs are unchanged since the last build (same digest) are reused, not rendered.
    """
    plan = load(root)
    with locked(root, out) as scratch:
        todo = jobs(plan)
        styles_digest = folder_digest(plan.course.styles) + folder_digest(Path(__file__).parent, "*.py")
        keys = {job["path"]: job_key(job, plan.course.root, styles_digest) for job in todo}
        try:
            manifest = json.loads((out / CACHE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            manifest = {}
        reused = {job["path"]: reuse(out, manifest, job["path"], keys[job["path"]]) for job in todo}
        fresh = render_all(
            run_job, [job for job in todo if not reused[job["path"]]], workers or min(2, os.cpu_count() or 1), scratch
        )
        rendered = {output.path: output for output in fresh}
        outputs = [reused[job["path"]] or rendered[job["path"]] for job in todo]
        warnings = once(w for o in outputs for w in o.warnings)
        if strict_access:
            warnings += sorted({note for o in outputs for note in o.notes if "without tags" in note})
        if (strict or strict_access) and warnings:
            raise BuildWarnings(warnings)
        for output in fresh:
            write_atomic(out / output.path, output.data)
        manifest = {
            o.path: {
                "key": keys[o.path],
                "sha256": hashlib.sha256(o.data).hexdigest(),
                "warnings": o.warnings,
                "pages": o.pages,
                "documents": o.documents,
                "duplex": o.duplex,
                "notes": o.notes,
            }
            for o in outputs
        }
        write_atomic(out / CACHE, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return outputs


def once(warnings: Iterable[str]) -> list[str]:
    """Each warning once: a document's warning is not repeated for every packet that holds it."""
    seen: dict[str, str] = {}
    for warning in warnings:
        seen.setdefault(warning.split(": warning: ", 1)[-1], warning)
    return list(seen.values())
