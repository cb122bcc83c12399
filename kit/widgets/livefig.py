"""Live figures: a :mod:`kit.figures` figure shown as a widget and updated in place after edits.

:func:`sync_figure` patches a displayed :class:`plotly.graph_objects.FigureWidget` to look like a
fresh figure, sending only what changed, so an edit redraws the changed traces rather than the
whole output.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from kit.figures.responsive import NOTEBOOK_WIDTH

__all__ = ["FIGURE_WIDTH", "figure_widget", "sync_figure"]


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except (ValueError, TypeError):  # numpy arrays and the like
        return json.dumps(a, cls=PlotlyJSONEncoder) == json.dumps(b, cls=PlotlyJSONEncoder)


FIGURE_WIDTH = NOTEBOOK_WIDTH
"""Pixels a figure widget is drawn at: :data:`kit.figures.responsive.NOTEBOOK_WIDTH`, inside a
JupyterLab output area at 1280x800 with the file browser open (848 px; drawn at 940 px a chart
was cut at its right edge).

Without a width plotly draws a widget at its 700 px default, because the output area has no size
yet when the widget first renders; the journey map's labels then overlap.
"""


def figure_widget(figure: go.Figure | dict, width: int = FIGURE_WIDTH) -> go.FigureWidget:
    """Show a :mod:`kit.figures` figure as a widget that can be updated in place.

    Parameters
    ----------
    figure : go.Figure or dict
        The figure, or its plain spec (e.g. :func:`kit.figures.ipa.ipa_spec`); not changed.
    width : int
        Width in pixels, unless the figure sets its own.

    Returns
    -------
    go.FigureWidget

    Examples
    --------
    >>> figure_widget(go.Figure()).layout.width
    800
    """
    shown = _figure_widget_class()(figure)
    if shown.layout.width is None:
        shown.layout.width = width
    return shown


@functools.cache
def _served_class() -> type:
    from kit.widgets.widgetjs import loader

    # anywidget takes a subclass's _esm as the code its browser side runs
    return type("FigureWidget", (go.FigureWidget,), {"_esm": loader()})


def _figure_widget_class() -> type:
    """plotly's FigureWidget, or under ``servekit lab`` the same widget whose browser code
    comes from the room's server (:mod:`kit.widgets.widgetjs`)."""
    from kit.widgets.widgetjs import enabled

    return _served_class() if enabled() else go.FigureWidget


def sync_figure(target: go.FigureWidget, fresh: go.Figure | dict) -> None:
    """Update a displayed figure in place to look like ``fresh``, sending only what changed.

    Traces are updated property by property (one batched message to the browser); only when
    the number, type or names of the traces change are traces replaced. The widget itself is
    never recreated, so the page does not redraw the whole output.

    Parameters
    ----------
    target : go.FigureWidget
        The figure on screen (changed in place).
    fresh : go.Figure or dict
        The figure it should now show (from a :mod:`kit.figures` function), or its plain spec
        (``{"data": [...], "layout": {...}}``, e.g. :func:`kit.figures.journey.journey_map_spec`):
        a spec skips validating the parts that did not change.

    Examples
    --------
    >>> shown = go.FigureWidget(go.Figure(go.Scatter(name="a", x=[0], y=[1])))
    >>> sync_figure(shown, go.Figure(go.Scatter(name="a", x=[0, 1], y=[1, 2])))
    >>> list(shown.data[0].x)
    [0, 1]
    """
    if isinstance(fresh, dict):
        new_traces = [{"type": "scatter"} | dict(t) for t in fresh.get("data", [])]
        new_layout = dict(fresh.get("layout", {}))
    else:
        new_traces = [t.to_plotly_json() for t in fresh.data]
        new_layout = fresh.layout.to_plotly_json()
    shape = [(t.get("type"), t.get("name")) for t in new_traces]
    if [(t.type, t.name) for t in target.data] != shape:
        with target.batch_update():
            target.data = ()
        target.add_traces(new_traces)
    else:
        with target.batch_update():
            for trace, new in zip(target.data, new_traces, strict=True):
                old = trace.to_plotly_json()
                patch = {k: v for k, v in new.items() if k != "uid" and not _same(old.get(k), v)}
                patch |= {k: None for k in old if k not in new and k not in ("uid", "type")}
                if patch:
                    trace.update(patch, overwrite=True)
    old_layout = target.layout.to_plotly_json()
    if "width" not in new_layout and "width" in old_layout:
        new_layout["width"] = old_layout["width"]  # the display width stays
    patch = {k: v for k, v in new_layout.items() if not _same(old_layout.get(k), v)}
    patch |= {k: None for k in old_layout if k not in new_layout}
    if patch:
        with target.batch_update():
            target.layout.update(patch, overwrite=True)
