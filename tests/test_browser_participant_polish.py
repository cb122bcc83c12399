"""Issue 15 in a real JupyterLab: team heading, unset sliders, roomy answers, whole labels.

Reads what Chromium computed (fonts, colours, widths), not what Python asked for.
"""

from __future__ import annotations

import labtools
import pytest
from labtools import ARTIFACTS, _idle, _open_and_run, _real_errors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser_participant_polish"),
]  # its module-scoped server or build, set up on one worker only
lab = labtools.lab
page = labtools.page

CUT = """root => Array.from(root.querySelectorAll('button')).filter(b => b.offsetParent)
    .filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.textContent.trim())"""

# Ancestors (up to the notebook) that cut off part of an element: overflow not visible and
# the element's box reaching past theirs.
CLIPPED = """t => { const r = t.getBoundingClientRect(), cut = [];
  for (let e = t.parentElement; e && !e.classList.contains('jp-Notebook'); e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.overflowX === 'visible') continue;
    const b = e.getBoundingClientRect();
    if (r.right > b.right + 0.5 || r.left < b.left - 0.5) cut.push(e.className);
  }
  return cut; }"""


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
    # no code cell drawn collapsed ("from kit.widgets import scoring_editor •••", issue 26)
    assert panel.locator(".jp-InputPlaceholder").count() == 0
    assert panel.locator(".jp-Cell-inputWrapper .jp-Placeholder").count() == 0
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
    assert area.evaluate(CLIPPED) == []  # its right border is not cut off by the output area
    assert editor.evaluate(CUT) == []
    page.screenshot(path=str(ARTIFACTS / "lab_05_plan_reflections.png"))
    assert _real_errors(page) == []
    assert page.blocked == []


IN_VIEW = """editor => {
  const scroller = editor.closest('.jp-WindowedPanel-outer') || document.documentElement;
  const view = scroller.getBoundingClientRect(), box = editor.getBoundingClientRect();
  return {top: box.top - view.top, bottom: box.bottom - view.top, height: view.height,
          focused: editor.contains(document.activeElement)};
}"""


def test_after_run_all_the_editor_of_a_team_notebook_is_in_view(lab, page):
    """Run All leaves Lab at the last cell (the Sources); the editor brings itself into view."""
    from labtools import TOKEN, _kernel_settled, _wait

    from kit.room.teamnotebooks import write_team_notebooks

    write_team_notebooks(lab["root"] / "demo", [labtools.TEAM])
    path = f"demo/notebooks/{labtools.TEAM}/01_journey.ipynb"
    page.goto(f"{lab['base']}/lab/workspaces/in-view/tree/{path}?reset&token={TOKEN}")
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.wait_for()
    _wait(page, lambda: _kernel_settled(page, lab, path), timeout=180, what="the kernel")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    editor = panel.locator(".servekit-editor").first
    editor.wait_for(timeout=180_000)
    _idle(page, panel)

    def in_view():
        where = editor.evaluate(IN_VIEW)
        return where if where["top"] < where["height"] * 0.6 and where["bottom"] > 0 else None

    where = _wait(page, in_view, timeout=120, what="the editor to come into view")
    assert where["focused"]  # its first field has the keyboard focus: typing goes there
    page.screenshot(path=str(ARTIFACTS / "lab_01_team_notebook_after_run_all.png"))
    assert _real_errors(page) == []
    assert page.blocked == []
