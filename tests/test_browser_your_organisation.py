"""Notebook 06 in a real JupyterLab, driven by headless Chromium: upload, flip, save.

Uses the JupyterLab server of ``labtools`` (127.0.0.1, free port, token). The files go
through the real file-upload widget (Playwright fills its ``<input type=file>``), nobody types a
path. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import pandas as pd
import pytest
from labtools import (  # noqa: F401 - lab and page are fixtures
    ARTIFACTS,
    _open_and_run,
    _real_errors,
    _wait,
    lab,
    page,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser_your_organisation"),
]  # its module-scoped server or build, set up on one worker only

GENERIC = (
    "Employee ID,Job Title,Manager ID,FTE\n"
    "E1,Managing director,,1\n"
    "E2,Branch manager <b>,E1,1\n"
    "E3,Counter assistant,E2,6\n"
    "E4,Payroll clerk,E1,2\n"
)
BAD = "Employee ID,Job Title,Manager ID\nE1,Managing director,\nE2,Counter assistant,E9\n"


def _run_06(page, lab):  # noqa: F811 - the fixtures
    panel = _open_and_run(page, lab, "06_your_organisation.ipynb", figure=None)
    editor = panel.locator(".servekit-editor").first
    editor.get_by_role("button", name="Flip it").wait_for(timeout=180_000)
    return panel, editor


def _choose(page, editor, path):  # noqa: F811
    """Click the upload button and pick ``path`` in the browser's file chooser."""
    with page.expect_file_chooser() as chooser:
        editor.locator(".widget-upload").first.click()
    chooser.value.set_files(str(path))


def _flip(editor, shown, ceiling: float = 180.0) -> None:
    """Click "Flip it" until ``shown`` appears: the browser reads a chosen file before it sends
    it to the kernel, so a click right after choosing can reach the kernel first (it then
    flips the previous choice). Flipping saves nothing, so clicking again is harmless."""
    import time

    deadline = time.monotonic() + ceiling
    while True:
        editor.get_by_role("button", name="Flip it").click()
        try:
            shown.wait_for(timeout=15_000)
            return
        except Exception:  # noqa: BLE001 - playwright's TimeoutError: click again, or give up
            if time.monotonic() > deadline:
                raise


def test_upload_flip_and_save_in_lab(lab, page, tmp_path):  # noqa: F811
    team = lab["root"] / "demo" / "teams" / "front-desk-friends"
    roles_before = (team / "roles.csv").read_text(encoding="utf-8")
    panel, editor = _run_06(page, lab)

    bad = tmp_path / "staff.csv"
    bad.write_text(BAD, encoding="utf-8")
    _choose(page, editor, bad)
    message = editor.locator("code", has_text="staff.csv:3:Manager ID")
    _flip(editor, message)
    assert message.inner_text() == (
        "staff.csv:3:Manager ID: 'E9' is not the id of any post in the file; expected an id from "
        "the 'Employee ID' column (or blank/XX for the top post). To import it anyway, attach "
        "unknown managers (--attach-unknown)"
    )
    assert (team / "roles.csv").read_text(encoding="utf-8") == roles_before
    page.screenshot(path=str(ARTIFACTS / "lab_06_bad_file.png"))

    good = tmp_path / "hr-export.csv"
    good.write_text(GENERIC, encoding="utf-8")
    _choose(page, editor, good)
    _flip(editor, editor.locator("text=Flipped:"))
    assert "4 rows read; 5 roles" in editor.inner_text()
    assert "Branch manager <b>\tmanager\t1\t6.0" in editor.inner_text()  # shown as typed
    _wait(
        page,
        lambda: "Front line" in editor.locator(".js-plotly-plot").first.inner_text(),
        what="the flipped pyramid to be drawn",
    )
    editor.locator(".js-plotly-plot").first.screenshot(path=str(ARTIFACTS / "lab_06_pyramid.png"))
    editor.get_by_role("button", name="Save as our pyramid").click()
    _wait(
        page,
        lambda: "E3" in (team / "roles.csv").read_text(encoding="utf-8"),
        what="roles.csv to hold the uploaded chart",
    )
    editor.locator("text=as your team's pyramid").wait_for()
    roles = pd.read_csv(team / "roles.csv")
    assert {"customer", "E1", "E2", "E3", "E4"} <= set(roles["role_id"])
    journey = pd.read_csv(team / "journey.csv")
    assert set(journey["role_id"].dropna()) <= set(roles["role_id"])  # nothing lost
    serves = pd.read_csv(team / "serves.csv")
    assert ("E2", "E3") in set(map(tuple, serves.values.tolist()))
    page.screenshot(path=str(ARTIFACTS / "lab_06_saved.png"), full_page=True)
    assert (
        page.evaluate(
            "Array.from(document.querySelectorAll('.servekit-editor b'))"
            ".filter(b => b.textContent === '').length"
        )
        == 0
    )  # no injected <b>
    assert page.dialogs == []
    assert _real_errors(page) == []


def test_journey_editor_adds_a_role_inline_in_lab(lab, page):  # noqa: F811 - the fixtures
    """Notebook 01 before 02: a role typed next to "Add role" lands in roles.csv at once."""

    panel = _open_and_run(page, lab, "01_journey.ipynb")
    roles = lab["root"] / "demo" / "teams" / "front-desk-friends" / "roles.csv"
    editor = panel.locator(".servekit-editor").first
    box = editor.get_by_placeholder("or a new role, e.g. Night porter")
    box.fill("Night porter <i>")
    box.press("Enter")
    editor.get_by_role("button", name="Add role").click()
    _wait(
        page,
        lambda: "night_porter_i,Night porter <i>,frontline" in roles.read_text("utf-8"),
        what="roles.csv to hold the new role",
    )
    picked = """() => Array.from(document.querySelectorAll('.servekit-editor select'))
        .filter(s => Array.from(s.options).some(
            o => o.text.replace(/\u00a0/g, ' ').startsWith('Night porter <i> · ')))
        // ipywidgets shows spaces in option labels as no-break spaces
        .map(s => s.options[s.selectedIndex].text.replace(/\u00a0/g, ' '))"""
    _wait(
        page,
        lambda: page.evaluate(picked) == ["Night porter <i> · frontline"],
        what="the new role picked in the Served by list",
    )
    editor.screenshot(path=str(ARTIFACTS / "lab_01_add_role.png"))
    assert page.dialogs == [] and _real_errors(page) == []
