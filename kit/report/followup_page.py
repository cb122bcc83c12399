"""Plain-language text of the follow-up report: one team's page, and the page across teams.

:class:`FollowUp` reads a team leniently (:func:`kit.analyses.followup.read_team`) and returns HTML
fragments (:class:`markupsafe.Markup`, every piece of user text escaped by
:meth:`~markupsafe.Markup.format`) and figures for ``workshops/11_follow_up_report.ipynb``.
:class:`FollowUpSynthesis` does the same across every team of a workshop for
``workshops/21_follow_up_synthesis.ipynb``. Nothing here raises on missing, late or partial data:
the page says what is missing and where to add it.

Examples
--------
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp())
>>> (ws / "teams" / "x").mkdir(parents=True)
>>> page = FollowUp.load(ws, "x", as_of="2026-06-30")
>>> "No internal service plan yet" in page.progress_text()
True
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from kit.analyses.followup import (
    LATE_DAYS,
    ON_TRACK,
    STATUSES,
    FollowupData,
    across_teams,
    action_records,
    as_date,
    plan_progress,
    read_team,
)
from kit.formatting import join as _join
from kit.formatting import markup as _m
from kit.formatting import number_text
from kit.report.display import progress_bar, table
from kit.report.story.blocks import WHERE, callout
from kit.store.schema import KIND_LABELS
from kit.store.workshop import Workshop

__all__ = [
    "FollowUp",
    "FollowUpSynthesis",
    "HOW_TO_PLAN",
    "HOW_TO_RECORD",
    "KIND_WORDS",
    "definitions",
]

KIND_WORDS = KIND_LABELS
HOW_TO_RECORD = WHERE["results"][1]
HOW_TO_PLAN = WHERE["plan"][1]
"""Where a team records results and plans, in the team's words (a team's page)."""
TEAMS_RECORD = (
    "the follow-up notebook, 07_follow_up.ipynb in each team's notebooks folder (or the plan's "
    "Excel file: servekit export-xlsx, then servekit import-xlsx)"
)
TEAMS_PLAN = "the planning notebook, 05_plan.ipynb in each team's notebooks folder"
"""The same for the facilitator's page across teams (commands may be named there)."""


def _pct(share: Any) -> str:
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "—"
    return f"{round(100 * share)}%"


def _num(value: Any) -> str:
    return number_text(value, 2)


def definitions() -> Markup:
    """The status definitions as a table (shown on every follow-up page).

    Examples
    --------
    >>> "overdue" in definitions() and "share of the way" in definitions()
    True
    """
    rows = [
        {"status": _m('<span class="sk-status">{}</span>', s), "meaning": text}
        for s, text in STATUSES.items()
    ]
    return _join(
        [
            _m(
                "<p><strong>Progress</strong> is the share of the way from the baseline to the target "
                "that the latest result has come: 0% at the baseline, 100% at the target, above 100% "
                "beyond it, below 0% when the result moved away from the target. It reads the same "
                "whether the metric should go up (a score) or down (a waiting time). A latest result "
                "more than {} days old is flagged as stale.</p>",
                LATE_DAYS,
            ),
            table(rows, {"status": "Status", "meaning": "What it means"}),
        ]
    )


def _glance(statuses: dict[str, int], total: int) -> Markup:
    stats = []
    on_track = sum(statuses.get(s, 0) for s in ON_TRACK)
    for value, label, tone in (
        (f"{on_track}/{total}", "actions on track", "ok" if total and on_track == total else ""),
        (statuses.get("target met", 0), "targets met", "ok"),
        (statuses.get("off track", 0), "off track", "warn"),
        (statuses.get("overdue", 0), "overdue", "warn"),
        (statuses.get("not measured yet", 0), "not measured yet", ""),
    ):
        stats.append(
            _m(
                '<div class="sk-stat{}"><div class="sk-stat-value">{}</div>'
                '<div class="sk-stat-label">{}</div></div>',
                Markup(f" sk-{tone}" if tone and value not in (0, "0") else ""),
                value,
                label,
            )
        )
    return _m('<div class="sk-glance">{}</div>', _join(stats))


