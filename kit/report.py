"""Batch reports: every team's report notebook, run in parallel, exported, indexed, summarised.

:func:`build_reports` is what ``servekit report DIR`` (and ``servekit demo``) call. For each
team of a workshop it runs ``workshops/10_team_report.ipynb`` through papermill and writes, in
``OUT`` (default ``DIR/reports``):

* ``<slug>.html`` — the report: self-contained, offline (see :mod:`kit.export` for plotly.js);
  or, when the team could not be reported, a *failure page* naming the team, what went wrong and
  how to fix it;
* ``<slug>.ipynb`` — the executed notebook beside it (with the traceback when a cell failed);
* ``<slug>.pdf`` — with ``pdf=True``, an A4 PDF printed by headless Chromium;
* ``index.html`` — every team with its status and links; ``summary.json`` — the same as data.

How it is fast
--------------
* **Processes, not threads**: papermill changes the working directory process-wide, and the
  export is CPU-bound Python; a :class:`~concurrent.futures.ProcessPoolExecutor` of ``jobs``
  workers (default: one per core) runs teams side by side.
* **One warm kernel per worker** (:class:`kit.kernels.WarmKernel`): the kernel and the kit's
  imports are paid once per worker, not once per team; the kernel is put back into its baseline
  state between teams (and replaced when it died, hung or had a module changed).
* **In-process export** with a cached :class:`~nbconvert.HTMLExporter`, in the worker.
* **Skipping unchanged teams**: each team's *digest* hashes its files, ``workshop.yaml``, the
  report notebook, the kit's own source and templates, and the options. A team whose digest
  matches its last successful build is not rebuilt (``force=True`` rebuilds).

How it stays safe
-----------------
* One team's bad data (:class:`kit.problems.InvalidData`), failing cell or dead kernel never
  stops the others; its slot gets a failure page and the summary's ``exit_code`` is 1.
* Kernel starts are bounded by a semaphore shared by the workers, and kernels use the ``ipc``
  transport, so simultaneous starts cannot race for TCP ports.
* Every file is written atomically (temporary file + ``os.replace``), the HTML after the
  notebook and PDF, and the team's manifest (``OUT/.servekit/<slug>.json``, the completion
  marker holding its digest) last. The manifest is deleted before a team is rebuilt, so a run
  killed half-way never leaves a report that looks complete and current: the next run
  rebuilds it.

Examples
--------
>>> import tempfile
>>> from kit.workshop import create_demo
>>> ws = create_demo(Path(tempfile.mkdtemp()) / "demo")
>>> summary = build_reports(ws.path, jobs=2, progress=False)    # doctest: +SKIP
>>> summary.exit_code, [r.status for r in summary.results]       # doctest: +SKIP
(0, ['ok', 'ok', 'ok', 'ok'])
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import hashlib
import json
import multiprocessing as mp
import os
import re
import signal
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kit.export import write_file
from kit.problems import InvalidData, KitError
from kit.resources import workshop_notebook

ROOT = Path(__file__).resolve().parent.parent
KIT_DIR = Path(__file__).resolve().parent
NOTEBOOK = workshop_notebook("10_team_report.ipynb")
"""The report notebook (papermill-parameterised: workshop_dir, team, crosshair, embed_plotlyjs)."""
SYNTHESIS_NOTEBOOK = workshop_notebook("20_synthesis.ipynb")
SYNTHESIS_PAGE = "_synthesis.html"  # team slugs never start with "_", so it cannot clash
SYNTHESIS_SLUG = "_synthesis"
SYNTHESIS_MARKER = "_synthesis.digest"
MANIFEST_DIR = ".servekit"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
REPORT_WARMUP = (
    "import plotly.graph_objects, plotly.tools, kit.display, kit.narrative\n"
    "import kit.figures.journey, kit.figures.scoring, kit.figures.pyramid\n"
    "import kit.synthesis, kit.figures.teams\n"
)
"""Imported by each warm kernel before its baseline snapshot: what the report notebooks use.

