"""Every chart a participant sees in a notebook fits a notebook's output at 1280x800.

The notebooks show their charts as figure widgets (:func:`kit.widgets.livefig.figure_widget`),
drawn at :data:`kit.figures.responsive.NOTEBOOK_WIDTH`. In JupyterLab 4 at 1280x800 with the file
browser open (its default with a team link) a notebook's output area is
:data:`kit.figures.responsive.NOTEBOOK_OUTPUT` px wide (measured with ``servekit lab`` on the
demo workshop; a widget drawn wider is cut at the output's right edge: "Keep up the goo",
"top 3 to act o").

Each figure a notebook shows (journey map, blueprint, pyramid, importance-performance grid,
readiness heatmap, priorities, a follow-up action's chart) is built for every demo team and for
a team with long texts, given the width its widget gets, and drawn with the kit's bundled
plotly.js in one Chromium page, each in a box as wide as a notebook output. Measured from the
drawn SVG: the chart fits the box, no text of it (tick labels, axis titles, the title,
annotations, point and bar labels, legend) sticks out of the chart, and no annotation, point or
bar label lies on an axis title or a tick label. The follow-up report's progress bars are drawn
too, at the same width.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pandas as pd
import pytest
from helpers import ROOT, launch_chromium

from kit.analyses.followup import plan_progress
from kit.figures.blueprint import blueprint_figure
from kit.figures.followup import action_chart, progress_bars
from kit.figures.ipa import ipa_figure
from kit.figures.journey import journey_map
from kit.figures.priorities import priority_chart
from kit.figures.pyramid import pyramid_figure
from kit.figures.readiness import readiness_heatmap
from kit.figures.responsive import NOTEBOOK_OUTPUT
from kit.report.display import plotlyjs_html
from kit.store.workbook import Workbook
from kit.store.workshop import create_demo
from kit.widgets.livefig import FIGURE_WIDTH

pytestmark = [pytest.mark.browser]
ARTIFACTS = ROOT / "test-artifacts"
LONG = "Guest waits at the reception desk while the night auditor finishes the shift report"

MEASURE = """() => Array.from(document.querySelectorAll('.out')).map(out => {
  const rect = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const gd = out.querySelector('.js-plotly-plot'), svg = gd && gd.querySelector('svg.main-svg');
  const grab = sel => Array.from(gd.querySelectorAll(sel)).filter(t => t.textContent.trim())
    .map(t => ({text: t.textContent, box: rect(t)})).filter(t => t.box[2] > t.box[0]);
  return {name: out.dataset.name, out: rect(out), svg: svg ? rect(svg) : null,
    texts: svg ? grab('.xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .gtitle, '
      + '.annotation-text, .textpoint text, .bartext, .legendtext') : [],
    labels: svg ? grab('.annotation-text, .textpoint text, .bartext') : [],
    axes: svg ? grab('.g-xtitle text, .g-ytitle text, .xtick text, .ytick text') : []};
})"""


def _overlap(a, b, slack=0.5) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


def _long_texts(wb: Workbook) -> dict[str, pd.DataFrame]:
    """The team's tables with every name a team types made long."""
    journey = wb["journey"].copy()
    journey["description"] = LONG
    journey["stage"] = [f"{s} and everything around it" for s in journey["stage"]]
    roles = wb["roles"].copy()
    roles["name"] = [f"{n}, deputy head of guest relations" for n in roles["name"]]
    plan = wb["plan"].copy()
    plan["action"] = LONG
    plan["metric"] = "minutes a guest waits at the desk on a Friday evening"
    return {**{t: wb[t] for t in ("scores", "serves", "results")}, "journey": journey,
            "roles": roles, "plan": plan}  # fmt: skip


