"""Worker processes: render jobs under a time and memory budget, and say truthfully why one failed."""

from __future__ import annotations

import logging
import multiprocessing
import resource
import signal
import tempfile
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, TimeoutError
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

from .errors import CoursepackError
from .targets import PARTS
from .workspace import remove_worker_folder, worker_folder

JOB_SECONDS = 300
TOO_SLOW = f"it took longer than {JOB_SECONDS} s; split the document into smaller ones"
WORKER_MEMORY = 4 << 30
QUIET_LOGGERS = ("fontTools",)


def memory_budget() -> int:
    """The address-space limit for a worker: ours, or a lower one already in force; never higher."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    return min(limit for limit in (WORKER_MEMORY, soft, hard) if limit != resource.RLIM_INFINITY)


def quiet_libraries() -> None:
    """Libraries' log lines (fontTools: "'created' timestamp seems very low") never reach a teacher's screen."""
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def start_worker(scratch: str) -> None:
    """Lower the memory limit, keep temporary files in ``scratch``, silence chatty libraries; Ctrl-C is the parent's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops its workers; they print no traceback
    hard = resource.getrlimit(resource.RLIMIT_AS)[1]
    resource.setrlimit(resource.RLIMIT_AS, (memory_budget(), hard))
    tempfile.tempdir = scratch
    quiet_libraries()


def gigabytes(size: int) -> str:
    """A size in bytes as gigabytes, for a message: "4 GB", "3.7 GB"."""
    return f"{size / (1 << 30):.1f}".removesuffix(".0") + " GB"


class Job(Protocol):
    """Anything a worker makes: a PDF (its path) from a source (named when it fails)."""

    @property
    def path(self) -> str: ...

    @property
    def source(self) -> str: ...


def failure(job: Job, reason: str) -> CoursepackError:
    """One plain sentence naming the source and the PDF that was being made."""
    return CoursepackError(f"{job.source}: making {shown(job.path)} failed: {reason}")


def shown(path: str) -> str:
    """A path as a teacher knows it: a kept part is named after its document."""
    return path.removeprefix(PARTS + "/")


class Workers:
    """Worker processes for one build, or kept warm across the builds of ``watch`` (their typesetters too).

    The processes start with the first job; ``close`` stops them (at once: a runaway job is not waited for).
    Their temporary files live in a folder of the pool's own, beside the build's scratch folder (which
    each build empties): a warm typesetter's unpacked fonts must outlive the build that made them.
    """

    def __init__(self, count: int) -> None:
        self.count = max(1, count)
        self.executor: ProcessPoolExecutor | None = None
        self.scratch = ""
        self.folder: Path | None = None
        self.earlier: set = set()

    def start(self, scratch: Path) -> ProcessPoolExecutor:
        """The running pool for a build's scratch folder, started (or restarted for another) when needed."""
        if self.executor is None or self.scratch != str(scratch):
            self.close()
            self.earlier = set(multiprocessing.active_children())  # the caller's own processes are not ours
            self.scratch = str(scratch)
            self.folder = worker_folder(scratch.parent)
            self.executor = ProcessPoolExecutor(
                max_workers=self.count,
                mp_context=multiprocessing.get_context("fork"),
                initializer=start_worker,
                initargs=(str(self.folder),),
            )
        return self.executor

    def close(self) -> None:
        """Stop the worker processes at once, forget the pool and remove its folder."""
        if self.executor is None:
            return
        for process in set(multiprocessing.active_children()) - self.earlier:
            process.kill()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.executor = None
        if self.folder is not None:
            remove_worker_folder(self.folder)

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def render_all(
    run: Callable[[Any], Any],
    todo: list,
    workers: int | Workers,
    scratch: Path,
    done: Callable[[Any], None] | None = None,
) -> list:
    """Run every job in worker processes; a worker that dies is found and named by running jobs alone.

    ``done`` is called with each result as it comes in, in the order of the jobs. Given a number, the
    processes stop when the jobs are done; given ``Workers``, they stay for the next call unless a job failed.
    """
    if not todo:
        return []
    if isinstance(workers, int):
        with Workers(workers) as own:
            return render_all(run, todo, own, scratch, done)
    pool = workers.start(scratch)
    outputs: list = []
    broken: list[Job] = []
    finished = False
    try:
        futures = [pool.submit(run, job) for job in todo]
        for job, future in zip(todo, futures, strict=True):
            try:
                outputs.append(future.result(timeout=JOB_SECONDS))
                if done:
                    done(outputs[-1])
            except TimeoutError:
                raise failure(job, TOO_SLOW) from None
            except MemoryError:
                raise failure(job, too_big()) from None
            except BrokenProcessPool:
                broken.append(job)
                outputs.append(None)
            except CoursepackError:
                raise  # already located in a source (a template's file and line)
            except Exception as error:  # noqa: BLE001 - one sentence naming the source, never a traceback
                raise failure(job, f"{type(error).__name__}: {error}") from None
        finished = not broken
    finally:
        if not finished:  # stop runaway or broken workers at once; the next call starts afresh
            workers.close()
    if broken:
        redone = {job.path: run_alone(run, job, scratch) for job in broken}
        for output in redone.values():
            if done:
                done(output)
        outputs = [output or redone[job.path] for job, output in zip(todo, outputs, strict=True)]
    return outputs


def too_big() -> str:
    """Why a job failed when its worker ran out of memory, naming the limit in force."""
    return f"it needed more than {gigabytes(memory_budget())} of memory; split the document or shrink its images"


def run_alone(run: Callable[[Any], Any], job: Job, scratch: Path) -> Any:
    """Run one job in its own process, to tell a job that kills its worker from its innocent neighbours."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=run_and_send, args=(run, job, str(scratch), sender))
    process.start()
    sender.close()
    try:
        if receiver.poll(JOB_SECONDS):
            try:
                kind, value = receiver.recv()
            except EOFError:
                kind, value = "died", None
        else:
            kind, value = "timeout", None
    finally:
        if process.is_alive():
            process.kill()
        process.join()
    if kind == "ok":
        return value
    if kind == "memory":
        raise failure(job, too_big())
    if kind == "timeout":
        raise failure(job, TOO_SLOW)
    if kind == "error":
        raise failure(job, value)
    raise failure(job, death(process.exitcode))


def run_and_send(run: Callable[[Any], Any], job: Job, scratch: str, sender: Connection) -> None:
    """In a lone worker: run one job and send its result, or what went wrong, to the parent."""
    start_worker(scratch)
    try:
        sender.send(("ok", run(job)))
    except MemoryError:
        sender.send(("memory", None))
    except Exception as error:  # noqa: BLE001 - reported to the parent as one sentence
        sender.send(("error", f"{type(error).__name__}: {error}"))


def death(exitcode: int | None) -> str:
    """Why a worker process ended, in words."""
    if exitcode is not None and exitcode < 0:
        number = -exitcode
        if number == signal.SIGKILL:
            return "the system stopped its process (SIGKILL: usually out of memory); free some memory or split it"
        if number == signal.SIGSEGV:
            return "its process crashed (SIGSEGV) in the layout library; please report it with the source file"
        return f"its process was stopped by signal {signal.Signals(number).name}"
    return f"its process ended unexpectedly (exit code {exitcode})"
