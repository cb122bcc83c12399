"""The phone page in headless Chromium at 390x844 (issue 22), against a real ``servekit lab``.

Two browser contexts are two phones with two different names; they score the same touchpoint
at once. The browser may reach nothing but the server (:class:`helpers.BrowserGuard`), and no
console error is allowed. Screenshots go to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import time

import pandas as pd
import pytest
from conftest import ROOT
from helpers import BrowserGuard, launch_chromium
from phonetools import TOKEN, start_lab, team_files

from kit.room.lab import stop
from kit.store.workbook import Workbook

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser_phone"),
]  # its module-scoped server or build, set up on one worker only

ARTIFACTS = ROOT / "test-artifacts"
PHONE = {"width": 390, "height": 844}
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    server, process = start_lab(tmp_path_factory.mktemp("phone-browser"))
    yield server
    stop(process)
    server.cleanup()


@pytest.fixture
def browser(lab, chromium):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p, chromium)
        try:
            yield browser
        finally:
            browser.close()


def open_phone(browser, lab, team: str = "alpha", allowed=None):
    """A new phone (its own context, so its own storage) on ``team``'s page."""
    guard = BrowserGuard(lab.local_base, allowed)
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    context.route("**/*", guard.route)
    page = context.new_page()
    page.set_default_timeout(60_000)
    guard.watch(page)
    page.goto(f"{lab.local_base}/servekit/phone/{team}?token={TOKEN}")
    return page, guard


def start(page, name: str) -> None:
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Start scoring").click()


def rows(lab, team: str = "alpha") -> dict:
    frame = Workbook.load(lab.workshop_dir / "teams" / team)["scores"]
    return {
        (r.touchpoint_id, r.scorer): tuple(
            None if pd.isna(v) else int(v)
            for v in (r.importance, r.performance, r.be, r.do, r.have)
        )
        for r in frame.itertuples(index=False)
    }


def test_two_phones_score_the_same_touchpoint_at_once_and_both_rows_land(lab, browser):
    from playwright.sync_api import expect

    other_before = team_files(lab.workshop_dir / "teams" / "beta")
    ann, ann_guard = open_phone(browser, lab)
    bo, bo_guard = open_phone(browser, lab)
    start(ann, "Ann Phone")
    start(bo, XSS)
    for page in (ann, bo):
        card = page.get_by_role("group", name="T1 · Check-in at the desk")
        expect(card).to_be_visible()
        expect(page.locator("#progress")).to_have_text("1 of 2")
        expect(page.locator("#card-mot")).to_be_visible()  # T1 is a moment of truth
    expect(bo.locator("#who-name")).to_have_text(f"Scoring as {XSS}.")  # text, not markup
    ann.get_by_role("button", name="Importance 5").click()
    bo.get_by_role("button", name="Importance 2").click()
    expect(ann.locator("#status")).to_have_text(
        "Importance 5 noted; tap a performance score to save it."
    )
    ann.get_by_role("button", name="Performance 1").click(no_wait_after=True)
    bo.get_by_role("button", name="Performance 4").click(no_wait_after=True)
    expect(ann.locator("#status")).to_have_text("Saved T1 (importance 5, performance 1).")
    expect(bo.locator("#status")).to_have_text("Saved T1 (importance 2, performance 4).")
    bo.get_by_role("button", name="Have 3").click()
    expect(bo.get_by_role("button", name="Have 3")).to_have_attribute("aria-pressed", "true")
    expect(bo.locator("#status")).to_have_text("Saved T1 (importance 2, performance 4).")
    found = rows(lab)

    def landed() -> bool:
        nonlocal found
        found = rows(lab)
        return found.get(("T1", XSS)) == (2, 4, None, None, 3)

    deadline = time.monotonic() + 60  # Bo's "Have 3" is saved after the status already said so
    while not landed():
        assert time.monotonic() < deadline, f"Bo's Have 3 never landed; last seen: {found}"
        time.sleep(0.2)
    assert found[("T1", "Ann Phone")] == (5, 1, None, None, None)
    assert found[("T1", "Ann")] == (5, 3, 4, 3, 2)  # the team's earlier row is kept
    assert team_files(lab.workshop_dir / "teams" / "beta") == other_before
    ann.screenshot(path=str(ARTIFACTS / "phone_card.png"), full_page=True)
    assert ann_guard.unexpected() == [] and bo_guard.unexpected() == []


