"""Shared fixtures: a small valid team, the sample workshop, and the browser guard.

Browser tests are marked ``browser``. Where Chromium is missing they skip, except when
``SERVEKIT_REQUIRE_BROWSER=1`` (CI sets it): then any skipped browser test fails the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import MINI_TEAM, ROOT, write_team  # noqa: F401  (re-exported for tests)

DATASET = ROOT / "datasets" / "laurie-hospitality"
REALDATA = ROOT.parent / "shared" / "realdata"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("SERVEKIT_REQUIRE_BROWSER") == "1"
REQUIRE_REALDATA = os.environ.get("SERVEKIT_REQUIRE_REALDATA") == "1"


@pytest.fixture(autouse=True)
def _cli_errors_are_never_swallowed(monkeypatch):
    """Every ``CliRunner.invoke`` in the suite runs with ``catch_exceptions=False`` unless a test
    asks otherwise: an exception escaping a command fails the test instead of hiding in
    ``result.exception`` (so a "no traceback" check can fail). Exit codes still work: click's
    runner turns ``SystemExit`` into ``result.exit_code`` either way."""
    invoke = CliRunner.invoke

    def strict(self, *args, catch_exceptions: bool = False, **kwargs):
        return invoke(self, *args, catch_exceptions=catch_exceptions, **kwargs)

    monkeypatch.setattr(CliRunner, "invoke", strict)


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
    from kit.store.workshop import create_demo

    return create_demo(tmp_path / "demo").path


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of the Chromium binary; skips (or fails in CI) when there is none."""
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return CHROMIUM


_skipped_required: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    required = (REQUIRE_BROWSER and "browser" in report.keywords) or (
        REQUIRE_REALDATA and "realdata" in report.keywords
    )
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
                + ", ".join(_skipped_required),
                red=True,
            )
        session.exitstatus = 1
