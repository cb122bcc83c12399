"""The participant notebooks in a real JupyterLab, driven by headless Chromium.

A JupyterLab server runs on 127.0.0.1 (free port, fixed token) with a temporary root holding a
copy of ``workshops/`` and a demo workshop at ``demo/``, exactly where the notebooks' default
parameters point (``../demo``). The browser reaches nothing but that server. Screenshots go to
``test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "test-token"
TEAM = "front-desk-friends"
XSS = ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
POINTS_JS = """(selector) => {
  const plots = document.querySelectorAll(selector);
  return Array.from(plots).map(p => p.querySelectorAll('.scatterlayer .point').length);
}"""

# Console messages that are not errors of ours, each with the reason it is safe to ignore.
BENIGN = [
    # Lab asks the server for a workspace and a language server list that it does not have;
    # the 404s are expected in a bare server (nothing on the page depends on them).
    ("Failed to load resource: the server responded with a status of 404", "missing optional "
     "server endpoints (workspaces/lsp) in a bare Lab"),
]

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    """A JupyterLab server over a copy of the notebooks and a fresh demo; stopped afterwards."""
    from kit.workshop import create_demo

    root = tmp_path_factory.mktemp("lab")
    (root / "workshops").mkdir()
    for notebook in sorted((ROOT / "workshops").glob("0*.ipynb")):
        shutil.copy(notebook, root / "workshops" / notebook.name)
    create_demo(root / "demo")
    home = root / ".home"
    env = {**os.environ,
           "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython"),
           "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces")}
    port = _free_port()
    log = (root / "lab.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
         f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
         "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else [])],
        cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=2):
                    break
            except (urllib.error.URLError, OSError):
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n" + (root / "lab.log").read_text())
                time.sleep(0.5)
        yield {"base": base, "root": root, "chromium": chromium}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # the server and the kernels it started
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        log.close()


@pytest.fixture
def page(lab):
    """A Chromium page that may only talk to the Lab server, recording errors and dialogs."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=lab["chromium"], args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1100})
            context.route("**/*", lambda route: route.continue_()
                          if route.request.url.startswith(lab["base"])
                          or route.request.url.startswith(("data:", "blob:"))
                          else route.abort())
            page = context.new_page()
            page.set_default_timeout(60_000)
            page.errors, page.dialogs = [], []
            page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda exc: page.errors.append(f"pageerror: {exc}"))

            def on_dialog(dialog):
                page.dialogs.append(dialog.message)
                dialog.dismiss()

            page.on("dialog", on_dialog)
            yield page
        finally:
            browser.close()


def _open_and_run(page, lab, notebook: str):
    url = f"{lab['base']}/lab/workspaces/{uuid.uuid4().hex}/tree/workshops/{notebook}" \
          f"?reset&token={TOKEN}"
    page.goto(url)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.wait_for()
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        state="attached", timeout=90_000)
    _wait(page, lambda: _kernel_settled(page, lab, f"workshops/{notebook}"), timeout=90,
          what="the notebook's kernel to settle")
    for _attempt in range(2):
        # Lab may swap the kernel of a fresh session right after start; cells sent to the
        # old one are lost (seen as "[ ]" prompts that never run), so run again once.
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        try:
            _wait(page, lambda: all(p.strip() not in ("", "[ ]:") for p in _prompts(page)),
                  timeout=60, what="every code cell to start")
            break
        except pytest.fail.Exception:
            continue
    news = page.locator(".jp-toast-button", has_text="No")  # "notified about Jupyter news?"
    if news.count():
        news.first.click()
    try:
        picker = panel.locator(".servekit-picker select").first  # workshops/: team = ""
        picker.wait_for(state="attached", timeout=90_000)
        picker.scroll_into_view_if_needed()
        picker.select_option(label="Front Desk & Friends")  # the name of TEAM
        panel.locator(".servekit-editor").first.wait_for(timeout=90_000)
        panel.locator(".servekit-editor .js-plotly-plot .scatterlayer").first.wait_for(
            timeout=60_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"failed_{notebook}.png"), full_page=True)
        pytest.fail(f"the editors of {notebook} did not appear; console: {page.errors}")
    return panel


def _kernel_settled(page, lab, path: str) -> bool:
    """One session for ``path``, on the same idle, connected kernel for a second."""
    def kernel():
        url = f"{lab['base']}/api/sessions?token={TOKEN}"
        with urllib.request.urlopen(url, timeout=5) as response:
            sessions = [s for s in json.load(response) if s["path"] == path]
        if len(sessions) != 1:
            return None
        found = sessions[0]["kernel"]
        ready = found["execution_state"] == "idle" and found["connections"] >= 1
        return found["id"] if ready else None

    first = kernel()
    page.wait_for_timeout(1000)
    return first is not None and kernel() == first


def _prompts(page) -> list[str]:
    return page.evaluate("Array.from(document.querySelectorAll('.jp-NotebookPanel:not("
                         ".lm-mod-hidden) .jp-CodeCell .jp-InputPrompt')).map(e => e.textContent)")


def _points(page) -> list[int]:
    return page.evaluate(POINTS_JS, ".jp-NotebookPanel:not(.lm-mod-hidden) .servekit-editor "
                                    ".js-plotly-plot")


def _wait(page, condition, timeout=30.0, what="condition"):
    """Poll ``condition`` while letting Playwright serve the page (never ``time.sleep``: the
    request router runs on this thread, so sleeping would stall the page's requests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        page.wait_for_timeout(250)
    shot = ARTIFACTS / ("timeout_" + "".join(c if c.isalnum() else "_" for c in what) + ".png")
    page.screenshot(path=str(shot), full_page=True)
    pytest.fail(f"timed out waiting for {what} (screenshot: {shot}); console: {page.errors}")


def _idle(page, panel):
    """Wait until the kernel has handled every message sent so far."""
    page.wait_for_timeout(300)
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        state="attached", timeout=30_000)


def _real_errors(page) -> list[str]:
    return [e for e in page.errors if not any(text in e for text, _ in BENIGN)]


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
        _wait(page, lambda n=added: _points(page)[0] == before_points + n,
              what="one more point in the figure")
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
        path=str(ARTIFACTS / "lab_01_journey_map_after_add.png"))
    assert page.dialogs == []
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert _real_errors(page) == []


def _moving_touchpoint(team_dir: Path) -> tuple[str, int]:
    """A touchpoint whose IPA point moves when a new scorer rates it 5 / 1, and its row."""
    import pandas as pd

    from kit.journey import ordered_touchpoints
    from kit.scoring import touchpoint_summary
    from kit.workbook import Workbook

    wb = Workbook.load(team_dir)
    scores, journey = wb["scores"], wb["journey"]
    before = touchpoint_summary(scores, journey).set_index("touchpoint_id")
    order = [str(t) for t in ordered_touchpoints(journey)["touchpoint_id"]]
    for tid in order:
        extra = pd.DataFrame([{"touchpoint_id": tid, "scorer": "Zoe", "importance": 5,
                               "performance": 1}])
        after = touchpoint_summary(pd.concat([scores, extra], ignore_index=True), journey)
        after = after.set_index("touchpoint_id")
        if tid in before.index and any(before.at[tid, c] != after.at[tid, c]
                                       for c in ("importance", "performance")):
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
        ".map(e => e.getAttribute('transform')).join(';')")
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


def test_artifacts_folder_is_ignored():
    assert "test-artifacts/" in Path(ROOT / ".gitignore").read_text().splitlines()
