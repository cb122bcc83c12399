"""Every report page on a phone (390 px) and a laptop (1280 px), measured in headless Chromium.

For each width and each page of a built demo (team reports, synthesis, index): the page never
scrolls sideways (``scrollWidth`` <= viewport), no text of a chart sticks out of the chart's
box, in no chart do two texts touch (point labels and notes, or two tick labels of one axis),
and in the importance-performance grid no point label touches a quadrant name or a crosshair
line. Screenshots are kept in ``test-artifacts/screens/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT, launch_chromium

from kit.report import build_reports
from kit.store.workshop import create_demo

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTIFACTS = ROOT / "test-artifacts" / "screens"
WIDTHS = (390, 1280)

# Boxes (left, top, right, bottom) of every drawn text of every chart, with the chart's box.
CHART_TEXT = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map((gd, i) => {
  const box = gd.getBoundingClientRect();
  const texts = Array.from(gd.querySelectorAll('svg text')).filter(t => t.textContent.trim())
    .map(t => { const r = t.getBoundingClientRect();
                return {text: t.textContent, box: [r.left, r.top, r.right, r.bottom]}; })
    .filter(t => t.box[2] > t.box[0]);
  return {index: i, title: (gd.layout.title && gd.layout.title.text) || '',
          box: [box.left, box.top, box.right, box.bottom], texts: texts};
})"""

# The importance-performance grid: point labels, quadrant names and the two dashed lines.
IPA_PARTS = """() => {
  const gd = Array.from(document.querySelectorAll('.js-plotly-plot')).find(
    g => g.layout.title && g.layout.title.text.startsWith('Importance'));
  if (!gd) { return null; }
  const rect = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  return {
    labels: Array.from(gd.querySelectorAll('.scatterlayer .textpoint text'))
      .filter(t => t.textContent.trim()).map(t => ({text: t.textContent, box: rect(t)})),
    corners: Array.from(gd.querySelectorAll('.annotation-text'))
      .map(t => ({text: t.textContent, box: rect(t)})),
    lines: Array.from(gd.querySelectorAll('.shapelayer path'))
      .filter(p => (p.style.strokeDasharray || '') !== '' && p.style.strokeDasharray !== 'none')
      .map(rect),
    legend: Array.from(gd.querySelectorAll('.legendtext')).map(t => t.textContent),
    narrow: gd.dataset.skNarrow,
  };
}"""


