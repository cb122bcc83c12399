"""Every report page on a phone (390 px) and a laptop (1280 px), measured in headless Chromium.

For each width and each page of a built demo (team reports, synthesis, index): the page never
scrolls sideways (``scrollWidth`` <= viewport), no text of a chart sticks out of the chart's
box, in no chart do two texts touch (point labels and notes, or two tick labels of one axis),
and in the importance-performance grid no point label touches a quadrant name or a crosshair
line. Screenshots are kept in ``test-artifacts/screens/``.

The flow of a page (a team report, the synthesis, a follow-up page, the follow-up synthesis and
the facilitator's guide, each loaded once and resized to 390, 683, 1280 and 1920 px): every chart's drawn box lies inside its
figure box and covers no heading, paragraph, list item or table after it; no text is clipped by
a container that hides its overflow, no text is cut off at the page's edge (a wide table
scrolls inside its own box), and the page never scrolls sideways.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from helpers import ROOT, launch_chromium

from kit.report import build_reports
from kit.report.followup_batch import build_followup
from kit.room.guide import write_guide
from kit.store.workshop import create_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser_screens"),
]  # its module-scoped server or build, set up on one worker only
ARTIFACTS = ROOT / "test-artifacts" / "screens"
WIDTHS = (390, 1280)
FLOW_WIDTHS = (390, 683, 1280, 1920)
"""A phone, half of a 1366 px laptop screen, a laptop and a full-HD screen."""
FOLLOW_UP_AS_OF = "2026-06-01"

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


# The charts not yet drawn for the page's current width (empty when all are): the phone variant
# chosen where the chart carries one (kit/figures/responsive.py), the drawing as wide as the
# chart's box and as tall as the variant says.
CHARTS_UNSETTLED = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
  const full = gd._fullLayout, svg = gd.querySelector('svg.main-svg');
  const title = ((gd.layout && gd.layout.title && gd.layout.title.text) || '').split('<')[0]
    || gd.id;
  if (!full || !svg) { return title + ': not drawn'; }
  const box = svg.getBoundingClientRect();
  const meta = gd.layout.meta && gd.layout.meta.servekit;
  if (meta) {
    const narrow = gd.clientWidth < meta.breakpoint;
    const height = (narrow ? meta.compact : meta.wide).layout.height;
    if (gd.dataset.skNarrow !== String(narrow) || (height && Math.abs(full.height - height) > 0.5)) {
      return title + ': not switched to its ' + (narrow ? 'phone' : 'wide') + ' variant';
    }
  }
  if (Math.abs(box.width - gd.clientWidth) > 1 || Math.abs(box.height - full.height) > 1) {
    return title + ': drawn ' + Math.round(box.width) + ' px wide in a ' + gd.clientWidth + ' px box';
  }
  return '';
}).filter(Boolean)"""

# What a reader of the page sees go wrong: a chart drawn outside its figure box or over a heading,
# paragraph, list item or table after it; text clipped by a box that hides its overflow; text cut
# off at the page's edge outside any box that scrolls.
PAGE_FLOW = """() => {
  const rect = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  const meets = (a, b) => a[0] < b[2] - 0.5 && b[0] < a[2] - 0.5 && a[1] < b[3] - 0.5 && b[1] < a[3] - 0.5;
  const name = e => e.tagName.toLowerCase() + ' "' + e.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40) + '"';
  const blocks = Array.from(document.querySelectorAll(
    'main h1, main h2, main h3, main h4, main p, main li, main table, main blockquote, footer'))
    .filter(e => !e.closest('.js-plotly-plot') && e.textContent.trim());
  const charts = Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
    const boxes = [gd].concat(Array.from(gd.querySelectorAll('svg.main-svg'))).map(rect);
    const drawn = [Math.min(...boxes.map(b => b[0])), Math.min(...boxes.map(b => b[1])),
                   Math.max(...boxes.map(b => b[2])), Math.max(...boxes.map(b => b[3]))];
    const holder = rect(gd.closest('.sk-figure') || gd.parentElement);
    const after = blocks.filter(e => gd.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING);
    return {title: ((gd.layout.title && gd.layout.title.text) || '').split('<')[0] || gd.id,
            drawn: drawn.map(Math.round), holder: holder.map(Math.round),
            covers: after.filter(e => meets(drawn, rect(e))).map(name)};
  });
  const hides = v => v === 'hidden' || v === 'clip';
  const clipped = Array.from(document.querySelectorAll('main *'))
    .filter(e => !e.closest('.js-plotly-plot') && e.textContent.trim())
    .filter(e => { const s = getComputedStyle(e);
      return (hides(s.overflowX) && e.scrollWidth > e.clientWidth + 1) ||
             (hides(s.overflowY) && e.scrollHeight > e.clientHeight + 1); })
    .map(name);
  const width = document.documentElement.clientWidth, cut = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const holder = node.parentElement;
    if (!node.textContent.trim() || holder.closest('.js-plotly-plot, script, style')) { continue; }
    let scrolls = false;
    for (let e = holder; e && e !== document.body; e = e.parentElement) {
      const s = getComputedStyle(e).overflowX;
      if (s === 'auto' || s === 'scroll') { scrolls = true; break; }
    }
    const range = document.createRange(); range.selectNodeContents(node);
    const r = range.getBoundingClientRect();
    if (!scrolls && r.width > 0 && (r.left < -1 || r.right > width + 1)) {
      cut.push(name(holder));
    }
  }
  return {charts: charts, clipped: clipped, cut: cut,
          scroll: document.documentElement.scrollWidth};
}"""


