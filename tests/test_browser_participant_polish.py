"""Issue 15 in a real JupyterLab: team heading, unset sliders, roomy answers, whole labels.

Reads what Chromium computed (fonts, colours, widths), not what Python asked for.
"""

from __future__ import annotations

import labtools
import pytest
from labtools import ARTIFACTS, _idle, _open_and_run, _real_errors

pytestmark = pytest.mark.browser
lab = labtools.lab
page = labtools.page

CUT = """root => Array.from(root.querySelectorAll('button')).filter(b => b.offsetParent)
    .filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.textContent.trim())"""


def test_scoring_editor_names_the_team_and_shows_unset_sliders(lab, page):
    panel = _open_and_run(page, lab, "04_scoring.ipynb")
    editor = panel.locator(".servekit-editor").first
    heading = editor.locator(".servekit-editor-heading").first
    assert heading.inner_text().startswith("Editing: Front Desk & Friends")
    editor.get_by_placeholder("type your name").fill("Nobody yet")
    editor.get_by_placeholder("type your name").press("Enter")
    _idle(page, panel)
    row = editor.locator(".servekit-score-row").first
    assert "not scored yet" in row.inner_text()
    unset = row.locator(".servekit-unset").first
    assert unset.locator(".widget-readout").inner_text().strip() == "–"
    colour = unset.locator(".noUi-handle").first.evaluate(
        "h => getComputedStyle(h).backgroundColor"
    )
    assert colour == "rgb(200, 200, 200)"
    assert editor.evaluate(CUT) == []
    page.screenshot(path=str(ARTIFACTS / "lab_04_scoring_unset.png"))
    assert _real_errors(page) == []
    assert page.blocked == []


def test_plan_reflections_are_roomy_and_proportional(lab, page):
    panel = _open_and_run(page, lab, "05_plan.ipynb", figure=None)
    editor = panel.locator(".servekit-editor").first
    area = editor.locator(".servekit-reflection textarea").first
    area.scroll_into_view_if_needed()
    font = area.evaluate("t => getComputedStyle(t).fontFamily")
    assert "monospace" not in font.lower(), font
    width = area.evaluate("t => t.getBoundingClientRect().width")
    editor_width = editor.evaluate("e => e.getBoundingClientRect().width")
    assert width > 0.8 * editor_width
    assert area.evaluate("t => t.rows") >= 4
    assert editor.evaluate(CUT) == []
    page.screenshot(path=str(ARTIFACTS / "lab_05_plan_reflections.png"))
    assert _real_errors(page) == []
    assert page.blocked == []
