"""The participant editors, driven from Python exactly as a participant drives them.

Every test sets control values and clicks buttons, then reads the team's files back with a
fresh Workbook: edits must land on disk, refused edits must leave the files untouched and say
why next to the field, conflicts must ask before overwriting, undo must restore the file.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go
import pytest

from kit.exceptions import InvalidData
from kit.store.problems import Problem
from kit.store.workbook import Workbook
from kit.widgets import (
    JourneyEditor,
    NeedsEditor,
    PlanEditor,
    PyramidEditor,
    ScoringEditor,
    Session,
    journey_editor,
    live_figure,
    needs_editor,
    open_team,
    plan_editor,
    pyramid_editor,
    scoring_editor,
    sync_figure,
)
from kit.widgets.base import NEW, next_id, problems_panel

XSS = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"]
SAVED = re.compile(r"saved \d\d:\d\d:\d\d")


# --------------------------------------------------------------------------- helpers
def snapshot(folder):
    """Bytes and mtimes of every file of a team folder (``.history`` included)."""
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def fresh(folder) -> Workbook:
    return Workbook.load(folder)


def html_texts(widget) -> list[str]:
    """Every HTML string the widget tree renders (HTML widgets, descriptions allow HTML too)."""
    found = []
    stack = [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, widgets.HTML | widgets.HTMLMath):
            found.append(w.value)
        if getattr(w, "description_allow_html", False):
            found.append(w.description)
        stack.extend(getattr(w, "children", ()))
    return found


def marker_points(figure: go.FigureWidget) -> int:
    return sum(len(t.x or ()) for t in figure.data if "markers" in (t.mode or ""))


def assert_no_raw_markup(widget, payloads=XSS):
    for text in html_texts(widget):
        for payload in payloads:
            assert payload not in text, f"unescaped user text in widget HTML: {text[:200]}"


def journey_of(folder) -> pd.DataFrame:
    return fresh(folder)["journey"].set_index("touchpoint_id")


# --------------------------------------------------------------------------- journey editor
def test_opening_an_editor_writes_nothing(mini_team):
    before = snapshot(mini_team)
    session = Session(fresh(mini_team))
    JourneyEditor(session), PyramidEditor(session), NeedsEditor(session)
    ScoringEditor(session, scorer="Ann"), PlanEditor(session)
    assert snapshot(mini_team) == before


def test_add_touchpoint_lands_on_disk_and_updates_figure_in_place(mini_team):
    editor = JourneyEditor(fresh(mini_team))
    figure = editor.figure
    points = marker_points(figure)
    assert editor.picker.value is NEW
    assert editor.touchpoint_id.value == "T3"
    editor.stage.value = "Arrival"
    editor.time.value = "15:20"
    editor.description.value = "Bags taken to the room"
    editor.channel.value = "face to face"
    editor.contact.value = "direct"
    editor.role.value = "desk"
    editor.emotion.value = 2
    editor.moment_of_truth.value = True
    editor.add_button.click()

    row = journey_of(mini_team).loc["T3"]
    assert (row["stage"], row["time"], row["description"]) == (
        "Arrival",
        "15:20",
        "Bags taken to the room",
    )
    assert (row["role_id"], row["emotion"], bool(row["moment_of_truth"])) == ("desk", 2, True)
    assert row["order"] == 3
    assert SAVED.search(editor.status.value)
    assert editor.figure is figure and marker_points(figure) == points + 1
    # ready for the next touchpoint: a fresh draft keeping the stage
    assert editor.picker.value is NEW and editor.touchpoint_id.value == "T4"
    assert editor.stage.value == "Arrival" and editor.description.value == ""


def test_editing_a_picked_touchpoint_saves_each_change(mini_team):
    editor = JourneyEditor(fresh(mini_team))
    editor.picker.value = "T1"
    assert editor.description.value == "Check-in at the desk"
    assert editor.add_button.disabled and not editor.delete_button.disabled
    editor.description.value = "Check-in with a smile"
    assert journey_of(mini_team).loc["T1", "description"] == "Check-in with a smile"
    editor.emotion.value = -1
    assert journey_of(mini_team).loc["T1", "emotion"] == -1
    assert journey_of(mini_team).loc["T1", "description"] == "Check-in with a smile"
    assert editor.figure.data[0].y[0] == -1  # the emotion line, first touchpoint


@pytest.mark.parametrize(
    ("control", "value", "expected"),
    [
        ("time", "7.30", "HH:MM"),
        ("description", "   ", "blank"),
        ("stage", "", "blank"),
    ],
)
def test_invalid_new_touchpoint_is_refused_next_to_the_field(mini_team, control, value, expected):
    before = snapshot(mini_team)
    editor = JourneyEditor(fresh(mini_team))
    editor.stage.value, editor.description.value = "Room", "Minibar restocked"
    getattr(editor, control).value = value
    editor.add_button.click()
    error = editor.fields[control if control != "role" else "role_id"].error.value
    assert expected in error, error
    assert snapshot(mini_team) == before
    assert len(editor.wb["journey"]) == 2
    assert getattr(editor, control).value == value  # the typed text stays, to be fixed


def test_invalid_edit_of_existing_touchpoint_is_refused_and_can_be_fixed(mini_team):
    before = snapshot(mini_team)
    editor = JourneyEditor(fresh(mini_team))
    editor.picker.value = "T1"
    editor.time.value = "25:99"
    assert "HH:MM" in editor.fields["time"].error.value
    assert snapshot(mini_team) == before
    assert editor.wb["journey"].loc[0, "time"] == "15:00"
    editor.time.value = "7:05"
    assert editor.fields["time"].error.value == ""
    assert journey_of(mini_team).loc["T1", "time"] == "07:05"


def test_duplicate_id_is_refused(mini_team):
    before = snapshot(mini_team)
    editor = JourneyEditor(fresh(mini_team))
    editor.touchpoint_id.value = "T1"
    editor.stage.value, editor.description.value = "Room", "Twin"
    editor.add_button.click()
    assert "duplicate" in editor.fields["touchpoint_id"].error.value
    assert snapshot(mini_team) == before


def test_deleting_a_touchpoint_still_in_use_is_refused_with_the_reason(mini_team):
    before = snapshot(mini_team)
    editor = JourneyEditor(fresh(mini_team))
    editor.picker.value = "T1"  # has needs, scores and a plan action
    editor.delete_button.click()
    assert "needs.csv" in editor.message.value and "T1" in editor.message.value
    assert snapshot(mini_team) == before
    editor.picker.value = "T2"
    editor.delete_button.click()
    assert list(journey_of(mini_team).index) == ["T1"]
    assert editor.picker.value is NEW


def test_reorder_within_a_stage(mini_team):
    editor = JourneyEditor(fresh(mini_team))
    editor.stage.value, editor.description.value = "Arrival", "Welcome drink"
    editor.add_button.click()  # T3, order 3, last of Arrival
    editor.picker.value = "T3"
    assert editor.move(-1)
    orders = journey_of(mini_team)["order"]
    assert orders["T3"] < orders["T1"]
    assert editor.picker.value == "T3"
    editor.up_button.click()  # already first in Arrival: refused, nothing written
    assert "already first" in editor.message.value
    editor.picker.value = "T2"
    editor.down_button.click()
    assert "already last" in editor.message.value


def test_undo_restores_the_table_on_disk(mini_team):
    original = fresh(mini_team)["journey"]
    editor = JourneyEditor(fresh(mini_team))
    assert editor.undo_button.disabled
    editor.picker.value = "T2"
    editor.description.value = "Room cleaned twice"
    assert journey_of(mini_team).loc["T2", "description"] == "Room cleaned twice"
    editor.undo_button.click()
    pd.testing.assert_frame_equal(fresh(mini_team)["journey"], original)
    assert editor.description.value == "Room prepared before arrival"
    assert SAVED.search(editor.status.value) and editor.undo_button.disabled


def test_undo_of_an_add(mini_team):
    editor = JourneyEditor(fresh(mini_team))
    editor.stage.value, editor.description.value = "Room", "Turn-down service"
    editor.add_button.click()
    assert "T3" in journey_of(mini_team).index
    editor.undo()
    assert "T3" not in journey_of(mini_team).index
    assert len(editor.picker.options) == 3  # new + T1 + T2


def _conflict(mini_team):
    """They change T1 (the row I edit) and T2 (one I do not touch); then I edit T1."""
    editor = JourneyEditor(fresh(mini_team))
    editor.picker.value = "T1"
    other = fresh(mini_team)
    theirs = other["journey"]
    theirs.loc[theirs["touchpoint_id"] == "T1", "description"] = "Their check-in text"
    theirs.loc[theirs["touchpoint_id"] == "T2", "description"] = "Their room text"
    other["journey"] = theirs
    other.save()
    editor.description.value = "My check-in text"
    return editor


def test_edits_of_different_rows_merge_without_asking(mini_team):
    editor = JourneyEditor(fresh(mini_team))
    editor.picker.value = "T1"  # picked before they save: the edit is made on the old version
    other = fresh(mini_team)
    theirs = other["journey"]
    theirs.loc[theirs["touchpoint_id"] == "T2", "description"] = "Their room text"
    other["journey"] = theirs
    other.save()
    editor.description.value = "My check-in text"
    assert editor.conflict.layout.display == "none"
    on_disk = journey_of(mini_team)
    assert on_disk.loc["T1", "description"] == "My check-in text"
    assert on_disk.loc["T2", "description"] == "Their room text"
    assert (
        editor.wb["journey"].set_index("touchpoint_id").loc["T2", "description"]
        == "Their room text"
    )  # the editor now shows their row too, and says so
    assert "with changes someone else saved in journey.csv" in editor.status.value
    editor.undo()  # undoes my row only; theirs stays
    on_disk = journey_of(mini_team)
    assert on_disk.loc["T1", "description"] == "Check-in at the desk"
    assert on_disk.loc["T2", "description"] == "Their room text"


def test_an_editor_notices_files_saved_underneath_it_before_the_next_edit(mini_team):
    editor = JourneyEditor(fresh(mini_team))
    other = fresh(mini_team)
    theirs = other["journey"]
    theirs.loc[theirs["touchpoint_id"] == "T2", "description"] = "Their room text"
    other["journey"] = theirs
    other.save()
    editor.picker.value = "T2"  # picking a row looks at the disk first
    assert editor.description.value == "Their room text"
    assert "someone else saved journey.csv" in editor.status.value
    assert editor.conflict.layout.display == "none"


def test_conflict_shows_a_banner_with_both_values_and_overwrites_nothing(mini_team):
    editor = _conflict(mini_team)
    assert editor.conflict.layout.display == "flex"
    assert (
        "<li>journey.csv, row touchpoint_id=T1, description: theirs &#x27;Their check-in "
        "text&#x27;, yours &#x27;My check-in text&#x27;</li>"
    ) in editor.conflict_text.value
    assert "not saved" in editor.status.value
    on_disk = journey_of(mini_team)
    assert on_disk.loc["T1", "description"] == "Their check-in text"
    assert on_disk.loc["T2", "description"] == "Their room text"


def test_conflict_reload_theirs(mini_team):
    editor = _conflict(mini_team)
    editor.reload_button.click()
    assert editor.conflict.layout.display == "none"
    on_disk = journey_of(mini_team)
    assert on_disk.loc["T1", "description"] == "Their check-in text"
    assert on_disk.loc["T2", "description"] == "Their room text"
    shown = editor.wb["journey"].set_index("touchpoint_id")
    assert shown.loc["T2", "description"] == "Their room text"
    assert editor.description.value == "Their check-in text"  # T1 still picked, theirs shown
    assert editor.undo_button.disabled
    editor.description.value = "After reload"  # saving works again
    assert journey_of(mini_team).loc["T1", "description"] == "After reload"


def test_conflict_keep_mine_keeps_their_other_rows(mini_team):
    editor = _conflict(mini_team)
    editor.keep_button.click()
    assert editor.conflict.layout.display == "none"
    assert SAVED.search(editor.status.value)
    on_disk = journey_of(mini_team)
    assert on_disk.loc["T1", "description"] == "My check-in text"
    assert on_disk.loc["T2", "description"] == "Their room text"  # not reverted (issue 16)
    history = list((mini_team / ".history").glob("*.journey.csv"))
    assert any("Their check-in text" in p.read_text() for p in history)


def test_deleting_a_touchpoint_someone_just_gave_a_need_is_refused_with_an_offer(mini_team):
    editor = JourneyEditor(fresh(mini_team))
    editor.picker.value = "T2"
    other = fresh(mini_team)
    needs = other["needs"]
    needs.loc[len(needs)] = {
        "touchpoint_id": "T2",
        "kind": "have",
        "need": "Fresh linen",
        "provider_role": None,
    }
    other["needs"] = needs
    other.save()
    assert not editor.delete_button.disabled
    editor.delete_button.click()
    assert editor.conflict.layout.display == "flex"
    assert (
        "needs.csv:3:touchpoint_id: &#x27;T2&#x27; is not a touchpoint_id in journey.csv"
        in editor.conflict_text.value
    )
    assert "delete the 1 dependent row of needs.csv too" in editor.conflict_text.value
    assert "T2" in journey_of(mini_team).index  # nothing written
    assert Workbook.load(mini_team).problems == []
    editor.cascade_button.click()
    assert "T2" not in journey_of(mini_team).index
    assert fresh(mini_team)["needs"]["need"].tolist() == ["Fast check-in training"]
    assert Workbook.load(mini_team).problems == []


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_a_description_is_escaped_everywhere(mini_team, payload):
    editor = JourneyEditor(fresh(mini_team))
    editor.stage.value, editor.description.value = payload, payload
    editor.add_button.click()
    assert journey_of(mini_team).loc["T3", "description"] == payload  # data kept as typed
    editor.picker.value = "T3"
    texts = html_texts(editor)
    assert any("&lt;" in t and ("img" in t or "script" in t) for t in texts)
    assert_no_raw_markup(editor)
    figure_json = json.dumps(editor.figure.to_plotly_json())
    assert payload not in figure_json and "&lt;" in figure_json
    editor.time.value = payload  # refused: the message quotes the value, escaped
    assert "&lt;" in editor.fields["time"].error.value
    assert_no_raw_markup(editor)


# --------------------------------------------------------------------------- pyramid editor
def test_pyramid_names_roles_reaching_no_customer_and_updates_live(mini_team):
    editor = PyramidEditor(fresh(mini_team))
    assert "every role reaches a customer" in editor.chain.value
    figure = editor.figure
    editor.role_name.value, editor.level.value, editor.headcount.value = (
        "IT helpdesk",
        "support",
        "3",
    )
    editor.add_role_button.click()
    roles = fresh(mini_team)["roles"].set_index("role_id")
    assert roles.loc["it_helpdesk", "headcount"] == 3
    assert "Roles that reach no customer" in editor.chain.value
    assert "IT helpdesk" in editor.chain.value
    assert editor.figure is figure
    assert any("IT helpdesk" in json.dumps(t.to_plotly_json()) for t in figure.data)
    editor.from_role.value, editor.to_role.value = "it_helpdesk", "desk"
    editor.add_edge_button.click()
    serves = fresh(mini_team)["serves"]
    assert ["it_helpdesk", "desk"] in serves.values.tolist()
    assert "every role reaches a customer" in editor.chain.value


def test_pyramid_refuses_bad_headcount_and_duplicate_edges(mini_team):
    before = snapshot(mini_team)
    editor = PyramidEditor(fresh(mini_team))
    editor.role_name.value, editor.headcount.value = "Night porter", "three"
    editor.add_role_button.click()
    assert "three" in editor.roles.fields["headcount"].error.value
    editor.from_role.value, editor.to_role.value = "desk", "guest"
    editor.add_edge_button.click()
    assert "duplicate" in editor.edge_fields["to_role"].error.value
    assert snapshot(mini_team) == before


def test_deleting_a_role_takes_its_edges_and_undo_brings_both_back(mini_team):
    # the front office manager is not used by the journey, so it may go (with its edge)
    wb = fresh(mini_team)
    needs, plan = wb["needs"], wb["plan"]
    needs["provider_role"], plan["owner_role"] = None, None
    wb["needs"], wb["plan"] = needs, plan
    wb.save()
    editor = PyramidEditor(fresh(mini_team))
    editor.role_picker.value = "fom"
    editor.delete_role_button.click()
    assert "fom" not in fresh(mini_team)["roles"]["role_id"].tolist()
    assert fresh(mini_team)["serves"].values.tolist() == [["desk", "guest"]]
    editor.undo_button.click()
    assert "fom" in fresh(mini_team)["roles"]["role_id"].tolist()
    assert ["fom", "desk"] in fresh(mini_team)["serves"].values.tolist()


def test_deleting_a_role_still_serving_a_touchpoint_is_refused(mini_team):
    before = snapshot(mini_team)
    editor = PyramidEditor(fresh(mini_team))
    editor.role_picker.value = "desk"
    editor.delete_role_button.click()
    assert "journey.csv" in editor.message.value
    assert snapshot(mini_team) == before


def test_pyramid_escapes_role_names(mini_team):
    editor = PyramidEditor(fresh(mini_team))
    for payload in XSS:
        editor.role_picker.value = NEW
        editor.role_name.value, editor.role_id.value = payload, ""
        editor.add_role_button.click()
    assert len(fresh(mini_team)["roles"]) == 5
    assert_no_raw_markup(editor)
    assert "&lt;script&gt;" in editor.chain.value


# --------------------------------------------------------------------------- needs editor
def test_needs_per_touchpoint(mini_team):
    editor = NeedsEditor(fresh(mini_team))
    assert editor.touchpoint.value == "T1"
    assert "Fast check-in training" in editor.listing.value
    editor.kind.value, editor.need.value, editor.provider.value = "have", "Key cards", "fom"
    editor.add_button.click()
    needs = fresh(mini_team)["needs"]
    assert needs.iloc[-1].tolist() == ["T1", "have", "Key cards", "fom"]
    assert "Key cards" in editor.listing.value
    editor.touchpoint.value = "T2"
    assert "Key cards" not in editor.listing.value
    editor.kind.value, editor.need.value = "be", ""
    editor.add_button.click()
    assert "blank" in editor.fields["need"].error.value
    assert len(fresh(mini_team)["needs"]) == 2
    editor.need.value = "<script>alert(1)</script>"
    editor.add_button.click()
    assert fresh(mini_team)["needs"].iloc[-1]["touchpoint_id"] == "T2"
    assert_no_raw_markup(editor)


def test_needs_edit_and_delete(mini_team):
    editor = NeedsEditor(fresh(mini_team))
    editor.picker.value = 0
    editor.need.value = "Check-in training, twice a year"
    assert fresh(mini_team)["needs"].loc[0, "need"] == "Check-in training, twice a year"
    editor.delete_button.click()
    assert len(fresh(mini_team)["needs"]) == 0


# --------------------------------------------------------------------------- scoring editor
def test_scoring_requires_a_scorer(mini_team):
    before = snapshot(mini_team)
    editor = ScoringEditor(fresh(mini_team))
    editor.rows["T2"].sliders["importance"].value = 4
    assert "name" in editor.scorer_field.error.value
    assert snapshot(mini_team) == before


def test_scoring_saves_rows_and_updates_the_ipa_chart(mini_team):
    before = snapshot(mini_team)
    editor = ScoringEditor(fresh(mini_team), scorer="Bo")
    figure = editor.figure
    row = editor.rows["T2"]
    row.sliders["importance"].value = 5
    assert "performance" in row.error.value and "blank" in row.error.value
    assert snapshot(mini_team) == before
    row.sliders["performance"].value = 2
    assert row.error.value == ""
    scores = fresh(mini_team)["scores"].set_index(["touchpoint_id", "scorer"])
    assert (scores.loc[("T2", "Bo"), "importance"], scores.loc[("T2", "Bo"), "performance"]) == (
        5,
        2,
    )
    assert pd.isna(scores.loc[("T2", "Bo"), "be"])
    assert editor.figure is figure
    assert "T2" in json.dumps([t.to_plotly_json() for t in figure.data])
    row.sliders["be"].value = 4
    assert (
        fresh(mini_team)["scores"].set_index(["touchpoint_id", "scorer"]).loc[("T2", "Bo"), "be"]
        == 4
    )
    # another scorer's values are loaded when the name changes
    editor.scorer.value = "Ann"
    values = {k: s.value for k, s in editor.rows["T1"].sliders.items()}
    assert values == {"importance": 5, "performance": 3, "be": 4, "do": 3, "have": 2}
    assert editor.rows["T2"].sliders["importance"].value == 0
    # all "–" removes the row
    editor.scorer.value = "Bo"
    for slider in editor.rows["T2"].sliders.values():
        slider.value = 0
    assert ("T2", "Bo") not in fresh(mini_team)["scores"].set_index(
        ["touchpoint_id", "scorer"]
    ).index


# --------------------------------------------------------------------------- plan editor
def test_plan_action_with_date_and_refused_number(mini_team):
    before = snapshot(mini_team)
    editor = PlanEditor(fresh(mini_team))
    assert editor.action_id.value == "A2"
    assert editor.touchpoint.value == "T1"  # the top priority comes first
    editor.action.value = "Laminate the check-in checklist"
    editor.owner.value = "fom"
    editor.due.value = dt.date(2026, 5, 1)
    editor.metric.value, editor.baseline.value, editor.target.value = "errors/week", "abc", "1"
    editor.add_button.click()
    assert "abc" in editor.fields["baseline"].error.value
    assert snapshot(mini_team) == before
    editor.baseline.value = "6"
    editor.add_button.click()
    plan = fresh(mini_team)["plan"].set_index("action_id")
    assert plan.loc["A2", "due"] == dt.date(2026, 5, 1)
    assert (plan.loc["A2", "baseline"], plan.loc["A2", "target"]) == (6.0, 1.0)
    assert "2026-05-01" in (mini_team / "plan.csv").read_text()
    editor.picker.value = "A2"
    editor.due.value = dt.date(2026, 6, 1)
    assert fresh(mini_team)["plan"].set_index("action_id").loc["A2", "due"] == dt.date(2026, 6, 1)
    assert (
        "· 1 action</li>" in editor.priorities.value
        or "· 2 actions</li>" in editor.priorities.value
    )


def test_reflections_save_and_undo(mini_team):
    editor = PlanEditor(fresh(mini_team))
    assert editor.reflections["first_step"].value == "Ann books the training room."
    editor.reflections["culture_of_service"].value = "Ask the front line <b>first</b>"
    assert fresh(mini_team).reflections["culture_of_service"] == "Ask the front line <b>first</b>"
    editor.undo_button.click()
    assert "culture_of_service" not in fresh(mini_team).reflections
    assert fresh(mini_team).reflections["first_step"] == "Ann books the training room."
    assert editor.reflections["culture_of_service"].value == ""


# --------------------------------------------------------------------------- sessions, opening
def test_editors_on_one_team_share_edits(mini_team):
    ws = mini_team.parent.parent
    journey = journey_editor(ws, "mini")
    needs = needs_editor(ws, "Mini team")
    view = live_figure(
        ws, "mini", __import__("kit.figures.journey", fromlist=["_"]).journey_map, "journey"
    )
    assert journey.session is needs.session is view.session
    points = marker_points(view.figure)
    journey.stage.value, journey.description.value = "Departure", "Bill explained"
    journey.add_button.click()
    assert "T3" in [v for _, v in needs.touchpoint.options]
    assert marker_points(view.figure) == points + 1


def test_opening_a_team_that_is_not_there_gives_a_message(mini_team):
    ws = mini_team.parent.parent
    for opener in (journey_editor, pyramid_editor, needs_editor, scoring_editor, plan_editor):
        shown = opener(ws, "<script>alert(1)</script>")
        assert isinstance(shown, widgets.HTML)
        assert "no team" in shown.value and "<script>" not in shown.value


def test_opening_a_team_with_bad_files_lists_the_problems(mini_team):
    (mini_team / "journey.csv").write_text(
        "touchpoint_id,stage,order,description,contact\nT1,Arrival,1,Desk,sideways\n"
    )
    shown = journey_editor(mini_team.parent.parent, "mini")
    assert isinstance(shown, widgets.HTML)
    assert "teams/mini/journey.csv:2:contact" in shown.value


def test_open_team_rereads_files_changed_on_disk(mini_team):
    ws = mini_team.parent.parent
    first = open_team(ws, "mini")
    other = fresh(mini_team)
    roles = other["roles"]
    roles.loc[roles["role_id"] == "desk", "name"] = "Reception"
    other["roles"] = roles
    other.save()
    again = open_team(ws, "mini")
    assert again is first
    assert "Reception" in again.wb["roles"]["name"].tolist()


def test_problems_panel_escapes():
    panel = problems_panel(InvalidData([Problem("a.csv", 2, "x", "got '<img src=x>'")]))
    assert "&lt;img" in panel.value and "<img" not in panel.value


def test_sync_figure_updates_in_place():
    shown = go.FigureWidget(
        go.Figure(go.Scatter(name="a", x=[0], y=[1]), layout={"title": {"text": "one"}})
    )
    sync_figure(
        shown,
        go.Figure(
            go.Scatter(name="a", x=[0, 1], y=[1, 2], mode="markers"),
            layout={"title": {"text": "two"}},
        ),
    )
    assert list(shown.data[0].x) == [0, 1] and shown.data[0].mode == "markers"
    assert shown.layout.title.text == "two"
    sync_figure(shown, go.Figure([go.Bar(name="b", x=[1], y=[1]), go.Bar(name="c", x=[2], y=[2])]))
    assert [t.name for t in shown.data] == ["b", "c"]
    assert shown.layout.title.text is None


def test_next_id():
    assert next_id(["T01", "T09"], "T") == "T10"
    assert next_id(["A1", None, float("nan")], "A") == "A2"


def test_demo_teams_open_in_every_editor(demo_workshop):
    for team in ("front-desk-friends", "equipe-etoile", "the-night-shift", "team-4-half-finished"):
        before = snapshot(demo_workshop / "teams" / team)
        for opener in (journey_editor, pyramid_editor, needs_editor, scoring_editor, plan_editor):
            assert not isinstance(opener(demo_workshop, team), widgets.HTML), (opener, team)
        assert snapshot(demo_workshop / "teams" / team) == before


def test_running_a_cell_again_closes_the_old_editor(mini_team):
    ws = mini_team.parent.parent
    first = journey_editor(ws, "mini")
    second = journey_editor(ws, "mini")
    assert first.comm is None and first.figure.comm is None and first.description.comm is None
    assert second.comm is not None and first not in second.session.editors
    second.stage.value, second.description.value = "Room", "Extra towels"
    second.add_button.click()
    assert "T3" in journey_of(mini_team).index


def test_served_by_provider_and_owner_offer_only_roles_that_can_serve(mini_team):
    wb = fresh(mini_team)
    session_roles = ["", "desk", "fom"]  # the guest (a customer) serves no one
    assert [v for _, v in JourneyEditor(wb).role.options][:3] == session_roles
    assert "guest" not in [v for _, v in JourneyEditor(wb).role.options]
    assert [v for _, v in NeedsEditor(wb).provider.options] == session_roles
    assert [v for _, v in PlanEditor(wb).owner.options] == session_roles
    pyramid = PyramidEditor(wb)  # an edge may still point at the customer
    assert "guest" in [v for _, v in pyramid.to_role.options]


def test_the_split_modules_keep_the_old_names_importable():
    from kit.widgets import base, editor, forms, livefig, session

    assert base.Editor is editor.Editor and base.RowForm is forms.RowForm
    assert base.open_team is session.open_team and base.sync_figure is livefig.sync_figure
    assert base.role_options is forms.role_options
    from kit.widgets.journey import role_options

    assert role_options is forms.role_options
