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
from kit.figures.labels import place_labels, text_size
from kit.figures.responsive import with_compact
from kit.figures.style import KIND_COLOURS, PALETTE, empty_figure, esc, new_figure
from kit.formatting import number_text
from kit.scoring import (
    CATEGORIES,
    CONCENTRATE,
    KEEP_UP,
    LOW_PRIORITY,
    MOT_WEIGHT,
    ON_LINE,
    ON_LINE_RULE,
    OVERKILL,
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
    ON_LINE: "white",
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
    return number_text(value, 2)


# --------------------------------------------------------------------------- IPA


def ipa_figure(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    crosshair: Crosshair = "midpoint",
    title: str | None = "Importance–Performance Analysis",
) -> go.Figure:
    """The Importance-Performance grid: importance up, performance across, four named quadrants.

    Each quadrant is shaded and named in its outer corner (Martilla & James); dashed crosshair
    lines sit where :func:`kit.scoring.ipa` puts them. A touchpoint exactly on a line is in no
    quadrant: it is drawn white with a black rim and listed as "On the line" (the rule is
    written under the chart, :data:`kit.scoring.ON_LINE_RULE`). Touchpoints with the same medians
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
        Where the lines go (see :func:`kit.scoring.ipa`).
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    go.Figure
        Per category (:data:`kit.scoring.CATEGORIES`), a marker trace of its touchpoints
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
    table = ipa(scores, journey, crosshair)
    table = table[table["quadrant"].notna()]
    if table.empty:
        return empty_figure("No scores yet", title)
    points = _ipa_points(table)
    wide = _ipa_build(table, points, crosshair, title, compact=False)
    return with_compact(wide, _ipa_build(table, points, crosshair, title, compact=True))


# Geometry of the two variants: (figure width assumed, height, margins l, r, t, b).
_IPA_WIDE = (860, 660, 70, 20, 80, 180)
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
                    _fmt(float(importance)),
                    _fmt(float(performance)),
                    _fmt(float(importance) - float(performance)),
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
) -> go.Figure:
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

    fig = new_figure(None, title, height=height)
    corners = {
        CONCENTRATE: (_LOW, line_performance, line_importance, y_high, "left", "top"),
        KEEP_UP: (line_performance, _HIGH, line_importance, y_high, "right", "top"),
        LOW_PRIORITY: (_LOW, line_performance, y_low, line_importance, "left", "bottom"),
        OVERKILL: (line_performance, _HIGH, y_low, line_importance, "right", "bottom"),
    }
    counts = table["quadrant"].value_counts()
    corner_size = 11 if compact else 13
    reserved = []
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
        fig.add_annotation(
            x=x,
            y=y,
            xanchor=xanchor,
            yanchor=yanchor,
            text=text,
            showarrow=False,
            font={"size": corner_size},
        )
        w, h = text_size(text, corner_size)
        cx, cy = px(x, y)
        left_px = cx if xanchor == "left" else cx - w
        top_px = cy if yanchor == "top" else cy - h
        reserved.append((left_px - 2, top_px - 2, left_px + w + 2, top_px + h + 2))
    for axis, value in (("x", line_performance), ("y", line_importance)):
        fig.add_shape(
            type="line",
            opacity=1,
            x0=value if axis == "x" else _LOW,
            x1=value if axis == "x" else _HIGH,
            y0=value if axis == "y" else y_low,
            y1=value if axis == "y" else y_high,
            line={"color": PALETTE["black"], "width": 2, "dash": "dash"},
        )

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
        fig.add_trace(
            go.Scatter(
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
        fig.add_trace(
            go.Scatter(
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
    fig.add_trace(
        go.Scatter(
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
                f"{', '.join(p['ids'])} (importance {_fmt(p['y'])}, performance {_fmt(p['x'])})"
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
    fig.update_layout(
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


def wrap_plain(text: str, width: int) -> str:
    """Break already-escaped text into ``<br>``-joined lines of at most ``width`` characters.

    Examples
    --------
    >>> wrap_plain("one two three four", 9)
    'one two<br>three<br>four'
    """
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


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
    wide = _readiness_build(summary, z, text, custom, title, compact=False)
    return with_compact(wide, _readiness_build(summary, z, text, custom, title, compact=True))


def _readiness_build(
    summary: pd.DataFrame, z: list, text: list, custom: list, title: str | None, *, compact: bool
) -> go.Figure:
    kinds = ["be", "do", "have"]
    labels = [
        f"<b>{esc(row.touchpoint_id)}</b> "
        + (wrap(row.description, 12, 1) if compact else wrap(row.description, 34, 1))
        for row in summary.itertuples(index=False)
    ]
    # On a phone the three columns keep their words short: BE / DO / HAVE, key in the note.
    columns = (
        [f"<b><span style='color:{KIND_COLOURS[k]}'>{k.upper()}</span></b>" for k in kinds]
        if compact
        else [KIND_LABELS[k] for k in kinds]
    )
    fig = new_figure(
        go.Heatmap(
            name="Readiness",
            z=z,
            x=columns,
            y=list(range(len(summary))),
            zmin=1,
            zmax=5,
            colorscale=_READINESS_SCALE,
            text=text,
            texttemplate="%{text}",
            textfont={"size": 12 if compact else 13},
            customdata=custom,
            hovertemplate=(
                "<b>%{customdata[0]}</b> %{customdata[1]}<br>%{customdata[2]}: "
                "%{customdata[3]} (mean of %{customdata[4]} scorers)<extra></extra>"
            ),
            xgap=3,
            ygap=3,
            showscale=not compact,
            colorbar={"title": {"text": "ready<br>(1–5)"}, "tickvals": [1, 2, 3, 4, 5]},
        ),
        title,
        height=max(300, (170 if compact else 130) + 34 * len(summary)),
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
        margin={
            "t": (110 if compact else 130) if title else 90,
            "l": 130 if compact else 260,
            "r": 10 if compact else 30,
            "b": 70 if compact else 40,
        },
    )
    note = "▼ weakest of be / do / have · – not scored"
    if compact:
        note = (
            "▼ weakest · – not scored · darker = readier<br>be = mindset, do = skills, have = tools"
        )
    fig.add_annotation(
        text=note,
        xref="paper",
        yref="paper",
        x=0,
        y=-0.02,
        xanchor="left",
        yanchor="top",
        showarrow=False,
        font={"size": 11 if not compact else 10},
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

    Moments of truth stand out: solid vermillion bars with a heavy outline and a ★ before their
    label; other touchpoints are lighter blue. The top ``k`` with a gap are labelled in bold and
    separated from the rest by a dotted line ("act on first"). Touchpoints with no gap
    (priority 0) are not drawn one by one: they share one last row naming them. The axis title
    is plain language; the formula is in a note under it. A compact variant for phones rides
    along (:mod:`kit.figures.responsive`).

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
        Bar traces "Moment of truth" and "Other touchpoint" (touchpoints with a gap), then a
        text trace "No gap" for the shared last row when any touchpoint has none; an empty
        table gives a figure saying "No scores yet".

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a", "b", "c"], "scorer": ["Ann"] * 3,
    ...                   "importance": [5, 3, 2], "performance": [2, 4, 2]})
    >>> fig = priority_chart(s)
    >>> [t.name for t in fig.data], list(fig.data[1].x)
    (['Moment of truth', 'Other touchpoint', 'No gap'], [15.0])
    >>> list(fig.layout.yaxis.ticktext)[-1]
    'no gap (2)'
    """
    ranking = priority_ranking(scores, journey, mot_weight)
    if top is not None:
        ranking = ranking.head(max(int(top), 0))
    if ranking.empty:
        return empty_figure("No scores yet", title)
    wide = _priority_build(ranking, mot_weight, k, title, compact=False)
    return with_compact(wide, _priority_build(ranking, mot_weight, k, title, compact=True))


def _priority_build(
    ranking: pd.DataFrame, mot_weight: float, k: int, title: str | None, *, compact: bool
) -> go.Figure:
    acted = in_top_k(ranking, k)
    gap_rows = ranking[ranking["priority"] > 0]
    none = ranking[ranking["priority"] <= 0]
    width = 14 if compact else 30
    labels = []
    for row, act in zip(gap_rows.itertuples(index=False), acted, strict=False):
        star = "★ " if bool(row.moment_of_truth) else ""
        label = (
            f"{star}{int(row.rank)}. {esc(row.touchpoint_id)}<br>{wrap(row.description, width, 1)}"
            if compact
            else f"{star}{int(row.rank)}. {esc(row.touchpoint_id)} · "
            f"{wrap(row.description, width, 1)}"
        )
        labels.append(f"<b>{label}</b>" if act else label)
    rows = len(gap_rows) + (1 if len(none) else 0)
    per_row = 44 if compact else 30
    fig = new_figure(None, title, height=max(300, (190 if compact else 150) + per_row * rows))
    for mot, name in ((True, "Moment of truth"), (False, "Other touchpoint")):
        part = gap_rows[gap_rows["moment_of_truth"].astype(bool) == mot]
        fig.add_trace(
            go.Bar(
                name=name,
                orientation="h",
                x=[float(p) for p in part["priority"]],
                y=[int(r) for r in part["rank"]],
                text=[_fmt(float(p)) for p in part["priority"]],
                textposition="outside",
                cliponaxis=False,
                marker={
                    "color": PALETTE["vermillion"] if mot else "#7FB8DA",
                    "line": {"color": PALETTE["black"], "width": 2.5 if mot else 0.5},
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
    ticks = [int(r) for r in gap_rows["rank"]]
    if len(none):
        last = len(gap_rows) + 1
        ids = [esc(tp) for tp in none["touchpoint_id"]]
        fig.add_trace(
            go.Scatter(
                name="No gap",
                x=[0],
                y=[last],
                mode="text",
                text=[_id_list(ids, 28 if compact else 90)],
                textposition="middle right",
                textfont={"size": 11, "color": PALETTE["black"]},
                showlegend=False,
                customdata=[[_id_list(ids, 60)]],
                hovertemplate="performance meets importance: %{customdata[0]}<extra></extra>",
                cliponaxis=False,
            )
        )
        ticks.append(last)
        labels.append(f"no gap ({len(none)})")
    shown = int(sum(acted))
    if shown and shown < rows:
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
    formula = (
        f"priority = max(importance − performance, 0) × importance, "
        f"× {_fmt(float(mot_weight))} at a moment of truth"
    )
    fig.add_annotation(
        text="<i>" + (wrap_plain(formula, 44) if compact else formula) + "</i>",
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-52 if compact else -44,
        showarrow=False,
        font={"size": 10},
    )
    highest = float(ranking["priority"].max())
    fig.update_layout(
        barmode="overlay",
        bargap=0.25,
        legend={"orientation": "h", "x": 0, "y": 1.0, "yanchor": "bottom"},
        margin={
            "l": 120 if compact else 300,
            "r": 30 if compact else 60,
            "t": 100 if title else 60,
            "b": 110 if compact else 80,
        },
        xaxis={
            "title": {"text": "How urgently to act (higher = sooner)", "standoff": 6},
            "range": [0, max(highest, 1.0) * 1.18],
            "showgrid": True,
            "gridcolor": "#E5E5E5",
        },
        yaxis={
            "tickmode": "array",
            "tickvals": ticks,
            "ticktext": labels,
            "autorange": "reversed",
            "range": None,
            "ticks": "",
            "tickfont": {"size": 11 if compact else 12},
        },
    )
    return fig


def _id_list(ids: list[str], width: int) -> str:
    """Ids joined by commas, wrapped onto at most two lines of ``width`` characters."""
    text = wrap_plain(", ".join(ids), width)
    lines = text.split("<br>")
    return "<br>".join(lines[:2]) + (" …" if len(lines) > 2 else "")