def _overlap(a, b, slack=0.5) -> bool:
    return (
        a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory, chromium):
    """The demo's reports, with their PDFs (one build for every test of the module)."""
    ws = create_demo(tmp_path_factory.mktemp("screens") / "ws").path
    summary = build_reports(ws, jobs=2, pdf=True, progress=False)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return summary


@pytest.fixture(scope="module")
def pages(built) -> list[Path]:
    found = sorted(built.out.glob("*.html"))
    assert {p.name for p in found} >= {"index.html", "_synthesis.html", "front-desk-friends.html"}
    return found


@pytest.fixture(scope="module")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch_chromium(p, chromium)
        yield b
        b.close()


@pytest.fixture(scope="module")
def followup_pages(pages) -> list[Path]:
    """The follow-up pages of the same demo workshop (built once for the module)."""
    summary = build_followup(pages[0].parent.parent, as_of=FOLLOW_UP_AS_OF, jobs=2, progress=False)
    assert summary.exit_code == 0
    return [summary.out / "front-desk-friends.html", summary.out / "_synthesis.html"]


def _new_page(browser, width: int, height: int = 900):
    """A page that loads ``file:`` URLs only (a report must need no network)."""
    page = browser.new_page(viewport={"width": width, "height": height})
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort(),
    )
    return page


@pytest.fixture(scope="module")
def measured(browser, pages):
    """Each report page loaded once at each of :data:`WIDTHS`, its charts drawn for that width,
    a full-page screenshot kept, and everything the tests below check measured on it:
    ``{(page name, width): {"scroll": …, "texts": …, "groups": …, "ipa": …}}``."""
    found = {}
    for width in WIDTHS:
        for path in pages:
            page = _new_page(browser, width)
            page.goto(path.as_uri(), wait_until="load")
            unsettled = _settle(page)
            assert unsettled == [], f"{path.name} at {width}px: {unsettled}"
            page.screenshot(path=str(ARTIFACTS / f"{path.stem}-{width}.png"), full_page=True)
            found[path.name, width] = {
                "scroll": page.evaluate("document.documentElement.scrollWidth"),
                "texts": page.evaluate(CHART_TEXT),
                "groups": page.evaluate(CHART_GROUPS),
                "ipa": page.evaluate(IPA_PARTS),
            }
            page.close()
    return found


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways_and_no_chart_text_sticks_out(measured, pages, width):
    problems = []
    for path in pages:
        seen = measured[path.name, width]
        if seen["scroll"] > width:
            problems.append(f"{path.name} at {width}px scrolls sideways: {seen['scroll']}px wide")
        for chart in seen["texts"]:
            left, top, right, bottom = chart["box"]
            for text in chart["texts"]:
                x0, y0, x1, y1 = text["box"]
                if x0 < left - 1 or x1 > right + 1 or y0 < top - 1 or y1 > bottom + 1:
                    problems.append(
                        f"{path.name} at {width}px, chart {chart['index']} "
                        f"({chart['title']}): {text['text']!r} sticks out"
                    )
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_no_two_texts_of_a_chart_touch(measured, pages, width):
    touching, charts = [], 0
    for path in pages:
        for chart in measured[path.name, width]["groups"]:
            charts += 1
            for group, texts in chart["groups"].items():
                for i, a in enumerate(texts):
                    touching += [
                        f"{path.name} at {width}px, chart {chart['index']} "
                        f"({chart['title'][:30]}), {group}: {a['text']!r} on {b['text']!r}"
                        for b in texts[i + 1 :]
                        if _overlap(a["box"], b["box"], slack=1.0)
                    ]
    assert charts >= 20  # the four team pages and the synthesis were all measured
    assert touching == []


