"""The journey map: the customer's emotion at each touchpoint, stage by stage over the day.

:func:`journey_map` takes the workbook's ``journey`` table and returns one ``go.Figure``;
:func:`journey_map_spec` is the same figure as a plain spec for live widgets. User text
(descriptions, stage and role names, ids) is escaped with :func:`~kit.figures.style.esc` and
reaches hovers only through ``customdata`` — never inside a ``hovertemplate``. The service
blueprint drawn from the same table is :mod:`kit.figures.blueprint`.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kit.analyses.journey import contact_kind, ordered_touchpoints
from kit.figures.responsive import with_compact
from kit.figures.stages import stage_items, tick_labels, tick_size
from kit.figures.style import CONTACT_SYMBOLS, PALETTE, empty_spec, esc, layout_defaults
from kit.figures.text import wrap, wrap_plain

__all__ = [
    "CONTACT_COLOURS",
    "EMOTION_LABELS",
    "MOT_COLOUR",
    "journey_map",
    "journey_map_spec",
]

EMOTION_LABELS: dict[int, str] = {
    -2: "very negative",
    -1: "negative",
    0: "neutral",
    1: "positive",
    2: "very positive",
}
CONTACT_COLOURS: dict[str, str] = {"direct": PALETTE["blue"], "indirect": PALETTE["orange"]}
MOT_COLOUR = PALETTE["vermillion"]


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
    return go.Figure(journey_map_spec(journey, title, phone=True))


def _compact_journey(spec: dict, ordered: pd.DataFrame) -> dict:
    """The phone variant of the journey map: stages numbered (named in a note under the chart),
    only ids under the axis (turned upright when many), short emotion ticks, smaller markers and
    no "moment of truth" call-outs (the legend names the star)."""
    stages = list(dict.fromkeys(str(s) for s in ordered["stage"]))
    number = {f"<b>{wrap(name, 1000, 1)}</b>": i for i, name in enumerate(stages, start=1)}
    notes = []
    for note in spec["layout"].get("annotations", []):
        if note.get("yref") == "paper":
            plain = (
                "<b>"
                + note["text"].removeprefix("<b>").removesuffix("</b>").replace("<br>", " ")
                + "</b>"
            )
            index = number.get(plain)
            if index is None:  # a stage name wrapped or cut: match by order instead
                index = len(notes) + 1
            notes.append(note | {"text": f"<b>{index}</b>", "font": {"size": 11}})
    n = len(ordered)
    key = " · ".join(f"{i} {esc(name)}" for i, name in enumerate(stages, start=1))
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
    data = []
    for trace in spec["data"]:
        if trace.get("mode") == "markers":
            small = 14 if trace.get("name", "").startswith("Moment") else 10
            trace = trace | {"marker": trace["marker"] | {"size": small}}
        data.append(trace)
    layout = dict(spec["layout"])
    layout["annotations"] = notes  # replaced, not merged with the wide chart's call-outs
    layout["height"] = 90 + plot + 170 + 14 * lines
    layout["margin"] = layout["margin"] | {"l": 44, "r": 6, "t": 90, "b": 170 + 14 * lines}
    layout["legend"] = layout["legend"] | {"y": -(72 + 14 * lines) / plot, "font": {"size": 11}}
    layout["xaxis"] = layout["xaxis"] | {
        "ticktext": [f"<b>{esc(t)}</b>" for t in ordered["touchpoint_id"]],
        "tickangle": -90 if n > 8 else 0,
        "tickfont": {"size": 10},
    }
    layout["yaxis"] = layout["yaxis"] | {
        "ticktext": [f"{v:+d}" if v else "0" for v in EMOTION_LABELS],
        "title": {"text": "Emotion (−2 … +2)"},
    }
    return {"data": data, "layout": layout}


def journey_map_spec(
    journey: pd.DataFrame, title: str | None = "Customer journey", *, phone: bool = False
) -> dict:
    """:func:`journey_map` as a plain plotly spec (``{"data": [...], "layout": {...}}``).

    Plain lists, dicts and numbers, exactly what plotly's validation of it gives back
    (``tests/test_figure_specs.py``). A live figure widget compares it with what it shows and
    sends only the difference (:func:`kit.widgets.livefig.sync_figure`), which keeps an edit
    within its time budget; a report shows it as it is.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.
    title : str, optional
        Figure title (escaped).
    phone : bool
        Carry the phone variant as :func:`journey_map` does (a notebook's widget has no use
        for it).

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
        return empty_spec("No touchpoints yet", title)
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
            "x": ordered["position"].tolist(),
            "y": ordered["y"].tolist(),
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
                "x": part["position"].tolist(),
                "y": part["y"].tolist(),
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
            "x": mot["position"].tolist(),
            "y": mot["y"].tolist(),
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
    shapes, notes = stage_items(ordered)
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
            "tickvals": ordered["position"].tolist(),
            "ticktext": tick_labels(ordered, describe=n <= 24),
            "tickfont": {"size": tick_size(n)},
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
    spec = {"data": data, "layout": layout}
    return with_compact(spec, _compact_journey(spec, ordered)) if phone else spec
