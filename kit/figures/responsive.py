"""A figure with a compact variant for narrow screens (phones), switched by the report page.

A figure function builds its chart twice, once for a laptop-wide column and once for a phone,
and :func:`with_compact` stores both sets of the parts that differ (sizes, margins, texts, text
positions, annotations, axes, legend) in ``layout.meta["servekit"]``. The report template's
script calls ``Plotly.update`` with the set that fits the figure's width when
the page opens and whenever it is resized. Without the script (JupyterLab), the wide chart
shows. The script lives in ``kit/templates/servekit/index.html.j2`` (``sk-compact``).

A variant's height is the height of the chart's box: the script gives it to the box, and the
chart fills its box in both directions (so it also follows the page's width when the window is
resized). The figure box around the chart has no height of its own and grows with the chart
(:func:`kit.report.display.chart_box`), so a taller phone variant pushes the text below it down
instead of drawing over it.

Examples
--------
>>> import plotly.graph_objects as go
>>> wide = go.Figure(go.Scatter(x=[1], y=[1], text=["long label"]), {"height": 400})
>>> narrow = go.Figure(go.Scatter(x=[1], y=[1], text=["short"]), {"height": 500})
>>> fig = with_compact(wide, narrow)
>>> meta = fig.layout.meta["servekit"]
>>> meta["compact"]["layout"]["height"], meta["compact"]["data"]["text"]
(500, [['short']])
"""

from __future__ import annotations

from typing import Any, TypeVar

import plotly.graph_objects as go

from kit.figures.style import plain_copy

Figure = TypeVar("Figure", go.Figure, dict)

__all__ = [
    "BREAKPOINT",
    "NARROWEST_WIDE",
    "NOTEBOOK_OUTPUT",
    "NOTEBOOK_WIDTH",
    "LAYOUT_KEYS",
    "TRACE_KEYS",
    "with_compact",
]

BREAKPOINT = 860
"""Below this figure width (pixels) the compact variant is shown."""
NOTEBOOK_OUTPUT = 848
"""Width (pixels) of a notebook's output area in JupyterLab 4 at 1280x800 with the file browser
open, as a team link opens it (measured with ``servekit lab`` on the demo workshop)."""
NOTEBOOK_WIDTH = 800
"""Width (pixels) a figure widget is drawn at in a notebook (:mod:`kit.widgets.livefig`): inside
:data:`NOTEBOOK_OUTPUT`, with room for a scroll bar or a slightly wider side bar. Drawn wider, a
chart is cut at the output's right edge."""
NARROWEST_WIDE = min(BREAKPOINT, NOTEBOOK_WIDTH)
"""The narrowest width (pixels) the wide variant is drawn at: a report page shows it from
:data:`BREAKPOINT`, a notebook draws its widgets at :data:`NOTEBOOK_WIDTH` (with no script to
switch). Figures lay out the wide variant's texts for this width; wider only adds room."""
LAYOUT_KEYS = (
    "height",
    "margin",
    "annotations",
    "shapes",
    "legend",
    "xaxis",
    "yaxis",
    "title",
    "font",
)
"""Layout parts a variant sets (a figure retitled later must update both variants' titles, as
:func:`kit.figures.large.note_title` does)."""
TRACE_KEYS = ("text", "textposition", "textfont", "x", "y", "customdata", "marker", "showscale")


def _variant(fig: go.Figure | dict) -> dict[str, Any]:
    """The parts of ``fig`` a variant sets, as a copy (a spec's parts may be shared with the
    other variant, or changed later, e.g. by :func:`kit.figures.large.note_title`)."""
    spec = fig if isinstance(fig, dict) else fig.to_plotly_json()
    layout = spec.get("layout", {})
    data = spec.get("data", [])
    variant = {
        "layout": {key: layout.get(key) for key in LAYOUT_KEYS if key in layout},
        "data": {
            key: [trace.get(key) for trace in data]
            for key in TRACE_KEYS
            if any(key in trace for trace in data)
        },
    }
    return plain_copy(variant) if isinstance(fig, dict) else variant


def with_compact(wide: Figure, compact: Figure, breakpoint: int = BREAKPOINT) -> Figure:
    """``wide`` carrying both variants in ``layout.meta["servekit"]`` (same traces, same order).

    Parameters
    ----------
    wide, compact : go.Figure or dict
        The same chart drawn for a wide column and for a phone: two figures, or two plain
        specs (``{"data": [...], "layout": {...}}``) as the figure functions build them.
    breakpoint : int
        Figure width in pixels below which the compact variant shows.

    Returns
    -------
    go.Figure or dict
        ``wide``, changed in place.

    Examples
    --------
    >>> wide = {"data": [{"type": "bar", "y": [1]}], "layout": {"height": 300}}
    >>> compact = {"data": [{"type": "bar", "y": [1], "text": ["1"]}], "layout": {"height": 400}}
    >>> variants = with_compact(wide, compact)["layout"]["meta"]["servekit"]
    >>> variants["wide"], variants["compact"]["layout"]
    ({'layout': {'height': 300}, 'data': {'y': [[1]], 'text': [None]}}, {'height': 400})
    """
    wide_variant, compact_variant = _variant(wide), _variant(compact)
    traces = len(wide["data"]) if isinstance(wide, dict) else len(wide.data)
    for key in compact_variant["layout"]:
        wide_variant["layout"].setdefault(key, None)
    for key in compact_variant["data"]:
        wide_variant["data"].setdefault(key, [None] * traces)
    meta = {
        "servekit": {"breakpoint": breakpoint, "wide": wide_variant, "compact": compact_variant}
    }
    if isinstance(wide, dict):
        wide["layout"]["meta"] = meta
    else:
        wide.layout.meta = meta
    return wide
