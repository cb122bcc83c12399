"""The pool: jobs on worker processes, side by side, surviving a worker that dies.

Processes, not threads: papermill changes the working directory process-wide, and the export
is CPU-bound Python. Each worker (:mod:`kit.report.worker`) keeps one warm kernel. Kernel starts
are bounded by a semaphore shared by the workers. Workers are forked where the platform allows
(they inherit the imports) and die with this process.

When a worker process dies (the pool is then broken), the jobs that were *being built* (their
``.running`` marker exists) are suspects: each is retried once on its own, in a one-worker pool,
and fails if it crashes again. Jobs that were only queued go back into a fresh parallel pool.

Examples
--------
>>> default_jobs() >= 1
True
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures import process as cf_process
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from kit.report.cache import running_marker
from kit.report.kernels import remove_kernel_files
from kit.report.models import Job, Status, TeamResult
from kit.report.worker import finish_team, init_worker, run_job

__all__ = ["STOP_WAIT", "WORKER_ATTEMPTS", "default_jobs", "run_pool"]

WORKER_ATTEMPTS = 2
STOP_WAIT = 10.0
"""Seconds a stopped batch waits for its workers to clean up their kernels."""


def default_jobs() -> int:
    """Worker processes by default: the cores this process may use.

    Examples
    --------
    >>> default_jobs() <= (os.cpu_count() or 1)
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _context() -> mp.context.BaseContext:
    """fork where available (workers inherit the imports), else spawn."""
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def _crashed(job: Job, tries: int) -> TeamResult:
    result = TeamResult(
        slug=job.slug,
        name=job.slug,
        status=Status.FAILED,
        digest=job.digest,
        problem=f"the worker process building this report crashed "
        f"({tries} times; the other teams went on)",
        fix=f"Run 'servekit {job.command} {job.workshop_dir} --team {job.slug} --jobs 1' "
        f"to see the error; the machine may be short of memory.",
    )
    if job.kind == "team":
        finish_team(job, result)
    return result


class _Runner:
    """The state of one :func:`run_pool` call: what is left, what crashed, what is done."""

    def __init__(self, jobs: list[Job], on_done: Callable[[TeamResult], None]):
        self.pending = list(jobs)
        self.suspects: list[Job] = []
        self.results: dict[str, TeamResult] = {}
        self.tries: dict[str, int] = {}
        self.on_done = on_done

    def next_batch(self) -> tuple[list[Job], bool]:
        """The next jobs to run and whether they may share a pool (suspects run alone)."""
        if self.pending:
            batch, self.pending = self.pending, []
            return batch, True
        return [self.suspects.pop(0)], False

    def collect(self, job: Job, future: Future) -> None:
        try:
            result = future.result()
        except BrokenProcessPool:
            marker = running_marker(Path(job.out), job.slug)
            if not marker.exists():
                self.pending.append(job)  # only queued: not its fault
                return
            marker.unlink(missing_ok=True)
            self.tries[job.slug] = self.tries.get(job.slug, 0) + 1
            if self.tries[job.slug] < WORKER_ATTEMPTS:
                self.suspects.append(job)
                return
            result = _crashed(job, self.tries[job.slug])
        self.results[job.slug] = result
        self.on_done(result)


def _stop(pool: ProcessPoolExecutor) -> None:
    """Ctrl-C or SIGTERM: stop the workers now (each kills its kernel and removes its files).

    The batch waits a moment for them (a worker outliving this process is killed by the
    system at once, ``PR_SET_PDEATHSIG``), kills one that is stuck, and removes whatever kernel
    files a worker left (sockets and the connection file, which holds the kernel's key)."""
    processes = list(getattr(pool, "_processes", {}).values())
    # taken now: shutdown() forgets the pool's manager thread (it sets the attribute to None)
    manager = getattr(pool, "_executor_manager_thread", None)
    for process in processes:
        with contextlib.suppress(Exception):
            process.terminate()
    deadline = time.monotonic() + STOP_WAIT
    for process in processes:
        with contextlib.suppress(Exception):
            process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():  # stuck: killed, and its kernel's files removed here
            with contextlib.suppress(Exception):
                process.kill()
                process.join(5)
        if process.pid:
            remove_kernel_files(process.pid)
    pool.shutdown(wait=False, cancel_futures=True)
    # The pool's manager thread closes its wake-up pipe as it notices the dead workers; if the
    # interpreter exits meanwhile, its exit hook writes to that pipe and prints a traceback.
    if manager is not None:
        manager.join(STOP_WAIT)
        # Still closing it (a loaded machine): the exit hook's wake-up is not protected against
        # that close (CPython's concurrent.futures.process._python_exit) and can write to the
        # closed pipe ("Bad file descriptor"). The workers are gone and the pool shut down: the
        # hook has nothing to wake, so this pool's manager is taken off its list.
        with contextlib.suppress(Exception):
            cf_process._threads_wakeups.pop(manager, None)


def run_pool(
    jobs: list[Job],
    workers: int,
    kernel_starts: int,
    timeout: float | None,
    on_done: Callable[[TeamResult], None],
    *,
    cwd: str | os.PathLike = ".",
) -> list[TeamResult]:
    """Run ``jobs`` on a process pool and return their results in the order of ``jobs``.

    Parameters
    ----------
    jobs : list of Job
        What to build.
    workers : int
        Processes at once.
    kernel_starts : int
        Kernels that may start at once (across the workers).
    timeout : float or None
        Seconds a cell may run.
    on_done : callable
        Called with each result as it arrives (the progress bar).
    cwd : path-like
        Working directory of the kernels (the notebook's folder).
    """
    ctx = _context()
    lock = ctx.BoundedSemaphore(max(1, kernel_starts))
    runner = _Runner(jobs, on_done)
    while runner.pending or runner.suspects:
        batch, shared = runner.next_batch()
        size = min(workers, len(batch)) if shared else 1
        pool = ProcessPoolExecutor(
            max_workers=size,
            mp_context=ctx,
            initializer=init_worker,
            initargs=(lock, timeout, str(cwd), os.getpid()),
        )
        try:  # from the first submit (it forks the workers): a stop can come at any point
            futures = {pool.submit(run_job, job): job for job in batch}
            waiting = set(futures)
            while waiting:
                done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                for future in done:
                    runner.collect(futures[future], future)
        except BaseException:  # Ctrl-C, SIGTERM (a SystemExit): stop now, not after the batch
            _stop(pool)
            raise
        pool.shutdown(wait=True)
    return [runner.results[job.slug] for job in jobs if job.slug in runner.results]
