"""The scoring editor: each scorer rates every touchpoint, and the IPA chart updates live.

Type your name as scorer, then for every touchpoint move the sliders: how **important** it is to
the customer, how well it is **performed** today, and how ready the employees are on **be**,
**do** and **have** (1 = not at all … 5 = fully; "–" = not rated). Each move is saved at once; a
touchpoint's row needs both importance and performance before it can be saved. The
Importance–Performance chart (:func:`kit.figures.ipa.ipa_figure`) updates in place.
"""

from __future__ import annotations

from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from kit.analyses.journey import ordered_touchpoints
from kit.analyses.scoring import RATINGS
from kit.figures.ipa import ipa_spec
from kit.figures.style import esc
from kit.formatting import shorten
from kit.store.workbook import Workbook
from kit.widgets.base import (
    Editor,
    Field,
    Session,
    error_html,
    figure_widget,
    labelled,
    missing,
    open_editor,
    sync_figure,
)

__all__ = [
    "RATING_LABELS",
    "SCALE",
    "ScoringEditor",
    "TouchpointScores",
    "UNSET_CLASS",
    "UNSET_COLOUR",
    "scoring_editor",
]

SCALE: tuple[tuple[str, int], ...] = (("–", 0), ("1", 1), ("2", 2), ("3", 3), ("4", 4), ("5", 5))
"""Slider positions: "–" (not rated, stored blank) then 1 to 5."""

UNSET_CLASS = "servekit-unset"
"""CSS class of a slider not scored yet (still at "–")."""
UNSET_COLOUR = "#c8c8c8"
"""Handle colour of a slider not scored yet (grey: it does not look like a "1")."""

RATING_LABELS: dict[str, str] = {
    "importance": "Importance",
    "performance": "Performance",
    "be": "Be",
    "do": "Do",
    "have": "Have",
}


class TouchpointScores:
    """The five sliders of one touchpoint, with one error line.

    Examples
    --------
    >>> row = TouchpointScores("T1", "<b>T1</b> Check-in")
    >>> sorted(row.sliders), row.sliders["be"].value
    (['be', 'do', 'have', 'importance', 'performance'], 0)

    A slider not set yet looks unset (class ``servekit-unset``, grey handle, readout "–"):

    >>> UNSET_CLASS in row.sliders["be"]._dom_classes, "not scored yet" in row.state.value
    (True, True)
    >>> row.sliders["be"].value = 4
    >>> UNSET_CLASS in row.sliders["be"]._dom_classes, row.sliders["be"].style.handle_color
    (False, None)

    Attributes
    ----------
    touchpoint_id : str
    sliders : dict of str to ipywidgets.SelectionSlider
        ``importance``, ``performance``, ``be``, ``do``, ``have``.
    error : ipywidgets.HTML
    """

    def __init__(self, touchpoint_id: str, label: str):
        self.touchpoint_id = touchpoint_id
        self.label = widgets.HTML(label, layout=widgets.Layout(width="100%"))
        self.error = widgets.HTML("")
        self.sliders = {
            rating: widgets.SelectionSlider(
                options=SCALE,
                value=0,
                description=RATING_LABELS[rating],
                continuous_update=False,
                style={"description_width": "92px"},
                layout=widgets.Layout(width="250px"),
            )
            for rating in RATINGS
        }
        self.fields = {r: Field(r, s, error=self.error) for r, s in self.sliders.items()}
        self.box = widgets.VBox(
            [
                self.label,
                widgets.HBox([self.sliders["importance"], self.sliders["performance"]]),
                widgets.HBox([self.sliders[k] for k in ("be", "do", "have")]),
                self.error,
            ],
            layout=widgets.Layout(border_bottom="1px solid #ddd", padding="4px 0", flex="0 0 auto"),
        )  # keep its height inside the scroll box
        self.box.add_class("servekit-score-row")
        self.state = widgets.HTML("", layout=widgets.Layout(flex="0 0 auto"))
        self.state.add_class("servekit-score-state")
        self.box.children = (widgets.HBox([self.label, self.state]), *self.box.children[1:])
        for slider in self.sliders.values():
            slider.observe(lambda _: self.show_state(), "value")
        self.show_state()

    def show_state(self) -> None:
        """Mark each slider still at "–" as unset (grey handle, class, tooltip), the rest set."""
        for slider in self.sliders.values():
            if slider.value == 0:
                slider.add_class(UNSET_CLASS)
                slider.style.handle_color = UNSET_COLOUR
                slider.tooltip = "not scored yet: move the slider to score"
            else:
                slider.remove_class(UNSET_CLASS)
                slider.style.handle_color = None
                slider.tooltip = None
        unset = all(s.value == 0 for s in self.sliders.values())
        self.state.value = (
            "<i style='color:#777;white-space:nowrap'>not scored yet</i>" if unset else ""
        )
        self.state.layout.display = "" if unset else "none"


