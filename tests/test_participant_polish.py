"""Issue 15, the participant's notebook: what a participant reads in the editors.

Each test builds the real editor widget on a real team folder and reads what it renders.
"""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from kit.store.workbook import Workbook
from kit.widgets import JourneyEditor, NeedsEditor, PlanEditor, PyramidEditor, ScoringEditor
from kit.widgets.orgchart_upload import OrgChartUpload
from kit.widgets.results import ResultsEditor
from tests.helpers import write_team

EDITORS = [
    JourneyEditor,
    NeedsEditor,
    PlanEditor,
    PyramidEditor,
    ScoringEditor,
    ResultsEditor,
    OrgChartUpload,
]


def html_texts(widget) -> list[str]:
    found, stack = [], [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, widgets.HTML):
            found.append(w.value)
        stack.extend(getattr(w, "children", ()))
    return found


@pytest.fixture
def named_team(tmp_path):
    team_yaml = 'name: "<b>Front Desk & Friends</b>"\nmembers: [Ann]\n'
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "workshop.yaml").write_text("title: Test\ncase: laurie-hospitality\n")
    return write_team(ws / "teams" / "front-desk", {"team.yaml": team_yaml})


@pytest.mark.parametrize("editor_class", EDITORS, ids=lambda c: c.__name__)
def test_every_editor_heading_names_the_team_escaped(named_team, editor_class):
    editor = editor_class(Workbook.load(named_team))
    heading = editor.children[0]
    assert isinstance(heading, widgets.HTML)
    assert "Editing: <b>&lt;b&gt;Front Desk &amp; Friends&lt;/b&gt;</b>" in heading.value
    assert all("<b>Front Desk" not in text for text in html_texts(editor))


def test_a_team_without_a_name_is_named_by_its_folder(tmp_path):
    folder = write_team(tmp_path / "teams" / "night-shift", {"team.yaml": "members: [Ann]\n"})
    editor = JourneyEditor(Workbook.load(folder))
    assert "Editing: <b>night-shift</b>" in editor.children[0].value


# --------------------------------------------------------------------------- 2. role names
def options_of(control) -> list[tuple[str, str]]:
    return [(label, value) for label, value in control.options]


def test_role_choices_show_display_names_and_keep_ids_as_values(mini_team):
    wb = Workbook.load(mini_team)
    needs, plan = NeedsEditor(wb), PlanEditor(wb)
    journey, pyramid = JourneyEditor(wb), PyramidEditor(wb)
    for control in (needs.provider, plan.owner, journey.role, pyramid.from_role):
        options = dict(options_of(control))
        assert options["Front desk agent · frontline"] == "desk"
        assert options["Front office manager · manager"] == "fom"
        assert all("(desk)" not in label and "(fom)" not in label for label in options)
    assert "Front desk agent · frontline · 4 people" in [
        lbl for lbl, _ in options_of(pyramid.roles.picker)
    ]


def test_needs_lists_name_the_provider_not_its_id(mini_team):
    editor = NeedsEditor(Workbook.load(mini_team))
    editor.touchpoint.value = "T1"
    assert "Fast check-in training <small>(by Front office manager)</small>" in editor.listing.value
    labels = [label for label, _ in editor.form.picker.options]
    assert "[DO] Fast check-in training — by Front office manager" in labels
    assert not any("by fom" in label for label in labels)


def test_journey_map_hover_names_the_role(mini_team):
    editor = JourneyEditor(Workbook.load(mini_team))
    custom = [row for trace in editor.figure.data for row in (trace.customdata or ())]
    assert any("Front desk agent" in list(row) for row in custom)
    assert not any("desk" in list(row) for row in custom)


