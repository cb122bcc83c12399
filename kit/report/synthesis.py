"""The cross-team synthesis: what the teams of one workshop agree on, in plain words.

:class:`Synthesis` reads every team of a workshop (leniently: a team with errors is listed, not
used) and returns escaped HTML fragments (:class:`markupsafe.Markup`) and plotly figures for the
synthesis notebook (``workshops/20_synthesis.ipynb``), which ``servekit report`` runs once per
batch and links from the index. All user text (team names, descriptions) is escaped here.
"""

from __future__ import annotations

import collections
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from markupsafe import Markup

from kit.analyses.progress import STEPS, team_progress
from kit.analyses.pyramid import build_graph, chain_check
from kit.analyses.scoring import (
    agreement_from_ranks,
    journey_store,
    priority_ranking,
    shared_summaries,
    team_ranks,
    top_of_ranking,
)
from kit.formatting import plural
from kit.report.display import table
from kit.report.story.blocks import callout
from kit.store.problems import errors
from kit.store.schema import KIND_LABELS
from kit.store.workbook import Workbook
from kit.store.workshop import Workshop, case_dir

__all__ = ["Synthesis"]

_MARKS = {"done": "✓", "started": "…", "not started": "–"}


def _case_journey(info: dict[str, Any]) -> pd.DataFrame | None:
    try:
        return Workbook.load(case_dir(str(info.get("case", ""))) / "reference")["journey"]
    except Exception:  # no case, or a case without a reference: fall back to the teams' journeys
        return None


