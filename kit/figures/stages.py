"""Stages and touchpoints along the x axis, shared by the journey map and the blueprint.

The stage bands (each stage's span shaded grey or white and named above the plot) and the
touchpoint tick labels (``id · time``, optionally the description) drawn by
:mod:`kit.figures.journey` and :mod:`kit.figures.blueprint`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kit.figures.labels import CHAR_WIDTH
from kit.figures.responsive import NARROWEST_WIDE
from kit.figures.style import PALETTE, esc
from kit.figures.text import wrap
from kit.store import cells

__all__ = [
    "CELL_GAP",
    "JOURNEY_PLOT_WIDTH",
    "STAGE_FILLS",
    "add_layout_items",
    "chars_per_cell",
    "stage_bands",
    "stage_items",
    "tick_labels",
    "tick_size",
]

STAGE_FILLS = ("#F2F2F2", "#FFFFFF")


def add_layout_items(fig: go.Figure | dict, shapes: list[dict], notes: list[dict]) -> None:
    """Add many shapes and annotations to a figure or a plain spec in one layout update
    (``add_shape`` one at a time is quadratic in plotly: it revalidates every existing shape on
    each call).

    Examples
    --------
    >>> spec = {"data": [], "layout": {}}
    >>> add_layout_items(spec, [{"type": "line"}], [])
    >>> spec["layout"]
    {'shapes': [{'type': 'line'}]}
    """
    if isinstance(fig, dict):
        layout = fig.setdefault("layout", {})
        if shapes:
            layout["shapes"] = [*layout.get("shapes", ()), *shapes]
        if notes:
            layout["annotations"] = [*layout.get("annotations", ()), *notes]
        return
    if shapes:
        fig.layout.shapes = fig.layout.shapes + tuple(shapes)
    if notes:
        fig.layout.annotations = fig.layout.annotations + tuple(notes)


def stage_bands(fig: go.Figure, ordered: pd.DataFrame, *, y_label: float = 1.0) -> None:
    """Shade each stage's span along x and name it above the plot (alternating grey/white)."""
    add_layout_items(fig, *stage_items(ordered, y_label=y_label))


def stage_items(ordered: pd.DataFrame, *, y_label: float = 1.0) -> tuple[list[dict], list[dict]]:
    """The shapes and annotations of :func:`stage_bands`, as plain dicts."""
    per_cell = max(6, chars_per_cell(len(ordered)) - 2)  # bold 12 px is wider than 10 px
    shapes: list[dict] = []
    notes: list[dict] = []
    for i, (_, group) in enumerate(ordered.groupby("stage_order", sort=True)):
        first, last = int(group["position"].min()), int(group["position"].max())
        shapes.append(
            dict(
                type="rect",
                opacity=1,
                xref="x",
                yref="paper",
                x0=first - 0.5,
                x1=last + 0.5,
                y0=0,
                y1=1,
                fillcolor=STAGE_FILLS[i % 2],
                line={"width": 0},
                layer="below",
            )
        )
        if i:
            shapes.append(
                dict(
                    type="line",
                    opacity=1,
                    xref="x",
                    yref="paper",
                    x0=first - 0.5,
                    x1=first - 0.5,
                    y0=0,
                    y1=1,
                    line={"color": PALETTE["grey"], "width": 1, "dash": "dot"},
                    layer="below",
                )
            )
        span = last - first + 1
        notes.append(
            dict(
                text="<b>" + wrap(group["stage"].iloc[0], width=span * per_cell, lines=2) + "</b>",
                xref="x",
                yref="paper",
                x=(first + last) / 2,
                y=y_label,
                yanchor="bottom",
                showarrow=False,
                font={"size": 12},
            )
        )
    return shapes, notes


def tick_size(n: int) -> int:
    """Font size of the touchpoint labels under the axis: never below 10 px (readable)."""
    return 10


JOURNEY_PLOT_WIDTH = NARROWEST_WIDE - 60 - 30
"""Pixels across the journey map's plot at the narrowest width its wide variant shows
(:data:`kit.figures.responsive.NARROWEST_WIDE` less the left and right margins)."""
CELL_GAP = 4
"""Pixels kept free between the texts of two neighbouring touchpoints."""


def chars_per_cell(
    n: int,
    plot_width: float = JOURNEY_PLOT_WIDTH,
    font_size: int = 10,
    char_width: float = CHAR_WIDTH,
) -> int:
    """Characters that fit across one of ``n`` touchpoint columns, with a gap to the next one.

    Counted at the narrowest width the wide chart shows, with a character estimated on the
    generous side (``char_width`` of the font size, by default
    :data:`kit.figures.labels.CHAR_WIDTH`), so neighbouring texts never touch; a phone gets the
    compact chart instead.

    Examples
    --------
    >>> chars_per_cell(18), chars_per_cell(6), chars_per_cell(1)
    (5, 18, 28)
    >>> chars_per_cell(16, plot_width=700), chars_per_cell(16, plot_width=700, char_width=0.55)
    (6, 7)
    """
    column = plot_width / max(n, 1) - CELL_GAP
    return max(5, min(28, int(column / (char_width * font_size))))


def tick_labels(ordered: pd.DataFrame, *, describe: bool = False) -> list[str]:
    """``id · time`` under each touchpoint, and optionally its description wrapped beneath."""
    width = chars_per_cell(len(ordered))
    labels = []
    for tp in ordered.itertuples(index=False):
        time = cells.text_or_none(tp.time)
        label = f"<b>{esc(tp.touchpoint_id)}</b>"
        if time:
            label += f"<br>{esc(time)}"
        if describe:
            label += "<br>" + wrap(tp.description, width=width, lines=3)
        labels.append(label)
    return labels
