"""Batch reports: every team's report notebook, run in parallel, exported, indexed, summarised.

:func:`build_reports` is what ``servekit report DIR`` (and ``servekit demo``) call. For each
team of a workshop it runs ``workshops/10_team_report.ipynb`` through papermill and writes, in
``OUT`` (default ``DIR/reports``):

* ``<slug>.html`` — the report: self-contained, offline (see :mod:`kit.report.export` for plotly.js);
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
* **One warm kernel per worker** (:class:`kit.report.kernels.WarmKernel`): the kernel and the kit's
  imports are paid once per worker, not once per team; the kernel is put back into its baseline
  state between teams (and replaced when it died, hung or had a module changed).
* **In-process export** with a cached :class:`~nbconvert.HTMLExporter`, in the worker.
* **Skipping unchanged teams**: each team's *digest* hashes its files, ``workshop.yaml``, the
  report notebook, the kit's own source and templates, and the options. A team whose digest
  matches its last successful build is not rebuilt (``force=True`` rebuilds).

How it stays safe
-----------------
* One team's bad data (:class:`kit.exceptions.InvalidData`), failing cell or dead kernel never
  stops the others; its slot gets a failure page and the summary's ``exit_code`` is 1.
* Kernel starts are bounded by a semaphore shared by the workers, and kernels use the ``ipc``
  transport, so simultaneous starts cannot race for TCP ports.
* Every file is written atomically (temporary file + ``os.replace``), the HTML after the
  notebook and PDF, and the team's manifest (``OUT/.servekit/<slug>.json``, the completion
  marker holding its digest) last. The manifest is deleted before a team is rebuilt, so a run
  killed half-way never leaves a report that looks complete and current: the next run
  rebuilds it.

Where it lives
--------------
* :mod:`kit.report.models` — :class:`ReportKind` (which notebook per team), :class:`Job`,
  :class:`TeamResult`, :class:`Summary`, the :class:`Status` enum;
* :mod:`kit.report.cache` — digests, manifests (skip unchanged teams);
* :mod:`kit.report.worker` — one process, one warm kernel, one team at a time;
* :mod:`kit.report.pool` — the worker processes and crash recovery;
* :mod:`kit.report.pages` — failure page and index; :mod:`kit.report.console` — progress, table;
* :mod:`kit.report.build` — :func:`build_reports`: check options → plan jobs → run pool →
  summarise.

Another notebook per team
-------------------------
Describe it with a :class:`ReportKind` and pass it as ``kind=``; it gets the same warm kernels,
failure pages, offline HTML, index and skipping, in its own output folder::

    FOLLOW_UP = ReportKind(name="followup", notebook=workshop_notebook("11_follow_up_report.ipynb"),
                           synthesis=None, index_title="Follow-up reports")
    build_reports(workshop_dir, out=workshop_dir / "follow-up", kind=FOLLOW_UP)

The notebook gets the papermill parameters ``workshop_dir``, ``team``, ``embed_plotlyjs`` and
the options named in ``kind.options``.

Examples
--------
>>> import tempfile
>>> from kit.store.workshop import create_demo
>>> ws = create_demo(Path(tempfile.mkdtemp()) / "demo")
>>> summary = build_reports(ws.path, jobs=2, progress=False)    # doctest: +SKIP
>>> summary.exit_code, [r.status for r in summary.results]       # doctest: +SKIP
(0, ['ok', 'ok', 'ok', 'ok'])
"""

from __future__ import annotations

from pathlib import Path  # noqa: F401  (the docstring example uses it)

from kit.report.build import build_reports, check_options, plan_jobs, synthesis_job
from kit.report.cache import (
    MANIFEST_DIR,
    kit_fingerprint,
    read_manifest,
    team_digest,
)
from kit.report.console import print_summary
from kit.report.models import TEAM_REPORT, Job, ReportKind, Status, Summary, TeamResult
from kit.report.pages import SYNTHESIS_PAGE, SYNTHESIS_SLUG, failure_page, href, index_page
from kit.report.pool import default_jobs

NOTEBOOK = TEAM_REPORT.notebook
"""The report notebook (papermill-parameterised: workshop_dir, team, crosshair, embed_plotlyjs)."""
SYNTHESIS_NOTEBOOK = TEAM_REPORT.synthesis
STATUS_OK, STATUS_FAILED = Status.OK, Status.FAILED
STATUS_INVALID, STATUS_UNCHANGED = Status.INVALID, Status.UNCHANGED

__all__ = [
    "MANIFEST_DIR",
    "NOTEBOOK",
    "SYNTHESIS_NOTEBOOK",
    "SYNTHESIS_PAGE",
    "SYNTHESIS_SLUG",
    "STATUS_FAILED",
    "STATUS_INVALID",
    "STATUS_OK",
    "STATUS_UNCHANGED",
    "TEAM_REPORT",
    "Job",
    "ReportKind",
    "Status",
    "Summary",
    "TeamResult",
    "build_reports",
    "check_options",
    "default_jobs",
    "failure_page",
    "href",
    "index_page",
    "kit_fingerprint",
    "plan_jobs",
    "print_summary",
    "read_manifest",
    "synthesis_job",
    "team_digest",
]
