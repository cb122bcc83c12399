"""``servekit hub`` in headless Chromium: two teams at once, each in its own notebook.

A real hub (``servekit hub`` on 127.0.0.1, free port, a 3-team workshop) with one system user
per team. Two browser contexts log in as two teams at the same time, land straight in their own
``01_journey`` notebook, choose *Run All Cells* and add a touchpoint with the editor: each change
lands in that team's ``journey.csv`` only. A wrong password does not log in; the facilitator
sees the team links page and the live dashboard, which a team is refused. The browser reaches
nothing but the hub. Screenshots go to ``test-artifacts/``. Needs root and the proxy.
"""

from __future__ import annotations

import shutil
import time

import pytest
import requests
from conftest import ROOT
from helpers import launch_chromium
from hubtools import api_token, login, running_hub, wait_for_server

from kit.hub.runner import state_dir_for

# One hub per module (see tests/test_hub.py): the module stays on one xdist worker.
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.xdist_group("hub-browser")]
ARTIFACTS = ROOT / "test-artifacts"
TEAMS = {"web-alpha": "Web Alpha", "web-bravo": "Web Bravo", "web-charlie": "Web Charlie"}
ADMIN = "web-test-admin"
# Console messages that are not errors of ours, each with the reason it is safe to ignore.
BENIGN = [
    (
        "Failed to load resource: the server responded with a status of 404",
        "missing optional server endpoints (workspaces/lsp) in a bare Lab",
    ),
    (
        "Failed to load resource: the server responded with a status of 403",
        "the refusals this test provokes on purpose (a team opening the facilitator's pages)",
    ),
]


@pytest.fixture(scope="module")
def hub(tmp_path_factory, chromium):
    with running_hub(list(TEAMS.values()), tmp_path_factory.mktemp("webhub"), ADMIN) as running:
        yield running


@pytest.fixture
def browser(hub, chromium):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        launched = launch_chromium(p, chromium)
        try:
            yield launched
        finally:
            launched.close()


