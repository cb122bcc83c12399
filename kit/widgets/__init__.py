"""Participant editors: widgets that bind a team's workbook tables to controls, and save.

One function per editor opens it on a team of a workshop (what the notebooks in ``workshops/``
call); each returns an :class:`ipywidgets.VBox` to display, or a message saying what to fix when
the team's files cannot be opened:

=====================  =============================================  ==================
function               edits                                          figure (live)
=====================  =============================================  ==================
:func:`journey_editor`  touchpoints of the day in the life             journey map
:func:`pyramid_editor`  roles, levels, headcounts, who serves whom     inverted pyramid
:func:`needs_editor`    be/do/have needs per touchpoint, provider      (count grid)
:func:`scoring_editor`  importance/performance/be/do/have per scorer   IPA chart
:func:`plan_editor`     actions for the top priorities; reflections    priority bars
=====================  =============================================  ==================

:func:`live_figure` shows any :mod:`kit.figures` figure of the team, following its edits.

Every edit is validated by the workbook, saved at once ("saved hh:mm:ss"), can be undone, and
never overwrites a file someone else changed meanwhile (see :mod:`kit.widgets.base`).

Examples
--------
>>> import tempfile
>>> from pathlib import Path
>>> from kit.store.workshop import create_workshop
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue"])
>>> editor = journey_editor(ws.path, "Blue")
>>> editor.stage.value, editor.description.value = "Arrival", "Check-in"
>>> editor.add_button.click()
>>> (ws.path / "teams" / "blue" / "journey.csv").read_text().splitlines()[1]
'T1,Arrival,1,,Check-in,,direct,,0,false'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for readers and type checkers; at run time names load on first use
    from kit.widgets.base import Editor, Session, open_team, sync_figure
    from kit.widgets.journey import JourneyEditor, journey_editor
    from kit.widgets.needs import NeedsEditor, needs_editor
    from kit.widgets.plan import PlanEditor, plan_editor
    from kit.widgets.pyramid import PyramidEditor, pyramid_editor
    from kit.widgets.scoring import ScoringEditor, scoring_editor
    from kit.widgets.views import LiveFigure, live_figure

_HOMES = {
    "Editor": "base",
    "Session": "base",
    "open_team": "base",
    "sync_figure": "base",
    "JourneyEditor": "journey",
    "journey_editor": "journey",
    "NeedsEditor": "needs",
    "needs_editor": "needs",
    "PlanEditor": "plan",
    "plan_editor": "plan",
    "PyramidEditor": "pyramid",
    "pyramid_editor": "pyramid",
    "ScoringEditor": "scoring",
    "scoring_editor": "scoring",
    "LiveFigure": "views",
    "live_figure": "views",
}
"""Where each public name lives: ``import kit.widgets`` loads none of them, and
``from kit.widgets import journey_editor`` loads the journey editor's modules only (no
networkx, no scoring or plan code), so a notebook's first editor appears sooner."""


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use (PEP 562), then keep it here.

    Examples
    --------
    >>> import kit.widgets
    >>> kit.widgets.journey_editor.__module__
    'kit.widgets.journey'
    >>> kit.widgets.no_such_editor
    Traceback (most recent call last):
    ...
    AttributeError: module 'kit.widgets' has no attribute 'no_such_editor'
    """
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


__all__ = [
    "Editor",
    "JourneyEditor",
    "LiveFigure",
    "NeedsEditor",
    "PlanEditor",
    "PyramidEditor",
    "ScoringEditor",
    "Session",
    "journey_editor",
    "live_figure",
    "needs_editor",
    "open_team",
    "plan_editor",
    "pyramid_editor",
    "scoring_editor",
    "sync_figure",
]
