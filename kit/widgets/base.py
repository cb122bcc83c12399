"""What every participant editor shares: open a team, commit an edit, autosave, undo, conflicts.

An editor is an :class:`ipywidgets.VBox` bound to one team's :class:`~kit.workbook.Workbook`.
Every edit goes through :meth:`Editor.commit`, which

1. replaces the table(s) with ``wb[name] = frame`` — the workbook validates against the other
   tables and refuses bad data (the problem is shown next to the field, nothing reaches disk);
2. remembers the previous tables, so :meth:`Editor.undo` can put them back (and save);
3. saves at once with :meth:`Workbook.save` and shows ``saved hh:mm:ss``;
4. on :class:`~kit.problems.ConflictError` (the file changed on disk since it was read — another
   notebook or person saved it) shows a banner offering **Reload theirs** (read the folder again,
   dropping this edit) or **Keep mine** (``save(force=True)``), and overwrites nothing until one
   is chosen.

Editors opened on the same team folder in one kernel share one workbook (:func:`open_team`), and
an edit in one refreshes the others, so a touchpoint added in the journey editor appears at once
in the needs editor's list.

Widgets only bind tables to controls: analyses and figures come from :mod:`kit`. User text is
data: anything shown in an :class:`ipywidgets.HTML` passes through :func:`kit.figures.style.esc`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import weakref
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go
from plotly.utils import PlotlyJSONEncoder

from kit.figures.style import PALETTE, esc
from kit.problems import ConflictError, InvalidData, KitError, Problem, errors
from kit.schema import TABLES
from kit.workbook import Workbook, cell_text

NEW = object()
"""Value of a row picker's "new …" entry (never equal to a real row's key)."""

_SESSIONS: dict[Path, Session] = {}
_TEXT_CONTROLS = (widgets.Text, widgets.Textarea, widgets.Combobox)


# --------------------------------------------------------------------------- sessions
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

    def changed(self, source: Editor | None = None) -> None:
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
    kit.workshop.WorkshopError
        When there is no such team (the message lists the teams there are).

    Examples
    --------
    >>> import tempfile
    >>> from kit.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue & Gold"])
    >>> team_path(ws.path, "Blue & Gold").name
    'blue-gold'
    """
    from kit.workshop import Workshop

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
    kit.problems.InvalidData
        When the team's files have errors.
    kit.workshop.WorkshopError
        When there is no such team.

    Examples
    --------
    >>> import tempfile
    >>> from kit.workshop import create_workshop
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


def open_editor(editor: Any, workshop_dir: str | Path, team: str, *args: Any,
                **options: Any) -> Any:
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
    try:
        return editor(open_team(workshop_dir, team), *args, **options)
    except KitError as exc:
        return problems_panel(exc, f"team {team!r}")


def problems_panel(error: KitError, what: str = "this team's workbook") -> widgets.HTML:
    """A friendly, escaped message widget for data that cannot be opened (never a traceback).

    Parameters
    ----------
    error : KitError
        What went wrong (:class:`~kit.problems.InvalidData` lists every problem).
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


# --------------------------------------------------------------------------- small helpers
def missing(value: Any) -> bool:
    """True for ``None``, NaN, ``pd.NA`` and blank text.

    Examples
    --------
    >>> missing(None), missing(float("nan")), missing(" "), missing(0)
    (True, True, True, False)
    """
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def text_of(value: Any) -> str:
    """A cell as the text a field shows (``""`` when missing; ``4`` rather than ``4.0``).

    Examples
    --------
    >>> text_of(4.0), text_of(None), text_of("desk")
    ('4', '', 'desk')
    """
    return "" if missing(value) else cell_text(value)


def short(value: Any, width: int = 48) -> str:
    """Plain text cut to ``width`` characters with an ellipsis (for dropdown labels).

    Examples
    --------
    >>> short("Check-in at the front desk with a smile", 20)
    'Check-in at the fro…'
    """
    text = " ".join(text_of(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def set_options(control: widgets.widget_selection._Selection, options: list[tuple[str, Any]],
                value: Any) -> None:
    """Replace a dropdown's options keeping ``value`` selected when it is still offered.

    Examples
    --------
    >>> box = widgets.Dropdown(options=[("a", "a"), ("b", "b")], value="b")
    >>> set_options(box, [("b", "b"), ("c", "c")], "b"); box.value
    'b'
    >>> set_options(box, [("c", "c")], "b"); box.value
    'c'
    """
    values = [v for _, v in options]
    if list(control.options) != options:
        control.options = options
    if any(value is v or (v is not NEW and value is not NEW and value == v) for v in values):
        control.value = value
    elif options:
        control.value = values[0]


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except (ValueError, TypeError):  # numpy arrays and the like
        return json.dumps(a, cls=PlotlyJSONEncoder) == json.dumps(b, cls=PlotlyJSONEncoder)


FIGURE_WIDTH = 940
"""Pixels a figure widget is drawn at (a JupyterLab output area with the side bar open).

