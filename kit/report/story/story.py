"""The :class:`Story` facade: one team's report, section by section, for the notebooks.

The notebooks call ``story.journey_text()``, ``story.pyramid_figure()`` …; each method hands the
story to the function of the same name in the section's own module.

Adding a section: write ``kit/report/story/<section>.py`` with ``<section>_text(story) -> Markup``
(and ``<section>_figure(story)`` when it has a chart; return ``None`` without data), using
:mod:`kit.formatting` for text and :mod:`kit.report.story.blocks` for callouts; then add
``<section>_text = section(<module>.<section>_text)`` to :class:`Story` and call it from
``workshops/10_team_report.ipynb``. Escape every piece of user text
(:func:`kit.formatting.markup`).

Examples
--------
>>> import tempfile
>>> ws = Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
>>> Story.load(ws, "x").journey_text.__doc__.splitlines()[0]
'The day in the life in words: stages, direct and indirect contact, low points.'
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kit.analyses.followup import plan_progress
from kit.formatting import is_missing
from kit.report.story import cover as _cover
from kit.report.story import journey as _journey
from kit.report.story import needs as _needs
from kit.report.story import plan as _plan
from kit.report.story import pyramid as _pyramid
from kit.report.story import reflections as _reflections
from kit.report.story import scores as _scores
from kit.store.workbook import Workbook
from kit.store.workshop import Workshop, load_case

__all__ = ["Story", "section"]


def section(render: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A :class:`Story` method that calls ``render(story)`` (and carries its docstring).

    Examples
    --------
    >>> section(_journey.journey_text).__doc__ == _journey.journey_text.__doc__
    True
    """

    @functools.wraps(render)
    def method(self: Any) -> Any:
        with self.shared():
            return render(self)

    return method


def _resolve(workshop_dir: str | Path) -> Path:
    """``workshop_dir`` as given, or — when relative and missing — beside the kit's notebooks.

    So the notebook's default (``demo``) works whether it runs from the repository root or
    from ``workshops/`` in JupyterLab.
    """
    from kit.resources import workshops_dir

    path = Path(workshop_dir).expanduser()
    if not path.exists() and not path.is_absolute():
        root = workshops_dir().parent / path
        if root.exists():
            return root
    return path


