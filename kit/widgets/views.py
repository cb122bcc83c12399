"""Read-only live views: a :mod:`kit.figures` figure of a team that follows the team's edits.

A notebook shows, say, the service blueprint under the journey editor; every edit made in any
editor open on the same team (in this kernel) updates the view in place.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import plotly.graph_objects as go

from kit.store.schema import TABLES
from kit.widgets.base import (
    Session,
    figure_widget,
    open_editor,
    sync_figure,
)

__all__ = ["LiveFigure", "live_figure"]


class LiveFigure(widgets.VBox):
    """A figure of some of a team's tables, redrawn in place when the team's tables change.

    Parameters
    ----------
    session : Session
        The team's shared workbook (see :func:`kit.widgets.base.open_team`).
    function : callable
        A :mod:`kit.figures` function taking the tables positionally.
    tables : tuple of str
        Table names passed to ``function`` in this order.
    **options
        Keyword arguments for ``function``.

    Attributes
    ----------
    figure : plotly.graph_objects.FigureWidget

    Examples
    --------
    >>> import tempfile
    >>> from kit.figures.journey import journey_map
    >>> from kit.store.workbook import Workbook
    >>> view = LiveFigure(Session(Workbook.load(tempfile.mkdtemp())), journey_map, ("journey",))
    >>> view.figure.layout.annotations[0].text
    'No touchpoints yet'
    """

    def __init__(
        self,
        session: Session,
        function: Callable[..., go.Figure],
        tables: tuple[str, ...],
        **options: Any,
    ):
        unknown = [t for t in tables if t not in TABLES]
        if unknown:
            raise ValueError(f"unknown table(s) {unknown}; expected some of: {', '.join(TABLES)}")
        self.session = session
        self.function = function
        self.tables = tables
        self.options = options
        self.figure = figure_widget(self._make())
        super().__init__([self.figure])
        session.add(self, (getattr(function, "__qualname__", repr(function)), tables))

    def _make(self) -> go.Figure:
        wb = self.session.wb
        return self.function(*(wb[name] for name in self.tables), **self.options)

    def refresh(self) -> None:
        """Redraw from the team's current tables (in place)."""
        sync_figure(self.figure, self._make())


def live_figure(
    workshop_dir: str | Path,
    team: str,
    function: Callable[..., go.Figure],
    *tables: str,
    **options: Any,
) -> LiveFigure | widgets.HTML:
    """Show ``function(*tables, **options)`` for a team, following the team's edits.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    team : str
        The team's slug or display name.
    function : callable
        A figure function from :mod:`kit.figures`.
    *tables : str
        Names of the tables it takes, in order (e.g. ``"journey", "roles", "serves"``).
    **options
        Keyword arguments for ``function``.

    Returns
    -------
    LiveFigure
        Or a message saying what to fix when the team cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> from kit.figures.blueprint import blueprint_figure
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> view = live_figure(ws.path, "A", blueprint_figure, "journey", "roles", "serves")
    >>> type(view).__name__
    'LiveFigure'
    """
    return open_editor(LiveFigure, workshop_dir, team, function, tables, **options)
