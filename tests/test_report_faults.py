"""A report on a full disk: the failure says it is the machine's problem, not a bug in the kit.

The team's report is built by the real worker (``kit.report.worker.run_job``) into a real
tmpfs filled to the last byte, so the first write fails with ENOSPC before any kernel starts.
"""

from __future__ import annotations

from test_faults import _fill, disk  # noqa: F401  (the tmpfs fixture)

from kit.report.models import Job, Status
from kit.report.pages import failure_page
from kit.report.worker import MACHINE_FIX, run_job
from kit.store.workshop import create_workshop


def test_a_full_disk_is_the_machines_problem_on_the_failure_page(disk, tmp_path):  # noqa: F811
    point = disk("1m")
    ws = create_workshop(tmp_path / "ws", teams=["Blue"]).path
    out = point / "reports"
    (out / ".servekit").mkdir(parents=True)
    _fill(point)
    job = Job(
        slug="blue",
        team_dir=str(ws / "teams" / "blue"),
        workshop_dir=str(ws),
        out=str(out),
        notebook="unused.ipynb",
    )
    result = run_job(job)
    assert result.status == Status.FAILED
    marker = out / ".servekit" / "blue.running"
    assert result.problem == (
        f"an unexpected error stopped the report: {marker}: the disk is full (No space left on "
        f"device); free some space on that disk, then run the command again (files are saved "
        f"whole or not at all)"
    )
    assert result.fix == MACHINE_FIX
    page = failure_page(result, job)
    assert "not a bug in servekit" in page and "This is a bug in servekit" not in page