@dataclass
class Story:
    """One team's report content, section by section. Create it with :meth:`load`.

    Attributes
    ----------
    wb : kit.store.workbook.Workbook
        The team's workbook.
    workshop : dict
        ``workshop.yaml`` (title, case, date, facilitator).
    slug : str
        The team's folder name.
    crosshair : {"mean", "midpoint"}
        Where the IPA crosshair sits (:func:`kit.analyses.scoring.ipa`).

    Notes
    -----
    Each section has a ``*_text()`` method returning :class:`markupsafe.Markup` (shown with
    :func:`kit.report.display.say`) and, where the section has a chart, a ``*_figure()`` method
    returning the chart as a plain plotly spec (``{"data": [...], "layout": {...}}``, built
    without plotly's figure objects, which were most of a report's time) or ``None`` (shown with
    :func:`kit.report.display.show`; ``go.Figure(spec)`` gives the figure). Sections:
    ``journey``, ``blueprint``, ``pyramid``, ``scores`` (``ipa_figure``), ``priorities``
    (``priority_figure``), ``readiness``, ``plan``, ``results``, ``reflections``, ``notes``;
    plus :meth:`cover` and :meth:`glance` at the top.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_demo
    >>> ws = create_demo(Path(tempfile.mkdtemp()) / "demo")
    >>> story = Story.load(ws.path, "Front Desk & Friends")
    >>> story.slug, story.name
    ('front-desk-friends', 'Front Desk & Friends')
    >>> "18 touchpoints" in story.journey_text()
    True
    >>> [t for t in story.top["touchpoint_id"]]
    ['T05', 'T15', 'T06']
    >>> sorted(story.journey_figure())
    ['data', 'layout']
    >>> Story.load(ws.path, "team-4-half-finished").plan_text().count("No internal service plan")
    1
    """

    wb: Workbook
    workshop: dict[str, Any]
    slug: str
    crosshair: str = "midpoint"
    case: dict[str, Any] = field(default_factory=dict)
    _summaries: dict[tuple[int, int], Any] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def load(cls, workshop_dir: str | Path, team: str, *, crosshair: str = "midpoint") -> Story:
        """Load a team of a workshop (by slug or display name).

        Raises
        ------
        kit.exceptions.InvalidData
            The team's data has errors (every problem is listed).
        kit.exceptions.WorkshopError
            No such team.

        Examples
        --------
        >>> Story.load("no/such/workshop", "x")   # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        kit.exceptions.WorkshopError: no team 'x' in no/such/workshop/teams; expected one of: (none)
        """
        if crosshair not in ("mean", "midpoint"):
            raise ValueError(f"crosshair {crosshair!r}: expected 'mean' or 'midpoint'")
        ws = Workshop(_resolve(workshop_dir))
        teams = ws.teams()
        found = ws.team(team) if team or not teams else teams[0]
        info = ws.info
        try:
            case = load_case(info["case"]) if info.get("case") else {}
        except Exception:  # an unknown case only loses its title on the cover
            case = {}
        return cls(found.load(), info, found.slug, crosshair, case)

    # -- data ------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The team's display name (its folder name when it has none)."""
        return self.wb.name or self.slug

    @functools.cached_property
    def journey(self) -> pd.DataFrame:
        return self.wb["journey"]

    @functools.cached_property
    def roles(self) -> pd.DataFrame:
        return self.wb["roles"]

    @functools.cached_property
    def serves(self) -> pd.DataFrame:
        return self.wb["serves"]

    @functools.cached_property
    def scores(self) -> pd.DataFrame:
        return self.wb["scores"]

    @functools.cached_property
    def plan(self) -> pd.DataFrame:
        return self.wb["plan"]

    @functools.cached_property
    def graph(self) -> Any:
        from kit.analyses.pyramid import build_graph

        return build_graph(self.roles, self.serves)

    @functools.cached_property
    def check(self) -> Any:
        from kit.analyses.pyramid import chain_check

        return chain_check(self.graph)

    def shared(self) -> Any:
        """A block in which the team's touchpoint summary is computed once
        (:func:`kit.analyses.scoring.shared_summaries`); every section runs in it."""
        from kit.analyses.scoring import shared_summaries

        return shared_summaries(self._summaries)

    @functools.cached_property
    def ipa(self) -> pd.DataFrame:
        from kit.analyses.scoring import ipa

        with self.shared():
            return ipa(self.scores, self.journey, crosshair=self.crosshair)

    @functools.cached_property
    def top(self) -> pd.DataFrame:
        from kit.analyses.scoring import top_priorities

        with self.shared():
            return top_priorities(self.scores, self.journey)

    @functools.cached_property
    def progress(self) -> pd.DataFrame:
        return plan_progress(self.plan, self.wb["results"])

    def role_name(self, role_id: Any) -> str:
        """A role's display name (its id when unknown, ``""`` when missing)."""
        if is_missing(role_id):
            return ""
        match = self.roles.loc[self.roles["role_id"] == role_id, "name"]
        return str(match.iloc[0]) if len(match) else str(role_id)

    def todo(self) -> list[str]:
        """What the team has not done yet, as short phrases (empty when complete).

        The one definition of "done" (:func:`kit.analyses.progress.team_steps`), so the report and
        ``servekit status`` agree.

        Examples
        --------
        >>> import tempfile
        >>> ws = Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
        >>> Story.load(ws, "x").todo()[:2]
        ['map the customer journey', 'draw the upside-down pyramid']
        """
        from kit.analyses.progress import todo

        return todo(self.wb)

    # -- sections (each in its own module) ---------------------------------------------------------
    cover = section(_cover.cover)
    glance = section(_cover.glance)
    journey_text = section(_journey.journey_text)
    journey_figure = section(_journey.journey_figure)
    blueprint_text = section(_journey.blueprint_text)
    blueprint_figure = section(_journey.blueprint_figure)
    pyramid_text = section(_pyramid.pyramid_text)
    pyramid_figure = section(_pyramid.pyramid_figure)
    pyramid_roles = section(_pyramid.pyramid_roles)
    scores_text = section(_scores.scores_text)
    ipa_figure = section(_scores.ipa_figure)
    priorities_text = section(_scores.priorities_text)
    priority_figure = section(_scores.priority_figure)
    readiness_text = section(_scores.readiness_text)
    readiness_figure = section(_scores.readiness_figure)
    needs_text = section(_needs.needs_text)
    plan_text = section(_plan.plan_text)
    results_text = section(_plan.results_text)
    reflections_text = section(_reflections.reflections_text)
    notes_text = section(_reflections.notes_text)

    def summary(self) -> dict[str, Any]:
        """A few facts for the batch index: name, members, top priorities, what is missing.

        Examples
        --------
        >>> import tempfile
        >>> ws = Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
        >>> Story.load(ws, "x").summary()["top"]
        []
        """
        top = [
            {
                "touchpoint_id": str(r["touchpoint_id"]),
                "description": "" if pd.isna(r["description"]) else str(r["description"]),
            }
            for _, r in self.top.iterrows()
        ]
        return {
            "name": self.name,
            "members": self.wb.members,
            "top": top,
            "todo": self.todo(),
            "touchpoints": len(self.journey),
            "actions": len(self.plan),
            "chain_findings": 0 if self.roles.empty else len(self.check.findings),
        }
