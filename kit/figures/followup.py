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
from kit.figures.style import PALETTE, empty_spec, esc, layout_defaults
from kit.formatting import shorten

__all__ = [
    "STATUS_COLOURS",
    "STATUS_SYMBOLS",
    "action_chart",
    "action_chart_spec",
    "kinds_chart",
    "kinds_chart_spec",
    "progress_bars",
    "progress_bars_spec",
    "progress_over_time",
    "progress_over_time_spec",
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


def _day(value: dt.date) -> str:
    """A date as plotly writes it (``YYYY-MM-DD``)."""
    return value.isoformat()


def _vline(x: Any, line: dict[str, Any]) -> dict[str, Any]:
    """The shape of plotly's ``add_vline(x=…, line=…)``: across the plot's height."""
    return {
        "line": line,
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": "x",
        "y0": 0,
        "y1": 1,
        "yref": "y domain",
    }


def _hline(y: float, line: dict[str, Any]) -> dict[str, Any]:
    """The shape of plotly's ``add_hline(y=…, line=…)``: across the plot's width."""
    return {
        "line": line,
        "type": "line",
        "x0": 0,
        "x1": 1,
        "xref": "x domain",
        "y0": y,
        "y1": y,
        "yref": "y",
    }


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
        ``go.Figure(action_chart_spec(action, results, height))``.

    Examples
    --------
    >>> a = {"action_id": "A1", "action": "<b>Open</b> a desk", "metric": "wait (min)",
    ...      "baseline": 14.0, "target": 5.0, "due": "2026-03-31"}
    >>> r = pd.DataFrame({"action_id": ["A1"], "date": ["2026-03-01"], "value": [8.0]})
    >>> fig = action_chart(a, r)
    >>> [t.name for t in fig.data], "&lt;b&gt;" in fig.layout.title.text
    (['results', 'baseline', 'target'], True)
    """
    return go.Figure(action_chart_spec(action, results, height))


def action_chart_spec(
    action: dict[str, Any] | pd.Series, results: pd.DataFrame, height: int = 320
) -> dict[str, Any]:
    """:func:`action_chart` as a plain plotly spec (``{"data": [...], "layout": {...}}``).

    Plain lists, dicts, strings and numbers (dates as ``YYYY-MM-DD``), equal to what plotly's
    validation makes of it; a report shows it as it is.

    Examples
    --------
    >>> a = {"action_id": "A1", "action": "Open a desk", "metric": "wait (min)",
    ...      "baseline": 14.0, "target": 5.0, "due": "2026-03-31"}
    >>> r = pd.DataFrame({"action_id": ["A1"], "date": ["2026-03-01"], "value": [8.0]})
    >>> spec = action_chart_spec(a, r)
    >>> spec["data"][0]["x"], spec["layout"]["xaxis"]["range"]
    (['2026-03-01'], ['2026-02-22', '2026-04-07'])
    >>> due = spec["layout"]["shapes"][0]  # the due date, a line the plot's full height
    >>> due["x0"], due["x1"], due["yref"], (due["y0"], due["y1"])
    ('2026-03-31', '2026-03-31', 'y domain', (0, 1))
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
        return empty_spec("No results yet: add the first one above.", title, height=height)
    left, right = min(span), max(span)
    pad = max(dt.timedelta(days=7), (right - left) / 20)
    left, right = _day(left - pad), _day(right + pad)
    metric = esc(shorten(action.get("metric"), 32)) or "value"
    data: list[dict[str, Any]] = [
        {
            "hovertemplate": "%{x|%Y-%m-%d}: %{y}<extra></extra>",
            "line": {"color": PALETTE["blue"], "width": 3},
            "marker": {"size": 9},
            "mode": "lines+markers",
            "name": "results",
            "type": "scatter",
            "x": [_day(d) for d in dates],
            "y": [float(v) for v in mine["value"]],
        }
    ]
    for value, other, name, colour, dash in (
        (base, goal, "baseline", PALETTE["grey"], "dot"),
        (goal, base, "target", PALETTE["green"], "dash"),
    ):
        if not math.isnan(value):
            where = "bottom left" if not math.isnan(other) and value > other else "top left"
            data.append(
                {
                    "hovertemplate": f"{name}: {value:g}<extra></extra>",
                    "line": {"color": colour, "dash": dash, "width": 2},
                    "mode": "lines+text",
                    "name": name,
                    "text": ["", f"{name} {value:g}"],
                    "textposition": where,
                    "type": "scatter",
                    "x": [left, right],
                    "y": [value, value],
                }
            )
    layout = layout_defaults(title, height=height)
    if due is not None:
        layout["shapes"] = [_vline(_day(due), {"color": PALETTE["vermillion"], "dash": "dot"})]
        layout["annotations"] = [
            {
                "font": {"color": PALETTE["vermillion"]},
                "showarrow": False,
                "text": "due",
                "x": _day(due),
                "y": 1,
                "yanchor": "bottom",
                "yref": "paper",
            }
        ]
    layout.update(
        yaxis={"title": {"text": metric}},
        showlegend=False,
        xaxis={"type": "date", "tickformat": "%d %b\n%Y", "range": [left, right]},
        margin={"l": 70, "r": 30, "t": 60, "b": 40},
    )
    return {"data": data, "layout": layout}


def progress_over_time(
    plan: pd.DataFrame, results: pd.DataFrame, as_of: Any = None, height: int = 420
) -> go.Figure:
    """Every action's results as a share of the way from baseline (0%) to target (100%).

    ``go.Figure(progress_over_time_spec(plan, results, as_of, height))``.

    Examples
    --------
    >>> plan = pd.DataFrame({"action_id": ["A1", "A2"], "action": ["x", "y"],
    ...                      "baseline": [14.0, 60.0], "target": [5.0, 100.0]})
    >>> res = pd.DataFrame({"action_id": ["A1", "A2"], "date": ["2026-03-01", "2026-03-01"],
    ...                     "value": [8.0, 90.0]})
    >>> [round(y, 3) for t in progress_over_time(plan, res, "2026-04-01").data[:2] for y in t.y]
    [66.667, 75.0]
    """
    return go.Figure(progress_over_time_spec(plan, results, as_of, height))


def progress_over_time_spec(
    plan: pd.DataFrame, results: pd.DataFrame, as_of: Any = None, height: int = 420
) -> dict[str, Any]:
    """:func:`progress_over_time` as a plain plotly spec, equal to what validation makes of it.

    Examples
    --------
    >>> plan = pd.DataFrame({"action_id": ["A1"], "action": ["x"], "baseline": [14.0],
    ...                      "target": [5.0]})
    >>> res = pd.DataFrame({"action_id": ["A1"], "date": ["2026-03-01"], "value": [8.0]})
    >>> spec = progress_over_time_spec(plan, res, "2026-04-01")
    >>> spec["data"][0]["x"], [s["y0"] for s in spec["layout"]["shapes"]]
    (['2026-03-01'], [0, 100])
    """
    progress = plan_progress(plan, results, as_of)
    cutoff = as_date(as_of)
    data = []
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
        status = row["status"]
        data.append(
            {
                "customdata": [[float(p[2])] for p in points],
                "hovertemplate": (
                    f"{esc(row['action_id'])}<br>%{{x|%Y-%m-%d}}: %{{customdata[0]}} "
                    f"(%{{y:.0f}}% of the way)<extra></extra>"
                ),
                "marker": {"size": 9, "symbol": STATUS_SYMBOLS.get(status, "circle")},
                "mode": "lines+markers",
                "name": esc(f"{row['action_id']}: {shorten(row.get('action'), 30)}"),
                "type": "scatter",
                "x": [_day(p[0]) for p in points],
                "y": [float(p[1]) for p in points],
            }
        )
    if not data:
        return empty_spec(
            "No results against a baseline and target yet.", "Results over time", height=360
        )
    layout = layout_defaults(
        "Results over time: share of the way from baseline to target", height=height
    )
    layout["shapes"] = [
        _hline(0, {"color": PALETTE["grey"], "dash": "dot"}),
        _hline(100, {"color": PALETTE["green"], "dash": "dash"}),
    ]
    layout["annotations"] = [
        {
            "showarrow": False,
            "text": name,
            "x": 0,
            "xanchor": "left",
            "xref": "x domain",
            "y": y,
            "yanchor": anchor,
            "yref": "y",
        }
        for name, y, anchor in (("baseline", 0, "top"), ("target", 100, "bottom"))
    ]
    layout.update(
        yaxis={"title": {"text": "% of the way to target"}, "ticksuffix": "%"},
        xaxis={"type": "date"},
        legend={"font": {"size": 11}},
    )
    return {"data": data, "layout": layout}


def progress_bars(progress: pd.DataFrame, height: int | None = None) -> go.Figure:
    """Latest progress of each action (from :func:`kit.analyses.followup.plan_progress`), status beside it.

    Bars are clipped to -50%…150% (the label shows the true share). Each label is written to
    the right of its bar's end, or of zero for a bar going the wrong way, so it never runs left
    onto the actions' names. ``go.Figure(progress_bars_spec(progress, height))``.

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
    return go.Figure(progress_bars_spec(progress, height))


def progress_bars_spec(progress: pd.DataFrame, height: int | None = None) -> dict[str, Any]:
    """:func:`progress_bars` as a plain plotly spec, equal to what validation makes of it.

    Examples
    --------
    >>> p = pd.DataFrame({"action_id": ["A1"], "action": ["x"], "progress": [2.0],
    ...                   "status": ["target met"]})
    >>> spec = progress_bars_spec(p)
    >>> spec["data"][0]["x"], spec["data"][1]["text"], spec["layout"]["height"]
    ([150.0], ['200% · target met'], 156)
    """
    if progress.empty:
        return empty_spec("No actions in the plan yet.", "Progress", height=300)
    labels = [
        esc(f"{r['action_id']}: {shorten(r.get('action'), 36)}")
        for r in progress.to_dict("records")
    ]
    shares = [float(s) if not pd.isna(s) else math.nan for s in progress["progress"]]
    x = [0.0 if math.isnan(s) else float(max(-50.0, min(150.0, 100 * s))) for s in shares]
    text = [
        (f"{round(100 * s)}% · " if not math.isnan(s) else "") + str(st)
        for s, st in zip(shares, progress["status"], strict=True)
    ]
    colours = [STATUS_COLOURS.get(s, PALETTE["grey"]) for s in progress["status"]]
    data = [
        {
            "hoverinfo": "text",
            "hovertext": text,
            "marker": {"color": colours},
            "orientation": "h",
            "showlegend": False,
            "type": "bar",
            "x": x,
            "y": labels,
        },
        {
            "cliponaxis": False,
            "hoverinfo": "skip",
            "mode": "text",
            "showlegend": False,
            "text": text,
            "textposition": "middle right",
            "type": "scatter",
            "x": [max(0.0, v) for v in x],
            "y": labels,
        },
    ]
    layout = layout_defaults("Progress towards target", height=height or 120 + 36 * len(progress))
    layout["shapes"] = [_vline(100, {"color": PALETTE["green"], "dash": "dash"})]
    layout.update(
        xaxis={
            "range": [-55, 190],
            "ticksuffix": "%",
            "title": {"text": "% of the way from baseline to target"},
        },
        yaxis={"autorange": "reversed"},
    )
    layout["margin"] = {**layout["margin"], "l": 260}
    return {"data": data, "layout": layout}


def kinds_chart(kinds: dict[str, dict[str, Any]], height: int = 360) -> go.Figure:
    """Share of measured actions that met their target, and median progress, per be/do/have.

    ``go.Figure(kinds_chart_spec(kinds, height))``.

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
    return go.Figure(kinds_chart_spec(kinds, height))


def kinds_chart_spec(kinds: dict[str, dict[str, Any]], height: int = 360) -> dict[str, Any]:
    """:func:`kinds_chart` as a plain plotly spec, equal to what validation makes of it.

    Examples
    --------
    >>> k = {"have": {"measured": 4, "met": 3, "met_share": 0.75, "median_progress": 1.1}}
    >>> [t["text"] for t in kinds_chart_spec(k)["data"]]
    [['75%'], ['110%']]
    """
    from kit.figures.style import KIND_COLOURS

    names = list(kinds)
    met = [100.0 * float(kinds[k]["met_share"] or 0) for k in names]
    median = [100.0 * float(kinds[k]["median_progress"] or 0) for k in names]
    labels = [f"{k} ({kinds[k]['measured']} measured)" for k in names]
    data = [
        {
            "marker": {"color": [KIND_COLOURS.get(k, PALETTE["grey"]) for k in names]},
            "name": "met their target",
            "text": [f"{round(v)}%" for v in met],
            "textposition": "outside",
            "type": "bar",
            "x": labels,
            "y": met,
        },
        {
            "marker": {"color": "white", "line": {"color": PALETTE["black"], "width": 1.5}},
            "name": "median progress",
            "text": [f"{round(v)}%" for v in median],
            "textposition": "outside",
            "type": "bar",
            "x": labels,
            "y": median,
        },
    ]
    layout = layout_defaults("Which kind of action works best", height=height)
    layout.update(barmode="group", yaxis={"ticksuffix": "%", "title": {"text": "% (of measured)"}})
    return {"data": data, "layout": layout}