@pytest.mark.parametrize("width", WIDTHS)
def test_ipa_labels_touch_no_line_no_corner_and_no_other_label(measured, pages, width):
    checked = 0
    for path in pages:
        if path.stem.startswith("_") or path.stem == "index":
            continue
        parts = measured[path.name, width]["ipa"]
        if parts is None:
            continue
        checked += 1
        assert parts["narrow"] == ("true" if width < 600 else "false")
        assert "On the line" in parts["legend"]
        assert "Moment of truth" in parts["legend"]
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


def test_pdf_fits_eight_a4_pages_numbered_and_named_with_every_section(built):
    import re

    from pypdf import PdfReader

    summary = built
    pdfs = sorted(summary.out.glob("*.pdf"))
    assert [p.name for p in pdfs if p.name.startswith("_")] == ["_synthesis.pdf"]
    pdfs = [p for p in pdfs if not p.name.startswith("_")]  # the teams'
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


def _settle(page, ceiling: float = 30.0) -> list[str]:
    """Poll until every chart is drawn for the page's width; what is still not, after the
    (generous) ceiling."""
    deadline = time.monotonic() + ceiling
    while (unsettled := page.evaluate(CHARTS_UNSETTLED)) and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    return unsettled


def test_charts_stay_in_their_boxes_and_no_text_is_cut_at_any_width(browser, pages, followup_pages):
    """390, 683, 1280 and 1920 px in one load of each page (resized, as a turned tablet or a dragged
    window does). Before the fix, at 390 px the blueprint drew 1,406 px in a 682 px box and
    covered the pyramid's heading; the pyramid, the importance-performance grid, the priorities,
    the readiness chart and the synthesis's chart spilled the same way; resized wider, every
    chart with a phone variant stayed 378 px wide; at 683 px the follow-up synthesis's table
    pushed the page to 736 px; at 390 px a path in the guide's text pushed it to 477 px."""
    team = next(p for p in pages if p.name == "front-desk-friends.html")
    synthesis = next(p for p in pages if p.name == "_synthesis.html")
    (guide,) = write_guide(pages[0].parent.parent)  # the run sheet, in the same template
    problems, charts = [], 0
    for path in [team, synthesis, *followup_pages, guide]:
        page = _new_page(browser, FLOW_WIDTHS[0], 844)
        page.goto(path.as_uri(), wait_until="load")
        where = f"{path.parent.name}/{path.name}"
        for width in FLOW_WIDTHS:
            page.set_viewport_size({"width": width, "height": 844})
            unsettled = _settle(page)
            problems += [f"{where} at {width}px: {chart}" for chart in unsettled]
            flow = page.evaluate(PAGE_FLOW)
            if flow["scroll"] > width:
                problems.append(f"{where} at {width}px scrolls sideways: {flow['scroll']}px wide")
            problems += [f"{where} at {width}px: {text} is clipped" for text in flow["clipped"]]
            problems += [f"{where} at {width}px: {text} is cut at the edge" for text in flow["cut"]]
            for chart in flow["charts"]:
                charts += 1
                drawn, holder = chart["drawn"], chart["holder"]
                if drawn[0] < holder[0] - 1 or drawn[2] > holder[2] + 1 or drawn[3] > holder[3] + 1:
                    problems.append(
                        f"{where} at {width}px: {chart['title']!r} is drawn {drawn} "
                        f"outside its box {holder}"
                    )
                problems += [
                    f"{where} at {width}px: {chart['title']!r} covers {text}"
                    for text in chart["covers"]
                ]
        page.close()
    # six team charts, one in each synthesis, eight on the follow-up page; at every width
    assert charts >= len(FLOW_WIDTHS) * 16
    assert problems == [], "\n".join(problems)
