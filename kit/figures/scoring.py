"""Scoring figures: the Importance-Performance grid, the be/do/have heatmap, the priority bars.

Each function takes the workbook tables and returns one ``go.Figure``. User text (ids,
descriptions) is escaped with :func:`~kit.figures.style.esc` and reaches hovers only through
``customdata`` — never inside a ``hovertemplate``. Every colour is paired with a second cue:
quadrant names written in the grid, star markers for moments of truth, numbers in heatmap cells,
hatching on moment-of-truth bars.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kit.figures.journey import wrap
from kit.figures.style import KIND_COLOURS, PALETTE, empty_figure, esc, new_figure
from kit.scoring import (
    CONCENTRATE,
    KEEP_UP,
    LOW_PRIORITY,
    MOT_WEIGHT,
    OVERKILL,
    QUADRANTS,
    Crosshair,
    in_top_k,
    ipa,
    priority_ranking,
    touchpoint_summary,
)

QUADRANT_COLOURS: dict[str, str] = {
    CONCENTRATE: PALETTE["vermillion"],
    KEEP_UP: PALETTE["green"],
    LOW_PRIORITY: PALETTE["grey"],
    OVERKILL: PALETTE["sky"],
}
KIND_LABELS: dict[str, str] = {
    kind: f"<b><span style='color:{KIND_COLOURS[kind]}'>{kind.upper()}</span></b><br>{words}"
    for kind, words in (
        ("be", "(mindset)"),
        ("do", "(skills, processes)"),
        ("have", "(tools, info, authority)"),
    )
}
_LOW, _HIGH = 0.5, 5.5
_READINESS_SCALE = [[0.0, "#E3EEF9"], [0.5, "#8DBCE0"], [1.0, "#08306B"]]
"""Light to dark blue (monotone in greyscale); the lightest is still tinted, so a score of 1 is
not mistaken for an unscored (white) cell."""


def _fmt(value: float) -> str:
    """``4.0`` -> ``"4"``, ``3.5`` -> ``"3.5"``, ``11.25`` -> ``"11.25"`` (at most 2 decimals)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# --------------------------------------------------------------------------- IPA


