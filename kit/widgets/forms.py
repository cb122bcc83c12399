"""Form building blocks of the editors: fields bound to columns, row forms, role dropdowns.

A :class:`Field` binds one table column to one control with an error line beside it; a
:class:`RowForm` picks a row of a table, edits it field by field (each change committed through
the editor), adds and deletes rows. :func:`role_options` is the one way every editor offers a
choice of role. User text is data: labels are plain text, HTML passes through
:func:`kit.figures.style.esc`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import pandas as pd

from kit.figures.style import PALETTE, esc
from kit.formatting import shorten
from kit.store.cells import is_missing
from kit.store.schema import LEVELS, TABLES
from kit.store.workbook import cell_text

__all__ = [
    "Field",
    "NEW",
    "RowForm",
    "SERVING_LEVELS",
    "error_html",
    "labelled",
    "missing",
    "next_id",
    "role_name",
    "role_names",
    "role_options",
    "set_options",
    "shares_error_line",
]

NEW = object()
"""Value of a row picker's "new …" entry (never equal to a real row's key)."""

_TEXT_CONTROLS = (widgets.Text, widgets.Textarea, widgets.Combobox)

SERVING_LEVELS: tuple[str, ...] = tuple(level for level in LEVELS if level != "customer")
"""Levels whose roles can serve someone (every level but the customer)."""


missing = is_missing
"""True for ``None``, NaN, ``pd.NA`` and blank text (:func:`kit.store.cells.is_missing`)."""


def set_options(
    control: widgets.widget_selection._Selection, options: list[tuple[str, Any]], value: Any
) -> None:
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
        Cell value -> control value (default: :func:`kit.store.validation.cell_text` for text, the value otherwise).

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
        return widgets.HBox([self.control, self.error], layout=widgets.Layout(align_items="center"))

    def put(self, value: Any) -> None:
        """Show a cell's value in the control."""
        if self.show is not None:
            self.control.value = self.show(value)
        elif isinstance(self.control, _TEXT_CONTROLS):
            self.control.value = cell_text(value)
        else:
            self.control.value = value


def shares_error_line(fields: Mapping[str, Field], error: widgets.HTML) -> bool:
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