def _page(browser, hub):
    """A fresh context (its own cookies) whose page may only talk to the hub."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(hub.base)
            or route.request.url.startswith(("data:", "blob:"))
            else route.abort()
        ),
    )
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(f"pageerror: {exc}"))
    return page


def _log_in(page, hub, user, password):
    page.goto(f"{hub.base}/hub/login")
    page.locator("#username_input").fill(user)
    page.locator("#password_input").fill(password)
    page.locator("#login_submit").click()


def _wait(page, condition, timeout=60.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        page.wait_for_timeout(250)
    shot = ARTIFACTS / ("hub_timeout_" + "".join(c if c.isalnum() else "_" for c in what) + ".png")
    page.screenshot(path=str(shot), full_page=True)
    pytest.fail(f"timed out waiting for {what} (screenshot: {shot}); console: {page.errors}")


def _kernel_idle(page, hub, user, path):
    """One session for ``path`` on an idle, connected kernel (asked with the page's cookies)."""
    response = page.request.get(f"{hub.base}/user/{user}/api/sessions")
    if not response.ok:
        return False
    sessions = [s for s in response.json() if s["path"] == path]
    return (
        len(sessions) == 1
        and sessions[0]["kernel"]["execution_state"] == "idle"
        and sessions[0]["kernel"]["connections"] >= 1
    )


def _render_every_cell(hub, slug):
    """Start the team's server and turn off Lab's notebook windowing in the team's own settings
    (so Run All, which scrolls to the end, leaves the editor's figure drawn on the page:
    scrolling a windowed notebook away and back redraws a FigureWidget empty)."""
    user, password = hub.login_of(slug)
    session, response = login(hub.base, user, password)
    assert response.ok
    wait_for_server(session, hub.base, user)
    token = api_token(session, hub.base, user)
    url = f"{hub.base}/user/{user}/lab/api/settings/@jupyterlab/notebook-extension:tracker"
    answer = requests.put(
        url,
        headers={"Authorization": f"token {token}"},
        timeout=60,
        json={"raw": '{"windowingMode": "none"}'},
    )
    assert answer.status_code == 204, answer.text


def _dismiss_dialogs(page):
    for label in ("Dismiss", "No"):  # "server unavailable", "notified about Jupyter news?"
        button = page.locator(".jp-Dialog-button, .jp-toast-button", has_text=label)
        if button.count():
            button.first.click()


def _run_all(page):
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def _real_errors(page):
    return [e for e in page.errors if not any(text in e for text, _ in BENIGN)]


def test_two_teams_at_once_each_edit_lands_in_its_own_journey(hub, browser):
    from kit.widgets.widgetjs import route

    teams = ["web-alpha", "web-bravo"]
    pages = {slug: _page(browser, hub) for slug in teams}
    fetched: dict[str, list[str]] = {slug: [] for slug in teams}  # plotly's widget code
    for slug in teams:
        pages[slug].on(
            "request",
            lambda r, s=slug: fetched[s].append(r.url) if route() in r.url else None,
        )
    csv = {slug: hub.workshop / "teams" / slug / "journey.csv" for slug in TEAMS}
    before = {slug: path.read_text() for slug, path in csv.items()}
    for slug in teams:
        _render_every_cell(hub, slug)
    for slug in teams:  # both log in at once
        _log_in(pages[slug], hub, *hub.login_of(slug))
    for slug in teams:
        page, (user, _) = pages[slug], hub.login_of(slug)
        page.wait_for_url(
            f"**/user/{user}/lab/tree/notebooks/{slug}/01_journey.ipynb*", timeout=180_000
        )
        page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").wait_for()
        _wait(
            page,
            lambda p=page, u=user, s=slug: _kernel_idle(
                p, hub, u, f"notebooks/{s}/01_journey.ipynb"
            ),
            timeout=120,
            what=f"the kernel of {slug}",
        )
    for slug in teams:
        page = pages[slug]
        panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
        editor = panel.locator(".servekit-editor").first
        try:
            for _attempt in range(3):
                # A fresh session may swap its kernel right after start (cells sent to the old
                # one are lost), and Lab's hub extension may show a transient "server
                # unavailable" dialog over the menus: dismiss it and run again.
                _dismiss_dialogs(page)
                page.wait_for_timeout(2000)
                _run_all(page)
                try:
                    editor.wait_for(state="attached", timeout=60_000)
                    break
                except Exception:
                    continue
            editor.locator(".js-plotly-plot .scatterlayer").first.wait_for(
                state="attached", timeout=120_000
            )
        except Exception:
            page.screenshot(path=str(ARTIFACTS / f"hub_failed_{slug}.png"), full_page=True)
            shutil.copy(
                state_dir_for(hub.workshop) / "jupyterhub.log",
                ARTIFACTS / "hub_failed_jupyterhub.log",
            )
            pytest.fail(f"the editors of {slug} did not appear; console: {page.errors}")
    pages["web-alpha"].screenshot(path=str(ARTIFACTS / "hub_web_alpha_ready.png"))

    for slug in teams:
        page = pages[slug]
        editor = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .servekit-editor").first
        description = f"Touchpoint added by {TEAMS[slug]} on the hub"
        editor.get_by_placeholder("e.g. Arrival").fill("Arrival")
        editor.get_by_placeholder("e.g. Arrival").press("Enter")
        editor.get_by_placeholder("What happens for the customer").fill(description)
        editor.get_by_placeholder("HH:MM, e.g. 07:30").click()  # leaving the box sends it
        editor.get_by_role("button", name="Add touchpoint").click()
        _wait(
            page,
            lambda s=slug, d=description: d in csv[s].read_text(),
            what=f"{slug}'s journey.csv to change",
        )
    pages["web-bravo"].screenshot(path=str(ARTIFACTS / "hub_web_bravo_after_add.png"))

    after = {slug: path.read_text() for slug, path in csv.items()}
    for slug in teams:  # as under servekit lab: the charts' code once, from the team's server
        user = hub.login_of(slug)[0]
        assert len(fetched[slug]) == 1, fetched
        assert f"/user/{user}/{route()}" in fetched[slug][0]
    for slug in teams:
        other = next(s for s in teams if s != slug)
        assert f"Touchpoint added by {TEAMS[slug]} on the hub" in after[slug]
        assert f"Touchpoint added by {TEAMS[other]} on the hub" not in after[slug]
    assert after["web-charlie"] == before["web-charlie"]
    for slug in teams:
        assert _real_errors(pages[slug]) == []


def test_wrong_password_stays_on_the_login_page(hub, browser):
    page = _page(browser, hub)
    user, _ = hub.login_of("web-charlie")
    _, other_password = hub.login_of("web-alpha")
    _log_in(page, hub, user, other_password)
    page.get_by_text("Invalid username or password").wait_for()
    assert "/hub/login" in page.url
    assert page.request.get(f"{hub.base}/hub/api/user").status == 403


def test_admin_sees_links_and_dashboard_a_team_is_refused(hub, browser):
    admin = _page(browser, hub)
    _log_in(admin, hub, *hub.admin())
    admin.wait_for_url("**/user/**", timeout=180_000)
    admin.goto(f"{hub.base}/services/team-links/")
    for slug, name in TEAMS.items():
        login, password = hub.login_of(slug)
        card = admin.locator(".card", has_text=name)
        assert card.locator(".login").inner_text() == login
        assert card.locator(".password").inner_text() == password
    admin.screenshot(path=str(ARTIFACTS / "hub_team_links.png"), full_page=True)
    admin.goto(f"{hub.base}/services/dashboard/")
    for name in TEAMS.values():
        admin.get_by_text(name).first.wait_for(timeout=120_000)
    admin.screenshot(path=str(ARTIFACTS / "hub_dashboard.png"))

    team = _page(browser, hub)
    _log_in(team, hub, *hub.login_of("web-charlie"))
    team.wait_for_url("**/user/**", timeout=180_000)
    for service in ("team-links", "dashboard"):
        response = team.goto(f"{hub.base}/services/{service}/")
        assert response.status == 403
        assert not any(name in team.content() for name in ("Web Alpha", "Web Bravo"))


EVIL_PAGE = """<!doctype html><html><body><pre id="out"></pre><script>
const out = document.getElementById('out');
const say = (line) => { out.textContent += line + '\\n'; };
try { say('cookie: ' + JSON.stringify(document.cookie)); }
catch (e) { say('cookie: ' + e.name); }
try { say('storage: ' + localStorage.length); } catch (e) { say('storage: ' + e.name); }
const admin = %(admin)r;
Promise.allSettled([
  fetch('/hub/api/user', {credentials: 'include'}).then(r => r.text()),
  fetch('/hub/api/users/' + admin + '/tokens', {method: 'POST', credentials: 'include',
        headers: {'Content-Type': 'application/json'}, body: '{"note": "stolen"}'})
    .then(r => r.text()),
  fetch('/user/' + admin + '/api/contents/teams', {credentials: 'include'}).then(r => r.text()),
]).then(results => {
  results.forEach((r, i) => say('fetch ' + i + ': ' + r.status +
                                (r.status === 'fulfilled' ? ' ' + r.value.slice(0, 60) : '')));
  say('done');
});
</script></body></html>"""


def test_a_team_page_opened_by_the_facilitator_cannot_act_as_the_facilitator(hub, browser):
    """Issue 20, item 1: the facilitator opens a team's HTML file through their own server;
    Jupyter Server's /files/ sandbox puts it in an opaque origin: no cookie, no token made,
    nothing of the facilitator's read."""
    admin_user, admin_password = hub.admin()
    slug = "web-charlie"
    user, password = hub.login_of(slug)
    session, response = login(hub.base, user, password)
    assert response.ok
    wait_for_server(session, hub.base, user)
    token = api_token(session, hub.base, user)
    answer = requests.put(  # the team uploads its page into its own notebooks folder
        f"{hub.base}/user/{user}/api/contents/notebooks/{slug}/evil.html",
        headers={"Authorization": f"token {token}"},
        json={"type": "file", "format": "text", "content": EVIL_PAGE % {"admin": admin_user}},
        timeout=60,
    )
    assert answer.status_code in (200, 201), answer.text
    page = _page(browser, hub)
    _log_in(page, hub, admin_user, admin_password)
    page.wait_for_url("**/user/**", timeout=180_000)
    page.goto(f"{hub.base}/user/{admin_user}/files/notebooks/{slug}/evil.html")
    page.get_by_text("done").wait_for(timeout=60_000)
    lines = page.locator("#out").inner_text().splitlines()
    page.screenshot(path=str(ARTIFACTS / "hub_team_page_sandboxed.png"))
    assert lines == [
        "cookie: SecurityError",
        "storage: SecurityError",
        "fetch 0: rejected",
        "fetch 1: rejected",
        "fetch 2: rejected",
        "done",
    ]
    admin_session, _ = login(hub.base, admin_user, admin_password)
    tokens = admin_session.get(f"{hub.base}/hub/api/users/{admin_user}/tokens", timeout=30)
    assert tokens.ok and not any(t.get("note") == "stolen" for t in tokens.json()["api_tokens"])
