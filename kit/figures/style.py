"""Shared look of every figure: colour-blind-safe palette, symbols, fonts and text escaping."""

from __future__ import annotations

import html
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

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
"""Plotly's ``simple_white`` layout without its per-trace-type defaults: copying those into every
figure cost ~30 ms, which a live widget edit cannot afford (``benchmarks/bench_widgets.py``)."""

if TEMPLATE not in pio.templates:
    pio.templates[TEMPLATE] = go.layout.Template(layout=pio.templates["simple_white"].layout)


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


def layout_defaults(title: str | None = None, *, height: int = 480) -> dict:
    """The kit's common layout as a plain dict (for figures assembled from a spec in one go).

    Examples
    --------
    >>> layout_defaults("A & B")["title"]["text"]
    'A &amp; B'
    """
    layout = {
        "template": TEMPLATE,
        "font": {"family": FONT, "size": 13},
        "margin": {"l": 60, "r": 30, "t": 60 if title else 30, "b": 50},
        "height": height,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
    }
    if title:
        layout["title"] = {"text": esc(title), "x": 0.01, "xanchor": "left"}
    return layout


def base_layout(fig: go.Figure, title: str | None = None, *, height: int = 480) -> go.Figure:
    """Apply the kit's common layout (font, margins, white background, escaped title).

    Parameters
    ----------
    fig : go.Figure
        The figure to style (changed in place and returned).
    title : str, optional
        Plain-text title; it is escaped here.
    height : int
        Figure height in pixels.

    Returns
    -------
    go.Figure

    Examples
    --------
    >>> fig = base_layout(go.Figure(), "A & B")
    >>> fig.layout.title.text
    'A &amp; B'
    """
    fig.update_layout(layout_defaults(title, height=height))
    return fig


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
    fig = go.Figure()
    base_layout(fig, title, height=height)
    fig.update_layout(
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[{"text": esc(message), "xref": "paper", "yref": "paper", "x": 0.5,
                      "y": 0.5, "showarrow": False,
                      "font": {"size": 18, "color": PALETTE["grey"]}}],
    )
    return fig
