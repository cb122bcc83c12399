"""Fail CI when a required test did not run and pass: browser and real-data tests.

A skipped required test already fails the pytest run (tests/conftest.py). This script also
catches *deselected* ones (``-k``, ``-m``, ``--deselect`` in PYTEST_ARGS): it collects every test
marked ``browser`` or ``realdata`` without any user arguments and checks that each one passed in
the JUnit XML of the real run: ``make test`` has two pytest steps (the parallel one and the hub's
serial one), so it reads every file given, and a required test counts when one of them has it
passed. A file that is missing (its step never ran) fails the check.

Usage: python .ci/required_tests.py JUNIT_XML [JUNIT_XML ...]
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

MARKERS = "browser or realdata"


def required_ids() -> list[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-m",
            MARKERS,
            "-p",
            "no:cacheprovider",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode not in (0, 5):
        sys.exit(f"required_tests: collecting the required tests failed:\n{out.stdout}{out.stderr}")
    return [line.strip() for line in out.stdout.splitlines() if "::" in line]


def junit_key(node_id: str) -> tuple[str, str]:
    """``tests/a.py::Cls::test_x[p]`` -> (``tests.a.Cls``, ``test_x[p]``), as JUnit names them."""
    path, *rest = node_id.split("::")
    module = path.removesuffix(".py").replace("/", ".")
    return ".".join([module, *rest[:-1]]), rest[-1]


GROUPED = re.compile(r"(?P<param>.*\])@[\w.-]+\]|(?P<plain>.*)@[\w.-]+")
"""A grouped test's JUnit name: ``test_x@group``, or ``test_x[p]@group]`` when parametrized."""


def ungrouped(name: str) -> str:
    """A JUnit test name without the ``@group`` that ``--dist loadgroup`` adds to grouped tests.

    >>> ungrouped("test_x@hub"), ungrouped("test_x[390]@browser_screens]"), ungrouped("test_x[a@b]")
    ('test_x', 'test_x[390]', 'test_x[a@b]')
    """
    match = GROUPED.fullmatch(name)
    return (match["param"] or match["plain"]) if match else name


def passed(junit: str) -> set[tuple[str, str]]:
    """(classname, name) of every test that passed in ``junit``, names :func:`ungrouped`."""
    done = set()
    for case in ET.parse(junit).getroot().iter("testcase"):
        if any(child.tag in {"skipped", "failure", "error"} for child in case):
            continue
        done.add((case.get("classname", ""), ungrouped(case.get("name", ""))))
    return done


def main() -> int:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    absent = [path for path in sys.argv[1:] if not Path(path).is_file()]
    if absent:
        sys.exit(f"required_tests: no JUnit file {', '.join(absent)} (did that pytest step run?)")
    wanted = required_ids()
    ok = set().union(*(passed(path) for path in sys.argv[1:]))
    missing = [node for node in wanted if junit_key(node) not in ok]
    if missing:
        print(
            f"required_tests: {len(missing)} of {len(wanted)} required (browser or real-data) "
            f"test(s) did not run and pass (skipped or deselected):",
            file=sys.stderr,
        )
        for node in missing:
            print(f"  {node}", file=sys.stderr)
        return 1
    print(f"required_tests: all {len(wanted)} required browser and real-data tests passed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
