"""Benchmark: the report of a 500-touchpoint team, built and opened in headless Chromium.

``large_team_report``
    A workshop with one team of 500 touchpoints (:func:`kit.testing.write_big_team`, fixed
    seed) and the sample team ``front-desk-friends`` (18 touchpoints). Both reports are built
    with :func:`kit.report.build_reports` (``build_s``), then each page is opened from disk in
    headless Chromium and timed until every plotly chart has drawn (``load_s``, median of 3;
    budget 5 s for the large team). ``ratio`` = large / small load time, within this one run;
    ``html_mb`` is the size of each page and ``points`` the markers drawn.

Run: ``python benchmarks/bench_large_team.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

TOUCHPOINTS = 500
ROUNDS = 3
BUDGET_S = 5.0
CHROMIUM = "/usr/bin/chromium"
DRAWN_JS = """() => {
  const plots = Array.from(document.querySelectorAll('.js-plotly-plot'));
  const figures = document.querySelectorAll('.plotly-graph-div').length;
  return plots.length > 0 && plots.length === figures &&
         plots.every(p => p.querySelector('.main-svg'));
}"""
POINTS_JS = "() => document.querySelectorAll('.js-plotly-plot .point').length"


def workshop(root: Path, touchpoints: int = TOUCHPOINTS) -> Path:
    """A workshop with the big team ``big`` and the sample team ``front-desk-friends``."""
    from kit.resources import datasets_dir
    from kit.store.workshop import create_workshop
    from kit.testing import write_big_team

    ws = create_workshop(root / "ws", teams=[])
    write_big_team(ws.teams_path / "big", touchpoints=touchpoints)
    shutil.copytree(
        datasets_dir() / "laurie-hospitality" / "teams" / "front-desk-friends",
        ws.teams_path / "front-desk-friends",
    )
    return ws.path


def load_seconds(page, html: Path) -> float:
    """Seconds from navigation until every chart of ``html`` has drawn."""
    started = time.perf_counter()
    page.goto(html.as_uri())
    page.wait_for_function(DRAWN_JS, timeout=120_000)
    return time.perf_counter() - started


def main() -> int:
    from playwright.sync_api import sync_playwright

    from kit.report import build_reports
    from kit.report.export import CHROMIUM_QUIET

    with tempfile.TemporaryDirectory() as tmp:
        path = workshop(Path(tmp))
        started = time.perf_counter()
        summary = build_reports(path, jobs=2, progress=False)
        build = time.perf_counter() - started
        pages = {slug: path / "reports" / f"{slug}.html" for slug in ("big", "front-desk-friends")}
        loads: dict[str, list[float]] = {slug: [] for slug in pages}
        points = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=list(CHROMIUM_QUIET))
            try:
                for _ in range(ROUNDS):
                    for slug, html in pages.items():
                        page = browser.new_page(viewport={"width": 1280, "height": 900})
                        loads[slug].append(load_seconds(page, html))
                        points[slug] = page.evaluate(POINTS_JS)
                        page.close()
            finally:
                browser.close()
        big, small = (statistics.median(loads[s]) for s in ("big", "front-desk-friends"))
        result = {
            "benchmark": "large_team_report",
            "touchpoints": TOUCHPOINTS,
            "exit_code": summary.exit_code,
            "build_s": round(build, 2),
            "load_s": {"big": round(big, 2), "small": round(small, 2)},
            "ratio": round(big / small, 2),
            "html_mb": {s: round(h.stat().st_size / 1e6, 2) for s, h in pages.items()},
            "points": points,
            "budget_s": BUDGET_S,
            "within_budget": big <= BUDGET_S,
        }
    print(json.dumps(result))
    return 0 if result["within_budget"] and summary.exit_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
