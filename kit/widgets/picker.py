"""How an editor opens (:func:`open_editor`), and a team picker for notebooks opened without a
team (``team = ""``).

The notebooks in ``workshops/`` ship with ``team = ""``: run there, every editor and live figure
first shows a dropdown of the workshop's teams. Choosing a team in any of them replaces *all* the
pickers of that workshop in this kernel with the real editors (one choice per notebook, not one
per cell), and later cells run in the same kernel open that team directly. A ``workshop_dir``
that is not a workshop folder gives one clear message instead.

Team names are shown as dropdown option text (never as markup); anything in an
:class:`ipywidgets.HTML` goes through :func:`kit.figures.style.esc`.

Examples
--------
>>> import tempfile
>>> from kit.store.workshop import create_workshop
>>> from kit.widgets.journey import JourneyEditor
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue", "Gold"])
>>> picker = team_picker(JourneyEditor, ws.path)
>>> picker.dropdown.options
(('— choose your team —', ''), ('Blue', 'blue'), ('Gold', 'gold'))
>>> picker.dropdown.value = "gold"
>>> type(picker.children[0]).__name__, picker.children[0].session.wb.path.name
('JourneyEditor', 'gold')
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from kit.exceptions import KitError, WorkshopError
from kit.figures.style import esc
from kit.store.workshop import Workshop, is_workshop
from kit.widgets.editor import Editor
from kit.widgets.focus import focus_when_shown
from kit.widgets.session import close_tree, open_team, problems_panel

__all__ = [
    "PROMPT",
    "TeamPicker",
    "choose",
    "open_editor",
    "team_picker",
    "workshop_problem",
]

_CHOSEN: dict[Path, str] = {}
"""Workshop folder (resolved) -> the team chosen in this kernel."""
_WAITING: dict[Path, dict[str, TeamPicker]] = {}
"""Workshop folder (resolved) -> pickers still waiting for a choice, in the order shown, by what
they stand for (running a cell again replaces its waiting picker)."""

PROMPT = "— choose your team —"


def workshop_problem(workshop_dir: str | Path) -> str:
    """Why ``workshop_dir`` cannot be used as a workshop folder, or ``""`` when it can.

    Examples
    --------
    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> workshop_problem(folder).endswith("expected the folder 'servekit new' made (ask your "
    ...                                   "facilitator for your team's notebook link)")
    True
    """
    path = Path(workshop_dir)
    shown = f"workshop_dir {str(workshop_dir)!r}"
    if str(path.resolve()) != str(workshop_dir):
        shown += f" (here: {path.resolve()})"
    if not path.exists():
        why = "does not exist"
    elif not path.is_dir():
        why = "is a file, not a folder"
    elif not is_workshop(path):
        why = "is not a workshop folder: it has no workshop.yaml and no teams/ folder"
    elif not Workshop(path).teams():
        why = "has no teams yet (add them with 'servekit new DIR --force --team NAME')"
    else:
        return ""
    return (
        f"{shown} {why}; expected the folder 'servekit new' made (ask your facilitator "
        f"for your team's notebook link)"
    )


class TeamPicker(widgets.VBox):
    """A dropdown of the workshop's teams standing in for an editor until a team is chosen.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder (must hold teams).
    opener : callable
        ``opener(slug)`` returns the widget to show for that team (the editor).
    """

    def __init__(self, workshop_dir: str | Path, opener: Callable[[str], widgets.Widget]):
        self.key = Path(workshop_dir).resolve()
        self.opener = opener
        names = Workshop(workshop_dir).team_names()
        self.dropdown = widgets.Dropdown(
            options=[(PROMPT, "")] + [(name, slug) for slug, name in names.items()],
            value="",
            description="Your team:",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"),
        )
        self.hint = widgets.HTML(
            "<b>Which team are you?</b> Choose it once: the editors of this notebook open for "
            "that team and every edit is saved in its folder "
            f"(<code>{esc(self.key.name)}/teams/…</code>)."
        )
        super().__init__([self.hint, self.dropdown])
        self.add_class("servekit-picker")
        self.dropdown.observe(self._picked, "value")

    def _picked(self, change: dict[str, Any]) -> None:
        if change["new"]:
            choose(self.key, change["new"])

    def opening(self, slug: str) -> None:
        """Say which team is being opened (building an editor takes a moment)."""
        self.dropdown.unobserve(self._picked, "value")
        name = dict((value, label) for label, value in self.dropdown.options).get(slug, slug)
        self.children = [widgets.HTML(f"<i>Opening {esc(name)}…</i>")]

    def show(self, slug: str) -> None:
        """Replace the picker with the team's widget."""
        with contextlib.suppress(ValueError):  # already stopped listening in opening()
            self.dropdown.unobserve(self._picked, "value")
        self.children = [self.opener(slug)]
        self.remove_class("servekit-picker")


