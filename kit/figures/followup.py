"""Follow-up figures: results over time against baseline and target, and progress per action.

* :func:`action_chart` — one action's measured values over time, with its baseline and target as
  labelled lines and its due date marked (the live chart of the results editor);
* :func:`progress_over_time` — every action of a team on one scale, the share of the way from
  baseline (0%) to target (100%), so a waiting time going down and a score going up read alike;
* :func:`progress_bars` — the latest progress of each action, with its status written beside it.

Status colours are paired with the status word (and a marker symbol) so the charts read in grey.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from kit.analyses.followup import (
    as_date,
    date_or_none,
    number_or_nan,
    plan_progress,
    progress_share,
)
from kit.figures.style import PALETTE, empty_figure, esc, new_figure
from kit.formatting import shorten

__all__ = [
    "STATUS_COLOURS",
    "STATUS_SYMBOLS",
    "action_chart",
    "kinds_chart",
    "progress_bars",
    "progress_over_time",
]

STATUS_COLOURS: dict[str, str] = {
    "target met": PALETTE["green"],
    "on the way": PALETTE["blue"],
    "off track": PALETTE["orange"],
    "overdue": PALETTE["vermillion"],
    "not measured yet": PALETTE["grey"],
    "no target set": PALETTE["purple"],
}
STATUS_SYMBOLS: dict[str, str] = {
    "target met": "star",
    "on the way": "circle",
    "off track": "triangle-down",
    "overdue": "x",
    "not measured yet": "circle-open",
    "no target set": "diamond-open",
}


def _series(results: pd.DataFrame, action_id: str) -> pd.DataFrame:
    if results is None or results.empty:
        return pd.DataFrame({"date": [], "value": []})
    mine = results[results["action_id"].astype(str) == str(action_id)].copy()
    mine["date"] = [date_or_none(d) for d in mine["date"]]
    mine["value"] = [number_or_nan(v) for v in mine["value"]]
    mine = mine[mine["date"].notna() & mine["value"].notna()]
    return mine.sort_values("date", kind="stable")


def action_chart(
    action: dict[str, Any] | pd.Series, results: pd.DataFrame, height: int = 320
) -> go.Figure:
    """One action's results over time, against its baseline and target.

    Parameters
    ----------
    action : mapping or Series
        A row of the plan (``action_id``, ``action``, ``metric``, ``baseline``, ``target``,
        ``due``).
    results : pandas.DataFrame
        The results table (all actions; this one's rows are picked).
    height : int
        Figure height in pixels.

    Returns
    -------
    go.Figure

    Examples
    --------
    >>> a = {"action_id": "A1", "action": "<b>Open</b> a desk", "metric": "wait (min)",
    ...      "baseline": 14.0, "target": 5.0, "due": "2026-03-31"}
    >>> r = pd.DataFrame({"action_id": ["A1"], "date": ["2026-03-01"], "value": [8.0]})
    >>> fig = action_chart(a, r)
    >>> [t.name for t in fig.data], "&lt;b&gt;" in fig.layout.title.text
    (['results', 'baseline', 'target'], True)
    """
    action = dict(action)
    aid = str(action.get("action_id", ""))
    title = f"{aid}: {shorten(action.get('action'), 60)}"
    mine = _series(results, aid)
    base, goal = number_or_nan(action.get("baseline")), number_or_nan(action.get("target"))
    due = date_or_none(action.get("due"))
    dates = list(mine["date"])
    span = [d for d in [*dates, due] if d is not None]
    if not span:
        return empty_figure("No results yet: add the first one above.", title, height=height)
    left, right = min(span), max(span)
    pad = max(dt.timedelta(days=7), (right - left) / 20)
    left, right = left - pad, right + pad
    metric = esc(shorten(action.get("metric"), 32)) or "value"
    fig = new_figure(
        go.Scatter(
            x=dates,
            y=list(mine["value"]),
            mode="lines+markers",
            name="results",
            line={"color": PALETTE["blue"], "width": 3},
            marker={"size": 9},
            hovertemplate="%{x|%Y-%m-%d}: %{y}<extra></extra>",
        ),
        title,
        height=height,
    )
    for value, other, name, colour, dash in (
        (base, goal, "baseline", PALETTE["grey"], "dot"),
        (goal, base, "target", PALETTE["green"], "dash"),
    ):
        if not math.isnan(value):
            where = "bottom left" if not math.isnan(other) and value > other else "top left"
            fig.add_trace(
                go.Scatter(
                    x=[left, right],
                    y=[value, value],
                    mode="lines+text",
                    name=name,
                    line={"color": colour, "dash": dash, "width": 2},
                    text=["", f"{name} {value:g}"],
                    textposition=where,
                    hovertemplate=f"{name}: {value:g}<extra></extra>",
                )
            )
    if due is not None:
        fig.add_vline(x=due.isoformat(), line={"color": PALETTE["vermillion"], "dash": "dot"})
        fig.add_annotation(
            x=due.isoformat(),
            y=1,
            yref="paper",
            text="due",
            showarrow=False,
            font={"color": PALETTE["vermillion"]},
            yanchor="bottom",
        )
    fig.update_layout(
        yaxis_title=metric,
        showlegend=False,
        xaxis={"type": "date", "tickformat": "%d %b\n%Y", "range": [left, right]},
        margin={"l": 70, "r": 30, "t": 60, "b": 40},
    )
    return fig


def progress_over_time(
    plan: pd.DataFrame, results: pd.DataFrame, as_of: Any = None, height: int = 420
) -> go.Figure:
    """Every action's results as a share of the way from baseline (0%) to target (100%).

    Examples
    --------
    >>> plan = pd.DataFrame({"action_id": ["A1", "A2"], "action": ["x", "y"],
    ...                      "baseline": [14.0, 60.0], "target": [5.0, 100.0]})
    >>> res = pd.DataFrame({"action_id": ["A1", "A2"], "date": ["2026-03-01", "2026-03-01"],
    ...                     "value": [8.0, 90.0]})
    >>> [round(y, 3) for t in progress_over_time(plan, res, "2026-04-01").data[:2] for y in t.y]
    [66.667, 75.0]
    """
    progress = plan_progress(plan, results, as_of)
    cutoff = as_date(as_of)
    fig = new_figure(
        None, "Results over time: share of the way from baseline to target", height=height
    )
    drawn = 0
    for row in progress.to_dict("records"):
        mine = _series(results, row["action_id"])
        mine = mine[[d <= cutoff for d in mine["date"]]] if len(mine) else mine
        shares = [progress_share(row.get("baseline"), row.get("target"), v) for v in mine["value"]]
        points = [
            (d, 100 * s, v)
            for d, s, v in zip(mine["date"], shares, mine["value"], strict=True)
            if not math.isnan(s)
        ]
        if not points:
            continue
        drawn += 1
        status = row["status"]
        fig.add_trace(
            go.Scatter(
                x=[p[0] for p in points],
                y=[p[1] for p in points],
                mode="lines+markers",
                name=esc(f"{row['action_id']}: {shorten(row.get('action'), 30)}"),
                marker={"symbol": STATUS_SYMBOLS.get(status, "circle"), "size": 9},
                customdata=[[p[2]] for p in points],
                hovertemplate=(
                    f"{esc(row['action_id'])}<br>%{{x|%Y-%m-%d}}: %{{customdata[0]}} "
                    f"(%{{y:.0f}}% of the way)<extra></extra>"
                ),
            )
        )
    if not drawn:
        return empty_figure(
            "No results against a baseline and target yet.", "Results over time", height=360
        )
    fig.add_hline(
        y=0,
        line={"color": PALETTE["grey"], "dash": "dot"},
        annotation_text="baseline",
        annotation_position="bottom left",
    )
    fig.add_hline(
        y=100,
        line={"color": PALETTE["green"], "dash": "dash"},
        annotation_text="target",
        annotation_position="top left",
    )
    fig.update_layout(
        yaxis={"title": "% of the way to target", "ticksuffix": "%"},
        xaxis={"type": "date"},
        legend={"font": {"size": 11}},
    )
    return fig


def progress_bars(progress: pd.DataFrame, height: int | None = None) -> go.Figure:
    """Latest progress of each action (from :func:`kit.analyses.followup.plan_progress`), status beside it.

    Bars are clipped to -50%…150% (the label shows the true share). Each label is written to
    the right of its bar's end, or of zero for a bar going the wrong way, so it never runs left
    onto the actions' names.

    Examples
    --------
    >>> p = pd.DataFrame({"action_id": ["A1", "A2", "A3"], "action": ["x", "y", "z"],
    ...                   "progress": [0.5, float("nan"), -0.2],
    ...                   "status": ["on the way", "not measured yet", "overdue"]})
    >>> fig = progress_bars(p)
    >>> list(fig.data[0].x), list(fig.data[1].x)
    ([50.0, 0.0, -20.0], [50.0, 0.0, 0.0])
    >>> list(fig.data[1].text)
    ['50% · on the way', 'not measured yet', '-20% · overdue']
    """
    if progress.empty:
        return empty_figure("No actions in the plan yet.", "Progress", height=300)
    labels = [
        esc(f"{r['action_id']}: {shorten(r.get('action'), 36)}")
        for r in progress.to_dict("records")
    ]
    shares = [float(s) if not pd.isna(s) else math.nan for s in progress["progress"]]
    x = [0.0 if math.isnan(s) else max(-50.0, min(150.0, 100 * s)) for s in shares]
    text = [
        (f"{round(100 * s)}% · " if not math.isnan(s) else "") + st
        for s, st in zip(shares, progress["status"], strict=True)
    ]
    colours = [STATUS_COLOURS.get(s, PALETTE["grey"]) for s in progress["status"]]
    fig = new_figure(
        [
            go.Bar(
                x=x,
                y=labels,
                orientation="h",
                marker={"color": colours},
                hoverinfo="text",
                hovertext=text,
                showlegend=False,
            ),
            go.Scatter(
                x=[max(0.0, v) for v in x],
                y=labels,
                mode="text",
                text=text,
                textposition="middle right",
                cliponaxis=False,
                hoverinfo="skip",
                showlegend=False,
            ),
        ],
        "Progress towards target",
        height=height or 120 + 36 * len(progress),
    )
    fig.add_vline(x=100, line={"color": PALETTE["green"], "dash": "dash"})
    fig.update_layout(
        xaxis={
            "range": [-55, 190],
            "ticksuffix": "%",
            "title": "% of the way from baseline to target",
        },
        yaxis={"autorange": "reversed"},
        margin={"l": 260},
    )
    return fig


def kinds_chart(kinds: dict[str, dict[str, Any]], height: int = 360) -> go.Figure:
    """Share of measured actions that met their target, and median progress, per be/do/have.

    Parameters
    ----------
    kinds : dict
        ``kinds`` of :func:`kit.analyses.followup.across_teams`.

    Examples
    --------
    >>> k = {"be": {"measured": 2, "met": 1, "met_share": 0.5, "median_progress": 0.8},
    ...      "do": {"measured": 0, "met": 0, "met_share": None, "median_progress": None}}
    >>> [list(t.y) for t in kinds_chart(k).data]
    [[50.0, 0.0], [80.0, 0.0]]
    """
    from kit.figures.style import KIND_COLOURS

    names = list(kinds)
    met = [100.0 * (kinds[k]["met_share"] or 0) for k in names]
    median = [100.0 * (kinds[k]["median_progress"] or 0) for k in names]
    labels = [f"{k} ({kinds[k]['measured']} measured)" for k in names]
    fig = new_figure(
        [
            go.Bar(
                x=labels,
                y=met,
                name="met their target",
                marker={"color": [KIND_COLOURS.get(k, PALETTE["grey"]) for k in names]},
                text=[f"{round(v)}%" for v in met],
                textposition="outside",
            ),
            go.Bar(
                x=labels,
                y=median,
                name="median progress",
                marker={"color": "white", "line": {"color": PALETTE["black"], "width": 1.5}},
                text=[f"{round(v)}%" for v in median],
                textposition="outside",
            ),
        ],
        "Which kind of action works best",
        height=height,
    )
    fig.update_layout(barmode="group", yaxis={"ticksuffix": "%", "title": "% (of measured)"})
    return fig
