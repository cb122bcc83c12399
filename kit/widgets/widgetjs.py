"""Plotly's chart widget code, loaded by the browser once a page instead of sent with each chart.

A :class:`plotly.graph_objects.FigureWidget` carries its browser code, plotly.js and all
(:func:`bundle_path`, about 5 MB), in the widget's state: every chart a notebook shows sends those
5 MB from the kernel to the browser, which then evaluates plotly.js again for each chart. A team
notebook with two charts moved 10 MB over the room's network before its first editor could show.

Under ``servekit lab`` (whose kernels have :data:`ENV` set, :func:`kit.room.lab.write_kernel_spec`)
the kit's live charts carry a loader of a few hundred bytes instead (:func:`loader`): it imports
the bundle from the room's own server (:mod:`kit.room.widgetjs` serves it at :func:`route`), so
the browser fetches it once, caches it, and evaluates it once however many charts the page
shows. A hub's team servers do the same (:mod:`kit.hub.config`). Anywhere else (a plain Jupyter
server, Voilà) a chart carries plotly's own code, as before.

Examples
--------
>>> route().startswith("servekit/plotly-widget-") and route().endswith(".js")
True
>>> bundle_path().name
'widgetbundle.js'
>>> route() in loader() and "jupyter-config-data" in loader()
True
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from importlib.metadata import version
from pathlib import Path

__all__ = ["ENV", "bundle_path", "enabled", "loader", "route"]

ENV = "SERVEKIT_WIDGET_JS"
"""Set to ``1`` in a kernel's environment when its server serves :func:`route`."""


@functools.cache
def route() -> str:
    """Where the server serves the bundle, under its base URL (versioned: a new plotly is a new
    URL, so a browser never keeps an old copy)."""
    return f"servekit/plotly-widget-{version('plotly')}.js"


def bundle_path() -> Path:
    """plotly's FigureWidget code (``plotly/package_data/widgetbundle.js``), found without
    importing plotly."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or spec.origin is None:  # pragma: no cover - plotly is a dependency
        raise ModuleNotFoundError("plotly")
    return Path(spec.origin).parent / "package_data" / "widgetbundle.js"


def enabled() -> bool:
    """True in a kernel whose server serves the bundle (:data:`ENV` is ``1``).

    Examples
    --------
    >>> os.environ.get(ENV) == "1" or not enabled()
    True
    """
    return os.environ.get(ENV) == "1"


@functools.cache
def loader() -> str:
    """The widget code a live chart carries instead of the bundle: an ES module that imports the
    bundle from the page's own server (its base URL from JupyterLab's page configuration) and
    hands on what it exports. The browser keeps one copy of a module per URL."""
    return (
        "const page = document.getElementById('jupyter-config-data');\n"
        "const base = new URL(JSON.parse(page ? page.textContent : '{}').baseUrl || '/', "
        "document.baseURI);\n"
        f"const bundle = await import(new URL({json.dumps(route())}, base).href);\n"
        "export default bundle.default;\n"
    )
