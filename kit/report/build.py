"""``build_reports``: check the options, plan the jobs, run the pool, summarise.

Examples
--------
>>> check_options("midpoint", "shared")
>>> check_options("middle", "inline")
Traceback (most recent call last):
...
kit.exceptions.ReportError: crosshair 'middle': expected 'mean' or 'midpoint'
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kit.exceptions import ReportError, UnsafePath
from kit.report.cache import (
    MANIFEST_DIR,
    SYNTHESIS_MARKER,
    clean_temporaries,
    is_current,
    manifest_path,
    read_manifest,
    synthesis_current,
    synthesis_digest,
    team_digest,
)
from kit.report.console import make_console, print_summary, progress_bar
from kit.report.models import TEAM_REPORT, Job, ReportKind, Status, Summary, TeamResult
from kit.report.pages import SYNTHESIS_PAGE, SYNTHESIS_PDF, SYNTHESIS_SLUG, write_index
from kit.report.pool import default_jobs, run_pool
from kit.store.sharing import output_folder

__all__ = [
    "Plan",
    "build_reports",
    "check_notebook",
    "check_options",
    "declared_parameters",
    "plan_jobs",
    "synthesis_job",
]


def declared_parameters(notebook: str | Path, parameters: dict[str, Any]) -> dict[str, Any]:
    """The ``parameters`` that ``notebook``'s parameters cell declares (papermill would warn
    "Passed unknown parameter" for the others, e.g. the team report's crosshair given to the
    synthesis).

    Examples
    --------
    >>> from kit.resources import workshop_notebook
    >>> synthesis = workshop_notebook("20_synthesis.ipynb")
    >>> declared_parameters(synthesis, {"crosshair": "mean", "workshop_dir": "w"})
    {'workshop_dir': 'w'}
    """
    import papermill

    declared = papermill.inspect_notebook(str(notebook))
    return {name: value for name, value in parameters.items() if name in declared}


def check_options(crosshair: str, plotlyjs: str) -> None:
    """Refuse an unknown crosshair or plotly.js mode (:class:`ReportError`)."""
    if crosshair not in ("mean", "midpoint"):
        raise ReportError(f"crosshair {crosshair!r}: expected 'mean' or 'midpoint'")
    if plotlyjs not in ("inline", "shared"):
        raise ReportError(f"plotlyjs {plotlyjs!r}: expected 'inline' or 'shared'")


def check_notebook(path: Path) -> None:
    """Refuse a missing notebook, or a file that is not a Jupyter notebook (:class:`ReportError`).

    Examples
    --------
    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "x.ipynb"; _ = bad.write_text("hello")
    >>> check_notebook(bad)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kit.exceptions.ReportError: .../x.ipynb is not a Jupyter notebook (its content is not JSON); expected an .ipynb file
    """
    import nbformat

    if not path.is_file():
        raise ReportError(f"report notebook not found: {path}")
    try:
        nbformat.read(path, as_version=4)
    except nbformat.reader.NotJSONError:
        reason = "its content is not JSON"
    except Exception as exc:  # nbformat raises validation and encoding errors
        first = str(exc).strip().splitlines()[0][:120] if str(exc).strip() else ""
        reason = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    else:
        return
    raise ReportError(f"{path} is not a Jupyter notebook ({reason}); expected an .ipynb file")


@dataclass(kw_only=True)
class Plan:
    """The jobs of a batch, and the teams that are already up to date."""

    todo: list[Job] = field(default_factory=list)
    kept: dict[str, TeamResult] = field(default_factory=dict)
    digests: list[str] = field(default_factory=list)
    synthesis: TeamResult | None = None


def _open_workshop(workshop_dir: Path) -> tuple[Any, dict[str, Any]]:
    import yaml

    from kit.store.workshop import Workshop, is_workshop

    if not is_workshop(workshop_dir):
        raise ReportError(
            f"{workshop_dir} is not a workshop folder; expected workshop.yaml and "
            f"teams/ (create one with 'servekit new' or 'servekit demo')"
        )
    workshop = Workshop(workshop_dir)
    try:
        info = workshop.info
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ReportError(
            f"{workshop_dir / 'workshop.yaml'} cannot be read ({exc}); run "
            f"'servekit validate {workshop_dir}' to see where"
        ) from exc
    return workshop, info


def _select(workshop: Any, wanted: Iterable[str] | None) -> list[Any]:
    teams = workshop.teams()
    if not wanted:
        return teams
    chosen = []
    for name in wanted:
        team = workshop.team(name)  # WorkshopError names the teams there are
        if team not in chosen:
            chosen.append(team)
    return chosen


def plan_jobs(
    kind: ReportKind,
    workshop_dir: Path,
    out: Path,
    selected: list[Any],
    *,
    options: dict[str, Any],
    title: str,
    force: bool,
    whole: bool,
) -> Plan:
    """Decide what to build: a job per team whose inputs changed, and the synthesis."""
    plan = Plan()
    parameters = {name: options[name] for name in kind.options}
    for team in selected:
        try:
            digest = team_digest(team.path, workshop_dir, kind.notebook, options)
        except UnsafePath as exc:  # a refused team gets its failure page; the others are built
            plan.kept[team.slug] = refused_team(kind, team, workshop_dir, out, str(exc))
            plan.digests.append(plan.kept[team.slug].digest)
            continue
        plan.digests.append(digest)
        manifest = read_manifest(out, team.slug)
        if not force and is_current(manifest, out, digest, pdf=options["pdf"]):
            plan.kept[team.slug] = TeamResult.from_dict(
                manifest, status=Status.UNCHANGED, seconds=0.0
            )
            continue
        manifest_path(out, team.slug).unlink(missing_ok=True)  # not complete until rebuilt
        plan.todo.append(
            Job(
                slug=team.slug,
                team_dir=str(team.path),
                workshop_dir=str(workshop_dir),
                out=str(out),
                notebook=str(kind.notebook),
                parameters=parameters,
                pdf=options["pdf"],
                plotlyjs=options["plotlyjs"],
                digest=digest,
                title=title,
                command=kind.name,
                strict=kind.strict,
                summary=kind.summary,
            )
        )
    # The synthesis (whole workshops only) reads the team folders, not the reports, so it runs
    # in the same pool as the teams, first: it is the longest job, and a warm kernel saves it
    # a cold start.
    if kind.synthesis is not None and whole and len(selected) > 1:
        job = synthesis_job(
            workshop_dir,
            out,
            plan.digests,
            plotlyjs=options["plotlyjs"],
            pdf=options["pdf"],
            force=force,
            title=title,
            notebook=kind.synthesis,
            parameters=declared_parameters(kind.synthesis, parameters),
        )
        if job is None:
            plan.synthesis = TeamResult(
                slug=SYNTHESIS_SLUG, name="Synthesis", status=Status.UNCHANGED, html=SYNTHESIS_PAGE
            )
        else:
            plan.todo.insert(0, job)
    return plan


def refused_team(
    kind: ReportKind, team: Any, workshop_dir: Path, out: Path, message: str
) -> TeamResult:
    """The failed result (and failure page) of a team whose files cannot be read safely."""
    import hashlib

    from kit.report.worker import finish_team

    slug = team.slug
    manifest_path(out, slug).unlink(missing_ok=True)
    result = TeamResult(
        slug=slug,
        name=slug,
        status=Status.INVALID,
        problem="a file of the team's folder was refused, so no report was built",
        details=[message],
        fix=(
            f"Replace the file named above with a regular file under the size limit (links, "
            f"FIFOs and devices are never read), then run "
            f"'servekit {kind.name} {workshop_dir} --team {slug}'."
        ),
        digest="refused:" + hashlib.sha256(message.encode()).hexdigest(),
    )
    job = Job(
        slug=slug,
        team_dir=str(team.path),
        workshop_dir=str(workshop_dir),
        out=str(out),
        notebook=str(kind.notebook),
        title="",
        command=kind.name,
    )
    finish_team(job, result)
    return result


def synthesis_job(
    workshop_dir: Path,
    out: Path,
    team_digests: list[str],
    *,
    plotlyjs: str = "inline",
    pdf: bool = False,
    force: bool = False,
    title: str = "",
    notebook: Path | None = None,
    parameters: dict[str, Any] | None = None,
) -> Job | None:
    """The job that builds the synthesis page, or ``None`` when the page is up to date.

    The page is rebuilt only when a team's inputs, the synthesis notebook or the kit changed
    (or with ``force``), or when ``pdf`` asks for a PDF it does not have yet.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> synthesis_job(out, out, ["a", "b"]).kind
    'synthesis'
    """
    notebook = notebook or TEAM_REPORT.synthesis
    extra = [repr(sorted(parameters.items()))] if parameters else []  # e.g. followup's as_of
    digest = synthesis_digest(notebook, [*team_digests, *extra])
    if (
        not force
        and synthesis_current(out, SYNTHESIS_PAGE, digest)
        and (not pdf or (out / SYNTHESIS_PDF).is_file())
    ):
        return None
    (out / MANIFEST_DIR / SYNTHESIS_MARKER).unlink(missing_ok=True)
    return Job(
        slug=SYNTHESIS_SLUG,
        team_dir="",
        workshop_dir=str(workshop_dir),
        out=str(out),
        notebook=str(notebook),
        plotlyjs=plotlyjs,
        pdf=pdf,
        digest=digest,
        title=title,
        kind="synthesis",
        parameters=dict(parameters or {}),
    )


def _preload() -> None:
    """Import what every worker needs once, in the parent, before the workers fork."""
    import nbformat  # noqa: F401
    import papermill  # noqa: F401

    import kit.report.kernels  # noqa: F401
    import kit.report.story  # noqa: F401


def _run(
    plan: Plan,
    kind: ReportKind,
    *,
    jobs: int | None,
    kernel_starts: int | None,
    timeout: float | None,
    progress: bool,
    console: Any,
) -> dict[str, TeamResult]:
    """Run the plan's jobs on the pool; the synthesis result goes into ``plan.synthesis``."""
    results = dict(plan.kept)
    if not plan.todo:
        return results
    from kit.report.kernels import python_kernel_ok

    problem = python_kernel_ok()
    if problem:
        raise ReportError(problem)
    workers = max(1, min(jobs or default_jobs(), len(plan.todo)))
    starts = kernel_starts or min(workers, default_jobs())
    _preload()
    label = kind.index_title.split()[-1].capitalize() if kind.index_title else "Reports"
    with progress_bar(progress, len(plan.todo), console, label) as advance:
        for result in run_pool(
            plan.todo, workers, starts, timeout, advance, cwd=kind.notebook.parent
        ):
            if result.slug == SYNTHESIS_SLUG:
                plan.synthesis = result
            else:
                results[result.slug] = result
    return results