def test_the_page_fits_a_phone_with_big_named_buttons_and_no_jupyter(lab, browser):
    from playwright.sync_api import expect

    page, guard = open_phone(browser, lab)
    page.screenshot(path=str(ARTIFACTS / "phone_name.png"), full_page=True)
    start(page, "Fit Check")
    card = page.get_by_role("group", name="T1 · Check-in at the desk")
    expect(card).to_be_visible()
    for field in ("Importance", "Performance", "Be", "Do", "Have"):
        for value in range(1, 6):
            button = card.get_by_role("button", name=f"{field} {value}", exact=True)
            box = button.bounding_box()
            assert box["width"] >= 44 and box["height"] >= 44, (field, value, box)
    for name in ("Back", "Skip"):
        box = page.get_by_role("button", name=name).bounding_box()
        assert box["width"] >= 44 and box["height"] >= 44, (name, box)
    assert page.locator("[class*='jp-']").count() == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Skip").click()
    expect(page.locator("#progress")).to_have_text("2 of 2")
    expect(page.get_by_role("group", name="T2 · Room prepared before arrival")).to_be_visible()
    page.get_by_role("button", name="Back").click()
    expect(page.locator("#progress")).to_have_text("1 of 2")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.reload()  # the phone remembers the name (and the token, gone from the address bar)
    assert "token" not in page.url
    expect(page.get_by_role("group", name="T1 · Check-in at the desk")).to_be_visible()
    expect(page.locator("#who-name")).to_have_text("Scoring as Fit Check.")
    assert guard.unexpected() == []


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("   ", "Give your name or initials (1 to 40 characters)."),
        ("x" * 41, "Your name has 41 characters; use at most 40 (initials are fine)."),
    ],
)
def test_an_empty_or_too_long_name_gets_a_clear_answer(lab, browser, name, message):
    from playwright.sync_api import expect

    page, guard = open_phone(browser, lab)
    start(page, name)
    expect(page.locator("#status")).to_have_text(message)
    assert page.get_by_label("Your name").is_visible()
    assert page.locator("#card").is_hidden()
    assert guard.unexpected() == []


def test_a_touchpoint_deleted_meanwhile_disappears_with_a_note(lab, browser):
    from playwright.sync_api import expect

    refused = (
        "console",
        "Failed to load resource: the server responded with a status of 409 (Conflict)",
        r"/servekit/phone/api/beta",
        "Chromium logs the 409 that refuses the deleted touchpoint: the answer under test",
    )
    page, guard = open_phone(browser, lab, team="beta", allowed=[refused])
    start(page, "Gone Gus")
    page.get_by_role("button", name="Skip").click()
    expect(page.get_by_role("group", name="T2 · Room prepared before arrival")).to_be_visible()
    team = lab.workshop_dir / "teams" / "beta"
    wb = Workbook.load(team)  # the team deletes T2 in its notebook meanwhile
    wb.set_tables({"journey": wb["journey"][wb["journey"].touchpoint_id != "T2"]})
    wb.save()
    before = team_files(team)
    page.get_by_role("button", name="Importance 3").click()
    page.get_by_role("button", name="Performance 3").click()
    expect(page.locator("#note")).to_have_text(
        "Touchpoint T2 was deleted by your team meanwhile; its card is gone and nothing was "
        "saved for it."
    )
    expect(page.locator("#status")).to_have_text("Not saved: T2 was deleted by your team.")
    expect(page.locator("#progress")).to_have_text("1 of 1")
    assert page.get_by_role("group", name="T2 · Room prepared before arrival").count() == 0
    assert team_files(team) == before
    assert guard.unexpected() == []


def test_a_team_whose_data_is_invalid_shows_what_to_fix_and_no_cards(lab, browser):
    from helpers import BROKEN_ROLES
    from playwright.sync_api import expect

    team = lab.workshop_dir / "teams" / "alpha"
    roles = (team / "roles.csv").read_bytes()
    (team / "roles.csv").write_text(BROKEN_ROLES, encoding="utf-8")
    try:
        before = team_files(team)
        page, guard = open_phone(browser, lab)
        fix = page.locator("#fix")
        expect(fix).to_contain_text(
            "Scores cannot be saved yet: your facilitator must fix the team's data first."
        )
        expect(fix.locator("li")).to_have_text(
            [
                "teams/alpha/roles.csv:3:level: got 'boss'; expected one of: customer, "
                "frontline, support, manager, executive"
            ]
        )
        expect(page.locator("#team")).to_have_text("Mini team: score your journey")
        assert page.locator("#card").is_hidden()
        assert team_files(team) == before
        assert guard.unexpected() == []
    finally:
        (team / "roles.csv").write_bytes(roles)
