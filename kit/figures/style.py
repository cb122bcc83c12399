"""Shared look of every figure: colour-blind-safe palette, symbols, fonts and text escaping."""

from __future__ import annotations

import copy
import html
import json
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

__all__ = [
    "CONTACT_SYMBOLS",
    "FONT",
    "KIND_COLOURS",
    "LEVEL_COLOURS",
    "LEVEL_SYMBOLS",
    "PALETTE",
    "TEMPLATE",
    "empty_figure",
    "empty_spec",
    "esc",
    "layout_defaults",
    "new_figure",
    "plain_copy",
]

PALETTE: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
    "grey": "#999999",
}
"""Okabe-Ito colours (distinguishable with the common colour-vision deficiencies)."""

LEVEL_COLOURS: dict[str, str] = {
    "customer": PALETTE["orange"],
    "frontline": PALETTE["blue"],
    "support": PALETTE["green"],
    "manager": PALETTE["purple"],
    "executive": PALETTE["grey"],
}
LEVEL_SYMBOLS: dict[str, str] = {
    "customer": "star",
    "frontline": "circle",
    "support": "square",
    "manager": "diamond",
    "executive": "triangle-up",
}
CONTACT_SYMBOLS: dict[str, str] = {"direct": "circle", "indirect": "circle-open"}
KIND_COLOURS: dict[str, str] = {
    "be": PALETTE["purple"],
    "do": PALETTE["blue"],
    "have": PALETTE["green"],
}
FONT = "Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
TEMPLATE = "servekit"
"""Plotly's ``simple_white`` look for 2-D charts, and nothing else.

Every figure copies its template, so the template is kept small: simple_white's per-trace-type
defaults cost ~30 ms a figure (too slow for a live widget edit, ``benchmarks/bench_widgets.py``)
and its settings for maps, polar, 3-D and ternary plots, which the kit never draws, cost a
third of what remains (``benchmarks/bench_report.py``)."""

_TEMPLATE_KEYS = (
    "annotationdefaults",
    "autotypenumbers",
    "coloraxis",
    "colorway",
    "font",
    "hoverlabel",
    "hovermode",
    "paper_bgcolor",
    "plot_bgcolor",
    "shapedefaults",
    "title",
    "xaxis",
    "yaxis",
)

if TEMPLATE not in pio.templates:
    _white = pio.templates["simple_white"].layout.to_plotly_json()
    pio.templates[TEMPLATE] = go.layout.Template(
        layout={key: _white[key] for key in _TEMPLATE_KEYS if key in _white}
    )
_TEMPLATE_SPEC = pio.templates[TEMPLATE].to_plotly_json()
"""The template as plain data: figures take a copy (cheaper than plotly's copy of a named
template) and a live figure compares equal to it, so an update never resends it."""


def esc(value: Any) -> str:
    """Escape user text for a plotly label, hover or title.

    Plotly interprets a small set of HTML tags (``<b>``, ``<br>``, ``<a>``…) in text it draws,
    so user text must be escaped before it reaches a figure. Missing values become ``""``.

    Parameters
    ----------
    value : Any
        Text typed by a user (team name, description, role name…).

    Returns
    -------
    str
        The text with ``& < > " '`` escaped.

    Examples
    --------
    >>> esc("<img src=x onerror=alert(1)>")
    '&lt;img src=x onerror=alert(1)&gt;'
    >>> esc(None)
    ''
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return html.escape(str(value), quote=True)


def plain_copy(value: Any) -> Any:
    """A deep copy of plain figure data (dicts, lists, strings, numbers), through JSON: several
    times faster than :func:`copy.deepcopy`; anything else is copied by :func:`copy.deepcopy`.

    Examples
    --------
    >>> spec = {"layout": {"title": {"text": "A"}}}
    >>> copied = plain_copy(spec)
    >>> copied == spec, copied["layout"]["title"] is spec["layout"]["title"]
    (True, False)
    """
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError):  # numpy numbers, tuples of objects…
        return copy.deepcopy(value)


def layout_defaults(title: str | None = None, *, height: int = 480) -> dict:
    """The kit's common layout as a plain dict (for figures assembled from a spec in one go).

    Examples
    --------
    >>> layout_defaults("A & B")["title"]["text"]
    'A &amp; B'
    """
    layout = {
        "template": plain_copy(_TEMPLATE_SPEC),
        "font": {"family": FONT, "size": 13},
        "margin": {"l": 60, "r": 30, "t": 60 if title else 30, "b": 50},
        "height": height,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }
    if title:
        layout["title"] = {"text": esc(title), "x": 0.01, "xanchor": "left"}
    return layout


def new_figure(data: Any = None, title: str | None = None, *, height: int = 480) -> go.Figure:
    """A new figure with the kit's common layout (font, margins, white background, escaped title).

    The layout is given at construction, which skips plotly's default template: applying the
    kit's layout to an existing figure instead (``update_layout``) copies that template in and
    then replaces it, 15 ms a figure rather than 3 ms.

    Parameters
    ----------
    data : trace or list of traces, optional
        The figure's traces.
    title : str, optional
        Plain-text title; it is escaped here.
    height : int
        Figure height in pixels.

    Returns
    -------
    go.Figure

    Examples
    --------
    >>> fig = new_figure(go.Bar(x=[1], y=[2]), "A & B", height=300)
    >>> fig.layout.title.text, fig.layout.height, fig.layout.template.layout.plot_bgcolor
    ('A &amp; B', 300, 'white')
    """
    return go.Figure(data=data, layout=layout_defaults(title, height=height))


def empty_spec(message: str, title: str | None = None, *, height: int = 360) -> dict:
    """:func:`empty_figure` as a plain plotly spec (``{"data": [], "layout": {...}}``).

    Examples
    --------
    >>> empty_spec("No <b>scores</b> yet")["layout"]["annotations"][0]["text"]
    'No &lt;b&gt;scores&lt;/b&gt; yet'
    """
    layout = layout_defaults(title, height=height)
    layout["xaxis"] = {"visible": False}
    layout["yaxis"] = {"visible": False}
    layout["annotations"] = [
        {
            "text": esc(message),
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": 0.5,
            "showarrow": False,
            "font": {"size": 18, "color": PALETTE["grey"]},
        }
    ]
    return {"data": [], "layout": layout}


def empty_figure(message: str, title: str | None = None, *, height: int = 360) -> go.Figure:
    """A figure with no data and a friendly centred message (for empty or unfinished tables).

    Parameters
    ----------
    message : str
        Plain text such as "No touchpoints yet" (escaped here).
    title : str, optional
        Figure title.
    height : int
        Height in pixels.

    Returns
    -------
    go.Figure

    Examples
    --------
    >>> empty_figure("No touchpoints yet").layout.annotations[0].text
    'No touchpoints yet'
    """
    return go.Figure(empty_spec(message, title, height=height))