def ipa_figure(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    crosshair: Crosshair = "midpoint",
    title: str | None = "Importance–Performance Analysis",
) -> go.Figure:
    """The Importance-Performance grid: importance up, performance across, four named quadrants.

    Each quadrant is shaded and named in its outer corner (Martilla & James); dashed crosshair
    lines sit where :func:`kit.scoring.ipa` puts them. Touchpoints with the same medians share
    one marker labelled with all their ids; a star marks a moment of truth and a ``?`` after a
    label means the scorers disagree by 2 points or more.

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table (descriptions and moments of truth).
    crosshair : {"midpoint", "mean"}
        Where the lines go (see :func:`kit.scoring.ipa`).
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    go.Figure
        Per quadrant, a marker trace of its touchpoints (``legendgroup`` = the quadrant's name,
        hidden from the legend) and a legend-only circle of the same name; then a legend-only
        "Moment of truth" star. An empty table gives a figure saying "No scores yet".

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a", "b"], "scorer": ["Ann", "Ann"],
    ...                   "importance": [5, 2], "performance": [2, 5]})
    >>> fig = ipa_figure(s)
    >>> [t.name for t in fig.data if t.showlegend is not False]
    ['Concentrate here', 'Keep up the good work', 'Low priority', 'Possible overkill', 'Moment of truth']
    >>> [list(t.text) for t in fig.data if t.showlegend is False and len(t.x)]
    [['a'], ['b']]
    """
    table = ipa(scores, journey, crosshair)
    table = table[table["quadrant"].notna()]
    if table.empty:
        return empty_figure("No scores yet", title)
    line_importance = float(table["crosshair_importance"].iloc[0])
    line_performance = float(table["crosshair_performance"].iloc[0])
    fig = new_figure(None, title, height=620)
    corners = {
        CONCENTRATE: (_LOW, line_performance, line_importance, _HIGH, "left", "top"),
        KEEP_UP: (line_performance, _HIGH, line_importance, _HIGH, "right", "top"),
        LOW_PRIORITY: (_LOW, line_performance, _LOW, line_importance, "left", "bottom"),
        OVERKILL: (line_performance, _HIGH, _LOW, line_importance, "right", "bottom"),
    }
    counts = table["quadrant"].value_counts()
    for name, (x0, x1, y0, y1, xanchor, yanchor) in corners.items():
        fig.add_shape(
            type="rect",
            x0=x0,
            x1=x1,
            y0=y0,
            y1=y1,
            fillcolor=QUADRANT_COLOURS[name],
            opacity=0.13,
            line={"width": 0},
            layer="below",
        )
        fig.add_annotation(
            x=x0 + 0.05 if xanchor == "left" else x1 - 0.05,
            y=y1 - 0.05 if yanchor == "top" else y0 + 0.05,
            xanchor=xanchor,
            yanchor=yanchor,
            text=f"<b>{esc(name)}</b> ({int(counts.get(name, 0))})",
            showarrow=False,
            font={"size": 13},
        )
    for axis, value in (("x", line_performance), ("y", line_importance)):
        fig.add_shape(
            type="line",
            opacity=1,
            x0=value if axis == "x" else _LOW,
            x1=value if axis == "x" else _HIGH,
            y0=value if axis == "y" else _LOW,
            y1=value if axis == "y" else _HIGH,
            line={"color": PALETTE["black"], "width": 2, "dash": "dash"},
        )
    where = (
        "scale midpoint 3"
        if crosshair == "midpoint"
        else f"means: importance {line_importance:.2f}, performance {line_performance:.2f}"
    )
    fig.add_annotation(
        x=line_performance,
        y=_HIGH,
        yanchor="bottom",
        text=f"<i>crosshair: {esc(where)}</i>",
        showarrow=False,
        font={"size": 10, "color": PALETTE["black"]},
        bgcolor="white",
    )

    groups = table.groupby(["performance", "importance"], sort=True)
    points = []
    for (performance, importance), group in groups:
        ids = [esc(tp) for tp in group["touchpoint_id"]]
        lines = [", ".join(ids[i : i + 3]) for i in range(0, len(ids), 3)]
        label = "<br>".join(lines) + (" ?" if group["disagreement"].any() else "")
        details = "<br>".join(
            f"{esc(tp)}: {wrap(d, 50, 1)}"
            + (" ★" if m else "")
            + (" (scorers disagree)" if g else "")
            for tp, d, m, g in zip(
                group["touchpoint_id"],
                group["description"],
                group["moment_of_truth"],
                group["disagreement"],
                strict=True,
            )
        )
        points.append(
            {
                "x": float(performance),
                "y": float(importance),
                "quadrant": group["quadrant"].iloc[0],
                "label": label,
                "symbol": "star" if group["moment_of_truth"].any() else "circle",
                "custom": [
                    details,
                    _fmt(float(importance)),
                    _fmt(float(performance)),
                    _fmt(float(importance) - float(performance)),
                    esc(group["quadrant"].iloc[0]),
                ],
            }
        )
    for name in QUADRANTS:
        part = [p for p in points if p["quadrant"] == name]
        fig.add_trace(
            go.Scatter(
                name=name,
                x=[p["x"] for p in part],
                y=[p["y"] for p in part],
                mode="markers+text",
                text=[p["label"] for p in part],
                textposition="top center",
                textfont={"size": 11},
                marker={
                    "symbol": [p["symbol"] for p in part],
                    "size": [18 if p["symbol"] == "star" else 13 for p in part],
                    "color": QUADRANT_COLOURS[name],
                    "line": {"width": 1, "color": PALETTE["black"]},
                },
                customdata=[p["custom"] for p in part],
                hovertemplate=(
                    "%{customdata[0]}<br>importance %{customdata[1]} · performance "
                    "%{customdata[2]} · gap %{customdata[3]}<br>%{customdata[4]}<extra></extra>"
                ),
                legendgroup=name,
                showlegend=False,
            )
        )
        # The legend shows a plain circle per quadrant (a marker trace's legend would copy its
        # first point's symbol, which may be a moment-of-truth star).
        fig.add_trace(
            go.Scatter(
                name=name,
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "circle", "size": 13, "color": QUADRANT_COLOURS[name]},
                legendgroup=name,
                hoverinfo="skip",
            )
        )
    fig.add_trace(
        go.Scatter(
            name="Moment of truth",
            x=[None],
            y=[None],
            mode="markers",
            marker={"symbol": "star", "size": 16, "color": PALETTE["black"]},
            hoverinfo="skip",
        )
    )
    axis = {
        "range": [_LOW, _HIGH],
        "tickvals": [1, 2, 3, 4, 5],
        "showgrid": False,
        "zeroline": False,
        "mirror": True,
    }
    fig.update_layout(
        xaxis=axis | {"title": "Performance today (median of scorers, 1–5)"},
        yaxis=axis | {"title": "Importance to the customer (median, 1–5)", "scaleanchor": None},
        # The key to the "?" mark is the legend's title, on its own line above the entries, so
        # the two never collide however narrow the page and however the entries wrap.
        legend={"orientation": "h", "x": 0, "y": -0.14, "yanchor": "top",
                "title": {"text": "? after a label: its scorers disagree by 2 points or more",
                          "side": "top", "font": {"size": 11}}},
        margin={"b": 130, "t": 80 if title else 50},
        hovermode="closest",
    )
    return fig


