"""The pipeline: up to date? load and check, plan, lay out each part once, compose every PDF, write atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from . import events, record
from .errors import CoursepackError
from .output import Manifest, Stamp, clean, locked, read_manifest, record_of, reuse, write_atomic, write_manifest
from .targets import PARTS, DocumentTarget, Output, PacketTarget, Part, PartTarget

__all__ = ["BuildWarnings", "build", "clean", "load", "once"]


class BuildWarnings(CoursepackError):
    """Strict mode: warnings were found, so nothing was written."""

    def __init__(self, warnings: list[str]):
        super().__init__(f"{len(warnings)} warning(s)")
        self.warnings = warnings


@dataclass(frozen=True)
class Compose:
    """A job for a worker: compose one document's or packet's PDF from its laid-out parts."""

    target: DocumentTarget | PacketTarget
    parts: tuple[Part, ...]

    @property
    def path(self) -> str:
        return self.target.path

    @property
    def source(self) -> str:
        return self.target.source


def load(root: Path):  # noqa: ANN201 - the loader's Plan, imported late to keep no-op builds light
    """Read and check every source and setting (see ``loading.load``)."""
    from .loading import load as load_course

    return load_course(root)


def build(
    root: Path,
    out: Path,
    strict: bool = True,
    workers: int | None = None,
    strict_access: bool = False,
    report: events.Reporter = events.ignore,
) -> list[Output]:
    """Check, lay out what changed, compose what it reaches, and only then write it all.

    When no file the last build read has changed, nothing is loaded and nothing is written.
    """
    manifest = read_manifest(out)
    if record.unchanged(manifest.inputs):
        outputs = up_to_date(out, manifest, report)
        if outputs is not None:
            return finish(outputs, strict, strict_access)
    return rebuild(root, out, strict, workers or os.cpu_count() or 1, strict_access, report)


def up_to_date(out: Path, manifest: Manifest, report: events.Reporter) -> list[Output] | None:
    """The outputs of the last build, if every one is still the very file it wrote."""
    outputs = []
    for path in manifest.outputs:
        found = reuse(out, manifest.files, path, manifest.files.get(path, {}).get("key", ""))
        if found is None:
            return None
        outputs.append(found[0])
    report(events.Event(events.PLANNED, total=len(outputs), count=0))
    for output in outputs:
        report(events.Event(events.REUSED, output.path, pages=output.pages, size=len(output.data)))
    return outputs


def rebuild(
    root: Path, out: Path, strict: bool, workers: int, strict_access: bool, report: events.Reporter
) -> list[Output]:
    """Load, lay out the parts whose keys changed, compose the outputs whose keys changed, write."""
    from .plan import targets
    from .pool import quiet_libraries, render_all
    from .workers import lay_out

    quiet_libraries()
    plan = load(root)
    goal = targets(plan)
    with locked(root, out) as scratch:
        manifest = read_manifest(out)
        code = record.code_digest(plan.course.styles)
        keys = {part.path: record.part_key(part, code) for part in goal.parts}
        keys |= {target.path: record.output_key(target, keys) for target in goal.outputs}
        found = {path: reuse(out, manifest.files, path, key) for path, key in keys.items()}
        stamps: dict[str, Stamp] = {path: hit[1] for path, hit in found.items() if hit}
        fresh_outputs = [t for t in goal.outputs if not found[t.path]]
        report(events.Event(events.PLANNED, total=len(goal.outputs), count=len(fresh_outputs)))
        parts = {path: as_part(hit[0]) for path, hit in found.items() if hit and path in keys and is_part(path)}
        needed = {part.path: part for target in fresh_outputs for part in parts_of(target)}
        todo = [part for path, part in needed.items() if path not in parts]

        sources = {part.path: part for part in todo}

        def laid_out(part: Part) -> None:
            made_from = sources[part.path]
            report(
                events.Event(
                    events.LAID_OUT,
                    made_from.source,
                    made_from.edition,
                    total=len(todo),
                    pages=part.pages,
                    size=len(part.data),
                )
            )

        laid = render_all(lay_out, todo, workers, scratch, laid_out)
        parts |= {part.path: part for part in laid}

        def made(output: Output) -> None:
            report(events.Event(events.MADE, output.path, pages=output.pages, size=len(output.data)))

        jobs = [Compose(target, tuple(parts[p.path] for p in parts_of(target))) for target in fresh_outputs]
        fresh = render_all(composed, jobs, workers, scratch, made)
        outputs = {o.path: o for o in fresh} | {t.path: found[t.path][0] for t in goal.outputs if found[t.path]}
        ordered = [outputs[target.path] for target in goal.outputs]
        finish(ordered, strict, strict_access)
        for made_now in (*laid, *fresh):
            stamps[made_now.path] = write_atomic(out, made_now.path, made_now.data)
        sources = {target.path: record.made_from(target) for target in (*goal.parts, *goal.outputs)}
        files = {
            path: record_entry(keys[path], stamps[path], parts[path], sources[path]) for path in parts if path in keys
        }
        files |= {o.path: record_entry(keys[o.path], stamps[o.path], o, sources[o.path]) for o in ordered}
        inputs = record.snapshot(
            record.read_files(plan.course.root, plan.course.styles, goal.parts),
            record.listed_folders(plan.course.root, plan.course.styles),
        )
        write_manifest(out, files, [o.path for o in ordered], inputs)
        report(events.Event(events.WRITTEN, total=len(ordered)))
    return ordered


def make_one(plan, path: str) -> Output:  # noqa: ANN001 - the loader's Plan
    """Make one output in this process from scratch: lay out its parts, compose it (for tests and tools)."""
    from .plan import targets
    from .workers import lay_out

    target = next(t for t in targets(plan).outputs if t.path == path)
    return composed(Compose(target, tuple(lay_out(part) for part in parts_of(target))))


def composed(job: Compose) -> Output:
    """Compose one output in a worker process."""
    from .workers import make_document, make_packet

    if isinstance(job.target, DocumentTarget):
        return make_document(job.target, job.parts[0])
    return make_packet(job.target, list(job.parts))


def parts_of(target: DocumentTarget | PacketTarget) -> tuple[PartTarget, ...]:
    """The parts an output is composed from."""
    return (target.part,) if isinstance(target, DocumentTarget) else target.parts


def is_part(path: str) -> bool:
    """Whether a manifest path is a kept part rather than an output."""
    return path.startswith(PARTS + "/")


def as_part(output: Output) -> Part:
    """A kept part, read back."""
    return Part(output.path, output.data, output.pages, tuple(output.warnings))


def record_entry(key: str, stamp: Stamp, made: Output | Part, sources: list[str]) -> dict:
    """The manifest entry of an output or a part: its key, the file written, its summary, what it is made from."""
    if isinstance(made, Part):
        made = Output(made.path, made.data, list(made.warnings), made.pages, 1)
    return record_of(key, stamp, made) | {"made_from": sources}


def finish(outputs: list[Output], strict: bool, strict_access: bool) -> list[Output]:
    """Strict mode refuses any warning (and, with strict_access, any untagged bound PDF)."""
    warnings = once(w for o in outputs for w in o.warnings)
    if strict_access:
        warnings += sorted({note for o in outputs for note in o.notes if "without tags" in note})
    if (strict or strict_access) and warnings:
        raise BuildWarnings(warnings)
    return outputs


def once(warnings: Iterable[str]) -> list[str]:
    """Each warning once: a document's warning is not repeated for every packet that holds it."""
    seen: dict[str, str] = {}
    for warning in warnings:
        seen.setdefault(warning.split(": warning: ", 1)[-1], warning)
    return list(seen.values())