# Every chart's texts in groups whose members must never touch: point labels with the notes
# written in the plot, and the tick labels of each axis.
CHART_GROUPS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map((gd, i) => {
  const rect = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const grab = sel => Array.from(gd.querySelectorAll(sel)).filter(t => t.textContent.trim())
    .map(t => ({text: t.textContent, box: rect(t)})).filter(t => t.box[2] > t.box[0]);
  return {index: i, title: (gd.layout.title && gd.layout.title.text) || '', groups: {
    labels: grab('.textpoint text').concat(grab('.annotation-text')),
    'x ticks': grab('.xtick text'), 'y ticks': grab('.ytick text')}};
})"""


def _overlap(a, b, slack=0.5) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> list[Path]:
    ws = create_demo(tmp_path_factory.mktemp("screens") / "ws").path
    summary = build_reports(ws, jobs=2, progress=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found = sorted(summary.out.glob("*.html"))
    assert {p.name for p in found} >= {"index.html", "_synthesis.html", "front-desk-friends.html"}
    return found


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p, chromium)
        yield b
        b.close()


def _open(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_timeout(600)
    page.screenshot(path=str(ARTIFACTS / f"{path.stem}-{width}.png"), full_page=True)
    return page


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways_and_no_chart_text_sticks_out(browser, pages, width):
    problems = []
    for path in pages:
        page = _open(browser, path, width)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            problems.append(f"{path.name} at {width}px scrolls sideways: {scroll}px wide")
        for chart in page.evaluate(CHART_TEXT):
            left, top, right, bottom = chart["box"]
            for text in chart["texts"]:
                x0, y0, x1, y1 = text["box"]
                if x0 < left - 1 or x1 > right + 1 or y0 < top - 1 or y1 > bottom + 1:
                    problems.append(
                        f"{path.name} at {width}px, chart {chart['index']} "
                        f"({chart['title']}): {text['text']!r} sticks out"
                    )
        page.close()
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_no_two_texts_of_a_chart_touch(browser, pages, width):
    touching, charts = [], 0
    for path in pages:
        page = _open(browser, path, width)
        for chart in page.evaluate(CHART_GROUPS):
            charts += 1
            for group, texts in chart["groups"].items():
                for i, a in enumerate(texts):
                    touching += [
                        f"{path.name} at {width}px, chart {chart['index']} "
                        f"({chart['title'][:30]}), {group}: {a['text']!r} on {b['text']!r}"
                        for b in texts[i + 1 :]
                        if _overlap(a["box"], b["box"], slack=1.0)
                    ]
        page.close()
    assert charts >= 20  # the four team pages and the synthesis were all measured
    assert touching == []


@pytest.mark.parametrize("width", WIDTHS)
def test_ipa_labels_touch_no_line_no_corner_and_no_other_label(browser, pages, width):
    checked = 0
    for path in pages:
        if path.stem.startswith("_") or path.stem == "index":
            continue
        page = _open(browser, path, width)
        parts = page.evaluate(IPA_PARTS)
        page.close()
        if parts is None:
            continue
        checked += 1
        assert parts["narrow"] == ("true" if width < 600 else "false")
        assert "On the line" in parts["legend"] and "Moment of truth" in parts["legend"]
        assert len(parts["lines"]) == 2, parts["lines"]
        labels = parts["labels"]
        for i, label in enumerate(labels):
            for line in parts["lines"]:
                assert not _overlap(label["box"], line), (path.name, label["text"], "on a line")
            for corner in parts["corners"]:
                assert not _overlap(label["box"], corner["box"]), (
                    path.name,
                    label["text"],
                    corner["text"],
                )
            for other in labels[i + 1 :]:
                assert not _overlap(label["box"], other["box"]), (
                    path.name,
                    label["text"],
                    other["text"],
                )
    assert checked >= 3


def test_index_speaks_to_a_coach_and_hides_the_machine_path(pages):
    index = next(p for p in pages if p.name == "index.html")
    html = index.read_text(encoding="utf-8")
    workshop = index.parent.parent
    assert str(workshop) not in html  # no absolute machine path (footer names the folder)
    assert f"from the workshop folder “{workshop.name}”" in html
    # The demo has three finished teams and one half-finished one.
    assert html.count('sk-badge-ok">complete<') == 3
    assert html.count('sk-badge-half">half-finished<') == 1
    # The notebook is a secondary link under the HTML report, for the facilitator.
    assert html.count('<small class="sk-secondary"><a href="') == 4
    synthesis = next(p for p in pages if p.name == "_synthesis.html")
    assert '<a href="index.html">← All reports</a>' in synthesis.read_text(encoding="utf-8")


def test_pdf_fits_eight_a4_pages_numbered_and_named_with_every_section(tmp_path, chromium):
    import re

    from pypdf import PdfReader

    ws = create_demo(tmp_path / "ws").path
    summary = build_reports(ws, jobs=2, pdf=True, progress=False)
    pdfs = sorted(summary.out.glob("*.pdf"))
    assert len(pdfs) == 4
    for pdf in pdfs:
        pages = PdfReader(pdf).pages
        texts = [page.extract_text() for page in pages]
        name = next(r.name for r in summary.results if r.slug == pdf.stem)
        assert len(pages) <= 8, (pdf.name, len(pages))
        for number, (page, text) in enumerate(zip(pages, texts, strict=True), start=1):
            width, height = float(page.mediabox.width), float(page.mediabox.height)
            assert (round(width), round(height)) == (595, 842)  # A4 in points
            assert f"page {number} of {len(pages)}" in text
            assert name in text.replace("\n", " ")
        whole = "\n".join(texts)
        notebook = nbformat.read(ROOT / "workshops" / "10_team_report.ipynb", as_version=4)
        headings = [
            m
            for cell in notebook.cells
            if cell.cell_type == "markdown"
            for m in re.findall(r"^## (\d+\. .+)$", cell.source, re.M)
        ]
        assert len(headings) >= 8
        for heading in headings:
            assert heading.split(". ", 1)[1][:20] in whole.replace("\n", " "), (pdf.name, heading)
        assert "Sources" in whole
        # The first page is not left mostly empty: the first section starts on it.
        assert "1. " in texts[0] and len(texts[0]) > 1200
        shutil.copyfile(pdf, ARTIFACTS / pdf.name)
