"""Plain-language text for a team's report, built from the kit's analyses.

:class:`Story` loads one team of a workshop and, section by section, returns

* HTML fragments (:class:`markupsafe.Markup`) that explain the team's results in plain words —
  every piece of user text (team and role names, descriptions, plan text, reflections) goes
  through :meth:`markupsafe.Markup.format`, which escapes it, so it can never become markup;
* the section's figures from :mod:`kit.figures` (``None`` when the data is not there yet).

Nothing here computes an analysis: journey, pyramid and scoring results come from
:mod:`kit.journey`, :mod:`kit.pyramid` and :mod:`kit.scoring`. A half-finished team gets a report
that says what is missing and how to add it, never an error: every section works on empty
tables. The one calculation of its own is :func:`plan_progress` (results against target).

Examples
--------
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp())
>>> team = ws / "teams" / "x"; team.mkdir(parents=True)
>>> _ = (team / "team.yaml").write_text("name: '<b>X</b>'\\nmembers: [Ann]\\n")
>>> story = Story.load(ws, "x")
>>> "&lt;b&gt;X&lt;/b&gt;" in story.cover()
True
>>> story.journey_figure() is None          # nothing mapped yet: no empty chart
True
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from kit.display import cell_text as display_cell
from kit.display import table
from kit.schema import LEVELS, REFLECTION_QUESTIONS
from kit.workbook import Workbook
from kit.workshop import Workshop, load_case

KIND_WORDS = {"be": "be (mindset)", "do": "do (skills and processes)",
              "have": "have (tools, information, authority)"}
LEVEL_WORDS = {"customer": "customer", "frontline": "front line", "support": "support",
               "manager": "manager", "executive": "executive"}

WHERE = {
    "journey": ("journey.csv", "the journey notebook, workshops/01_journey.ipynb"),
    "roles": ("roles.csv and serves.csv", "the pyramid notebook, workshops/02_pyramid.ipynb"),
    "needs": ("needs.csv", "the needs notebook, workshops/03_needs.ipynb"),
    "scores": ("scores.csv", "the scoring notebook, workshops/04_scoring.ipynb"),
    "plan": ("plan.csv", "the planning notebook, workshops/05_plan.ipynb"),
    "results": ("results.csv", "the planning notebook, workshops/05_plan.ipynb, at follow-up"),
    "reflections": ("reflections.yaml", "the planning notebook, workshops/05_plan.ipynb"),
}
"""Where each part of a team's work is kept, and where the team fills it in."""


# --------------------------------------------------------------------------- small helpers
def _m(template: str, *args: Any, **kwargs: Any) -> Markup:
    """``Markup(template).format(...)``: the template is ours, every argument is escaped."""
    return Markup(template).format(*args, **kwargs)


def _join(parts: Iterable[Any], sep: str = "") -> Markup:
    return Markup(sep).join(parts)


