"""A very large team's report (issue 16): readable charts in the browser, and a clear timeout.

A 500-touchpoint team (:func:`kit.testing.write_big_team`, fixed seed) gets its report built by
the real batch and opened in headless Chromium: every chart draws, the journey charts are
summarised (per stage or top-N, with a note saying so) instead of 500 unreadable labels, and the
page's text is readable. How fast it loads is measured in ``benchmarks/bench_large_team.py``.
A notebook cell that runs out of time names the team, the section and the limit.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from conftest import ROOT
from helpers import launch_chromium, make_workshop

from kit.report import build_reports

pytestmark = pytest.mark.slow


def test_a_timeout_says_which_team_which_section_and_how_long(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None})
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    nb.cells = [
        nbformat.v4.new_code_cell(
            'workshop_dir = ""\nteam = ""\ncrosshair = "mean"\nembed_plotlyjs = True',
            metadata={"tags": ["parameters"]},
        ),
        nbformat.v4.new_markdown_cell("## 1. Quick part"),
        nbformat.v4.new_code_cell("x = 1"),
        nbformat.v4.new_markdown_cell("## 2. The slow chart"),
        nbformat.v4.new_code_cell("import time\ntime.sleep(60)"),
    ]
    notebook = tmp_path / "slow.ipynb"
    nbformat.write(nb, notebook)
    summary = build_reports(ws, jobs=1, progress=False, notebook=notebook, timeout=3)
    [result] = [r for r in summary.results if r.slug == "a"]
    assert result.problem == (
        "the report of team 'Mini team' ran out of time: section "
        "'2. The slow chart' was still running after 3 s, the time limit "
        "for one cell"
    )
    assert "bug" not in (result.problem + " " + (result.fix or "")).lower()
    page = (Path(ws) / "reports" / "a.html").read_text(encoding="utf-8")
    assert "2. The slow chart" in page and "after 3 s" in page


@pytest.fixture(scope="module")
def big_reports(tmp_path_factory) -> Path:
    from kit.store.workshop import create_workshop
    from kit.testing import write_big_team

    ws = create_workshop(tmp_path_factory.mktemp("big") / "ws", teams=[])
    write_big_team(ws.teams_path / "big", touchpoints=500, seed=16)
    summary = build_reports(ws.path, jobs=1, progress=False)
    assert [(r.slug, r.problem) for r in summary.results] == [("big", "")]
    return ws.path / "reports"


def test_the_large_team_is_the_same_every_time(tmp_path):
    from kit.testing import write_big_team

    first = write_big_team(tmp_path / "a", touchpoints=500, seed=16)
    second = write_big_team(tmp_path / "b", touchpoints=500, seed=16)
    for name in ("journey.csv", "scores.csv", "needs.csv", "plan.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "journey.csv").read_text().count("\n") == 501


def test_large_team_selection_keeps_every_moment_of_truth(tmp_path):
    from kit.figures.large import LIMIT, shown_touchpoints
    from kit.store.workbook import Workbook
    from kit.testing import write_big_team

    journey = Workbook.load(write_big_team(tmp_path / "big", touchpoints=500))["journey"]
    shown, note = shown_touchpoints(journey)
    moments = set(journey.loc[journey["moment_of_truth"], "touchpoint_id"])
    assert len(shown) == LIMIT and len(moments) < LIMIT
    assert moments <= set(shown["touchpoint_id"])
    rest = shown[~shown["moment_of_truth"]]
    left_out = journey[~journey["touchpoint_id"].isin(shown["touchpoint_id"])]
    assert rest["emotion"].abs().min() >= left_out["emotion"].abs().max()
    assert list(shown["order"]) == sorted(shown["order"])  # journey order kept
    assert note == (
        "showing 40 of 500 touchpoints: every moment of truth, then the strongest feelings"
    )


TICKS_JS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(p => {
  const ticks = Array.from(p.querySelectorAll('.xtick text, .ytick text'));
  const boxes = ticks.map(t => t.getBoundingClientRect()).filter(b => b.width > 0);
  const sizes = ticks.map(t => parseFloat(getComputedStyle(t).fontSize));
  let overlaps = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 &&
        b.top < a.bottom - 1) overlaps++;
  }
  return {title: (p.querySelector('.gtitle') || {}).textContent || '', drawn:
          !!p.querySelector('.main-svg'), ticks: boxes.length, overlaps,
          smallest: sizes.length ? Math.min(...sizes) : null};
})"""


@pytest.mark.browser
def test_large_team_report_draws_readable_charts_in_chromium(big_reports, chromium):
    from playwright.sync_api import sync_playwright

    artifacts = ROOT / "test-artifacts"
    artifacts.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p, chromium)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto((big_reports / "big.html").as_uri(), timeout=120_000)
            page.wait_for_function(
                "() => document.querySelectorAll('.js-plotly-plot .main-svg').length > 0 && "
                "document.querySelectorAll('.js-plotly-plot').length === "
                "document.querySelectorAll('.plotly-graph-div').length",
                timeout=120_000,
            )
            charts = page.evaluate(TICKS_JS)
            page.screenshot(path=str(artifacts / "large_team_report.png"), full_page=False)
            page.locator(".js-plotly-plot").first.screenshot(
                path=str(artifacts / "large_team_journey_map.png")
            )
            text = page.inner_text("body")
        finally:
            browser.close()
    assert errors == []
    assert len(charts) >= 5 and all(c["drawn"] for c in charts), charts
    titles = [c["title"] for c in charts]
    for title, note in [
        ("Customer journey", "Average feeling per stage (500 touchpoints in 8 stages)"),
        ("Service blueprint", "Showing 16 of 500 touchpoints"),
        ("Readiness", "Showing 40 of 500 touchpoints"),
        ("Priorities to act on", "Showing the 40 highest priorities of 500"),
    ]:
        # (a long note is wrapped onto lines: compare with the line breaks read as spaces)
        assert any(
            t.startswith(title) and note in " ".join(t.replace("\u200b", " ").split())
            for t in titles
        ), (title, titles)
    for chart in charts:  # every axis label at least 10 px and none drawn over another
        assert chart["smallest"] is None or chart["smallest"] >= 10, chart
        assert chart["overlaps"] == 0, chart
    assert "Big team (500 touchpoints)" in text
