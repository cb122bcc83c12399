"""The journey editor: the customer's day in the life, touchpoint by touchpoint.

Pick a touchpoint to edit it (each change is saved at once), or fill in a new one and click
**Add touchpoint**. **Move earlier** / **Move later** reorder a touchpoint within its stage. The
journey map (:func:`kit.figures.journey.journey_map`) updates in place after every edit.

The journey comes before the pyramid (notebook 02), so a blank team has no roles yet. "Served by"
therefore also offers the case's reference roles (marked "from the case"): picking one adds it to
the team's ``roles.csv`` in the same edit. **Add role** creates a new role inline from a name and
a level.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from kit.analyses.journey import ordered_touchpoints, stages
from kit.figures.journey import journey_map, journey_map_spec
from kit.figures.style import esc
from kit.formatting import shorten
from kit.store.schema import CONTACTS, LEVELS
from kit.store.teamnames import slugify
from kit.store.validation import cell_text
from kit.store.workbook import Workbook
from kit.widgets.base import (
    NEW,
    Editor,
    Field,
    RowForm,
    Session,
    figure_widget,
    labelled,
    missing,
    next_id,
    open_editor,
    sync_figure,
)
from kit.widgets.forms import role_names, role_options

__all__ = [
    "CHANNELS",
    "EMOTIONS",
    "JourneyEditor",
    "case_roles_of",
    "journey_editor",
]

CHANNELS: tuple[str, ...] = (
    "face to face",
    "phone",
    "email",
    "web",
    "app",
    "letter",
    "behind the scenes",
)
"""Channels offered as suggestions (any text is accepted)."""

EMOTIONS: tuple[tuple[str, int], ...] = (
    ("−2 very negative", -2),
    ("−1 negative", -1),
    ("0 neutral", 0),
    ("+1 positive", 1),
    ("+2 very positive", 2),
)


def case_roles_of(wb: Workbook) -> pd.DataFrame:
    """The reference roles of the workshop's case (empty when the team is not in a workshop).

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> wb = Workbook.load(ws.path / "teams" / "a", root=ws.path)
    >>> "front_desk_agent" in case_roles_of(wb)["role_id"].tolist()
    True
    >>> len(case_roles_of(Workbook.load(tempfile.mkdtemp())))
    0
    """
    from kit.exceptions import KitError
    from kit.store.workshop import Workshop, case_dir

    empty = wb["roles"].iloc[:0]
    case = Workshop(wb.root).info.get("case") if wb.root != wb.path else None
    if not case:
        return empty
    try:
        return Workbook.load(case_dir(str(case)) / "reference")["roles"]
    except (KitError, OSError):
        return empty


def _touchpoint_label(row: Any) -> str:
    time = f" {cell_text(row['time'])}" if not missing(row["time"]) else ""
    return f"{row['touchpoint_id']}{time} · {shorten(row['stage'], 22)} · {shorten(row['description'])}"


def _or_none(value: Any) -> Any:
    return None if value == "" else value


class JourneyEditor(Editor):
    """Add, edit, reorder and delete the touchpoints of a team's customer journey.

    Parameters
    ----------
    workbook : Workbook or Session
        The team's workbook.

    Attributes
    ----------
    form : RowForm
        Picker, fields, Add and Delete (``form.picker``, ``form.add_button`` …).
    touchpoint_id, stage, time, description, channel, contact, role, emotion, moment_of_truth
        The controls, one per column (set ``.value`` from Python exactly like a user would).
    add_button, delete_button, up_button, down_button : ipywidgets.Button
    figure : plotly.graph_objects.FigureWidget
        The journey map, updated in place.

    Examples
    --------
    >>> import tempfile
    >>> editor = JourneyEditor(Workbook.load(tempfile.mkdtemp()))
    >>> editor.stage.value, editor.description.value = "Arrival", "Check-in at the desk"
    >>> editor.add_button.click()
    >>> editor.wb["journey"]["description"].tolist()
    ['Check-in at the desk']
    """

    title = "Customer journey: the day in the life"

    def __init__(self, workbook: Workbook | Session):
        super().__init__(workbook)
        self.touchpoint_id = labelled(widgets.Text(continuous_update=False), "Id:", "260px")
        self.stage = labelled(
            widgets.Combobox(
                continuous_update=False, ensure_option=False, placeholder="e.g. Arrival"
            ),
            "Stage:",
        )
        self.time = labelled(
            widgets.Text(continuous_update=False, placeholder="HH:MM, e.g. 07:30"), "Time:", "260px"
        )
        self.description = labelled(
            widgets.Textarea(
                continuous_update=False, rows=2, placeholder="What happens for the customer"
            ),
            "What happens:",
            "560px",
        )
        self.channel = labelled(
            widgets.Combobox(
                continuous_update=False,
                ensure_option=False,
                options=CHANNELS,
                placeholder="e.g. phone",
            ),
            "Channel:",
        )
        self.contact = labelled(
            widgets.ToggleButtons(
                options=[(c, c) for c in CONTACTS],
                tooltips=[
                    "Face to face, phone: the customer meets the employee",
                    "Work the customer never sees",
                ],
            ),
            "Contact:",
            "auto",
        )
        self.role = labelled(
            widgets.Dropdown(options=[("— no role named —", "")]), "Served by:", "560px"
        )
        self.case_roles = case_roles_of(self.wb)
        self.new_role_name = widgets.Text(
            placeholder="or a new role, e.g. Night porter",
            continuous_update=False,
            layout=widgets.Layout(width="260px"),
        )
        self.new_role_level = widgets.Dropdown(
            options=[lv for lv in LEVELS if lv != "customer"],
            value="frontline",
            layout=widgets.Layout(width="130px"),
        )
        self.add_role_button = widgets.Button(
            description="Add role",
            icon="user-plus",
            tooltip="Add this role to your pyramid and pick it",
        )
        self.add_role_button.on_click(lambda _: self.add_role())
        self.emotion = labelled(
            widgets.SelectionSlider(options=EMOTIONS, value=0, continuous_update=False),
            "Emotion:",
            "420px",
        )
        self.moment_of_truth = widgets.Checkbox(description="Moment of truth", indent=False)
        self.moment_of_truth.style = {"description_width": "initial"}
        fields = [
            Field("touchpoint_id", self.touchpoint_id),
            Field("stage", self.stage),
            Field("time", self.time),
            Field("description", self.description),
            Field("channel", self.channel),
            Field("contact", self.contact),
            Field("role_id", self.role, read=_or_none, show=lambda v: "" if missing(v) else v),
            Field("emotion", self.emotion, show=lambda v: 0 if missing(v) else int(v)),
            Field("moment_of_truth", self.moment_of_truth, show=bool),
        ]
        self.up_button = widgets.Button(description="Move earlier", icon="arrow-up")
        self.down_button = widgets.Button(description="Move later", icon="arrow-down")
        self.up_button.on_click(lambda _: self.move(-1))
        self.down_button.on_click(lambda _: self.move(+1))
        self._refresh_choices()
        self.form = RowForm(
            self,
            "journey",
            fields,
            noun="touchpoint",
            label=_touchpoint_label,
            new_row=self._new_row,
            keep=("stage", "channel", "contact", "role_id"),
        )
        self.add_button = self.form.add_button
        self.delete_button = self.form.delete_button
        self.picker = self.form.picker
        self.fields = self.form.fields
        self.form.picker.observe(lambda _: self._move_buttons(), "value")
        self.figure = figure_widget(journey_map(self._shown(), title=self._figure_title()))
        role_row = widgets.HBox(
            [
                widgets.HTML("<span style='display:inline-block;width:110px'></span>"),
                self.new_role_name,
                self.new_role_level,
                self.add_role_button,
            ]
        )
        self.layout_parts(self.form.box(self.up_button, self.down_button), role_row, self.figure)
        self._move_buttons()

    # -- binding ------------------------------------------------------------------------------
    def _shown(self) -> pd.DataFrame:
        """The journey as the map shows it: each role by its display name, not its id."""
        journey, own = self.wb["journey"], self.wb["roles"]
        known = {**role_names(self.case_roles), **role_names(own)}  # the team's own win
        names = [None if missing(r) else known.get(str(r), str(r)) for r in journey["role_id"]]
        return journey.assign(role_id=pd.Series(names, index=journey.index, dtype=object))

    def _figure_title(self) -> str:
        return f"Customer journey — {self.wb.name}" if self.wb.name else "Customer journey"

    def _new_row(self, journey: pd.DataFrame) -> dict[str, Any]:
        orders = pd.to_numeric(journey["order"], errors="coerce").dropna()
        return {
            "touchpoint_id": next_id(journey["touchpoint_id"], _prefix(journey["touchpoint_id"])),
            "order": int(orders.max()) + 1 if len(orders) else 1,
            "contact": "direct",
            "emotion": 0,
            "moment_of_truth": False,
        }

    def _refresh_choices(self) -> None:
        journey = self.wb["journey"]
        with self.quiet():
            self.stage.options = tuple(s for s in stages(journey) if s)
            used = [c for c in journey["channel"].dropna().astype(str).unique() if c]
            self.channel.options = tuple(dict.fromkeys([*CHANNELS, *used]))
            value = self.role.value
            options = role_options(self.wb["roles"], case_roles=self.case_roles, serving=True)
            self.role.options = options
            self.role.value = value if value in [v for _, v in options] else ""

    def refresh(self) -> None:
        """Show the workbook's journey: choices, picker, fields and the figure (in place)."""
        self._refresh_choices()
        self.form.refresh()
        self._move_buttons()
        sync_figure(self.figure, journey_map_spec(self._shown(), title=self._figure_title()))

    # -- roles from the case, or new ones -------------------------------------------------------
    def commit(self, tables: Any = None, **options: Any) -> bool:
        """As :meth:`Editor.commit`; a journey naming a case role adds that role in the same edit.

        Examples
        --------
        >>> import tempfile
        >>> from kit.store.workshop import create_workshop
        >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
        >>> editor = journey_editor(ws.path, "A")
        >>> editor.stage.value, editor.description.value = "Arrival", "Check-in"
        >>> editor.role.value = "front_desk_agent"          # offered from the case
        >>> editor.add_button.click()
        >>> editor.wb["roles"]["role_id"].tolist(), editor.wb["journey"]["role_id"].tolist()
        (['front_desk_agent'], ['front_desk_agent'])
        """
        tables = dict(tables or {})
        if "journey" in tables and len(self.case_roles):
            own = set(self.wb["roles"]["role_id"].astype(str))
            named = {str(v) for v in tables["journey"]["role_id"] if not missing(v)}
            wanted = self.case_roles[self.case_roles["role_id"].astype(str).isin(named - own)]
            if len(wanted) and "roles" not in tables:
                roles = pd.concat(
                    [self.wb["roles"].astype(object), wanted.astype(object)], ignore_index=True
                )
                tables = {"roles": roles, **tables}  # roles first: the journey points at them
        return super().commit(tables, **options)

    def add_role(self) -> bool:
        """Add the role typed next to **Add role** and pick it for the touchpoint.

        The id is derived from the name (``Night porter`` → ``night_porter``). Returns True
        when the role was added (or already existed) and picked.

        Examples
        --------
        >>> import tempfile
        >>> editor = JourneyEditor(Workbook.load(tempfile.mkdtemp()))
        >>> editor.description.value = "Carries the bags up at night"
        >>> editor.new_role_name.value = "Night porter"
        >>> editor.add_role(), editor.role.value, editor.wb["roles"]["level"].tolist()
        (True, 'night_porter', ['frontline'])
        >>> editor.description.value   # the touchpoint being typed is kept
        'Carries the bags up at night'
        """
        name = self.new_role_name.value.strip()
        if not name:
            self.message.value = "<i>Type the new role's name first, e.g. Night porter.</i>"
            return False
        role_id = slugify(name).replace("-", "_")
        roles = self.wb["roles"]
        draft = (
            {c: f.control.value for c, f in self.form.fields.items()}
            if self.form.selected is NEW
            else None
        )
        if role_id not in set(roles["role_id"].astype(str)):
            row = pd.DataFrame(
                [{"role_id": role_id, "name": name, "level": self.new_role_level.value}],
                columns=list(roles.columns),
                dtype=object,
            )
            edited = pd.concat([roles.astype(object), row], ignore_index=True)
            if not self.commit({"roles": edited}, what=f"add role {role_id}"):
                return False
        self._refresh_choices()
        if draft is not None:  # a new touchpoint being typed: keep what was typed so far
            with self.quiet():
                for column, value in draft.items():
                    self.form.fields[column].control.value = value
        self.role.value = role_id  # an existing touchpoint saves it at once; a draft keeps it
        with self.quiet():
            self.new_role_name.value = ""
        return True

    def _move_buttons(self) -> None:
        picked = self.form.selected is not NEW
        self.up_button.disabled = self.down_button.disabled = not picked

    # -- reordering ---------------------------------------------------------------------------
    def move(self, step: int) -> bool:
        """Move the picked touchpoint one place earlier (-1) or later (+1) within its stage.

        Orders are swapped with the neighbour; when both share one order number the whole
        journey is renumbered 1..n in its shown order first. Returns True when it moved.

        Examples
        --------
        >>> import tempfile
        >>> editor = JourneyEditor(Workbook.load(tempfile.mkdtemp()))
        >>> for text in ("Check-in", "Key cards"):
        ...     editor.stage.value, editor.description.value = "Arrival", text
        ...     editor.add_button.click()
        >>> editor.picker.value = "T2"
        >>> editor.up_button.click()
        >>> editor.wb["journey"].sort_values("order")["touchpoint_id"].tolist()
        ['T2', 'T1']
        """
        journey = self.wb["journey"]
        ordered = ordered_touchpoints(journey)
        ids = [str(v) for v in ordered["touchpoint_id"]]
        picked = str(self.form.selected) if self.form.selected is not NEW else None
        if picked not in ids:
            return False
        here = ids.index(picked)
        there = here + step
        if not 0 <= there < len(ids) or ordered.at[there, "stage"] != ordered.at[here, "stage"]:
            where = "first" if step < 0 else "last"
            self.message.value = (
                f"<i>{esc(picked)} is already {where} in its stage "
                f"“{esc(ordered.at[here, 'stage'])}”. To move it to another "
                f"stage, change its stage.</i>"
            )
            return False
        orders = {tid: int(o) for tid, o in zip(ids, ordered["order"], strict=True)}
        if orders[ids[here]] == orders[ids[there]]:
            orders = {tid: i + 1 for i, tid in enumerate(ids)}
        orders[ids[here]], orders[ids[there]] = orders[ids[there]], orders[ids[here]]
        edited = journey.astype(object)
        edited["order"] = [orders[str(t)] for t in edited["touchpoint_id"]]
        word = "earlier" if step < 0 else "later"
        if not self.commit({"journey": edited}, what=f"move {picked} {word}"):
            return False
        self.form.refresh(select=picked)
        return True


def _prefix(ids: pd.Series) -> str:
    """``T`` unless the team numbers its touchpoints with another letter prefix."""
    for value in ids.dropna().astype(str):
        head = value.rstrip("0123456789")
        if head and head != value:
            return head
    return "T"


def journey_editor(workshop_dir: str | Path, team: str) -> JourneyEditor | widgets.HTML:
    """Open the journey editor on a team of a workshop.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    team : str
        The team's slug or display name.

    Returns
    -------
    JourneyEditor
        Or, when the team cannot be opened, a message saying what to fix (never a traceback).

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> type(journey_editor(ws.path, "A")).__name__
    'JourneyEditor'
    >>> "no team" in journey_editor(ws.path, "Z").value
    True
    """
    return open_editor(JourneyEditor, workshop_dir, team)
