"""Warm kernels: reused across teams, with no state leaking from one team to the next.

Each test runs small notebooks through the real batch engine (``build_reports`` with one
worker, so every team runs on the same kernel unless it is replaced) and reads what each
notebook printed from the executed notebooks it wrote.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from helpers import XSS_FILES, make_workshop, write_notebook

from kit.report import build_reports

pytestmark = pytest.mark.slow

PARAMETERS = 'workshop_dir = ""\nteam = ""\ncrosshair = "mean"\nembed_plotlyjs = True\n---\n'

LEAKY = (
    PARAMETERS
    + """
import builtins, json, os, sys, warnings
import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from IPython.core.formatters import BaseFormatter
ip = get_ipython()
seen = {
    "global": "leaked_global" in globals(),
    "figure": "fig" in globals(),
    "underscore": [name for name in ("_", "__", "_1", "_2", "_3") if globals().get(name)],
    "builtin": hasattr(builtins, "leaked_builtin"),
    "renderer": pio.renderers.default,
    "template": pio.templates.default,
    "max_rows": pd.get_option("display.max_rows"),
    "env": os.environ.get("LEAKED_ENV"),
    "cwd": os.getcwd(),
    "path": "/leaked/path" in sys.path,
    "filters": len(warnings.filters),
    "np_precision": np.get_printoptions()["precision"],
    "np_divide": np.geterr()["divide"],
    "formatter": str in ip.display_formatter.formatters["text/html"].type_printers,
    "callbacks": len(ip.events.callbacks["post_run_cell"]),
    "execution_count": ip.execution_count,
    "pid": os.getpid(),
}
print("SEEN " + json.dumps(seen))
---
# Now leave every kind of mess behind for the next team.
leaked_global = team
fig = go.Figure(go.Bar(y=[1, 2]))
fig
builtins.leaked_builtin = team
pio.renderers.default = "svg"
pio.templates.default = "ggplot2"
pd.set_option("display.max_rows", 3)
os.environ["LEAKED_ENV"] = team
os.chdir("/")
sys.path.append("/leaked/path")
warnings.simplefilter("ignore")
np.set_printoptions(precision=2)
np.seterr(divide="ignore")
ip.display_formatter.formatters["text/html"].for_type(str, lambda s: "<b>" + s + "</b>")
ip.events.register("post_run_cell", lambda result: None)
"""
)


def seen(out: Path, slug: str) -> dict:
    nb = nbformat.read(out / f"{slug}.ipynb", as_version=4)
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            match = re.search(r"SEEN (\{.*\})", output.get("text", ""))
            if match:
                return json.loads(match.group(1))
    raise AssertionError(f"{slug} printed nothing")


def test_no_state_leaks_between_teams_on_a_reused_kernel(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None, "b": None, "c": None})
    notebook = write_notebook(tmp_path / "leaky.ipynb", LEAKY)
    summary = build_reports(ws, jobs=1, progress=False, notebook=notebook)
    assert [r.status for r in summary.results] == ["ok", "ok", "ok"]
    views = [seen(ws / "reports", slug) for slug in "abc"]
    assert len({v.pop("pid") for v in views}) == 1  # one kernel ran all three
    assert {r.kernel["pid"] for r in summary.results} == {summary.results[0].kernel["pid"]}
    first = views[0]
    assert first["global"] is False and first["builtin"] is False and first["env"] is None
    assert first["renderer"] != "svg" and first["max_rows"] != 3
    assert views[1] == first and views[2] == first  # b and c saw a fresh kernel


MONKEYPATCH = (
    PARAMETERS
    + """
import os
import kit.report.story
print("PID", os.getpid(), "STORY", kit.report.story.Story.__name__)
if team == "a":
    kit.report.story.Story = None    # a module-level change reset() cannot undo
"""
)


def test_a_kernel_whose_kit_modules_were_changed_is_replaced(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"a": None, "b": None})
    notebook = write_notebook(tmp_path / "patch.ipynb", MONKEYPATCH)
    summary = build_reports(ws, jobs=1, progress=False, notebook=notebook)
    assert [r.status for r in summary.results] == ["ok", "ok"]
    texts = {
        slug: "".join(
            o.get("text", "")
            for c in nbformat.read(ws / "reports" / f"{slug}.ipynb", as_version=4).cells
            for o in c.get("outputs", [])
        )
        for slug in "ab"
    }
    assert "STORY Story" in texts["b"]
    pid_a, pid_b = (int(re.search(r"PID (\d+)", texts[s]).group(1)) for s in "ab")
    assert pid_a != pid_b


CRASHY = (
    PARAMETERS
    + """
import os
if team == "b-crash":
    os._exit(1)
if team == "b-fail":
    raise ValueError("boom <b>bad</b>")
