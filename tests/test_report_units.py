"""Report building blocks, without running notebooks: narrative, display, export, pages, digests."""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import plotly.graph_objects as go
import pytest
from helpers import MINI_TEAM, UNESCAPED, XSS_FILES, XSS_NAME, XSS_SCRIPT, make_workshop
from markupsafe import Markup
from plotly.utils import PlotlyJSONEncoder

from kit.analyses.followup import plan_progress
from kit.report import (
    NOTEBOOK,
    Job,
    Summary,
    TeamResult,
    display,
    failure_page,
    index_page,
    team_digest,
)
from kit.report.export import notebook_html, write_file
from kit.report.story import Story
from kit.testing import external_references


@pytest.fixture
def xss_story(tmp_path: Path) -> Story:
    ws = make_workshop(tmp_path / "ws", {"xss": XSS_FILES})
    return Story.load(ws, "xss")


# --------------------------------------------------------------------------- narrative
SECTIONS = [
    "cover",
    "glance",
    "journey_text",
    "blueprint_text",
    "pyramid_text",
    "scores_text",
    "priorities_text",
    "readiness_text",
    "plan_text",
    "results_text",
    "reflections_text",
    "notes_text",
]


@pytest.mark.parametrize("section", SECTIONS)
def test_every_section_escapes_user_text(xss_story: Story, section: str):
    html = getattr(xss_story, section)()
    assert isinstance(html, Markup)
    assert not UNESCAPED.search(str(html)), str(html)


def test_user_text_shows_escaped_where_it_belongs(xss_story: Story):
    cover = str(xss_story.cover())
    assert "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>" in cover
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in cover  # a member
    assert "Workshop &lt;i&gt;&amp;&lt;/i&gt; Co" in cover  # workshop title
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in str(xss_story.journey_text())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in str(xss_story.plan_text())
    assert "&lt;b&gt;bold&lt;/b&gt;" in str(xss_story.reflections_text())


def test_figures_escape_user_text_in_hovers_and_labels(xss_story: Story):
    for fig in (
        xss_story.journey_figure(),
        xss_story.blueprint_figure(),
        xss_story.pyramid_figure(),
        xss_story.ipa_figure(),
    ):
        spec = fig if isinstance(fig, dict) else fig.to_dict()  # a report shows the spec
        text = json.dumps(spec, cls=PlotlyJSONEncoder)
        assert "<script>" not in text and "<img src=x" not in text
        assert "&lt;script&gt;" in text or "&lt;img src=x" in text  # the user text is there


def test_half_finished_team_says_what_is_missing(tmp_path: Path):
    ws = make_workshop(
        tmp_path / "ws",
        {
            "half": {
                "plan.csv": "action_id,touchpoint_id,kind,action\n",
                "results.csv": "action_id,date,value\n",
                "reflections.yaml": "",
                "scores.csv": MINI_TEAM["scores.csv"],
            }
        },
    )
    story = Story.load(ws, "half")
    assert "score 1 more touchpoint" in story.todo()
    assert "write the internal service plan" in story.todo()
    assert "answer the action-plan questions" in story.todo()
    assert "Not finished yet" in story.glance()
    assert "No internal service plan yet." in story.plan_text()
    assert "plan.csv" in story.plan_text() and "05_plan.ipynb" in story.plan_text()
    assert "not answered yet" in story.reflections_text()
    assert "T2" in story.scores_text()  # the unscored touchpoint is named
    assert story.results_text() == ""  # no plan: no results section


def test_empty_team_has_no_figures_and_every_section_still_renders(tmp_path: Path):
    ws = tmp_path / "ws"
    (ws / "teams" / "new").mkdir(parents=True)
    story = Story.load(ws, "new")
    for section in SECTIONS:
        getattr(story, section)()
    figures = [
        story.journey_figure(),
        story.blueprint_figure(),
        story.pyramid_figure(),
        story.ipa_figure(),
        story.priority_figure(),
        story.readiness_figure(),
    ]
    assert figures == [None] * 6
    assert "No customer journey yet." in story.journey_text()


def test_story_finds_a_team_by_display_name_and_defaults_to_the_first(tmp_path: Path):
    ws = make_workshop(tmp_path / "ws", {"alpha": None, "beta": {"team.yaml": "name: Beta Team\n"}})
    assert Story.load(ws, "Beta Team").slug == "beta"
    assert Story.load(ws, "beta").slug == "beta"
    assert Story.load(ws, "").slug == "alpha"