class RowForm:
    """Pick a row of a table, edit it field by field (autosaved), add new rows, delete rows.

    Rows are identified by the table's one-column key (``touchpoint_id``, ``role_id``,
    ``action_id``) or, for tables without one (``needs``), by their position. The picker's first
    entry is "new": the fields are then a draft and ``add_button`` commits them; with an existing
    row picked, every field change is committed at once.

    Examples
    --------
    >>> import tempfile
    >>> from kit.widgets.editor import Editor
    >>> from kit.store.workbook import Workbook
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
    editor : kit.widgets.editor.Editor
        The editor that commits.
    table : str
        Table name in :data:`kit.store.schema.TABLES`.
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

    def __init__(
        self,
        editor: Any,
        table: str,
        fields: list[Field],
        *,
        noun: str,
        label: Callable[[Mapping[str, Any]], str],
        new_row: Callable[[pd.DataFrame], dict[str, Any]],
        rows: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
        cascade: Callable[[pd.DataFrame, Any], dict[str, pd.DataFrame]] | None = None,
        complete: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
        keep: tuple[str, ...] = (),
    ):
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
        self.picker = widgets.Dropdown(
            description=f"{noun.capitalize()}:",
            layout=widgets.Layout(width="560px"),
            style={"description_width": "110px"},
        )
        self.mode = widgets.HTML("")
        self.add_button = widgets.Button(
            description=f"Add {noun}", icon="plus", button_style="success"
        )
        self.delete_button = widgets.Button(
            description=f"Delete {noun}", icon="trash", disabled=True
        )
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
        options += [
            (self.label(row), row[self.key] if self.key else int(index))
            for index, row in zip(listed.index, listed.to_dict("records"), strict=True)
        ]
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
                    if added is not None and (
                        column in self.keep or item.control.value != added[column]
                    ):
                        # Right after an add: keep what carries over to the next row, and
                        # anything typed since the click (the kernel may see it first).
                        continue
                    if column in defaults:
                        item.put(defaults[column])
                    elif isinstance(item.control, _TEXT_CONTROLS):
                        item.put(None)  # a fresh draft, not a copy of the last row shown
                self.mode.value = (
                    f"<i>New {esc(self.noun)}: fill in the fields, then click "
                    f"<b>Add {esc(self.noun)}</b>.</i>"
                )
            else:
                row = frame.loc[index]
                for column, item in self.fields.items():
                    item.put(row[column])
                self.mode.value = (
                    f"<i>Editing {esc(self.label(row))} — every change is saved as you make it.</i>"
                )
        self.add_button.disabled = index is not None
        self.delete_button.disabled = index is None

    def _picked(self, change: dict) -> None:
        if not self.editor.loading:
            self.editor.message.value = ""
            if not self.editor.check_disk():  # someone else saved: every editor refreshed
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
        if (
            self.editor.commit({self.table: edited}, fields={column: item}, what=what)
            and column == self.key
        ):
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
        if not self.editor.commit(changes, fields=self.fields, what=f"delete {self.noun} {ident}"):
            return False
        self.refresh(select=NEW)
        return True

    def box(self, *extra: widgets.Widget) -> widgets.VBox:
        """The picker, mode line, fields and buttons in one box."""
        return widgets.VBox(
            [
                self.picker,
                self.mode,
                *(f.box() for f in self.fields.values()),
                widgets.HBox([self.add_button, self.delete_button, *extra]),
            ]
        )


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
    numbers = [
        int(v[len(prefix) :]) for v in taken if v.startswith(prefix) and v[len(prefix) :].isdigit()
    ]
    number = max(numbers, default=0) + 1
    while f"{prefix}{number}" in taken:  # pragma: no cover - only with odd ids
        number += 1
    return f"{prefix}{number}"


def role_options(
    roles: pd.DataFrame,
    *,
    blank: str = "— no role named —",
    case_roles: pd.DataFrame | None = None,
    serving: bool = False,
) -> list[tuple[str, str]]:
    """Dropdown options for choosing a role: front line first, then by level and name.

    The one way every editor offers a choice of role (served by, provider, owner, edges).

    Parameters
    ----------
    roles : pandas.DataFrame
        The ``roles`` table.
    blank : str
        Label of the "none" entry (value ``""``).
    case_roles : pandas.DataFrame, optional
        The case's reference roles: those not in ``roles`` follow, marked "from the case".
    serving : bool
        Offer only roles that can serve someone (not the customer): for "served by", a need's
        provider and an action's owner.

    Returns
    -------
    list of (label, role_id)

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["gm", "desk"], "name": ["Manager", "Front desk"],
    ...                       "level": ["manager", "frontline"]})
    >>> role_options(roles)
    [('— no role named —', ''), ('Front desk · frontline', 'desk'), ('Manager · manager', 'gm')]
    >>> case = pd.DataFrame({"role_id": ["desk", "cook"], "name": ["Desk", "Cook"],
    ...                      "level": ["frontline", "support"]})
    >>> role_options(roles.iloc[:0], case_roles=case)[1:]
    [('Desk · frontline · from the case', 'desk'), ('Cook · support · from the case', 'cook')]
    >>> guest = pd.DataFrame({"role_id": ["guest"], "name": ["Guest"], "level": ["customer"]})
    >>> [v for _, v in role_options(pd.concat([roles, guest]), serving=True)]
    ['', 'desk', 'gm']
    """
    rank = {level: i for i, level in enumerate(LEVELS)}
    order = {"frontline": -1}

    def ordered(frame: pd.DataFrame) -> list[Any]:
        if serving:
            frame = frame[frame["level"].astype(str).isin(SERVING_LEVELS)]
        return sorted(
            frame.itertuples(index=False),
            key=lambda r: (order.get(r.level, rank.get(r.level, 9)), str(r.name)),
        )

    names = role_names(roles)
    options = [(blank, "")] + [
        (f"{names[str(r.role_id)]} · {r.level}", str(r.role_id)) for r in ordered(roles)
    ]
    if case_roles is not None and len(case_roles):
        own = {str(v) for v in roles["role_id"]}
        extra = case_roles[~case_roles["role_id"].astype(str).isin(own)]
        names = role_names(extra)
        options += [
            (f"{names[str(r.role_id)]} · {r.level} · from the case", str(r.role_id))
            for r in ordered(extra)
        ]
    return options


def role_name(roles: pd.DataFrame, role_id: Any, width: int = 40) -> str:
    """What a participant reads for a role: its display name, not its id.

    The id follows in brackets only when two roles share the name; a role without a name (or
    an id not in ``roles``) shows the id. Missing ids give ``""``.

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["desk", "desk2", "gm", "x"],
    ...                       "name": ["Front desk agent", "Front desk agent", "Manager", None]})
    >>> [role_name(roles, r) for r in ["gm", "desk", "x", "nobody", None]]
    ['Manager', 'Front desk agent (desk)', 'x', 'nobody', '']
    """
    if missing(role_id):
        return ""
    return role_names(roles, width).get(str(role_id), str(role_id))


def role_names(roles: pd.DataFrame, width: int = 40) -> dict[str, str]:
    """Every role's :func:`role_name` by id, worked out in one pass over ``roles``.

    For lists and charts that name many roles (a lookup per row would scan the table each time).

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["desk", "desk2", "gm", "x"],
    ...                       "name": ["Front desk agent", "Front desk agent", "Manager", None]})
    >>> role_names(roles)
    {'desk': 'Front desk agent (desk)', 'desk2': 'Front desk agent (desk2)', 'gm': 'Manager', 'x': 'x'}
    """
    ids = roles["role_id"].astype(str).tolist()
    names = roles["name"].tolist()
    shared = Counter(str(name) for name in names)
    found: dict[str, str] = {}
    for role_id, name in zip(ids, names, strict=True):
        if role_id in found:
            continue  # the first row of an id names it
        if missing(name) or not str(name).strip():
            found[role_id] = role_id
        elif shared[str(name)] > 1:
            found[role_id] = f"{shorten(name, width)} ({role_id})"
        else:
            found[role_id] = shorten(name, width)
    return found