Importing up front is what makes the kernel warm, and it also keeps import side effects in the
baseline: ``plotly.tools``, for one, registers a warnings filter when first imported (lazily,
by plotly itself), which :func:`kit.kernels.restore` would otherwise roll back."""

STATUS_OK = "ok"
STATUS_FAILED = "failed"
STATUS_INVALID = "invalid data"
STATUS_UNCHANGED = "unchanged"


class ReportError(KitError):
    """The batch cannot run as asked (no such workshop, no such team, bad options)."""


# =========================================================================== results
@dataclass
class TeamResult:
    """What happened to one team.

    Attributes
    ----------
    slug, name : str
        Folder name and display name.
    status : str
        ``"ok"``, ``"unchanged"`` (skipped: up to date), ``"invalid data"`` or ``"failed"``.
    seconds : float
        Time spent on this team (0 when skipped).
    html, ipynb, pdf : str or None
        Output file names inside ``OUT`` (``html`` is the failure page when it failed).
    problem : str
        What went wrong, in one sentence (empty when ok).
    details : list of str
        Validation messages (``path:row:column: message``) or the error's last lines.
    fix : str
        How to fix it.
    summary : dict
        Facts for the index (members, top priorities, what is still to do).
    digest : str
        The inputs' hash this result was built from.
    kernel : dict
        ``pid`` and ``runs`` of the kernel that ran it (shows kernel reuse), ``pid_after``.
    timings : dict
        Seconds per phase: ``validate``, ``notebook``, ``export``, ``pdf``, ``write``.

    Examples
    --------
    >>> TeamResult("a", "Team A", "unchanged").ok, TeamResult("b", "B", "invalid data").ok
    (True, False)
    """

    slug: str
    name: str
    status: str
    seconds: float = 0.0
    html: str | None = None
    ipynb: str | None = None
    pdf: str | None = None
    problem: str = ""
    details: list[str] = field(default_factory=list)
    fix: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    kernel: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True for a report that exists and is current (built now or unchanged)."""
        return self.status in (STATUS_OK, STATUS_UNCHANGED)


@dataclass
class Summary:
    """The outcome of a batch (what :func:`build_reports` returns).

    Examples
    --------
    >>> s = Summary(Path("w"), Path("w/reports"), [TeamResult("a", "A", "failed")], 1.0)
    >>> s.exit_code, [r.slug for r in s.failed]
    (1, ['a'])
    """

    workshop: Path
    out: Path
    results: list[TeamResult]
    seconds: float
    index: Path | None = None
    workshop_info: dict[str, Any] = field(default_factory=dict)
    synthesis: str | None = None
    synthesis_problem: str | None = None

    @property
    def failed(self) -> list[TeamResult]:
        """Teams without a current report."""
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        """1 when any team (or the synthesis) failed, else 0."""
        return 1 if self.failed or self.synthesis_problem else 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``summary.json`` holds)."""
        return {
            "workshop": str(self.workshop), "out": str(self.out),
            "title": self.workshop_info.get("title", ""),
            "date": str(self.workshop_info.get("date", "") or ""),
            "seconds": round(self.seconds, 3),
            "built": sum(r.status == STATUS_OK for r in self.results),
            "unchanged": sum(r.status == STATUS_UNCHANGED for r in self.results),
            "failed": len(self.failed),
            "synthesis": self.synthesis, "synthesis_problem": self.synthesis_problem,
            "teams": [asdict(r) for r in self.results],
        }


# =========================================================================== planning
@dataclass(frozen=True)
class Job:
    """One team to build (picklable; sent to a worker)."""

    slug: str
    team_dir: str
    workshop_dir: str
    out: str
    notebook: str
    crosshair: str
    pdf: bool
    plotlyjs: str
    digest: str
    title: str
    kind: str = "team"
    """``"team"`` (one team's report) or ``"synthesis"`` (the workshop's synthesis page)."""


def _files(folder: Path) -> Iterable[Path]:
    """Input files of a folder: everything but hidden entries (history, locks, temp files)."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            yield path