def test_plan_progress_reads_both_directions_of_a_metric():
    plan = pd.DataFrame(
        {
            "action_id": ["down", "up", "away", "none", "flat"],
            "baseline": [14.0, 68.0, 10.0, 1.0, 5.0],
            "target": [5.0, 95.0, 20.0, 2.0, 5.0],
        }
    )
    results = pd.DataFrame(
        {
            "action_id": ["down", "down", "up", "away", "flat"],
            "date": ["2026-04-01", "2026-03-01", "2026-04-01", "2026-04-01", "2026-04-01"],
            "value": [8.0, 11.0, 95.0, 8.0, 6.0],
        }
    )
    got = plan_progress(plan, results).set_index("action_id")
    assert got.loc["down", "latest"] == 8.0  # the later date, not the last row
    assert got.loc["down", "progress"] == pytest.approx(6 / 9)
    assert got.loc["down", "status"] == "on the way"
    assert got.loc["up", "status"] == "target met"
    assert got.loc["away", "status"] == "off track"
    assert got.loc["none", "status"] == "not measured yet"
    assert got.loc["flat", "status"] == "no target set"
    assert list(got["measurements"]) == [2, 1, 1, 0, 1]


# --------------------------------------------------------------------------- display
def test_table_escapes_cells_and_headings():
    html = str(
        display.table(
            [{"a": XSS_SCRIPT, "b": 1.5}], {"a": "<th>", "b": "B"}, numeric=["b"], caption="<cap>"
        )
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&lt;th&gt;" in html and "&lt;cap&gt;" in html
    assert '<td class="num">1.5</td>' in html


def test_figure_bundle_has_plotly_json_and_html_with_deterministic_ids():
    display.setup(embed_plotlyjs=False, figure_prefix="Team A")
    first = display.figure_bundle(go.Figure(go.Bar(y=[1])))
    second = display.figure_bundle(go.Figure(go.Bar(y=[2])))
    assert first[display.PLOTLY_MIME]["data"][0]["y"] == [1]
    assert 'id="team-a-fig-1"' in first["text/html"]
    assert 'id="team-a-fig-2"' in second["text/html"]
    assert "Plotly.newPlot" in first["text/html"]
    display.setup(embed_plotlyjs=False, figure_prefix="Team A")
    again = display.figure_bundle(go.Figure(go.Bar(y=[1])))
    assert again == first


# --------------------------------------------------------------------------- export
def _notebook_with_figure() -> nbformat.NotebookNode:
    display.setup(embed_plotlyjs=False, figure_prefix="t")
    bundle = display.figure_bundle(go.Figure(go.Scatter(y=[1, 3, 2])))
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("show(fig)", execution_count=3)
    code.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/html": display.plotlyjs_html()},
            metadata={display.PLOTLYJS_MARK: True},
        ),
        nbformat.v4.new_output("display_data", data=bundle),
        nbformat.v4.new_output("stream", name="stderr", text="UserWarning: stderr-marker-7\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "42"}, execution_count=3),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("## Section"), code]
    return nb


def test_report_html_is_offline_with_one_plotlyjs_and_no_code_prompts_or_stderr():
    nb = _notebook_with_figure()
    page = notebook_html(nb, title="<Team>")
    assert external_references(page) == []
    assert page.count("plotly.js v") == 1  # inlined once, the notebook's copy dropped
    assert 'id="t-fig-1"' in page
    assert "<title>&lt;Team&gt;</title>" in page
    assert "show(fig)" not in page  # no code
    assert "In&nbsp;[" not in page and "Out[" not in page  # no prompts
    assert "stderr-marker-7" not in page  # no stderr
    assert "42" in page  # results are kept
    assert nb.cells[1].outputs[0]["metadata"][display.PLOTLYJS_MARK]  # input untouched


def test_shared_plotlyjs_mode_refers_to_the_local_asset():
    page = notebook_html(_notebook_with_figure(), title="T", plotlyjs="shared")
    assert "plotly.js v" not in page
    assert re.search(r'<script[^>]*src="assets/plotly.min.js"', page)
    assert external_references(page) == []


def test_external_references_finds_cdn_scripts_and_styles():
    page = (
        '<script src="https://cdn.x/require.js"></script><link href="//fonts.x/css" '
        'rel="stylesheet"><style>@import url("https://x/y.css")</style>'
        '<script src="assets/plotly.min.js"></script><a href="https://ok">link</a>'
    )
    assert external_references(page) == [
        "https://cdn.x/require.js",
        "//fonts.x/css",
        "https://x/y.css",
    ]


def test_write_file_is_atomic_and_readable(tmp_path: Path):
    target = tmp_path / "r.html"
    write_file(target, "one")
    write_file(target, "two")
    assert target.read_text() == "two"
    assert list(tmp_path.glob(".*.tmp")) == []
    assert target.stat().st_mode & 0o044  # group/other may read it


# --------------------------------------------------------------------------- pages
def _job() -> Job:
    return Job(
        slug="xss",
        team_dir="/w/teams/xss",
        workshop_dir="/w",
        out="/w/reports",
        notebook=str(NOTEBOOK),
        parameters={"crosshair": "mean"},
        title=f"Workshop {XSS_NAME}",
    )


def test_failure_page_names_team_problem_and_fix_escaped():
    result = TeamResult(
        slug="xss",
        name=XSS_NAME,
        status="invalid data",
        problem=f"bad {XSS_SCRIPT}",
        details=["teams/xss/roles.csv:2:level: got 'boss'"],
        fix="Correct it, then run again.",
    )
    page = failure_page(result, _job())
    assert not UNESCAPED.search(page)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "teams/xss/roles.csv:2:level: got &#39;boss&#39;" in page
    assert "servekit validate /w" in page and "--team xss" in page
    assert external_references(page) == []


def test_index_page_lists_teams_with_status_and_escapes():
    results = [
        TeamResult(
            slug="a",
            name=XSS_NAME,
            status="ok",
            html="a.html",
            pdf="a.pdf",
            summary={
                "members": [XSS_SCRIPT],
                "top": [{"touchpoint_id": "T1", "description": XSS_SCRIPT}],
                "todo": [],
            },
        ),
        TeamResult(slug="b", name="Team B", status="failed", html="b.html", problem="boom"),
    ]
    page = index_page(
        Summary(
            workshop=Path("/w"),
            out=Path("/w/reports"),
            results=results,
            seconds=1.0,
            workshop_info={"title": XSS_NAME, "date": "2026-03-01"},
        )
    )
    assert not UNESCAPED.search(page)
    assert 'href="a.html"' in page and 'href="a.pdf"' in page and 'href="b.html"' in page
    assert "1 of 2 reports could not be built" in page
    assert "2026-03-01" in page
    assert external_references(page) == []


# --------------------------------------------------------------------------- digests
def test_team_digest_follows_inputs_and_ignores_history(tmp_path: Path):
    ws = make_workshop(tmp_path / "ws", {"a": None})
    team = ws / "teams" / "a"
    base = team_digest(team, ws, NOTEBOOK, {"pdf": False})
    assert team_digest(team, ws, NOTEBOOK, {"pdf": False}) == base
    (team / ".history").mkdir()
    (team / ".history" / "old.journey.csv").write_text("x")
    (team / ".lock").write_text("")
    assert team_digest(team, ws, NOTEBOOK, {"pdf": False}) == base
    assert team_digest(team, ws, NOTEBOOK, {"pdf": True}) == base  # --pdf shapes no page
    assert team_digest(team, ws, NOTEBOOK, {"pdf": False, "crosshair": "midpoint"}) != base
    (ws / "workshop.yaml").write_text("title: Other\n")
    changed_info = team_digest(team, ws, NOTEBOOK, {"pdf": False})
    assert changed_info != base
    (team / "plan.csv").write_text(MINI_TEAM["plan.csv"].replace("Train", "Coach"))
    assert team_digest(team, ws, NOTEBOOK, {"pdf": False}) != changed_info


# --------------------------------------------------------------------------- one "step done"
def test_status_and_the_report_agree_on_what_is_done(tmp_path: Path, demo_workshop: Path):
    from kit.analyses.progress import STEPS, team_progress, team_steps
    from kit.store.workshop import Workshop

    ws = make_workshop(tmp_path / "ws", {"mini": None})
    workshops = [(ws, "mini")] + [(demo_workshop, t.slug) for t in Workshop(demo_workshop).teams()]
    for root, slug in workshops:
        story = Story.load(root, slug)
        row = team_progress({slug: story.wb}).iloc[0]
        steps = team_steps(story.wb)
        assert story.todo() == [phrase for s in STEPS for phrase in steps[s].todo]
        for step in STEPS:
            assert (row[step] == "done") == (steps[step].todo == ()), (slug, step)
        assert ("Not finished yet" in story.glance()) == any(row[s] != "done" for s in STEPS)


def test_the_mini_team_by_hand_status_and_todo():
    # 2 touchpoints (< 6): journey started, and the report says so; T2 unscored; plan and an
    # answer: plan done; customer + frontline + serves: pyramid done; T1 (the moment of truth)
    # has a need: needs done.
    import tempfile

    from kit.analyses.progress import team_steps

    ws = make_workshop(Path(tempfile.mkdtemp()) / "ws", {"mini": None})
    story = Story.load(ws, "mini")
    steps = team_steps(story.wb)
    assert {s: steps[s].status for s in steps} == {
        "journey": "started",
        "pyramid": "done",
        "needs": "done",
        "scores": "started",
        "plan": "done",
    }
    assert story.todo() == [
        "map at least 6 touchpoints of the journey (2 so far)",
        "score 1 more touchpoint",
    ]
