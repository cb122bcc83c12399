"""Helpers shared by several test files (import them: ``from helpers import make_workshop``).

Test modules never import from each other; what two of them need lives here (plain functions
and constants) or in ``conftest.py`` (fixtures).
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import time
from pathlib import Path

import nbformat

from kit.report.engine import IOPUB_WAIT
from kit.report.export import CHROMIUM_QUIET

ROOT = Path(__file__).resolve().parent.parent

MINI_TEAM = {
    "team.yaml": "name: Mini team\nmembers: [Ann, Bo]\n",
    "roles.csv": (
        "role_id,name,level,headcount\n"
        "guest,Hotel guest,customer,\n"
        "desk,Front desk agent,frontline,4\n"
        "fom,Front office manager,manager,1\n"
    ),
    "serves.csv": "from_role,to_role\ndesk,guest\nfom,desk\n",
    "journey.csv": (
        "touchpoint_id,stage,order,time,description,channel,contact,role_id,emotion,moment_of_truth\n"
        "T1,Arrival,1,15:00,Check-in at the desk,face to face,direct,desk,1,true\n"
        "T2,Room,2,,Room prepared before arrival,,indirect,,0,false\n"
    ),
    "needs.csv": "touchpoint_id,kind,need,provider_role\nT1,do,Fast check-in training,fom\n",
    "scores.csv": "touchpoint_id,scorer,importance,performance,be,do,have\nT1,Ann,5,3,4,3,2\n",
    "plan.csv": (
        "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target\n"
        "A1,T1,do,Train desk staff,fom,2026-03-01,wait minutes,14,5\n"
    ),
    "results.csv": "action_id,date,value\nA1,2026-04-01,9\n",
    "reflections.yaml": "first_step: Ann books the training room.\n",
}


def write_team(folder: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """Write the mini team into ``folder`` with ``files`` replacing (or adding) some files."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in {**MINI_TEAM, **(files or {})}.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"

XSS_FILES = {
    "team.yaml": f"name: '{XSS_NAME}'\nmembers: ['{XSS_SCRIPT}', 'Bo & Co']\n",
    "roles.csv": (
        "role_id,name,level,headcount\n"
        "guest,Hotel guest,customer,\n"
        f"desk,{XSS_NAME},frontline,4\n"
        "fom,Front office manager,manager,1\n"
    ),
    "journey.csv": (
        "touchpoint_id,stage,order,time,description,channel,contact,role_id,emotion,moment_of_truth\n"
        f"T1,Arrival,1,15:00,{XSS_SCRIPT},face to face,direct,desk,-2,true\n"
        "T2,Room,2,,Room prepared before arrival,,indirect,,0,false\n"
    ),
    "scores.csv": (
        "touchpoint_id,scorer,importance,performance,be,do,have\n"
        f"T1,{XSS_NAME},5,2,4,3,2\nT2,Bo,3,3,3,3,3\n"
    ),
    "plan.csv": (
        "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target\n"
        f"A1,T1,do,{XSS_SCRIPT},fom,2026-03-01,{XSS_NAME},14,5\n"
    ),
    "reflections.yaml": f"first_step: '{XSS_SCRIPT} then <b>bold</b>'\n",
}
"""A valid team whose every piece of user text is an HTML-injection attempt."""

UNESCAPED = re.compile(r"<script>alert|<img src=x|<b>bold</b>")


