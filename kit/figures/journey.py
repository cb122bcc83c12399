"""Journey figures: the journey map (emotion curve over the day) and the service blueprint.

Both take the workbook tables and return one ``go.Figure``. User text (descriptions, stage and
role names, ids) is escaped with :func:`~kit.figures.style.esc` and reaches hovers only through
``customdata`` — never inside a ``hovertemplate``.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from kit import cells
from kit.figures.responsive import with_compact
from kit.figures.style import (
    CONTACT_SYMBOLS,
    LEVEL_COLOURS,
    PALETTE,
    empty_figure,
    esc,
    layout_defaults,
    new_figure,
)
from kit.formatting import wrap_lines
from kit.journey import (
    BLUEPRINT_LINES,
    LANE_LABELS,
    LANES,
    blueprint,
    contact_kind,
    ordered_touchpoints,
)

EMOTION_LABELS: dict[int, str] = {
    -2: "very negative",
    -1: "negative",
    0: "neutral",
    1: "positive",
    2: "very positive",
}
CONTACT_COLOURS: dict[str, str] = {"direct": PALETTE["blue"], "indirect": PALETTE["orange"]}
MOT_COLOUR = PALETTE["vermillion"]
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
_STAGE_FILLS = ("#F2F2F2", "#FFFFFF")


# --------------------------------------------------------------------------- shared helpers


def wrap(value: Any, width: int = 14, lines: int = 3) -> str:
    """Wrap user text into at most ``lines`` escaped lines joined by ``<br>``.

    Parameters
    ----------
    value : Any
        User text (missing becomes ``""``).
    width : int
        Characters per line.
    lines : int
        Maximum number of lines; longer text ends with an ellipsis.

    Returns
    -------
    str
        Escaped text, safe for a plotly label.

    Examples
    --------
    >>> wrap("Check-in at the <b>desk</b>", width=16)
    'Check-in at the<br>&lt;b&gt;desk&lt;/b&gt;'
    >>> wrap("Guest books a room on the website", width=12, lines=2)
    'Guest books<br>a room on…'
    >>> wrap("Zimmerreservierungsbestätigung bei Ankunft", width=12)
    'Zimmerreser…<br>bei Ankunft'
    """
    return "<br>".join(esc(part) for part in wrap_lines(value, width, lines))


def _add_layout_items(fig: go.Figure, shapes: list[dict], notes: list[dict]) -> None:
    """Add many shapes and annotations in one layout update (``add_shape`` one at a time is
    quadratic in plotly: it revalidates every existing shape on each call)."""
    if shapes:
        fig.layout.shapes = fig.layout.shapes + tuple(shapes)
    if notes:
        fig.layout.annotations = fig.layout.annotations + tuple(notes)


def _stage_bands(fig: go.Figure, ordered: pd.DataFrame, *, y_label: float = 1.0) -> None:
    """Shade each stage's span along x and name it above the plot (alternating grey/white)."""
    _add_layout_items(fig, *_stage_items(ordered, y_label=y_label))


def _stage_items(ordered: pd.DataFrame, *, y_label: float = 1.0) -> tuple[list[dict], list[dict]]:
    """The shapes and annotations of :func:`_stage_bands`, as plain dicts."""
    per_cell = max(6, _chars_per_cell(len(ordered)) - 2)  # bold 12 px is wider than 10 px
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
                fillcolor=_STAGE_FILLS[i % 2],
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


def _tick_size(n: int) -> int:
    """Font size of the touchpoint labels under the axis: never below 10 px (readable)."""
    return 10


def _chars_per_cell(n: int) -> int:
    """Characters that fit across one touchpoint's column, with a gap to the next one.

    The plot area of a ~940 px figure is ~800 px wide; a character of the tick font is ~0.6 of
    its size wide.
    """
    return max(7, min(28, int(800 / max(n, 1) / (0.6 * _tick_size(n)))))


def _tick_labels(ordered: pd.DataFrame, *, describe: bool = False) -> list[str]:
    """``id · time`` under each touchpoint, and optionally its description wrapped beneath."""
    width = _chars_per_cell(len(ordered))
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


# --------------------------------------------------------------------------- journey map


