"""``servekit report`` as a process: killed with SIGKILL, a kernel that dies, hostile folders.

Real processes and kernels throughout: the batch is started as the command line, its children
are read from ``/proc``, and kernels are killed with real signals.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.request import url2pathname

import pytest
from helpers import descendants, launch_chromium, make_workshop, pid_alive, wait_for, write_notebook

from kit.report import build_reports, href

pytestmark = pytest.mark.slow
SERVEKIT = str(Path(sys.executable).with_name("servekit"))

SLEEPY = """
workshop_dir = ""
team = ""
crosshair = "mean"
embed_plotlyjs = True
---
import pathlib, time
pathlib.Path(workshop_dir, "started-" + team).write_text("x")
time.sleep(300)
"""


def test_kill_9_of_the_batch_leaves_no_worker_or_kernel_behind(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None, "b": None})
    notebook = write_notebook(tmp_path / "sleepy.ipynb", SLEEPY)
    log = tmp_path / "servekit.log"
    command = [
        SERVEKIT,
        "report",
        str(ws),
        "--notebook",
        str(notebook),
        "--jobs",
        "2",
        "-q",
        "--team",
        "a",
        "--team",
        "b",
    ]  # teams named: no synthesis job, both start at once
    with log.open("w") as output:
        process = subprocess.Popen(command, start_new_session=True, stdout=output, stderr=output)
    children: set[int] = set()
    try:
        wait_for(
            lambda: (
                process.poll() is not None
                or ((ws / "started-a").exists() and (ws / "started-b").exists())
            ),
            timeout=240,
        )
        assert process.poll() is None, log.read_text()
        children = descendants(process.pid)
        assert len(children) >= 4, children  # two workers, each with its kernel
        os.kill(process.pid, signal.SIGKILL)  # the parent only, not its group
        process.wait()
        wait_for(lambda: not any(pid_alive(pid) for pid in children), timeout=20)
    finally:
        leftovers = [pid for pid in children if pid_alive(pid)]
        for pid in leftovers:  # never leak processes into the suite
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert leftovers == []


DIES_ONCE = """
workshop_dir = ""
team = ""
crosshair = "mean"
embed_plotlyjs = True
---
import os, pathlib, signal
flag = pathlib.Path(workshop_dir, "die-" + team)
if flag.exists():
    flag.unlink()
    os.kill(os.getpid(), signal.SIGKILL)        # the kernel dies mid-team
print("PID", os.getpid())
"""


def test_a_kernel_that_dies_mid_team_is_retried_once_on_a_fresh_kernel(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None, "b": None})
    (ws / "die-a").write_text("")
    notebook = write_notebook(tmp_path / "dies.ipynb", DIES_ONCE)
    summary = build_reports(ws, teams=["a", "b"], jobs=1, progress=False, notebook=notebook)
    result = {r.slug: r for r in summary.results}
    assert summary.exit_code == 0
    assert [r.status for r in summary.results] == ["ok", "ok"]
    assert result["a"].kernel["attempts"] == 2 and result["b"].kernel["attempts"] == 1
    assert not (ws / "die-a").exists()
    page = (ws / "reports" / "a.ipynb").read_text(encoding="utf-8")
    assert f"PID {result['a'].kernel['pid']}" in page  # the second kernel built the report
    assert result["b"].kernel["pid"] == result["a"].kernel["pid"]  # and went on with b


# --------------------------------------------------------------------------- hostile folder names
HOSTILE = ["javascript:alert(1)", "a#b", "a?b", "50%"]
PLAIN = """
workshop_dir = ""
team = ""
crosshair = "mean"
embed_plotlyjs = True
---
print("report of", team)
"""


class Links(HTMLParser):
    """Every ``href`` of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.hrefs += [value for name, value in attrs if name == "href"]


def hrefs(page: Path) -> list[str]:
    parser = Links()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.hrefs


def target(page: Path, link: str) -> Path:
    """The file a relative link on ``page`` opens (as a browser resolves it)."""
    url = urlsplit(urljoin(page.as_uri(), link))
    assert url.scheme == "file" and not url.query and not url.fragment, link
    return Path(url2pathname(url.path))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    ws = make_workshop(root / "ws", {name: None for name in HOSTILE})
    notebook = write_notebook(root / "plain.ipynb", PLAIN)
    summary = build_reports(ws, jobs=2, progress=False, notebook=notebook)
    assert sorted(r.slug for r in summary.results) == sorted(HOSTILE)
    assert summary.exit_code == 0 and summary.synthesis == "_synthesis.html"
    return summary.out


def test_every_index_link_is_a_relative_file_link_to_the_right_page(hostile):
    links = hrefs(hostile / "index.html")
    assert links, "the index has links"
    for link in links:
        assert urlsplit(link).scheme == "" and urlsplit(link).netloc == "", link
        assert target(hostile / "index.html", link).is_file(), link
    for name in HOSTILE:
        assert href(f"{name}.html") in links and href(f"{name}.ipynb") in links
        assert target(hostile / "index.html", href(f"{name}.html")) == hostile / f"{name}.html"
    assert 'href="javascript:' not in (hostile / "index.html").read_text(encoding="utf-8")


def test_the_synthesis_and_team_pages_have_no_unsafe_links(hostile):
    for page in [hostile / "_synthesis.html", *(hostile / f"{n}.html" for n in HOSTILE)]:
        for link in hrefs(page):
            assert urlsplit(link).scheme in ("", "file"), (page.name, link)


@pytest.mark.browser
def test_clicking_the_hostile_team_links_opens_their_reports(hostile, chromium):
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as pw:
        browser = launch_chromium(pw, chromium)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for name in HOSTILE:
                page.goto((hostile / "index.html").as_uri(), wait_until="load")
                page.click(f'tr[data-team="{name}"] td a')
                page.wait_for_load_state("load")
                assert Path(url2pathname(urlsplit(page.url).path)) == hostile / f"{name}.html"
                assert "report of" in page.content() or page.title()
            time.sleep(0.2)
        finally:
            browser.close()
    assert dialogs == []
