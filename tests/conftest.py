"""Shared fixtures: a small valid team, the sample workshop, and the browser guard.

Browser tests are marked ``browser``. Where Chromium is missing they skip, except when
``SERVEKIT_REQUIRE_BROWSER=1`` (CI sets it): then any skipped browser test fails the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATASET = ROOT / "datasets" / "laurie-hospitality"
REALDATA = ROOT.parent / "shared" / "realdata"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("SERVEKIT_REQUIRE_BROWSER") == "1"
REQUIRE_REALDATA = os.environ.get("SERVEKIT_REQUIRE_REALDATA") == "1"

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


@pytest.fixture
def mini_team(tmp_path: Path) -> Path:
    """A small, valid team folder inside a workshop folder (``<tmp>/ws/teams/mini``)."""
    ws = tmp_path / "ws"
    (ws / "workshop.yaml").parent.mkdir(parents=True)
    (ws / "workshop.yaml").write_text("title: Test\ncase: laurie-hospitality\n")
    return write_team(ws / "teams" / "mini")


@pytest.fixture
def demo_workshop(tmp_path: Path) -> Path:
    """A fresh copy of the demo workshop (the four sample teams)."""
    from kit.workshop import create_demo

    return create_demo(tmp_path / "demo").path


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the Chromium binary; skips (or fails in CI) when there is none."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM


_skipped_required: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    required = ((REQUIRE_BROWSER and "browser" in report.keywords)
                or (REQUIRE_REALDATA and "realdata" in report.keywords))
    if report.skipped and required:
        _skipped_required.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # Deselected required tests (-k, -m) are caught by .ci/required_tests.py, which compares
    # the collected browser/realdata tests with the ones that passed.
    if _skipped_required:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(
                "these required (browser or real-data) tests were skipped: "
                + ", ".join(_skipped_required), red=True)
        session.exitstatus = 1
