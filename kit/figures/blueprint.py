"""The service blueprint: who acts at each touchpoint, in four lanes split by three lines.

:func:`blueprint_figure` takes the workbook's ``journey`` (and optionally ``roles`` and
``serves``) tables and returns one ``go.Figure`` with a phone variant turned on its side. User
text is escaped with :func:`~kit.figures.style.esc` and reaches hovers only through
``customdata`` — never inside a ``hovertemplate``.
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from kit.analyses.journey import BLUEPRINT_LINES, LANE_LABELS, LANES, blueprint, ordered_touchpoints
from kit.figures.responsive import NARROWEST_WIDE, with_compact
from kit.figures.stages import add_layout_items, chars_per_cell, stage_items, tick_labels
from kit.figures.style import LEVEL_COLOURS, PALETTE, empty_spec, esc, layout_defaults
from kit.figures.text import wrap, wrap_plain
from kit.store import cells

__all__ = [
    "LANE_COLOURS",
    "LANE_HEIGHTS",
    "LINE_DASHES",
    "blueprint_figure",
    "blueprint_spec",
]

LANE_COLOURS: dict[str, str] = {
    "customer": LEVEL_COLOURS["customer"],
    "frontstage": LEVEL_COLOURS["frontline"],
    "backstage": PALETTE["sky"],
    "support": LEVEL_COLOURS["support"],
}
LANE_HEIGHTS: dict[str, float] = {
    "customer": 1.3,
    "frontstage": 0.8,
    "backstage": 0.8,
    "support": 1.4,
}
"""Relative lane heights in the blueprint figure (the customer and support lanes hold more text)."""
LINE_DASHES: dict[str, str] = {
    "line of interaction": "solid",
    "line of visibility": "dash",
    "line of internal interaction": "dot",
}


def blueprint_figure(
    journey: pd.DataFrame,
    roles: pd.DataFrame | None = None,
    serves: pd.DataFrame | None = None,
    title: str | None = "Service blueprint",
) -> go.Figure:
    """The service blueprint as four lanes (customer, frontstage, backstage, support).

    Each cell names who acts at a touchpoint in that lane (the customer lane shows the
    touchpoint itself; ★ marks a moment of truth). Lanes are named on the left and separated by
    the line of interaction (solid), of visibility (dashed) and of internal interaction (dotted),
    each labelled, so the figure reads without colour. A touchpoint whose role is not named shows
    "⚠ no role named" in its lane.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.
    roles : pandas.DataFrame, optional
        The ``roles`` table.
    serves : pandas.DataFrame, optional
        The ``serves`` table.
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    go.Figure
        One text trace per lane (named after :data:`kit.analyses.journey.LANE_LABELS`); an empty journey
        gives a figure saying "No touchpoints yet".

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a"], "stage": ["Arrive"], "order": [1],
    ...                   "description": ["Desk"], "contact": ["direct"], "role_id": ["d"]})
    >>> [t.name for t in blueprint_figure(j).data]
    ['Customer actions', 'Frontstage', 'Backstage', 'Support processes']
    """
    return go.Figure(blueprint_spec(journey, roles, serves, title))


def blueprint_spec(
    journey: pd.DataFrame,
    roles: pd.DataFrame | None = None,
    serves: pd.DataFrame | None = None,
    title: str | None = "Service blueprint",
    *,
    phone: bool = True,
) -> dict:
    """:func:`blueprint_figure` as a plain plotly spec (``{"data": [...], "layout": {...}}``).

    Plain lists, dicts and numbers, exactly what plotly's validation of it gives back
    (``tests/test_figure_specs.py``): a report shows it as it is, and a live chart compares it
    with what it shows, both without building plotly's figure objects.

    Parameters
    ----------
    journey, roles, serves, title
        As for :func:`blueprint_figure`.
    phone : bool
        Carry the phone variant (:mod:`kit.figures.responsive`).

    Returns
    -------
    dict

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a"], "stage": ["Arrive"], "order": [1],
    ...                   "description": ["Desk"], "contact": ["direct"], "role_id": ["d"]})
    >>> spec = blueprint_spec(j)
    >>> spec["data"][0]["text"], "compact" in spec["layout"]["meta"]["servekit"]
    (['Desk'], True)
    """
    table = blueprint(journey, roles, serves)
    if table.empty:
        return empty_spec("No touchpoints yet", title)
    ordered = ordered_touchpoints(journey)
    n = len(ordered)
    tops, top = {}, 0.0
    for lane in LANES:
        tops[lane] = top
        top -= LANE_HEIGHTS[lane]
    lane_y = {lane: tops[lane] - LANE_HEIGHTS[lane] / 2 for lane in LANES}
    font_size = 10  # never smaller: a blueprint must be readable when printed
    # At the narrowest wide chart (NARROWEST_WIDE less the margins) no text reaches the next cell,
    # nor (the first cell) the lane names on the left: a character counted as generously as in
    # the tick labels (a narrower estimate let a 5-touchpoint team's first cell reach them).
    per_line = max(5, chars_per_cell(n, plot_width=NARROWEST_WIDE - 130 - 30))
    fig: dict = {"data": [], "layout": layout_defaults(title, height=680)}
    # The stage bands first, then the cells and lines: added to the layout in one go.
    shapes, notes = stage_items(ordered)
    for lane in LANES:
        rows = table[table["lane"] == lane]
        xs, ys, texts, custom = [], [], [], []
        for (position, touchpoint), cell in rows.groupby(["position", "touchpoint_id"], sort=True):
            first = cell.iloc[0]
            if lane == "customer":
                star = "★ " if first["moment_of_truth"] else ""
                text = star + wrap(first["text"], width=per_line - len(star), lines=6)
                who = "Customer"
            else:
                many = len(cell) > 1
                names = [
                    wrap(a, width=per_line - 2 * many, lines=2 if len(cell) == 3 else 3)
                    if not cells.is_missing(a)
                    else "⚠ no role<br>named"
                    for a in cell["actor"]
                ]
                if many:
                    names = ["• " + name for name in names]
                if len(names) > 3:
                    names = names[:2] + [f"+{len(names) - 2} more"]
                text = "<br>".join(names)
                who = ", ".join(
                    esc(a) if not cells.is_missing(a) else "no role named" for a in cell["actor"]
                )
            xs.append(int(position))
            ys.append(lane_y[lane])
            texts.append(text)
            custom.append(
                [
                    esc(touchpoint),
                    esc(first["stage"]),
                    esc(LANE_LABELS[lane]),
                    who,
                    wrap(first["text"] if lane == "customer" else cell["text"].iloc[0], 40, 4),
                ]
            )
        fig["data"].append(
            dict(
                type="scatter",
                name=LANE_LABELS[lane],
                x=xs,
                y=ys,
                mode="markers+text",
                text=texts,
                textposition="middle center",
                textfont={"size": font_size, "color": PALETTE["black"]},
                marker={
                    "symbol": "square",
                    "size": 1,
                    "color": LANE_COLOURS[lane],
                    "opacity": 0,
                },
                customdata=custom,
                hovertemplate=(
                    "<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{customdata[2]}: "
                    "%{customdata[3]}<br>%{customdata[4]}<extra></extra>"
                ),
                showlegend=False,
            )
        )
        half = LANE_HEIGHTS[lane] / 2 - 0.08
        for x, y in zip(xs, ys, strict=True):
            shapes.append(
                dict(
                    type="rect",
                    x0=x - 0.46,
                    x1=x + 0.46,
                    y0=y - half,
                    y1=y + half,
                    fillcolor=LANE_COLOURS[lane],
                    opacity=0.22,
                    line={"color": LANE_COLOURS[lane], "width": 1},
                    layer="below",
                )
            )
    for name, above, _below in BLUEPRINT_LINES:
        y = tops[above] - LANE_HEIGHTS[above]
        shapes.append(
            dict(
                type="line",
                opacity=1,
                xref="paper",
                x0=0,
                x1=1,
                y0=y,
                y1=y,
                line={"color": PALETTE["black"], "width": 1.5, "dash": LINE_DASHES[name]},
            )
        )
        notes.append(
            dict(
                text=f"<i>{esc(name)}</i>",
                xref="paper",
                x=1,
                y=y,
                xanchor="right",
                yanchor="middle",
                showarrow=False,
                font={"size": 10},
                bgcolor="white",
            )
        )
    add_layout_items(fig, shapes, notes)
    fig["layout"]["margin"].update(l=130, t=110 if title else 80, b=60)
    fig["layout"].update(
        showlegend=False,
        hovermode="closest",
        xaxis={
            "range": [-0.5, n - 0.5],
            "tickmode": "array",
            "tickvals": ordered["position"].tolist(),
            "ticktext": tick_labels(ordered),
            "tickangle": 0,
            "showgrid": False,
            "zeroline": False,
            "showline": False,
        },
        yaxis={
            "range": [top, 0.0],
            "tickmode": "array",
            "tickvals": [lane_y[lane] for lane in LANES],
            "ticktext": [
                "<b>" + "<br>".join(esc(w) for w in LANE_LABELS[lane].split(" ", 1)) + "</b>"
                for lane in LANES
            ],
            "showgrid": False,
            "zeroline": False,
            "showline": False,
            "ticks": "",
        },
    )
    return with_compact(fig, _compact_blueprint(fig, ordered)) if phone else fig


def _compact_blueprint(wide: dict, ordered: pd.DataFrame) -> dict:
    """The phone variant of the blueprint, turned on its side: one row per touchpoint (in
    journey order), the four lanes as columns, the three lines as vertical rules (named in a
    note); every cell re-wrapped to its narrow column, text 10 px, full text in the hover."""
    layout = dict(wide["layout"])  # its shapes and annotations are replaced below
    traces = []
    positions = [int(p) for p in ordered["position"]]
    row_of = {p: i for i, p in enumerate(positions)}
    row_h = 76
    shapes: list[dict] = []
    for col, (lane, trace) in enumerate(zip(LANES, wide["data"], strict=True)):
        texts = []
        for custom, original in zip(trace["customdata"], trace["text"], strict=True):
            star = "★ " if str(original).startswith("★") else ""
            words = html.unescape(
                str(custom[4] if lane == "customer" else custom[3]).replace("<br>", " ")
            )
            if original and "no role" in str(original) and lane != "customer":
                words = "⚠ no role named"
            texts.append(star + wrap(words, width=12, lines=5))
        ys = [row_of.get(int(x), 0) for x in trace["x"]]
        shapes += [
            dict(
                type="rect",
                x0=col - 0.47,
                x1=col + 0.47,
                y0=y - 0.46,
                y1=y + 0.46,
                fillcolor=LANE_COLOURS[lane],
                opacity=0.22,
                line={"color": LANE_COLOURS[lane], "width": 1},
                layer="below",
            )
            for y in ys
        ]
        traces.append(
            trace
            | {
                "x": [col] * len(ys),
                "y": ys,
                "text": texts,
                "textfont": trace["textfont"] | {"size": 10},
            }
        )
    for col, (name, _above, _below) in enumerate(BLUEPRINT_LINES):
        shapes.append(
            dict(
                type="line",
                yref="paper",
                x0=col + 0.5,
                x1=col + 0.5,
                y0=0,
                y1=1,
                line={"color": PALETTE["black"], "width": 1.5, "dash": LINE_DASHES[name]},
            )
        )
    stage_first = {}
    for i, stage in enumerate(ordered["stage"]):
        stage_first.setdefault(str(stage), i)
    ticks = []
    for i, tp in enumerate(ordered.itertuples(index=False)):
        label = f"<b>{esc(tp.touchpoint_id)}</b>"
        if stage_first.get(str(tp.stage)) == i:
            label = f"<i>{wrap(tp.stage, 10, 2)}</i><br>" + label
        ticks.append(label)
    note = (
        "★ moment of truth. Rules between the columns: solid = line of interaction, dashed = line of "
        "visibility, dotted = line of internal interaction. Tap a cell for its full text."
    )
    layout["shapes"] = shapes
    layout["annotations"] = [
        dict(
            text=wrap_plain(note, 56),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-8,
            xanchor="left",
            yanchor="top",
            align="left",
            showarrow=False,
            font={"size": 10},
        )
    ]
    n = len(positions)
    layout.update(
        height=120 + row_h * n + 70,
        margin=layout["margin"] | {"l": 72, "r": 4, "t": 120, "b": 70},
        xaxis=layout["xaxis"]
        | {
            "range": [-0.5, 3.5],
            "tickmode": "array",
            "tickvals": [0, 1, 2, 3],
            "ticktext": [
                "<b>Customer</b>",
                "<b>Front-<br>stage</b>",
                "<b>Back-<br>stage</b>",
                "<b>Support</b>",
            ],
            "side": "top",
            "tickfont": {"size": 10},
            "showgrid": False,
            "zeroline": False,
            "showline": False,
        },
        yaxis=layout["yaxis"]
        | {
            "range": [n - 0.5, -0.5],
            "tickmode": "array",
            "tickvals": list(range(n)),
            "ticktext": ticks,
            "tickfont": {"size": 10},
            "showgrid": False,
            "zeroline": False,
            "showline": False,
            "ticks": "",
        },
    )
    return {"data": traces, "layout": layout}
