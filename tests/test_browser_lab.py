"""The participant notebooks in a real JupyterLab, driven by headless Chromium.

A JupyterLab server runs on 127.0.0.1 (free port, fixed token) with a temporary root holding a
copy of ``workshops/`` and a demo workshop at ``demo/``, exactly where the notebooks' default
parameters point (``../demo``). The browser reaches nothing but that server. Screenshots go to
``test-artifacts/`` (git-ignored). The server, the page and the helpers live in ``labtools.py``.
"""

from __future__ import annotations

from pathlib import Path

import labtools
import pytest
from conftest import ROOT
from labtools import ARTIFACTS, TEAM, XSS, _idle, _open_and_run, _points, _real_errors, _wait

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser_lab"),
]  # its module-scoped server or build, set up on one worker only

lab = labtools.lab  # the JupyterLab server (module-scoped fixture)
page = labtools.page  # a Chromium page that may only reach it


def test_journey_editor_in_lab(lab, page):
    panel = _open_and_run(page, lab, "01_journey.ipynb")
    csv = lab["root"] / "demo" / "teams" / TEAM / "journey.csv"
    before_csv = csv.read_text()
    before_points = _points(page)[0]
    page.screenshot(path=str(ARTIFACTS / "lab_01_journey_ready.png"))
    editor = panel.locator(".servekit-editor").first

    for added, description in enumerate(XSS, start=1):
        editor.get_by_placeholder("e.g. Arrival").fill("Arrival")
        editor.get_by_placeholder("e.g. Arrival").press("Enter")
        editor.get_by_placeholder("What happens for the customer").fill(description)
        editor.get_by_placeholder("HH:MM, e.g. 07:30").click()  # leaving the box sends it
        editor.get_by_role("button", name="Add touchpoint").click()
        _wait(page, lambda d=description: d in csv.read_text(), what="the CSV to change")
        # the figure updates in place, then the form is reset for the next touchpoint
        _wait(
            page,
            lambda n=added: _points(page)[0] == before_points + n,
            what="one more point in the figure",
        )
        _idle(page, panel)

    after_csv = csv.read_text()
    assert after_csv != before_csv
    assert all(payload in after_csv for payload in XSS)
    editor.locator(".widget-html", has_text="saved").first.wait_for()

    # The payloads are shown as text (picker labels, figure ticks), never run as markup.
    editor.get_by_role("combobox").first.select_option(index=len(before_csv.splitlines()))
    mode = editor.locator(".widget-html", has_text="Editing T20").first
    mode.wait_for()
    assert XSS[0] in mode.inner_text()  # shown as the characters typed
    page.screenshot(path=str(ARTIFACTS / "lab_01_journey_after_add.png"))
    editor.locator(".js-plotly-plot").first.screenshot(
        path=str(ARTIFACTS / "lab_01_journey_map_after_add.png")
    )
    assert page.dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert _real_errors(page) == []
    assert page.guard.unexpected() == []  # nothing off-host, only known console errors


def _moving_touchpoint(team_dir: Path) -> tuple[str, int]:
    """A touchpoint whose IPA point moves when a new scorer rates it 5 / 1, and its row."""
    import pandas as pd

    from kit.analyses.journey import ordered_touchpoints
    from kit.analyses.scoring import touchpoint_summary
    from kit.store.workbook import Workbook

    wb = Workbook.load(team_dir)
    scores, journey = wb["scores"], wb["journey"]
    before = touchpoint_summary(scores, journey).set_index("touchpoint_id")
    order = [str(t) for t in ordered_touchpoints(journey)["touchpoint_id"]]
    for tid in order:
        extra = pd.DataFrame(
            [{"touchpoint_id": tid, "scorer": "Zoe", "importance": 5, "performance": 1}]
        )
        after = touchpoint_summary(pd.concat([scores, extra], ignore_index=True), journey)
        after = after.set_index("touchpoint_id")
        if tid in before.index and any(
            before.at[tid, c] != after.at[tid, c] for c in ("importance", "performance")
        ):
            return tid, order.index(tid)
    pytest.fail("no touchpoint of the sample team would move")


def test_scoring_slider_in_lab(lab, page):
    panel = _open_and_run(page, lab, "04_scoring.ipynb")
    csv = lab["root"] / "demo" / "teams" / TEAM / "scores.csv"
    before_csv = csv.read_text()
    editor = panel.locator(".servekit-editor").first
    ipa = editor.locator(".js-plotly-plot").first
    positions = lambda: ipa.evaluate(  # noqa: E731
        "p => Array.from(p.querySelectorAll('.scatterlayer .point'))"
        ".map(e => e.getAttribute('transform')).join(';')"
    )
    before_positions = positions()

    touchpoint, row = _moving_touchpoint(lab["root"] / "demo" / "teams" / TEAM)
    editor.get_by_placeholder("type your name").fill("Zoe")
    editor.get_by_placeholder("type your name").press("Enter")
    sliders = editor.locator(".servekit-score-row").nth(row).locator(".widget-hslider")
    importance, performance = sliders.nth(0), sliders.nth(1)
    importance.locator(".noUi-handle").focus()
    for _ in range(5):  # "–" -> 5
        importance.locator(".noUi-handle").press("ArrowRight")
    _wait(page, lambda: "blank" in editor.inner_text(), what="the refusal: performance is blank")
    assert csv.read_text() == before_csv  # half a row is not saved
    performance.locator(".noUi-handle").focus()
    performance.locator(".noUi-handle").press("ArrowRight")  # "–" -> 1
    _wait(page, lambda: "Zoe" in csv.read_text(), what="Zoe's scores in scores.csv")
    assert f"{touchpoint},Zoe,5,1,,," in csv.read_text().splitlines()
    _wait(page, lambda: positions() != before_positions, what="the IPA chart to change")
    page.screenshot(path=str(ARTIFACTS / "lab_04_scoring_after_slider.png"))
    ipa.screenshot(path=str(ARTIFACTS / "lab_04_ipa_after_slider.png"))
    assert page.dialogs == []
    assert _real_errors(page) == []
    assert page.guard.unexpected() == []  # nothing off-host, only known console errors


def test_artifacts_folder_is_ignored():
    assert "test-artifacts/" in Path(ROOT / ".gitignore").read_text().splitlines()
