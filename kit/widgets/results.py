"""The results editor: record, months later, what each action of the plan achieved.

Pick an action of the plan; its metric, baseline, target, due date and owner are shown beside
the form, with its progress and status (:func:`kit.analyses.followup.plan_progress`, the same numbers as
the follow-up report). Add a result (date and value); pick a recorded result to correct it (every
change is saved at once) or delete it. Validation, autosave, undo and conflict handling are the
editors' shared ones (:mod:`kit.widgets.base`). The chart shows the action's results over time
against its baseline and target (:func:`kit.figures.followup.action_chart`), and a table below
sums up every action.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from kit.analyses.followup import STATUSES, date_or_none, plan_progress
from kit.figures.followup import action_chart
from kit.figures.style import esc
from kit.formatting import shorten
from kit.store.clock import today
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

__all__ = [
    "ResultsEditor",
    "action_info_html",
    "results_editor",
    "summary_html",
]


def _number(value: Any) -> str:
    text = cell_text(value)
    return text if text else "—"


def action_info_html(
    action: dict[str, Any] | None, progress: dict[str, Any] | None, owner: str = ""
) -> str:
    """What an action is measured by, and how far it has come, as escaped HTML.

    Examples
    --------
    >>> html = action_info_html({"metric": "<i>wait</i>", "baseline": 14.0, "target": 5.0,
    ...                          "due": "2026-03-31"},
    ...                         {"status": "on the way", "progress": 0.5, "latest": 9.5,
    ...                          "latest_date": "2026-03-01", "notes": []}, "Front desk")
    >>> "&lt;i&gt;wait" in html and "50%" in html and "on the way" in html
    True
    """
    if action is None:
        return (
            "<i>No actions in the plan yet: plan them in the planning notebook, 05_plan.ipynb "
            "in your team's notebooks folder, then come back to record results.</i>"
        )
    parts = [
        f"<b>Metric:</b> {esc(cell_text(action.get('metric'))) or '<i>not set</i>'}",
        f"<b>Baseline:</b> {esc(_number(action.get('baseline')))}",
        f"<b>Target:</b> {esc(_number(action.get('target')))}",
        f"<b>Due:</b> {esc(cell_text(action.get('due'))) or '—'}",
        f"<b>Owner:</b> {esc(owner) or '—'}",
    ]
    lines = [" · ".join(parts)]
    if progress is not None:
        share = progress.get("progress")
        status = str(progress.get("status"))
        done = "" if share is None or pd.isna(share) else f"{round(100 * share)}% of the way · "
        latest = (
            ""
            if progress.get("latest_date") is None
            else f"latest {esc(_number(progress.get('latest')))} on "
            f"{esc(progress.get('latest_date'))} · "
        )
        lines.append(
            f"<b>Now:</b> {latest}{done}<b>{esc(status)}</b> "
            f"<small>({esc(STATUSES.get(status, ''))})</small>"
        )
        for note in progress.get("notes") or []:
            lines.append(f"<small>• {esc(note)}</small>")
    return "<div style='line-height:1.6'>" + "<br>".join(lines) + "</div>"


def summary_html(progress: pd.DataFrame) -> str:
    """Every action's latest result, progress and status as an escaped HTML table.

    Examples
    --------
    >>> p = pd.DataFrame({"action_id": ["A1"], "action": ["<b>x</b>"], "latest": [3.0],
    ...                   "latest_date": ["2026-01-01"], "progress": [0.25],
    ...                   "status": ["on the way"], "measurements": [1]})
    >>> "&lt;b&gt;x" in summary_html(p) and "25%" in summary_html(p)
    True
    """
    if progress.empty:
        return ""
    rows = []
    for r in progress.to_dict("records"):
        share = r.get("progress")
        done = "—" if share is None or pd.isna(share) else f"{round(100 * share)}%"
        latest = (
            "—"
            if not r.get("measurements")
            else f"{esc(_number(r.get('latest')))} <small>({esc(r.get('latest_date'))})</small>"
        )
        rows.append(
            f"<tr><td><b>{esc(r['action_id'])}</b> {esc(shorten(r.get('action'), 60))}"
            f"</td><td>{latest}</td><td style='text-align:right'>{done}</td>"
            f"<td>{esc(r['status'])}</td></tr>"
        )
    return (
        "<table style='border-collapse:collapse' class='servekit-results-summary'>"
        "<tr><th style='text-align:left'>Action</th><th>Latest</th><th>Progress</th>"
        "<th>Status</th></tr>" + "".join(rows) + "</table>"
    )


class ResultsEditor(Editor):
    """Record results (date, value) for each action of the plan, with a live chart.

    Parameters
    ----------
    workbook : Workbook or Session
        The team's workbook.
    as_of : date or str, optional
        The day progress and status are computed for (default today).

    Attributes
    ----------
    action : ipywidgets.Dropdown
        The plan's actions.
    info : ipywidgets.HTML
        The action's metric, baseline, target, due date, owner, progress and status (escaped).
    form : RowForm
        Picker of the action's results, ``date`` and ``value`` fields, Add, Delete.
    date, value : ipywidgets.DatePicker, ipywidgets.Text
    add_button, delete_button : ipywidgets.Button
    figure : plotly.graph_objects.FigureWidget
        The action's results over time against baseline and target, updated in place.
    summary : ipywidgets.HTML
        Every action's latest result and status.

    Examples
    --------
    >>> import datetime as dt
    >>> import tempfile
    >>> from kit.store.workshop import create_demo
    >>> ws = create_demo(Path(tempfile.mkdtemp()) / "w")
    >>> editor = ResultsEditor(Workbook.load(ws.path / "teams" / "front-desk-friends"))
    >>> editor.action.value = "A7"
    >>> editor.date.value, editor.value.value = dt.date(2026, 6, 1), "9"
    >>> editor.add_button.click()
    >>> (ws.path / "teams" / "front-desk-friends" / "results.csv").read_text().splitlines()[-1]
    'A7,2026-06-01,9'
    """

    title = "Results against target"

    def __init__(self, workbook: Workbook | Session, as_of: Any = None):
        super().__init__(workbook)
        self.as_of = as_of
        self.action = widgets.Dropdown(
            description="Action:",
            layout=widgets.Layout(width="640px"),
            style={"description_width": "110px"},
        )
        self.info = widgets.HTML("")
        self.date = labelled(widgets.DatePicker(), "Date:", "300px")
        self.value = labelled(
            widgets.Text(continuous_update=False, placeholder="the measured number"),
            "Value:",
            "300px",
        )
        self._refresh_actions()
        fields = [
            Field("date", self.date, read=lambda v: v, show=date_or_none),
            Field("value", self.value),
        ]
        self.form = RowForm(
            self,
            "results",
            fields,
            noun="result",
            label=self._label,
            new_row=self._new_row,
            rows=self._rows,
        )
        self.add_button = self.form.add_button
        self.delete_button = self.form.delete_button
        self.picker = self.form.picker
        self.fields = self.form.fields
        self.figure = figure_widget(self._figure())
        self.summary = widgets.HTML("")
        self.action.observe(self._action_picked, "value")
        self.layout_parts(
            self.action,
            self.info,
            self.form.box(),
            self.figure,
            widgets.HTML("<h4 style='margin:8px 0 2px'>Every action</h4>"),
            self.summary,
        )
        self._show()

    # -- binding ------------------------------------------------------------------------------
    def _rows(self, frame: pd.DataFrame) -> pd.DataFrame:
        mine = frame[frame["action_id"].astype(str) == str(self.action.value)]
        order = pd.to_datetime(mine["date"].astype(str), errors="coerce")
        return mine.loc[order.sort_values(kind="stable").index]

    def _label(self, row: Any) -> str:
        return f"{cell_text(row['date'])}: {cell_text(row['value'])}"

    def _new_row(self, frame: pd.DataFrame) -> dict[str, Any]:
        return {"action_id": self.action.value, "date": today()}

    def _refresh_actions(self) -> None:
        plan = self.wb["plan"]
        options = []
        for row in plan.to_dict("records"):
            due = f" · due {cell_text(row['due'])}" if not missing(row.get("due")) else ""
            options.append(
                (
                    f"{row['action_id']} · [{str(row['kind']).upper()}] "
                    f"{shorten(row['action'], 60)}{due}",
                    str(row["action_id"]),
                )
            )
        with self.quiet():
            set_options(
                self.action, options or [("— no actions in the plan yet —", "")], self.action.value
            )

    def _progress(self) -> pd.DataFrame:
        return plan_progress(self.wb["plan"], self.wb["results"], self.as_of)

    def _current(self) -> dict[str, Any] | None:
        plan = self.wb["plan"]
        hit = plan[plan["action_id"].astype(str) == str(self.action.value)]
        return hit.iloc[0].to_dict() if len(hit) else None

    def _figure(self) -> go.Figure:
        action = self._current()
        if action is None:
            from kit.figures.style import empty_figure

            return empty_figure("No actions in the plan yet.", "Results", height=320)
        return action_chart(action, self.wb["results"])

    def _show(self) -> None:
        action = self._current()
        progress = self._progress()
        mine = progress[progress["action_id"].astype(str) == str(self.action.value)]
        roles = self.wb["roles"]
        owner = ""
        if action is not None and not missing(action.get("owner_role")):
            match = roles.loc[roles["role_id"].astype(str) == str(action["owner_role"]), "name"]
            owner = str(match.iloc[0]) if len(match) else str(action["owner_role"])
        self.info.value = action_info_html(
            action, mine.iloc[0].to_dict() if len(mine) else None, owner
        )
        self.summary.value = summary_html(progress)
        disabled = action is None
        self.add_button.disabled = disabled or self.add_button.disabled
        self.date.disabled = self.value.disabled = disabled

    def refresh(self) -> None:
        """Show the plan's actions and the picked action's results; update the chart in place."""
        self._refresh_actions()
        self.form.refresh()
        self._show()
        sync_figure(self.figure, self._figure())

    def _action_picked(self, change: dict) -> None:
        if self.loading:
            return
        self.message.value = ""
        self.form.refresh(select=self.form.picker.options[0][1])  # a new result for this action
        self._show()
        sync_figure(self.figure, self._figure())


def results_editor(
    workshop_dir: str | Path, team: str, as_of: Any = None
) -> ResultsEditor | widgets.Widget:
    """Open the results editor on a team of a workshop.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    team : str
        The team's slug or display name (empty: a team picker).
    as_of : date or str, optional
        The day progress and status are computed for (default today).

    Returns
    -------
    ResultsEditor
        Or a message saying what to fix when the team cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> type(results_editor(ws.path, "A")).__name__
    'ResultsEditor'
    """
    return open_editor(ResultsEditor, workshop_dir, team, as_of=as_of)