def test_two_roles_with_one_name_are_told_apart_by_id(mini_team):
    roles = (
        "role_id,name,level,headcount\nguest,Hotel guest,customer,\n"
        "desk,Front desk agent,frontline,4\ndesk2,Front desk agent,frontline,2\n"
        "fom,Front office manager,manager,1\n"
    )
    folder = write_team(mini_team.parent / "twins", {"roles.csv": roles})
    labels = [label for label, _ in NeedsEditor(Workbook.load(folder)).provider.options]
    assert "Front desk agent (desk) · frontline" in labels
    assert "Front desk agent (desk2) · frontline" in labels


# --------------------------------------------------------------------------- 3. unset sliders
def test_sliders_not_scored_yet_look_unset_and_save_nothing(mini_team):
    before = (mini_team / "scores.csv").read_bytes()
    editor = ScoringEditor(Workbook.load(mini_team), scorer="Bo")  # Bo scored nothing
    row = editor.rows["T1"]
    for slider in row.sliders.values():
        assert slider.value == 0 and slider._options_labels[slider.index] == "–"
        assert "servekit-unset" in slider._dom_classes
        assert slider.style.handle_color == "#c8c8c8"
        assert slider.tooltip == "not scored yet: move the slider to score"
    assert "not scored yet" in row.state.value and row.state.layout.display == ""
    assert (mini_team / "scores.csv").read_bytes() == before  # opening saves nothing

    row.sliders["importance"].value = 4  # the participant moves one
    assert "servekit-unset" not in row.sliders["importance"]._dom_classes
    assert row.sliders["importance"].style.handle_color is None
    assert "servekit-unset" in row.sliders["performance"]._dom_classes
    assert row.state.value == "" and row.state.layout.display == "none"
    assert (mini_team / "scores.csv").read_bytes() == before  # performance still needed
    row.sliders["performance"].value = 2
    saved = Workbook.load(mini_team)["scores"]
    bo = saved[saved["scorer"] == "Bo"]
    assert bo[["importance", "performance"]].values.tolist() == [[4, 2]]
    assert bo[["be", "do", "have"]].isna().all(axis=None)  # unmoved sliders stay blank


def test_a_scorer_with_scores_sees_them_set_and_switching_back_unsets(mini_team):
    editor = ScoringEditor(Workbook.load(mini_team), scorer="Ann")
    row = editor.rows["T1"]
    assert [s.value for s in row.sliders.values()] == [5, 3, 4, 3, 2]
    assert not any("servekit-unset" in s._dom_classes for s in row.sliders.values())
    assert row.state.value == ""
    editor.scorer.value = "Cy"
    assert all("servekit-unset" in s._dom_classes for s in row.sliders.values())
    assert "not scored yet" in row.state.value
    assert Workbook.load(mini_team)["scores"]["scorer"].tolist() == ["Ann"]


# --------------------------------------------------------------------------- 4. boxes, buttons
def test_reflection_answers_get_roomy_proportional_boxes(mini_team):
    editor = PlanEditor(Workbook.load(mini_team))
    assert editor.reflections
    for area in editor.reflections.values():
        assert isinstance(area, widgets.Textarea)
        # "auto" stretches to the column with the margins inside it (the browser test measures
        # the width and that no border is cut off)
        assert area.rows >= 4 and area.layout.width == "auto"
        assert "servekit-reflection" in area._dom_classes
    css = editor.children[0].value
    assert ".servekit-editor textarea{font-family:var(--jp-ui-font-family" in css
    assert "servekit-editor" in editor._dom_classes
    assert editor.reflections["first_step"].value == "Ann books the training room."


def buttons(widget) -> list[widgets.Button]:
    found, stack = [], [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, widgets.Button):
            found.append(w)
        stack.extend(getattr(w, "children", ()))
    return found


@pytest.mark.parametrize("editor_class", EDITORS, ids=lambda c: c.__name__)
def test_no_button_is_cut_to_a_fixed_width(mini_team, editor_class):
    editor = editor_class(Workbook.load(mini_team))
    found = buttons(editor)
    assert len(found) >= 3
    assert [b.description for b in found if b.layout.width != "auto"] == []