def make_workshop(root: Path, teams: dict[str, dict[str, str] | None]) -> Path:
    """A workshop folder with ``teams`` (slug -> files overriding the mini team)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "workshop.yaml").write_text(
        "title: 'Workshop <i>&</i> Co'\ncase: laurie-hospitality\ndate: '2026-03-01'\n"
        "facilitator: Kim\n",
        encoding="utf-8",
    )
    for slug, files in teams.items():
        write_team(root / "teams" / slug, files)
    return root


BROKEN_ROLES = (
    "role_id,name,level\nguest,Guest,customer\ndesk,Desk,boss\nfom,Front office manager,manager\n"
)
"""A roles table with one error: ``roles.csv:3:level`` is ``boss``."""


def write_notebook(path: Path, text: str) -> Path:
    """A notebook from ``text``: cells separated by ``---``, the first one is the parameters."""
    sources = [s.strip() for s in text.strip().split("\n---\n")]
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    nb.cells = [nbformat.v4.new_code_cell(sources[0], metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources[1:]]
    nbformat.write(nb, path)
    return path


def papermill_run(source, output, **options):
    """``papermill.execute_notebook`` as the tests use it: no progress bar, and the kit's wait
    for a cell's last outputs (papermill's own 4 s fails cells that ran, on a loaded machine)."""
    import papermill

    options.setdefault("iopub_timeout", IOPUB_WAIT)
    source, output = (str(p) if isinstance(p, Path) else p for p in (source, output))
    return papermill.execute_notebook(source, output, progress_bar=False, **options)


def wait_for(predicate, timeout: float = 120, what: str = "the condition", seen=None) -> None:
    """Poll ``predicate`` every 0.2 s until it is true; AssertionError after ``timeout`` s (a
    generous ceiling, not a pause) naming ``what`` and, with ``seen``, what it last returned.

    Examples
    --------
    >>> wait_for(lambda: True)
    >>> wait_for(lambda: False, timeout=0, what="the file", seen=lambda: ["a"])
    Traceback (most recent call last):
    ...
    AssertionError: timed out after 0 s waiting for the file; last seen: ['a']
    """
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            last = f"; last seen: {seen()!r}" if seen is not None else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{last}")
        time.sleep(0.2)


FILE_EVENTS = ("open", "os.listdir", "os.scandir")
"""The audit events (PEP 578) that :func:`file_events` records: a file opened, a folder listed."""
_RECORDERS: list[list[tuple[str, object]]] = []
_HOOKED: list[bool] = []


def _audit(event: str, args: tuple) -> None:
    if _RECORDERS and event in FILE_EVENTS:
        for recorder in _RECORDERS:
            recorder.append((event, args[0]))


@contextlib.contextmanager
def file_events():
    """Record every file this process opens and every folder it lists while inside, as
    ``(event, path)`` pairs: the real filesystem calls (Python's audit hooks), the kit untouched.

    One hook is added for the whole test process the first time (audit hooks cannot be removed);
    outside a ``with`` block it records nothing.

    Examples
    --------
    >>> with file_events() as seen:
    ...     _ = os.listdir(ROOT)
    >>> [event for event, _ in seen]
    ['os.listdir']
    """
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED.append(True)
    recorder: list[tuple[str, object]] = []
    _RECORDERS.append(recorder)
    try:
        yield recorder
    finally:
        _RECORDERS.remove(recorder)


def pid_alive(pid: int) -> bool:
    """True when process ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "zombie" not in status.lower()


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children …), read from ``/proc``."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


# --------------------------------------------------------------------------- browser guard
LAB_ALLOWED: list[tuple[str, str, str, str]] = [
    # (kind, exact message, full-match regex of the URL path it came from, why it is harmless).
    # Empty: JupyterLab 4 with the kit's settings logs no console error at all (checked with
    # SERVEKIT_GUARD_LOG=/tmp/guard.log over tests/test_browser_lab.py). Add an entry only with
    # its exact text, its path and the reason it is harmless.
]
"""Console errors a bare JupyterLab shows on its own (each with its reason), matched exactly."""


