"""``servekit followup``: every team's follow-up page, with the batch engine of the reports.

:func:`build_followup` runs ``workshops/11_follow_up_report.ipynb`` for every team and
``workshops/21_follow_up_synthesis.ipynb`` once, through :func:`kit.report.build_reports` (warm
kernels in parallel workers, a failure page for a team that cannot be built, offline HTML, an
index, skipping teams whose inputs did not change — the as-of date is one of the inputs). Then it
adds to ``OUT/summary.json`` what others can build on:

* ``as_of`` and ``statuses`` (every status with its definition, :data:`kit.analyses.followup.STATUSES`);
* ``actions`` — every action of every team with its computed progress and status
  (:func:`kit.analyses.followup.action_records`);
* ``across_teams`` — :func:`kit.analyses.followup.across_teams` (share on track, overdue by owner,
  which be/do/have kind works best).

These come from the same functions the pages use, read from the team folders directly, so they
are there for every team, rebuilt or skipped.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from kit.analyses.followup import STATUSES, across_teams, as_date, read_team
from kit.report import ReportKind, build_reports
from kit.report.followup_page import FollowUp
from kit.resources import workshop_notebook
from kit.store.csvio import atomic_write
from kit.store.workshop import Workshop

__all__ = [
    "FOLLOW_UP",
    "OUT_DIR",
    "RECORDS",
    "build_followup",
    "followup_summary",
    "index_summary",
]

FOLLOW_UP = ReportKind(
    name="followup",
    notebook=workshop_notebook("11_follow_up_report.ipynb"),
    synthesis=workshop_notebook("21_follow_up_synthesis.ipynb"),
    index_title="Follow-up reports",
    options=("as_of",),
    strict=False,
    summary="kit.report.followup_batch:index_summary",
    index_column="Actions",
    synthesis_blurb="which actions worked: the share on track, overdue "
    "actions by owner, and the kind of action that works "
    "best.",
)
"""The follow-up as a kind of per-team report (see :class:`kit.report.ReportKind`)."""

OUT_DIR = "followup"


RECORDS = "records"
"""The key of a team's action records in its index facts (:func:`index_summary`): the batch's
workers compute them with the page, and ``summary.json`` takes them from there."""


def followup_summary(
    workshop_dir: Path | str,
    as_of: Any = None,
    teams: list[str] | None = None,
    *,
    known: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The follow-up data of a workshop: as-of date, status definitions, actions, overview.

    ``known`` maps a team's slug to its action records as of the same day (those the batch's
    workers computed); every other team is read here.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_demo
    >>> ws = create_demo(Path(tempfile.mkdtemp()) / "w")
    >>> data = followup_summary(ws.path, "2026-04-15")
    >>> len(data["actions"]), data["across_teams"]["statuses"]["target met"]
    (20, 1)
    """
    ws = Workshop(workshop_dir)
    day = as_date(as_of)
    chosen = [ws.team(t) for t in teams] if teams else ws.teams()
    info = ws.info
    known = known or {}
    actions = []
    for team in chosen:
        records = known.get(team.slug)
        if records is None:
            records = FollowUp(read_team(team.path, root=ws.path), team.slug, day, info).records()
        actions += records
    return {
        "as_of": day.isoformat(),
        "statuses": dict(STATUSES),
        "actions": actions,
        "across_teams": across_teams(actions),
    }


def index_summary(
    team_dir: Path | str, workshop_dir: Path | str, parameters: dict[str, Any]
) -> dict[str, Any]:
    """What the index lists for a team's follow-up page: name, members, one line per status;
    and the team's action records (``records``), which ``summary.json`` lists with every team's.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_demo
    >>> ws = create_demo(Path(tempfile.mkdtemp()) / "w")
    >>> facts = index_summary(ws.path / "teams" / "the-night-shift", ws.path, {"as_of": "2026-04-15"})
    >>> {key: facts[key] for key in ("name", "members", "lines", "actions")}
    {'name': 'The Night Shift', 'members': ['Dev', 'Sam', 'Olu'], 'lines': ['1 not measured yet', '5 overdue'], 'actions': 6}
    >>> [a["action_id"] for a in facts["records"]]
    ['A1', 'A2', 'A3', 'A4', 'A5', 'A6']
    """
    team_dir = Path(team_dir)
    page = FollowUp.load(workshop_dir, team_dir.name, as_of=parameters.get("as_of"))
    counts = page.progress["status"].value_counts().to_dict() if len(page.progress) else {}
    lines = [f"{counts[s]} {s}" for s in STATUSES if counts.get(s)]
    return {
        "name": page.name,
        "members": page.data.members,
        "lines": lines or ["no actions in the plan yet"],
        "actions": len(page.progress),
        RECORDS: page.records(),
    }


def build_followup(
    workshop_dir: str | os.PathLike,
    out: str | os.PathLike | None = None,
    *,
    as_of: Any = None,
    teams: list[str] | None = None,
    **options: Any,
) -> Any:
    """Build the follow-up pages and ``summary.json``; return the engine's summary.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    out : path-like, optional
        Output folder (default ``workshop_dir/followup``).
    as_of : date or str, optional
        The day the follow-up looks from (default today).
    teams : list of str, optional
        Only these teams (slugs or display names).
    **options
        Passed to :func:`kit.report.build_reports` (``jobs``, ``pdf``, ``force``, ``progress``,
        ``plotlyjs`` …).

    Returns
    -------
    kit.report.Summary
    """
    workshop_dir = Path(workshop_dir).resolve()
    day = as_date(as_of)
    out = Path(out).resolve() if out else workshop_dir / OUT_DIR
    summary = build_reports(
        workshop_dir,
        out=out,
        teams=teams,
        kind=FOLLOW_UP,
        extra_options={"as_of": day.isoformat()},
        **options,
    )
    path = out / "summary.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = summary.to_dict()
    # The records the workers computed with each page (a skipped team's, from its manifest: the
    # day is one of its inputs), moved out of the teams' index facts; any other team is read.
    known = {r.slug: r.summary.pop(RECORDS) for r in summary.results if RECORDS in r.summary}
    for team in data.get("teams", []):
        team.get("summary", {}).pop(RECORDS, None)
    data.update(followup_summary(workshop_dir, day, known=known))  # every team, built or not
    atomic_write(path, json.dumps(data, indent=1, ensure_ascii=False, default=str))
    return summary
