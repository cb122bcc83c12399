"""The CI guard: a required (browser or real-data) test that was deselected fails the run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / ".ci" / "required_tests.py"

pytestmark = pytest.mark.slow


def _guard(*junit: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *map(str, junit)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def _junit(
    tmp_path: Path, cases: list[tuple[str, str, str | None]], name: str = "junit.xml"
) -> Path:
    body = "".join(
        f'<testcase classname="{c}" name="{n}">' + (f"<{child}/>" if child else "") + "</testcase>"
        for c, n, child in cases
    )
    path = tmp_path / name
    path.write_text(f'<testsuites><testsuite name="pytest">{body}</testsuite></testsuites>')
    return path


def test_deselected_and_skipped_required_tests_fail_and_a_full_run_passes(tmp_path):
    collected = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-m",
            "browser or realdata",
            "-p",
            "no:cacheprovider",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    ids = [line for line in collected.stdout.splitlines() if "::" in line]
    assert any("test_browser_lab.py" in i for i in ids)
    assert any("test_orgchart.py" in i for i in ids)
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        from required_tests import junit_key
    finally:
        sys.path.pop(0)
    everything = [(*junit_key(i), None) for i in ids]

    # make test's two steps: the hub's tests are in junit-serial.xml, the rest in junit.xml,
    # where a grouped test's name carries its "@group" suffix (--dist loadgroup)
    hub = [case for case in everything if case[0].startswith("tests.test_browser_hub")]
    assert hub  # the serial step has required (browser) tests of its own
    rest = [case for case in everything if case not in hub]
    # as pytest-xdist names a grouped test: test_x@group, and test_x[p]@group] when parametrized
    grouped = next(i for i, case in enumerate(rest) if case[1].endswith("]"))
    parallel = [
        (c, n + ("@canary]" if i == grouped else "@canary" if i == 0 else ""), child)
        for i, (c, n, child) in enumerate(rest)
    ]
    full = _guard(_junit(tmp_path, parallel), _junit(tmp_path, hub, "junit-serial.xml"))
    assert full.returncode == 0, full.stderr
    assert (
        full.stdout == f"required_tests: all {len(ids)} required browser and real-data "
        f"tests passed\n"
    )

    # the first required test deselected (absent), the second skipped
    cases = [(*junit_key(ids[1]), "skipped")] + everything[2:]
    short = _guard(_junit(tmp_path, cases))
    assert short.returncode == 1
    assert short.stderr == (
        f"required_tests: 2 of {len(ids)} required (browser or real-data) test(s) did not run "
        f"and pass (skipped or deselected):\n  {ids[0]}\n  {ids[1]}\n"
    )

    missing = _guard(_junit(tmp_path, everything), tmp_path / "absent.xml")
    assert missing.returncode == 1
    assert missing.stderr == (
        f"required_tests: no JUnit file {tmp_path / 'absent.xml'} (did that pytest step run?)\n"
    )


def test_the_serial_step_takes_the_hub_modules_and_the_parallel_step_the_rest():
    """make test runs --serial=skip on xdist, then --serial=only in one process."""
    files = ["tests/test_hub_units.py", "tests/test_browser_hub.py", "tests/test_status.py"]

    def collected(mode: str) -> set[str]:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", f"--serial={mode}", *files]
            + ["-p", "no:cacheprovider"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        return {line.split("::")[0] for line in done.stdout.splitlines() if "::" in line}

    assert collected("only") == {"tests/test_hub_units.py", "tests/test_browser_hub.py"}
    assert collected("skip") == {"tests/test_status.py"}