@dataclass
class Synthesis:
    """Every team of one workshop, ready to compare.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_demo
    >>> s = Synthesis.load(create_demo(Path(tempfile.mkdtemp()) / "d").path)
    >>> len(s.usable)
    4
    """

    info: dict[str, Any]
    workbooks: dict[str, Workbook]
    journey: pd.DataFrame
    _ranks: dict[int, pd.DataFrame] = field(default_factory=dict, repr=False, compare=False)
    _summaries: dict[Any, Any] | None = field(default=None, repr=False, compare=False)

    def _shared(self) -> Any:
        """Each team's scores summarised once for both rankings (its own journey's and the
        case's), the case journey read once (:func:`kit.analyses.scoring.shared_summaries`)."""
        if self._summaries is None:
            self._summaries = journey_store(self.journey)
        return shared_summaries(self._summaries)

    @classmethod
    def load(cls, workshop_dir: str | Path) -> Synthesis:
        """Read every team of the workshop in ``workshop_dir``."""
        workshop = Workshop(workshop_dir)
        workbooks = {t.slug: t.load(strict=False) for t in workshop.teams()}
        journeys = [j for j in [_case_journey(workshop.info)] if j is not None]
        journeys += [wb.tables["journey"] for wb in workbooks.values()]
        journey = (
            pd.concat(journeys, ignore_index=True).drop_duplicates("touchpoint_id")
            if journeys
            else pd.DataFrame(columns=["touchpoint_id"])
        )
        return cls(workshop.info, workbooks, journey)

    # -- who is in ---------------------------------------------------------------------------
    @property
    def usable(self) -> dict[str, Workbook]:
        """slug -> workbook for teams whose data has no errors."""
        return {s: wb for s, wb in self.workbooks.items() if not errors(wb.problems)}

    def _name(self, slug: str) -> str:
        return self.workbooks[slug].name or slug

    @property
    def scored(self) -> dict[str, pd.DataFrame]:
        """Team display name -> scores, for usable teams that scored something."""
        return {
            self._name(s): wb.tables["scores"]
            for s, wb in self.usable.items()
            if len(wb.tables["scores"])
        }

    # Each team's ranking is computed once and shared by the sections below (a workshop of 40
    # teams would otherwise rank every team four times).
    @functools.cached_property
    def rankings(self) -> dict[str, pd.DataFrame]:
        """slug -> :func:`kit.analyses.scoring.priority_ranking` over the team's own journey."""
        with self._shared():
            return {
                s: priority_ranking(wb.tables["scores"], wb.tables["journey"])
                for s, wb in self.usable.items()
            }

    def ranks(self, k: int = 3) -> pd.DataFrame:
        """:func:`kit.analyses.scoring.team_ranks` of the scored teams against the case's journey."""
        if k not in self._ranks:
            with self._shared():
                self._ranks[k] = team_ranks(self.scored, self.journey, k=k)
        return self._ranks[k]

    # -- sections ----------------------------------------------------------------------------
    def cover(self) -> Markup:
        """Title block: workshop, date, facilitator, how many teams."""
        title = self.info.get("title") or "Workshop"
        facts = [str(self.info.get(k)) for k in ("date", "facilitator") if self.info.get(k)]
        n, usable = len(self.workbooks), len(self.usable)
        facts.append(
            plural(n, "team")
            + ("" if usable == n else f", {usable} with data that can be compared")
        )
        return Markup(
            '<nav class="sk-back"><a href="index.html">← All reports</a></nav>'
            '<header class="sk-cover"><p class="sk-kicker">Synthesis across '
            '{}</p><h1>{}</h1><p class="sk-meta">{}</p></header>'
        ).format(plural(n, "team"), title, " · ".join(facts))

    def progress_table(self) -> Markup:
        """How far every team got (✓ done, … started, – not started) and its data errors."""
        progress = team_progress(self.workbooks)
        rows = [
            {
                "name": r["name"] + (" ⚠ broken: data to fix" if r["errors"] else ""),
                **{s: _MARKS[r[s]] for s in STEPS},
                "errors": r["errors"],
            }
            for r in progress.to_dict("records")
        ]
        columns = {"name": "Team", **{s: s.capitalize() for s in STEPS}, "errors": "Data errors"}
        return table(rows, columns, numeric=["errors"], empty="No teams in this workshop yet.")

    def agreement_text(self, k: int = 3) -> Markup:
        """Plain words: the touchpoints every team (or most teams) would act on first."""
        scored = self.scored
        if len(scored) < 2:
            return callout(
                "info",
                "Not enough teams to compare",
                "At least two teams need scores before their priorities can be compared.",
            )
        agreement = agreement_from_ranks(self.ranks(k), self.journey, n_teams=len(scored))
        shared = agreement[agreement["all_top_k"]]
        parts = []
        if len(shared):
            items = Markup("").join(
                Markup("<li><strong>{}</strong> {}</li>").format(
                    r.touchpoint_id, r.description if isinstance(r.description, str) else ""
                )
                for r in shared.itertuples()
            )
            parts.append(
                Markup(
                    "<p>Every one of the {} compared has these in its top {}:</p><ul>{}</ul>"
                ).format(plural(len(scored), "team"), k, items)
            )
        else:
            best = agreement.iloc[0]
            parts.append(
                Markup(
                    "<p>No touchpoint is in every team's top {}. The closest is "
                    "<strong>{}</strong>, in the top {} of {} of {} teams.</p>"
                ).format(k, best["touchpoint_id"], k, int(best["teams_top_k"]), len(scored))
            )
        split = (
            agreement[(agreement["teams"] >= 2)]
            .sort_values(["rank_spread", "touchpoint_id"], ascending=[False, True])
            .head(1)
        )
        if len(split) and int(split.iloc[0]["rank_spread"]) >= 5:
            row = split.iloc[0]
            parts.append(
                Markup(
                    "<p>The teams disagree most about <strong>{}</strong>: ranked "
                    "{} by one team and {} by another. Ask both to explain their "
                    "scores.</p>"
                ).format(row["touchpoint_id"], int(row["best_rank"]), int(row["worst_rank"]))
            )
        return Markup("").join(parts)

    def agreement_figure(self, k: int = 3) -> Any:
        """ "n of N teams have this in their top k" (:func:`kit.figures.teams.top_k_figure`)."""
        from kit.figures.teams import top_k_figure

        scored = self.scored
        agreement = agreement_from_ranks(self.ranks(k), self.journey, n_teams=len(scored))
        return top_k_figure(agreement, len(scored), k=k)

    def priorities_table(self, k: int = 3) -> Markup:
        """Each team's top ``k`` touchpoints to act on, side by side."""
        rows = []
        for slug in self.usable:
            top = top_of_ranking(self.rankings[slug], k)
            labels = [
                f"{r.touchpoint_id} {r.description}"
                if isinstance(r.description, str)
                else str(r.touchpoint_id)
                for r in top.itertuples()
            ]
            rows.append(
                {
                    "team": self._name(slug),
                    **{
                        f"p{i}": labels[i - 1] if i <= len(labels) else "—" for i in range(1, k + 1)
                    },
                }
            )
        columns = {"team": "Team", **{f"p{i}": f"Priority {i}" for i in range(1, k + 1)}}
        return table(rows, columns, empty="No team has usable data yet.")

    def chain_table(self) -> Markup:
        """Chain-check findings per team: roles that reach no customer, serving the boss."""
        rows = []
        for slug, wb in self.usable.items():
            if not len(wb.tables["roles"]):
                continue
            check = chain_check(build_graph(wb.tables["roles"], wb.tables["serves"]))
            kinds = collections.Counter(check.findings["kind"]) if len(check.findings) else {}
            rows.append(
                {
                    "team": self._name(slug),
                    "unreached": kinds.get("unreached", 0) + kinds.get("orphan", 0),
                    "down": kinds.get("serves_down", 0),
                    "cycles": len(check.cycles),
                    "verdict": "chain complete" if check.ok else "to fix",
                }
            )
        columns = {
            "team": "Team",
            "unreached": "Roles reaching no customer",
            "down": "Edges serving the boss",
            "cycles": "Circles",
            "verdict": "",
        }
        return table(
            rows,
            columns,
            numeric=["unreached", "down", "cycles"],
            empty="No team has drawn its pyramid yet.",
        )

    def readiness_text(self) -> Markup:
        """Which of be/do/have is most often the weakest, across all teams' touchpoints."""
        weakest: collections.Counter[str] = collections.Counter()
        for ranking in self.rankings.values():
            weakest.update(w for w in ranking.get("weakest", []) if isinstance(w, str))
        if not weakest:
            return callout(
                "info", "No readiness scores yet", "Teams rate be, do and have in notebook 04."
            )
        kind, count = weakest.most_common(1)[0]
        label = KIND_LABELS[kind].replace(kind, kind.upper(), 1)  # "BE (mindset)"
        total = sum(weakest.values())
        return Markup(
            "<p>Across all teams, <strong>{}</strong> is the weakest of be, do and "
            "have at {} of {} scored touchpoints: that is where the internal service "
            "plans should start.</p>"
        ).format(label, count, total)