print("PID", os.getpid())
"""
)


def test_a_dead_kernel_or_failing_cell_fails_only_that_team(tmp_path):
    ws = make_workshop(
        tmp_path / "ws", {"a-first": None, "b-crash": None, "b-fail": None, "c-after": None}
    )
    notebook = write_notebook(tmp_path / "crashy.ipynb", CRASHY)
    summary = build_reports(ws, jobs=1, progress=False, notebook=notebook)
    result = {r.slug: r for r in summary.results}
    assert summary.exit_code == 1
    assert result["a-first"].status == result["c-after"].status == "ok"
    assert result["b-crash"].status == "failed"
    assert "stopped unexpectedly" in result["b-crash"].problem
    assert result["b-fail"].status == "failed"
    assert "ValueError: boom <b>bad</b>" in result["b-fail"].problem
    out = ws / "reports"
    page = (out / "b-fail.html").read_text(encoding="utf-8")
    assert "ValueError: boom &lt;b&gt;bad&lt;/b&gt;" in page and "b-fail.ipynb" in page
    failed_nb = nbformat.read(out / "b-fail.ipynb", as_version=4)
    assert any(o.output_type == "error" for c in failed_nb.cells for o in c.get("outputs", []))
    assert "stopped unexpectedly" in (out / "b-crash.html").read_text(encoding="utf-8")
    # b-crash killed its kernel, was run once more on a fresh kernel, which it killed too;
    # the failing cell did not replace the kernel
    assert result["b-crash"].kernel["attempts"] == 2
    assert "(twice: the team was run again on a fresh kernel)" in result["b-crash"].problem
    pids = {s: result[s].kernel["pid"] for s in result}
    assert pids["a-first"] != pids["b-crash"] != pids["b-fail"] == pids["c-after"]


def test_a_report_built_on_a_warm_kernel_equals_one_built_cold(tmp_path):
    """The real report notebook: team B after team A on one kernel == team B alone."""
    ws = make_workshop(tmp_path / "ws", {"a-xss": XSS_FILES, "b-mini": None})
    warm = build_reports(ws, jobs=1, progress=False)
    assert [r.status for r in warm.results] == ["ok", "ok"]
    assert warm.results[0].kernel["pid"] == warm.results[1].kernel["pid"]
    cold = build_reports(ws, out=tmp_path / "cold", teams=["b-mini"], jobs=1, progress=False)
    assert cold.results[0].kernel["runs"] == 1
    warm_page = (ws / "reports" / "b-mini.html").read_text(encoding="utf-8")
    cold_page = (tmp_path / "cold" / "b-mini.html").read_text(encoding="utf-8")
    assert warm_page == cold_page
    warm_nb = nbformat.read(ws / "reports" / "b-mini.ipynb", as_version=4)
    cold_nb = nbformat.read(tmp_path / "cold" / "b-mini.ipynb", as_version=4)
    assert [c.get("outputs") for c in warm_nb.cells] == [c.get("outputs") for c in cold_nb.cells]
    assert [c.get("execution_count") for c in warm_nb.cells] == [
        c.get("execution_count") for c in cold_nb.cells
    ]


KILLER = (
    PARAMETERS
    + """
import os, signal
if team == "b-kill":
    os.kill(os.getppid(), signal.SIGKILL)     # the kernel's parent: the worker process
print("PID", os.getpid())
"""
)


def test_a_crashed_worker_process_is_replaced_and_only_its_team_fails(tmp_path):
    ws = make_workshop(tmp_path / "ws", {s: None for s in ("a", "b-kill", "c", "d", "e")})
    notebook = write_notebook(tmp_path / "killer.ipynb", KILLER)
    summary = build_reports(ws, jobs=2, progress=False, notebook=notebook)
    status = {r.slug: r.status for r in summary.results}
    assert status == {"a": "ok", "b-kill": "failed", "c": "ok", "d": "ok", "e": "ok"}
    crashed = next(r for r in summary.results if r.slug == "b-kill")
    assert "worker process building this report crashed (2 times" in crashed.problem
    assert "crashed" in (ws / "reports" / "b-kill.html").read_text(encoding="utf-8")
    assert summary.exit_code == 1
    assert not list((ws / "reports" / ".servekit").glob("*.running"))


SLOW_IDLE = (
    PARAMETERS
    + """
import time
kernel = get_ipython().kernel
publish = kernel._publish_status


def late_idle(status, *args, _sleep=time.sleep, _kernel=kernel, _publish=publish, **kwargs):
    if status == "idle":  # a busy laptop: this cell's last message comes 6 s after its reply
        _kernel._publish_status = _publish  # once
        _sleep(6)
    return _publish(status, *args, **kwargs)


kernel._publish_status = late_idle
---
print("AFTER", team)
"""
)


def test_a_cell_whose_last_output_comes_late_still_passes(tmp_path):
    """papermill's own wait for a cell's last message is 4 s; the engine waits longer."""
    ws = make_workshop(tmp_path / "ws", {"a": None})
    notebook = write_notebook(tmp_path / "slow.ipynb", SLOW_IDLE)
    summary = build_reports(ws, jobs=1, progress=False, notebook=notebook)
    assert [(r.status, r.problem) for r in summary.results] == [("ok", "")]
    cells = nbformat.read(ws / "reports" / "a.ipynb", as_version=4).cells
    assert "AFTER a" in "".join(o.get("text", "") for c in cells for o in c.get("outputs", []))