def choose(workshop_dir: str | Path, slug: str) -> None:
    """Choose ``slug`` for a workshop in this kernel: every waiting picker opens its editor.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> from kit.widgets.journey import JourneyEditor
    >>> from kit.widgets.needs import NeedsEditor
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue", "Gold"])
    >>> first, second = team_picker(JourneyEditor, ws.path), team_picker(NeedsEditor, ws.path)
    >>> choose(ws.path, "blue")
    >>> [type(p.children[0]).__name__ for p in (first, second)]
    ['JourneyEditor', 'NeedsEditor']
    >>> type(team_picker(JourneyEditor, ws.path)).__name__   # later cells: straight in
    'JourneyEditor'
    """
    key = Path(workshop_dir).resolve()
    _CHOSEN[key] = slug
    waiting = list(_WAITING.pop(key, {}).values())
    for picker in waiting:  # at once, while the editors are built one after the other
        picker.opening(slug)
    for picker in waiting:
        picker.show(slug)


def team_picker(editor: Any, workshop_dir: str | Path, *args: Any, **options: Any) -> Any:
    """Open ``editor`` for the team chosen in a picker (what ``open_editor`` does for ``team=""``).

    Parameters
    ----------
    editor : type
        The editor (or live view) class, as for :func:`open_editor`.
    workshop_dir : path-like
        The workshop folder.
    *args, **options
        Passed on to the editor.

    Returns
    -------
    TeamPicker, the editor, or an HTML message
        A picker; the editor itself once a team was chosen in this kernel; a message when
        ``workshop_dir`` is not a usable workshop folder.

    Examples
    --------
    >>> import tempfile
    >>> panel = team_picker(object, tempfile.mkdtemp())
    >>> "is not a workshop folder" in panel.value
    True
    """
    problem = workshop_problem(workshop_dir)
    if problem:
        return problems_panel(WorkshopError(problem), "the workshop")

    def opener(slug: str) -> Any:
        return open_editor(editor, workshop_dir, slug, *args, **options)

    key = Path(workshop_dir).resolve()
    chosen = _CHOSEN.get(key)
    if chosen and (key / "teams" / chosen).is_dir():
        return opener(chosen)
    picker = TeamPicker(workshop_dir, opener)
    waiting = _WAITING.setdefault(key, {})
    what = repr((editor, args, sorted(options.items())))
    old = waiting.pop(what, None)
    if old is not None:  # the same cell run again: its old picker is gone from the page
        close_tree(old)
    waiting[what] = picker
    return picker


def open_editor(
    editor: Any, workshop_dir: str | Path, team: str, *args: Any, **options: Any
) -> Any:
    """Open ``editor`` (an editor class) on a team, or a panel saying what to fix.

    What every ``*_editor`` entry point does: a team that cannot be opened (unknown name, data
    errors) gives a message in the notebook, never a traceback.

    Examples
    --------
    >>> import tempfile
    >>> panel = open_editor(object, tempfile.mkdtemp(), "nobody")
    >>> type(panel).__name__
    'HTML'
    """
    # An editor (or the picker in front of it) brings itself into view when first shown:
    # after Run All, JupyterLab is scrolled to the last cell. Live figures stay where they are.
    into_view = (
        focus_when_shown if isinstance(editor, type) and issubclass(editor, Editor) else None
    )
    if not str(team or "").strip():  # no team set (workshops/): a picker of the teams
        widget = team_picker(editor, workshop_dir, *args, **options)
    else:
        try:
            widget = editor(open_team(workshop_dir, team), *args, **options)
        except KitError as exc:
            return problems_panel(exc, f"team {team!r}")
    return into_view(widget) if into_view else widget
