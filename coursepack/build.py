"""The pipeline: up to date? load and check, plan, lay out each part once, compose every PDF, write atomically."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import events, record
from .errors import CoursepackError
from .output import (
    Manifest,
    Stamp,
    clean,
    locked,
    read_manifest,
    record_of,
    remove_written,
    reuse,
    write_atomic,
    write_manifest,
)
from .targets import PARTS, UNTAGGED, DocumentTarget, Output, PacketTarget, Part, PartTarget

if TYPE_CHECKING:  # imported where they are used: a no-op build loads neither
    from .loading import Plan
    from .plan import Targets
    from .pool import Workers

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
    workers: int | Workers | None = None,
    strict_access: bool = False,
    report: events.Reporter = events.ignore,
) -> list[Output]:
    """Check, lay out what changed, compose what it reaches, and write it: document PDFs first, then packets.

    When no file the last build read has changed, nothing is loaded and nothing is written. ``workers``
    is a number of processes, or ``Workers`` kept warm between builds (``watch``).
    """
    manifest = read_manifest(out)
    if record.unchanged(manifest.inputs):
        outputs = up_to_date(out, manifest, report)
        if outputs is not None:
            return finish(outputs, strict, strict_access)
    from .pool import Workers

    if isinstance(workers, Workers):
        return rebuild(root, out, strict, workers, strict_access, report)
    with Workers(workers or os.cpu_count() or 1) as pool:
        return rebuild(root, out, strict, pool, strict_access, report)


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
    root: Path, out: Path, strict: bool, workers: Workers, strict_access: bool, report: events.Reporter
) -> list[Output]:
    """Load; lay out the parts whose keys changed; make and write the document PDFs, then the packets.

    A strict build stops before writing anything a warning concerns: the document PDFs are written once
    every part and document is clean, the packets once their covers and contents are too.
    """
    from .plan import targets
    from .pool import quiet_libraries

    quiet_libraries()
    plan = load(root)
    goal = targets(plan)
    if strict_access:  # known before anything is laid out
        refuse([note for target in goal.packets for note in target.notes if UNTAGGED in note])
    with locked(root, out) as scratch:
        manifest = read_manifest(out)
        keys = {part.path: record.part_key(part, goal.setup.code) for part in goal.parts}
        keys |= {target.path: record.output_key(target, keys) for target in goal.outputs}
        found = {path: reuse(out, manifest.files, path, key) for path, key in keys.items()}
        fresh = [target for target in goal.outputs if not found[target.path]]
        check_covers([target for target in fresh if isinstance(target, PacketTarget)])
        report(events.Event(events.PLANNED, total=len(goal.outputs), count=len(fresh)))
        parts = {path: as_part(hit[0]) for path, hit in found.items() if hit and is_part(path)}
        laid = lay_out_parts(fresh, parts, workers, scratch, report)
        parts |= {part.path: part for part in laid}
        ledger = Ledger(out, keys, {path: hit[1] for path, hit in found.items() if hit})
        outputs = {target.path: found[target.path][0] for target in goal.outputs if found[target.path]}

        def made(output: Output) -> None:
            report(events.Event(events.MADE, output.path, pages=output.pages, size=len(output.data)))

        def compose_all(chosen: tuple[DocumentTarget | PacketTarget, ...]) -> list[Output]:
            from .pool import render_all

            jobs = [Compose(t, tuple(parts[p.path] for p in parts_of(t))) for t in chosen if not found[t.path]]
            return render_all(composed, jobs, workers, scratch, made)

        documents = compose_all(goal.documents)
        outputs |= {output.path: output for output in documents}
        if strict:
            refuse([w for made in (*laid, *(outputs[t.path] for t in goal.documents)) for w in made.warnings])
        ledger.write([*laid, *documents])
        ledger.record(goal, parts, outputs, None)
        outputs |= {output.path: output for output in compose_all(goal.packets)}
        ordered = [outputs[target.path] for target in goal.outputs]
        finish(ordered, strict, strict_access)
        ledger.write([outputs[target.path] for target in goal.packets if not found[target.path]])
        ledger.record(goal, parts, outputs, plan)
        report(events.Event(events.WRITTEN, total=len(ordered)))
        for path in sorted(set(manifest.files) - set(keys)):  # made by an earlier build, no longer made
            stamp = Stamp.recorded(manifest.files[path])
            if stamp is not None and remove_written(out, path, stamp) and not is_part(path):
                report(events.Event(events.REMOVED, path))
    return ordered


def check_covers(packets: list[PacketTarget]) -> None:
    """A template error in a packet's cover or contents stops the build before anything is laid out."""
    if not packets:
        return
    from .templates import environment
    from .workers import front_html

    env = environment(Path(packets[0].setup.styles))
    for target in packets:
        front_html(env, target, {}, {}, False)


