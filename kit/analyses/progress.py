"""How far each team has got: one row per team, for the facilitator's screen and ``servekit status``.

The steps follow the session's notebooks: journey (01), pyramid (02), needs (03), scores (04) and
plan (05). A step counts as started when its table has a row and as done when it meets the light
bar :func:`team_steps` checks — enough for the team's report to say something useful.
:func:`team_steps` is the one definition of "done": ``servekit status``, the report's
"Not finished yet" and the dashboard all use it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from kit.formatting import plural
from kit.store import cells
from kit.store.problems import errors
from kit.store.schema import REFLECTION_QUESTIONS
from kit.store.workbook import Workbook

__all__ = [
    "COLUMNS",
    "COUNTS",
    "MIN_TOUCHPOINTS",
    "STEPS",
    "Step",
    "load_all",
    "team_progress",
    "team_steps",
    "todo",
]

STEPS: tuple[str, ...] = ("journey", "pyramid", "needs", "scores", "plan")
MIN_TOUCHPOINTS = 6
COUNTS: tuple[str, ...] = ("touchpoints", "roles", "need_items", "scorers", "actions", "errors")
"""The columns of :func:`team_progress` that count (whole numbers); the others are text."""
COLUMNS: tuple[str, ...] = ("team", "name", *COUNTS, *STEPS, "next_step", "unfinished")
"""The columns of :func:`team_progress`, in order."""


@dataclass(frozen=True, kw_only=True)
class Step:
    """One step of a team's work: its status and what is still missing (empty when done)."""

    name: str
    status: str
    """``"done"``, ``"started"`` or ``"not started"``."""
    todo: tuple[str, ...] = ()
    """Short phrases for what is missing (the report's "Still to do")."""

    @property
    def done(self) -> bool:
        return self.status == "done"


def _missing(wb: Workbook) -> dict[str, list[str]]:
    """What each step still lacks, as phrases that name the missing piece and how many; a step
    is done when its list is empty."""
    journey, roles, serves = wb.tables["journey"], wb.tables["roles"], wb.tables["serves"]
    needs, scores, plan = wb.tables["needs"], wb.tables["scores"], wb.tables["plan"]
    touchpoints = set(journey["touchpoint_id"].map(cells.text)) - {""}
    moments = set(
        journey.loc[journey["moment_of_truth"].map(cells.flag), "touchpoint_id"].map(cells.text)
    )
    levels = set(roles["level"].map(cells.text))
    scored = set(scores["touchpoint_id"].map(cells.text))
    answered = {k for k, v in wb.reflections.items() if cells.text(v)} & set(REFLECTION_QUESTIONS)
    todo: dict[str, list[str]] = {step: [] for step in STEPS}
    if not touchpoints:
        todo["journey"].append("map the customer journey")
    elif len(touchpoints) < MIN_TOUCHPOINTS:
        todo["journey"].append(
            f"map at least {MIN_TOUCHPOINTS} touchpoints of the journey ({len(touchpoints)} so far)"
        )
    if roles.empty:
        todo["pyramid"].append("draw the upside-down pyramid")
    else:
        todo["pyramid"] += [
            f"add a {level} role to the pyramid"
            for level in ("customer", "frontline")
            if level not in levels
        ]
        if serves.empty:
            todo["pyramid"].append("say who serves whom in the pyramid")
    if needs.empty:
        todo["needs"].append("list what employees need to be, do and have")
    elif not moments:
        todo["needs"].append("mark the moments of truth in the journey")
    elif unmet := moments - set(needs["touchpoint_id"].map(cells.text)):
        todo["needs"].append(
            f"list the needs of {plural(len(unmet), 'more moment of truth', 'more moments of truth')}"
        )
    if scores.empty or not touchpoints:
        todo["scores"].append("score the touchpoints")
    elif unscored := touchpoints - scored:
        todo["scores"].append(f"score {plural(len(unscored), 'more touchpoint')}")
    if plan.empty:
        todo["plan"].append("write the internal service plan")
    if not answered:
        todo["plan"].append("answer the action-plan questions")
    return todo


def team_steps(wb: Workbook) -> dict[str, Step]:
    """THE definition of "step done": each step's status and what it still lacks.

    ``servekit status``, the report's "Not finished yet" (:meth:`kit.report.story.Story.todo`) and the
    dashboard all ask here, so they always agree about a team. A step is *done* when nothing is
    missing (each step's ``todo`` says what is), *started* when its table has a row.

    Parameters
    ----------
    wb : kit.store.workbook.Workbook
        The team (loaded strictly or leniently).

    Returns
    -------
    dict
        step name (:data:`STEPS`) -> :class:`Step`.

    Examples
    --------
    >>> import tempfile
    >>> steps = team_steps(Workbook.load(tempfile.mkdtemp()))
    >>> steps["journey"].status, steps["journey"].todo
    ('not started', ('map the customer journey',))
    >>> [s.done for s in steps.values()]
    [False, False, False, False, False]
    """
    todo = _missing(wb)
    tables = wb.tables
    started = {
        "journey": len(tables["journey"]) > 0,
        "pyramid": len(tables["roles"]) > 0,
        "needs": len(tables["needs"]) > 0,
        "scores": len(tables["scores"]) > 0,
        "plan": len(tables["plan"]) > 0 or bool(wb.reflections),
    }
    return {
        step: Step(
            name=step,
            status="done" if not todo[step] else "started" if started[step] else "not started",
            todo=tuple(todo[step]),
        )
        for step in STEPS
    }


def todo(wb: Workbook) -> list[str]:
    """What the team has not done yet, as short phrases in step order (empty when complete).

    Examples
    --------
    >>> import tempfile
    >>> todo(Workbook.load(tempfile.mkdtemp()))[:2]
    ['map the customer journey', 'draw the upside-down pyramid']
    """
    return [phrase for step in team_steps(wb).values() for phrase in step.todo]


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
        per step in :data:`STEPS` (``done`` / ``started`` / ``not started``), ``next_step`` and
        ``unfinished``: what the started steps still lack (the phrases of :func:`team_steps`).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "journey.csv").write_text(
    ...     "touchpoint_id,stage,order,description,contact\\nT1,Arrival,1,Desk,direct\\n")
    >>> table = team_progress({"new": Workbook.load(folder)})
    >>> table.loc[0, ["journey", "pyramid", "next_step"]].tolist()
    ['started', 'not started', 'journey']
    >>> table.loc[0, "unfinished"]
    ['map at least 6 touchpoints of the journey (1 so far)']
    """
    rows = []
    for slug, wb in workbooks.items():
        steps = team_steps(wb)
        status = {name: step.status for name, step in steps.items()}
        rows.append(
            {
                "team": slug,
                "name": wb.name or slug,
                "touchpoints": len(wb.tables["journey"]),
                "roles": len(wb.tables["roles"]),
                "need_items": len(wb.tables["needs"]),
                "scorers": int(wb.tables["scores"]["scorer"].nunique()),
                "actions": len(wb.tables["plan"]),
                "errors": len(errors(wb.problems)),
                **status,
                "next_step": next((s for s in STEPS if status[s] != "done"), "report"),
                "unfinished": [
                    p for st in steps.values() if st.status == "started" for p in st.todo
                ],
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def load_all(teams: Iterable) -> dict[str, Workbook]:
    """Load every team leniently (``strict=False``): slug -> workbook, problems kept on each."""
    return {team.slug: team.load(strict=False) for team in teams}