def test_plurals_in_the_organisation_upload(mini_team):
    editor = OrgChartUpload(Workbook.load(mini_team))
    assert editor.upload.description == "Choose files"
    assert editor.load_files({"chart.csv": b"id,name,manager\n1,Boss,\n"})
    text = editor.result.value
    assert "(s)" not in text
    assert "<b>Flipped:</b> 1 row read; 2 roles (1 customer, 1 frontline), 1 serves edge" in text
    assert editor.load_files({"chart.csv": b"id,name,manager\n1,Boss,\n2,Clerk,1\n"})
    assert "<b>Flipped:</b> 2 rows read; 3 roles" in editor.result.value


# --------------------------------------------------------------------------- 5. team notebooks
def test_no_code_cell_of_a_team_notebook_is_collapsed_injected_parameters_too(tmp_path):
    import nbformat

    from kit.room.teamnotebooks import write_team_notebooks
    from kit.store.workshop import create_workshop

    ws = create_workshop(tmp_path / "ws", teams=["Front Desk & Friends"], starter=True)
    write_team_notebooks(ws.path)
    paths = sorted((ws.path / "notebooks" / "front-desk-friends").glob("0*.ipynb"))
    assert len(paths) >= 5
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
        assert len(injected) == 1, path.name
        assert injected[0].metadata == {"tags": ["injected-parameters"]}
        collapsed = [
            c.id
            for c in nb.cells
            if c.cell_type == "code" and c.metadata.get("jupyter", {}).get("source_hidden")
        ]
        assert collapsed == [], (path.name, collapsed)
        nbformat.validate(nb)


# --------------------------------------------------------------------------- 6. report roles
def test_story_lists_every_role_in_full_escaped(mini_team):
    from kit.report.story import Story

    roles = (
        "role_id,name,level,headcount\nguest,Hotel guest,customer,\n"
        "desk,Front desk & concierge agent <b>night</b> team,frontline,4\n"
        "fom,Front office manager,manager,1\n"
    )
    write_team(mini_team, {"roles.csv": roles})
    html = str(Story.load(mini_team.parent.parent, "mini").pyramid_roles())
    assert html.startswith(
        "<details class='servekit-roles'><summary>Every role in full (3 roles)</summary>"
    )
    rows = html.split("<tbody>")[1]
    assert rows == (
        "<tr><td>Hotel guest</td><td>customer</td><td style='text-align:right'>–</td></tr>"
        "<tr><td>Front desk &amp; concierge agent &lt;b&gt;night&lt;/b&gt; team</td>"
        "<td>front line</td><td style='text-align:right'>4</td></tr>"
        "<tr><td>Front office manager</td><td>manager</td>"
        "<td style='text-align:right'>1</td></tr></tbody></table></details>"
    )


@pytest.mark.slow
def test_team_report_has_the_full_role_names_under_the_pyramid(tmp_path):
    import pandas as pd

    from kit.report import build_reports
    from kit.store.workshop import create_demo

    ws = create_demo(tmp_path / "ws").path
    summary = build_reports(ws, teams=["front-desk-friends"], jobs=1, progress=False)
    assert [r.status for r in summary.results] == ["ok"]
    page = (ws / "reports" / "front-desk-friends.html").read_text(encoding="utf-8")
    roles = pd.read_csv(ws / "teams" / "front-desk-friends" / "roles.csv")
    block = page[page.index("Every role in full") :]
    block = block[: block.index("</details>")]
    assert f"({len(roles)} roles)" in block
    for name in roles["name"]:
        assert f"<tr><td>{name.replace('&', '&amp;')}</td>" in block
    heading = page.index("Your upside-down pyramid</h2>")
    table, next_heading = page.index("Every role in full"), page.index("<h2", heading)
    chart = page.index('class="plotly-graph-div"', heading)
    assert heading < chart < table < next_heading  # under the pyramid chart, in its section