def journey_map(journey: pd.DataFrame, title: str | None = "Customer journey") -> go.Figure:
    """The day in the life: stages along x, the customer's emotion at each touchpoint up y.

    Direct touchpoints are filled blue circles, indirect ones open orange circles; a moment of
    truth is a red star (filled when direct, open when indirect) with a "moment of truth"
    annotation, so the kinds read in greyscale too. A dashed line joins the emotions in order
    (a missing emotion is drawn as neutral, 0, the schema's default). Each touchpoint's id, time
    and (up to 24 touchpoints) wrapped description are written under the axis; the full text is
    in the hover.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    go.Figure
        Traces ``Emotion`` (line), ``Direct contact``, ``Indirect contact`` and ``Moment of
        truth`` (markers, kept out of the legend), then a legend entry per star drawn
        (``Moment of truth (direct contact)`` filled, ``(indirect contact)`` hollow); an empty journey gives a figure saying "No touchpoints yet".

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b"], "stage": ["Arrive", "Stay"],
    ...                   "order": [1, 2], "description": ["Desk", "Room"],
    ...                   "contact": ["direct", "indirect"], "emotion": [1, -1],
    ...                   "moment_of_truth": [True, False]})
    >>> [t.name for t in journey_map(j).data][:4]
    ['Emotion', 'Direct contact', 'Indirect contact', 'Moment of truth']
    >>> [t.name for t in journey_map(j).data if t.showlegend is not False][3:]
    ['Moment of truth (direct contact)']
    """
    # One construction from a plain spec: plotly validates it once (3x faster than building
    # trace by trace).
    spec = journey_map_spec(journey, title)
    wide = go.Figure(spec)
    if not spec["data"]:
        return wide
    return with_compact(wide, _compact_journey(spec, ordered_touchpoints(journey)))


def _compact_journey(spec: dict, ordered: pd.DataFrame) -> go.Figure:
    """The phone variant of the journey map: stages numbered (named in a note under the chart),
    only ids under the axis (turned upright when many), short emotion ticks, smaller markers and
    no "moment of truth" call-outs (the legend names the star)."""
    fig = go.Figure(spec)
    stages = list(dict.fromkeys(str(s) for s in ordered["stage"]))
    number = {f"<b>{wrap(name, 1000, 1)}</b>": i for i, name in enumerate(stages, start=1)}
    notes = []
    for note in fig.layout.annotations:
        if note.yref == "paper":
            plain = (
                "<b>"
                + note.text.removeprefix("<b>").removesuffix("</b>").replace("<br>", " ")
                + "</b>"
            )
            index = number.get(plain)
            if index is None:  # a stage name wrapped or cut: match by order instead
                index = len(notes) + 1
            notes.append(note.to_plotly_json() | {"text": f"<b>{index}</b>", "font": {"size": 11}})
    n = len(ordered)
    key = " · ".join(f"{i} {esc(name)}" for i, name in enumerate(stages, start=1))
    from kit.figures.scoring import wrap_plain

    notes.append(
        dict(
            text="Stages: " + wrap_plain(key, 48),
            xref="paper",
            yref="paper",
            x=0,
            y=0,
            yshift=-(58 if n > 8 else 40),
            xanchor="left",
            yanchor="top",
            showarrow=False,
            align="left",
            font={"size": 10},
        )
    )
    lines = wrap_plain(key, 48).count("<br>") + 1
    plot = 260
    for trace in fig.data:
        if trace.mode == "markers":
            trace.marker.size = 14 if trace.name and trace.name.startswith("Moment") else 10
    fig.layout.annotations = notes  # replaced, not merged with the wide chart's call-outs
    fig.update_layout(
        height=90 + plot + 170 + 14 * lines,
        margin={"l": 44, "r": 6, "t": 90, "b": 170 + 14 * lines},
        legend={"y": -(72 + 14 * lines) / plot, "font": {"size": 11}},
    )
    fig.update_xaxes(
        ticktext=[f"<b>{esc(t)}</b>" for t in ordered["touchpoint_id"]],
        tickangle=-90 if n > 8 else 0,
        tickfont={"size": 10},
    )
    fig.update_yaxes(
        ticktext=[f"{v:+d}" if v else "0" for v in EMOTION_LABELS],
        title={"text": "Emotion (−2 … +2)"},
    )
    return fig


