"""The results editor (workshops/07_follow_up.ipynb) in a real JupyterLab, driven by Chromium.

Uses the JupyterLab server and page fixtures of ``test_browser_lab`` (a server on 127.0.0.1 with a
free port and a token, over a copy of the notebooks and a fresh demo; the browser reaches nothing
else). A result typed into the widget lands in the team's ``results.csv``; a value that is not a
number is refused next to the field and nothing is saved.
"""

from __future__ import annotations

import pytest
import test_browser_lab as lab_tests
from test_browser_lab import ARTIFACTS, TEAM, _idle, _open_and_run, _real_errors, _wait

lab = lab_tests.lab  # the JupyterLab server fixture (module scope)
page = lab_tests.page  # a Chromium page that may only talk to it

pytestmark = pytest.mark.browser


def _points(editor) -> int:
    return editor.locator(".js-plotly-plot .scatterlayer .point").count()


def test_result_typed_in_the_widget_lands_in_results_csv(lab, page):
    panel = _open_and_run(page, lab, "07_follow_up.ipynb")
    csv = lab["root"] / "demo" / "teams" / TEAM / "results.csv"
    before = csv.read_text()
    editor = panel.locator(".servekit-editor").first
    editor.scroll_into_view_if_needed()
    action = editor.locator("select", has=page.locator("option", has_text="A7 · [HAVE]"))
    label = action.locator("option", has_text="A7 · [HAVE]").inner_text()
    action.select_option(label=label)
    _wait(
        page,
        lambda: "Wi-Fi complaints per week" in editor.inner_text(),
        what="the A7 metric beside the form",
    )
    _idle(page, panel)
    points = _points(editor)

    editor.locator("input[type=date]").fill("2026-06-02")
    value = editor.get_by_placeholder("the measured number")
    value.fill("lots")
    value.press("Enter")
    _idle(page, panel)
    editor.get_by_role("button", name="Add result").click()
    _wait(
        page,
        lambda: "got 'lots'; expected a number" in editor.inner_text(),
        what="the refusal next to the value",
    )
    assert csv.read_text() == before

    value.fill("11.5")
    value.press("Enter")
    _idle(page, panel)
    editor.get_by_role("button", name="Add result").click()
    _wait(
        page,
        lambda: csv.read_text() == before + "A7,2026-06-02,11.5\n",
        what="the result in results.csv",
    )
    _wait(page, lambda: _points(editor) == points + 1, what="one more point on the chart")
    editor.locator(".widget-html", has_text="saved").first.wait_for()
    _wait(
        page,
        lambda: "latest 11.5 on 2026-06-02" in editor.inner_text(),
        what="the action's progress to show the new result",
    )
    page.screenshot(path=str(ARTIFACTS / "lab_07_follow_up_after_add.png"), full_page=False)
    editor.screenshot(path=str(ARTIFACTS / "lab_07_results_editor.png"))
    assert page.dialogs == []
    assert _real_errors(page) == []
