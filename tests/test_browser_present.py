"""``servekit present`` for real: the Voilà dashboard in headless Chromium, network blocked.

The command runs as a subprocess on a free 127.0.0.1 port over a demo workshop grown to 12
teams (the largest room the projector shows on one screen; names from a real room, a long one and
a word too long for a tile) plus a team whose name is an XSS payload. The page must show every
team, draw the charts, follow edits made on disk (button and timer, no reload), isolate a broken
team in its own tile, load nothing from off the host, and refuse requests without the token; at
1280 x 800 every tile is on the first screen with every text readable from 8 m.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import descendants, launch_chromium

from kit.room.present import free_port
from kit.testing import stop_group

ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "present-test-token"
INTERVAL = 15  # seconds: long enough that a refresh right after a click is the button's
XSS_NAME = '<img src=x onerror="window.__xss=1"> & <script>window.__xss=2</script>'
ROOM = {  # slug -> name: with the demo's 4 teams and the XSS team, 12 teams
    "night-shift": "Night Shift",
    "housekeeping": "Housekeeping",
    "front-of-house": "Front of House",
    "guest-experience": "Guest Experience and Reservations Taskforce",
    "long-word": "Supercalifragilisticexpialidociousness",
    "kitchen-brigade": "Kitchen Brigade",
    "spa-and-wellness": "Spa and Wellness",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("browser_present"),
]  # its module-scoped server or build, set up on one worker only


@pytest.fixture(scope="module")
def server(tmp_path_factory, chromium):
    from kit.store.workshop import create_demo

    root = tmp_path_factory.mktemp("present")
    ws = create_demo(root / "demo")
    xss = ws.path / "teams" / "xss-team"
    xss.mkdir()
    (xss / "team.yaml").write_text(f"name: '{XSS_NAME}'\nmembers: []\n", encoding="utf-8")
    for slug, name in ROOM.items():  # each a copy of a sample team's data, under its own name
        folder = ws.path / "teams" / slug
        shutil.copytree(ws.path / "teams" / "the-night-shift", folder)
        (folder / "team.yaml").write_text(f"name: '{name}'\nmembers: []\n", encoding="utf-8")
    port = free_port()
    log = (root / "present.log").open("wb")
    home = root / ".home"
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "SERVEKIT_PRESENT_PREHEAT_DELAY": "2",  # the next page's kernel soon after a load
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kit",
            "present",
            str(ws.path),
            "--port",
            str(port),
            "--token",
            TOKEN,
            "--no-browser",
            "--interval",
            str(INTERVAL),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while "Dashboard of" not in (root / "present.log").read_text(errors="replace"):
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "servekit present did not start:\n"
                    + (root / "present.log").read_text(errors="replace")
                )
            time.sleep(0.3)
        yield {
            "base": base,
            "ws": ws.path,
            "chromium": chromium,
            "log": root / "present.log",
            "pid": process.pid,
        }
    finally:
        stop_group(process)
        log.close()


def _get(url: str) -> tuple[int, str, str]:
    """Status, final URL and body of a GET (redirects followed)."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.url, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, url, exc.read().decode("utf-8", "replace")


def test_no_token_is_refused(server):
    for url in (server["base"], server["base"] + "?token=wrong-token"):
        status, final, body = _get(url)
        assert "/login" in final or status in (401, 403), (status, final)
        assert "Front Desk" not in body
        assert "sk-dash" not in body
    status, _, body = _get(server["base"] + f"?token={TOKEN}")
    assert status == 200
    assert "<title>Workshop dashboard</title>" in body
    for path in ("api/kernels", "api/contents", "voila/render/30_dashboard.ipynb"):
        status, final, body = _get(server["base"] + path)
        assert status in (401, 403, 404) or ("/login" in final and "token" in body), (
            path,
            status,
            final,
        )
        assert '"id"' not in body  # no kernel or file listing


def test_page_loads_nothing_off_host(server):
    """The kit's Voilà template leaves out the stock template's Font Awesome CDN links."""
    from kit.testing import external_references

    status, _, body = _get(server["base"] + f"?token={TOKEN}")
    assert status == 200
    assert external_references(body) == []
    assert "fontawesome" not in body.lower()
    assert "cdn.jsdelivr" not in body
    assert 'import("https://' not in body  # nbconvert's mermaid loader is left out too


def _tiles(page) -> dict[str, dict]:
    return page.evaluate("""() => Object.fromEntries(Array.from(
        document.querySelectorAll('.sk-dash-tile')).map(t => [t.dataset.team, {
            name: t.querySelector('h3').textContent, broken: t.classList.contains('broken'),
            svgs: t.querySelectorAll('svg.sk-dash-svg').length,
            dots: t.querySelectorAll('svg.sk-dash-svg circle').length,
            text: t.textContent}]))""")