class ScoringEditor(Editor):
    """Per scorer, rate importance, performance and be/do/have readiness for every touchpoint.

    Parameters
    ----------
    workbook : Workbook or Session
        The team's workbook.
    scorer : str, optional
        The scorer's name to start with.

    Attributes
    ----------
    scorer : ipywidgets.Combobox
        The scorer's name (team members are suggested).
    rows : dict of str to TouchpointScores
        The sliders of each touchpoint, by ``touchpoint_id`` (journey order).
    figure : plotly.graph_objects.FigureWidget
        The IPA chart, updated in place.

    Examples
    --------
    >>> import tempfile
    >>> from kit.widgets.journey import JourneyEditor
    >>> session = Session(Workbook.load(tempfile.mkdtemp()))
    >>> journey = JourneyEditor(session)
    >>> journey.stage.value, journey.description.value = "Arrival", "Check-in"
    >>> journey.add_button.click()
    >>> editor = ScoringEditor(session, scorer="Ann")
    >>> editor.rows["T1"].sliders["importance"].value = 5
    >>> editor.rows["T1"].sliders["performance"].value = 2
    >>> session.wb["scores"][["scorer", "importance", "performance"]].values.tolist()
    [['Ann', 5, 2]]
    """

    title = "Scoring: what matters to the customer, and how well we do it"

    def __init__(self, workbook: Workbook | Session, scorer: str = ""):
        super().__init__(workbook)
        self.scorer = labelled(
            widgets.Combobox(
                continuous_update=False,
                ensure_option=False,
                placeholder="type your name",
                value=scorer,
            ),
            "Scorer:",
            "360px",
        )
        self.scorer_field = Field("scorer", self.scorer)
        self.scorer.observe(lambda _: self._scorer_changed(), "value")
        self.rows: dict[str, TouchpointScores] = {}
        self._unsaved: set[str] = set()  # touchpoints rated before a name was typed
        # Scrolls on its own, so the chart under it stays in view while scoring.
        self.rows_box = widgets.VBox(
            layout=widgets.Layout(
                max_height="430px", overflow="auto", border="1px solid #ddd", padding="0 6px"
            )
        )
        self.figure = figure_widget(self._figure())
        self._build_rows()
        self.layout_parts(
            widgets.HTML(
                "Rate from 1 (not at all) to 5 (fully); “–” means not rated. "
                "<b>Importance</b>: how much it matters to the customer. "
                "<b>Performance</b>: how well it goes today. <b>Be / Do / Have</b>: "
                "how ready the employees there are."
            ),
            self.scorer_field.box(),
            self.rows_box,
            self.figure,
        )

    # -- binding ------------------------------------------------------------------------------
    def _figure(self) -> dict:
        # A plain spec: the live chart compares it with what it shows (kit.widgets.livefig).
        return ipa_spec(self.wb["scores"], self.wb["journey"])

    def _touchpoints(self) -> list[tuple[str, str]]:
        ordered = ordered_touchpoints(self.wb["journey"])
        return [
            (
                str(tp.touchpoint_id),
                f"<b>{esc(tp.touchpoint_id)}</b> · {esc(shorten(tp.stage, 24))} — "
                f"{esc(shorten(tp.description, 90))}"
                + (" <b>★ moment of truth</b>" if tp.moment_of_truth else ""),
            )
            for tp in ordered.itertuples(index=False)
        ]

    def _build_rows(self) -> None:
        touchpoints = self._touchpoints()
        if [t for t, _ in touchpoints] != list(self.rows):
            old = self.rows
            self.rows = {}
            for tid, label in touchpoints:
                row = old.get(tid) or TouchpointScores(tid, label)
                row.label.value = label
                if tid not in old:
                    for rating, slider in row.sliders.items():
                        slider.observe(lambda _, t=tid, r=rating: self._moved(t, r), "value")
                self.rows[tid] = row
            self.rows_box.children = [r.box for r in self.rows.values()] or [
                widgets.HTML("<i>No touchpoints yet: map the journey first (notebook 01).</i>")
            ]
        else:
            for tid, label in touchpoints:
                self.rows[tid].label.value = label
        self._fill()

    def _fill(self) -> None:
        scores = self.wb["scores"]
        name = self.scorer.value.strip()
        mine = scores[scores["scorer"].astype(str) == name] if name else scores.iloc[0:0]
        by_tp = {str(r["touchpoint_id"]): r for _, r in mine.iterrows()}
        with self.quiet():
            self.scorer.options = tuple(
                dict.fromkeys([*self.wb.members, *scores["scorer"].dropna().astype(str)])
            )
            for tid, row in self.rows.items():
                found = by_tp.get(tid)
                row.error.value = ""
                for rating, slider in row.sliders.items():
                    value = None if found is None else found[rating]
                    slider.value = 0 if missing(value) else int(value)

    def refresh(self) -> None:
        """Show the workbook's touchpoints and this scorer's ratings; update the chart in place."""
        self._build_rows()
        sync_figure(self.figure, self._figure())

    def _scorer_changed(self) -> None:
        if self.loading:
            return
        self.scorer_field.error.value = ""
        self.message.value = ""
        held = {
            tid: {rating: slider.value for rating, slider in self.rows[tid].sliders.items()}
            for tid in self._unsaved
            if tid in self.rows
        }
        self._fill()
        if not self.scorer.value.strip() or not held:
            return
        # Sliders moved before the name was typed are this scorer's ratings: put them back and
        # save them, rather than showing the name's saved row (or "–") in their place.
        self._unsaved.clear()
        for tid, values in held.items():
            with self.quiet():
                for rating, value in values.items():
                    self.rows[tid].sliders[rating].value = value
            self.rate(tid)

    # -- edits --------------------------------------------------------------------------------
    def _moved(self, touchpoint_id: str, rating: str) -> None:
        if self.loading:
            return
        self.rate(touchpoint_id)

    def rate(self, touchpoint_id: str) -> bool:
        """Save the sliders of one touchpoint as this scorer's row (what moving a slider does).

        All five "–" deletes the row; otherwise importance and performance are required (the
        workbook says so next to the sliders, and nothing is saved until both are set).

        Examples
        --------
        >>> import tempfile
        >>> from kit.widgets.journey import JourneyEditor
        >>> session = Session(Workbook.load(tempfile.mkdtemp()))
        >>> journey = JourneyEditor(session)
        >>> journey.stage.value, journey.description.value = "Arrival", "Check-in"
        >>> journey.add_button.click()
        >>> editor = ScoringEditor(session, scorer="Bo")
        >>> editor.rows["T1"].sliders["importance"].value = 4  # performance still "–"
        >>> "performance" in editor.rows["T1"].error.value, len(session.wb["scores"])
        (True, 0)
        """
        row = self.rows[touchpoint_id]
        name = self.scorer.value.strip()
        if not name:
            self.scorer_field.error.value = error_html(
                [
                    "type your name first: scores are saved per scorer (the sliders you moved are kept)"
                ]
            )
            self._unsaved.add(touchpoint_id)  # kept on screen, saved once the name is typed
            return False
        self.scorer_field.error.value = ""
        values = {r: (s.value or None) for r, s in row.sliders.items()}
        scores = self.wb["scores"]
        mask = (scores["touchpoint_id"].astype(str) == touchpoint_id) & (
            scores["scorer"].astype(str) == name
        )
        edited = scores.astype(object)
        if all(v is None for v in values.values()):
            edited = edited[~mask].reset_index(drop=True)
        elif mask.any():
            index = scores.index[mask][0]
            for rating, value in values.items():
                edited.at[index, rating] = value
        else:
            new = pd.DataFrame(
                [{"touchpoint_id": touchpoint_id, "scorer": name, **values}],
                columns=list(scores.columns),
                dtype=object,
            )
            edited = pd.concat([edited, new], ignore_index=True)
        return self.commit(
            {"scores": edited}, fields=row.fields, what=f"{name}'s scores of {touchpoint_id}"
        )


def scoring_editor(
    workshop_dir: str | Path, team: str, scorer: str = ""
) -> ScoringEditor | widgets.HTML:
    """Open the scoring editor on a team of a workshop.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    team : str
        The team's slug or display name.
    scorer : str, optional
        The scorer's name to start with (each person can also type theirs).

    Returns
    -------
    ScoringEditor
        Or a message saying what to fix when the team cannot be opened.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> type(scoring_editor(ws.path, "A")).__name__
    'ScoringEditor'
    """
    return open_editor(ScoringEditor, workshop_dir, team, scorer=scorer)
