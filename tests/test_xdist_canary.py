"""The canary of ``--dist loadgroup``: two tests of one ``xdist_group`` must share a worker.

The first records the worker it ran on; the second waits for that record and compares it with
its own. When grouping breaks (pytest-xdist issue #1386: pytest 9.2 ignores the ``@group``
suffix xdist writes, and tests/conftest.py puts it back) the two land on different workers
and the second fails, naming both. Without xdist both run in the one process, and pass.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("canary")

FIRST = "test_canary_first_records_its_worker"


def _record_dir(tmp_path_factory, testrun_uid: str) -> Path:
    """A folder every worker of this run sees (the workers' temp folders share a parent)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if base.name.startswith("popen-gw") else base
    folder = shared / f"xdist-canary-{testrun_uid}"
    folder.mkdir(exist_ok=True)
    return folder


def test_canary_first_records_its_worker(tmp_path_factory, testrun_uid, worker_id):
    (_record_dir(tmp_path_factory, testrun_uid) / "first").write_text(worker_id)


def test_canary_second_runs_on_the_same_worker(request, tmp_path_factory, testrun_uid, worker_id):
    if not any(item.name == FIRST for item in request.session.items):
        pytest.skip(f"{FIRST} is not in this run (deselected), so there is nothing to compare")
    record = _record_dir(tmp_path_factory, testrun_uid) / "first"
    deadline = time.monotonic() + 600  # generous: without grouping, it may run much later
    while not record.is_file() and time.monotonic() < deadline:
        time.sleep(0.5)
    first = record.read_text() if record.is_file() else None
    assert first == worker_id, (
        f"the two tests of xdist_group 'canary' ran on {first!r} and {worker_id!r} "
        f"(None: the first never ran within 600 s): --dist loadgroup does not group"
    )