def _summarise(
    kind: ReportKind,
    workshop_dir: Path,
    out: Path,
    selected: list[Any],
    results: dict[str, TeamResult],
    synthesis: TeamResult | None,
    info: dict[str, Any],
    started: float,
) -> Summary:
    ordered = [results[t.slug] for t in selected if t.slug in results]
    summary = Summary(
        workshop=workshop_dir,
        out=out,
        results=ordered,
        seconds=time.perf_counter() - started,
        workshop_info=info,
        index_title=kind.index_title,
        index_column=kind.index_column,
        synthesis_blurb=kind.synthesis_blurb,
    )
    if synthesis is not None:
        if synthesis.html:  # built (its PDF may still have failed: then the problem says so)
            summary.synthesis = SYNTHESIS_PAGE
            summary.synthesis_pdf = synthesis.pdf
        if not synthesis.ok:
            summary.synthesis_problem = synthesis.problem or "the synthesis could not be built"
    elif kind.synthesis is not None and (out / SYNTHESIS_PAGE).is_file():
        summary.synthesis = SYNTHESIS_PAGE
        summary.synthesis_pdf = SYNTHESIS_PDF if (out / SYNTHESIS_PDF).is_file() else None
    write_index(summary)
    summary.seconds = time.perf_counter() - started
    return summary


