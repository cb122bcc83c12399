"""The needs editor: what employees at each touchpoint need to BE, DO and HAVE, and who provides it.

Pick a touchpoint; its needs are listed by kind (be: mindset, do: skills and processes, have:
tools, information, authority). Pick a need to edit it (saved as you type), or fill in a new one
and click **Add need**. The grid under the form counts the needs of every touchpoint, so empty
cells show where the team has not looked yet.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from kit.analyses.journey import ordered_touchpoints
from kit.figures.style import KIND_COLOURS, PALETTE, esc
from kit.formatting import shorten
from kit.store.schema import KINDS
from kit.store.workbook import Workbook
from kit.widgets.base import (
    NEW,
    Editor,
    Field,
    RowForm,
    Session,
    labelled,
    missing,
    open_editor,
    set_options,
)
from kit.widgets.forms import role_name, role_names, role_options

__all__ = [
    "KIND_WORDS",
    "NeedsEditor",
    "needs_editor",
    "needs_grid_html",
]

KIND_WORDS: dict[str, str] = {
    "be": "BE — mindset, attitude",
    "do": "DO — skills, behaviours, processes",
    "have": "HAVE — tools, information, authority",
}


def needs_grid_html(journey: pd.DataFrame, needs: pd.DataFrame, selected: str | None = None) -> str:
    """An escaped HTML table: touchpoints in journey order, how many be/do/have needs each has.

    Parameters
    ----------
    journey, needs : pandas.DataFrame
        The workbook's ``journey`` and ``needs`` tables.
    selected : str, optional
        A touchpoint to highlight.

    Returns
    -------
    str

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["T1"], "stage": ["A"], "order": [1],
    ...                   "description": ["<script>x</script>"], "contact": ["direct"]})
    >>> n = pd.DataFrame({"touchpoint_id": ["T1"], "kind": ["do"], "need": ["Training"]})
    >>> html = needs_grid_html(j, n)
    >>> "&lt;script&gt;" in html and "<script>" not in html
    True
    """
    ordered = ordered_touchpoints(journey)
    counts = needs.groupby(["touchpoint_id", "kind"]).size() if len(needs) else pd.Series(dtype=int)
    head = "".join(
        f"<th style='padding:2px 8px;color:{KIND_COLOURS[k]}'>{k.upper()}</th>" for k in KINDS
    )
    rows = []
    for tp in ordered.itertuples(index=False):
        cells = []
        for kind in KINDS:
            n = int(counts.get((tp.touchpoint_id, kind), 0))
            style = "padding:2px 8px;text-align:center"
            if n == 0:
                style += f";color:{PALETTE['vermillion']}"
            cells.append(f"<td style='{style}'>{n if n else '·'}</td>")
        mark = "font-weight:bold;background:#FFF6D5;" if tp.touchpoint_id == selected else ""
        rows.append(
            f"<tr style='{mark}'><td style='padding:2px 8px'>{esc(tp.touchpoint_id)}"
            f"</td><td style='padding:2px 8px'>{esc(shorten(tp.description, 60))}</td>"
            f"{''.join(cells)}</tr>"
        )
    if not rows:
        return "<i>No touchpoints yet: map the journey first (notebook 01).</i>"
    return (
        "<table style='border-collapse:collapse;font-size:12px'><tr><th>Touchpoint</th>"
        f"<th>What happens</th>{head}</tr>{''.join(rows)}</table>"
        "<small>· = nothing yet: what would the people there need?</small>"
    )


class NeedsEditor(Editor):
    """Per touchpoint, list and edit what employees need to be, do and have.

    Parameters
    ----------
    workbook : Workbook or Session
        The team's workbook.

    Attributes
    ----------
    touchpoint : ipywidgets.Dropdown
        The touchpoint whose needs are shown.
    form : RowForm
        Picker of the touchpoint's needs, fields, Add, Delete.
    kind, need, provider : ipywidgets controls
    add_button, delete_button : ipywidgets.Button
    listing : ipywidgets.HTML
        The touchpoint's needs by kind (escaped).
    grid : ipywidgets.HTML
        Counts per touchpoint and kind (escaped).

    Examples
    --------
    >>> import tempfile
    >>> from kit.widgets.journey import JourneyEditor
    >>> wb = Workbook.load(tempfile.mkdtemp())
    >>> session = Session(wb)
    >>> journey = JourneyEditor(session)
    >>> journey.stage.value, journey.description.value = "Arrival", "Check-in"
    >>> journey.add_button.click()
    >>> needs = NeedsEditor(session)
    >>> needs.kind.value, needs.need.value = "do", "Fast check-in training"
    >>> needs.add_button.click()
    >>> wb["needs"][["touchpoint_id", "kind", "need"]].values.tolist()
    [['T1', 'do', 'Fast check-in training']]
    """

    title = "Be, do, have: what the people at each touchpoint need"

    def __init__(self, workbook: Workbook | Session):
        super().__init__(workbook)
        self.touchpoint = labelled(widgets.Dropdown(), "Touchpoint:", "560px")
        self.kind = labelled(
            widgets.ToggleButtons(
                options=[(k.upper(), k) for k in KINDS], tooltips=[KIND_WORDS[k] for k in KINDS]
            ),
            "Kind:",
            "auto",
        )
        self.need = labelled(
            widgets.Text(continuous_update=False, placeholder="e.g. Authority to waive a late fee"),
            "Description:",
            "560px",
        )
        self.provider = labelled(widgets.Dropdown(), "Provided by:", "560px")
        self._refresh_touchpoints()
        self._refresh_roles()
        fields = [
            Field("kind", self.kind),
            Field("need", self.need),
            Field(
                "provider_role",
                self.provider,
                read=lambda v: v or None,
                show=lambda v: "" if missing(v) else v,
            ),
        ]
        self.form = RowForm(
            self,
            "needs",
            fields,
            noun="need",
            label=self._need_label,
            new_row=lambda _: {
                "touchpoint_id": self.touchpoint.value or None,
                "kind": self.kind.value,
            },
            rows=self._rows,
        )
        self.add_button = self.form.add_button
        self.delete_button = self.form.delete_button
        self.picker = self.form.picker
        self.fields = self.form.fields
        self.listing = widgets.HTML("")
        self.grid = widgets.HTML("")
        self.touchpoint.observe(self._touchpoint_picked, "value")
        self.layout_parts(
            self.touchpoint,
            self.listing,
            self.form.box(),
            widgets.HTML("<b>All touchpoints</b>"),
            self.grid,
        )
        self._show_lists()

    # -- binding ------------------------------------------------------------------------------
    def _rows(self, needs: pd.DataFrame) -> pd.DataFrame:
        chosen = self.touchpoint.value
        return needs[needs["touchpoint_id"].astype(str) == str(chosen)]

    def _need_label(self, row: Any) -> str:
        by = (
            f" — by {role_name(self.wb['roles'], row['provider_role'], 30)}"
            if not missing(row["provider_role"])
            else ""
        )
        return f"[{str(row['kind']).upper()}] {shorten(row['need'], 60)}{by}"

    def _refresh_touchpoints(self) -> None:
        ordered = ordered_touchpoints(self.wb["journey"])
        options = [
            (
                f"{tp.touchpoint_id} · {shorten(tp.stage, 20)} · {shorten(tp.description)}",
                str(tp.touchpoint_id),
            )
            for tp in ordered.itertuples(index=False)
        ]
        with self.quiet():
            set_options(self.touchpoint, options, self.touchpoint.value)

    def _refresh_roles(self) -> None:
        with self.quiet():
            set_options(
                self.provider,
                role_options(self.wb["roles"], blank="— not decided —", serving=True),
                self.provider.value,
            )

    def _touchpoint_picked(self, change: dict) -> None:
        if self.loading:
            return
        self.message.value = ""
        self.form.refresh(select=NEW)
        self._show_lists()

    def _show_lists(self) -> None:
        needs, names = self.wb["needs"], role_names(self.wb["roles"])
        mine = self._rows(needs)
        parts = []
        for kind in KINDS:
            items = "".join(
                f"<li>{esc(n)}"
                + (
                    f" <small>(by {esc(names.get(str(p), str(p)))})</small>"
                    if not missing(p)
                    else ""
                )
                + "</li>"
                for n, p in zip(
                    mine.loc[mine["kind"] == kind, "need"],
                    mine.loc[mine["kind"] == kind, "provider_role"],
                    strict=True,
                )
            )
            parts.append(
                f"<div style='flex:1;min-width:180px'><b style='color:"
                f"{KIND_COLOURS[kind]}'>{esc(KIND_WORDS[kind])}</b>"
                f"<ul style='margin:2px 0'>{items or '<li><i>nothing yet</i></li>'}"
                f"</ul></div>"
            )
        self.listing.value = f"<div style='display:flex;gap:12px'>{''.join(parts)}</div>"
        self.grid.value = needs_grid_html(self.wb["journey"], needs, self.touchpoint.value)
        has_touchpoints = bool(self.touchpoint.options)
        self.add_button.disabled = not has_touchpoints or self.form.selected is not NEW

    def refresh(self) -> None:
        """Show the workbook's touchpoints, roles and needs."""
        self._refresh_touchpoints()
        self._refresh_roles()
        self.form.refresh()
        self._show_lists()


def needs_editor(workshop_dir: str | Path, team: str) -> NeedsEditor | widgets.HTML:
    """Open the be/do/have needs editor on a team of a workshop.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    team : str
        The team's slug or display name.

    Returns
    -------
    NeedsEditor
        Or a message saying what to fix when the team cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> type(needs_editor(ws.path, "A")).__name__
    'NeedsEditor'
    """
    return open_editor(NeedsEditor, workshop_dir, team)