# --------------------------------------------------------------------------- readiness


def readiness_heatmap(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    title: str | None = "Readiness: what employees are, do and have",
) -> go.Figure:
    """Be/do/have readiness per touchpoint (mean of scorers, 1-5), numbers written in the cells.

    Rows follow the journey; darker is readier; each row's weakest kind is marked ``▼`` (ties:
    be before do before have), so the figure reads in greyscale.

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table (order and descriptions).
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    go.Figure
        One heatmap trace named "Readiness"; no readiness scores give a figure saying "No
        readiness scores yet".

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a"], "scorer": ["Ann"], "importance": [4],
    ...                   "performance": [3], "be": [4], "do": [2], "have": [None]})
    >>> list(readiness_heatmap(s).data[0].text[0])
    ['4', '▼ 2', '–']
    """
    summary = touchpoint_summary(scores, journey)
    summary = summary[summary["readiness"].notna()].reset_index(drop=True)
    if summary.empty:
        return empty_figure("No readiness scores yet", title)
    kinds = ["be", "do", "have"]
    z, text, custom = [], [], []
    for row in summary.itertuples(index=False):
        values = [getattr(row, kind) for kind in kinds]
        z.append([None if pd.isna(v) else float(v) for v in values])
        text.append(
            [
                "–"
                if pd.isna(v)
                else ("▼ " if kind == row.weakest else "") + _fmt(round(float(v), 1))
                for kind, v in zip(kinds, values, strict=True)
            ]
        )
        custom.append(
            [
                [
                    esc(row.touchpoint_id),
                    wrap(row.description, 50, 2),
                    kind.upper(),
                    "not scored" if pd.isna(v) else f"{float(v):.2f}",
                    str(int(row.scorers)),
                ]
                for kind, v in zip(kinds, values, strict=True)
            ]
        )
    labels = [
        f"<b>{esc(row.touchpoint_id)}</b> " + wrap(row.description, 34, 1)
        for row in summary.itertuples(index=False)
    ]
    fig = new_figure(
        go.Heatmap(
            name="Readiness",
            z=z,
            x=[KIND_LABELS[k] for k in kinds],
            y=list(range(len(summary))),
            zmin=1,
            zmax=5,
            colorscale=_READINESS_SCALE,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 13},
            customdata=custom,
            hovertemplate=(
                "<b>%{customdata[0]}</b> %{customdata[1]}<br>%{customdata[2]}: "
                "%{customdata[3]} (mean of %{customdata[4]} scorers)<extra></extra>"
            ),
            xgap=3,
            ygap=3,
            colorbar={"title": {"text": "ready<br>(1–5)"}, "tickvals": [1, 2, 3, 4, 5]},
        ),
        title,
        height=max(300, 130 + 34 * len(summary)),
    )
    fig.update_layout(
        xaxis={"side": "top", "showline": False, "ticks": "", "tickfont": {"size": 12}},
        yaxis={
            "tickmode": "array",
            "tickvals": list(range(len(summary))),
            "ticktext": labels,
            "autorange": "reversed",
            "showline": False,
            "ticks": "",
        },
        margin={"t": 130 if title else 90, "l": 260, "b": 40},
    )
    fig.add_annotation(
        text="▼ weakest of be / do / have · – not scored",
        xref="paper",
        yref="paper",
        x=0,
        y=-0.02,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 11},
    )
    return fig


# --------------------------------------------------------------------------- priorities


