"""``export --site``: bring the PDFs up to date, then write ``build/site/``, only the files that changed.

The site has a record of its own (``.coursepack-site.json`` beside the PDFs' record, outside the
folder a teacher zips): what each file was made from (a digest) and the file written. When no file
the last export read has changed and the PDFs are the same, nothing is loaded. Otherwise the pages
are made again (milliseconds each) but written only when their bytes differ; a thumbnail is drawn
again only when its PDF's bytes changed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__, events, record, report
from .errors import CoursepackError
from .output import Stamp, locked, read_json, read_manifest, remove_written, write_atomic
from .record import BUNDLED_STYLES, digest

SITE = "site"
RECORD = ".coursepack-site.json"


@dataclass(frozen=True)
class SiteRecord:
    """What the last export wrote: each file's key and stamp, the inputs it read, the PDFs it linked."""

    files: dict[str, dict]
    inputs: dict[str, list[int]]
    pdfs: str


@dataclass(frozen=True)
class Published:
    """What an export did: the site's pages and files, how many were written, its size and where."""

    pages: int  # one per document (the index besides)
    files: int
    written: int
    thumbnails: int  # thumbnails drawn (the others were kept)
    removed: int
    size: int
    up_to_date: bool


def read_record(out: Path) -> SiteRecord:
    """The last export's record in this output folder; empty when missing, malformed or of another version."""
    data = read_json(out, RECORD)
    if not isinstance(data, dict) or data.get("version") != __version__:
        return SiteRecord({}, {}, "")
    files = {p: e for p, e in (data.get("files") or {}).items() if isinstance(e, dict)}
    inputs = data.get("inputs") if isinstance(data.get("inputs"), dict) else {}
    return SiteRecord(files, inputs, str(data.get("pdfs") or ""))


def still_written(out: Path, path: str, entry: dict) -> bool:
    """Whether the file the last export wrote at a site path is still that very file."""
    stamp = Stamp.recorded(entry)
    try:
        return stamp is not None and stamp.matches(os.lstat(out / SITE / path))
    except OSError:
        return False


def site_inputs(out: Path) -> dict[str, list[int]]:
    """The files the export reads: those the build read (sources, styles, code), and the bundled site styles."""
    bundled = [*(BUNDLED_STYLES / "templates" / "site").glob("*.html"), BUNDLED_STYLES / "site.css"]
    return read_manifest(out).inputs | record.snapshot(bundled, [])


def pdf_digest(pdfs: dict[str, bytes]) -> str:
    """One digest of the PDFs the site links to and shows."""
    return digest(*(f"{path}\0{hashlib.sha256(data).hexdigest()}" for path, data in sorted(pdfs.items())))


def export_site(
    root: Path,
    out: Path,
    strict: bool = True,
    workers: int | None = None,
    strict_access: bool = False,
    reporter: events.Reporter = events.ignore,
) -> Published:
    """Build what changed, then write the site's files that changed and remove those no longer made."""
    from . import build, site, thumbnails

    outputs = build.build(root, out, strict=strict, workers=workers, strict_access=strict_access, report=reporter)
    wanted = set(site.wanted_pdfs([o.path for o in outputs]))
    pdfs = {o.path: o.data for o in outputs if o.path in wanted}
    previous = read_record(out)
    pdf_key = pdf_digest(pdfs)
    kept = previous.pdfs == pdf_key and record.unchanged(previous.inputs)
    if kept and previous.files and all(still_written(out, p, e) for p, e in previous.files.items()):
        pages = sum(p.endswith(".html") and p != "index.html" for p in previous.files)
        size = sum(int(e.get("size", 0)) for e in previous.files.values())
        return Published(pages, len(previous.files), 0, 0, 0, size, True)
    plan = build.load(root)
    files = site.site_files(plan.course, pdfs)
    if refused := site.refusals(files):
        raise CoursepackError("the web edition was not written:\n" + "\n".join(refused))
    version = thumbnails.version()
    entries, written, drawn, removed = {}, 0, 0, 0
    with locked(root, out):
        for item in files:
            key = digest(item.key, version) if item.pdf else item.key
            if item.copied:
                key = digest(item.path, hashlib.sha256(pdfs[item.copied]).hexdigest())
            old = previous.files.get(item.path)
            if old and old.get("key") == key and still_written(out, item.path, old):
                entries[item.path] = old
                continue
            if item.pdf:
                data = thumbnails.thumbnail(item.pdf)
                drawn += 1
            else:
                data = pdfs[item.copied] if item.copied else item.data
            stamp = write_atomic(out, f"{SITE}/{item.path}", data)
            entries[item.path] = {"key": key, "inode": stamp.inode, "size": stamp.size}
            entries[item.path] |= {"mtime_ns": stamp.mtime_ns, "sha256": stamp.sha256}
            written += 1
        for path in sorted(set(previous.files) - set(entries)):
            stamp = Stamp.recorded(previous.files[path])
            removed += bool(stamp and remove_written(out, f"{SITE}/{path}", stamp))
        body = {"version": __version__, "pdfs": pdf_key, "inputs": site_inputs(out), "files": entries}
        write_atomic(out, RECORD, json.dumps(body, indent=1, sort_keys=True).encode())
    pages = sum(p.endswith(".html") and p != "index.html" for p in entries)
    size = sum(int(e["size"]) for e in entries.values())
    return Published(pages, len(entries), written, drawn, removed, size, False)


def run(args: argparse.Namespace, root: Path, out: Path) -> int:
    """``export --site``: build first, then write the web edition."""
    started = time.monotonic()
    with report.reporting(report.on_terminal(args.quiet)) as reporter:
        done = export_site(root, out, args.strict, args.jobs, args.strict_access, reporter)
    seconds = time.monotonic() - started
    where = out / SITE
    if done.up_to_date:
        print(f"{where}: up to date ({report.plural(done.pages, 'page')}, {report.kib(done.size)})")
    else:
        changed = f"{done.written} written, {done.files - done.written} unchanged"
        drawn = f", {report.plural(done.thumbnails, 'thumbnail')} drawn" if done.thumbnails else ""
        gone = f", {done.removed} removed" if done.removed else ""
        print(
            f"{where}: {report.plural(done.pages, 'page')} and an index, {report.plural(done.files, 'file')} "
            f"({changed}{drawn}{gone}), {report.kib(done.size)} in {seconds:.1f} s"
        )
    print(f"open {where / 'index.html'} in a browser, or zip the folder {where} to publish it")
    return 0
