"""Issue 26, "words for participants": a team's report, calendar and notebooks speak to the team.

No module names (``kit.analyses…``), no source codes ("seed 002"), no formulas and no paths into
the facilitator's ``workshops/`` folder (a team's notebooks are its own copies, in
``notebooks/<team>/``): the report and the ICS are scanned as a participant reads them, the
report's text outside scripts and styles plus every chart's own text, and the calendar's
events unfolded by icalendar.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import icalendar
import nbformat
import pytest

from kit.readwrite.ics import plan_calendar
from kit.report import build_reports
from kit.resources import cases
from kit.room.sources import MARKER as SOURCES_MARKER
from kit.room.teamnotebooks import write_team_notebooks
from kit.store.workshop import create_demo, create_workshop

FORBIDDEN = {
    "a module name": re.compile(r"\bkit\.[a-z_]"),
    "a source code": re.compile(r"\bseed \d"),
    "the facilitator's notebook folder": re.compile(r"workshops/0"),
    "a formula": re.compile(r"max\(|MOT_WEIGHT|= max|× importance"),
    "a facilitator's command": re.compile(r"servekit (export|import|report|followup|calendar|new)"),
}
MINI_SCORES = "touchpoint_id,scorer,importance,performance,be,do,have\nT1,Ann,5,3,4,3,2\n"
TEAMS = ["front-desk-friends", "team-4-half-finished"]  # finished, with results; half-finished


class _Text(HTMLParser):
    """The text a reader sees: data outside <script> and <style>, and title/alt attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in ("script", "style")
        self.parts += [v for k, v in attrs if k in ("title", "alt", "aria-label") and v]

    def handle_endtag(self, tag: str) -> None:
        self.hidden -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def _chart_text(figure: dict) -> list[str]:
    """Every string a chart can show: titles, labels, hover templates, annotations, tick text."""
    found: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(figure)
    return found


def _hits(where: str, texts: list[str]) -> list[str]:
    text = " ".join(" ".join(texts).split())
    return [
        f"{where}: {what}: …{text[max(0, m.start() - 60) : m.end() + 40]}…"
        for what, pattern in FORBIDDEN.items()
        for m in pattern.finditer(text)
    ]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    ws = create_demo(tmp_path_factory.mktemp("words") / "ws").path
    summary = build_reports(ws, teams=TEAMS, jobs=2, progress=False)
    assert summary.exit_code == 0
    return ws


@pytest.mark.slow
def test_team_reports_have_no_module_names_source_codes_formulas_or_facilitator_paths(demo):
    hits = []
    for slug in TEAMS:
        page = _Text()
        page.feed((demo / "reports" / f"{slug}.html").read_text(encoding="utf-8"))
        charts = [
            text
            for cell in nbformat.read(demo / "reports" / f"{slug}.ipynb", as_version=4).cells
            for output in cell.get("outputs", [])
            for text in _chart_text(
                json.loads(
                    json.dumps(output.get("data", {}).get("application/vnd.plotly.v1+json", {}))
                )
            )
        ]
        assert len(page.parts) > 100 and len(charts) > 50, slug  # the scan reads real text
        hits += _hits(f"{slug}.html", page.parts) + _hits(f"{slug} charts", charts)
    assert not hits, "\n".join(hits)


@pytest.mark.slow
def test_the_half_finished_report_names_the_teams_own_notebooks(demo):
    page = _Text()
    page.feed((demo / "reports" / "team-4-half-finished.html").read_text(encoding="utf-8"))
    text = " ".join(" ".join(page.parts).split())
    assert (
        "No internal service plan yet. Add it with the planning notebook, 05_plan.ipynb in "
        "your team's notebooks folder; it is kept in the team folder as plan.csv ." in text
    )


@pytest.mark.slow
def test_the_calendar_has_no_module_names_source_codes_formulas_or_facilitator_paths(demo):
    calendar = plan_calendar(demo)
    events = list(calendar.walk("VEVENT"))
    assert len(events) > 10
    texts = [
        str(event.get(field, ""))
        for event in events
        for field in ("SUMMARY", "DESCRIPTION", "LOCATION")
    ]
    hits = _hits("plan.ics", texts)
    assert not hits, "\n".join(hits)
    assert any("07_follow_up.ipynb in your team's notebooks folder" in t for t in texts)
    assert isinstance(calendar, icalendar.Calendar)


