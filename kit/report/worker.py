"""The worker: one process with one warm kernel, building team after team.

A pool worker (:mod:`kit.report.pool`) calls :func:`init_worker` once, then :func:`run_job` for
each job it is given. :func:`run_job` never raises: whatever happens, the team gets a result,
and a failure page when it failed.

The worker dies with its parent: on Linux the kernel sends it ``SIGKILL`` when the batch
process dies (``PR_SET_PDEATHSIG``), and everywhere a watch thread notices that its parent
changed and kills its kernel and itself. The kernel watches the worker the same way
(ipykernel's parent poller, told the worker's pid by jupyter_client), so ``kill -9`` of
``servekit report`` leaves no process behind.

Examples
--------
>>> _ANSI.sub("", "\\x1b[0;31mValueError\\x1b[0m: boom")
'ValueError: boom'
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import importlib
import os
import re
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from kit.exceptions import InvalidData
from kit.formatting import isolate
from kit.report.cache import MANIFEST_DIR, SYNTHESIS_MARKER, running_marker, write_manifest
from kit.report.export import notebook_json, write_file
from kit.report.models import Job, Status, TeamResult
from kit.report.pages import SYNTHESIS_PAGE, SYNTHESIS_PDF, failure_page, page_title
from kit.store.oserrors import MACHINE_ERRNOS, machine_fault, naming, os_error_message

__all__ = [
    "KERNEL_ATTEMPTS",
    "REPORT_WARMUP",
    "finish_team",
    "init_worker",
    "run_job",
    "watch_parent",
]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
KERNEL_ATTEMPTS = 2
"""A team whose kernel died is run once more on a fresh kernel before it fails."""
REPORT_WARMUP = (
    "import plotly.graph_objects, plotly.tools, kit.report.display, kit.report.story\n"
    "import kit.figures.journey, kit.figures.blueprint, kit.figures.pyramid\n"
    "import kit.figures.ipa, kit.figures.priorities, kit.figures.readiness\n"
    "import kit.report.synthesis, kit.figures.teams\n"
)
"""Imported by each warm kernel before its baseline snapshot: what the report notebooks use.

Importing up front is what makes the kernel warm, and it also keeps import side effects in the
baseline: ``plotly.tools``, for one, registers a warnings filter when first imported (lazily,
by plotly itself), which :func:`kit.report.kernels.restore` would otherwise roll back."""
_PR_SET_PDEATHSIG = 1


class _Worker:
    """Per-process state: one warm kernel and the exporter, reused for every team."""

    def __init__(self, start_lock: Any, timeout: float | None, cwd: str):
        from kit.report.kernels import WARMUP_CODE, WarmKernel

        global _KERNEL
        self.kernel = _KERNEL = WarmKernel(
            cwd=cwd, warmup=REPORT_WARMUP + WARMUP_CODE, start_lock=start_lock, timeout=timeout
        )
        self.kernel.launch()  # the kernel boots while this process imports the exporter
        from kit.report.export import html_exporter

        html_exporter()

    def close(self) -> None:
        self.kernel.shutdown()


_WORKER: _Worker | None = None
_KERNEL: Any = None
"""This process's kernel from the moment it is being started (before ``_WORKER`` is set)."""
_CWD = "."


# =========================================================================== dying with the parent
def _ask_kernel_to_kill_us() -> None:
    """Linux: have the kernel send SIGKILL to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _orphaned(status: int = 1) -> None:
    """The parent is gone (or asked us to stop): kill this worker's kernel and remove its
    files (sockets and connection file), then exit at once."""
    for child in _child_pids():  # a kernel being started has no pid in jupyter_client yet
        with contextlib.suppress(OSError):
            os.killpg(child, signal.SIGKILL)  # a kernel leads its own session
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)
    if _KERNEL is not None:
        _KERNEL.kill_now()
    os._exit(status)


def _child_pids() -> list[int]:
    """The processes this one started (its kernels), from ``/proc`` (none where there is none).

    Examples
    --------
    >>> import subprocess
    >>> child = subprocess.Popen(["sleep", "30"])
    >>> child.pid in _child_pids()
    True
    >>> child.kill(); child.wait()
    -9
    """
    me, found = os.getpid(), []
    with contextlib.suppress(OSError):
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                with contextlib.suppress(OSError, ValueError, IndexError):
                    with open(f"/proc/{entry.name}/stat", "rb") as stat:
                        fields = stat.read().rsplit(b")", 1)[1].split()
                    if int(fields[1]) == me:
                        found.append(int(entry.name))
    return found


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM (the batch stopping its workers on Ctrl-C or its own SIGTERM): no kernel left."""
    _orphaned(128 + signum)


