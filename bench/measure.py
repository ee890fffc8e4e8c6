"""Measuring commands from outside: wall time and peak memory of a subprocess, files touched, watch latency.

Peak memory comes from ``os.wait4``: the kernel reports the largest resident set of the child and of
every descendant it waited for (a build's worker processes), so one figure per command, no psutil.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CACHE = ".coursepack-cache.json"  # the build's manifest: pages of every part and output it wrote
POLL = 0.005  # seconds between two looks at the outputs' modification times


@dataclass(frozen=True)
class Run:
    """One finished command: its wall time, the peak RSS of any of its processes, exit code and output."""

    seconds: float
    peak_mb: float
    returncode: int
    stdout: str
    stderr: str
    cpu: float = 0.0  # user + system seconds of the process and every descendant it waited for


def timed(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command to its end; time it from start to exit, and read its peak RSS from ``wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        output, errors = out.read().decode(), err.read().decode()
        cpu = usage.ru_utime + usage.ru_stime
        return Run(seconds, usage.ru_maxrss / 1024, process.returncode, output, errors, cpu)


def checked(run: Run, what: str) -> Run:
    """The run, if it succeeded; otherwise stop the benchmark with its output."""
    if run.returncode != 0:
        raise SystemExit(f"bench: {what} failed (exit {run.returncode}):\n{run.stdout[-2000:]}{run.stderr[-4000:]}")
    return run


def snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    """Every file and folder below ``folder``: (modification time in ns, size, inode), by relative path."""
    seen = {}
    for path in [folder, *folder.rglob("*")]:
        info = path.lstat()
        seen[path.relative_to(folder).as_posix()] = (info.st_mtime_ns, info.st_size, info.st_ino)
    return seen


def touched(before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]) -> list[str]:
    """Paths added, removed or changed (time, size or inode) between two snapshots."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def pages(out: Path) -> dict[str, int]:
    """Pages laid out (the kept parts) and pages written (document PDFs and packets), from the manifest."""
    files = json.loads((out / CACHE).read_text(encoding="utf-8"))["files"]
    parts = sum(entry.get("pages", 0) for path, entry in files.items() if not path.endswith(".pdf"))
    outputs = sum(entry.get("pages", 0) for path, entry in files.items() if path.endswith(".pdf"))
    return {"laid_out": parts, "written": outputs}


def modified(out: Path, paths: list[str]) -> dict[str, int]:
    """Modification time (ns) of each output, 0 when missing."""
    found = {}
    for path in paths:
        try:
            found[path] = (out / path).stat().st_mtime_ns
        except OSError:
            found[path] = 0
    return found


@dataclass
class Watcher:
    """A running ``watch`` process whose output lines are read as they come."""

    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)
    ready: threading.Condition = field(default_factory=threading.Condition)

    def read(self) -> None:
        """Collect the process's output lines (in a thread) and wake whoever waits for one."""
        assert self.process.stdout is not None
        for line in self.process.stdout:
            with self.ready:
                self.lines.append(line.rstrip("\n"))
                self.ready.notify_all()
        with self.ready:
            self.ready.notify_all()

    def wait_for(self, text: str, count: int, timeout: float) -> bool:
        """Wait until ``count`` output lines contain ``text``; False on timeout or exit."""
        deadline = time.monotonic() + timeout
        with self.ready:
            while sum(text in line for line in self.lines) < count:
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and sum(text in line for line in self.lines) < count):
                    return False
                self.ready.wait(min(left, 0.1))
        return True


@dataclass(frozen=True)
class Latency:
    """Seconds from a save to the last of its document PDFs updated, and to the last packet updated."""

    documents: float
    packets: float


def watch_latency(
    command: list[str],
    out: Path,
    save: Callable[[int], None],
    documents: list[str],
    packets: list[str],
    saves: int,
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> tuple[list[Latency], Run]:
    """Start ``watch``, wait for its first build, then ``saves`` times: save, time until the outputs change.

    Between two saves it waits for the build to finish (the watcher's "watching" line). It ends the
    watcher with SIGINT (Ctrl-C) and returns each save's latency and the watcher's own run.
    """
    started = time.perf_counter()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True
    )
    watcher = Watcher(process)
    reader = threading.Thread(target=watcher.read, daemon=True)
    reader.start()
    latencies: list[Latency] = []
    try:
        if not watcher.wait_for("watching", 1, timeout):
            raise SystemExit("bench: watch did not start:\n" + "\n".join(watcher.lines[-40:]))
        for number in range(1, saves + 1):
            before = modified(out, documents + packets)
            time.sleep(0.2)  # a quiet moment: the save below is a batch of its own
            saved = time.perf_counter()
            save(number)
            seen: dict[str, float] = {}
            while len(seen) < len(before) and time.perf_counter() - saved < timeout:
                for path, mtime in modified(out, [p for p in before if p not in seen]).items():
                    if mtime != before[path]:
                        seen[path] = time.perf_counter() - saved
                time.sleep(POLL)
            if len(seen) < len(before):
                missing = sorted(set(before) - set(seen))
                raise SystemExit(f"bench: watch did not update {missing} within {timeout:.0f} s")
            latencies.append(Latency(max(seen[p] for p in documents), max((seen[p] for p in packets), default=0.0)))
            watcher.wait_for("watching", number + 1, timeout)
    finally:
        usage = interrupt(process)
        reader.join(timeout=5)
    output = "\n".join(watcher.lines)
    peak = usage.ru_maxrss / 1024 if usage else 0.0
    cpu = usage.ru_utime + usage.ru_stime if usage else 0.0
    run = Run(time.perf_counter() - started, peak, process.returncode or 0, output, "", cpu)
    return latencies, run


def interrupt(process: subprocess.Popen, grace: float = 15.0) -> os.struct_rusage | None:
    """Ctrl-C to the process's own group (it and its workers only), SIGKILL after ``grace`` s; reap it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    deadline = time.monotonic() + grace
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return usage
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(0.05)