Without a width plotly draws a widget at its 700 px default, because the output area has no size
yet when the widget first renders; the journey map's labels then overlap.
"""


def figure_widget(figure: go.Figure, width: int = FIGURE_WIDTH) -> go.FigureWidget:
    """Show a :mod:`kit.figures` figure as a widget that can be updated in place.

    Parameters
    ----------
    figure : go.Figure
        The figure (not changed).
    width : int
        Width in pixels, unless the figure sets its own.

    Returns
    -------
    go.FigureWidget

    Examples
    --------
    >>> figure_widget(go.Figure()).layout.width
    940
    """
    shown = go.FigureWidget(figure)
    if shown.layout.width is None:
        shown.layout.width = width
    return shown


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


# --------------------------------------------------------------------------- fields
@dataclass
class Field:
    """One column of a table bound to one control, with an error line next to it.

    Parameters
    ----------
    column : str
        The table column.
    control : ipywidgets.ValueWidget
        The control the participant edits.
    read : callable, optional
        Control value -> cell value (default: the value itself).
    show : callable, optional
        Cell value -> control value (default: :func:`text_of` for text, the value otherwise).

    Examples
    --------
    >>> item = Field("headcount", widgets.Text())
    >>> item.put(4.0); item.control.value
    '4'
    """

    column: str
    control: widgets.ValueWidget
    read: Callable[[Any], Any] = lambda value: value
    show: Callable[[Any], Any] | None = None
    error: widgets.HTML = field(default_factory=lambda: widgets.HTML(""))

    def box(self) -> widgets.HBox:
        """The control and its error line side by side."""
        return widgets.HBox([self.control, self.error],
                            layout=widgets.Layout(align_items="center"))

    def put(self, value: Any) -> None:
        """Show a cell's value in the control."""
        if self.show is not None:
            self.control.value = self.show(value)
        elif isinstance(self.control, _TEXT_CONTROLS):
            self.control.value = text_of(value)
        else:
            self.control.value = value


def _shared(fields: Mapping[str, Field], error: widgets.HTML) -> bool:
    """True when several fields show their problems in one error line (say which column)."""
    return sum(1 for f in fields.values() if f.error is error) > 1


def error_html(messages: list[str]) -> str:
    """Escaped error lines in the kit's error style (empty string when there are none).

    Examples
    --------
    >>> error_html(["got <b>; expected a time"])
    "<span style='color:#D55E00'>⚠ got &lt;b&gt;; expected a time</span>"
    """
    if not messages:
        return ""
    body = "<br>".join("⚠ " + esc(m) for m in messages)
    return f"<span style='color:{PALETTE['vermillion']}'>{body}</span>"