@functools.cache
def kit_fingerprint() -> str:
    """Hash of the kit's source and templates and its version: code changes rebuild reports.

    Examples
    --------
    >>> len(kit_fingerprint())
    64
    """
    from kit.export import version

    digest = hashlib.sha256(version().encode())
    for path in _files(KIT_DIR):
        if path.suffix in {".py", ".j2", ".css", ".json", ".js"} and "__pycache__" not in path.parts:
            digest.update(path.relative_to(KIT_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def team_digest(team_dir: Path, workshop_dir: Path, notebook: Path,
                options: dict[str, Any]) -> str:
    """Hash of everything a team's report is built from.

    The team's files (names and bytes; hidden ones such as ``.history/`` excluded),
    ``workshop.yaml``, the report notebook, :func:`kit_fingerprint` and the options.

    Examples
    --------
    >>> import tempfile
    >>> ws = Path(tempfile.mkdtemp()); team = ws / "teams" / "a"; team.mkdir(parents=True)
    >>> one = team_digest(team, ws, NOTEBOOK, {"pdf": False})
    >>> _ = (team / "journey.csv").write_text("x")
    >>> one != team_digest(team, ws, NOTEBOOK, {"pdf": False})
    True
    """
    digest = hashlib.sha256(kit_fingerprint().encode())
    digest.update(json.dumps(options, sort_keys=True, default=str).encode())
    digest.update(notebook.read_bytes())
    info = workshop_dir / "workshop.yaml"
    if info.is_file():
        digest.update(info.read_bytes())
    for path in _files(team_dir):
        digest.update(b"\0" + path.relative_to(team_dir).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _manifest_path(out: Path, slug: str) -> Path:
    return out / MANIFEST_DIR / f"{slug}.json"


def read_manifest(out: Path, slug: str) -> dict[str, Any] | None:
    """The completion marker of a team's last build (``None`` when absent or unreadable).

    Examples
    --------
    >>> read_manifest(Path("/nonexistent"), "a") is None
    True
    """
    try:
        return json.loads(_manifest_path(out, slug).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _current(manifest: dict[str, Any] | None, out: Path, digest: str, pdf: bool) -> bool:
    if not manifest or manifest.get("status") != STATUS_OK or manifest.get("digest") != digest:
        return False
    needed = [manifest.get("html"), manifest.get("ipynb")] + ([manifest.get("pdf")] if pdf else [])
    return all(name and (out / name).is_file() for name in needed)


def _clean_temporaries(out: Path) -> None:
    """Remove temporary files a killed run left behind (``.<name>.*.tmp``, markers)."""
    for path in (list(out.glob(".*.tmp")) + list((out / MANIFEST_DIR).glob(".*.tmp"))
                 + list((out / MANIFEST_DIR).glob("*.running")) + list(out.glob(".*.print.html"))):
        with contextlib.suppress(OSError):
            path.unlink()


# =========================================================================== the worker
class _Worker:
    """Per-process state: one warm kernel and the exporter, reused for every team."""

    def __init__(self, start_lock: Any, timeout: float | None):
        from kit.kernels import WARMUP_CODE, WarmKernel

        self.kernel = WarmKernel(cwd=str(NOTEBOOK.parent), warmup=REPORT_WARMUP + WARMUP_CODE,
                                 start_lock=start_lock, timeout=timeout)
        self.kernel.launch()  # the kernel boots while this process imports the exporter
        from kit.export import html_exporter

        html_exporter()

    def close(self) -> None:
        self.kernel.shutdown()


_WORKER: _Worker | None = None


def _init_worker(start_lock: Any, timeout: float | None) -> None:
    """Process-pool initializer: ignore Ctrl-C (the parent decides), start the warm kernel."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from multiprocessing import util

    try:
        _WORKER = _Worker(start_lock, timeout)
    except Exception:  # reported per team by _run_job
        _WORKER = None
    util.Finalize(None, _close_worker, exitpriority=10)


def _close_worker() -> None:
    if _WORKER is not None:
        _WORKER.close()


def _worker() -> _Worker:
    """This process's worker; started now when the pool's initializer could not start one."""
    global _WORKER
    if _WORKER is None:
        from kit.kernels import KernelProblem

        try:
            _WORKER = _Worker(None, 600)
        except Exception as exc:
            raise KernelProblem(f"no Python kernel could be started ({exc})") from exc
    return _WORKER


def _write_manifest(out: Path, result: TeamResult) -> None:
    write_file(_manifest_path(out, result.slug),
                 json.dumps(asdict(result), indent=1, default=str))


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


def _run_job(job: Job) -> TeamResult:
    """Build one team's report in this worker (never raises)."""
    started = time.perf_counter()
    out = Path(job.out)
    result = TeamResult(job.slug, job.slug, STATUS_FAILED, digest=job.digest)
    running = _running_marker(out, job.slug)
    running.write_text(str(os.getpid()))
    team = job.kind == "team"
    try:
        (_build if team else _build_synthesis)(job, result)
    except Exception as exc:  # last resort: a bug must still give the team a failure page
        result.status = STATUS_FAILED
        stopped = "an unexpected error stopped the report" if team else (
            "the synthesis could not be built")
        result.problem = f"{stopped} ({type(exc).__name__}: {exc})"
        result.details = traceback.format_exc().strip().splitlines()[-6:]
        result.fix = ("This is a bug in servekit, not in the team's data. Run the command again; "
                      "if it persists, send the lines above to the kit's maintainers.")
    result.seconds = time.perf_counter() - started
    if team:  # the synthesis has no failure page or manifest: the index reports its problem
        if result.status != STATUS_OK:
            with contextlib.suppress(Exception):
                result.html = f"{job.slug}.html"
                write_file(out / result.html, failure_page(result, job))
        with contextlib.suppress(Exception):
            _write_manifest(out, result)
    running.unlink(missing_ok=True)
    return result


def _build(job: Job, result: TeamResult) -> None:
    import nbformat
    import yaml
    from papermill.exceptions import PapermillExecutionError

    from kit.export import PdfError, notebook_html, print_pdf
    from kit.kernels import KernelProblem
    from kit.narrative import Story
    from kit.workbook import Workbook
    from kit.workshop import Workshop

    out = Path(job.out)
    team_dir, workshop_dir = Path(job.team_dir), Path(job.workshop_dir)
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        result.timings[name] = round(now - clock, 3)
        clock = now

    try:
        wb = Workbook.load(team_dir, root=workshop_dir)
    except InvalidData as exc:
        with contextlib.suppress(Exception):
            result.name = Workbook.load(team_dir, root=workshop_dir, strict=False).name or job.slug
        result.status = STATUS_INVALID
        count = len(exc.errors)
        result.problem = (f"the team's data has {count} error{'s' if count != 1 else ''}, so no "
                          f"report was built")
        result.details = [str(p) for p in exc.problems if p.is_error]
        result.fix = (f"Correct each cell named above (file:row:column) in the team folder, or "
                      f"run 'servekit validate {workshop_dir}' to list every problem; then run "
                      f"'servekit report {workshop_dir} --team {job.slug}'.")
        return
    result.name = wb.name or job.slug
    try:
        info = Workshop(workshop_dir).info
    except (yaml.YAMLError, UnicodeDecodeError):
        info = {}
    story = Story(wb, info, job.slug, job.crosshair)
    result.summary = story.summary()
    lap("validate")

    worker = _worker()
    parameters = {"workshop_dir": str(workshop_dir), "team": job.slug,
                  "crosshair": job.crosshair, "embed_plotlyjs": False}
    try:
        worker.kernel.start()
        result.kernel = {"pid": worker.kernel.pid, "runs": worker.kernel.runs + 1}
        nb = worker.kernel.run(job.notebook, parameters)
    except PapermillExecutionError as exc:
        result.ipynb = f"{job.slug}.ipynb"
        nb = getattr(exc, "nb", None)
        if nb is not None:
            write_file(out / result.ipynb, nbformat.writes(nb))
        section = _cell_section(nb, exc.cell_index) if nb is not None else ""
        result.problem = (f"the report stopped in section '{section}': {exc.ename}: "
                          f"{exc.evalue}" if section else f"{exc.ename}: {exc.evalue}")
        result.details = [line for line in _ANSI.sub("", "\n".join(exc.traceback)).splitlines()
                          if line.strip()][-8:]
        result.fix = (f"Open {result.ipynb} (next to this page) to see the full traceback. "
                      f"If the data looks right ('servekit validate {workshop_dir}' finds no "
                      f"error), this is a bug in the kit: send that notebook to its maintainers.")
        return
    except KernelProblem as exc:
        result.problem = str(exc)
        result.fix = (f"The kernel was replaced and the other teams went on. Run "
                      f"'servekit report {workshop_dir} --team {job.slug}' again; if it stops "
                      f"again, the machine may be short of memory.")
        return
    result.kernel["pid_after"] = worker.kernel.pid
    lap("notebook")
    title = f"{result.name} — {job.title}" if job.title else result.name
    page = notebook_html(nb, title=title, plotlyjs=job.plotlyjs)
    lap("export")
    result.ipynb = f"{job.slug}.ipynb"
    write_file(out / result.ipynb, nbformat.writes(nb))
    if job.pdf:
        printable = out / f".{job.slug}.print.html"
        try:
            write_file(printable, page)
            result.pdf = f"{job.slug}.pdf"
            print_pdf(printable, out / result.pdf)
        except PdfError as exc:
            result.pdf = None
            result.problem = f"the HTML report was built but the PDF was not: {exc}"
            result.fix = "Install Chromium (apt-get install chromium) or run without --pdf."
        finally:
            printable.unlink(missing_ok=True)
        lap("pdf")
    write_file(out / f"{job.slug}.html", page)
    result.html = f"{job.slug}.html"
    lap("write")
    if not result.problem:
        result.status = STATUS_OK


# =========================================================================== pages
@functools.cache
def _pages() -> Any:
    import jinja2

    from kit.export import TEMPLATES

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES / "pages")),
                             autoescape=True, trim_blocks=True, lstrip_blocks=True)
    return env


def failure_page(result: TeamResult, job: Job) -> str:
    """The page that takes a team's slot when its report could not be built.

    Examples
    --------
    >>> r = TeamResult("a", "<b>A</b>", "failed", problem="it broke", fix="rerun")
    >>> job = Job("a", "t", "w", "o", "n", "mean", False, "inline", "", "Workshop")
    >>> page = failure_page(r, job)
    >>> "&lt;b&gt;A&lt;/b&gt;" in page and "<b>A</b>" not in page
    True
    """
    from kit.export import report_css, version

    return _pages().get_template("failure.html.j2").render(
        r=result, job=job, css=report_css(), version=version(),
        when=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))


