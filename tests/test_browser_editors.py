"""The pyramid, needs and plan editors driven in a real JupyterLab; rows checked exactly on disk.

Also the conflict banner (someone else saves the same row while the page is open: both values
shown, "Keep mine") and undo, as a participant meets them in the browser.
"""

from __future__ import annotations

import labtools
import pytest
from labtools import ARTIFACTS, TEAM, _idle, _open_and_run, _real_errors, _wait

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser_editors"),
]  # its module-scoped server or build, set up on one worker only
lab = labtools.lab  # the JupyterLab server (module-scoped fixture)
page = labtools.page  # a Chromium page that may only reach it


FOCUSED = """() => { const e = document.activeElement;
  return e && e.tagName === 'SELECT' ? e.options[e.selectedIndex].label : e && e.outerHTML; }"""


def _lines(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def _choose(select, prefix: str) -> str:
    """Pick the option of a ``<select>`` whose label starts with ``prefix``; return the label."""
    labels = select.evaluate("s => Array.from(s.options).map(o => o.label)")
    label = next((text for text in labels if text.replace("\xa0", " ").startswith(prefix)), None)
    assert label is not None, f"no option starting with {prefix!r} in {labels}"
    select.select_option(label=label)
    return label


def _select(editor, label: str):
    return editor.locator(".widget-dropdown", has_text=label).locator("select").first


def test_pyramid_editor_in_lab_conflict_banner_keep_mine_and_undo(lab, page):
    from kit.store.workbook import Workbook

    panel = _open_and_run(page, lab, "02_pyramid.ipynb", figure=".js-plotly-plot")
    team = lab["root"] / "demo" / "teams" / TEAM
    csv = team / "roles.csv"
    editor = panel.locator(".servekit-editor").first
    original = next(line for line in _lines(csv) if line.startswith("front_desk_agent,"))

    # A new role: the exact row lands on disk.
    editor.get_by_placeholder("e.g. Front desk agent").fill("IT helpdesk")
    _select(editor, "Level:").select_option(label="support")
    editor.get_by_placeholder("e.g. 12").fill("3")
    editor.get_by_placeholder("e.g. 12").press("Enter")
    editor.get_by_role("button", name="Add role").click()
    _wait(
        page,
        lambda: "it_helpdesk,IT helpdesk,support,3,," in _lines(csv),
        what="the new role's row in roles.csv",
    )
    _idle(page, panel)

    # Someone else renames the front desk agent while this page shows it.
    _choose(_select(editor, "Role:"), "Front desk agent ·")
    _idle(page, panel)
    other = Workbook.load(team)
    roles = other["roles"]
    roles.loc[roles["role_id"] == "front_desk_agent", "name"] = "Their desk agent"
    other["roles"] = roles
    other.save()
    name = editor.get_by_placeholder("e.g. Front desk agent")
    name.fill("My desk agent")
    name.press("Enter")
    banner = editor.locator(".widget-html", has_text="someone else changed the same row")
    banner.first.wait_for()
    assert (
        "roles.csv, row role_id=front_desk_agent, name: theirs 'Their desk agent', yours "
        "'My desk agent'"
    ) in banner.first.inner_text()
    assert original.replace("Front desk agent", "Their desk agent") in _lines(csv)
    page.screenshot(path=str(ARTIFACTS / "lab_02_pyramid_conflict.png"))

    editor.get_by_role("button", name="Keep mine").click()
    mine = original.replace("Front desk agent", "My desk agent")
    _wait(page, lambda: mine in _lines(csv), what="my name for the role on disk")
    assert "it_helpdesk,IT helpdesk,support,3,," in _lines(csv)  # nothing else reverted
    _idle(page, panel)

    editor.get_by_role("button", name="Undo last edit").click()
    _wait(page, lambda: mine not in _lines(csv), what="the undo on disk")
    assert Workbook.load(team).problems == []
    page.screenshot(path=str(ARTIFACTS / "lab_02_pyramid_after_undo.png"))
    _idle(page, panel)

    # Delete edge: the edge list takes the focus, with the next edge picked (issue 26).
    edges = _select(editor, "Edges:")
    labels = edges.evaluate("s => Array.from(s.options).map(o => o.label)")
    deleted = _choose(edges, "Concierge serves ")
    following = labels[labels.index(deleted) + 1]
    _idle(page, panel)
    editor.get_by_role("button", name="Delete edge").click()
    serves = team / "serves.csv"
    _wait(page, lambda: "concierge,guest" not in _lines(serves), what="the edge gone from disk")
    seen = []
    _wait(
        page,
        lambda: seen.append(page.evaluate(FOCUSED)) or seen[-1] == following,
        what=f"the focus on the edge list at {following!r}",
        seen=lambda: seen[-1],
    )
    assert edges.evaluate("s => s === document.activeElement")
    assert edges.evaluate("s => s.options[s.selectedIndex].label") == following
    assert page.dialogs == []
    assert _real_errors(page) == []
    assert page.blocked == []  # no request left the machine


def test_needs_editor_in_lab_stores_formula_text_inert(lab, page):
    panel = _open_and_run(page, lab, "03_needs.ipynb", figure=None)
    csv = lab["root"] / "demo" / "teams" / TEAM / "needs.csv"
    editor = panel.locator(".servekit-editor").first
    _choose(_select(editor, "Touchpoint:"), "T05 ·")
    _idle(page, panel)
    editor.get_by_role("button", name="HAVE", exact=True).click()
    _choose(_select(editor, "Provided by:"), "Front office manager ·")
    editor.get_by_placeholder("e.g. Authority to waive a late fee").fill("=SUM(A1) spare keys")
    editor.get_by_placeholder("e.g. Authority to waive a late fee").press("Enter")
    _idle(page, panel)
    editor.get_by_role("button", name="Add need").click()
    _wait(
        page,
        lambda: _lines(csv)[-1] == "T05,have,'=SUM(A1) spare keys,front_office_manager",
        what="the new need's row in needs.csv",
    )
    from kit.store.workbook import Workbook

    needs = Workbook.load(csv.parent)["needs"]
    assert needs["need"].tolist()[-1] == "=SUM(A1) spare keys"  # read back as typed
    page.screenshot(path=str(ARTIFACTS / "lab_03_needs_after_add.png"))
    assert page.dialogs == []
    assert _real_errors(page) == []
    assert page.blocked == []  # no request left the machine


def test_plan_editor_in_lab(lab, page):
    from kit.store.workbook import Workbook
    from kit.widgets.forms import next_id

    panel = _open_and_run(page, lab, "05_plan.ipynb", figure=".js-plotly-plot")
    team = lab["root"] / "demo" / "teams" / TEAM
    csv = team / "plan.csv"
    action_id = next_id(Workbook.load(team)["plan"]["action_id"], "A")
    editor = panel.locator(".servekit-editor").first
    _choose(
        _select(editor, "Touchpoint:"),
        next(
            label
            for label in _select(editor, "Touchpoint:").evaluate(
                "s => Array.from(s.options).map(o => o.label)"
            )
            if " T05 · " in label.replace("\xa0", " ")
        ).replace("\xa0", " "),
    )
    editor.get_by_role("button", name="BE", exact=True).click()
    editor.get_by_placeholder("What will be done").fill("Coach the night team")
    _choose(_select(editor, "Owner:"), "Front office manager ·")
    editor.get_by_placeholder("e.g. minutes waiting at check-in").fill("complaints per week")
    editor.get_by_placeholder("today").fill("3")
    editor.get_by_placeholder("goal").fill("-1")
    editor.get_by_placeholder("goal").press("Enter")
    _idle(page, panel)
    editor.get_by_role("button", name="Add action").click()
    expected = (
        f"{action_id},T05,be,Coach the night team,front_office_manager,,complaints per week,3,-1"
    )
    _wait(page, lambda: expected in _lines(csv), what="the new action's row in plan.csv")
    page.screenshot(path=str(ARTIFACTS / "lab_05_plan_after_add.png"))
    assert page.dialogs == []
    assert _real_errors(page) == []
    assert page.blocked == []  # no request left the machine
