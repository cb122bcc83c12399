"""The priority bars: which touchpoints to act on first, ranked by weighted gap.

:func:`priority_chart` takes the ``scores`` (and optionally ``journey``) tables and returns one
``go.Figure`` with a phone variant. User text is escaped with :func:`~kit.figures.style.esc`
and reaches hovers only through ``customdata``; moments of truth are marked by colour, a heavy
outline and a ★, so the chart reads without colour.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kit.analyses.scoring import MOT_WEIGHT, in_top_k, priority_ranking
from kit.figures.responsive import with_compact
from kit.figures.stages import add_layout_items
from kit.figures.style import PALETTE, empty_spec, esc, layout_defaults
from kit.figures.text import wrap, wrap_plain
from kit.formatting import number_text

__all__ = ["priority_chart", "priority_spec"]


def priority_chart(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    mot_weight: float = MOT_WEIGHT,
    k: int = 3,
    top: int | None = None,
    title: str | None = "Priorities to act on",
) -> go.Figure:
    """Horizontal bars of :func:`kit.analyses.scoring.priority_ranking`, rank 1 at the top.

    Moments of truth stand out: solid vermillion bars with a heavy outline and a ★ before their
    label; other touchpoints are lighter blue. The top ``k`` with a gap are labelled in bold and
    separated from the rest by a dotted line ("act on first"). Touchpoints with no gap
    (priority 0) are not drawn one by one: they share one last row naming them. The axis title
    is plain language, and so is the note under it (no formula: teams read it). A compact variant for phones rides
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
    return go.Figure(priority_spec(scores, journey, mot_weight, k, top, title))


def priority_spec(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    mot_weight: float = MOT_WEIGHT,
    k: int = 3,
    top: int | None = None,
    title: str | None = "Priorities to act on",
) -> dict:
    """:func:`priority_chart` as a plain plotly spec (``{"data": [...], "layout": {...}}``).

    Plain lists, dicts and numbers, exactly what plotly's validation of it gives back
    (``tests/test_figure_specs.py``): a report shows it as it is, without building plotly's
    figure objects.

    Parameters
    ----------
    scores, journey, mot_weight, k, top, title
        As for :func:`priority_chart`.

    Returns
    -------
    dict

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a", "b"], "scorer": ["Ann"] * 2,
    ...                   "importance": [5, 3], "performance": [2, 4]})
    >>> spec = priority_spec(s)
    >>> [t["name"] for t in spec["data"]], spec["data"][1]["x"]
    (['Moment of truth', 'Other touchpoint', 'No gap'], [15.0])
    """
    ranking = priority_ranking(scores, journey, mot_weight)
    if top is not None:
        ranking = ranking.head(max(int(top), 0))
    if ranking.empty:
        return empty_spec("No scores yet", title)
    wide = _priority_build(ranking, mot_weight, k, title, compact=False)
    return with_compact(wide, _priority_build(ranking, mot_weight, k, title, compact=True))


def _priority_build(
    ranking: pd.DataFrame, mot_weight: float, k: int, title: str | None, *, compact: bool
) -> dict:
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
    height = max(300, (190 if compact else 150) + per_row * rows)
    fig: dict = {"data": [], "layout": layout_defaults(title, height=height)}
    traces: list[dict] = []
    shapes: list[dict] = []
    notes: list[dict] = []
    for mot, name in ((True, "Moment of truth"), (False, "Other touchpoint")):
        part = gap_rows[gap_rows["moment_of_truth"].astype(bool) == mot]
        traces.append(
            dict(
                type="bar",
                name=name,
                orientation="h",
                x=[float(p) for p in part["priority"]],
                y=[int(r) for r in part["rank"]],
                text=[number_text(float(p), 2) for p in part["priority"]],
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
                        number_text(float(row.importance), 2),
                        number_text(float(row.performance), 2),
                        number_text(float(row.gap), 2),
                        number_text(float(row.weight), 2),
                        number_text(round(float(row.priority), 2), 2),
                    ]
                    for row in part.itertuples(index=False)
                ],
                hovertemplate=(
                    "<b>%{customdata[0]}</b> %{customdata[1]}<br>importance %{customdata[2]}, "
                    "performance %{customdata[3]}: a gap of %{customdata[4]}"
                    + (f"<br>★ a moment of truth: counts {_times(mot_weight)}" if mot else "")
                    + "<extra></extra>"
                ),
            )
        )
    ticks = [int(r) for r in gap_rows["rank"]]
    if len(none):
        last = len(gap_rows) + 1
        ids = [esc(tp) for tp in none["touchpoint_id"]]
        traces.append(
            dict(
                type="scatter",
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
    fig["data"] = traces
    shown = int(sum(acted))
    if shown and shown < rows:
        shapes.append(
            dict(
                type="line",
                opacity=1,
                xref="paper",
                x0=0,
                x1=1,
                y0=shown + 0.5,
                y1=shown + 0.5,
                line={"color": PALETTE["black"], "width": 1.5, "dash": "dot"},
            )
        )
        notes.append(
            dict(
                text=f"<i>↑ top {shown} to act on first</i>",
                xref="paper",
                x=1,
                y=shown + 0.5,
                xanchor="right",
                yanchor="bottom",
                showarrow=False,
                font={"size": 11},
            )
        )
    # In words, not a formula: teams read this chart (the formula is in kit.analyses.scoring).
    how = (
        "longer bar: a bigger gap on what matters more to the customer · "
        f"★ a moment of truth counts {_times(mot_weight)}"
    )
    notes.append(
        dict(
            text="<i>" + wrap_plain(how, 44 if compact else 110) + "</i>",
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
    )
    add_layout_items(fig, shapes, notes)
    highest = float(ranking["priority"].max())
    fig["layout"].update(
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
            "ticks": "",
            "tickfont": {"size": 11 if compact else 12},
        },
    )
    return fig


def _times(weight: float) -> str:
    """How much more a moment of truth counts, in words.

    Examples
    --------
    >>> _times(1.5), _times(2), _times(1)
    ('half as much again', 'twice as much', 'as much as any other')
    """
    weight = float(weight)
    words = {1.0: "as much as any other", 1.5: "half as much again", 2.0: "twice as much"}
    return words.get(weight, f"{number_text(weight, 2)} times as much")


def _id_list(ids: list[str], width: int) -> str:
    """Ids joined by commas, wrapped onto at most two lines of ``width`` characters."""
    text = wrap_plain(", ".join(ids), width)
    lines = text.split("<br>")
    return "<br>".join(lines[:2]) + (" …" if len(lines) > 2 else "")