def build_reports(
    workshop_dir: str | os.PathLike,
    out: str | os.PathLike | None = None,
    teams: Iterable[str] | None = None,
    jobs: int | None = None,
    pdf: bool = False,
    force: bool = False,
    progress: bool = True,
    *,
    crosshair: str = "midpoint",
    plotlyjs: str = "inline",
    notebook: str | os.PathLike | None = None,
    timeout: float | None = 600,
    kernel_starts: int | None = None,
    console: Any = None,
    kind: ReportKind = TEAM_REPORT,
    extra_options: dict[str, Any] | None = None,
) -> Summary:
    """Build every team's page (or those in ``teams``) and the index; return the summary.

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
        Where the IPA crosshair sits (a notebook parameter of the team report).
    plotlyjs : {"inline", "shared"}
        plotly.js in every report (self-contained) or one ``assets/plotly.min.js`` per batch.
    notebook : path-like, optional
        Another per-team notebook for this run (default: ``kind.notebook``).
    timeout : float or None
        Seconds a cell may run before the team fails.
    kernel_starts : int, optional
        How many kernels may start at once (default: ``jobs``, at most the cores).
    console : rich.console.Console, optional
        Where progress and the table go (default: standard error).
    kind : ReportKind
        Which notebook per team, which synthesis, what the index is called
        (default :data:`~kit.report.TEAM_REPORT`, what ``servekit report`` builds).
    extra_options : dict, optional
        More batch options (part of every digest); those named in ``kind.options`` are passed
        to the team and synthesis notebooks as parameters (``as_of`` for ``servekit followup``).

    Returns
    -------
    Summary
        ``summary.exit_code`` is 1 when any team failed.

    Raises
    ------
    ReportError
        Not a workshop folder, or a bad option.
    kit.exceptions.WorkshopError
        A team in ``teams`` does not exist.

    Examples
    --------
    >>> summary = build_reports("demo", jobs=2)     # doctest: +SKIP
    >>> summary.index                               # doctest: +SKIP
    PosixPath('demo/reports/index.html')
    """
    started = time.perf_counter()
    workshop_dir = Path(workshop_dir).resolve()
    workshop, info = _open_workshop(workshop_dir)
    check_options(crosshair, plotlyjs)
    if notebook:
        kind = dataclasses.replace(kind, notebook=Path(notebook).resolve())
    check_notebook(kind.notebook)
    selected = _select(workshop, teams)
    out = Path(out).resolve() if out else workshop_dir / "reports"
    with output_folder(workshop_dir, out):  # closed to teams on a hub workshop (issue 20)
        (out / MANIFEST_DIR).mkdir(parents=True, exist_ok=True)
        clean_temporaries(out)
        if plotlyjs == "shared":
            from kit.report.export import write_plotlyjs_asset

            write_plotlyjs_asset(out)

        options = {
            "crosshair": crosshair,
            "pdf": pdf,
            "plotlyjs": plotlyjs,
            **(extra_options or {}),
        }
        plan = plan_jobs(
            kind,
            workshop_dir,
            out,
            selected,
            options=options,
            title=str(info.get("title") or ""),
            force=force,
            whole=teams is None,
        )
        console = console or (make_console() if progress else None)
        results = _run(
            plan,
            kind,
            jobs=jobs,
            kernel_starts=kernel_starts,
            timeout=timeout,
            progress=progress,
            console=console,
        )
        summary = _summarise(
            kind, workshop_dir, out, selected, results, plan.synthesis, info, started
        )
    if progress:
        print_summary(summary, console, kind.name)
    return summary
