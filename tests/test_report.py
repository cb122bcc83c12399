"""``servekit report``: the whole batch — sample teams, a broken team, skipping, atomic output.

The module builds one workshop (the four sample teams, a team whose every text is an HTML
injection, and a team with invalid data) once with the real command line, and checks it from
several sides.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from helpers import (
    BROKEN_ROLES,
    ROOT,
    UNESCAPED,
    XSS_FILES,
    make_workshop,
    pid_alive,
    wait_for,
    write_notebook,
)

from kit.report import MANIFEST_DIR, build_reports, read_manifest
from kit.store.workshop import create_demo
from kit.testing import external_references

pytestmark = pytest.mark.slow
SERVEKIT = str(Path(sys.executable).with_name("servekit"))
FIGURE_DIV = re.compile(r'<div[^>]*class="plotly-graph-div"[^>]*>')


def figure_outputs(ipynb: Path) -> int:
    nb = nbformat.read(ipynb, as_version=4)
    return sum(
        "application/vnd.plotly.v1+json" in out.get("data", {})
        for cell in nb.cells
        for out in cell.get("outputs", [])
    )


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict:
    """Demo teams + an XSS team + a broken team, built once with ``servekit report``."""
    root = tmp_path_factory.mktemp("batch")
    ws = create_demo(root / "ws").path
    make_workshop(ws, {"xss": XSS_FILES, "broken": {"roles.csv": BROKEN_ROLES}})
    (ws / "workshop.yaml").write_text(
        "title: 'Spring <b>workshop</b>'\ncase: laurie-hospitality\n"
        "date: '2026-03-01'\nfacilitator: Kim\n",
        encoding="utf-8",
    )
    started = time.perf_counter()
    done = subprocess.run(
        [SERVEKIT, "report", str(ws), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "COLUMNS": "200"},
    )
    return {
        "ws": ws,
        "out": ws / "reports",
        "done": done,
        "seconds": time.perf_counter() - started,
        "summary": json.loads((ws / "reports" / "summary.json").read_text()),
    }


SELF_CLOSED = re.compile(
    r"<(?!(?:area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b)[a-zA-Z][\w-]*"
    r"\b[^<>]*/>"
)
"""An element other than a void one written as if it closed itself (HTML has no such thing)."""
SAMPLES = ["equipe-etoile", "front-desk-friends", "team-4-half-finished", "the-night-shift"]


def test_broken_team_fails_alone_with_exit_status_1(batch):
    done = batch["done"]
    assert done.returncode == 1, done.stdout + done.stderr
    status = {t["slug"]: t["status"] for t in batch["summary"]["teams"]}
    assert status == {**dict.fromkeys(SAMPLES + ["xss"], "ok"), "broken": "invalid data"}
    output = done.stdout + done.stderr
    assert "Traceback" not in output
    assert re.search(r"Mini team\s.*invalid data", output)  # the summary table row
    assert "teams/broken/roles.csv:3:level" in output  # and the message


def test_failure_page_names_the_team_the_problem_and_the_fix(batch):
    page = (batch["out"] / "broken.html").read_text(encoding="utf-8")
    assert "<h1>Mini team</h1>" in page  # the team's name
    assert "Invalid data: the team&#39;s data has 1 error," in page
    assert "teams/broken/roles.csv:3:level: got &#39;boss&#39;" in page
    assert f"servekit validate {batch['ws']}" in page
    assert read_manifest(batch["out"], "broken")["status"] == "invalid data"


@pytest.mark.parametrize("slug", SAMPLES + ["xss"])
def test_every_report_has_its_charts_offline_and_nothing_unescaped(batch, slug):
    out = batch["out"]
    page = (out / f"{slug}.html").read_text(encoding="utf-8")
    expected = figure_outputs(out / f"{slug}.ipynb")
    assert expected == 6  # journey, blueprint, pyramid, IPA, priorities, readiness
    assert len(FIGURE_DIV.findall(page)) == expected
    assert page.count("plotly.js v") == 1  # plotly.js inlined once
    assert external_references(page) == []
    assert not UNESCAPED.search(page)
    assert "In&nbsp;[" not in page and "Out[" not in page and "Traceback" not in page
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page


@pytest.mark.parametrize("slug", ["front-desk-friends", "xss"])
def test_the_page_is_what_nbconvert_s_own_html_exporter_makes_of_it(batch, slug):
    """The report's exporter leaves out nbconvert's last pass over the page (BeautifulSoup:
    alt text for images, tabindex for notebook cells) and puts plotly.js in afterwards: the
    page is the one the stock exporter writes, but for how that pass writes HTML back out."""
    from bs4 import BeautifulSoup
    from nbconvert import HTMLExporter

    from kit.report.export import EXPORTER_OPTIONS, html_exporter, notebook_html, report_css

    executed = nb = nbformat.read(batch["out"] / f"{slug}.ipynb", as_version=4)
    stock = HTMLExporter(**EXPORTER_OPTIONS)  # nbconvert's own, configured alike
    for plotlyjs, src in (("<script>/* plotly.js */</script>", ""), ("", "assets/plotly.min.js")):
        resources = {
            "servekit": {
                "title": "T",
                "css": report_css(),
                "version": "v",
                "language": "en",
                "footer": "F",
                "plotlyjs": plotlyjs,
                "plotlyjs_src": src,
            }
        }
        page, _ = stock.from_notebook_node(nb, resources=resources)
        ours, _ = html_exporter().from_notebook_node(nb, resources=resources)
        assert type(html_exporter()) is not HTMLExporter
        assert ours != page  # the pass did write the page out differently…
        assert str(BeautifulSoup(ours, features="html.parser")) == page  # …and nothing else
        # which holds for a browser too only when no element but a void one is written '<x />'
        # (an '<a … />' after each heading put the page's charts inside a link, drawn 0 x 0)
        assert SELF_CLOSED.findall(ours) == []
    assert "<img" not in page and "jp-OutputArea-output" not in page  # what the pass changes
    inline = notebook_html(executed, title="T", footer="F")
    assert inline.count("plotly.js v") == 1 and "<!--servekit:plotly.js-->" not in inline


def test_half_finished_team_gets_a_report_that_says_what_is_missing(batch):
    page = (batch["out"] / "team-4-half-finished.html").read_text(encoding="utf-8")
    assert "Not finished yet" in page
    assert "No internal service plan yet." in page
    assert "action-plan questions are not answered yet" in page
    assert "not scored yet" in page


def test_report_shows_cover_and_sections(batch):
    page = (batch["out"] / "front-desk-friends.html").read_text(encoding="utf-8")
    title = "\u2068Front Desk &amp; Friends\u2069 — \u2068Spring &lt;b&gt;workshop&lt;/b&gt;\u2069"
    assert f"<title>{title}</title>" in page  # each name isolated (a bidi control stays in it)
    assert "<h1>Front Desk &amp; Friends</h1>" in page
    for member in ("Priya", "Marco", "Aisha", "Tom"):
        assert f"<li>{member}</li>" in page
    for heading in (
        "1. Your customer",
        "3. Your upside-down pyramid",
        "5. Your top priorities",
        "7. What the people at your top priorities need",
        "8. Your internal service plan",
        "9. Reflections",
    ):
        assert heading in page
    assert "Results against target" in page and "target met" in page
    assert "Compliance &amp; reporting analyst" in page  # a chain-check finding


def test_index_links_every_team_with_status(batch):
    index = (batch["out"] / "index.html").read_text(encoding="utf-8")
    for slug in SAMPLES + ["xss", "broken"]:
        assert f'href="{slug}.html"' in index
    assert "Spring &lt;b&gt;workshop&lt;/b&gt;" in index and "2026-03-01" in index
    assert "1 of 6 reports could not be built" in index
    assert not UNESCAPED.search(index)
    assert external_references(index) == []


def test_kernels_are_reused_across_teams(batch):
    teams = [t for t in batch["summary"]["teams"] if t["status"] == "ok"]
    pids = [t["kernel"]["pid"] for t in teams]
    assert len(set(pids)) <= 2 < len(pids)  # two workers, one warm kernel each
    assert max(t["kernel"]["runs"] for t in teams) >= 3


def test_outputs_are_readable_files_and_no_temporaries_are_left(batch):
    out = batch["out"]
    assert list(out.glob(".*.tmp")) == [] and list(out.glob(".*.print.html")) == []
    for slug in SAMPLES:
        for suffix in (".html", ".ipynb"):
            assert (out / f"{slug}{suffix}").stat().st_mode & 0o044
        nb = nbformat.read(out / f"{slug}.ipynb", as_version=4)
        assert nb.metadata["papermill"]["parameters"]["team"] == slug


# --------------------------------------------------------------------------- re-runs
def test_rerun_skips_unchanged_teams_rebuilds_changed_ones_and_force_rebuilds_all(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None, "b": None})
    first = build_reports(ws, jobs=2, progress=False)
    assert [r.status for r in first.results] == ["ok", "ok"]
    html = ws / "reports" / "a.html"
    stamp = html.stat().st_mtime_ns

    again = build_reports(ws, jobs=2, progress=False)
    assert [r.status for r in again.results] == ["unchanged", "unchanged"]
    assert again.exit_code == 0 and html.stat().st_mtime_ns == stamp

    (ws / "teams" / "b" / "reflections.yaml").write_text("first_step: Bo calls IT.\n")
    changed = build_reports(ws, jobs=2, progress=False)
    assert [r.status for r in changed.results] == ["unchanged", "ok"]
    assert "Bo calls IT." in (ws / "reports" / "b.html").read_text()

    forced = build_reports(ws, jobs=2, progress=False, force=True)
    assert [r.status for r in forced.results] == ["ok", "ok"]
    assert html.stat().st_mtime_ns != stamp

    other = build_reports(ws, jobs=2, progress=False, crosshair="mean")
    assert [r.status for r in other.results] == ["ok", "ok"]  # options are inputs too


def test_a_deleted_report_is_rebuilt(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None})
    build_reports(ws, jobs=1, progress=False)
    (ws / "reports" / "a.html").unlink()
    assert build_reports(ws, jobs=1, progress=False).results[0].status == "ok"


SLOW_NOTEBOOK = """
workshop_dir = ""
team = ""
crosshair = "mean"
embed_plotlyjs = True
---
import pathlib, time
flag = pathlib.Path(workshop_dir, "sleep-" + team)
pathlib.Path(workshop_dir, "started-" + team).write_text("x")
if flag.exists():
    time.sleep(300)