def priority_chart(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    mot_weight: float = MOT_WEIGHT,
    k: int = 3,
    top: int | None = None,
    title: str | None = "Priorities to act on",
) -> go.Figure:
    """Horizontal bars of :func:`kit.scoring.priority_ranking`, rank 1 at the top.

    Moments of truth are vermillion **and hatched**; the top ``k`` with a gap are labelled in bold
    and separated from the rest by a dotted line ("act on first"); zero-priority touchpoints say
    "no gap".

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table (moments of truth, order, descriptions).
    mot_weight : float
        Multiplier for moments of truth (default 1.5).
    k : int
        How many to mark as "act on first" (default 3).
    top : int, optional
        Show only the first ``top`` touchpoints (default: all).
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    go.Figure
        Bar traces "Moment of truth" and "Other touchpoint"; an empty table gives a figure saying
        "No scores yet".

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a", "b"], "scorer": ["Ann", "Ann"],
    ...                   "importance": [5, 3], "performance": [2, 4]})
    >>> fig = priority_chart(s)
    >>> [t.name for t in fig.data], list(fig.data[1].x)
    (['Moment of truth', 'Other touchpoint'], [15.0, 0.0])
    """
    ranking = priority_ranking(scores, journey, mot_weight)
    if top is not None:
        ranking = ranking.head(max(int(top), 0))
    if ranking.empty:
        return empty_figure("No scores yet", title)
    acted = in_top_k(ranking, k)
    labels = []
    for row, act in zip(ranking.itertuples(index=False), acted, strict=True):
        label = f"{int(row.rank)}. {esc(row.touchpoint_id)} · {wrap(row.description, 30, 1)}"
        labels.append(f"<b>{label}</b>" if act else label)
    fig = new_figure(None, title, height=max(300, 140 + 30 * len(ranking)))
    for mot, name in ((True, "Moment of truth"), (False, "Other touchpoint")):
        part = ranking[ranking["moment_of_truth"].astype(bool) == mot]
        colour = PALETTE["vermillion"] if mot else PALETTE["blue"]
        fig.add_trace(
            go.Bar(
                name=name,
                orientation="h",
                x=[float(p) for p in part["priority"]],
                y=[int(r) for r in part["rank"]],
                text=[_fmt(float(p)) if p > 0 else "0 · no gap" for p in part["priority"]],
                textposition="outside",
                cliponaxis=False,
                marker={
                    "color": colour,
                    "line": {"color": PALETTE["black"], "width": 1},
                    "pattern": {
                        "shape": "/" if mot else "",
                        "fgcolor": "white",
                        "size": 8,
                        "solidity": 0.3,
                    },
                },
                customdata=[
                    [
                        esc(row.touchpoint_id),
                        wrap(row.description, 50, 2),
                        _fmt(float(row.importance)),
                        _fmt(float(row.performance)),
                        _fmt(float(row.gap)),
                        _fmt(float(row.weight)),
                        _fmt(round(float(row.priority), 2)),
                    ]
                    for row in part.itertuples(index=False)
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b> %{customdata[1]}<br>max(gap %{customdata[4]}, 0)"
                    " × importance %{customdata[2]} × weight %{customdata[5]} = "
                    "<b>%{customdata[6]}</b><br>performance %{customdata[3]}<extra></extra>"
                ),
            )
        )
    shown = int(sum(acted))
    if shown and shown < len(ranking):
        fig.add_shape(
            type="line",
            opacity=1,
            xref="paper",
            x0=0,
            x1=1,
            y0=shown + 0.5,
            y1=shown + 0.5,
            line={"color": PALETTE["black"], "width": 1.5, "dash": "dot"},
        )
        fig.add_annotation(
            text=f"<i>↑ top {shown} to act on first</i>",
            xref="paper",
            x=1,
            y=shown + 0.5,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            font={"size": 11},
        )
    highest = float(ranking["priority"].max())
    fig.update_layout(
        barmode="overlay",
        bargap=0.25,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        margin={"l": 280, "r": 60, "t": 100 if title else 60},
        xaxis={
            "title": f"priority = max(gap, 0) × importance × {_fmt(float(mot_weight))} at a "
            "moment of truth",
            "range": [0, max(highest, 1.0) * 1.15],
            "showgrid": True,
            "gridcolor": "#E5E5E5",
        },
        yaxis={
            "tickmode": "array",
            "tickvals": [int(r) for r in ranking["rank"]],
            "ticktext": labels,
            "autorange": "reversed",
            "ticks": "",
        },
    )
    return fig
