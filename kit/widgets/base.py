"""What every participant editor shares: open a team, commit an edit, autosave, undo, conflicts.

An editor is an :class:`ipywidgets.VBox` bound to one team's :class:`~kit.store.workbook.Workbook`.
Every edit goes through :meth:`Editor.commit`, which

1. replaces the table(s) with :meth:`Workbook.set_tables` — all at once or not at all; the
   workbook validates against the other tables and refuses bad data (the problem is shown next
   to the field, nothing reaches disk);
2. remembers the tables before and after, so :meth:`Editor.undo` can take back exactly that
   edit, row by row, keeping what others saved since;
3. saves at once with :meth:`Workbook.save`, which merges row by row with what others saved
   meanwhile (the editor then shows their rows too, and says so) and shows ``saved hh:mm:ss``;
4. when someone else changed the *same row* differently (:class:`kit.exceptions.RowConflict`) shows a
   banner with both values, offering **Reload theirs** (drop this edit) or **Keep mine** (this
   editor's values for those rows only; every other row of theirs stays), and overwrites nothing
   until one is chosen;
5. when the team on disk plus this edit would be invalid (:class:`kit.exceptions.TeamWouldBreak`:
   a touchpoint deleted here that someone just gave a need) says why and offers to delete the
   dependent rows too.

Editors opened on the same team folder in one kernel share one workbook (:func:`open_team`), and
an edit in one refreshes the others, so a touchpoint added in the journey editor appears at once
in the needs editor's list.

Widgets only bind tables to controls: analyses and figures come from :mod:`kit`. User text is
data: anything shown in an :class:`ipywidgets.HTML` passes through :func:`kit.figures.style.esc`.


The parts live in their own modules — :mod:`kit.widgets.session` (sessions, opening editors),
:mod:`kit.widgets.livefig` (live figures), :mod:`kit.widgets.editor` (the editor base) and
:mod:`kit.widgets.forms` (fields, row forms, role choices); this module gathers their names so
``from kit.widgets.base import …`` keeps working.
"""

from __future__ import annotations

from kit.widgets.editor import Editor
from kit.widgets.forms import (
    NEW,
    SERVING_LEVELS,
    Field,
    RowForm,
    error_html,
    labelled,
    missing,
    next_id,
    role_options,
    set_options,
)
from kit.widgets.livefig import FIGURE_WIDTH, figure_widget, sync_figure
from kit.widgets.picker import open_editor
from kit.widgets.session import (
    Session,
    close_tree,
    open_team,
    problems_panel,
    team_path,
)

__all__ = [
    "FIGURE_WIDTH",
    "NEW",
    "SERVING_LEVELS",
    "Editor",
    "Field",
    "RowForm",
    "Session",
    "close_tree",
    "error_html",
    "figure_widget",
    "labelled",
    "missing",
    "next_id",
    "open_editor",
    "open_team",
    "problems_panel",
    "role_options",
    "set_options",
    "sync_figure",
    "team_path",
]