# --------------------------------------------------------------------------- the editor base
@dataclass
class _Snapshot:
    tables: dict[str, pd.DataFrame]
    reflections: dict[str, str] | None
    what: str


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
        self.undo_button = widgets.Button(description="Undo last edit", icon="undo",
                                          disabled=True, tooltip="Put back what the last edit "
                                          "changed (and save)")
        self.undo_button.on_click(lambda _: self.undo())
        self.conflict_text = widgets.HTML("")
        self.reload_button = widgets.Button(description="Reload theirs", icon="refresh",
                                            button_style="warning",
                                            tooltip="Drop your unsaved edit and show the version "
                                            "on disk")
        self.keep_button = widgets.Button(description="Keep mine", icon="save",
                                          button_style="danger",
                                          tooltip="Save your version over theirs (theirs stays "
                                          "in .history/)")
        self.reload_button.on_click(lambda _: self.reload_theirs())
        self.keep_button.on_click(lambda _: self.keep_mine())
        self.conflict = widgets.VBox(
            [self.conflict_text, widgets.HBox([self.reload_button, self.keep_button])],
            layout=widgets.Layout(display="none", border=f"2px solid {PALETTE['vermillion']}",
                                  padding="6px", margin="4px 0"))
        self.toolbar = widgets.HBox([self.undo_button, self.status],
                                    layout=widgets.Layout(align_items="center"))
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
        heading = widgets.HTML(f"<h3 style='margin:4px 0'>{esc(self.title)}</h3>")
        self.children = (heading, self.conflict, self.toolbar, self.message, *parts)

    def refresh(self) -> None:
        """Show the workbook's current tables (subclasses fill their controls and figures)."""
        for form in self.forms:
            form.refresh()

    # -- committing ----------------------------------------------------------------------------
    def commit(self, tables: Mapping[str, pd.DataFrame] | None = None, *,
               reflections: Mapping[str, str] | None = None,
               fields: Mapping[str, Field] | None = None, what: str = "edit") -> bool:
        """Validate and apply an edit, remember it for undo, and save.

        Parameters
        ----------
        tables : mapping of str to DataFrame, optional
            New tables, applied in this order (delete children before parents).
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
        applied: list[str] = []
        try:
            for name, frame in tables.items():
                wb[name] = frame
                applied.append(name)
        except InvalidData as exc:
            for name in reversed(applied):
                wb[name] = before[name]
            self.show_problems(exc.problems, fields, table=name)
            return False
        same = all(wb.tables[n].equals(before[n]) for n in tables)
        if reflections is not None:
            same = same and all(old_answers.get(k, "") == v for k, v in reflections.items())
        if same:  # nothing changed (the tables now in place equal the ones before)
            return True
        if reflections is not None:
            for key, answer in reflections.items():
                wb.set_reflection(key, answer)
        self._undo.append(_Snapshot(before, old_answers if reflections is not None else None,
                                    what))
        self.undo_button.disabled = False
        self.save(what=what)
        self.refresh()
        self.session.changed(self)
        return True

    def show_problems(self, problems: list[Problem], fields: Mapping[str, Field] | None = None,
                      table: str | None = None) -> None:
        """Show problems next to their field, the rest in the editor's message line."""
        fields = fields or {}
        own = TABLES[table].filename if table else None
        shown: dict[int, tuple[widgets.HTML, list[str]]] = {}
        rest: list[str] = []
        for problem in errors(problems):
            mine = own is not None and problem.path.endswith(own)
            if mine and problem.column in fields:
                error = fields[problem.column].error
                label = f"{problem.column}: " if _shared(fields, error) else ""
                shown.setdefault(id(error), (error, []))[1].append(label + problem.message)
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
    def save(self, *, force: bool = False, what: str = "edit") -> bool:
        """Save the workbook now; show the time, or the conflict banner. Returns True if saved.

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
        >>> editor.keep_button.click()  # or reload_button: "Reload theirs"
        >>> editor.conflict.layout.display, (folder / "reflections.yaml").read_text()
        ('none', 'first_step: mine\\n')
        """
        try:
            written = self.wb.save(force=force)
        except ConflictError as exc:
            self.conflict_text.value = (
                f"<b>⚠ Not saved: someone else changed <code>{esc(exc.table)}</code> since you "
                f"opened it</b> (another notebook or person saved it). Your {esc(what)} is kept "
                f"here, not on disk. Choose: <b>Reload theirs</b> (show their version and drop "
                f"yours) or <b>Keep mine</b> (save yours; theirs stays in "
                f"<code>.history/</code>).")
            self.conflict.layout.display = "flex"
            self._status(f"not saved: conflict on {exc.table}", error=True)
            return False
        except (InvalidData, OSError) as exc:
            self._status(f"not saved: {exc}", error=True)
            return False
        self.conflict.layout.display = "none"
        if written:
            self.saved_at = dt.datetime.now()
            self._status(f"saved {self.saved_at:%H:%M:%S}")
        return True

    def _status(self, text: str, *, error: bool = False) -> None:
        colour = PALETTE["vermillion"] if error else PALETTE["green"]
        self.status.value = f"<span style='color:{colour}'>{'⚠ ' if error else '✓ '}" \
                            f"{esc(text)}</span>"

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
        now = {name: wb[name] for name in snapshot.tables}
        applied: list[str] = []
        try:
            for name in reversed(list(snapshot.tables)):
                wb[name] = snapshot.tables[name]
                applied.append(name)
        except InvalidData as exc:
            for name in reversed(applied):
                wb[name] = now[name]
            self._undo.append(snapshot)
            self.message.value = error_html([f"Cannot undo {snapshot.what}: " + str(p)
                                             for p in errors(exc.problems)])
            return False
        if snapshot.reflections is not None:
            wb.reflections.clear()
            wb.reflections.update(snapshot.reflections)
        self.message.value = ""
        self.undo_button.disabled = not self._undo
        self.save(what=f"undo of {snapshot.what}")
        self.refresh()
        self.session.changed(self)
        return True