def index_page(summary: Summary) -> str:
    """The batch's ``index.html``: the workshop, then every team with status and links.

    Examples
    --------
    >>> s = Summary(Path("w"), Path("o"), [TeamResult("a", "<i>A</i>", "ok", html="a.html")],
    ...             1.0, workshop_info={"title": "T & T"})
    >>> page = index_page(s)
    >>> "T &amp; T" in page and "&lt;i&gt;A&lt;/i&gt;" in page
    True
    """
    from kit.export import report_css, version

    return _pages().get_template("index.html.j2").render(
        s=summary, info=summary.workshop_info, css=report_css(), version=version(),
        when=dt.datetime.now().strftime("%Y-%m-%d %H:%M"))


# =========================================================================== orchestration
def default_jobs() -> int:
    """Worker processes by default: the cores this process may use.

    Examples
    --------
    >>> default_jobs() >= 1
    True
    """
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return max(1, os.cpu_count() or 1)


def _select(teams: list[Any], wanted: Iterable[str] | None, workshop: Any) -> list[Any]:
    if not wanted:
        return teams
    chosen = []
    for name in wanted:
        team = workshop.team(name)  # WorkshopError names the teams there are
        if team not in chosen:
            chosen.append(team)
    return chosen


def _context() -> mp.context.BaseContext:
    """fork where available (workers inherit the imports), else spawn."""
    methods = mp.get_all_start_methods()
    return mp.get_context("fork" if "fork" in methods else "spawn")


