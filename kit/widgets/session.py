"""One team's workbook shared by every editor open on it in this kernel.

Editors opened on the same team folder in one kernel share one :class:`Session` (through
:func:`open_team`), and an edit in one refreshes the others, so a touchpoint added in the journey
editor appears at once in the needs editor's list. A team that cannot be opened gives
:func:`problems_panel`, a message, never a traceback. Editors open through
:func:`kit.widgets.picker.open_editor`, which every ``*_editor`` entry point calls.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from kit.exceptions import InvalidData, KitError
from kit.figures.style import PALETTE, esc
from kit.store.problems import Problem  # noqa: F401 - Problem: examples
from kit.store.workbook import Workbook

__all__ = [
    "Session",
    "close_tree",
    "open_team",
    "problems_panel",
    "team_path",
]

_SESSIONS: dict[Path, Session] = {}


class Session:
    """One team's workbook, shared by every editor open on it in this kernel.

    Parameters
    ----------
    workbook : Workbook
        The team's workbook.

    Examples
    --------
    >>> import tempfile
    >>> session = Session(Workbook.load(tempfile.mkdtemp()))
    >>> len(session.editors)
    0
    """

    def __init__(self, workbook: Workbook):
        self.wb = workbook
        self.editors: weakref.WeakSet[Any] = weakref.WeakSet()  # editors and live figures
        self._keys: dict[int, Any] = {}

    def add(self, editor: Any, key: Any) -> None:
        """Register a new editor or view; one shown earlier under the same ``key`` is closed.

        Running a notebook cell again builds a new editor; the old one's output is gone, so it
        is closed (its widgets freed) instead of being refreshed after every edit for the rest
        of the session.

        Examples
        --------
        >>> import tempfile
        >>> session = Session(Workbook.load(tempfile.mkdtemp()))
        >>> first, second = widgets.VBox(), widgets.VBox()
        >>> first.refresh = second.refresh = lambda: None
        >>> session.add(first, "journey"); session.add(second, "journey")
        >>> list(session.editors) == [second], first.comm is None
        (True, True)
        """
        for old in [e for e in self.editors if self._keys.get(id(e)) == key]:
            self.editors.discard(old)
            close_tree(old)
        self._keys[id(editor)] = key
        self.editors.add(editor)

    def changed(self, source: Any = None) -> None:
        """Refresh every editor on this workbook except ``source`` (which refreshes itself)."""
        for editor in list(self.editors):
            if editor is not source:
                editor.refresh()


def close_tree(widget: widgets.Widget) -> None:
    """Close a widget and every widget inside it (their front-end models are freed).

    Examples
    --------
    >>> inner = widgets.Text()
    >>> close_tree(widgets.VBox([inner])); inner.comm is None
    True
    """
    seen: set[int] = set()
    todo = [widget]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        todo.extend(getattr(item, "children", ()))
        # controls held as attributes (e.g. hidden ones) are closed too
        todo.extend(v for v in vars(item).values() if isinstance(v, widgets.Widget))
        item.close()


def team_path(workshop_dir: str | Path, team: str) -> Path:
    """The folder of ``team`` (slug or display name) in a workshop folder.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder (it holds ``teams/``).
    team : str
        The team's slug (folder name) or display name.

    Returns
    -------
    Path

    Raises
    ------
    kit.exceptions.WorkshopError
        When there is no such team (the message lists the teams there are).

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue & Gold"])
    >>> team_path(ws.path, "Blue & Gold").name
    'blue-gold'
    """
    from kit.store.workshop import Workshop

    return Workshop(workshop_dir).team(str(team)).path


def open_team(workshop_dir: str | Path, team: str) -> Session:
    """The shared session of a team's workbook in this kernel, read fresh from disk when idle.

    Running a notebook again re-reads files that changed on disk meanwhile, unless this kernel
    holds edits not saved yet (a conflict waiting for a choice): those are never dropped here.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    team : str
        The team's slug or display name.

    Returns
    -------
    Session

    Raises
    ------
    kit.exceptions.InvalidData
        When the team's files have errors.
    kit.exceptions.WorkshopError
        When there is no such team.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> open_team(ws.path, "a") is open_team(ws.path, "A")
    True
    """
    path = team_path(workshop_dir, team).resolve()
    session = _SESSIONS.get(path)
    if session is None:
        root = Path(workshop_dir).resolve()
        session = _SESSIONS[path] = Session(Workbook.load(path, root=root))
    elif not session.wb.changed() and session.wb.stale():
        session.wb = Workbook.load(path, root=session.wb.root)  # raises on bad data: old kept
        session.changed()
    return session


def problems_panel(error: KitError, what: str = "this team's workbook") -> widgets.HTML:
    """A friendly, escaped message widget for data that cannot be opened (never a traceback).

    Parameters
    ----------
    error : KitError
        What went wrong (:class:`~kit.exceptions.InvalidData` lists every problem).
    what : str
        What could not be opened, in words.

    Returns
    -------
    ipywidgets.HTML

    Examples
    --------
    >>> panel = problems_panel(InvalidData([Problem("journey.csv", 3, "time", "got '7.30'")]))
    >>> "journey.csv:3:time" in panel.value
    True
    """
    lines = [str(p) for p in error.problems] if isinstance(error, InvalidData) else [str(error)]
    items = "".join(f"<li><code>{esc(line)}</code></li>" for line in lines)
    return widgets.HTML(
        f"<div style='border-left:4px solid {PALETTE['vermillion']};padding:4px 10px'>"
        f"<b>Could not open {esc(what)}.</b> Fix these in the files (or ask the facilitator), "
        f"then run the notebook again:<ul>{items}</ul></div>"
    )
