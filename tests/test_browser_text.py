"""Team names that try to rewrite the page: a right-to-left override, a 120-character word.

The batch index and the dashboard tiles are rendered by the kit and opened in headless Chromium
(Debian's, via ``helpers.launch_chromium``); the layout is measured, not guessed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import launch_chromium

from kit.report.models import Summary, TeamResult
from kit.report.pages import index_page

RLO = "\u202e"
LONG = "W" * 120


@pytest.fixture
def page(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw, chromium)
        try:
            yield browser.new_page(viewport={"width": 1000, "height": 800})
        finally:
            browser.close()


def test_index_isolates_bidi_names_and_wraps_long_ones(page, tmp_path):
    summary = Summary(
        workshop=Path("w"),
        out=tmp_path,
        seconds=1.0,
        results=[
            TeamResult(slug="rlo", name=f"Night{RLO}tfihs", status="ok", html="rlo.html"),
            TeamResult(slug="long", name=LONG, status="ok", html="long.html"),
        ],
        workshop_info={"title": "Demo"},
    )
    index = tmp_path / "index.html"
    index.write_text(index_page(summary), encoding="utf-8")
    page.goto(index.as_uri(), wait_until="load")
    fit = page.evaluate(
        """() => {
          const main = document.querySelector('main').getBoundingClientRect().width;
          const table = document.querySelector('.sk-index-table').getBoundingClientRect().width;
          const cell = document.querySelectorAll('.sk-index-table tbody td:first-child')[1];
          return [main, table, cell.scrollWidth <= cell.clientWidth,
                  cell.getBoundingClientRect().width];
        }"""
    )
    main, table, no_overflow, cell = fit
    assert table <= main and no_overflow, fit  # it was 1,435 px wide: now it wraps
    assert cell < main / 2, fit
    isolation = page.eval_on_selector_all(
        ".sk-index-table bdi", "els => els.map(e => getComputedStyle(e).unicodeBidi)"
    )
    assert isolation == ["isolate", "isolate"]
    assert page.locator(".sk-index-table bdi").first.text_content() == f"Night{RLO}tfihs"