def _running_marker(out: Path, slug: str) -> Path:
    return out / MANIFEST_DIR / f"{slug}.running"


def _crashed(job: Job, tries: int) -> TeamResult:
    result = TeamResult(job.slug, job.slug, STATUS_FAILED, digest=job.digest,
                        problem=f"the worker process building this report crashed "
                                f"({tries} times; the other teams went on)",
                        fix=f"Run 'servekit report {job.workshop_dir} --team {job.slug} --jobs 1' "
                            f"to see the error; the machine may be short of memory.")
    if job.kind != "team":
        return result
    with contextlib.suppress(Exception):
        result.html = f"{job.slug}.html"
        write_file(Path(job.out) / result.html, failure_page(result, job))
        _write_manifest(Path(job.out), result)
    return result


def _run_pool(jobs: list[Job], workers: int, kernel_starts: int, timeout: float | None,
              on_done: Callable[[TeamResult], None]) -> list[TeamResult]:
    """Run ``jobs`` on a process pool, surviving a worker process that dies.

    When a worker process dies (the pool is then broken), the teams that were *being built*
    (their ``.running`` marker exists) are suspects: each is retried once on its own, in a
    one-worker pool, and fails if it crashes again. Teams that were only queued go back into a
    fresh parallel pool.
    """
    ctx = _context()
    lock = ctx.BoundedSemaphore(max(1, kernel_starts))
    results: dict[str, TeamResult] = {}
    tries: dict[str, int] = {}
    pending = list(jobs)
    suspects: list[Job] = []
    while pending or suspects:
        if pending:
            batch, pending, size = pending, [], min(workers, len(pending))
        else:
            batch, size = [suspects.pop(0)], 1
        with ProcessPoolExecutor(max_workers=size, mp_context=ctx, initializer=_init_worker,
                                 initargs=(lock, timeout)) as pool:
            futures: dict[Future, Job] = {pool.submit(_run_job, job): job for job in batch}
            waiting = set(futures)
            try:
                while waiting:
                    done, waiting = wait(waiting, return_when=FIRST_COMPLETED)
                    for future in done:
                        job = futures[future]
                        try:
                            result = future.result()
                        except BrokenProcessPool:
                            marker = _running_marker(Path(job.out), job.slug)
                            if not marker.exists():
                                pending.append(job)          # only queued: not its fault
                                continue
                            marker.unlink(missing_ok=True)
                            tries[job.slug] = tries.get(job.slug, 0) + 1
                            if tries[job.slug] < 2:
                                suspects.append(job)
                                continue
                            result = _crashed(job, tries[job.slug])
                        results[job.slug] = result
                        on_done(result)
            except KeyboardInterrupt:
                for process in list(getattr(pool, "_processes", {}).values()):
                    with contextlib.suppress(Exception):
                        process.terminate()
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    return [results[job.slug] for job in jobs if job.slug in results]


