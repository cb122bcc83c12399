"""The pyramid editor: roles with their level and headcount, and who serves whom.

The inverted pyramid (:func:`kit.figures.pyramid.pyramid_figure`) and the Customer Service
Chain check (:func:`kit.analyses.pyramid.chain_check`) update after every edit; roles that reach no
customer are named under the figure with the edge to add and why (see chain_check).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from kit.analyses.pyramid import build_graph, chain_check
from kit.figures.pyramid import pyramid_spec
from kit.figures.style import PALETTE, esc
from kit.formatting import shorten
from kit.store.schema import LEVELS
from kit.store.teamnames import slugify
from kit.store.validation import cell_text
from kit.store.workbook import Workbook
from kit.widgets.base import (
    Editor,
    Field,
    RowForm,
    Session,
    figure_widget,
    labelled,
    missing,
    open_editor,
    set_options,
    sync_figure,
)
from kit.widgets.forms import role_options

__all__ = ["PyramidEditor", "chain_html", "pyramid_editor"]

_NO_EDGE = "—"


def _role_label(row: Any) -> str:
    count = f" · {cell_text(row['headcount'])} people" if not missing(row["headcount"]) else ""
    return f"{shorten(row['name'], 40)} · {row['level']}{count}"


def _role_id_from_name(row: dict[str, Any]) -> dict[str, Any]:
    """A new role without an id gets one from its name (``Front desk agent`` -> ``front_desk_agent``)."""
    if missing(row.get("role_id")) and not missing(row.get("name")):
        row = {**row, "role_id": slugify(str(row["name"])).replace("-", "_")}
    return row


def chain_html(roles: pd.DataFrame, serves: pd.DataFrame) -> str:
    """The chain check as escaped HTML: roles that reach no customer first, then other findings.

    Parameters
    ----------
    roles, serves : pandas.DataFrame
        The workbook's ``roles`` and ``serves`` tables.

    Returns
    -------
    str
        HTML safe to show (every name is escaped).

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["g", "d", "<x>"], "name": ["Guest", "Desk", "<b>IT"],
    ...                       "level": ["customer", "frontline", "support"]})
    >>> serves = pd.DataFrame({"from_role": ["d"], "to_role": ["g"]})
    >>> html = chain_html(roles, serves)
    >>> "&lt;b&gt;IT" in html and "<b>IT" not in html
    True
    """
    check = chain_check(build_graph(roles, serves))
    if len(roles) == 0:
        return (
            "<i>No roles yet: add the customer first, then the front line, then who serves "
            "them.</i>"
        )
    if check.ok:
        return (
            f"<span style='color:{PALETTE['green']}'>✓ Chain check: every role reaches a "
            f"customer, and nobody serves the boss.</span>"
        )
    parts = []
    cut_off = pd.concat([check.unreached, check.orphans], ignore_index=True)
    if len(cut_off):
        names = ", ".join(f"<b>{esc(n)}</b>" for n in dict.fromkeys(cut_off["name"]))
        parts.append(
            f"<b style='color:{PALETTE['vermillion']}'>Roles that reach no customer "
            f"({len(set(cut_off['role_id']))}):</b> {names}"
        )
    items = "".join(f"<li>{esc(s)}</li>" for s in check.findings["sentence"])
    parts.append(f"<ul style='margin:2px 0'>{items}</ul>")
    return "<div>" + "<br>".join(parts) + "</div>"


class PyramidEditor(Editor):
    """Edit a team's roles and "serves" edges; the pyramid and the chain check update live.

    Parameters
    ----------
    workbook : Workbook or Session
        The team's workbook.

    Attributes
    ----------
    roles : RowForm
        Picker, fields (``role_id``, ``name``, ``level``, ``headcount``), Add, Delete.
    role_id, role_name, level, headcount : ipywidgets controls
    add_role_button, delete_role_button : ipywidgets.Button
    from_role, to_role : ipywidgets.Dropdown
        "``from_role`` serves ``to_role``".
    add_edge_button, delete_edge_button : ipywidgets.Button
    edge_picker : ipywidgets.Dropdown
        The edge to delete.
    chain : ipywidgets.HTML
        The chain check (escaped).
    figure : plotly.graph_objects.FigureWidget
        The inverted pyramid, updated in place.

    Examples
    --------
    >>> import tempfile
    >>> editor = PyramidEditor(Workbook.load(tempfile.mkdtemp()))
    >>> editor.role_name.value, editor.level.value = "Hotel guest", "customer"
    >>> editor.add_role_button.click()
    >>> editor.wb["roles"]["role_id"].tolist()
    ['hotel_guest']
    """

    title = "The upside-down pyramid: who serves whom"

    def __init__(self, workbook: Workbook | Session):
        super().__init__(workbook)
        self.role_id = labelled(
            widgets.Text(continuous_update=False, placeholder="blank: made from the name"),
            "Role id:",
            "360px",
        )
        self.role_name = labelled(
            widgets.Text(continuous_update=False, placeholder="e.g. Front desk agent"), "Name:"
        )
        self.level = labelled(
            widgets.Dropdown(options=list(LEVELS), value="frontline"), "Level:", "300px"
        )
        self.headcount = labelled(
            widgets.Text(continuous_update=False, placeholder="e.g. 12"), "Headcount:", "260px"
        )
        fields = [
            Field("role_id", self.role_id),
            Field("name", self.role_name),
            Field("level", self.level),
            Field("headcount", self.headcount),
        ]
        self.roles = RowForm(
            self,
            "roles",
            fields,
            noun="role",
            label=_role_label,
            new_row=lambda _: {"level": "frontline"},
            cascade=self._drop_edges,
            complete=_role_id_from_name,
        )
        self.add_role_button = self.roles.add_button
        self.delete_role_button = self.roles.delete_button
        self.role_picker = self.roles.picker

        self.from_role = widgets.Dropdown(layout=widgets.Layout(width="300px"))
        self.to_role = widgets.Dropdown(layout=widgets.Layout(width="300px"))
        self.edge_fields = {
            "from_role": Field("from_role", self.from_role),
            "to_role": Field("to_role", self.to_role),
        }
        self.add_edge_button = widgets.Button(
            description="Add: serves", icon="plus", button_style="success"
        )
        self.edge_picker = widgets.Dropdown(
            description="Edges:",
            layout=widgets.Layout(width="560px"),
            style={"description_width": "110px"},
        )
        self.delete_edge_button = widgets.Button(description="Delete edge", icon="trash")
        self.add_edge_button.on_click(lambda _: self.add_edge())
        self.delete_edge_button.on_click(lambda _: self.delete_edge())
        self.chain = widgets.HTML("")
        self.figure = figure_widget(self._figure())
        edges = widgets.VBox(
            [
                widgets.HTML(
                    "<b>Who serves whom</b> — read it as “<i>left</i> serves <i>right</i>”; "
                    "every chain should end at a customer."
                ),
                widgets.HBox(
                    [
                        self.from_role,
                        widgets.HTML("&nbsp;serves&nbsp;"),
                        self.to_role,
                        self.add_edge_button,
                    ]
                ),
                widgets.HBox(
                    [self.edge_fields["from_role"].error, self.edge_fields["to_role"].error]
                ),
                widgets.HBox([self.edge_picker, self.delete_edge_button]),
            ]
        )
        self.layout_parts(
            widgets.HTML(
                "<b>Roles</b> — customers on top, then the front line, then everyone "
                "who serves them."
            ),
            self.roles.box(),
            edges,
            self.chain,
            self.figure,
        )
        self._refresh_edges()

    # -- binding ------------------------------------------------------------------------------
    def _figure(self) -> dict:
        # A plain spec: the live chart compares it with what it shows (kit.widgets.livefig).
        return pyramid_spec(self.wb["roles"], self.wb["serves"])

    def _drop_edges(self, roles: pd.DataFrame, role_id: Any) -> dict[str, pd.DataFrame]:
        serves = self.wb["serves"]
        keep = (serves["from_role"] != role_id) & (serves["to_role"] != role_id)
        return {"serves": serves[keep].reset_index(drop=True)}

    def _refresh_edges(self) -> None:
        roles, serves = self.wb["roles"], self.wb["serves"]
        options = role_options(roles, blank=_NO_EDGE)
        edges = [
            (f"{self._name(roles, f)} serves {self._name(roles, t)}", i)
            for i, (f, t) in enumerate(zip(serves["from_role"], serves["to_role"], strict=True))
        ]
        with self.quiet():
            set_options(self.from_role, options, self.from_role.value)
            set_options(self.to_role, options, self.to_role.value)
            set_options(
                self.edge_picker,
                [("— pick an edge to delete —", -1), *edges],
                self.edge_picker.value,
            )
        self.delete_edge_button.disabled = not edges
        self.chain.value = chain_html(roles, serves)

    @staticmethod
    def _name(roles: pd.DataFrame, role_id: str) -> str:
        hits = roles.loc[roles["role_id"] == role_id, "name"]
        return shorten(hits.iloc[0], 30) if len(hits) else str(role_id)

    def refresh(self) -> None:
        """Show the workbook's roles and edges, the chain check and the figure (in place)."""
        self.roles.refresh()
        self._refresh_edges()
        sync_figure(self.figure, self._figure())

    # -- edges --------------------------------------------------------------------------------
    def add_edge(self) -> bool:
        """Add "``from_role`` serves ``to_role``" (what the Add button does). True if accepted.

        Examples
        --------
        >>> import tempfile
        >>> editor = PyramidEditor(Workbook.load(tempfile.mkdtemp()))
        >>> for name, level in (("Guest", "customer"), ("Desk", "frontline")):
        ...     editor.role_picker.value = editor.roles.picker.options[0][1]
        ...     editor.role_name.value, editor.level.value = name, level
        ...     editor.add_role_button.click()
        >>> editor.from_role.value, editor.to_role.value = "desk", "guest"
        >>> editor.add_edge()
        True
        >>> "every role reaches a customer" in editor.chain.value
        True
        """
        serves = self.wb["serves"]
        new = pd.DataFrame(
            [{"from_role": self.from_role.value or None, "to_role": self.to_role.value or None}],
            dtype=object,
        )
        edited = pd.concat([serves.astype(object), new], ignore_index=True)
        what = f"add edge {self.from_role.value} serves {self.to_role.value}"
        return self.commit({"serves": edited}, fields=self.edge_fields, what=what)

    def delete_edge(self) -> bool:
        """Delete the edge picked in ``edge_picker``. True when accepted.

        Afterwards the edge list keeps the keyboard focus (not the button, which may have
        nothing left to delete), with the next edge picked (the previous one when the last was
        deleted), so a participant can delete the next edge at once or look at what is left.

        Examples
        --------
        >>> import tempfile
        >>> editor = PyramidEditor(Workbook.load(tempfile.mkdtemp()))
        >>> editor.delete_edge()  # nothing picked: a message, no change
        False
        >>> for name, level in (("Guest", "customer"), ("Desk", "frontline"), ("Chef", "support")):
        ...     editor.role_picker.value = editor.roles.picker.options[0][1]
        ...     editor.role_name.value, editor.level.value = name, level
        ...     editor.add_role_button.click()
        >>> for a, b in (("desk", "guest"), ("chef", "desk"), ("chef", "guest")):
        ...     editor.from_role.value, editor.to_role.value = a, b
        ...     editor.add_edge_button.click()
        >>> editor.edge_picker.value = 1  # Chef serves Desk
        >>> editor.delete_edge_button.click()
        >>> editor.edge_picker.label  # the next edge, where the deleted one was
        'Chef serves Guest'
        >>> editor.delete_edge_button.click()  # the last one: the one before it is picked
        >>> editor.edge_picker.label
        'Desk serves Guest'
        """
        serves = self.wb["serves"]
        index = self.edge_picker.value
        if index is None or index < 0 or index >= len(serves):
            self.message.value = "<i>Pick the edge to delete first.</i>"
            return False
        row = serves.loc[index]
        edited = serves.drop(index=index).reset_index(drop=True)
        accepted = self.commit(
            {"serves": edited}, what=f"delete edge {row['from_role']} serves {row['to_role']}"
        )
        if accepted:
            left = len(self.wb["serves"])
            if left:  # the next edge, or the one before it when the last was deleted
                self.edge_picker.value = min(index, left - 1)
            self.edge_picker.focus()  # the button may have nothing left to delete
        return accepted


def pyramid_editor(workshop_dir: str | Path, team: str) -> PyramidEditor | widgets.HTML:
    """Open the pyramid editor on a team of a workshop.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    team : str
        The team's slug or display name.

    Returns
    -------
    PyramidEditor
        Or a message saying what to fix when the team cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> type(pyramid_editor(ws.path, "A")).__name__
    'PyramidEditor'
    """
    return open_editor(PyramidEditor, workshop_dir, team)