def watch_parent(parent: int, interval: float = 0.5) -> threading.Thread:
    """Start a daemon thread that ends this process (and its kernel) when ``parent`` dies.

    Examples
    --------
    >>> watch_parent(os.getppid(), interval=60).daemon
    True
    """

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                _orphaned()
            time.sleep(interval)

    thread = threading.Thread(target=watch, name="servekit-parent-watch", daemon=True)
    thread.start()
    return thread


def init_worker(start_lock: Any, timeout: float | None, cwd: str, parent: int) -> None:
    """Process-pool initializer: die with ``parent``, ignore Ctrl-C (the batch stops its workers
    with SIGTERM, which kills the kernel and removes its files), start the warm kernel."""
    global _WORKER, _CWD
    _ask_kernel_to_kill_us()
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    watch_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _terminated)
    _CWD = cwd
    from multiprocessing import util

    try:
        _WORKER = _Worker(start_lock, timeout, cwd)
    except Exception:  # reported per team by run_job
        _WORKER = None
    util.Finalize(None, _close_worker, exitpriority=10)


def _close_worker() -> None:
    if _WORKER is not None:
        _WORKER.close()


def _worker() -> _Worker:
    """This process's worker; started now when the pool's initializer could not start one."""
    global _WORKER
    if _WORKER is None:
        from kit.exceptions import KernelProblem

        try:
            _WORKER = _Worker(None, 600, _CWD)
        except Exception as exc:
            raise KernelProblem(f"no Python kernel could be started ({exc})") from exc
    return _WORKER


MACHINE_FIX = (
    "This is a problem of the machine (its disk or permissions), not of the team's data and "
    "not a bug in servekit: fix what the message says, then run the command again."
)


# =========================================================================== one job
def run_job(job: Job) -> TeamResult:
    """Build one team's page (or the synthesis) in this worker; never raises."""
    started = time.perf_counter()
    out = Path(job.out)
    result = TeamResult(slug=job.slug, name=job.slug, status=Status.FAILED, digest=job.digest)
    running = running_marker(out, job.slug)
    team = job.kind == "team"
    try:
        with naming(running):  # a full disk fails here: a failure page, not a crash
            running.write_text(str(os.getpid()))
        (_build if team else _build_synthesis)(job, result)
    except Exception as exc:  # last resort: a bug must still give the team a failure page
        result.status = Status.FAILED
        stopped = (
            "an unexpected error stopped the report"
            if team
            else ("the synthesis could not be built")
        )
        result.problem = f"{stopped} ({type(exc).__name__}: {exc})"
        result.details = traceback.format_exc().strip().splitlines()[-6:]
        result.fix = (
            "This is a bug in servekit, not in the team's data. Run the command again; "
            "if it persists, send the lines above to the kit's maintainers."
        )
        if isinstance(exc, OSError) and exc.errno in MACHINE_ERRNOS:  # the machine, not a bug
            result.problem = f"{stopped}: {os_error_message(exc)}"
            result.fix = MACHINE_FIX
    result.seconds = time.perf_counter() - started
    if team:  # the synthesis has no failure page or manifest: the index reports its problem
        finish_team(job, result)
    running.unlink(missing_ok=True)
    return result


def finish_team(job: Job, result: TeamResult) -> None:
    """Write the failure page when the team failed, then its manifest (last)."""
    out = Path(job.out)
    if result.status != Status.OK:
        with contextlib.suppress(Exception):
            result.html = f"{job.slug}.html"
            write_file(out / result.html, failure_page(result, job))
    with contextlib.suppress(Exception):
        write_manifest(out, result)


def _cell_section(nb: Any, index: int | None) -> str:
    """The heading of the notebook section a cell belongs to (for failure messages)."""
    if index is None:
        return ""
    for cell in reversed(nb.cells[: index + 1]):
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return "the report's first cell"


