"""The Importance-Performance grid: importance up, performance across, four named quadrants.

:func:`ipa_figure` takes the ``scores`` (and optionally ``journey``) tables and returns one
``go.Figure`` with a phone variant. User text (ids, descriptions) is escaped with
:func:`~kit.figures.style.esc` and reaches hovers only through ``customdata`` — never inside a
``hovertemplate``. Every colour is paired with a second cue: quadrant names written in the grid,
star markers for moments of truth.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kit.analyses.scoring import (
    CATEGORIES,
    CONCENTRATE,
    KEEP_UP,
    LOW_PRIORITY,
    ON_LINE,
    ON_LINE_RULE,
    OVERKILL,
    Crosshair,
    ipa,
)
from kit.figures.labels import place_labels, text_size
from kit.figures.responsive import NARROWEST_WIDE, with_compact
from kit.figures.stages import add_layout_items
from kit.figures.style import PALETTE, empty_spec, esc, layout_defaults
from kit.figures.text import wrap, wrap_plain
from kit.formatting import number_text

__all__ = ["ON_LINE_STYLE", "QUADRANT_COLOURS", "ipa_figure", "ipa_spec"]

QUADRANT_COLOURS: dict[str, str] = {
    CONCENTRATE: PALETTE["vermillion"],
    KEEP_UP: PALETTE["green"],
    LOW_PRIORITY: PALETTE["grey"],
    OVERKILL: PALETTE["sky"],
    ON_LINE: "white",
}
_LOW, _HIGH = 0.5, 5.5


def ipa_figure(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    crosshair: Crosshair = "midpoint",
    title: str | None = "Importance–Performance Analysis",
) -> go.Figure:
    """The Importance-Performance grid: importance up, performance across, four named quadrants.

    Each quadrant is shaded and named in its outer corner (Martilla & James); dashed crosshair
    lines sit where :func:`kit.analyses.scoring.ipa` puts them. A touchpoint exactly on a line is in no
    quadrant: it is drawn white with a black rim and listed as "On the line" (the rule is
    written under the chart, :data:`kit.analyses.scoring.ON_LINE_RULE`). Touchpoints with the same medians
    share one marker labelled with all their ids; a star marks a moment of truth and a ``?``
    after a label means the scorers disagree by 2 points or more. Labels are placed where they
    touch no line, marker or other label (:func:`kit.figures.labels.place_labels`); a point with
    no free spot is named in a note instead (its hover still says everything). A compact
    variant for phones rides along (:mod:`kit.figures.responsive`).

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table (descriptions and moments of truth).
    crosshair : {"midpoint", "mean"}
        Where the lines go (see :func:`kit.analyses.scoring.ipa`).
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    go.Figure
        Per category (:data:`kit.analyses.scoring.CATEGORIES`), a marker trace of its touchpoints
        (``legendgroup`` = the category's name, hidden from the legend) and a legend-only
        marker of the same name; then legend-only "Moment of truth" stars. An empty table
        gives a figure saying "No scores yet".

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a", "b", "c"], "scorer": ["Ann"] * 3,
    ...                   "importance": [5, 2, 3], "performance": [2, 5, 3]})
    >>> fig = ipa_figure(s)
    >>> [t.name for t in fig.data if t.showlegend is not False][:4]
    ['Concentrate here', 'Keep up the good work', 'Low priority', 'Possible overkill']
    >>> [t.name for t in fig.data if t.showlegend is not False][4:]
    ['On the line', 'Moment of truth']
    >>> [list(t.text) for t in fig.data if t.showlegend is False and len(t.x)]
    [['a'], ['b'], ['c']]
    """
    return go.Figure(ipa_spec(scores, journey, crosshair, title))


def ipa_spec(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    crosshair: Crosshair = "midpoint",
    title: str | None = "Importance–Performance Analysis",
) -> dict:
    """:func:`ipa_figure` as a plain plotly spec (``{"data": [...], "layout": {...}}``).

    Plain lists, dicts and numbers, exactly what plotly's validation of it gives back
    (``tests/test_figure_specs.py``): a report shows it as it is, and a live chart compares
    it with what it shows, both without plotly's figure objects.

    Parameters
    ----------
    scores, journey, crosshair, title
        As for :func:`ipa_figure`.

    Returns
    -------
    dict

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a"], "scorer": ["Ann"],
    ...                   "importance": [5], "performance": [2]})
    >>> spec = ipa_spec(s)
    >>> [t["name"] for t in spec["data"]][:2], spec["data"][0]["text"]
    (['Concentrate here', 'Concentrate here'], ['a'])
    """
    table = ipa(scores, journey, crosshair)
    table = table[table["quadrant"].notna()]
    if table.empty:
        return empty_spec("No scores yet", title)
    points = _ipa_points(table)
    wide = _ipa_build(table, points, crosshair, title, compact=False)
    return with_compact(wide, _ipa_build(table, points, crosshair, title, compact=True))


# Geometry of the two variants: (figure width assumed, height, margins l, r, t, b).
_IPA_WIDE = (NARROWEST_WIDE, 660, 70, 20, 80, 180)
_IPA_COMPACT = (330, 900, 48, 8, 60, 460)
_BAND = {False: 0.35, True: 0.6}
"""Room above and below the 1-5 grid (data units) where the quadrant names sit, clear of points."""
ON_LINE_STYLE = {"color": "white", "line": {"width": 2.5, "color": PALETTE["black"]}}


def _ipa_points(table: pd.DataFrame) -> list[dict]:
    points = []
    for (performance, importance), group in table.groupby(["performance", "importance"], sort=True):
        ids = [esc(tp) for tp in group["touchpoint_id"]]
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
                "ids": ids,
                "disagree": bool(group["disagreement"].any()),
                "quadrant": group["quadrant"].iloc[0],
                "symbol": "star" if group["moment_of_truth"].any() else "circle",
                "custom": [
                    details,
                    number_text(float(importance), 2),
                    number_text(float(performance), 2),
                    number_text(float(importance) - float(performance), 2),
                    esc(group["quadrant"].iloc[0]),
                ],
            }
        )
    return points


def _ipa_build(
    table: pd.DataFrame,
    points: list[dict],
    crosshair: Crosshair,
    title: str | None,
    *,
    compact: bool,
) -> dict:
    line_importance = float(table["crosshair_importance"].iloc[0])
    line_performance = float(table["crosshair_performance"].iloc[0])
    width, height, left, right, top, bottom = _IPA_COMPACT if compact else _IPA_WIDE
    top = top if title else top - 30
    plot_w, plot_h = width - left - right, height - top - bottom
    font = 10 if compact else 11
    per_row = 2 if compact else 3

    y_low, y_high = _LOW - _BAND[compact], _HIGH + _BAND[compact]

    def px(x: float, y: float) -> tuple[float, float]:
        return ((x - _LOW) / (_HIGH - _LOW) * plot_w, (y_high - y) / (y_high - y_low) * plot_h)

    fig: dict = {"data": [], "layout": layout_defaults(title, height=height)}
    corners = {
        CONCENTRATE: (_LOW, line_performance, line_importance, y_high, "left", "top"),
        KEEP_UP: (line_performance, _HIGH, line_importance, y_high, "right", "top"),
        LOW_PRIORITY: (_LOW, line_performance, y_low, line_importance, "left", "bottom"),
        OVERKILL: (line_performance, _HIGH, y_low, line_importance, "right", "bottom"),
    }
    counts = table["quadrant"].value_counts()
    corner_size = 11 if compact else 13
    reserved = []
    shapes: list[dict] = []
    notes: list[dict] = []
    traces: list[dict] = []
    for name, (x0, x1, y0, y1, xanchor, yanchor) in corners.items():
        shapes.append(
            dict(
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
        )
        text = f"<b>{esc(name)}</b> ({int(counts.get(name, 0))})"
        if compact and len(name) > 14:
            words = esc(name).split(" ")
            half = (len(words) + 1) // 2
            text = (
                f"<b>{' '.join(words[:half])}<br>{' '.join(words[half:])}</b> "
                f"({int(counts.get(name, 0))})"
            )
        x = x0 + 0.05 if xanchor == "left" else x1 - 0.05
        y = y1 - 0.05 if yanchor == "top" else y0 + 0.05
        notes.append(
            dict(
                x=x,
                y=y,
                xanchor=xanchor,
                yanchor=yanchor,
                text=text,
                showarrow=False,
                font={"size": corner_size},
            )
        )
        w, h = text_size(text, corner_size)
        cx, cy = px(x, y)
        left_px = cx if xanchor == "left" else cx - w
        top_px = cy if yanchor == "top" else cy - h
        reserved.append((left_px - 2, top_px - 2, left_px + w + 2, top_px + h + 2))
    for axis, value in (("x", line_performance), ("y", line_importance)):
        shapes.append(
            dict(
                type="line",
                opacity=1,
                x0=value if axis == "x" else _LOW,
                x1=value if axis == "x" else _HIGH,
                y0=value if axis == "y" else y_low,
                y1=value if axis == "y" else y_high,
                line={"color": PALETTE["black"], "width": 2, "dash": "dash"},
            )
        )
    add_layout_items(fig, shapes, notes)

    labels = []
    for p in points:
        ids = p["ids"]
        text = "<br>".join(", ".join(ids[i : i + per_row]) for i in range(0, len(ids), per_row))
        labels.append(text + (" ?" if p["disagree"] else ""))
    vx, hy = px(line_performance, line_importance)
    spots = place_labels(
        [
            (*px(p["x"], p["y"]), 9 if p["symbol"] == "star" else 7, label)
            for p, label in zip(points, labels, strict=True)
        ],
        width=plot_w,
        height=plot_h,
        font_size=font,
        vertical_lines=[vx],
        horizontal_lines=[hy],
        reserved=reserved,
    )
    for p, label, spot in zip(points, labels, spots, strict=True):
        p["label"], p["spot"] = (label, spot) if spot else ("", "top center")
    unlabelled = [p for p in points if not p["label"]]

    for name in CATEGORIES:
        part = [p for p in points if p["quadrant"] == name]
        style = (
            ON_LINE_STYLE
            if name == ON_LINE
            else {"color": QUADRANT_COLOURS[name], "line": {"width": 1, "color": PALETTE["black"]}}
        )
        traces.append(
            dict(
                type="scatter",
                name=name,
                x=[p["x"] for p in part],
                y=[p["y"] for p in part],
                mode="markers+text",
                text=[p["label"] for p in part],
                textposition=[p["spot"] for p in part],
                textfont={"size": font},
                marker={
                    "symbol": [p["symbol"] for p in part],
                    "size": [18 if p["symbol"] == "star" else 13 for p in part],
                }
                | style,
                customdata=[p["custom"] for p in part],
                hovertemplate=(
                    "%{customdata[0]}<br>importance %{customdata[1]} · performance "
                    "%{customdata[2]} · gap %{customdata[3]}<br>%{customdata[4]}<extra></extra>"
                ),
                legendgroup=name,
                showlegend=False,
                cliponaxis=False,
            )
        )
        # The legend shows a plain circle per category (a marker trace's legend would copy its
        # first point's symbol, which may be a moment-of-truth star).
        n = int(counts.get(name, 0))
        traces.append(
            dict(
                type="scatter",
                name=name,
                x=[None],
                y=[None],
                mode="markers",
                marker={"symbol": "circle", "size": 13} | style,
                legendgroup=name,
                hoverinfo="skip",
                visible=True if name != ON_LINE or n else "legendonly",
            )
        )
    traces.append(
        dict(
            type="scatter",
            name="Moment of truth",
            x=[None],
            y=[None],
            mode="markers",
            marker={
                "symbol": "star",
                "size": 16,
                "color": PALETTE["grey"],
                "line": {"width": 1, "color": PALETTE["black"]},
            },
            hoverinfo="skip",
        )
    )
    fig["data"] = traces
    where = (
        "the scale's midpoint, 3"
        if crosshair == "midpoint"
        else f"the means: importance {line_importance:.2f}, performance {line_performance:.2f}"
    )
    notes = [
        f"Dashed lines at {esc(where)}.",
        "? after a label: its scorers disagree by 2 points or more.",
        esc(ON_LINE_RULE),
    ]
    if unlabelled:
        notes.append(
            "No room to label: "
            + "; ".join(
                f"{', '.join(p['ids'])} (importance {number_text(p['y'], 2)}, "
                f"performance {number_text(p['x'], 2)})"
                for p in unlabelled
            )
            + "."
        )
    note_width = 50 if compact else 130
    note = "<br>".join(wrap_plain(n, note_width) for n in notes)
    axis = {
        "range": [_LOW, _HIGH],
        "tickvals": [1, 2, 3, 4, 5],
        "showgrid": False,
        "zeroline": False,
        "mirror": True,
    }
    fig["layout"].update(
        xaxis=axis
        | {
            "title": {
                "text": "Performance today (1–5)"
                if compact
                else "Performance today (median of scorers, 1–5)",
                "standoff": 4,
            }
        },
        yaxis=axis
        | {
            "range": [y_low, y_high],
            "title": {
                "text": "Importance (1–5)"
                if compact
                else "Importance to the customer (median, 1–5)",
                "standoff": 4,
            },
        },
        legend={
            "orientation": "h",
            "x": 0,
            "y": -0.15,
            "yanchor": "top",
            "font": {"size": 11 if compact else 12},
            "title": {"text": note, "side": "top", "font": {"size": 10 if compact else 11}},
        },
        margin={"l": left, "r": right, "t": top, "b": bottom},
        hovermode="closest",
    )
    return fig
