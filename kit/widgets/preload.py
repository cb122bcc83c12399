"""Load the participant editors' modules while a kernel starts, before anyone clicks Run All.

``servekit lab`` starts every ``python3`` kernel with this module as an IPython extension
(``--ext=kit.widgets.preload``, see :mod:`kit.room.lab`). JupyterLab starts a notebook's kernel
as soon as the notebook opens, and a participant reads the notebook's first lines before
choosing *Run ▸ Run All Cells*: the seconds of imports (pandas, plotly, ipywidgets, the team
schema and the editors) are spent then, and Run All only opens the team and draws.

Nothing is added to the participant's namespace; an import that fails is left for the cell
that needs it to report.

Examples
--------
>>> import sys
>>> load_ipython_extension(None)
>>> all(name in sys.modules for name in EDITOR_MODULES)
True
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any

__all__ = ["EDITOR_MODULES", "load_ipython_extension"]

EDITOR_MODULES = (
    "kit.widgets.journey",
    "kit.widgets.pyramid",
    "kit.widgets.needs",
    "kit.widgets.scoring",
    "kit.widgets.plan",
    "kit.widgets.views",
)
"""What the participant notebooks' cells import (with pandas, plotly and ipywidgets)."""


def load_ipython_extension(ipython: Any) -> None:
    """Import :data:`EDITOR_MODULES` into the kernel (IPython's extension hook)."""
    for name in EDITOR_MODULES:
        with contextlib.suppress(Exception):  # the notebook's own cell reports the problem
            importlib.import_module(name)