@pytest.mark.parametrize("case", cases())
def test_a_teams_notebooks_have_no_module_names_source_codes_or_formulas(tmp_path, case):
    # The team's own copies, as 'servekit new' writes them with the case's text stamped in.
    # The shared Sources cell at the end credits the texts by name; it is left to its own tests.
    # The notebooks may name what the coach runs ("the coach sends the plan out with
    # `servekit export-xlsx`"): that tells the team what to expect, it is not an instruction.
    ws = create_workshop(tmp_path / "w", case=case, teams=["Blue"])
    texts = [
        cell.source
        for path in write_team_notebooks(ws.path)
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "markdown" and SOURCES_MARKER not in cell.source
    ]
    assert len(texts) > 20
    hits = [h for h in _hits(case, texts) if ": a facilitator's command: " not in h] + [
        f"{case}: a path into the kit or a dataset: …{m.group(0)}…"
        for text in texts
        for m in re.finditer(r"`(?:kit|datasets)/[^`]*`", text)
    ]
    assert not hits, "\n".join(hits)


def test_the_facilitators_follow_up_page_says_where_each_team_plans(tmp_path):
    # The page across teams is the facilitator's: "each team's" folder, not "your team's".
    from kit.report.followup_page import FollowUpSynthesis

    ws = create_workshop(tmp_path / "w", teams=["Blue", "Red"])
    text = str(FollowUpSynthesis.load(ws.path, as_of="2026-06-30").glance())
    assert (
        "Teams plan actions with the planning notebook, 05_plan.ipynb in each team&#39;s "
        "notebooks folder." in text
    )


def test_no_editor_shows_two_controls_with_the_same_label(mini_team):
    # The needs editor had "Need:" twice (the picker of saved needs and the need's text), the
    # plan editor "Action:" twice; a participant could not tell which box is which. (The
    # scoring editor repeats its five sliders once per touchpoint, each set under the
    # touchpoint's name: that is a list, not a clash, so it is not among these.)
    import ipywidgets as widgets

    from kit.store.workbook import Workbook
    from kit.widgets.journey import JourneyEditor
    from kit.widgets.needs import NeedsEditor
    from kit.widgets.plan import PlanEditor
    from kit.widgets.pyramid import PyramidEditor
    from kit.widgets.results import ResultsEditor

    def labels(widget: widgets.Widget) -> list[str]:
        own = getattr(widget, "description", "")
        found = [own] if own and not isinstance(widget, widgets.Button) else []
        for child in getattr(widget, "children", ()):
            found += labels(child)
        return found

    seen = {}
    for kind in (
        JourneyEditor,
        PyramidEditor,
        NeedsEditor,
        PlanEditor,
        ResultsEditor,
    ):
        shown = labels(kind(Workbook.load(mini_team)))
        assert len(shown) >= 2, kind.__name__
        seen[kind.__name__] = sorted({label for label in shown if shown.count(label) > 1})
    assert seen == {name: [] for name in seen}


def test_an_empty_box_is_not_called_a_cell(mini_team):
    from kit.store.workbook import Workbook
    from kit.widgets.needs import NeedsEditor

    editor = NeedsEditor(Workbook.load(mini_team))
    before = (mini_team / "needs.csv").read_text()
    editor.need.value = ""
    editor.add_button.click()
    assert editor.fields["need"].error.value == (
        "<span style='color:#D55E00'>⚠ left blank; expected some text</span>"
    )
    assert (mini_team / "needs.csv").read_text() == before


def test_sliders_moved_before_the_scorers_name_are_kept_and_saved_with_it(mini_team):
    from kit.store.workbook import Workbook
    from kit.widgets.scoring import ScoringEditor

    editor = ScoringEditor(Workbook.load(mini_team))
    row = editor.rows["T2"]
    row.sliders["importance"].value, row.sliders["performance"].value = 4, 2
    assert "type your name first" in editor.scorer_field.error.value
    assert (mini_team / "scores.csv").read_text() == MINI_SCORES  # nothing saved without a name
    editor.scorer.value = "Zoe"
    assert (row.sliders["importance"].value, row.sliders["performance"].value) == (4, 2)
    assert (mini_team / "scores.csv").read_text() == MINI_SCORES + "T2,Zoe,4,2,,,\n"
    assert editor.scorer_field.error.value == ""