def _with_emotion(text: str, value: str) -> str:
    """The journey CSV with the first touchpoint's emotion set to ``value``."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    rows[1][rows[0].index("emotion")] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def test_dashboard_in_the_browser(server):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    off_host, dialogs, errors = [], [], []
    journey = server["ws"] / "teams" / "front-desk-friends" / "journey.csv"
    broken = server["ws"] / "teams" / "equipe-etoile" / "journey.csv"
    good_broken = broken.read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = launch_chromium(p, server["chromium"])
        try:
            context = browser.new_context(viewport={"width": 1600, "height": 1000})

            def route(r):
                if r.request.url.startswith(server["base"]) or r.request.url.startswith(
                    ("data:", "blob:")
                ):
                    r.continue_()
                else:
                    off_host.append(r.request.url)
                    r.abort()

            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.goto(server["base"] + f"?token={TOKEN}")
            page.wait_for_selector(".sk-dash-tile")

            # every team visible; the charts drawn for every team with data
            tiles = _tiles(page)
            assert set(tiles) == {
                "equipe-etoile",
                "front-desk-friends",
                "team-4-half-finished",
                "the-night-shift",
                "xss-team",
                *ROOM,
            }
            for slug in ("equipe-etoile", "front-desk-friends", "the-night-shift"):
                assert tiles[slug]["svgs"] == 2 and tiles[slug]["dots"] > 20, tiles[slug]
            for name in ("Front Desk & Friends", "The Night Shift", "Équipe Étoile"):
                assert page.get_by_text(name, exact=True).first.is_visible()
            # no code on the page
            shown = page.evaluate("() => document.body.innerText")
            assert "from kit" not in shown
            assert "workshop_dir" not in shown

            # the XSS payload is text
            assert tiles["xss-team"]["name"] == XSS_NAME
            assert page.evaluate("() => window.__xss") is None
            assert page.locator(".sk-dash img, .sk-dash script").count() == 0
            page.screenshot(path=str(ARTIFACTS / "present.png"), full_page=True)
            page.locator(".sk-dash-tiles").screenshot(path=str(ARTIFACTS / "present-tiles.png"))

            # an edit on disk + the button: the page changes, without a reload
            page.evaluate("() => { window.__same_page = 42; }")
            stamp = page.locator(".sk-dash-status").text_content()
            with journey.open("a", encoding="utf-8") as f:
                f.write("T99,Departure,99,,Projector test touchpoint,,direct,,1,no\n")
            time.sleep(1.1)  # a new second for the "last refreshed" stamp
            page.get_by_role("button", name="Refresh now").click()
            page.wait_for_function(
                "() => document.querySelector('.sk-dash-edits').textContent"
                ".includes('Front Desk & Friends added touchpoint T99 (Projector test touchpoint)')",
                timeout=120_000,  # a ceiling, not a pause
            )
            page.wait_for_function(
                "(old) => document.querySelector('.sk-dash-status').textContent !== old",
                arg=stamp,
                timeout=120_000,  # a ceiling, not a pause
            )
            assert page.evaluate("() => window.__same_page") == 42

            # a broken team shows its message in its own tile; the others still render
            broken.write_text(_with_emotion(good_broken, "seven"), encoding="utf-8")
            page.get_by_role("button", name="Refresh now").click()
            page.wait_for_selector(
                ".sk-dash-tile.broken[data-team='equipe-etoile']", timeout=120_000
            )
            tiles = _tiles(page)
            assert re.search(
                r"teams/equipe-etoile/journey\.csv:2:emotion: .*seven",
                tiles["equipe-etoile"]["text"],
            ), tiles["equipe-etoile"]["text"]
            assert tiles["equipe-etoile"]["svgs"] == 0
            assert tiles["front-desk-friends"]["svgs"] == 2
            assert tiles["the-night-shift"]["svgs"] == 2
            page.screenshot(path=str(ARTIFACTS / "present-broken.png"), full_page=True)

            # the timer alone picks up the fix (no click)
            broken.write_text(good_broken, encoding="utf-8")
            page.wait_for_function(
                "() => !document.querySelector(\".sk-dash-tile[data-team='equipe-etoile']\")"
                ".classList.contains('broken')",
                timeout=(INTERVAL + 120) * 1000,  # the timer, plus a loaded machine
            )
            assert _tiles(page)["equipe-etoile"]["svgs"] == 2
            assert page.evaluate("() => window.__same_page") == 42
        finally:
            browser.close()
    assert off_host == []
    assert dialogs == []
    assert errors == []


def _kernels(server) -> list[int]:
    """The kernel processes below ``servekit present`` now (Voilà serves no kernels API)."""
    found = []
    for pid in sorted(descendants(server["pid"])):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            continue  # ended meanwhile
        if b"ipykernel_launcher" in command:
            found.append(pid)
    return found


def _settle(server, count: int, timeout: float = 90) -> list[int]:
    """Poll until exactly ``count`` kernels run below ``servekit present``; return them."""
    seen: list[list[int]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        seen.append(_kernels(server))
        if len(seen[-1]) == count:
            return seen[-1]
        time.sleep(0.5)
    raise AssertionError(f"expected {count} kernel(s); saw {seen[-6:]}")


def _steady(server, quiet: float = 4, timeout: float = 90) -> list[int]:
    """The kernels below ``servekit present`` once they have not changed for ``quiet`` s."""
    last, since = _kernels(server), time.monotonic()
    deadline = since + timeout
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = _kernels(server)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= quiet:
            return now
    raise AssertionError(f"the kernels kept changing; last {last}")


def test_the_projector_keeps_its_page_s_kernel_and_one_preheated(server):
    """Voilà runs the dashboard before the page is asked for: each load takes that preheated
    kernel, the page it replaces gives its own back (on unload), and the next kernel is
    preheated a moment later. However often the page is reloaded, one kernel more runs than
    before: the page's (the preheated one before it) and the next page's; when the page is
    left, its kernel is given back. (Earlier tests' pages, closed with their browsers, are
    counted in ``before``.)"""
    from playwright.sync_api import sync_playwright

    before = _steady(server)
    with sync_playwright() as p:
        browser = launch_chromium(p, server["chromium"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(120_000)
            last = before
            for _load in range(3):
                page.goto(server["base"] + f"?token={TOKEN}")
                page.wait_for_selector(".sk-dash-tile")
                now = _settle(server, len(before) + 1)
                fresh = sorted(set(now) - set(last))
                assert len(fresh) == 1, (last, now)  # the next page's, preheated
                last = now
            page.goto("about:blank")  # the projector's browser goes elsewhere
            left = _settle(server, len(before))  # the page's kernel given back
            assert fresh[0] in left
        finally:
            browser.close()
    # loads, unloads and closed websockets: the terminal shows no false alarm
    # (kit.room.serverlog, kit.room.voilarun) and no line per kernel
    log = server["log"].read_text(errors="replace")
    for alarm in [
        "is not trusted",
        "websocket_ping_timeout",
        "without encryption",
        "Traceback",
        "Kernel started",
    ]:
        assert alarm not in log, log


_TILES_AT_A_GLANCE = """() => {
    const tiles = [...document.querySelectorAll('.sk-dash-tile')];
    const box = e => { const r = e.getBoundingClientRect();
        return {left: r.left, top: r.top, right: r.right, bottom: r.bottom}; };
    const shown = n => !n.parentElement.closest('title') && n.textContent.trim();
    const texts = tile => {  // every text drawn in the tile, HTML or SVG
        const walk = document.createTreeWalker(tile, NodeFilter.SHOW_TEXT), out = [];
        for (let n = walk.nextNode(); n; n = walk.nextNode()) if (shown(n)) out.push(n);
        return out;
    };
    const lines = (node, start, end) => {  // the distinct lines a piece of text is drawn on
        const range = document.createRange();
        range.setStart(node, start);
        range.setEnd(node, end);
        return new Set([...range.getClientRects()].filter(r => r.width > 0)
                       .map(r => Math.round(r.bottom))).size;
    };
    return tiles.map(tile => {
        const h3 = tile.querySelector('h3'), words = [];
        for (const node of texts(h3))
            for (const m of node.textContent.matchAll(/\\S+/g))
                words.push([m[0], lines(node, m.index, m.index + m[0].length)]);
        const cut = [...h3.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth)
            .map(e => [e.textContent, getComputedStyle(e).textOverflow]);
        return {team: tile.dataset.team, name: h3.textContent, box: box(tile),
                tooltip: (h3.querySelector('[title]') || h3).title, words, cut,
                small: texts(tile).map(n => [n.textContent.trim().slice(0, 30),
                    parseFloat(getComputedStyle(n.parentElement).fontSize)])
                    .filter(([, size]) => size < 18),
                charts: [...tile.querySelectorAll('svg, figure')].map(box)};
    });
}"""


def _spills(outer: dict, inner: dict) -> bool:
    return (
        inner["left"] < outer["left"]
        or inner["right"] > outer["right"]
        or inner["top"] < outer["top"]
        or inner["bottom"] > outer["bottom"]
    )


def _resize(page, width: int, height: int) -> None:
    """Resize the window and wait until Voila's panels (laid out by script) follow it."""
    page.set_viewport_size({"width": width, "height": height})
    deadline, seen = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        seen = page.evaluate(
            "() => document.querySelector('.sk-dash').closest('.lm-BoxPanel-child')"
            ".getBoundingClientRect().width"
        )
        if abs(seen - width) < 1:
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r(true)))")
            return
        time.sleep(0.1)
    pytest.fail(f"the page's panel is {seen} px wide, not {width}, 60 s after the resize")