class _Clock:
    """Seconds per phase, into ``result.timings``."""

    def __init__(self, result: TeamResult):
        self.result, self.last = result, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.result.timings[name] = round(now - self.last, 3)
        self.last = now


def _load_team(job: Job, result: TeamResult) -> bool:
    """Validate the team and fill the index facts; False (and the result says why) when invalid."""
    import yaml

    from kit.report.story import Story
    from kit.store.workbook import Workbook
    from kit.store.workshop import Workshop

    team_dir, workshop_dir = Path(job.team_dir), Path(job.workshop_dir)
    try:
        wb = Workbook.load(team_dir, root=workshop_dir, strict=job.strict)
    except InvalidData as exc:
        with contextlib.suppress(Exception):
            result.name = Workbook.load(team_dir, root=workshop_dir, strict=False).name or job.slug
        result.status = Status.INVALID
        count = len(exc.errors)
        result.problem = (
            f"the team's data has {count} error{'s' if count != 1 else ''}, so no report was built"
        )
        result.details = [str(p) for p in exc.problems if p.is_error]
        result.fix = (
            f"Correct each cell named above (file:row:column) in the team folder, or "
            f"run 'servekit validate {workshop_dir}' to list every problem; then run "
            f"'servekit {job.command} {workshop_dir} --team {job.slug}'."
        )
        return False
    result.name = wb.name or job.slug
    try:
        info = Workshop(workshop_dir).info
    except (yaml.YAMLError, UnicodeDecodeError):
        info = {}
    if job.summary:  # another kind's index facts (the follow-up's statuses)
        module, _, function = job.summary.partition(":")
        facts = getattr(importlib.import_module(module), function)
        result.summary = facts(team_dir, workshop_dir, job.parameters)
        return True
    crosshair = job.parameters.get("crosshair", "midpoint")
    result.summary = Story(wb, info, job.slug, crosshair).summary()
    return True


def _run_notebook(job: Job, result: TeamResult) -> Any:
    """Run the team's notebook on the warm kernel; a kernel that died gets one more try.

    Returns the executed notebook; raises papermill's execution error or KernelProblem.
    """
    from kit.exceptions import KernelProblem

    worker = _worker()
    parameters = {
        "workshop_dir": job.workshop_dir,
        "team": job.slug,
        **job.parameters,
        "embed_plotlyjs": False,
    }
    for attempt in range(1, KERNEL_ATTEMPTS + 1):
        worker.kernel.start()
        result.kernel = {
            "pid": worker.kernel.pid,
            "runs": worker.kernel.runs + 1,
            "attempts": attempt,
        }
        try:
            nb = worker.kernel.run(job.notebook, parameters)
        except KernelProblem as exc:
            if not exc.died or attempt == KERNEL_ATTEMPTS:
                raise
            continue
        result.kernel["pid_after"] = worker.kernel.pid
        return nb
    raise AssertionError("unreachable")  # pragma: no cover


def _notebook_failed(job: Job, result: TeamResult, exc: Any) -> None:
    """A cell raised: keep the executed notebook and say which section stopped."""
    import nbformat

    out = Path(job.out)
    result.ipynb = f"{job.slug}.ipynb"
    nb = getattr(exc, "nb", None)
    if nb is not None:
        write_file(out / result.ipynb, nbformat.writes(nb))
    section = _cell_section(nb, exc.cell_index) if nb is not None else ""
    result.problem = (
        f"the report stopped in section '{section}': {exc.ename}: {exc.evalue}"
        if section
        else f"{exc.ename}: {exc.evalue}"
    )
    result.details = [
        line for line in _ANSI.sub("", "\n".join(exc.traceback)).splitlines() if line.strip()
    ][-8:]
    result.fix = (
        f"Open {result.ipynb} (next to this page) to see the full traceback. "
        f"If the data looks right ('servekit validate {job.workshop_dir}' finds no "
        f"error), this is a bug in the kit: send that notebook to its maintainers."
    )
    machine = machine_fault(str(exc.ename), str(exc.evalue))
    if machine:  # a full disk or a read-only folder while the notebook ran: not the team's data
        result.fix = f"{MACHINE_FIX} ({machine})"