def lay_out_parts(
    fresh: list[DocumentTarget | PacketTarget],
    kept: dict[str, Part],
    workers: Workers,
    scratch: Path,
    report: events.Reporter,
) -> list[Part]:
    """Lay out, in the workers, every part a fresh output needs that no earlier build kept."""
    from .pool import render_all
    from .workers import lay_out

    needed = {part.path: part for target in fresh for part in parts_of(target)}
    todo = [part for path, part in needed.items() if path not in kept]

    def laid_out(part: Part) -> None:
        made_from = needed[part.path]
        event = events.Event(
            events.LAID_OUT, made_from.source, made_from.edition, total=len(todo), pages=part.pages, size=len(part.data)
        )
        report(event)

    return render_all(lay_out, todo, workers, scratch, laid_out)


@dataclass
class Ledger:
    """What a build has written to the output folder, and the record of it (the manifest)."""

    out: Path
    keys: dict[str, str]
    stamps: dict[str, Stamp]

    def write(self, made: Iterable[Output | Part]) -> None:
        """Write each PDF or part atomically and remember the file written."""
        for item in made:
            self.stamps[item.path] = write_atomic(self.out, item.path, item.data)

    def record(self, goal: Targets, parts: dict[str, Part], outputs: dict[str, Output], plan: Plan | None) -> None:
        """Record what is written so far; with the plan (the build is complete), the files the build read too.

        A record without them is never up to date: the next build compares every key.
        """
        files = {}
        for target in (*goal.parts, *goal.outputs):
            made = parts.get(target.path) or outputs.get(target.path)
            if made is not None and target.path in self.stamps:
                entry = record_of(self.keys[target.path], self.stamps[target.path], as_output(made))
                files[target.path] = entry | {"made_from": record.made_from(target)}
        if plan is None:
            write_manifest(self.out, files, [], {})
            return
        inputs = record.snapshot(
            record.read_files(plan.course.root, plan.course.styles, goal.parts),
            record.listed_folders(plan.course.root, plan.course.styles),
        )
        checked = (len(plan.course.documents), len(plan.course.packets))
        write_manifest(self.out, files, [target.path for target in goal.outputs], inputs, checked)


def last_checked(root: Path, out: Path) -> tuple[tuple[int, int], list[str]] | None:
    """The documents and packets of this course as the last build in ``out`` checked it, and the advice it gave
    on them, if no file it read changed."""
    manifest = read_manifest(out)
    ours = f"file:{root.resolve() / 'course.toml'}" in manifest.inputs
    if not (ours and manifest.checked and record.unchanged(manifest.inputs)):
        return None
    documents = [manifest.files.get(path, {}) for path in manifest.outputs if "/documents/" in path]
    notes = [note for entry in documents for note in entry.get("notes") or [] if isinstance(note, str)]
    return manifest.checked, list(dict.fromkeys(notes))


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
    return (target.part,) if isinstance(target, DocumentTarget) else target.laid_out


def is_part(path: str) -> bool:
    """Whether a manifest path is a kept part rather than an output."""
    return path.startswith(PARTS + "/")


def as_part(output: Output) -> Part:
    """A kept part, read back."""
    return Part(output.path, output.data, output.pages, tuple(output.warnings))


def as_output(made: Output | Part) -> Output:
    """A part as the record sees it: an output of one document."""
    return made if isinstance(made, Output) else Output(made.path, made.data, list(made.warnings), made.pages, 1)


def finish(outputs: list[Output], strict: bool, strict_access: bool) -> list[Output]:
    """Strict mode refuses any warning (and, with strict_access, any untagged bound PDF)."""
    if strict:
        refuse([w for o in outputs for w in o.warnings])
    if strict_access:
        refuse([note for o in outputs for note in o.notes if UNTAGGED in note])
    return outputs


def refuse(warnings: list[str]) -> None:
    """Stop the build over any warning, each said once."""
    if warnings:
        raise BuildWarnings(once(warnings))


def once(warnings: Iterable[str]) -> list[str]:
    """Each warning once: a document's warning is not repeated for every packet that holds it."""
    seen: dict[str, str] = {}
    for warning in warnings:
        seen.setdefault(warning.split(": warning: ", 1)[-1], warning)
    return list(seen.values())