def build_reports(workshop_dir: str | os.PathLike, out: str | os.PathLike | None = None,
                  teams: Iterable[str] | None = None, jobs: int | None = None,
                  pdf: bool = False, force: bool = False, progress: bool = True, *,
                  crosshair: str = "midpoint", plotlyjs: str = "inline",
                  notebook: str | os.PathLike | None = None, timeout: float | None = 600,
                  kernel_starts: int | None = None, console: Any = None) -> Summary:
    """Build every team's report (or those in ``teams``) and the index; return the summary.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder (``workshop.yaml`` + ``teams/``).
    out : path-like, optional
        Output folder (default ``workshop_dir/reports``).
    teams : iterable of str, optional
        Slugs or display names (default: every team).
    jobs : int, optional
        Worker processes (default: one per core).
    pdf : bool
        Also print an A4 PDF of each report with headless Chromium.
    force : bool
        Rebuild teams whose inputs did not change.
    progress : bool
        Show a progress bar and the final table on the console.
    crosshair : {"mean", "midpoint"}
        Where the IPA crosshair sits (a notebook parameter).
    plotlyjs : {"inline", "shared"}
        plotly.js in every report (self-contained) or one ``assets/plotly.min.js`` per batch.
    notebook : path-like, optional
        The report notebook (default ``workshops/10_team_report.ipynb``).
    timeout : float or None
        Seconds a cell may run before the team fails.
    kernel_starts : int, optional
        How many kernels may start at once (default: ``jobs``, at most the cores).
    console : rich.console.Console, optional
        Where progress and the table go (default: standard error / output).

    Returns
    -------
    Summary
        ``summary.exit_code`` is 1 when any team failed.

    Raises
    ------
    ReportError
        Not a workshop folder, or a bad option.
    kit.workshop.WorkshopError
        A team in ``teams`` does not exist.

    Examples
    --------
    >>> summary = build_reports("demo", jobs=2)     # doctest: +SKIP
    >>> summary.index                               # doctest: +SKIP
    PosixPath('demo/reports/index.html')
    """
    import yaml

    from kit.workshop import Workshop, is_workshop

    started = time.perf_counter()
    workshop_dir = Path(workshop_dir).resolve()
    if not is_workshop(workshop_dir):
        raise ReportError(f"{workshop_dir} is not a workshop folder; expected workshop.yaml and "
                          f"teams/ (create one with 'servekit new' or 'servekit demo')")
    if crosshair not in ("mean", "midpoint"):
        raise ReportError(f"crosshair {crosshair!r}: expected 'mean' or 'midpoint'")
    if plotlyjs not in ("inline", "shared"):
        raise ReportError(f"plotlyjs {plotlyjs!r}: expected 'inline' or 'shared'")
    notebook = Path(notebook).resolve() if notebook else NOTEBOOK
    if not notebook.is_file():
        raise ReportError(f"report notebook not found: {notebook}")
    workshop = Workshop(workshop_dir)
    try:
        info = workshop.info
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ReportError(f"{workshop_dir / 'workshop.yaml'} cannot be read ({exc}); run "
                          f"'servekit validate {workshop_dir}' to see where") from exc
    selected = _select(workshop.teams(), teams, workshop)
    out = Path(out).resolve() if out else workshop_dir / "reports"
    out.mkdir(parents=True, exist_ok=True)
    (out / MANIFEST_DIR).mkdir(exist_ok=True)
    _clean_temporaries(out)
    if plotlyjs == "shared":
        from kit.export import write_plotlyjs_asset

        write_plotlyjs_asset(out)

    options = {"crosshair": crosshair, "pdf": pdf, "plotlyjs": plotlyjs}
    title = str(info.get("title") or "")
    todo: list[Job] = []
    results: dict[str, TeamResult] = {}
    digests: list[str] = []
    for team in selected:
        digest = team_digest(team.path, workshop_dir, notebook, options)
        digests.append(digest)
        manifest = read_manifest(out, team.slug)
        if not force and _current(manifest, out, digest, pdf):
            kept = {k: v for k, v in manifest.items() if k in TeamResult.__dataclass_fields__}
            kept.update(status=STATUS_UNCHANGED, seconds=0.0)
            results[team.slug] = TeamResult(**kept)
            continue
        _manifest_path(out, team.slug).unlink(missing_ok=True)  # not complete until rebuilt
        todo.append(Job(team.slug, str(team.path), str(workshop_dir), str(out), str(notebook),
                        crosshair, pdf, plotlyjs, digest, title))

    # The synthesis (whole workshops only) reads the team folders, not the reports, so it runs
    # in the same pool as the teams, first: it is the longest job, and a warm kernel saves it
    # a cold start.
    synthesis: TeamResult | None = None
    if teams is None and len(selected) > 1:
        job = synthesis_job(workshop_dir, out, digests, plotlyjs=plotlyjs, force=force,
                            title=title)
        if job is None:
            synthesis = TeamResult(SYNTHESIS_SLUG, "Synthesis", STATUS_UNCHANGED,
                                   html=SYNTHESIS_PAGE)
        else:
            todo.insert(0, job)
    workers = max(1, min(jobs or default_jobs(), len(todo) or 1))
    starts = kernel_starts or min(workers, default_jobs())
    if todo:
        from kit.kernels import python_kernel_ok

        problem = python_kernel_ok()
        if problem:
            raise ReportError(problem)
        _preload()
        console = console or _console()
        with _progress(progress, len(todo), console) as advance:
            for result in _run_pool(todo, workers, starts, timeout, advance):
                if result.slug == SYNTHESIS_SLUG:
                    synthesis = result
                else:
                    results[result.slug] = result

    ordered = [results[t.slug] for t in selected if t.slug in results]
    summary = Summary(workshop_dir, out, ordered, time.perf_counter() - started,
                      workshop_info=info)
    if synthesis is not None:
        if synthesis.ok:
            summary.synthesis = SYNTHESIS_PAGE
        else:
            summary.synthesis_problem = synthesis.problem or "the synthesis could not be built"
    elif (out / SYNTHESIS_PAGE).is_file():
        summary.synthesis = SYNTHESIS_PAGE
    _write_index(summary)
    summary.seconds = time.perf_counter() - started
    if progress:
        print_summary(summary, console or _console())
    return summary