def journey_map_spec(journey: pd.DataFrame, title: str | None = "Customer journey") -> dict:
    """:func:`journey_map` as a plain plotly spec (``{"data": [...], "layout": {...}}``).

    Not validated by plotly: this is for a live figure widget that compares it with what it
    shows and sends only the difference (:func:`kit.widgets.base.sync_figure`), which keeps an
    edit within its time budget. Everything else should call :func:`journey_map`.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    dict

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a"], "stage": ["Arrive"], "order": [1],
    ...                   "description": ["<b>Desk</b>"], "contact": ["direct"]})
    >>> spec = journey_map_spec(j)
    >>> [t["name"] for t in spec["data"]][:2], spec["layout"]["xaxis"]["ticktext"][0][:9]
    (['Emotion', 'Direct contact'], '<b>a</b><')
    """
    ordered = ordered_touchpoints(journey)
    if ordered.empty:
        return empty_figure("No touchpoints yet", title).to_dict()
    ordered = ordered.copy()
    ordered["y"] = pd.to_numeric(ordered["emotion"], errors="coerce").fillna(0).clip(-2, 2)
    ordered["contact_kind"] = [
        "direct" if contact_kind(c) == "direct" else "indirect" for c in ordered["contact"]
    ]
    custom = [
        [
            esc(tp.touchpoint_id),
            esc(tp.stage),
            wrap(tp.description, width=40, lines=4),
            esc(tp.time) or "–",
            tp.contact_kind,
            esc(tp.role_id) or "no role named",
            f"{int(tp.y):+d} ({EMOTION_LABELS.get(int(tp.y), '')})",
            "yes" if tp.moment_of_truth else "no",
        ]
        for tp in ordered.itertuples(index=False)
    ]
    ordered["custom"] = custom
    hover = (
        "<b>%{customdata[0]}</b> · %{customdata[1]}<br>%{customdata[2]}<br>"
        "time %{customdata[3]} · %{customdata[4]} contact · role %{customdata[5]}<br>"
        "emotion %{customdata[6]} · moment of truth: %{customdata[7]}<extra></extra>"
    )
    data: list[dict] = [
        {
            "type": "scatter",
            "name": "Emotion",
            "x": list(ordered["position"]),
            "y": list(ordered["y"]),
            "mode": "lines",
            "hoverinfo": "skip",
            "line": {"color": PALETTE["black"], "width": 2, "dash": "dash"},
        }
    ]
    for kind, name in (("direct", "Direct contact"), ("indirect", "Indirect contact")):
        part = ordered[(ordered["contact_kind"] == kind) & ~ordered["moment_of_truth"]]
        data.append(
            {
                "type": "scatter",
                "name": name,
                "x": list(part["position"]),
                "y": list(part["y"]),
                "mode": "markers",
                "customdata": list(part["custom"]),
                "hovertemplate": hover,
                "marker": {
                    "symbol": CONTACT_SYMBOLS[kind],
                    "size": 15,
                    "color": CONTACT_COLOURS[kind],
                    "line": {"width": 2.5, "color": CONTACT_COLOURS[kind]},
                },
            }
        )
    mot = ordered[ordered["moment_of_truth"].astype(bool)]
    data.append(
        {
            "type": "scatter",
            "name": "Moment of truth",
            "x": list(mot["position"]),
            "y": list(mot["y"]),
            "mode": "markers",
            "customdata": list(mot["custom"]),
            "hovertemplate": hover,
            "marker": {
                "symbol": ["star" if k == "direct" else "star-open" for k in mot["contact_kind"]],
                "size": 22,
                "color": MOT_COLOUR,
                "line": {"width": 2, "color": MOT_COLOUR},
            },
            "showlegend": False,
            "legendgroup": "mot",
        }
    )
    # Every marker drawn has its own legend entry: the filled and the hollow star.
    for kind, symbol in (("direct", "star"), ("indirect", "star-open")):
        if (mot["contact_kind"] == kind).any():
            data.append(
                {
                    "type": "scatter",
                    "name": f"Moment of truth ({kind} contact)",
                    "x": [None],
                    "y": [None],
                    "mode": "markers",
                    "hoverinfo": "skip",
                    "legendgroup": "mot",
                    "marker": {
                        "symbol": symbol,
                        "size": 16,
                        "color": MOT_COLOUR,
                        "line": {"width": 2, "color": MOT_COLOUR},
                    },
                }
            )
    shapes, notes = _stage_items(ordered)
    notes += [
        {
            "x": tp.position,
            "y": tp.y,
            "text": "moment<br>of truth",
            "showarrow": True,
            "arrowhead": 0,
            "arrowcolor": MOT_COLOUR,
            "ax": 0,
            "ay": 38 if tp.y >= 1.5 else -38,
            "font": {"size": 10, "color": MOT_COLOUR},
            "bgcolor": "rgba(255,255,255,0.85)",
        }
        for tp in mot.itertuples(index=False)
    ]
    n = len(ordered)
    layout = layout_defaults(title, height=600)
    layout["margin"].update(t=110 if title else 80, b=150)
    layout.update(
        shapes=shapes,
        annotations=notes,
        legend={"orientation": "h", "x": 0, "y": -0.38, "yanchor": "top"},
        hovermode="closest",
        xaxis={
            "range": [-0.5, n - 0.5],
            "tickmode": "array",
            "tickvals": list(ordered["position"]),
            "ticktext": _tick_labels(ordered, describe=n <= 24),
            "tickfont": {"size": _tick_size(n)},
            "tickangle": 0,
            "showgrid": False,
            "zeroline": False,
        },
        yaxis={
            "range": [-2.7, 2.9],
            "tickmode": "array",
            "tickvals": list(EMOTION_LABELS),
            "ticktext": [
                f"{v:+d} {label}" if v else "0 neutral" for v, label in EMOTION_LABELS.items()
            ],
            "title": {"text": "Customer emotion"},
            "zeroline": True,
            "zerolinecolor": PALETTE["grey"],
            "showgrid": True,
            "gridcolor": "#E5E5E5",
        },
    )
    return {"data": data, "layout": layout}


