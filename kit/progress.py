"""How far each team has got: one row per team, for the facilitator's screen and ``servekit status``.

The steps follow the session's notebooks: journey (01), pyramid (02), needs (03), scores (04) and
plan (05). A step counts as started when its table has a row and as done when it meets the light
bar in :data:`DONE_WHEN` — enough for the team's report to say something useful.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from kit import cells
from kit.problems import errors
from kit.workbook import Workbook

STEPS: tuple[str, ...] = ("journey", "pyramid", "needs", "scores", "plan")
DONE_WHEN: dict[str, str] = {
    "journey": "at least 6 touchpoints",
    "pyramid": "a customer role, a front-line role and serves edges",
    "needs": "a need for every moment of truth",
    "scores": "every touchpoint scored by someone",
    "plan": "at least one action, and an answer to a reflection question",
}


def _step_status(wb: Workbook) -> dict[str, str]:
    journey, roles, serves = wb.tables["journey"], wb.tables["roles"], wb.tables["serves"]
    needs, scores, plan = wb.tables["needs"], wb.tables["scores"], wb.tables["plan"]
    touchpoints = set(journey["touchpoint_id"].map(cells.text)) - {""}
    moments = set(journey.loc[journey["moment_of_truth"].map(cells.flag), "touchpoint_id"])
    levels = set(roles["level"].map(cells.text))
    done = {
        "journey": len(touchpoints) >= 6,
        "pyramid": {"customer", "frontline"} <= levels and len(serves) > 0,
        "needs": bool(moments) and moments <= set(needs["touchpoint_id"]),
        "scores": bool(touchpoints) and touchpoints <= set(scores["touchpoint_id"]),
        "plan": len(plan) > 0 and any(cells.text(v) for v in wb.reflections.values()),
    }
    started = {
        "journey": len(journey) > 0, "pyramid": len(roles) > 0, "needs": len(needs) > 0,
        "scores": len(scores) > 0, "plan": len(plan) > 0 or bool(wb.reflections),
    }
    return {s: "done" if done[s] else "started" if started[s] else "not started" for s in STEPS}


def team_progress(workbooks: dict[str, Workbook]) -> pd.DataFrame:
    """One row per team: counts per table, each step's status, and the number of data errors.

    Parameters
    ----------
    workbooks : dict
        slug -> workbook (loaded with ``strict=False`` so a team with errors still shows).

    Returns
    -------
    pandas.DataFrame
        Columns ``team, name, touchpoints, roles, need_items, scorers, actions, errors``, one column
        per step in :data:`STEPS` (``done`` / ``started`` / ``not started``) and ``next_step``.

    Examples
    --------
    >>> import tempfile
    >>> table = team_progress({"new": Workbook.load(tempfile.mkdtemp())})
    >>> table.loc[0, ["journey", "next_step"]].tolist()
    ['not started', 'journey']
    """
    rows = []
    for slug, wb in workbooks.items():
        status = _step_status(wb)
        rows.append({
            "team": slug,
            "name": wb.name or slug,
            "touchpoints": len(wb.tables["journey"]),
            "roles": len(wb.tables["roles"]),
            "need_items": len(wb.tables["needs"]),
            "scorers": wb.tables["scores"]["scorer"].nunique(),
            "actions": len(wb.tables["plan"]),
            "errors": len(errors(wb.problems)),
            **status,
            "next_step": next((s for s in STEPS if status[s] != "done"), "report"),
        })
    columns = ["team", "name", "touchpoints", "roles", "need_items", "scorers", "actions", "errors",
               *STEPS, "next_step"]
    return pd.DataFrame(rows, columns=columns)


def load_all(teams: Iterable) -> dict[str, Workbook]:
    """Load every team leniently (``strict=False``): slug -> workbook, problems kept on each."""
    return {team.slug: team.load(strict=False) for team in teams}