# --------------------------------------------------------------------------- one team
@dataclass
class FollowUp:
    """One team's follow-up: its plan's progress as of a date, in words and figures."""

    data: FollowupData
    slug: str
    as_of: Any
    workshop: dict[str, Any]

    @classmethod
    def load(cls, workshop_dir: str | Path, team: str = "", *, as_of: Any = None) -> FollowUp:
        """Load a team (slug or display name; the first team when empty) for its follow-up.

        Raises
        ------
        kit.exceptions.WorkshopError
            No such team (the message lists the teams there are).
        ValueError
            ``as_of`` is not a date.
        """
        ws = Workshop(workshop_dir)
        teams = [] if team else ws.teams()
        found = ws.team(team) if team or not teams else teams[0]
        day = as_date(as_of)
        return cls(read_team(found.path, root=ws.path), found.slug, day, ws.info)

    @property
    def name(self) -> str:
        return self.data.name or self.slug

    @functools.cached_property
    def progress(self) -> pd.DataFrame:
        return plan_progress(self.data.plan, self.data.results, self.as_of, self.data.notes)

    def records(self) -> list[dict[str, Any]]:
        """The team's actions as :func:`kit.analyses.followup.action_records` (summary.json rows)."""
        return action_records(self.progress, self.slug, self.name, self.data.roles)

    def owner(self, role_id: Any) -> str:
        roles = self.data.roles
        if (
            role_id is None
            or (isinstance(role_id, float) and math.isnan(role_id))
            or str(role_id) == ""
        ):
            return ""
        match = (
            roles.loc[roles["role_id"].astype(str) == str(role_id), "name"] if len(roles) else []
        )
        return str(match.iloc[0]) if len(match) else str(role_id)

    # -- sections -----------------------------------------------------------------------------
    def cover(self) -> Markup:
        """The page's header: workshop, team, and the date the follow-up looks from."""
        return _m(
            '<header class="sk-cover"><p class="sk-eyebrow">{}</p><h1>{}</h1>'
            '<p class="sk-subtitle">Follow-up: results against target</p>'
            '<dl class="sk-meta"><div><dt>As of</dt><dd>{}</dd></div>'
            "<div><dt>Workshop date</dt><dd>{}</dd></div></dl></header>",
            self.workshop.get("title") or "Serve the Servers workshop",
            self.name,
            self.as_of.isoformat(),
            str(self.workshop.get("date") or "—"),
        )

    def glance(self) -> Markup:
        """Key numbers and the one-sentence answer: which actions worked."""
        p = self.progress
        if p.empty:
            return Markup("")
        counts = p["status"].value_counts().to_dict()
        parts = [_glance(counts, len(p))]
        met = p[p["status"] == "target met"]
        if len(met):
            parts.append(
                _m(
                    '<p class="sk-lead">What worked: {}.</p>',
                    _join(
                        (
                            _m("<strong>{}</strong> {}", r["action_id"], r["action"])
                            for _, r in met.iterrows()
                        ),
                        "; ",
                    ),
                )
            )
        else:
            parts.append(
                _m(
                    '<p class="sk-lead">No action has met its target yet (as of {}).</p>',
                    self.as_of.isoformat(),
                )
            )
        return _join(parts)

    def progress_text(self) -> Markup:
        """Each action: owner, due date, baseline → target, latest result, progress, status."""
        p = self.progress
        if p.empty:
            return callout(
                "missing",
                "No internal service plan yet.",
                _m(
                    "Plan actions with {}; they are kept in the team folder as "
                    "<code>plan.csv</code>. Then run the follow-up again.",
                    HOW_TO_PLAN,
                ),
            )
        rows = []
        for r in p.to_dict("records"):
            share = r["progress"]
            bar = progress_bar(share)
            rows.append(
                {
                    "action": _m(
                        "<strong>{}</strong> {}<br><small>{} · owner: {}</small>",
                        r["action_id"],
                        r.get("action"),
                        KIND_WORDS.get(str(r.get("kind")), r.get("kind")),
                        self.owner(r.get("owner_role")) or "not named",
                    ),
                    "due": _m('<span class="nowrap">{}</span>', _due_text(r.get("due"))),
                    "goal": _m(
                        "{}<br><small>{} → {}</small>",
                        r.get("metric") or "",
                        _num(r.get("baseline")),
                        _num(r.get("target")),
                    ),
                    "latest": (
                        _m(
                            "{}<br><small>{} · {} result{}</small>",
                            _num(r["latest"]),
                            r["latest_date"],
                            r["measurements"],
                            "" if r["measurements"] == 1 else "s",
                        )
                        if r["measurements"]
                        else "—"
                    ),
                    "progress": _m("{}{}", _pct(share), bar),
                    "status": _m('<span class="sk-status">{}</span>', r["status"]),
                }
            )
        return table(
            rows,
            {
                "action": "Action",
                "due": "Due",
                "goal": "Metric (baseline → target)",
                "latest": "Latest result",
                "progress": "Progress",
                "status": "Status",
            },
        )

    def notes_text(self) -> Markup:
        """Missing, late or partial data, per action, and problems in the team's files."""
        p = self.progress
        parts = []
        items = [
            _m("<li><strong>{}</strong>: {}</li>", r["action_id"], note)
            for r in p.to_dict("records")
            for note in r["notes"]
        ]
        if len(p) and not int(p["measurements"].sum()):
            parts.append(
                callout(
                    "missing",
                    "No results recorded yet.",
                    _m(
                        "Record them with {}; they are kept in the team folder as "
                        "<code>results.csv</code>. Then run the follow-up again.",
                        HOW_TO_RECORD,
                    ),
                )
            )
        if items:
            parts.append(
                callout("info", "Missing, late or partial data", _m("<ul>{}</ul>", _join(items)))
            )
        if self.data.problems:
            parts.append(
                callout(
                    "info",
                    "Problems in the team's files (the rest was used)",
                    _m(
                        "<ul>{}</ul>",
                        _join(_m("<li><code>{}</code></li>", str(q)) for q in self.data.problems),
                    ),
                )
            )
        if not parts:
            parts.append(
                callout(
                    "good",
                    "Complete data",
                    "Every action has a baseline, a target, a due date and recent results.",
                )
            )
        return _join(parts)

    # The figures are plain plotly specs (kit.figures.followup's *_spec): the page shows them as
    # they are, with no plotly validation (what a go.Figure would make of them is the same).
    def bars_figure(self) -> dict[str, Any] | None:
        """The latest progress of each action, its status beside it (None with no plan)."""
        from kit.figures.followup import progress_bars_spec

        return None if self.progress.empty else progress_bars_spec(self.progress)

    def time_figure(self) -> dict[str, Any] | None:
        """Every action's results on one scale (None until something is measured)."""
        from kit.figures.followup import progress_over_time_spec

        if self.progress.empty or not int(self.progress["measurements"].sum()):
            return None
        return progress_over_time_spec(self.data.plan, self.data.results, self.as_of)

    def action_figures(self) -> list[dict[str, Any]]:
        """One chart per measured action: its values against its baseline and target."""
        from kit.figures.followup import action_chart_spec

        cutoff = self.as_of.isoformat()
        res = self.data.results
        if len(res):
            res = res[[str(d)[:10] <= cutoff for d in res["date"]]]
        return [
            action_chart_spec(r, res)
            for r in self.data.plan.to_dict("records")
            if int(
                self.progress.loc[
                    self.progress["action_id"] == r["action_id"], "measurements"
                ].iloc[0]
            )
        ]


