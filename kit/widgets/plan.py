"""The plan editor: the internal service plan for the top-priority touchpoints, and reflections.

The priorities come from :func:`kit.analyses.scoring.priority_ranking` (shown as
:func:`kit.figures.priorities.priority_chart`); the touchpoint list of the form starts with them.
Each action has an owner role, a due date, a metric with its baseline and target. Under the
plan, the team answers the action-plan questions (:data:`kit.store.schema.REFLECTION_QUESTIONS`);
every answer is saved when the text box loses focus.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from kit.analyses.journey import ordered_touchpoints
from kit.analyses.scoring import priority_ranking, top_priorities
from kit.figures.priorities import priority_spec
from kit.figures.style import esc
from kit.formatting import plural, shorten
from kit.store.schema import KINDS, REFLECTION_QUESTIONS
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
    next_id,
    open_editor,
    set_options,
    sync_figure,
)
from kit.widgets.forms import role_options

__all__ = [
    "PlanEditor",
    "REFLECTION_ROWS",
    "TOP_K",
    "plan_editor",
    "priorities_html",
]

TOP_K = 3
"""How many touchpoints the plan focuses on first."""


def _date(value: Any) -> dt.date | None:
    if missing(value):
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _action_label(row: Any) -> str:
    due = f" · due {cell_text(row['due'])}" if not missing(row["due"]) else ""
    return (
        f"{row['action_id']} · {row['touchpoint_id']} · [{str(row['kind']).upper()}] "
        f"{shorten(row['action'], 50)}{due}"
    )


def priorities_html(
    scores: pd.DataFrame, journey: pd.DataFrame, plan: pd.DataFrame, k: int = TOP_K
) -> str:
    """The top ``k`` priorities with how many actions each has, as escaped HTML.

    Parameters
    ----------
    scores, journey, plan : pandas.DataFrame
        The workbook tables.
    k : int
        How many priorities.

    Returns
    -------
    str

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["T1"], "scorer": ["Ann"], "importance": [5],
    ...                   "performance": [2]})
    >>> j = pd.DataFrame({"touchpoint_id": ["T1"], "stage": ["A"], "order": [1],
    ...                   "description": ["<b>Desk</b>"], "contact": ["direct"]})
    >>> html = priorities_html(s, j, pd.DataFrame({"touchpoint_id": []}))
    >>> "&lt;b&gt;Desk" in html and "no action yet" in html
    True
    """
    top = top_priorities(scores, journey, k=k)
    if top.empty:
        return (
            "<i>No priorities yet: score the touchpoints first (notebook 04). You can still "
            "plan actions for any touchpoint.</i>"
        )
    counts = plan["touchpoint_id"].astype(str).value_counts() if len(plan) else {}
    items = []
    for row in top.itertuples(index=False):
        n = int(counts.get(str(row.touchpoint_id), 0))
        todo = plural(n, "action") if n else "<b style='color:#D55E00'>no action yet</b>"
        items.append(
            f"<li><b>#{row.rank} {esc(row.touchpoint_id)}</b> — "
            f"{esc(shorten(row.description, 80))} <small>(importance "
            f"{row.importance:g}, performance {row.performance:g})</small> · {todo}</li>"
        )
    return f"<b>Act on these first</b><ol style='margin:2px 0'>{''.join(items)}</ol>"


REFLECTION_ROWS = 5
"""Lines shown in each reflection answer box."""


class PlanEditor(Editor):
    """Plan actions (owner, due date, metric, baseline, target) and answer the reflections.

    Parameters
    ----------
    workbook : Workbook or Session
        The team's workbook.

    Attributes
    ----------
    form : RowForm
        Picker of actions, fields, Add, Delete.
    action_id, touchpoint, kind, action, owner, due, metric, baseline, target
        The controls (``due`` is an :class:`ipywidgets.DatePicker`).
    add_button, delete_button : ipywidgets.Button
    priorities : ipywidgets.HTML
        The top priorities and how many actions each has (escaped).
    reflections : dict of str to ipywidgets.Textarea
        One text area per question in :data:`kit.store.schema.REFLECTION_QUESTIONS`.
    figure : plotly.graph_objects.FigureWidget
        The priority chart, updated in place.

    Examples
    --------
    >>> import tempfile
    >>> editor = PlanEditor(Workbook.load(tempfile.mkdtemp()))
    >>> editor.reflections["first_step"].value = "Book the training room"
    >>> editor.wb.reflections["first_step"]
    'Book the training room'
    """

    title = "The internal service plan"

    def __init__(self, workbook: Workbook | Session):
        super().__init__(workbook)
        self.action_id = labelled(widgets.Text(continuous_update=False), "Action id:", "260px")
        self.touchpoint = labelled(widgets.Dropdown(), "Touchpoint:", "560px")
        self.kind = labelled(
            widgets.ToggleButtons(options=[(k.upper(), k) for k in KINDS]), "Be/do/have:", "auto"
        )
        self.action = labelled(
            widgets.Textarea(continuous_update=False, rows=2, placeholder="What will be done"),
            "What to do:",
            "560px",
        )
        self.owner = labelled(widgets.Dropdown(), "Owner:", "560px")
        self.due = labelled(widgets.DatePicker(), "Due:", "300px")
        self.metric = labelled(
            widgets.Text(continuous_update=False, placeholder="e.g. minutes waiting at check-in"),
            "Metric:",
        )
        self.baseline = labelled(
            widgets.Text(continuous_update=False, placeholder="today"), "Baseline:", "260px"
        )
        self.target = labelled(
            widgets.Text(continuous_update=False, placeholder="goal"), "Target:", "260px"
        )
        self._refresh_choices()
        fields = [
            Field("action_id", self.action_id),
            Field(
                "touchpoint_id",
                self.touchpoint,
                read=lambda v: v or None,
                show=lambda v: "" if missing(v) else str(v),
            ),
            Field("kind", self.kind),
            Field("action", self.action),
            Field(
                "owner_role",
                self.owner,
                read=lambda v: v or None,
                show=lambda v: "" if missing(v) else str(v),
            ),
            Field("due", self.due, show=_date),
            Field("metric", self.metric),
            Field("baseline", self.baseline),
            Field("target", self.target),
        ]
        self.form = RowForm(
            self, "plan", fields, noun="action", label=_action_label, new_row=self._new_row
        )
        self.add_button = self.form.add_button
        self.delete_button = self.form.delete_button
        self.picker = self.form.picker
        self.fields = self.form.fields
        self.priorities = widgets.HTML("")
        self.figure = figure_widget(self._figure())
        self.reflections: dict[str, widgets.Textarea] = {}
        self.reflection_fields: dict[str, Field] = {}
        boxes = []
        for key, question in REFLECTION_QUESTIONS.items():
            # Roomy: a full-width box of REFLECTION_ROWS lines, proportional font (EDITOR_CSS).
            area = widgets.Textarea(
                continuous_update=False,
                rows=REFLECTION_ROWS,
                placeholder="Your answer, in a few sentences",
                # "auto", not "100%": the box stretches to the column and its margins stay
                # inside it (100% plus the widget margin cut the right border off).
                layout=widgets.Layout(width="auto", min_height="6.5em"),
            )
            area.add_class("servekit-reflection")
            self.reflections[key] = area
            self.reflection_fields[key] = field = Field(key, area)
            area.observe(lambda _, k=key: self._answered(k), "value")
            boxes += [
                widgets.HTML(f"<b>{esc(question)}</b>"),
                widgets.VBox([area, field.error]),
            ]
        self._fill_reflections()
        self.layout_parts(
            self.priorities,
            self.figure,
            self.form.box(),
            widgets.HTML("<h4 style='margin:8px 0 2px'>Reflections</h4>"),
            *boxes,
        )
        self._show_priorities()

    # -- binding ------------------------------------------------------------------------------
    def _figure(self) -> dict:
        # A plain spec: the live chart compares it with what it shows (kit.widgets.livefig).
        return priority_spec(self.wb["scores"], self.wb["journey"], k=TOP_K, top=10)

    def _new_row(self, plan: pd.DataFrame) -> dict[str, Any]:
        top = top_priorities(self.wb["scores"], self.wb["journey"], k=1)
        first = str(top["touchpoint_id"].iloc[0]) if len(top) else self.touchpoint.value
        return {
            "action_id": next_id(plan["action_id"], "A"),
            "touchpoint_id": first,
            "kind": "do",
            "due": None,
            "owner_role": "",
        }

    def _refresh_choices(self) -> None:
        journey, scores = self.wb["journey"], self.wb["scores"]
        ranking = priority_ranking(scores, journey)
        ranked = {str(r.touchpoint_id): r for r in ranking.itertuples(index=False)}
        options = []
        for tid, r in ranked.items():
            flag = "act first · " if r.rank <= TOP_K and r.priority > 0 else ""
            options.append((f"#{r.rank} {flag}{tid} · {shorten(r.description)}", tid))
        for tp in ordered_touchpoints(journey).itertuples(index=False):
            if str(tp.touchpoint_id) not in ranked:
                options.append(
                    (
                        f"(not scored) {tp.touchpoint_id} · {shorten(tp.description)}",
                        str(tp.touchpoint_id),
                    )
                )
        with self.quiet():
            set_options(
                self.touchpoint, options or [("— no touchpoints yet —", "")], self.touchpoint.value
            )
            set_options(
                self.owner,
                role_options(self.wb["roles"], blank="— not decided —", serving=True),
                self.owner.value,
            )

    def _show_priorities(self) -> None:
        self.priorities.value = priorities_html(
            self.wb["scores"], self.wb["journey"], self.wb["plan"]
        )

    def _fill_reflections(self) -> None:
        with self.quiet():
            for key, area in self.reflections.items():
                area.value = self.wb.reflections.get(key, "")

    def refresh(self) -> None:
        """Show the workbook's priorities, actions and reflections; update the chart in place."""
        self._refresh_choices()
        self.form.refresh()
        self._show_priorities()
        self._fill_reflections()
        sync_figure(self.figure, self._figure())

    # -- edits --------------------------------------------------------------------------------
    def _answered(self, key: str) -> None:
        if self.loading:
            return
        self.commit(
            reflections={key: self.reflections[key].value},
            fields={key: self.reflection_fields[key]},
            what=f"answer to {key}",
        )


def plan_editor(workshop_dir: str | Path, team: str) -> PlanEditor | widgets.HTML:
    """Open the plan and reflections editor on a team of a workshop.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    team : str
        The team's slug or display name.

    Returns
    -------
    PlanEditor
        Or a message saying what to fix when the team cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> type(plan_editor(ws.path, "A")).__name__
    'PlanEditor'
    """
    return open_editor(PlanEditor, workshop_dir, team)
