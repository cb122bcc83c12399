"""Shared fixtures: a small valid team, the sample workshop, the kernel, and the browser guard.

Browser tests are marked ``browser``. Where Chromium is missing they skip, except when
``SERVEKIT_REQUIRE_BROWSER=1`` (CI sets it): then any skipped browser test fails the run.

The hub's modules (``test_hub*.py``, ``test_browser_hub.py``) create system users and need root:
they are marked ``serial``, and ``make test`` runs them in a second pytest step of their own
(``--serial=only``, one process) after the parallel one (``--serial=skip``), so no two of them
ever meet. ``--serial=all`` (the default) runs everything, as a plain ``pytest`` does.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import signal
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import MINI_TEAM, ROOT, stop_playwright, write_team  # noqa: F401  (re-exported)

DATASET = ROOT / "datasets" / "laurie-hospitality"
REALDATA = ROOT.parent / "shared" / "realdata"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
REQUIRE_BROWSER = os.environ.get("SERVEKIT_REQUIRE_BROWSER") == "1"
REQUIRE_REALDATA = os.environ.get("SERVEKIT_REQUIRE_REALDATA") == "1"
SERIAL_MODULES = ("test_hub*.py", "test_browser_hub.py")
"""Modules that run alone, in ``make test``'s serial step (system users, root, one proxy)."""


# A suite started with Ctrl-C ignored (in the background without job control, e.g. `make test &`
# from a script, or under nohup) would pass that on to every command it starts: an ignored
# signal stays ignored across exec, and Python then installs no KeyboardInterrupt. The tests
# that press Ctrl-C on `servekit report`, `collect`, `import-xlsx` or `status --watch` would
# wait for a stop that never comes. With a handler here, a child starts with the default again.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--serial",
        choices=("all", "skip", "only"),
        default="all",
        help="the serial (hub, root-only) modules: run with the rest (all), leave them out "
        "(skip: make test's parallel step) or run nothing else (only: its serial step)",
    )


def _group_names(item: pytest.Item) -> list[str]:
    names = {
        str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
        for mark in item.iter_markers("xdist_group")
    }
    return sorted(names)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark and select the serial modules; make ``--dist loadgroup`` group again.

    pytest-xdist 3.8 tells the scheduler an item's group by appending ``@group`` to
    ``item._nodeid``, which pytest 9.2 no longer reads (it keeps the id in ``item.id``):
    pytest-xdist issue #1386, fix pending in #1388, no release has it. Here, on a worker
    under ``loadgroup``, the suffixed id is written where pytest 9.2 reads it, so the groups
    reach the scheduler. ``tests/test_xdist_canary.py`` fails if grouping breaks again.
    """
    for item in items:
        if any(fnmatch.fnmatch(item.path.name, pattern) for pattern in SERIAL_MODULES):
            item.add_marker(pytest.mark.serial)
    mode = config.getoption("serial")
    if mode != "all":
        keep = [item for item in items if (mode == "only") == ("serial" in item.keywords)]
        kept = {id(item) for item in keep}
        dropped = [item for item in items if id(item) not in kept]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
            items[:] = keep
    if not (hasattr(config, "workerinput") and config.getvalue("loadgroup")):
        return
    for item in items:
        names = _group_names(item)
        suffix = "@" + "_".join(names)
        if names and hasattr(item, "_id") and not item.nodeid.endswith(suffix):
            item._id = type(item.id).parse(item.nodeid + suffix)


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
def python3_kernel() -> str:
    """The name of the ``python3`` kernelspec papermill runs, which must start this venv's Python.

    One policy everywhere: a missing or foreign kernelspec fails the test with the command that
    fixes it (``make setup`` installs it); it is never skipped, nor installed behind your back.
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    fix = f"run `{sys.executable} -m ipykernel install --sys-prefix --name python3` (make setup)"
    try:
        spec = KernelSpecManager().get_kernel_spec("python3")
    except NoSuchKernel:
        pytest.fail(f"no python3 kernelspec; {fix}")
    if spec.argv[0] not in ("python", "python3", sys.executable):
        pytest.fail(
            f"the python3 kernelspec in {spec.resource_dir} starts {spec.argv[0]}, not this "
            f"venv's {sys.executable}; {fix}"
        )
    return "python3"


@pytest.fixture(scope="session")
def warm_kernel(python3_kernel):
    """One warm kernel per test process for tests that run many notebooks and only check what
    they show (the report engine's :class:`kit.report.kernels.WarmKernel`: put back to its
    baseline after every notebook, replaced when it cannot be). Its working folder is
    ``workshops/``, as a participant's is. Tests of a notebook run exactly as papermill runs it
    (a fresh kernel) use :func:`helpers.papermill_run` instead."""
    from kit.report.kernels import WARMUP_CODE, WarmKernel

    warmup = "import kit.widgets\ndel kit\n" + WARMUP_CODE
    with WarmKernel(python3_kernel, cwd=ROOT / "workshops", warmup=warmup) as kernel:
        yield kernel


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


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    """After a module's last test, stop the Chromium its pages shared (``tests/helpers.py``):
    a running sync Playwright makes ``asyncio.run`` fail in this thread, and other modules'
    tests use asyncio (papermill, nbclient) or start Playwright themselves."""
    if nextitem is None or nextitem.path != item.path:
        stop_playwright()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    stop_playwright()  # the worker's shared Chromium and Playwright driver (tests/helpers.py)
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
