"""``servekit lab`` run for real, as a facilitator would, and driven by headless Chromium.

``servekit lab`` is started as a subprocess (``python -m kit lab DIR --port P --token T
--no-browser --links``) on a free port of 127.0.0.1; the team links are read from what it prints.
The browser may reach nothing but that server (and ``file:`` for the links page). Screenshots go
to ``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import shared_browser
from labtools import (
    RUN_ALL_STATE_JS,
    _free_port,
    cells_started,
    console_errors,
    jupyter_env,
    record_errors,
    run_all_complete,
    run_all_now,
    run_all_problem,
    shut_down_kernels,
    stop_group,
)

ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "room-test-token"
XSS = "<img src=x onerror=alert(1)>"
TEAMS = ["Front Desk & Friends", XSS]
NEWS = "Would you like to get notified about official Jupyter news?"
BENIGN = ["Failed to load resource: the server responded with a status of 404"]
RUN_ALL_REPEAT = int(os.environ.get("SERVEKIT_RUN_ALL_REPEAT", "2"))
"""Tries of each kind in the Run-All-at-once test (``benchmarks/bench_run_all.py`` makes 20)."""

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser_room"),
]  # its module-scoped server or build, set up on one worker only


@pytest.fixture(scope="module")
def room(tmp_path_factory, chromium):
    """A workshop with two teams, served by ``servekit lab``; stopped afterwards."""
    from kit.store.workshop import create_workshop

    root = tmp_path_factory.mktemp("room")
    ws = create_workshop(root / "ws", teams=TEAMS, starter=True).path
    home = root / ".home"
    env = jupyter_env(home, PYTHONUNBUFFERED="1")
    port = _free_port()
    out = root / "servekit-lab.log"
    with out.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kit",
                "lab",
                str(ws),
                "--port",
                str(port),
                "--token",
                TOKEN,
                "--no-browser",
                "--links",
            ],
            cwd=root,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while "Stop the server with Ctrl-C." not in out.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail("servekit lab did not start:\n" + out.read_text())
            time.sleep(0.5)
        printed = out.read_text()
        links = dict(re.findall(r"^  (.+?)\s+(http://\S+)$", printed, flags=re.M))
        yield {
            "ws": ws,
            "port": port,
            "base": f"http://127.0.0.1:{port}",
            "links": links,
            "printed": printed,
            "chromium": chromium,
        }
    finally:
        stop_group(process, timeout=30)  # servekit, the server and its kernels


def _room_context(room, *also: str):
    """A browser context (in the worker's one Chromium) that may reach only the room's server,
    ``data:``, ``blob:`` and ``also``."""
    allowed = (room["base"], "data:", "blob:", *also)
    context = shared_browser(room["chromium"]).new_context(viewport={"width": 1400, "height": 1100})
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(allowed) else route.abort(),
    )
    return context


@pytest.fixture
def page(room):
    """A fresh page (its own context, in the worker's one Chromium) that may reach only the
    server and ``file:``."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = _room_context(room, "file:")
    try:
        page = context.new_page()
        record_errors(page)
        yield page
    finally:  # the page's context, never the shared browser
        context.close()


def _poll(page, condition, timeout: float):
    """``condition()``'s first true value within ``timeout`` s, else None; the page keeps being
    served meanwhile (``page.wait_for_timeout``, never ``time.sleep``)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value or None
        page.wait_for_timeout(250)


def _wait(page, condition, timeout=120.0, what="condition", seen=None):
    """Poll ``condition`` with a generous ceiling; on timeout fail with a screenshot, the
    console and what ``seen()`` (the state waited on) last returned."""
    value = _poll(page, condition, timeout)
    if value:
        return value
    shot = ARTIFACTS / ("room_timeout_" + re.sub(r"\W+", "_", what) + ".png")
    page.screenshot(path=str(shot), full_page=True)
    last = f"; last seen: {seen()!r}" if seen is not None else ""
    pytest.fail(
        f"timed out after {timeout:g} s waiting for {what} (screenshot: {shot}){last}; "
        f"console: {page.errors}"
    )


def _prompts(page) -> list[str]:
    """The output prompts of the open notebook's code cells (``[3]:``; none before a run)."""
    return page.evaluate(
        "Array.from(document.querySelectorAll('.jp-NotebookPanel:not("
        ".lm-mod-hidden) .jp-CodeCell .jp-OutputPrompt')).map(e => e.textContent)"
    )


def _get(room, path: str) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", room["port"], timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


# --------------------------------------------------------------------------- the server
def test_one_link_per_team_printed_and_bound_to_loopback(room):
    from kit.store.teamnames import slugify

    assert sorted(room["links"]) == sorted(TEAMS)
    for name, url in room["links"].items():
        slug = slugify(name)
        parts = urllib.parse.urlsplit(url)
        assert parts.netloc == f"127.0.0.1:{room['port']}"
        assert parts.path == f"/lab/workspaces/{slug}/tree/notebooks/{slug}/01_journey.ipynb"
        assert urllib.parse.parse_qs(parts.query) == {"token": [TOKEN]}
    assert f"Links page with QR codes: {room['ws'] / 'links.html'}" in room["printed"]
    assert "warning" not in room["printed"]  # loopback: no warning about the host
    assert (
        "These links work only on this computer (127.0.0.1): for laptops and phones in the room, "
        "start with --host 0.0.0.0 (or give --url-host the room's name for this machine)."
        in room["printed"]
    )
    listening = subprocess.run(
        ["ss", "-Hltn", f"sport = :{room['port']}"], capture_output=True, text=True, check=False
    ).stdout
    if listening:  # where `ss` exists: the only listener is on 127.0.0.1
        assert re.findall(r"\s(\S+):\d+\s", listening) == ["127.0.0.1"]


def test_notebook_cells_stay_rendered_for_participants(room):
    """servekit lab makes Lab's notebook windowing "none" the default (charts drawn offscreen
    came back empty); the setting is served by the real server, not just written."""
    import json

    connection = http.client.HTTPConnection("127.0.0.1", room["port"], timeout=10)
    connection.request(
        "GET", f"/lab/api/settings/@jupyterlab/notebook-extension:tracker?token={TOKEN}"
    )
    body = json.loads(connection.getresponse().read())
    connection.close()
    assert body["schema"]["properties"]["windowingMode"]["default"] == "none"


def test_a_request_without_the_token_is_refused(room):
    assert _get(room, "/api/contents/teams").status == 403
    lab = _get(room, "/lab/tree/notebooks")
    assert lab.status == 302
    assert lab.getheader("Location").startswith("/login")
    assert _get(room, f"/api/contents/teams?token={TOKEN}").status == 200
    assert _get(room, "/api/contents/teams?token=wrong").status == 403


def _kernels_of(room, path: str) -> list[dict]:
    """The kernels of ``path``'s sessions on the room's server (REST, with the token)."""
    url = f"{room['base']}/api/sessions?token={TOKEN}"
    with urllib.request.urlopen(url, timeout=5) as response:
        return [s["kernel"] for s in json.load(response) if s["path"] == path]


def test_the_terminal_shows_no_false_alarm(room, page):
    """A team opens its notebook, the kernel starts and talks to the page, the tab closes: the
    facilitator's terminal shows none of the lines that look like faults and are not
    (kit.room.serverlog), before or after."""
    path = "notebooks/img-src-x-onerror-alert-1/01_journey.ipynb"
    page.goto(room["links"][XSS])
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").wait_for(timeout=180_000)
    _wait(
        page,
        lambda: any(
            k["execution_state"] == "idle" and k["connections"] >= 1
            for k in _kernels_of(room, path)
        ),
        timeout=180,
        what="the notebook's kernel to be connected",
        seen=lambda: _kernels_of(room, path),
    )
    page.context.close()  # the tab goes: its websocket closes
    deadline = time.monotonic() + 120
    while any(k["connections"] for k in _kernels_of(room, path)):
        assert time.monotonic() < deadline, f"still connected: {_kernels_of(room, path)}"
        time.sleep(0.25)
    log = (room["ws"].parent / "servekit-lab.log").read_text()
    for alarm in [
        "DeprecationWarning",  # notebook_shim reading ServerApp.token
        "is not trusted",  # every notebook a team opens
        "websocket_ping_timeout",  # tornado and jupyter_server's units
        "without encryption",  # the kernel's plain-TCP warning
        "Traceback",
    ]:
        assert alarm not in log, log


# --------------------------------------------------------------------------- a team's link
def test_team_link_run_all_and_an_edit_lands_in_that_teams_csv(room, page):
    ws = room["ws"]
    mine, other = ws / "teams/front-desk-friends", ws / "teams/img-src-x-onerror-alert-1"
    csv = mine / "journey.csv"
    before, other_before = csv.read_text(), (other / "journey.csv").read_text()

    page.goto(room["links"]["Front Desk & Friends"])
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.wait_for(timeout=180_000)
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        state="attached", timeout=180_000
    )
    _wait(page, lambda: _kernel_settled(page, room), timeout=180, what="the kernel to settle")
    for _attempt in range(2):
        # Lab may swap a fresh session's kernel right after start: cells sent to the old one
        # never run, so Run All goes again once. The condition is the kernel being busy or a
        # numbered output (labtools.cells_started), not a clock; a slow kernel is waited for
        # below.
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        if _poll(page, lambda: cells_started(page), timeout=90):
            break
    editors = panel.locator(".servekit-editor")
    _wait(
        page,
        lambda: editors.count() > 0,
        timeout=300,
        what="the team's editor to appear",
        seen=lambda: _prompts(page),
    )
    editors.first.scroll_into_view_if_needed()  # Run All scrolled
    plots = panel.locator(".servekit-editor .js-plotly-plot")
    _wait(
        page,
        lambda: (
            plots.locator(".scatterlayer").count() > 0
            and plots.locator(".scatterlayer").first.is_visible()
        ),
        timeout=300,
        what="the editor's figure to be drawn",
        seen=lambda: {
            "prompts": _prompts(page),
            "figures": plots.count(),
            "drawn": plots.locator(".scatterlayer").count(),
        },
    )
    assert panel.locator(".servekit-picker").count() == 0  # the team was injected: no picker
    assert page.get_by_text(NEWS).count() == 0  # no news pop-up in a kit-started Lab
    page.screenshot(path=str(ARTIFACTS / "room_team_notebook_ready.png"))

    editor = panel.locator(".servekit-editor").first
    editor.get_by_placeholder("e.g. Arrival").fill("Arrival")
    editor.get_by_placeholder("e.g. Arrival").press("Enter")
    editor.get_by_placeholder("What happens for the customer").fill("Added from the team link")
    editor.get_by_placeholder("HH:MM, e.g. 07:30").click()  # leaving the box sends it
    editor.get_by_role("button", name="Add touchpoint").click()
    _wait(page, lambda: "Added from the team link" in csv.read_text(), what="the CSV to change")
    assert csv.read_text() != before
    assert (other / "journey.csv").read_text() == other_before
    page.screenshot(path=str(ARTIFACTS / "room_team_notebook_after_edit.png"))
    assert page.dialogs == []
    assert page.get_by_text(NEWS).count() == 0
    assert [e for e in page.errors if not any(b in e for b in BENIGN)] == []


def test_a_team_link_opens_its_one_notebook_not_every_earlier_tab(room, page):
    """Lab keeps a workspace's tabs; the link resets them, so a team link never reopens
    the notebooks (and kernels) a team had open before."""
    import json
    import urllib.request

    slug = "img-src-x-onerror-alert-1"
    link = room["links"]["<img src=x onerror=alert(1)>"]
    tabs = page.locator("#jp-main-dock-panel .lm-TabBar-tab")

    def open_tabs() -> list[str]:
        return sorted(tabs.locator(".lm-TabBar-tabLabel").all_inner_texts())

    def saved() -> list[str]:  # the notebooks the server keeps in the workspace's layout
        url = f"{room['base']}/lab/api/workspaces/{slug}?token={TOKEN}"
        with urllib.request.urlopen(url, timeout=10) as response:
            data = json.load(response).get("data", {})
        return sorted(key.rsplit("/", 1)[-1] for key in data if key.startswith("notebook:"))

    page.goto(link)
    _wait(page, lambda: open_tabs() == ["01_journey.ipynb"], what="the linked notebook's tab")
    _wait(page, lambda: saved() == ["01_journey.ipynb"], what="its layout saved", seen=saved)

    def fresh_tab(old):  # a new tab: leaving a Lab page can be cancelled by its unload prompt
        context = old.context
        old.close()
        new = context.new_page()
        record_errors(new)
        return new

    second = link.replace("01_journey.ipynb", "02_pyramid.ipynb").replace("reset=&", "")
    page = fresh_tab(page)
    tabs = page.locator("#jp-main-dock-panel .lm-TabBar-tab")
    page.goto(second)  # the team opens another notebook in the same workspace
    both = ["01_journey.ipynb", "02_pyramid.ipynb"]
    _wait(page, lambda: open_tabs() == both, what="both tabs", seen=open_tabs)
    _wait(page, lambda: saved() == both, what="the layout to be saved", seen=saved)
    page = fresh_tab(page)  # the tab is closed; later the team opens its link again
    tabs = page.locator("#jp-main-dock-panel .lm-TabBar-tab")
    page.goto(link)
    _wait(page, lambda: open_tabs() == ["01_journey.ipynb"], what="one tab", seen=open_tabs)
    _wait(page, lambda: saved() == ["01_journey.ipynb"], what="the reset layout", seen=saved)
    page.screenshot(path=str(ARTIFACTS / "room_team_link_one_tab.png"))


def _kernel_settled(page, room) -> bool:
    import json
    import urllib.request

    def kernel():
        url = f"{room['base']}/api/sessions?token={TOKEN}"
        with urllib.request.urlopen(url, timeout=5) as response:
            sessions = [
                s
                for s in json.load(response)
                if s["path"] == "notebooks/front-desk-friends/01_journey.ipynb"
            ]
        if len(sessions) != 1:
            return None
        found = sessions[0]["kernel"]
        ready = found["execution_state"] == "idle" and found["connections"] >= 1
        return found["id"] if ready else None

    first = kernel()
    page.wait_for_timeout(1000)
    return first is not None and kernel() == first


# --------------------------------------------------------------------------- the links page
def test_links_page_in_chromium(room, page):
    path: Path = room["ws"] / "links.html"
    page.goto(path.as_uri())
    cards = page.locator("section.card")
    assert cards.count() == len(TEAMS)
    assert cards.locator("h2").all_inner_texts() == list(room["links"])  # XSS shown as text
    assert cards.locator("svg").count() == 2 * len(TEAMS)  # notebooks and phone (issue 22)
    listed = json.loads((room["ws"] / "links.json").read_text())
    assert (room["ws"] / "links.json").stat().st_mode & 0o777 == 0o600  # it holds the token
    assert {t["name"]: t["notebooks"] for t in listed} == room["links"]
    phones = {t["name"]: t["phone"] for t in listed}
    for card in cards.all():
        name = card.locator("h2").inner_text()
        assert card.locator("h3").all_inner_texts() == [
            "Open your notebooks",
            "Score on your phone",
        ]
        assert card.locator(".url").all_inner_texts() == [room["links"][name], phones[name]]
        assert "/servekit/phone/" in phones[name]
        assert phones[name].endswith("?token=" + TOKEN)
        for svg in card.locator("svg").all():
            box = svg.bounding_box()
            assert box["width"] >= 200
            assert box["height"] >= 200
            _, _, width, height = svg.get_attribute("viewBox").split()  # the whole code, scaled
            assert width == height
            assert box["width"] == pytest.approx(box["height"])
    assert page.locator("p.local[role=alert]").is_visible()  # 127.0.0.1: said on the page
    assert page.locator("section.card p.local").count() == len(TEAMS)
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.dialogs == []
    assert page.errors == []
    page.screenshot(path=str(ARTIFACTS / "room_links_page.png"), full_page=True)
    page.emulate_media(media="print")
    for warning in page.locator("section.card p.local").all():  # and on every printed card
        assert warning.is_visible()
    page.screenshot(path=str(ARTIFACTS / "room_links_page_print.png"), full_page=True)


def _run_all_at_once(room, link: str, shot: str) -> tuple[str, list[str]]:
    """Run All the moment ``link`` opens, in a new tab: (what the page lacks, or ``""``; the
    console's errors)."""
    context = _room_context(room)
    try:
        page = context.new_page()
        record_errors(page)
        run_all_now(page, link)
        seen = _poll(page, lambda: _complete_or_none(page), timeout=120)
        problem = run_all_problem(seen or page.evaluate(RUN_ALL_STATE_JS), 2)
        if problem:
            page.screenshot(path=str(ARTIFACTS / f"room_{shot}.png"), full_page=True)
        return problem, console_errors(page)
    finally:
        context.close()


def _complete_or_none(page) -> dict | None:
    seen = page.evaluate(RUN_ALL_STATE_JS)
    return seen if run_all_complete(seen, 2) else None


def test_run_all_the_moment_a_link_opens_brings_the_editor_and_both_charts(room):
    """Issue 26: Run All clicked as soon as the notebook shows, on a fresh link (no kernel)
    and on the notebook opened again while its kernel runs, ``RUN_ALL_REPEAT`` times each:
    the editor and both charts (journey map, blueprint) with drawn data, and no console error
    ("[anywidget] Failed to initialize model." included). Before the kit's run guard, 17 of
    20 fresh links and 10 of 20 reopened ones showed no editor or an empty chart after 60 s."""
    link = room["links"]["Front Desk & Friends"]
    problems, errors = [], []
    for i in range(RUN_ALL_REPEAT):
        shut_down_kernels(room["base"], TOKEN)
        for kind in ("fresh", "reopened"):
            problem, console = _run_all_at_once(room, link, f"run_all_{kind}_{i}")
            if problem:
                problems.append(f"try {i + 1}, {kind}: {problem}; console: {console}")
            errors += [f"try {i + 1}, {kind}: {error}" for error in console]
    assert problems == []
    assert errors == []


def test_the_charts_load_plotly_s_widget_code_once_from_the_room_s_server(room):
    """Issue 25: a live chart used to carry plotly's widget code (5 MB, plotly.js in it) in its
    widget message, once per chart: notebook 01 moved 10 MB over the websocket and evaluated
    plotly.js twice before its editor showed. Under servekit lab the code comes from the room's
    server, one request a page (kit.room.widgetjs); both charts draw; no websocket message is
    near the bundle's size."""
    from kit.widgets.widgetjs import bundle_path, route

    shut_down_kernels(room["base"], TOKEN)
    context = _room_context(room)
    try:
        page = context.new_page()
        record_errors(page)
        fetched: list[str] = []
        page.on("request", lambda r: fetched.append(r.url) if route() in r.url else None)
        frames: list[int] = []
        page.on(
            "websocket",
            lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))),
        )
        run_all_now(page, room["links"]["Front Desk & Friends"])
        seen = _poll(page, lambda: _complete_or_none(page), timeout=120)
        assert run_all_problem(seen or page.evaluate(RUN_ALL_STATE_JS), 2) == ""
        assert len(fetched) == 1, fetched
        assert fetched[0].startswith(room["base"])
        assert frames and max(frames) < bundle_path().stat().st_size // 10
        assert console_errors(page) == []
    finally:
        context.close()
    # the route is the server's own: plotly's published code, public like Lab's own code (a
    # module import cannot carry a hub's XSRF token); the server's API still needs the token
    url = f"{room['base']}/{route()}"
    with urllib.request.urlopen(url, timeout=30) as response:
        assert response.read() == bundle_path().read_bytes()
        assert response.headers["Content-Type"] == "text/javascript; charset=utf-8"
    with urllib.request.urlopen(f"{room['base']}/lab", timeout=30) as response:
        assert "/login?next=" in response.geturl()
