"""Reports in a real browser: every chart drawn, nothing fetched from the network, no script run
from user text; and the A4 PDF.

Chromium runs headless through Playwright with every request that is not ``file://`` aborted
and recorded (any such request fails the test). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from helpers import (
    BROKEN_ROLES,
    ROOT,
    XSS_FILES,
    XSS_NAME,
    XSS_SCRIPT,
    launch_chromium,
    make_workshop,
)

from kit.report import build_reports
from kit.store.workshop import create_demo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("browser_report"),
]  # its module-scoped server or build, set up on one worker only
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A sample team, the XSS team and a broken team, built once; returns the output folder."""
    ws = create_demo(tmp_path_factory.mktemp("browser") / "ws").path
    for team in (ws / "teams").iterdir():
        if team.name != "front-desk-friends":
            shutil.rmtree(team)
    make_workshop(ws, {"xss": XSS_FILES, "broken": {"roles.csv": BROKEN_ROLES}})
    (ws / "workshop.yaml").write_text(
        f"title: '{XSS_NAME}'\ndate: '2026-03-01'\n", encoding="utf-8"
    )
    summary = build_reports(ws, jobs=2, progress=False)
    assert {r.slug: r.status for r in summary.results} == {
        "broken": "invalid data",
        "front-desk-friends": "ok",
        "xss": "ok",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    return summary.out


class Visit:
    """One page opened offline in headless Chromium, with what happened recorded."""

    def __init__(self, browser, path: Path, screenshot: str):
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.wait_for_timeout(300)
        self.page.screenshot(path=str(ARTIFACTS / screenshot), full_page=True)

    def _route(self, route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def visit(chromium):
    """Open pages in one headless Chromium (network blocked per page)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw, chromium)
        try:
            yield lambda path, screenshot: Visit(browser, path, screenshot)
        finally:
            browser.close()


def expected_figures(ipynb: Path) -> int:
    nb = nbformat.read(ipynb, as_version=4)
    return sum(
        "application/vnd.plotly.v1+json" in o.get("data", {})
        for c in nb.cells
        for o in c.get("outputs", [])
    )


def drawn_charts(page) -> int:
    """Charts plotly actually drew: a ``.js-plotly-plot`` holding an SVG with content."""
    return page.evaluate("""() => [...document.querySelectorAll('.js-plotly-plot')].filter(
        gd => gd.querySelector('svg.main-svg') && gd.getBoundingClientRect().height > 100
    ).length""")


@pytest.mark.parametrize("slug", ["front-desk-friends", "xss"])
def test_report_draws_every_chart_offline_without_errors(built, visit, slug):
    v = visit(built / f"{slug}.html", f"report-{slug}.png")
    assert v.outside == []
    assert v.errors == []
    assert v.dialogs == []
    expected = expected_figures(built / f"{slug}.ipynb")
    assert expected == 6
    assert v.page.locator(".js-plotly-plot").count() == expected
    assert drawn_charts(v.page) == expected
    assert not v.page.locator("text=/^In \\[|^Out\\[/").count()


def test_user_text_is_shown_as_text_and_never_runs(built, visit):
    v = visit(built / "xss.html", "report-xss-cover.png")
    page = v.page
    heading = page.locator("h1")
    assert heading.inner_text() == XSS_NAME  # the literal text, visible
    assert heading.is_visible()
    assert page.get_by_text(XSS_SCRIPT).first.is_visible()  # a description, a member …
    assert page.title().startswith(f"\u2068{XSS_NAME}\u2069")
    assert page.locator('img[src="x"]').count() == 0  # no element made from user text
    page.locator(".js-plotly-plot").first.hover()  # hovering shows labels, safely
    page.mouse.move(640, 450)
    page.wait_for_timeout(200)
    assert v.dialogs == [] and v.errors == [] and v.outside == []


def test_index_and_failure_page_render_offline_and_escape(built, visit):
    index = visit(built / "index.html", "index.png")
    assert index.outside == [] and index.dialogs == [] and index.errors == []
    assert index.page.locator("h1").inner_text() == XSS_NAME
    assert index.page.get_by_text("1 of 3 reports could not be built").is_visible()
    assert index.page.locator('a[href="front-desk-friends.html"]').count() >= 1
    failure = visit(built / "broken.html", "failure.png")
    assert failure.outside == [] and failure.dialogs == []
    assert failure.page.locator("h1").inner_text() == "Mini team"
    assert failure.page.get_by_text("teams/broken/roles.csv:3:level").is_visible()


def test_pdf_is_a4_with_the_report_in_it(chromium, tmp_path):
    from pypdf import PdfReader

    ws = make_workshop(tmp_path / "ws", {"mini": None})
    summary = build_reports(ws, jobs=1, pdf=True, progress=False)
    assert summary.exit_code == 0
    pdf = summary.out / "mini.pdf"
    assert pdf.stat().st_size > 10_000
    reader = PdfReader(pdf)
    assert len(reader.pages) >= 5  # a page per section
    for page in reader.pages:
        assert float(page.mediabox.width) == pytest.approx(595.3, abs=1.5)
        assert float(page.mediabox.height) == pytest.approx(841.9, abs=1.5)
    assert "Mini team" in reader.pages[0].extract_text()
    assert 'href="mini.pdf"' in (summary.out / "index.html").read_text()
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copyfile(pdf, ARTIFACTS / "report-mini.pdf")


def test_pdf_covers_the_synthesis_and_a_later_run_without_pdf_leaves_no_stale_pdf(
    chromium, tmp_path
):
    from pypdf import PdfReader

    ws = make_workshop(tmp_path / "ws", {"a": None, "b": None})
    summary = build_reports(ws, jobs=1, pdf=True, progress=False)
    assert summary.exit_code == 0
    out = summary.out
    assert sorted(p.name for p in out.glob("*.pdf")) == ["_synthesis.pdf", "a.pdf", "b.pdf"]
    text = PdfReader(out / "_synthesis.pdf").pages[0].extract_text()
    assert "Synthesis" in text
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="_synthesis.pdf"' in index
    # team a changes; the next run has no --pdf: a's old PDF and the synthesis's would be stale
    roles = ws / "teams" / "a" / "roles.csv"
    roles.write_text(roles.read_text(encoding="utf-8").replace("Front", "Front-line"), "utf-8")
    again = build_reports(ws, jobs=1, progress=False)
    assert again.exit_code == 0
    assert {r.slug: r.status for r in again.results} == {"a": "ok", "b": "unchanged"}
    assert sorted(p.name for p in out.glob("*.pdf")) == ["b.pdf"]  # b's matches its page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="_synthesis.pdf"' not in index and 'href="a.pdf"' not in index
    assert 'href="b.pdf"' in index


def test_shared_plotlyjs_reports_draw_their_charts_from_the_local_copy(visit, tmp_path):
    ws = make_workshop(tmp_path / "ws", {"mini": None})
    summary = build_reports(ws, jobs=1, plotlyjs="shared", progress=False)
    page = summary.out / "mini.html"
    assert (summary.out / "assets" / "plotly.min.js").is_file()
    assert page.stat().st_size < 500_000
    v = visit(page, "report-shared-plotlyjs.png")
    assert v.outside == [] and v.errors == [] and v.dialogs == []
    expected = expected_figures(summary.out / "mini.ipynb")
    assert expected == 6 and drawn_charts(v.page) == expected