# --------------------------------------------------------------------------- row forms
class RowForm:
    """Pick a row of a table, edit it field by field (autosaved), add new rows, delete rows.

    Rows are identified by the table's one-column key (``touchpoint_id``, ``role_id``,
    ``action_id``) or, for tables without one (``needs``), by their position. The picker's first
    entry is "new": the fields are then a draft and ``add_button`` commits them; with an existing
    row picked, every field change is committed at once.

    Examples
    --------
    >>> import tempfile
    >>> editor = Editor(Workbook.load(tempfile.mkdtemp()))
    >>> name = Field("name", widgets.Text())
    >>> level = Field("level", widgets.Dropdown(options=["customer", "frontline"]))
    >>> form = RowForm(editor, "roles", [name, level], noun="role",
    ...                label=lambda row: row["name"], new_row=lambda t: {"role_id": "guest"})
    >>> name.control.value, level.control.value = "Hotel guest", "customer"
    >>> form.add_button.click()
    >>> form.picker.value = "guest"
    >>> name.control.value = "Guest"  # an existing row: saved at once
    >>> editor.wb["roles"][["role_id", "name"]].values.tolist()
    [['guest', 'Guest']]

    Parameters
    ----------
    editor : Editor
        The editor that commits.
    table : str
        Table name in :data:`kit.schema.TABLES`.
    fields : list of Field
        The editable columns.
    noun : str
        What a row is called ("touchpoint").
    label : callable
        Row (a mapping) -> plain-text picker label.
    new_row : callable
        Current table -> defaults for a new row (columns not in ``fields``, e.g. ids, order).
    rows : callable, optional
        Current table -> the rows this form lists (default: all).
    cascade : callable, optional
        ``(table, identity) -> {other table: new frame}``: rows of other tables to delete with a
        row (applied before the row's own table, in one undoable edit).
    complete : callable, optional
        New row -> new row, before it is added (e.g. derive an id from a name).
    keep : tuple of str
        Columns whose values stay in the form for the next new row after an add (the stage of
        a touchpoint, say); the other fields start afresh.
    """

    def __init__(self, editor: Editor, table: str, fields: list[Field], *, noun: str,
                 label: Callable[[Mapping[str, Any]], str],
                 new_row: Callable[[pd.DataFrame], dict[str, Any]],
                 rows: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
                 cascade: Callable[[pd.DataFrame, Any], dict[str, pd.DataFrame]] | None = None,
                 complete: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
                 keep: tuple[str, ...] = ()):
        self.editor = editor
        self.table = table
        self.fields = {f.column: f for f in fields}
        self.noun = noun
        self.label = label
        self.new_row = new_row
        self.rows = rows
        self.cascade = cascade
        self.complete = complete
        self.keep = tuple(keep)
        editor.forms.append(self)
        self._added: dict[str, Any] | None = None
        spec = TABLES[table]
        self.key = spec.key[0] if len(spec.key) == 1 else None
        self.picker = widgets.Dropdown(description=f"{noun.capitalize()}:",
                                       layout=widgets.Layout(width="560px"),
                                       style={"description_width": "110px"})
        self.mode = widgets.HTML("")
        self.add_button = widgets.Button(description=f"Add {noun}", icon="plus",
                                         button_style="success")
        self.delete_button = widgets.Button(description=f"Delete {noun}", icon="trash",
                                            disabled=True)
        self.picker.observe(self._picked, "value")
        self.add_button.on_click(lambda _: self.add())
        self.delete_button.on_click(lambda _: self.delete())
        for item in self.fields.values():
            item.control.observe(lambda change, c=item.column: self._changed(c), "value")
        self.refresh(select=NEW)

    # -- rows ---------------------------------------------------------------------------------
    def _listed(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self.rows(frame) if self.rows is not None else frame

    def _ident(self, frame: pd.DataFrame, index: Any) -> Any:
        return frame.at[index, self.key] if self.key else int(index)

    def _locate(self, frame: pd.DataFrame, ident: Any) -> Any:
        """Index of the row with identity ``ident`` in ``frame`` (None when gone)."""
        if ident is NEW or ident is None:
            return None
        if self.key:
            hits = frame.index[frame[self.key].astype(str) == str(ident)]
            return hits[0] if len(hits) else None
        return ident if ident in frame.index else None

    @property
    def selected(self) -> Any:
        """Identity of the picked row (key or position), or :data:`NEW`."""
        return self.picker.value

    def refresh(self, select: Any = None) -> None:
        """Re-list the rows, keep (or change to ``select``) the picked one, refill the fields."""
        frame = self.editor.wb[self.table]
        listed = self._listed(frame)
        options = [(f"+ new {self.noun}", NEW)]
        options += [(self.label(row), row[self.key] if self.key else int(index))
                    for index, row in zip(listed.index, listed.to_dict("records"), strict=True)]
        wanted = self.picker.value if select is None else select
        with self.editor.quiet():
            set_options(self.picker, options, wanted)
        self._fill()

    def _fill(self) -> None:
        frame = self.editor.wb[self.table]
        index = self._locate(frame, self.picker.value)
        with self.editor.quiet():
            for item in self.fields.values():
                item.error.value = ""
            if index is None:
                defaults = self.new_row(frame)
                added = self._added
                for column, item in self.fields.items():
                    if added is not None and (column in self.keep
                                              or item.control.value != added[column]):
                        # Right after an add: keep what carries over to the next row, and
                        # anything typed since the click (the kernel may see it first).
                        continue
                    if column in defaults:
                        item.put(defaults[column])
                    elif isinstance(item.control, _TEXT_CONTROLS):
                        item.put(None)  # a fresh draft, not a copy of the last row shown
                self.mode.value = (f"<i>New {esc(self.noun)}: fill in the fields, then click "
                                   f"<b>Add {esc(self.noun)}</b>.</i>")
            else:
                row = frame.loc[index]
                for column, item in self.fields.items():
                    item.put(row[column])
                self.mode.value = (f"<i>Editing {esc(self.label(row))} — every change is saved "
                                   f"as you make it.</i>")
        self.add_button.disabled = index is not None
        self.delete_button.disabled = index is None

    def _picked(self, change: dict) -> None:
        if not self.editor.loading:
            self.editor.message.value = ""
            self._fill()

    # -- edits --------------------------------------------------------------------------------
    def values(self) -> dict[str, Any]:
        """The fields' values as cells."""
        return {c: f.read(f.control.value) for c, f in self.fields.items()}

    def _changed(self, column: str) -> None:
        if self.editor.loading:
            return
        frame = self.editor.wb[self.table]
        index = self._locate(frame, self.picker.value)
        if index is None:
            self.fields[column].error.value = ""
            return  # a draft: committed by add()
        item = self.fields[column]
        edited = frame.astype(object)
        edited.at[index, column] = item.read(item.control.value)
        what = f"change of {column} of {self.noun} {self._ident(frame, index)}"
        if self.editor.commit({self.table: edited}, fields={column: item}, what=what) and \
                column == self.key:
            self.refresh(select=self._ident(self.editor.wb[self.table], index))  # renamed

    def add(self) -> bool:
        """Commit the draft as a new row (what the Add button does). True when accepted."""
        frame = self.editor.wb[self.table]
        if self._locate(frame, self.picker.value) is not None:
            return False
        row = {**self.new_row(frame), **self.values()}
        if self.complete is not None:
            row = self.complete(row)
        new = pd.DataFrame([row], columns=list(frame.columns), dtype=object)
        edited = pd.concat([frame.astype(object), new], ignore_index=True)
        ident = row.get(self.key) if self.key else len(frame)
        what = f"add {self.noun} {ident if self.key else ''}".strip()
        self._added = {c: self.fields[c].control.value for c in self.fields}
        try:
            accepted = self.editor.commit({self.table: edited}, fields=self.fields, what=what)
        finally:
            self._added = None
        if accepted and self.picker.value is not NEW:  # pragma: no cover - editors refresh
            self.refresh(select=NEW)
        return accepted

    def delete(self) -> bool:
        """Delete the picked row (what the Delete button does). True when accepted."""
        frame = self.editor.wb[self.table]
        index = self._locate(frame, self.picker.value)
        if index is None:
            return False
        ident = self._ident(frame, index)
        changes = self.cascade(frame, ident) if self.cascade else {}
        changes[self.table] = frame.drop(index=index).reset_index(drop=True)
        if not self.editor.commit(changes, fields=self.fields,
                                  what=f"delete {self.noun} {ident}"):
            return False
        self.refresh(select=NEW)
        return True

    def box(self, *extra: widgets.Widget) -> widgets.VBox:
        """The picker, mode line, fields and buttons in one box."""
        return widgets.VBox([
            self.picker, self.mode, *(f.box() for f in self.fields.values()),
            widgets.HBox([self.add_button, self.delete_button, *extra]),
        ])


def labelled(control: widgets.Widget, description: str, width: str = "420px") -> widgets.Widget:
    """Give a control a description and the editors' common widths.

    Examples
    --------
    >>> labelled(widgets.Text(), "Stage:").description
    'Stage:'
    """
    control.description = description
    control.style = {"description_width": "110px"}
    if getattr(control.layout, "width", None) is None:
        control.layout.width = width
    return control


def next_id(existing: Any, prefix: str) -> str:
    """The next free id ``<prefix><n>`` after the largest number used with that prefix.

    Examples
    --------
    >>> next_id(["T1", "T9", "X2"], "T")
    'T10'
    >>> next_id([], "A")
    'A1'
    """
    taken = {str(v) for v in existing if not missing(v)}
    numbers = [int(v[len(prefix):]) for v in taken
               if v.startswith(prefix) and v[len(prefix):].isdigit()]
    number = max(numbers, default=0) + 1
    while f"{prefix}{number}" in taken:  # pragma: no cover - only with odd ids
        number += 1
    return f"{prefix}{number}"