def _num(value: Any, digits: int = 1) -> str:
    """A number for prose: ``4`` not ``4.0``; ``—`` when missing.

    Examples
    --------
    >>> _num(4.0), _num(3.25), _num(7.8, 2), _num(float("nan"))
    ('4', '3.2', '7.8', '—')
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(number):
        return "—"
    if number.is_integer():
        return str(int(number))
    return f"{number:.{digits}f}".rstrip("0").rstrip(".")


def _pct(part: float, whole: float) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _list_words(items: list[Any]) -> Markup:
    """``a``, ``a and b``, ``a, b and c`` — items escaped unless already Markup."""
    items = [i if isinstance(i, Markup) else Markup.escape(i) for i in items]
    if not items:
        return Markup("")
    if len(items) == 1:
        return items[0]
    return _join(items[:-1], ", ") + Markup(" and ") + items[-1]


def callout(kind: str, title: str, *body: Any) -> Markup:
    """A boxed note: ``kind`` is ``info``, ``missing``, ``finding`` or ``good``.

    Examples
    --------
    >>> print(callout("missing", "Not yet", "Fill <it> in"))
    <div class="sk-callout sk-missing"><p class="sk-callout-title">Not yet</p><p>Fill &lt;it&gt; in</p></div>
    """
    css = {"info": "", "missing": " sk-missing", "finding": " sk-finding", "good": " sk-good"}[kind]
    inner = _join(b if isinstance(b, Markup) else _m("<p>{}</p>", b) for b in body if b)
    return _m('<div class="sk-callout{}"><p class="sk-callout-title">{}</p>{}</div>',
              Markup(css), title, inner)


def missing(part: str, what: str) -> Markup:
    """The note shown where a part of the team's work is not there yet, saying how to add it.

    Examples
    --------
    >>> "plan.csv" in missing("plan", "No internal service plan yet.")
    True
    """
    file, where = WHERE[part]
    return callout("missing", what,
                   _m("Add it with {}; it is kept in the team folder as <code>{}</code>. Then "
                      "run the report again.", where, file))


def _tp_label(row: Any) -> Markup:
    """``T05 — Waits in the check-in queue`` with both parts escaped."""
    tid = row.get("touchpoint_id") if hasattr(row, "get") else row["touchpoint_id"]
    desc = row.get("description") if hasattr(row, "get") else row["description"]
    if desc is None or (isinstance(desc, float) and math.isnan(desc)) or str(desc) == "":
        return _m("<strong>{}</strong>", tid)
    return _m("<strong>{}</strong> — {}", tid, desc)


def _resolve(workshop_dir: str | Path) -> Path:
    """``workshop_dir`` as given, or — when relative and missing — from the repository root.

    So the notebook's default (``demo``) works whether it runs from the repository root or
    from ``workshops/`` in JupyterLab.
    """
    path = Path(workshop_dir).expanduser()
    if not path.exists() and not path.is_absolute():
        root = Path(__file__).resolve().parent.parent / path
        if root.exists():
            return root
    return path


# --------------------------------------------------------------------------- results vs target
def plan_progress(plan: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    """Each action of the plan with its latest result and how far it has come towards target.

    ``progress`` is ``(latest - baseline) / (target - baseline)``: 0 at the baseline, 1 at the
    target, whichever way the metric runs (a waiting time going down, a score going up), above 1
    beyond it, negative when the result moved away. ``status`` reads it in words.

    Parameters
    ----------
    plan : pandas.DataFrame
        The workbook's ``plan`` table.
    results : pandas.DataFrame
        The workbook's ``results`` table (``action_id, date, value``).

    Returns
    -------
    pandas.DataFrame
        The plan's columns plus ``measurements, latest, latest_date, progress, status``; status is
        one of ``"target met"``, ``"on the way"``, ``"no change yet"``, ``"moving away"``,
        ``"not measured yet"``, ``"no target set"``.

    Examples
    --------
    >>> plan = pd.DataFrame({"action_id": ["A1", "A2", "A3"], "baseline": [14, 68, 1.0],
    ...                      "target": [5, 95, 2.0]})
    >>> results = pd.DataFrame({"action_id": ["A1", "A1", "A2"],
    ...                         "date": ["2026-03-01", "2026-04-01", "2026-04-01"],
    ...                         "value": [11, 5, 60]})
    >>> plan_progress(plan, results)[["action_id", "latest", "progress", "status"]]
      action_id  latest  progress            status
    0        A1     5.0  1.000000        target met
    1        A2    60.0 -0.296296       moving away
    2        A3     NaN       NaN  not measured yet
    """
    out = plan.copy().reset_index(drop=True)
    if results is None or results.empty or "action_id" not in results:
        results = pd.DataFrame({"action_id": pd.Series(dtype=str), "date": pd.Series(dtype=str),
                                "value": pd.Series(dtype=float)})
    res = results.copy()
    res["_date"] = pd.to_datetime(res["date"].astype(str), errors="coerce")
    res = res.sort_values(["action_id", "_date"], kind="stable")
    counts = res.groupby("action_id").size()
    last = res.groupby("action_id").tail(1).set_index("action_id")
    ids = out["action_id"].astype(str) if len(out) else pd.Series(dtype=str)
    out["measurements"] = [int(counts.get(a, 0)) for a in ids]
    out["latest"] = [float(last.loc[a, "value"]) if a in last.index else math.nan for a in ids]
    out["latest_date"] = [last.loc[a, "_date"].date().isoformat()
                          if a in last.index and not pd.isna(last.loc[a, "_date"]) else None
                          for a in ids]
    progress, status = [], []
    for base, target, latest in zip(pd.to_numeric(out.get("baseline"), errors="coerce")
                                    if len(out) else [],
                                    pd.to_numeric(out.get("target"), errors="coerce")
                                    if len(out) else [],
                                    out["latest"], strict=True):
        if math.isnan(latest):
            progress.append(math.nan)
            status.append("not measured yet")
        elif math.isnan(target) or math.isnan(base) or target == base:
            progress.append(math.nan)
            status.append("no target set")
        else:
            share = (latest - base) / (target - base)
            progress.append(share)
            status.append("target met" if share >= 1 else "on the way" if share > 0
                          else "no change yet" if share == 0 else "moving away")
    out["progress"] = pd.Series(progress, dtype="float64")
    out["status"] = status
    return out


# --------------------------------------------------------------------------- the story
@dataclass
class Story:
    """One team's report content. Create it with :meth:`load`.

    Attributes
    ----------
    wb : kit.workbook.Workbook
        The team's workbook.
    workshop : dict
        ``workshop.yaml`` (title, case, date, facilitator).
    slug : str
        The team's folder name.
    crosshair : {"mean", "midpoint"}
        Where the IPA crosshair sits (:func:`kit.scoring.ipa`).

    Notes
    -----
    Each section has a ``*_text()`` method returning :class:`markupsafe.Markup` (shown with
    :func:`kit.display.say`) and, where the section has a chart, a ``*_figure()`` method
    returning a plotly figure or ``None`` (shown with :func:`kit.display.show`). Sections:
    ``journey``, ``blueprint``, ``pyramid``, ``scores`` (``ipa_figure``), ``priorities``
    (``priority_figure``), ``readiness``, ``plan``, ``results``, ``reflections``, ``notes``;
    plus :meth:`cover` and :meth:`glance` at the top.

    Examples
    --------
    >>> import tempfile
    >>> from kit.workshop import create_demo
    >>> ws = create_demo(Path(tempfile.mkdtemp()) / "demo")
    >>> story = Story.load(ws.path, "Front Desk & Friends")
    >>> story.slug, story.name
    ('front-desk-friends', 'Front Desk & Friends')
    >>> "18 touchpoints" in story.journey_text()
    True
    >>> [t for t in story.top["touchpoint_id"]]
    ['T05', 'T15', 'T06']
    >>> type(story.journey_figure()).__name__
    'Figure'
    >>> Story.load(ws.path, "team-4-half-finished").plan_text().count("No internal service plan")
    1
    """

    wb: Workbook
    workshop: dict[str, Any]
    slug: str
    crosshair: str = "midpoint"
    case: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, workshop_dir: str | Path, team: str, *, crosshair: str = "midpoint") -> Story:
        """Load a team of a workshop (by slug or display name).

        Raises
        ------
        kit.problems.InvalidData
            The team's data has errors (every problem is listed).
        kit.workshop.WorkshopError
            No such team.

        Examples
        --------
        >>> Story.load("no/such/workshop", "x")   # doctest: +IGNORE_EXCEPTION_DETAIL
        Traceback (most recent call last):
        kit.workshop.WorkshopError: no team 'x' in no/such/workshop/teams; expected one of: (none)
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
        from kit.pyramid import build_graph

        return build_graph(self.roles, self.serves)

    @functools.cached_property
    def check(self) -> Any:
        from kit.pyramid import chain_check

        return chain_check(self.graph)

    @functools.cached_property
    def ipa(self) -> pd.DataFrame:
        from kit.scoring import ipa

        return ipa(self.scores, self.journey, crosshair=self.crosshair)

    @functools.cached_property
    def top(self) -> pd.DataFrame:
        from kit.scoring import top_priorities

        return top_priorities(self.scores, self.journey)

    @functools.cached_property
    def progress(self) -> pd.DataFrame:
        return plan_progress(self.plan, self.wb["results"])

    def role_name(self, role_id: Any) -> str:
        """A role's display name (its id when unknown, ``""`` when missing)."""
        if role_id is None or (isinstance(role_id, float) and math.isnan(role_id)):
            return ""
        match = self.roles.loc[self.roles["role_id"] == role_id, "name"]
        return str(match.iloc[0]) if len(match) else str(role_id)

    def todo(self) -> list[str]:
        """What the team has not done yet, as short phrases (empty when complete).

        Examples
        --------
        >>> import tempfile
        >>> ws = Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
        >>> Story.load(ws, "x").todo()[:2]
        ['map the customer journey', 'draw the upside-down pyramid']
        """
        from kit.scoring import unscored_touchpoints

        items = []
        if self.journey.empty:
            items.append("map the customer journey")
        if self.roles.empty:
            items.append("draw the upside-down pyramid")
        if self.wb["needs"].empty:
            items.append("list what employees need to be, do and have")
        if self.scores.empty:
            items.append("score the touchpoints")
        elif not self.journey.empty and unscored_touchpoints(self.scores, self.journey):
            items.append("score the remaining touchpoints")
        if self.plan.empty:
            items.append("write the internal service plan")
        answered = {k for k, v in self.wb.reflections.items() if str(v).strip()}
        if not answered & set(REFLECTION_QUESTIONS):
            items.append("answer the action-plan questions")
        return items

    # -- cover and summary -----------------------------------------------------------------------
    def cover(self) -> Markup:
        """The report's header: workshop, team name, date, facilitator, case and members."""
        info = self.workshop
        meta = []
        for label, value in (("Date", info.get("date")), ("Facilitator", info.get("facilitator")),
                             ("Case", self.case.get("title"))):
            if value:
                meta.append(_m("<div><dt>{}</dt><dd>{}</dd></div>", label, str(value)))
        members = self.wb.members
        chips = (_m('<ul class="sk-members" aria-label="Team members">{}</ul>',
                    _join(_m("<li>{}</li>", m) for m in members)) if members else Markup(""))
        return _m('<header class="sk-cover"><p class="sk-eyebrow">{}</p><h1>{}</h1>'
                  '<p class="sk-subtitle">Serve the servers — team report</p>'
                  '<dl class="sk-meta">{}</dl>{}</header>',
                  info.get("title") or "Serve the Servers workshop", self.name, _join(meta), chips)

    def glance(self) -> Markup:
        """Key numbers, the first priority, and what is still to do."""
        from kit.journey import moments_of_truth, stages
        from kit.scoring import unscored_touchpoints

        stats = []

        def stat(value: Any, label: str, tone: str = "") -> None:
            stats.append(_m('<div class="sk-stat{}"><div class="sk-stat-value">{}</div>'
                            '<div class="sk-stat-label">{}</div></div>',
                            Markup(f" sk-{tone}" if tone else ""), value, label))

        n = len(self.journey)
        stat(n, f"touchpoints in {_plural(len(stages(self.journey)), 'stage')}" if n
             else "touchpoints mapped")
        stat(len(moments_of_truth(self.journey)), "moments of truth")
        stat(len(self.roles), "roles in the pyramid")
        if not self.roles.empty:
            found = len(self.check.findings)
            if found:
                stat(found, "chain-check findings", "warn")
            else:
                stat("✓", "service chain complete", "ok")
        scored = n - len(unscored_touchpoints(self.scores, self.journey)) if n else 0
        stat(f"{scored}/{n}" if n else len(self.scores), "touchpoints scored")
        stat(len(self.plan), "actions planned")
        parts = [_m('<div class="sk-glance">{}</div>', _join(stats))]
        if not self.top.empty:
            first = self.top.iloc[0]
            end = "" if str(first.get("description") or "").rstrip()[-1:] in ".!?" else "."
            parts.append(_m('<p class="sk-lead">Your first priority: {}{}</p>', _tp_label(first),
                            end))
        todo = self.todo()
        if todo:
            parts.append(callout("missing", "Not finished yet",
                                 _m("This report shows what the team has done so far. Still to "
                                    "do: {}. The sections below say where.",
                                    _list_words(todo))))
        return _join(parts)

    # -- journey ----------------------------------------------------------------------------------
    def journey_text(self) -> Markup:
        """The day in the life in words: stages, direct and indirect contact, low points."""
        from kit.journey import contact_share, moments_of_truth, stages

        if self.journey.empty:
            return missing("journey", "No customer journey yet.")
        n = len(self.journey)
        names = stages(self.journey)
        share = contact_share(self.journey).set_index("contact")
        direct, indirect = int(share.loc["direct", "touchpoints"]), int(
            share.loc["indirect", "touchpoints"])
        parts = [_m("<p>Your customer's day runs through {} — {} — and {}. {} of them "
                    "({}) are direct contact, face to face or on the phone. The other {} are "
                    "indirect: work the customer never sees, but always feels.</p>",
                    _plural(len(names), "stage"), _list_words(names),
                    _plural(n, "touchpoint"), direct, _pct(direct, n), indirect)]
        emotion = pd.to_numeric(self.journey["emotion"], errors="coerce")
        low = self.journey[emotion == emotion.min()] if emotion.notna().any() else self.journey[:0]
        if len(low) and emotion.min() < 0:
            parts.append(_m("<p>The low point of the day (emotion {}): {}.</p>",
                            _num(emotion.min()), _list_words([_tp_label(r) for _, r in
                                                             low.head(3).iterrows()])))
        mot = moments_of_truth(self.journey)
        if len(mot):
            items = _join(_m("<li>{}</li>", _tp_label(r)) for _, r in mot.iterrows())
            parts.append(_m("<p>You marked {} — the moments that make or break the "
                            "customer's opinion:</p><ul>{}</ul>",
                            _plural(len(mot), "moment of truth", "moments of truth"), items))
        else:
            parts.append(_m("<p>No touchpoint is marked as a moment of truth yet. Which few "
                            "moments decide whether the customer comes back?</p>"))
        return _join(parts)

    def journey_figure(self) -> Any:
        """The journey map (``None`` when there is no journey)."""
        from kit.figures.journey import journey_map

        return None if self.journey.empty else journey_map(self.journey)

    def blueprint_text(self) -> Markup:
        """What the blueprint shows and which touchpoints nobody is named to serve."""
        from kit.journey import unserved_touchpoints

        if self.journey.empty:
            return missing("journey", "No blueprint yet: it is drawn from the journey.")
        parts = [_m("<p>The blueprint lays the same day out in lanes: what the customer does, "
                    "the front-stage contact they see, the backstage work they do not, and "
                    "the support roles that serve the people at each touchpoint. Everything "
                    "below the line of visibility is invisible to the customer, yet it decides "
                    "much of what they experience.</p>")]
        unserved = unserved_touchpoints(self.journey, self.roles)
        if len(unserved):
            items = _join(_m("<li>{} <span class=\"sk-tag\">{}</span></li>", _tp_label(r),
                             r["reason"]) for _, r in unserved.iterrows())
            parts.append(callout("finding", f"{_plural(len(unserved), 'touchpoint')} with no "
                                 "one named to serve it",
                                 _m("<ul>{}</ul>", items),
                                 "Name the front-line role that serves each one, so the "
                                 "blueprint can show who supports them."))
        if self.roles.empty:
            parts.append(missing("roles", "No pyramid yet: the support lane stays empty."))
        return _join(parts)

    def blueprint_figure(self) -> Any:
        """The service blueprint (``None`` when there is no journey)."""
        from kit.figures.journey import blueprint_figure

        if self.journey.empty:
            return None
        return blueprint_figure(self.journey, self.roles, self.serves)

    # -- pyramid ----------------------------------------------------------------------------------
    def pyramid_text(self) -> Markup:
        """Roles per level and the chain check's findings, in sentences."""
        from kit.pyramid import role_reach

        if self.roles.empty:
            return missing("roles", "No upside-down pyramid yet.")
        counts = self.roles["level"].value_counts()
        per_level = [f"{_plural(int(counts.get(level, 0)), LEVEL_WORDS[level] + ' role')}"
                     for level in LEVELS if counts.get(level, 0)]
        heads = pd.to_numeric(self.roles["headcount"], errors="coerce")
        people = (_m(" ({} people in all)", _num(heads.sum(), 0))
                  if heads.notna().any() else Markup(""))
        parts = [_m("<p>Your pyramid has {} roles{}: {}. Customers sit on top; every level "
                    "below serves the one above it.</p>", len(self.roles), people,
                    _list_words(per_level))]
        findings = self.check.findings
        if findings.empty:
            parts.append(callout("good", "The service chain is complete",
                                 "Every role's work reaches a customer through the 'serves' "
                                 "links, and nobody serves their boss instead of the front "
                                 "line."))
        else:
            items = _join(_m("<li>{}</li>", s) for s in findings["sentence"])
            parts.append(callout(
                "finding", f"The chain check found {_plural(len(findings), 'problem')}",
                _m("<ul>{}</ul>", items),
                "If you are not serving the customer directly, your job is to serve someone "
                "who is."))
        if self.serves.empty:
            parts.append(missing("roles", "Nobody serves anybody yet: add the 'serves' links."))
        elif not self.journey.empty:
            # Only the two columns reach needs (kit.pyramid at 449eacf fails on wider tables).
            reach = role_reach(self.graph, self.journey[["touchpoint_id", "role_id"]])
            reach = reach[reach["touchpoints"] > 0].head(3)
            if len(reach):
                names = [_m("{} ({} of {} touchpoints)", r["name"], int(r["touchpoints"]),
                            len(self.journey)) for _, r in reach.iterrows()]
                parts.append(_m("<p>The roles behind the most touchpoints: {}. Their service "
                                "to the front line shows up across the customer's whole "
                                "day.</p>", _list_words(names)))
        return _join(parts)

    def pyramid_figure(self) -> Any:
        """The upside-down pyramid with the findings highlighted (``None`` without roles)."""
        from kit.figures.pyramid import pyramid_figure

        if self.roles.empty:
            return None
        return pyramid_figure(self.roles, self.serves, check=self.check)

    # -- scoring ----------------------------------------------------------------------------------
    def scores_text(self) -> Markup:
        """Who scored what, the four IPA quadrants and where scorers disagree."""
        from kit.scoring import CONCENTRATE, OVERKILL, unscored_touchpoints

        if self.scores.empty:
            return missing("scores", "No touchpoint has been scored yet.")
        ipa = self.ipa
        scorers = self.scores["scorer"].nunique()
        parts = [_m("<p>{} scored {} on importance to the customer and current performance "
                    "(1 to 5). Each touchpoint sits in one of four quadrants, split at the {} "
                    "of the scores.</p>", _plural(scorers, "scorer"),
                    _plural(len(ipa), "touchpoint"),
                    "average" if self.crosshair == "mean" else "middle of the scale")]
        unscored = unscored_touchpoints(self.scores, self.journey)
        if unscored:
            parts.append(callout("missing", f"{_plural(len(unscored), 'touchpoint')} not scored "
                                 "yet", _m("{}. Score them with {}, then run the report again.",
                                           _list_words(unscored), WHERE["scores"][1])))
        quads = ipa.groupby("quadrant")["touchpoint_id"].apply(list).to_dict()
        concentrate = ipa[ipa["quadrant"] == CONCENTRATE]
        if len(concentrate):
            items = _join(_m("<li>{}</li>", _tp_label(r)) for _, r in concentrate.iterrows())
            parts.append(_m("<p><strong>Concentrate here</strong> — important to the customer, "
                            "performing below par:</p><ul>{}</ul>", items))
        if quads.get(OVERKILL):
            parts.append(_m("<p><strong>Possible overkill</strong> (performing well on what "
                            "matters less): {} — effort there could move to the touchpoints "
                            "above.</p>", _list_words(quads[OVERKILL])))
        split = ipa[ipa["disagreement"].astype(bool)]
        if len(split):
            items = [_m("{} (on {})", r["touchpoint_id"], r["disagree_on"])
                     for _, r in split.iterrows()]
            parts.append(_m("<p>Scorers disagreed by two points or more on {}. Talk these "
                            "through: a disagreement often means people saw different "
                            "customers, shifts or days.</p>", _list_words(items)))
        return _join(parts)

    def ipa_figure(self) -> Any:
        """The importance–performance grid (``None`` without scores)."""
        from kit.figures.scoring import ipa_figure

        if self.scores.empty:
            return None
        return ipa_figure(self.scores, self.journey, crosshair=self.crosshair)

    def priorities_text(self) -> Markup:
        """The top three priorities, each with why it ranks there."""
        if self.scores.empty:
            return missing("scores", "No priorities yet: they come from the scores.")
        if self.top.empty:
            return callout("good", "No touchpoint performs below its importance",
                           "Every scored touchpoint performs at least as well as it matters to "
                           "the customer. Check the scores with the front line before you "
                           "celebrate.")
        items = []
        for _, row in self.top.iterrows():
            why = [f"importance {_num(row['importance'])}",
                   f"performance {_num(row['performance'])}", f"gap {_num(row['gap'])}"]
            if bool(row["moment_of_truth"]):
                why.append("a moment of truth")
            if isinstance(row.get("weakest"), str) and row["weakest"]:
                why.append(f"weakest readiness: {KIND_WORDS.get(row['weakest'], row['weakest'])}")
            items.append(_m('<li><div class="sk-prio-title">{}</div>'
                            '<div class="sk-prio-why">{} · {}</div></li>', _tp_label(row),
                            row.get("stage") or "", " · ".join(why)))
        return _m("<p>Ranked by how far performance falls short of importance, weighted by "
                  "importance and by moments of truth:</p><ol class=\"sk-priorities\">{}</ol>",
                  _join(items))

    def priority_figure(self) -> Any:
        """The priority ranking chart (``None`` without scores)."""
        from kit.figures.scoring import priority_chart

        if self.scores.empty:
            return None
        return priority_chart(self.scores, self.journey)

    def readiness_text(self) -> Markup:
        """Be/do/have readiness: the weakest of the three and its link to performance."""
        from kit.scoring import readiness_vs_performance

        ipa = self.ipa
        if self.scores.empty or ipa[["be", "do", "have"]].isna().all().all():
            return missing("scores", "No be/do/have readiness scores yet.")
        means = ipa[["be", "do", "have"]].mean()
        weakest = means.idxmin()
        parts = [_m("<p>On average employees are readiest to <strong>{}</strong> ({} of 5) and "
                    "least ready to <strong>{}</strong> ({} of 5).</p>",
                    KIND_WORDS[means.idxmax()], _num(means.max()), KIND_WORDS[weakest],
                    _num(means.min()))]
        corr = readiness_vs_performance(self.scores, self.journey)
        parts.append(_m("<p>{}</p>", corr.reading))
        if corr.warning:
            parts.append(_m('<p class="sk-empty">{}</p>', corr.warning))
        parts.append(_m("<p>Where performance is low and readiness is low too, telling the "
                        "front line to try harder will not work: ask who hires, trains and "
                        "equips them.</p>"))
        return _join(parts)

    def readiness_figure(self) -> Any:
        """The be/do/have heatmap (``None`` without readiness scores)."""
        from kit.figures.scoring import readiness_heatmap

        if self.scores.empty or self.scores[["be", "do", "have"]].isna().all().all():
            return None
        return readiness_heatmap(self.scores, self.journey)

    # -- plan, results, reflections ---------------------------------------------------------------
    def plan_text(self) -> Markup:
        """The internal service plan as a table, with cover of the top priorities."""
        if self.plan.empty:
            return missing("plan", "No internal service plan yet.")
        journey = self.journey.set_index("touchpoint_id")["description"].to_dict()
        rows = []
        for _, a in self.plan.iterrows():
            kind = str(a["kind"])
            rows.append({
                "action": _m("{}<span class=\"sk-tag sk-tag-{}\">{}</span><br><small>{}</small>",
                             a["action"], kind, kind, journey.get(a["touchpoint_id"], "")
                             and f"{a['touchpoint_id']}: {journey.get(a['touchpoint_id'])}"
                             or a["touchpoint_id"]),
                "owner": self.role_name(a.get("owner_role")),
                "due": _m('<span class="nowrap">{}</span>', display_cell(a.get("due"))),
                "metric": a.get("metric"),
                "goal": (f"{_num(a['baseline'])} → {_num(a['target'])}"
                         if not (pd.isna(a.get("baseline")) and pd.isna(a.get("target"))) else ""),
            })
        parts = [_m("<p>{} to serve the people who serve the customer:</p>",
                    _plural(len(self.plan), "action")),
                 table(rows, {"action": "Action", "owner": "Owner", "due": "Due",
                              "metric": "Metric", "goal": "Baseline → target"})]
        if not self.top.empty:
            planned = set(self.plan["touchpoint_id"])
            uncovered = [t for t in self.top["touchpoint_id"] if t not in planned]
            if uncovered:
                parts.append(callout("finding", "A top priority has no action yet",
                                     _m("No action in the plan addresses {}.",
                                        _list_words(uncovered))))
            else:
                parts.append(callout("good", "Every top priority has an action",
                                     "The plan covers each of the three priorities above."))
        return _join(parts)

    def results_text(self) -> Markup:
        """Latest results against target for each action (or what to measure next)."""
        if self.plan.empty:
            return Markup("")
        progress = self.progress
        measured = progress[progress["measurements"] > 0]
        if measured.empty:
            return _join([Markup("<h3>Results against target</h3>"),
                          missing("results", "No results measured yet.")])
        rows = []
        for _, a in progress.iterrows():
            share = a["progress"]
            bar = (_m('<div class="sk-bar" title="{}"><span style="width:{}%"></span></div>',
                      f"{round(100 * share)}% of the way", max(0, min(100, round(100 * share))))
                   if not math.isnan(share) else Markup(""))
            rows.append({"action": _m("<strong>{}</strong> {}", a["action_id"], a["action"]),
                         "latest": (_m("{}<br><small>{}</small>", _num(a["latest"], 2),
                                       a["latest_date"] or "") if a["measurements"] else "—"),
                         "target": _num(a["target"], 2), "bar": bar, "status": a["status"]})
        met = int((progress["status"] == "target met").sum())
        return _join([
            Markup("<h3>Results against target</h3>"),
            _m("<p>{} of {} actions have results; {} met {} target.</p>", len(measured),
               len(progress), met, "its" if met == 1 else "their"),
            table(rows, {"action": "Action", "latest": "Latest result", "target": "Target",
                         "bar": "Progress", "status": "Status"})])

    def reflections_text(self) -> Markup:
        """The team's answers to the action-plan questions (unanswered ones named)."""
        answers = {k: str(v).strip() for k, v in self.wb.reflections.items() if str(v).strip()}
        if not answers:
            return missing("reflections", "The action-plan questions are not answered yet.")
        parts = []
        for key, question in REFLECTION_QUESTIONS.items():
            if key in answers:
                parts.append(_m('<div class="sk-qa"><p class="sk-qa-q">{}</p>'
                                '<blockquote>{}</blockquote></div>', question, answers[key]))
        for key in sorted(set(answers) - set(REFLECTION_QUESTIONS)):
            parts.append(_m('<div class="sk-qa"><p class="sk-qa-q">{}</p>'
                            '<blockquote>{}</blockquote></div>', key, answers[key]))
        unanswered = [q for k, q in REFLECTION_QUESTIONS.items() if k not in answers]
        if unanswered:
            parts.append(callout("missing", "Not answered yet",
                                 _m("<ul>{}</ul>", _join(_m("<li>{}</li>", q)
                                                         for q in unanswered))))
        return _join(parts)

    def notes_text(self) -> Markup:
        """Warnings about the team's data (the report was still built), if any."""
        warnings = [p for p in self.wb.problems if not p.is_error]
        if not warnings:
            return Markup("")
        return callout("info", "Notes on the data",
                       _m("<ul>{}</ul>", _join(_m("<li>{}</li>", str(p)) for p in warnings)))

    def summary(self) -> dict[str, Any]:
        """A few facts for the batch index: name, members, top priorities, what is missing.

        Examples
        --------
        >>> import tempfile
        >>> ws = Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
        >>> Story.load(ws, "x").summary()["top"]
        []
        """
        top = [{"touchpoint_id": str(r["touchpoint_id"]),
                "description": "" if pd.isna(r["description"]) else str(r["description"])}
               for _, r in self.top.iterrows()]
        return {"name": self.name, "members": self.wb.members, "top": top, "todo": self.todo(),
                "touchpoints": len(self.journey), "actions": len(self.plan),
                "chain_findings": 0 if self.roles.empty else len(self.check.findings)}