def _write_pdf(job: Job, result: TeamResult, page: str, name: str) -> None:
    """Print ``page`` to ``name`` with --pdf; without it, remove ``name`` (a PDF of an earlier
    version of the page would sit beside the newer HTML)."""
    from kit.exceptions import PdfError
    from kit.report.export import print_pdf

    out = Path(job.out)
    if not job.pdf:
        (out / name).unlink(missing_ok=True)
        result.pdf = None
        return
    printable = out / f".{Path(name).stem}.print.html"
    try:
        write_file(printable, page)
        result.pdf = name
        print_pdf(printable, out / result.pdf)
    except PdfError as exc:
        result.pdf = None
        result.problem = f"the HTML report was built but the PDF was not: {exc}"
        result.fix = "Install Chromium (apt-get install chromium) or run without --pdf."
    finally:
        printable.unlink(missing_ok=True)


def _build(job: Job, result: TeamResult) -> None:
    """Validate, run, export and write one team's page; failures go into ``result``."""
    from papermill.exceptions import PapermillExecutionError

    from kit.exceptions import KernelProblem
    from kit.report.export import notebook_html

    out = Path(job.out)
    clock = _Clock(result)
    if not _load_team(job, result):
        return
    clock.lap("validate")
    try:
        nb = _run_notebook(job, result)
    except PapermillExecutionError as exc:
        _notebook_failed(job, result, exc)
        return
    except KernelProblem as exc:
        result.problem = str(exc) + (
            " (twice: the team was run again on a fresh kernel)" if exc.died else ""
        )
        if exc.timed_out:  # what ran out: which team, which section, how long
            section = _cell_section(exc.nb, exc.cell_index) if exc.nb is not None else ""
            where = f"section '{section}'" if section else "a cell"
            result.problem = (
                f"the report of team '{result.name}' ran out of time: {where} "
                f"was still running after {exc.seconds:g} s, the time limit for "
                f"one cell"
            )
            result.fix = (
                f"The other teams went on. A very large team or a busy machine can "
                f"make a section slow: run 'servekit {job.command} "
                f"{job.workshop_dir} --team {job.slug}' again when fewer reports run."
            )
            return
        result.fix = (
            f"The kernel was replaced and the other teams went on. Run "
            f"'servekit {job.command} {job.workshop_dir} --team {job.slug}' again; if "
            f"it stops again, the machine may be short of memory."
        )
        return
    clock.lap("notebook")
    title = page_title(result.name, job.title)
    page = notebook_html(nb, title=title, plotlyjs=job.plotlyjs)
    clock.lap("export")
    result.ipynb = f"{job.slug}.ipynb"
    write_file(out / result.ipynb, notebook_json(nb))
    _write_pdf(job, result, page, f"{job.slug}.pdf")
    if job.pdf:
        clock.lap("pdf")
    write_file(out / f"{job.slug}.html", page)
    result.html = f"{job.slug}.html"
    clock.lap("write")
    if not result.problem:
        result.status = Status.OK


def _build_synthesis(job: Job, result: TeamResult) -> None:
    """Run the synthesis notebook on this worker's kernel; a failure goes in ``result.problem``.

    A failure does not touch the team reports (and makes the batch's exit status 1).
    """
    from papermill.exceptions import PapermillExecutionError

    from kit.exceptions import KernelProblem
    from kit.report.export import notebook_html

    out = Path(job.out)
    result.name = "Synthesis"
    try:
        nb = _worker().kernel.run(
            job.notebook,
            {"workshop_dir": job.workshop_dir, "embed_plotlyjs": False, **job.parameters},
        )
    except (PapermillExecutionError, KernelProblem) as exc:
        result.problem = f"the synthesis could not be built: {exc}"
        return
    title = f"Synthesis — {isolate(job.title)}" if job.title else "Synthesis"
    write_file(out / "_synthesis.ipynb", notebook_json(nb))
    page = notebook_html(nb, title=title, plotlyjs=job.plotlyjs)
    write_file(out / SYNTHESIS_PAGE, page)
    _write_pdf(job, result, page, SYNTHESIS_PDF)
    write_file(out / MANIFEST_DIR / SYNTHESIS_MARKER, job.digest)
    result.html = SYNTHESIS_PAGE
    if result.problem:  # the page is there, its PDF is not: the batch says so (exit status 1)
        result.problem = result.problem.replace("the HTML report", "the synthesis page", 1)
        return
    result.status = Status.OK
