"""The base of every participant editor: commit, autosave, merge, undo, conflict banner.

See :mod:`kit.widgets.base` for how an edit travels from a control to the disk.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path  # noqa: F401 - used in the examples

import ipywidgets as widgets
import pandas as pd
from markupsafe import escape

from kit.exceptions import ConflictError, InvalidData, KitError, RowConflict, TeamWouldBreak
from kit.figures.style import PALETTE, esc
from kit.store.problems import Problem, errors
from kit.store.schema import TABLES
from kit.store.workbook import Workbook
from kit.widgets.forms import Field, RowForm, error_html, shares_error_line
from kit.widgets.session import Session

__all__ = ["EDITOR_CSS", "Editor", "fit_buttons"]


@dataclass
class _Snapshot:
    tables: dict[str, pd.DataFrame]
    reflections: dict[str, str] | None
    what: str
    after: dict[str, pd.DataFrame] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)


class Editor(widgets.VBox):
    """Base of the participant editors: commit, autosave, undo, conflict banner, messages.

    Subclasses build their controls, call :meth:`commit` for every edit and implement
    :meth:`refresh` (show the workbook's current tables in the controls and figures).

    Parameters
    ----------
    workbook : Workbook or Session
        The team's workbook (a :class:`Session` when opened through :func:`open_team`).

    Attributes
    ----------
    status : ipywidgets.HTML
        "saved hh:mm:ss", "not saved: …" or "no edits yet".
    message : ipywidgets.HTML
        Problems not tied to one field (escaped).
    conflict : ipywidgets.VBox
        The conflict banner (hidden unless a save met a file changed on disk).
    reload_button, keep_button, undo_button : ipywidgets.Button
    saved_at : datetime.datetime or None
        When the last save wrote something.

    Examples
    --------
    A bare editor committing one table (the real editors add controls and call this):

    >>> import tempfile
    >>> editor = Editor(Workbook.load(tempfile.mkdtemp()))
    >>> roles = pd.DataFrame([{"role_id": "guest", "name": "Guest", "level": "customer"}])
    >>> editor.commit({"roles": roles}, what="add role guest")
    True
    >>> "saved" in editor.status.value, len(editor.wb["roles"])
    (True, 1)
    >>> editor.commit({"roles": roles.assign(level="boss")})  # refused, nothing saved
    False
    >>> "level" in editor.message.value
    True
    >>> editor.undo(), len(editor.wb["roles"])
    (True, 0)
    """

    title = "Editor"

    def __init__(self, workbook: Workbook | Session):
        super().__init__()
        self.session = workbook if isinstance(workbook, Session) else Session(workbook)
        self.session.add(self, type(self).__name__)
        self._quiet = 0
        self._undo: list[_Snapshot] = []
        self.forms: list[RowForm] = []  # refreshed by the default refresh()
        self.saved_at: dt.datetime | None = None
        self.status = widgets.HTML("<span style='color:#666'>no edits yet</span>")
        self.message = widgets.HTML("")
        self.undo_button = widgets.Button(
            description="Undo last edit",
            icon="undo",
            disabled=True,
            tooltip="Put back what the last edit changed (and save)",
        )
        self.undo_button.on_click(lambda _: self.undo())
        self.conflict_text = widgets.HTML("")
        self.reload_button = widgets.Button(
            description="Reload theirs",
            icon="refresh",
            button_style="warning",
            tooltip="Drop your unsaved edit and show the version on disk",
        )
        self.keep_button = widgets.Button(
            description="Keep mine",
            icon="save",
            button_style="danger",
            tooltip="Save your version over theirs (theirs stays in .history/)",
        )
        self.cascade_button = widgets.Button(
            description="Delete those too",
            icon="trash",
            button_style="warning",
            layout=widgets.Layout(display="none", width="auto"),
            tooltip="Also delete the rows that depend on what your edit removes, then save",
        )
        self.reload_button.on_click(lambda _: self.reload_theirs())
        self.keep_button.on_click(lambda _: self.keep_mine())
        self.cascade_button.on_click(lambda _: self.save(cascade=True))
        self.conflict = widgets.VBox(
            [
                self.conflict_text,
                widgets.HBox([self.reload_button, self.keep_button, self.cascade_button]),
            ],
            layout=widgets.Layout(
                display="none",
                border=f"2px solid {PALETTE['vermillion']}",
                padding="6px",
                margin="4px 0",
            ),
        )
        self.toolbar = widgets.HBox(
            [self.undo_button, self.status], layout=widgets.Layout(align_items="center")
        )
        self.add_class("servekit-editor")

    # -- convenience ----------------------------------------------------------------------------
    @property
    def wb(self) -> Workbook:
        """The team's workbook."""
        return self.session.wb

    @contextlib.contextmanager
    def quiet(self) -> Iterator[None]:
        """Change controls from code without their observers treating it as a user edit."""
        self._quiet += 1
        try:
            yield
        finally:
            self._quiet -= 1

    @property
    def loading(self) -> bool:
        """True while controls are being filled from the workbook (ignore value changes)."""
        return self._quiet > 0

    def layout_parts(self, *parts: widgets.Widget) -> None:
        """Set the editor's children: title, conflict banner, toolbar, message, then ``parts``."""
        team = self.wb.name or self.wb.path.name
        heading = widgets.HTML(
            f"<div class='servekit-editing' style='color:#555'>Editing: <b>{escape(team)}</b>"
            f"</div><h3 style='margin:4px 0'>{esc(self.title)}</h3>{EDITOR_CSS}"
        )
        heading.add_class("servekit-editor-heading")
        self.children = (heading, self.conflict, self.toolbar, self.message, *parts)
        fit_buttons(self)

    def refresh(self) -> None:
        """Show the workbook's current tables (subclasses fill their controls and figures)."""
        for form in self.forms:
            form.refresh()

    # -- committing ----------------------------------------------------------------------------
    def commit(
        self,
        tables: Mapping[str, pd.DataFrame] | None = None,
        *,
        reflections: Mapping[str, str] | None = None,
        fields: Mapping[str, Field] | None = None,
        what: str = "edit",
    ) -> bool:
        """Validate and apply an edit, remember it for undo, and save.

        Parameters
        ----------
        tables : mapping of str to DataFrame, optional
            New tables, checked and applied together (all or none).
        reflections : mapping, optional
            Reflection answers to set (question key -> text).
        fields : mapping of str to Field, optional
            Column -> field of the edited table: a problem in that column is shown next to it.
        what : str
            Words for the status line ("add touchpoint T7").

        Returns
        -------
        bool
            True when the edit was accepted (saved, or waiting on a conflict choice); False when
            it was refused (the problems are shown; the workbook and the files are unchanged).

        Examples
        --------
        >>> import tempfile
        >>> editor = Editor(Workbook.load(tempfile.mkdtemp()))
        >>> editor.commit(reflections={"first_step": "Book the room"})
        True
        >>> editor.wb.reflections
        {'first_step': 'Book the room'}
        """
        tables = dict(tables or {})
        self._clear_errors(fields)
        wb = self.wb
        before = {name: wb[name] for name in tables}
        old_answers = dict(wb.reflections)
        try:
            wb.set_tables(tables)
        except InvalidData as exc:
            self.show_problems(exc.problems, fields, table=next(reversed(tables), None))
            return False
        same = all(wb.tables[n].equals(before[n]) for n in tables)
        if reflections is not None:
            same = same and all(old_answers.get(k, "") == v for k, v in reflections.items())
        if same:  # nothing changed (the tables now in place equal the ones before)
            return True
        if reflections is not None:
            for key, answer in reflections.items():
                wb.set_reflection(key, answer)
        self._undo.append(
            _Snapshot(
                before,
                old_answers if reflections is not None else None,
                what,
                {n: wb[n] for n in tables},
                dict(wb.reflections),
            )
        )
        self.undo_button.disabled = False
        self.save(what=what)
        self.refresh()
        self.session.changed(self)
        return True

    def show_problems(
        self,
        problems: list[Problem],
        fields: Mapping[str, Field] | None = None,
        table: str | None = None,
    ) -> None:
        """Show problems next to their field, the rest in the editor's message line."""
        fields = fields or {}
        own = TABLES[table].filename if table else None
        shown: dict[int, tuple[widgets.HTML, list[str]]] = {}
        rest: list[str] = []
        for problem in errors(problems):
            mine = own is not None and problem.path.endswith(own)
            if mine and problem.column in fields:
                error = fields[problem.column].error
                label = f"{problem.column}: " if shares_error_line(fields, error) else ""
                # Next to a control, not in a spreadsheet: no "cell" (a box, a slider).
                text = problem.message.replace("this cell is blank", "left blank", 1)
                shown.setdefault(id(error), (error, []))[1].append(label + text)
            else:
                rest.append(str(problem))
        for error, messages in shown.values():
            error.value = error_html(messages)
        if rest:
            self.message.value = error_html(["Not saved: " + rest[0], *rest[1:]])

    def _clear_errors(self, fields: Mapping[str, Field] | None) -> None:
        self.message.value = ""
        for item in (fields or {}).values():
            item.error.value = ""

    # -- saving, conflicts, undo --------------------------------------------------------------
    def save(self, *, force: bool = False, cascade: bool = False, what: str = "edit") -> bool:
        """Save the workbook now; show the time, or the conflict banner. Returns True if saved.

        Rows someone else saved meanwhile are merged in (and shown); only the same row changed
        differently on both sides stops the save and shows both values.

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> editor, other = Editor(Workbook.load(folder)), Workbook.load(folder)
        >>> other.set_reflection("first_step", "theirs"); _ = other.save()
        >>> editor.commit(reflections={"first_step": "mine"})  # kept here, not saved
        True
        >>> editor.conflict.layout.display, (folder / "reflections.yaml").read_text()
        ('flex', 'first_step: theirs\\n')
        >>> print(editor.conflict_text.value.split("<li>")[1].split("</li>")[0])
        reflections.yaml, first_step: theirs &#x27;theirs&#x27;, yours &#x27;mine&#x27;
        >>> editor.keep_button.click()  # or reload_button: "Reload theirs"
        >>> editor.conflict.layout.display, (folder / "reflections.yaml").read_text()
        ('none', 'first_step: mine\\n')
        """
        self.cascade_button.layout.display = "none"
        self.keep_button.layout.display = self.reload_button.layout.display = None
        try:
            written = self.wb.save(force=force, cascade=cascade)
        except RowConflict as exc:
            items = "".join(f"<li>{esc(str(c))}</li>" for c in exc.clashes[:10])
            more = f"<li>… {len(exc.clashes) - 10} more</li>" if len(exc.clashes) > 10 else ""
            same = (
                "the same row since you opened it"
                if len(exc.clashes) == 1
                else "the same rows since you opened them"
            )
            self.conflict_text.value = (
                f"<b>⚠ Not saved: someone else changed {same}</b> "
                f"(another notebook or person saved them). Your {esc(what)} is kept here, not on "
                f"disk. Their value and yours:<ul>{items}{more}</ul>Choose: <b>Reload theirs</b> "
                f"(show their version and drop yours) or <b>Keep mine</b> (save yours for these "
                f"rows; every other change of theirs is kept, and their version stays in "
                f"<code>.history/</code>)."
            )
            self.conflict.layout.display = "flex"
            self._status(f"not saved: conflict on {exc.table}", error=True)
            return False
        except TeamWouldBreak as exc:
            items = "".join(f"<li>{esc(str(p))}</li>" for p in errors(exc.problems)[:10])
            offer = exc.offer_text()
            self.conflict_text.value = (
                f"<b>⚠ Not saved: with what others saved meanwhile, your {esc(what)} would leave "
                f"the team's tables inconsistent</b>:<ul>{items}</ul>"
                + (
                    f"Choose <b>Delete those too</b> to {esc(offer)}, or <b>Reload theirs</b> to "
                    f"drop your edit."
                    if offer
                    else "Choose <b>Reload theirs</b> to drop your edit, or undo it."
                )
            )
            self.keep_button.layout.display = "none"
            self.cascade_button.layout.display = None if offer else "none"
            self.cascade_button.description = "Delete those too"
            self.conflict.layout.display = "flex"
            self._status(f"not saved: {offer or 'the team would be invalid'}", error=True)
            return False
        except ConflictError as exc:  # pragma: no cover - every save conflict is a RowConflict
            self._status(f"not saved: {exc}", error=True)
            return False
        except (KitError, OSError) as exc:
            self._status(f"not saved: {exc}", error=True)
            return False
        self.conflict.layout.display = "none"
        others = sorted(set(self.wb.merged) | set(self.wb.refreshed))
        if written or others:
            self.saved_at = dt.datetime.now()
            note = f" — with changes someone else saved in {', '.join(others)}" if others else ""
            self._status(f"saved {self.saved_at:%H:%M:%S}{note}")
        if others:
            for editor in [self, *self.session.editors]:
                if editor is not self and isinstance(editor, Editor):
                    editor.conflict.layout.display = "none"
            self.refresh()
            self.session.changed(self)
        return True

    def check_disk(self) -> bool:
        """Notice files someone else saved since this editor read them, before the next edit.

        With no unsaved edit here the team is read again and every editor refreshed; otherwise
        the status line says so (the next save merges row by row). Returns True when something
        changed on disk.

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> editor, other = Editor(Workbook.load(folder)), Workbook.load(folder)
        >>> other.set_reflection("first_step", "theirs"); _ = other.save()
        >>> editor.check_disk(), editor.wb.reflections
        (True, {'first_step': 'theirs'})
        """
        try:
            stale = self.wb.stale()
        except OSError:  # pragma: no cover - disk trouble
            return False
        if not stale:
            return False
        if self.wb.changed():
            self._status(
                f"someone else saved {', '.join(stale)}: your next save merges "
                f"their rows with yours"
            )
            return True
        try:
            self.session.wb.reload()
        except KitError as exc:  # pragma: no cover - reload never raises on bad data
            self._status(f"could not read their version: {exc}", error=True)
            return True
        if errors(self.wb.problems):
            self._status(
                "someone else saved files with errors: " + str(errors(self.wb.problems)[0]),
                error=True,
            )
        else:
            self._status(
                f"updated {dt.datetime.now():%H:%M:%S}: someone else saved {', '.join(stale)}"
            )
        self.refresh()
        self.session.changed(self)
        return True

    def _status(self, text: str, *, error: bool = False) -> None:
        colour = PALETTE["vermillion"] if error else PALETTE["green"]
        self.status.value = (
            f"<span style='color:{colour}'>{'⚠ ' if error else '✓ '}{esc(text)}</span>"
        )

    def reload_theirs(self) -> None:
        """Drop unsaved edits and read the team's files again (the conflict's "Reload theirs")."""
        try:
            self.wb.reload()
        except OSError as exc:  # pragma: no cover - disk trouble
            self._status(f"could not reload: {exc}", error=True)
            return
        for editor in [self, *self.session.editors]:
            if not isinstance(editor, Editor):
                continue
            editor._undo.clear()
            editor.undo_button.disabled = True
            editor.conflict.layout.display = "none"
            editor.message.value = ""
        self._status(f"reloaded their version {dt.datetime.now():%H:%M:%S}")
        self.refresh()
        self.session.changed(self)

    def keep_mine(self) -> None:
        """Save this kernel's version over the one on disk (the conflict's "Keep mine")."""
        self.save(force=True)

    def undo(self) -> bool:
        """Put back the tables as they were before the last accepted edit, and save.

        Returns
        -------
        bool
            False when there is nothing to undo or the old tables no longer fit the others
            (e.g. a need was added to a touchpoint whose adding is being undone): the message
            says why and the edit stays undoable.
        """
        if not self._undo:
            return False
        snapshot = self._undo.pop()
        wb = self.wb
        try:
            wb.revert(snapshot.tables, snapshot.after)
        except (InvalidData, RowConflict) as exc:
            self._undo.append(snapshot)
            reasons = errors(exc.problems) if isinstance(exc, InvalidData) else exc.clashes
            self.message.value = error_html(
                [f"Cannot undo {snapshot.what}: " + str(p) for p in reasons]
            )
            return False
        if snapshot.reflections is not None:
            for key in set(snapshot.reflections) | set(snapshot.answers):
                if wb.reflections.get(key) != snapshot.answers.get(key):
                    continue  # changed again since (by someone else): theirs stays
                if key in snapshot.reflections:
                    wb.reflections[key] = snapshot.reflections[key]
                else:
                    wb.reflections.pop(key, None)
        self.message.value = ""
        self.undo_button.disabled = not self._undo
        self.save(what=f"undo of {snapshot.what}")
        self.refresh()
        self.session.changed(self)
        return True


EDITOR_CSS = (
    "<style>.servekit-editor textarea{font-family:var(--jp-ui-font-family,"
    "system-ui,sans-serif);font-size:14px;line-height:1.45}</style>"
)
"""Typed answers in a proportional font (a browser's textarea defaults to monospace)."""


def fit_buttons(widget: widgets.Widget) -> None:
    """Size every button under ``widget`` to its label (no label cut to "Delete tou…").

    Examples
    --------
    >>> box = widgets.VBox([widgets.HBox([widgets.Button(description="Save as our pyramid")])])
    >>> fit_buttons(box)
    >>> box.children[0].children[0].layout.width
    'auto'
    """
    stack = [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, widgets.Button) and w.layout.width is None:
            w.layout.width = "auto"
        stack.extend(getattr(w, "children", ()))