print("done", team)
"""


def test_a_killed_run_never_leaves_a_report_looking_complete(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"fast": None, "slow": None})
    notebook = write_notebook(tmp_path / "slow.ipynb", SLOW_NOTEBOOK)
    out = ws / "reports"
    command = [SERVEKIT, "report", str(ws), "--notebook", str(notebook), "--jobs", "2", "-q"]

    def run_and_kill() -> None:
        for marker in ws.glob("started-*"):
            marker.unlink()
        process = subprocess.Popen(
            command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for(
                lambda: (ws / "started-slow").exists() and read_manifest(out, "fast") is not None
            )
            time.sleep(0.5)
        finally:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    # 1. First build, killed while "slow" runs: no slow report at all, fast is complete.
    (ws / "sleep-slow").write_text("")
    run_and_kill()
    assert (out / "fast.html").is_file() and read_manifest(out, "fast")["status"] == "ok"
    assert not (out / "slow.html").exists() and read_manifest(out, "slow") is None
    fast_kernel = read_manifest(out, "fast")["kernel"]["pid"]
    wait_for(lambda: not pid_alive(fast_kernel), timeout=30)  # orphaned kernels go away

    # 2. The next run builds slow, keeps fast, and clears temporary files a killed run left.
    (ws / "sleep-slow").unlink()
    (out / ".slow.html.leftover.tmp").write_text("half a report")
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    statuses = {
        t["slug"]: t["status"] for t in json.loads((out / "summary.json").read_text())["teams"]
    }
    assert statuses == {"fast": "unchanged", "slow": "ok"}
    assert not (out / ".slow.html.leftover.tmp").exists()

    # 3. A forced rebuild killed half-way: slow's old report stays on disk, but without its
    #    completion marker, so the next (unforced) run does not trust it and rebuilds it.
    (ws / "sleep-slow").write_text("")
    command.append("--force")
    run_and_kill()
    assert (out / "slow.html").is_file() and read_manifest(out, "slow") is None
    command.remove("--force")
    (ws / "sleep-slow").unlink()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    statuses = {
        t["slug"]: t["status"] for t in json.loads((out / "summary.json").read_text())["teams"]
    }
    assert statuses == {"fast": "unchanged", "slow": "ok"}
    assert read_manifest(out, "slow")["status"] == "ok"
    assert not list((out / MANIFEST_DIR).glob(".*.tmp"))


# --------------------------------------------------------------------------- CLI edges
def test_not_a_workshop_is_a_clean_error(tmp_path):
    done = subprocess.run([SERVEKIT, "report", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 1
    assert "is not a workshop folder" in done.stderr and "Traceback" not in done.stderr


def test_unknown_team_is_a_clean_error(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None})
    done = subprocess.run(
        [SERVEKIT, "report", str(ws), "--team", "nobody"], capture_output=True, text=True
    )
    assert done.returncode == 1
    assert "no team 'nobody'" in done.stderr and "expected one of: a" in done.stderr


def test_team_option_picks_teams_by_display_name(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None, "b": {"team.yaml": "name: Bee Team\n"}})
    summary = build_reports(ws, teams=["Bee Team"], jobs=1, progress=False)
    assert [r.slug for r in summary.results] == ["b"]
    assert not (ws / "reports" / "a.html").exists()


def test_plain_papermill_and_nbconvert_work_on_the_report_notebook(tmp_path):
    ws = create_demo(tmp_path / "demo").path
    executed = tmp_path / "out.ipynb"
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [
            str(bin_dir / "papermill"),
            str(ROOT / "workshops" / "10_team_report.ipynb"),
            str(executed),
            "-p",
            "workshop_dir",
            str(ws),
            "-p",
            "team",
            "front-desk-friends",
            "--no-progress-bar",
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    subprocess.run(
        [str(bin_dir / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    page = (tmp_path / "out.html").read_text(encoding="utf-8")
    assert len(FIGURE_DIV.findall(page)) == figure_outputs(executed) == 6
    assert page.count("plotly.js v") == 1  # the notebook carries plotly.js once
    assert "<h1>Front Desk &amp; Friends</h1>" in page
    assert "Traceback" not in page


def test_a_notebook_option_that_is_not_a_notebook_is_one_clear_error(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None})
    junk = tmp_path / "junk.ipynb"
    junk.write_text("not a notebook")
    done = subprocess.run(
        [SERVEKIT, "report", str(ws), "--notebook", str(junk)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"Error: {junk} is not a Jupyter notebook (its content is not "
        f"JSON); expected an .ipynb file\n"
    )
    assert not (ws / "reports" / "a.html").exists()
