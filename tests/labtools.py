"""A real JupyterLab for browser tests of the editors: the server, a locked-down page, helpers.

The same set-up as ``test_browser_lab.py`` (a server on 127.0.0.1 with a free port and a token
over a copy of ``workshops/`` and a fresh demo; a Chromium page that may only reach that
server), as fixtures and helpers a test module imports.
"""

from __future__ import annotations

import json
import os
import shutil
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
from helpers import LAB_ALLOWED, BrowserGuard, shared_browser

from kit.testing import stop_group

ARTIFACTS = ROOT / "test-artifacts"
TOKEN = "test-token"
TEAM = "front-desk-friends"
XSS = ("<img src=x onerror=alert(1)>", "<script>alert(1)</script>")
POINTS_JS = """(selector) => {
  const plots = document.querySelectorAll(selector);
  return Array.from(plots).map(p => p.querySelectorAll('.scatterlayer .point').length);
}"""

# Console messages that are not errors of ours, each with the reason it is safe to ignore.
BENIGN = [
    # Lab asks the server for a workspace and a language server list that it does not have;
    # the 404s are expected in a bare server (nothing on the page depends on them).
    (
        "Failed to load resource: the server responded with a status of 404",
        "missing optional server endpoints (workspaces/lsp) in a bare Lab",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def jupyter_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a Jupyter server whose config, data and settings live under ``home``."""
    return {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
        **extra,
    }


def record_errors(page) -> None:
    """Collect the page's console errors in ``page.errors`` and dismissed dialogs in
    ``page.dialogs``."""
    page.set_default_timeout(120_000)  # a ceiling for a loaded machine, not a pause
    page.errors, page.dialogs = [], []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(f"pageerror: {exc}"))

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)


@pytest.fixture(scope="module")
def lab(tmp_path_factory, chromium):
    """A JupyterLab server over a copy of the notebooks and a fresh demo; stopped afterwards.

    It has the settings ``servekit lab`` gives participants (:data:`kit.room.lab.LAB_OVERRIDES`:
    every cell stays rendered), so a cell scrolled out of view keeps its prompt and its chart,
    the kit's run guard (:data:`kit.room.lab.LAB_EXTENSIONS`) and plotly's widget code served
    by the server (:mod:`kit.room.widgetjs`).
    """
    from kit.room.lab import LAB_EXTENSIONS, write_lab_settings
    from kit.room.widgetjs import write_server_config as write_widgetjs_config
    from kit.store.workshop import create_demo
    from kit.widgets.widgetjs import ENV

    root = tmp_path_factory.mktemp("lab")
    (root / "workshops").mkdir()
    for notebook in sorted((ROOT / "workshops").glob("0*.ipynb")):
        shutil.copy(notebook, root / "workshops" / notebook.name)
    create_demo(root / "demo")
    home = root / ".home"
    # plotly's widget code from the server, as under servekit lab (kit.widgets.widgetjs): a
    # page with three charts no longer takes 15 MB through the websocket
    env = jupyter_env(home, **{ENV: "1"})
    write_widgetjs_config(home / "config")
    app_settings = write_lab_settings(home / "app-settings").parent
    port = _free_port()
    log = (root / "lab.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=None",
            "--LabApp.extension_manager=readonly",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.app_settings_dir={app_settings}",
            # the run guard servekit lab gives participants: Run All waits for the kernel, and a
            # chart's model gets 60 s to start, not anywidget's 2 s (under CI's load a chart
            # drew empty axes: the 04_scoring flake of two CI runs)
            f"--LabApp.extra_labextensions_path={LAB_EXTENSIONS}",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
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
        stop_group(process)
        log.close()


@pytest.fixture
def page(lab):
    """A fresh Chromium page (its own context, in the worker's one browser) that may only talk
    to the Lab server, recording errors and dialogs."""
    ARTIFACTS.mkdir(exist_ok=True)
    browser = shared_browser(lab["chromium"])
    context = browser.new_context(viewport={"width": 1400, "height": 1100})
    try:
        blocked: list[str] = []

        def only_the_lab(route):
            url = route.request.url
            if url.startswith(lab["base"]) or url.startswith(("data:", "blob:")):
                route.continue_()
            else:  # recorded: a test asserts that the page asked for nothing off-host
                blocked.append(url)
                route.abort()

        context.route("**/*", only_the_lab)
        page = context.new_page()
        record_errors(page)
        page.blocked = blocked
        page.guard = BrowserGuard(lab["base"], LAB_ALLOWED)  # shared recorder (helpers.py)
        page.guard.blocked = blocked
        page.guard.watch(page)
        yield page
    finally:  # the page's context, never the shared browser
        context.close()


def _open_and_run(page, lab, notebook: str, figure: str | None = ".js-plotly-plot .scatterlayer"):
    """Open a notebook, run every cell, pick the team; wait for its editor (and ``figure``)."""
    url = (
        f"{lab['base']}/lab/workspaces/{uuid.uuid4().hex}/tree/workshops/{notebook}"
        f"?reset&token={TOKEN}"
    )
    page.goto(url)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    panel.wait_for()
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        state="attached", timeout=180_000
    )
    _wait(
        page,
        lambda: _kernel_settled(page, lab, f"workshops/{notebook}"),
        timeout=180,
        what="the notebook's kernel to settle",
    )
    for _attempt in range(2):
        # Lab may swap the kernel of a fresh session right after start; cells sent to the
        # old one are lost (nothing ever runs), so run again once. The sign that the run
        # reached the kernel is a busy kernel or a numbered output.
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        deadline = time.monotonic() + 90
        while not cells_started(page) and time.monotonic() < deadline:
            page.wait_for_timeout(250)
        if cells_started(page):
            break
    news = page.locator(".jp-toast-button", has_text="No")  # "notified about Jupyter news?"
    if news.count():
        news.first.click()
    try:
        picker = panel.locator(".servekit-picker select").first  # workshops/: team = ""
        picker.wait_for(state="attached", timeout=180_000)
        picker.scroll_into_view_if_needed()
        picker.select_option(label="Front Desk & Friends")  # the name of TEAM
        panel.locator(".servekit-editor").first.wait_for(timeout=180_000)
        if figure is not None:  # below the editor: brought into view, as a participant scrolls
            _wait_for_figure(page, panel, figure)
    except Exception as error:
        page.screenshot(path=str(ARTIFACTS / f"failed_{notebook}.png"), full_page=True)
        pytest.fail(
            f"the editors of {notebook} did not appear ({str(error).splitlines()[0]}); "
            f"console: {page.errors}"
        )
    return panel


def _wait_for_figure(page, panel, figure: str, timeout: float = 180) -> None:
    """Wait until the editor's ``figure`` is drawn and visible, scrolled into view as a
    participant scrolls.

    The chart may be drawn again while the editor settles (a first draw, then the team's data),
    and a scroll done before that can leave it out of view: scroll again until it shows. On
    failure the message says what the page had (how many charts, their size, their points).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    plot = panel.locator(".servekit-editor .js-plotly-plot").first
    plot.wait_for(state="attached", timeout=timeout * 1000)
    drawn = panel.locator(f".servekit-editor {figure}").first
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            plot.scroll_into_view_if_needed(timeout=5_000)
            drawn.wait_for(timeout=5_000)
            return
        except PlaywrightTimeout:
            continue
    state = panel.evaluate(
        """p => [...p.querySelectorAll('.servekit-editor .js-plotly-plot')].map(g => {
            const r = g.getBoundingClientRect();
            return {w: Math.round(r.width), h: Math.round(r.height),
                    points: g.querySelectorAll('.scatterlayer .point').length,
                    traces: g.querySelectorAll('.scatterlayer .trace').length};
        })"""
    )
    raise AssertionError(f"{figure} not visible in {timeout:.0f} s; the editor's charts: {state}")


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


STARTED_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return false;
  const busy = panel.querySelector(".jp-Notebook-ExecutionIndicator[data-status='busy']");
  const outs = Array.from(panel.querySelectorAll('.jp-CodeCell .jp-OutputPrompt'));
  return Boolean(busy) || outs.some(e => /^\\[(\\d+|\\*)\\]:$/.test(e.textContent.trim()));
}"""


def cells_started(page) -> bool:
    """True once Run All reached the kernel: it is busy, or a code cell has a numbered output.

    (Not an input prompt: Lab shows ``[*]`` there as soon as a cell is queued, also on a
    kernel that never answers.)
    """
    return bool(page.evaluate(STARTED_JS))


def _points(page) -> list[int]:
    return page.evaluate(
        POINTS_JS, ".jp-NotebookPanel:not(.lm-mod-hidden) .servekit-editor .js-plotly-plot"
    )


def _wait(page, condition, timeout=120.0, what="condition", seen=None):
    """Poll ``condition`` while letting Playwright serve the page (never ``time.sleep``: the
    request router runs on this thread, so sleeping would stall the page's requests). On
    timeout the failure says what ``seen()`` (the state waited on) last returned."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        page.wait_for_timeout(250)
    shot = ARTIFACTS / ("timeout_" + "".join(c if c.isalnum() else "_" for c in what) + ".png")
    page.screenshot(path=str(shot), full_page=True)
    last = f"; last seen: {seen()!r}" if seen is not None else ""
    pytest.fail(f"timed out waiting for {what} (screenshot: {shot}){last}; console: {page.errors}")


def _idle(page, panel):
    """Wait until the kernel has handled every message sent so far."""
    page.wait_for_timeout(300)
    panel.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
        state="attached", timeout=120_000
    )


def _real_errors(page) -> list[str]:
    return [e for e in page.errors if not any(text in e for text, _ in BENIGN)]


# ----------------------------------------------------------------- Run All the moment a page opens
RUN_ALL_STATE_JS = """() => {
  const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
  if (!panel) return {editors: 0, traces: [], kernel: 'no notebook'};
  const status = document.getElementById('jp-main-statusbar');
  return {
    editors: panel.querySelectorAll('.servekit-editor').length,
    traces: Array.from(panel.querySelectorAll('.js-plotly-plot'))
      .map(p => p.querySelectorAll('.main-svg .trace').length),
    kernel: status ? status.textContent.trim().slice(0, 120) : '',
  };
}"""
"""What the open notebook shows: its editors, the drawn traces of each chart, the kernel line."""


def run_all_now(page, url: str) -> None:
    """Open ``url`` and choose *Run ▸ Run All Cells* as soon as the notebook's first cell is
    on the page: no wait for the kernel (what a participant in a hurry does)."""
    page.goto(url)
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell").first.wait_for()
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()


def run_all_complete(seen: dict, charts: int) -> bool:
    """True when ``seen`` (:data:`RUN_ALL_STATE_JS`) has an editor and ``charts`` charts, each
    with drawn traces."""
    traces = seen["traces"]
    return seen["editors"] >= 1 and len(traces) >= charts and all(traces)


def run_all_problem(seen: dict, charts: int) -> str:
    """What a Run All left wrong on the page (``""``: nothing): no editor, or an empty chart."""
    if not seen["editors"]:
        return f"no editor (status bar: {seen['kernel']!r})"
    if not run_all_complete(seen, charts):
        return f"empty chart (traces per chart: {seen['traces']})"
    return ""


def console_errors(page) -> list[str]:
    """The page's console errors, less the :data:`BENIGN` ones."""
    return [e for e in page.errors if not any(text in e for text, _ in BENIGN)]


def shut_down_kernels(base: str, token: str) -> None:
    """End every session of the server and wait (ceiling 60 s) until no kernel is left."""

    def api(path: str, method: str = "GET"):
        request = urllib.request.Request(
            f"{base}{path}", method=method, headers={"Authorization": f"token {token}"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    for session in api("/api/sessions"):
        api(f"/api/sessions/{session['id']}", "DELETE")
    deadline = time.monotonic() + 60
    left = api("/api/kernels")
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = api("/api/kernels")
    if left:
        raise RuntimeError(f"kernels still running after 60 s: {left}")