# --------------------------------------------------------------------------- blueprint


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
        One text trace per lane (named after :data:`kit.journey.LANE_LABELS`); an empty journey
        gives a figure saying "No touchpoints yet".

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a"], "stage": ["Arrive"], "order": [1],
    ...                   "description": ["Desk"], "contact": ["direct"], "role_id": ["d"]})
    >>> [t.name for t in blueprint_figure(j).data]
    ['Customer actions', 'Frontstage', 'Backstage', 'Support processes']
    """
    table = blueprint(journey, roles, serves)
    if table.empty:
        return empty_figure("No touchpoints yet", title)
    ordered = ordered_touchpoints(journey)
    n = len(ordered)
    tops, top = {}, 0.0
    for lane in LANES:
        tops[lane] = top
        top -= LANE_HEIGHTS[lane]
    lane_y = {lane: tops[lane] - LANE_HEIGHTS[lane] / 2 for lane in LANES}
    font_size = 10  # never smaller: a blueprint must be readable when printed
    per_line = max(6, min(30, int(930 / max(n, 1) * 0.9 / (font_size * 0.6))))
    fig = new_figure(None, title, height=680)
    shapes: list[dict] = []
    notes: list[dict] = []
    _stage_bands(fig, ordered)
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
        fig.add_trace(
            go.Scatter(
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
    _add_layout_items(fig, shapes, notes)
    fig.update_layout(
        margin={"l": 130, "t": 110 if title else 80, "b": 60},
        showlegend=False,
        hovermode="closest",
        xaxis={
            "range": [-0.5, n - 0.5],
            "tickmode": "array",
            "tickvals": list(ordered["position"]),
            "ticktext": _tick_labels(ordered),
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
    return with_compact(fig, _compact_blueprint(fig, ordered))


def _compact_blueprint(wide: go.Figure, ordered: pd.DataFrame) -> go.Figure:
    """The phone variant of the blueprint, turned on its side: one row per touchpoint (in
    journey order), the four lanes as columns, the three lines as vertical rules (named in a
    note); every cell re-wrapped to its narrow column, text 10 px, full text in the hover."""
    fig = go.Figure(wide)
    positions = [int(p) for p in ordered["position"]]
    row_of = {p: i for i, p in enumerate(positions)}
    row_h = 76
    shapes: list[dict] = []
    for col, (lane, trace) in enumerate(zip(LANES, fig.data, strict=True)):
        texts = []
        for custom, original in zip(trace.customdata, trace.text, strict=True):
            star = "★ " if str(original).startswith("★") else ""
            words = html.unescape(
                str(custom[4] if lane == "customer" else custom[3]).replace("<br>", " ")
            )
            if original and "no role" in str(original) and lane != "customer":
                words = "⚠ no role named"
            texts.append(star + wrap(words, width=12, lines=5))
        ys = [row_of.get(int(x), 0) for x in trace.x]
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
        trace.update(x=[col] * len(ys), y=ys, text=texts, textfont={"size": 10})
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
    fig.layout.shapes = shapes
    fig.layout.annotations = [
        dict(
            text=_wrap_note(note),
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
    fig.update_layout(
        height=120 + row_h * n + 70,
        margin={"l": 72, "r": 4, "t": 120, "b": 70},
        xaxis={
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
        yaxis={
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
    return fig


def _wrap_note(text: str) -> str:
    from kit.figures.scoring import wrap_plain

    return wrap_plain(text, 56)