def test_the_projector_shows_the_whole_room_on_one_screen(server):
    """12 teams at 1280 x 800: every tile on the first screen, names broken only between words
    (a word too long is cut with an ellipsis, the whole name in the tooltip), every text in a
    tile at least 18 px; at 1920 x 1080 the charts stay in their tiles; on a 390 px phone the
    page never scrolls sideways and the progress table stays in its box."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p, server["chromium"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.set_default_timeout(120_000)
            page.goto(server["base"] + f"?token={TOKEN}")
            page.wait_for_selector(".sk-dash-tile")
            page.evaluate("document.fonts.ready.then(() => true)")
            page.screenshot(path=str(ARTIFACTS / "present-1280x800.png"))

            tiles = page.evaluate(_TILES_AT_A_GLANCE)
            assert len(tiles) == 12, [t["team"] for t in tiles]
            screen = {"left": 0, "top": 0, "right": 1280, "bottom": 800}
            off_screen = [(t["team"], t["box"]) for t in tiles if _spills(screen, t["box"])]
            assert off_screen == []
            broken_words = [(t["team"], w) for t in tiles for w in t["words"] if w[1] != 1]
            assert broken_words == []  # e.g. 'Supercalifragilis/ticexpialidociousness'
            names = {t["team"]: t for t in tiles}
            assert [t["name"] for t in tiles if t["tooltip"] != t["name"]] == []
            for slug, name in ROOM.items():
                assert names[slug]["name"] == name
            long = names["long-word"]
            assert long["cut"] == [[ROOM["long-word"], "ellipsis"]], long
            assert names["night-shift"]["cut"] == []
            assert names["housekeeping"]["cut"] == []
            small = [(t["team"], t["small"]) for t in tiles if t["small"]]
            assert small == []  # e.g. ('the-night-shift', [['journey: how the guest feels', 16]])
            spilled = [(t["team"], c) for t in tiles for c in t["charts"] if _spills(t["box"], c)]
            assert spilled == []  # e.g. a team with no data yet: its '0/5 steps' past the edge

            _resize(page, 1920, 1080)
            page.screenshot(path=str(ARTIFACTS / "present-1920x1080.png"))
            spilled = [
                (t["team"], chart)
                for t in page.evaluate(_TILES_AT_A_GLANCE)
                for chart in t["charts"]
                if _spills(t["box"], chart)
            ]
            assert spilled == []

            _resize(page, 390, 844)
            page.screenshot(path=str(ARTIFACTS / "present-390x844.png"))
            phone = page.evaluate("""() => {
                const sideways = [...document.querySelectorAll('*')].filter(e =>
                    e.scrollWidth > e.clientWidth + 1
                    && ['auto', 'scroll'].includes(getComputedStyle(e).overflowX));
                const progress = document.querySelector('.sk-dash-progress table');
                const ownBox = e => e.closest('.sk-dash') && e.children.length === 1
                    && e.firstElementChild.tagName === 'TABLE';  // a table's own box
                const button = document.querySelector('button.sk-dash-button');
                return {page: document.documentElement.scrollWidth,
                        button: [button.textContent.trim(), button.scrollWidth - button.clientWidth,
                                 Math.round(button.getBoundingClientRect().width)],
                        scrolls: sideways.filter(e => !ownBox(e))
                                         .map(e => e.className.toString()),
                        box: progress.parentElement.getBoundingClientRect().right};
            }""")
            assert phone["page"] <= 390, phone
            assert phone["scrolls"] == [], phone  # only a table's own box scrolls
            assert phone["box"] <= 390, phone
            assert phone["button"] == ["Refresh now", 0, 220], phone  # was cut to "Re…"
            page.locator(".sk-dash-progress").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "present-390x844-progress.png"))
        finally:
            browser.close()