def _due_text(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return str(value)[:10]


# --------------------------------------------------------------------------- across teams
@dataclass
class FollowUpSynthesis:
    """Every team's follow-up together: share on track, overdue by owner, what kind works."""

    workshop_dir: Path
    as_of: Any
    teams: list[FollowUp]

    @classmethod
    def load(cls, workshop_dir: str | Path, *, as_of: Any = None) -> FollowUpSynthesis:
        """Read every team of a workshop (leniently) for the follow-up."""
        ws = Workshop(workshop_dir)
        day = as_date(as_of)
        teams = [
            FollowUp(read_team(t.path, root=ws.path), t.slug, day, ws.info) for t in ws.teams()
        ]
        return cls(Path(workshop_dir), day, teams)

    @functools.cached_property
    def actions(self) -> list[dict[str, Any]]:
        return [a for team in self.teams for a in team.records()]

    @functools.cached_property
    def overview(self) -> dict[str, Any]:
        return across_teams(self.actions)

    def cover(self) -> Markup:
        info = self.teams[0].workshop if self.teams else {}
        return _m(
            '<header class="sk-cover"><p class="sk-eyebrow">{}</p><h1>Follow-up across '
            'teams</h1><p class="sk-subtitle">Which actions worked</p><dl class="sk-meta">'
            "<div><dt>As of</dt><dd>{}</dd></div><div><dt>Teams</dt><dd>{}</dd></div></dl>"
            "</header>",
            info.get("title") or "Serve the Servers workshop",
            self.as_of.isoformat(),
            len(self.teams),
        )

    def glance(self) -> Markup:
        o = self.overview
        if not o["actions"]:
            return callout(
                "missing", "No team has a plan yet.", _m("Teams plan actions with {}.", TEAMS_PLAN)
            )
        return _join(
            [
                _glance(o["statuses"], o["actions"]),
                _m(
                    '<p class="sk-lead">{} of {} actions ({}) are on track: their target is '
                    "met or they are on the way to it.</p>",
                    o["on_track"],
                    o["actions"],
                    _pct(o["on_track_share"]),
                ),
            ]
        )

    def teams_text(self) -> Markup:
        rows = []
        for team in self.teams:
            counts = team.progress["status"].value_counts().to_dict() if len(team.progress) else {}
            total = len(team.progress)
            rows.append(
                {
                    "team": team.name,
                    "actions": total,
                    "on_track": sum(counts.get(s, 0) for s in ON_TRACK),
                    **{s: counts.get(s, 0) for s in STATUSES},
                }
            )
        return table(
            rows,
            {
                "team": "Team",
                "actions": "Actions",
                "on_track": "On track",
                **{s: s.capitalize() for s in STATUSES},
            },
            numeric=["actions", "on_track", *STATUSES],
        )

    def overdue_text(self) -> Markup:
        overdue = self.overview["overdue_by_owner"]
        if not overdue:
            return callout(
                "good", "Nothing overdue", "No action is past its due date with its target unmet."
            )
        rows = [
            {
                "owner": owner,
                "n": n,
                "which": ", ".join(
                    f"{a['team_name']} {a['action_id']}"
                    for a in self.actions
                    if a["status"] == "overdue"
                    and (a.get("owner_name") or "(no owner named)") == owner
                ),
            }
            for owner, n in overdue.items()
        ]
        return _join(
            [
                _m(
                    "<p>In the upside-down pyramid, an owner with several overdue actions "
                    "may need serving themselves: time, tools or authority.</p>"
                ),
                table(
                    rows, {"owner": "Owner role", "n": "Overdue", "which": "Actions"}, numeric=["n"]
                ),
            ]
        )

    def kinds_text(self) -> Markup:
        o = self.overview
        rows = [
            {
                "kind": KIND_WORDS[k],
                "actions": v["actions"],
                "measured": v["measured"],
                "met": v["met"],
                "met_share": _pct(v["met_share"]),
                "median": _pct(v["median_progress"]),
            }
            for k, v in o["kinds"].items()
        ]
        parts = [
            table(
                rows,
                {
                    "kind": "Kind of action",
                    "actions": "Actions",
                    "measured": "With progress",
                    "met": "Target met",
                    "met_share": "Met (of measured)",
                    "median": "Median progress",
                },
                numeric=["actions", "measured", "met", "met_share", "median"],
            )
        ]
        best = o["best_kind"]
        if best:
            parts.insert(
                0,
                _m(
                    '<p class="sk-lead">The actions that work best so far are the '
                    "<strong>{}</strong> ones: {} of {} measured met their target.</p>",
                    KIND_WORDS[best],
                    o["kinds"][best]["met"],
                    o["kinds"][best]["measured"],
                ),
            )
        else:
            parts.insert(
                0,
                callout(
                    "missing",
                    "Nothing measured yet",
                    _m("Teams record results with {}.", TEAMS_RECORD),
                ),
            )
        return _join(parts)

    def kinds_figure(self) -> dict[str, Any] | None:
        """Which kind of action works best (a plain plotly spec; None with no action)."""
        from kit.figures.followup import kinds_chart_spec

        return kinds_chart_spec(self.overview["kinds"]) if self.overview["actions"] else None