class BrowserGuard:
    """Record every off-host request and every console error of a Playwright page.

    Route the page's context through :meth:`route` (it aborts anything not on ``base``, ``data:``
    or ``blob:``) and :meth:`watch` the page; :meth:`unexpected` lists what is neither on the
    page's host nor in ``allowed`` (exact message, full-match URL path).

    Examples
    --------
    >>> known = [("console", "Failed to load resource: 404", r"/lsp/status", "no servers")]
    >>> guard = BrowserGuard("http://127.0.0.1:8888", known)
    >>> guard.errors.append(("console", known[0][1], "http://127.0.0.1:8888/lsp/status?x=1"))
    >>> guard.errors.append(("console", known[0][1], "http://127.0.0.1:8888/lsp/other"))
    >>> guard.errors.append(("console", "Uncaught boom", "http://127.0.0.1:8888/lab"))
    >>> guard.blocked.append("https://cdn.example/x.js")
    >>> guard.unexpected()
    ['off-host request: https://cdn.example/x.js', 'console: Failed to load resource: 404 (/lsp/other)', 'console: Uncaught boom (/lab)']
    """

    def __init__(self, base: str, allowed: list[tuple[str, str, str, str]] | None = None):
        self.base = base.rstrip("/")
        self.allowed = list(allowed or [])
        self.blocked: list[str] = []
        self.errors: list[tuple[str, str, str]] = []  # (kind, text, url)

    def route(self, route) -> None:
        """A ``context.route('**/*', guard.route)`` handler: only the page's host goes through."""
        url = route.request.url
        if url == self.base or url.startswith((self.base + "/", "data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def watch(self, page) -> None:
        """Record the page's console errors and uncaught exceptions."""
        page.on(
            "console",
            lambda m: (
                self.errors.append(("console", m.text, m.location.get("url", "")))
                if m.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda exc: self.errors.append(("pageerror", str(exc), page.url)))

    def _allowed(self, kind: str, text: str, url: str) -> bool:
        path = url.removeprefix(self.base).split("?", 1)[0].split("#", 1)[0]
        return any(kind == k and text == t and re.fullmatch(p, path) for k, t, p, _ in self.allowed)

    def unexpected(self) -> list[str]:
        """Off-host requests, then console errors not in the allow-list (empty = all well).

        With ``SERVEKIT_GUARD_LOG=<file>`` every recorded error is appended to that file (to
        review the allow-list).
        """
        if os.environ.get("SERVEKIT_GUARD_LOG"):
            with open(os.environ["SERVEKIT_GUARD_LOG"], "a", encoding="utf-8") as log:
                log.writelines(f"{kind}\t{text}\t{url}\n" for kind, text, url in self.errors)
        found = [f"off-host request: {url}" for url in self.blocked]
        for kind, text, url in self.errors:
            if not self._allowed(kind, text, url):
                path = url.removeprefix(self.base).split("?", 1)[0]
                found.append(f"{kind}: {text} ({path})")
        return found


CHROMIUM_ARGS = list(CHROMIUM_QUIET)
"""The flags of every browser test: Debian's Chromium, headless and quiet (kit.report.export)."""


def launch_chromium(playwright, chromium: str):
    """Launch the system Chromium with :data:`CHROMIUM_ARGS` (never a downloaded browser)."""
    return playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)


_SHARED: dict = {"driver": None, "browser": None}


def _driver():
    if _SHARED["driver"] is None:
        from playwright.sync_api import sync_playwright

        _SHARED["driver"] = sync_playwright().start()
    return _SHARED["driver"]


def shared_browser(chromium: str):
    """One Chromium for a module's pages (launched on first use, again if it went away; stopped
    after the module's last test by ``tests/conftest.py``). Tests take a fresh
    ``browser.new_context()`` from it and close that context, never the browser.

    Only for modules whose tests all use it: while it runs, ``sync_playwright()`` cannot start
    again and ``asyncio.run`` fails in this thread."""
    browser = _SHARED["browser"]
    if browser is None or not browser.is_connected():
        browser = _SHARED["browser"] = launch_chromium(_driver(), chromium)
    return browser


def stop_playwright() -> None:
    """Close the shared Chromium and stop the shared driver (if they were started)."""
    browser, driver = _SHARED["browser"], _SHARED["driver"]
    _SHARED["browser"] = _SHARED["driver"] = None
    if browser is not None:
        with contextlib.suppress(Exception):
            browser.close()
    if driver is not None:
        with contextlib.suppress(Exception):
            driver.stop()