def synthesis_job(workshop_dir: Path, out: Path, team_digests: list[str], *,
                  plotlyjs: str = "inline", force: bool = False, title: str = "") -> Job | None:
    """The job that builds the synthesis page, or ``None`` when the page is up to date.

    The page is rebuilt only when a team's inputs, the synthesis notebook or the kit changed
    (or with ``force``).

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> synthesis_job(out, out, ["a", "b"]).kind
    'synthesis'
    """
    digest = hashlib.sha256("\n".join([*sorted(team_digests), _file_digest(SYNTHESIS_NOTEBOOK),
                                        kit_fingerprint()]).encode()).hexdigest()
    marker = out / MANIFEST_DIR / SYNTHESIS_MARKER
    page = out / SYNTHESIS_PAGE
    if (not force and page.is_file() and marker.is_file()
            and marker.read_text(encoding="utf-8") == digest):
        return None
    marker.unlink(missing_ok=True)
    return Job(SYNTHESIS_SLUG, "", str(workshop_dir), str(out), str(SYNTHESIS_NOTEBOOK),
               "midpoint", False, plotlyjs, digest, title, kind="synthesis")


def _build_synthesis(job: Job, result: TeamResult) -> None:
    """Run the synthesis notebook on this worker's kernel; a failure goes in ``result.problem``.

    A failure does not touch the team reports (and makes the batch's exit status 1).
    """
    import nbformat
    from papermill.exceptions import PapermillExecutionError

    from kit.export import notebook_html
    from kit.kernels import KernelProblem

    out = Path(job.out)
    result.name = "Synthesis"
    try:
        nb = _worker().kernel.run(job.notebook, {"workshop_dir": job.workshop_dir,
                                                 "embed_plotlyjs": False})
    except (PapermillExecutionError, KernelProblem) as exc:
        result.problem = f"the synthesis could not be built: {exc}"
        return
    title = f"Synthesis — {job.title}" if job.title else "Synthesis"
    write_file(out / "_synthesis.ipynb", nbformat.writes(nb))
    write_file(out / SYNTHESIS_PAGE, notebook_html(nb, title=title, plotlyjs=job.plotlyjs))
    write_file(out / MANIFEST_DIR / SYNTHESIS_MARKER, job.digest)
    result.html = SYNTHESIS_PAGE
    result.status = STATUS_OK


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _preload() -> None:
    """Import what every worker needs once, in the parent, before the workers fork."""
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    import kit.kernels  # noqa: F401
    import kit.narrative  # noqa: F401


