"""Figures across teams working on the same case (the facilitator's and coach's synthesis)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go

from kit.analyses.scoring import agreement_from_ranks, team_ranks
from kit.figures.style import empty_figure, esc, new_figure
from kit.figures.text import wrap

__all__ = ["agreement_figure", "top_k_figure"]


def agreement_figure(
    team_scores: Mapping[str, pd.DataFrame],
    journey: pd.DataFrame | None = None,
    *,
    k: int = 3,
    top: int = 12,
    title: str | None = "Where the teams agree on what to act on",
    ranks: pd.DataFrame | None = None,
) -> go.Figure:
    """Heatmap of each team's priority rank for the touchpoints the teams rank highest.

    Rows are touchpoints (those most teams put in their top ``k`` first, see
    :func:`kit.analyses.scoring.team_agreement`), columns are teams, and each cell shows the team's rank
    (1 = act here first) as a number *and* as shade (darker = higher priority), so it reads in a
    greyscale print. A ★ before a touchpoint marks one that every team has in its top ``k``.

    Parameters
    ----------
    team_scores : mapping
        Team display name -> that team's ``scores`` table.
    journey : pandas.DataFrame, optional
        The case's journey, for touchpoint descriptions and order.
    k : int
        Size of each team's top list.
    top : int
        How many touchpoints to show at most.
    title : str, optional
    ranks : pandas.DataFrame, optional
        :func:`kit.analyses.scoring.team_ranks` of ``team_scores`` (with this ``k``) when the caller
        already has it; computed otherwise.

    Returns
    -------
    go.Figure

    Examples
    --------
    >>> a = pd.DataFrame({"touchpoint_id": ["T1", "T2"], "scorer": ["Ann"] * 2,
    ...                   "importance": [5, 4], "performance": [2, 3]})
    >>> fig = agreement_figure({"Blue": a, "Green": a}, k=1)
    >>> [list(row) for row in fig.data[0].text]
    [['1', '1'], ['2', '2']]
    """
    scored = {name: frame for name, frame in team_scores.items() if len(frame)}
    if not scored:
        return empty_figure("No team has scored any touchpoint yet", title)
    if ranks is None:
        ranks = team_ranks(scored, journey, k=k)
    agreement = agreement_from_ranks(ranks, journey, n_teams=len(scored)).head(top)
    table = ranks.pivot_table(
        index="touchpoint_id", columns="team", values="rank", aggfunc="min"
    ).reindex(index=agreement["touchpoint_id"], columns=list(scored))
    labels = []
    for row in agreement.itertuples(index=False):
        star = "★ " if row.all_top_k else ""
        what = row.description if isinstance(row.description, str) else ""
        labels.append(f"{star}{esc(row.touchpoint_id)} " + wrap(what, 38, 1))
    text = [["" if pd.isna(v) else str(int(v)) for v in values] for values in table.to_numpy()]
    worst = max(int(ranks["rank"].max()), 2)
    fig = new_figure(
        go.Heatmap(
            z=table.to_numpy(dtype=float),
            x=[wrap(t, 16, 2) for t in table.columns],
            y=labels,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 14},
            colorscale=[[0, "#08306b"], [0.35, "#4292c6"], [1, "#f7fbff"]],
            zmin=1,
            zmax=worst,
            colorbar={
                "title": {"text": "rank"},
                "tickvals": [1, worst],
                "ticktext": ["1st", f"{worst}th"],
            },
            customdata=[[lbl] * len(table.columns) for lbl in labels],
            hovertemplate="%{x}<br>%{customdata}<br>rank %{z}<extra></extra>",
            xgap=2,
            ygap=2,
        ),
        title,
        height=max(320, 60 + 34 * len(labels)),
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", automargin=True, tickangle=0)
    fig.update_layout(margin={"t": 110})
    fig.add_annotation(
        text=f"★ in every team's top {k} · number = the team's priority rank",
        xref="paper",
        yref="paper",
        x=0,
        y=-0.02,
        yanchor="top",
        showarrow=False,
        font={"size": 12},
    )
    return fig


def top_k_figure(
    agreement: pd.DataFrame, n_teams: int, *, k: int = 3, top: int = 12, title: str | None = None
) -> go.Figure:
    """ "n of N teams have this in their top k": one bar per touchpoint, any number of teams.

    Reads at 4 teams and at 200 alike (a team-by-touchpoint grid does not): the bar's length is
    how many teams put the touchpoint in their top ``k``, written at its end as "n of N";
    a ★ marks one that every team has there. A compact variant for phones rides along.

    Parameters
    ----------
    agreement : pandas.DataFrame
        A :func:`kit.analyses.scoring.agreement_from_ranks` table (sorted: most teams first).
    n_teams : int
        How many teams were compared (N).
    k : int
        Size of each team's top list.
    top : int
        How many touchpoints to show at most (those in at least one team's top list).
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    go.Figure
        One bar trace "Teams with it in their top k".

    Examples
    --------
    >>> from kit.analyses.scoring import team_agreement
    >>> a = pd.DataFrame({"touchpoint_id": ["T1", "T2"], "scorer": ["Ann"] * 2,
    ...                   "importance": [5, 4], "performance": [2, 3]})
    >>> b = pd.DataFrame({"touchpoint_id": ["T1", "T2"], "scorer": ["Bo"] * 2,
    ...                   "importance": [3, 5], "performance": [3, 1]})
    >>> fig = top_k_figure(team_agreement({"A": a, "B": b}, k=1), 2, k=1)
    >>> list(fig.data[0].text), list(fig.data[0].x)
    (['1 of 2', '1 of 2'], [1, 1])
    """
    from kit.figures.responsive import with_compact

    shown = agreement[agreement["teams_top_k"] > 0].head(top)
    if shown.empty:
        return empty_figure(f"No touchpoint is in any team's top {k} yet", title)
    return with_compact(
        _top_k_build(shown, n_teams, k, title, compact=False),
        _top_k_build(shown, n_teams, k, title, compact=True),
    )


def _top_k_build(
    shown: pd.DataFrame, n_teams: int, k: int, title: str | None, *, compact: bool
) -> go.Figure:
    labels = []
    for row in shown.itertuples(index=False):
        star = "★ " if row.all_top_k else ""
        what = row.description if isinstance(row.description, str) else ""
        labels.append(
            f"{star}<b>{esc(row.touchpoint_id)}</b>"
            + ("<br>" + wrap(what, 16, 1) if compact else " " + wrap(what, 42, 1))
        )
    counts = [int(n) for n in shown["teams_top_k"]]
    fig = new_figure(
        go.Bar(
            name=f"Teams with it in their top {k}",
            orientation="h",
            x=counts,
            y=labels,
            text=[f"{n} of {n_teams}" for n in counts],
            textposition="outside",
            cliponaxis=False,
            marker={
                "color": ["#08306b" if a else "#4292c6" for a in shown["all_top_k"]],
                "line": {"color": "black", "width": 1},
            },
            customdata=[[esc(t)] for t in shown["top_k_teams"]],
            hovertemplate="%{y}<br>%{text} teams<extra></extra>",
        ),
        title,
        height=max(260, (150 if compact else 120) + (44 if compact else 30) * len(labels)),
    )
    fig.update_layout(
        margin={"l": 130 if compact else 330, "r": 50, "t": 40 if not title else 80, "b": 90},
        yaxis={"autorange": "reversed", "ticks": "", "tickfont": {"size": 11}},
        xaxis={
            "range": [0, n_teams * 1.15],
            "title": {"text": f"Teams with it in their top {k} (of {n_teams})", "standoff": 6},
            "showgrid": True,
            "gridcolor": "#E5E5E5",
        },
        showlegend=False,
    )
    fig.add_annotation(
        text=f"★ in every team's top {k}",
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        yshift=-58,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 11},
    )
    return fig