def _figures(team: Path, long: bool) -> list[tuple[str, object]]:
    wb = Workbook.load(team)
    figures = []
    names = ("journey", "roles", "serves", "scores", "plan", "results")
    variants = [("", None)] + ([(" (long texts)", _long_texts(wb))] if long else [])
    for variant, t in variants:
        t = t if t is not None else {table: wb[table] for table in names}
        name = team.name + variant
        plan = t["plan"]
        figures += [
            (f"{name}: journey", journey_map(t["journey"])),
            (f"{name}: blueprint", blueprint_figure(t["journey"], t["roles"], t["serves"])),
            (f"{name}: pyramid", pyramid_figure(t["roles"], t["serves"])),
            (f"{name}: IPA", ipa_figure(t["scores"], t["journey"])),
            (f"{name}: readiness", readiness_heatmap(t["scores"], t["journey"])),
            (f"{name}: priorities", priority_chart(t["scores"], t["journey"], k=3, top=10)),
        ]
        if len(plan):
            first = plan.iloc[0]
            figures.append((f"{name}: follow-up", action_chart(first, t["results"])))
            progress = plan_progress(plan, t["results"], "2026-06-01")
            if variant:  # an action that went the wrong way: its label sits left of zero
                progress.loc[progress.index[0], ["progress", "status"]] = [-0.2, "overdue"]
            figures.append((f"{name}: progress (report)", progress_bars(progress)))
    return figures


@pytest.fixture(scope="module")
def page_of_figures(tmp_path_factory) -> Path:
    ws = create_demo(tmp_path_factory.mktemp("figures") / "ws")
    parts = []
    for i, team in enumerate(sorted(ws.teams_path.iterdir())):
        for j, (name, figure) in enumerate(_figures(team, long=i == 0)):
            # What the notebook shows: the widget's figure, with the width it is drawn at.
            spec = json.loads(figure.to_json())
            spec["layout"].setdefault("width", FIGURE_WIDTH)  # as figure_widget draws it
            div = f"f{i}-{j}"
            parts.append(
                f'<div class="out" data-name="{html.escape(name)}" '
                f'style="width:{NOTEBOOK_OUTPUT}px;overflow:hidden"><div id="{div}"></div></div>'
                f"<script>Plotly.newPlot('{div}', {json.dumps(spec['data'])}, "
                f"{json.dumps(spec['layout'])});</script>"
            )
    page = tmp_path_factory.mktemp("page") / "figures.html"
    page.write_text(
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"{plotlyjs_html()}</head><body style='margin:0'>{''.join(parts)}</body></html>",
        encoding="utf-8",
    )
    return page


def test_every_notebook_figure_fits_a_notebook_output_with_no_text_cut_or_on_an_axis(
    chromium, page_of_figures
):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p, chromium)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(300_000)  # a ceiling for a loaded machine, not a pause
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith("file:") else route.abort()
                ),
            )
            page.goto(page_of_figures.as_uri(), wait_until="load")
            page.wait_for_function(
                "() => Array.from(document.querySelectorAll('.out'))"
                ".every(o => o.querySelector('svg.main-svg .gtitle, svg.main-svg .xtick'))",
                timeout=300_000,
            )
            charts = page.evaluate(MEASURE)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "notebook-figures.png"), full_page=True)
        finally:
            browser.close()
    assert len(charts) >= 36  # 4 demo teams and one with long texts, 7-8 figures each
    wider, cut, on_axis = [], [], []
    for chart in charts:
        left, top, right, bottom = chart["svg"]
        if right > chart["out"][2] + 0.5:
            wider.append(f"{chart['name']}: {right - left:.0f} px wide")
        for text in chart["texts"]:
            x0, y0, x1, y1 = text["box"]
            if x0 < left - 1 or x1 > right + 1 or y0 < top - 1 or y1 > bottom + 1:
                cut.append(f"{chart['name']}: {text['text']!r}")
        on_axis += [
            f"{chart['name']}: {label['text']!r} on {axis['text']!r}"
            for label in chart["labels"]
            for axis in chart["axes"]
            if _overlap(label["box"], axis["box"], slack=1.0)
        ]
    assert wider == []
    assert cut == []
    assert on_axis == []