def _write_index(summary: Summary) -> None:
    """Write ``index.html`` and ``summary.json`` (every team of this run, and earlier ones)."""
    out = summary.out
    listed = {r.slug for r in summary.results}
    earlier = []
    for path in sorted((out / MANIFEST_DIR).glob("*.json")):
        slug = path.stem
        if slug in listed or not (summary.workshop / "teams" / slug).is_dir():
            continue
        manifest = read_manifest(out, slug)
        if manifest:
            kept = {k: v for k, v in manifest.items() if k in TeamResult.__dataclass_fields__}
            earlier.append(TeamResult(**{**kept, "status": kept.get("status", STATUS_FAILED)}))
    shown = Summary(summary.workshop, out,
                    sorted(summary.results + earlier, key=lambda r: r.slug),
                    summary.seconds, workshop_info=summary.workshop_info,
                    synthesis=summary.synthesis, synthesis_problem=summary.synthesis_problem)
    write_file(out / "summary.json", json.dumps(shown.to_dict(), indent=1, default=str))
    write_file(out / "index.html", index_page(shown))
    summary.index = out / "index.html"


# =========================================================================== console
def _console() -> Any:
    from rich.console import Console

    return Console(stderr=True)


@contextlib.contextmanager
def _progress(enabled: bool, total: int, console: Any) -> Any:
    """A rich progress bar; yields a callback that advances it by one finished team."""
    if not enabled:
        yield lambda result: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(SpinnerColumn(), TextColumn("[bold]Reports[/]"), BarColumn(),
                  MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("{task.description}"),
                  console=console, transient=False) as bar:
        task = bar.add_task("starting kernels…", total=total)

        def advance(result: TeamResult) -> None:
            mark = "[green]✓[/]" if result.ok else "[red]✗[/]"
            from rich.markup import escape as rich_escape

            bar.update(task, advance=1, description=f"{mark} {rich_escape(result.name)}")

        yield advance


def _shown(path: Path | None) -> str:
    """``path`` relative to the working directory when inside it, else absolute."""
    if path is None:
        return "—"
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def print_summary(summary: Summary, console: Any) -> None:
    """Print the final table: team, status, time, output; then the index and what failed.

    Examples
    --------
    >>> from rich.console import Console
    >>> s = Summary(Path("w"), Path("o"), [TeamResult("a", "A", "ok", 1.5, html="a.html")], 2.0)
    >>> print_summary(s, Console(width=60, color_system=None))   # doctest: +NORMALIZE_WHITESPACE
    servekit report
    ┏━━━━━━┳━━━━━━━━┳━━━━━━━┳━━━━━━━━━━┓
    ┃ Team ┃ Status ┃  Time ┃ Output   ┃
    ┡━━━━━━╇━━━━━━━━╇━━━━━━━╇━━━━━━━━━━┩
    │ A    │ ok     │ 1.5 s │ o/a.html │
    └──────┴────────┴───────┴──────────┘
    1 built, 0 unchanged, 0 failed in 2.0 s. Index: —
    """
    from rich.markup import escape as rich_escape
    from rich.table import Table

    table = Table(title="servekit report", title_justify="left", show_lines=False)
    table.add_column("Team")
    table.add_column("Status")
    table.add_column("Time", justify="right")
    table.add_column("Output")
    colours = {STATUS_OK: "green", STATUS_UNCHANGED: "cyan", STATUS_INVALID: "red",
               STATUS_FAILED: "red"}
    for r in summary.results:
        files = [_shown(summary.out / f) for f in (r.html, r.pdf) if f]
        table.add_row(rich_escape(r.name), f"[{colours.get(r.status, 'red')}]"
                      f"{rich_escape(r.status)}[/]",
                      f"{r.seconds:.1f} s" if r.status != STATUS_UNCHANGED else "—",
                      rich_escape(", ".join(files) or "—"))
    console.print(table)
    built = sum(r.status == STATUS_OK for r in summary.results)
    kept = sum(r.status == STATUS_UNCHANGED for r in summary.results)
    console.print(f"{built} built, {kept} unchanged, {len(summary.failed)} failed in "
                  f"{summary.seconds:.1f} s. Index: {rich_escape(_shown(summary.index))}")
    for r in summary.failed:
        console.print(f"[red]✗ {rich_escape(r.name)}[/]: {rich_escape(r.problem)}")
        for line in r.details[:10]:
            console.print(f"    {rich_escape(line)}")
        if r.fix:
            console.print(f"  [bold]Fix:[/] {rich_escape(r.fix)}")
