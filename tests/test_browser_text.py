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


def test_dashboard_tiles_isolate_bidi_names_and_wrap_long_ones(page, tmp_path):
    from helpers import make_workshop

    from kit.room.dashboard import Board
    from kit.room.dashboard_html import CSS, board_html

    ws = make_workshop(
        tmp_path / "ws",
        {
            "rlo": {"team.yaml": f"name: 'Night{RLO}tfihs'\n"},
            "long": {"team.yaml": f"name: '{LONG}'\n"},
        },
    )
    board = Board(ws)
    board.refresh()
    page.set_viewport_size({"width": 1280, "height": 800})
    page.set_content(f"<style>{CSS}</style>{board_html(board)}")
    tiles = page.evaluate(
        """() => [...document.querySelectorAll('.sk-dash-tile')].map(tile => {
             const h3 = tile.querySelector('h3'), bdi = h3.querySelector('bdi');
             return {name: bdi.textContent, bidi: getComputedStyle(bdi).unicodeBidi,
                     inside: h3.scrollWidth <= tile.clientWidth,
                     width: tile.getBoundingClientRect().width};
           })"""
    )
    names = {t["name"]: t for t in tiles}
    assert set(names) == {f"Night{RLO}tfihs", LONG}
    assert [t["bidi"] for t in tiles] == ["isolate", "isolate"]
    long = names[LONG]
    assert long["inside"], long  # the 120-letter word wraps inside its tile
    assert long["width"] < 1280 / 2, long
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 1280  # nothing pushes the page sideways


def _header_lines(pdf: Path) -> list[str]:
    """The first page's text as laid out, without the invisible format characters."""
    import subprocess
    import unicodedata

    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "1", "-l", "1", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [
        "".join(c for c in line if unicodedata.category(c) != "Cf") for line in text.splitlines()
    ]
    return [line.strip() for line in lines if line.strip()]


@pytest.mark.browser
def test_the_printed_header_isolates_a_bidi_name_and_keeps_a_long_one_to_one_line(
    chromium, tmp_path
):
    """The PDF's page header (the page title, printed by Chromium on every page): a right-to-
    left override reverses only the team's name, never the workshop's; 120 W's are cut to one
    line (the header's box clipped the second: 46 W's were lost). Without isolation the header
    read 'Nightpohskrow omeD — shift'."""
    import nbformat

    from kit.report.export import notebook_html, print_pdf
    from kit.report.pages import page_title

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("The report's first line.")]
    headers = {}
    for slug, name in [("rlo", f"Night{RLO}tfihs"), ("long", LONG)]:
        html = tmp_path / f"{slug}.html"
        html.write_text(notebook_html(nb, title=page_title(name, "Demo workshop"), plotlyjs="none"))
        headers[slug] = _header_lines(print_pdf(html, tmp_path / f"{slug}.pdf", chromium=chromium))
    # (pdftotext drops the space at an isolate's edge: compared without spaces)
    squeezed = {slug: ["".join(line.split()) for line in lines] for slug, lines in headers.items()}
    assert squeezed["rlo"][0] == "Nightshift—Demoworkshop", headers["rlo"]
    cut = "W" * 39 + "…"  # the page shows the whole name; the header one line of it
    assert squeezed["long"][0] == f"{cut}—Demoworkshop", headers["long"]
    assert headers["long"][1] == "The report's first line.", headers["long"]
