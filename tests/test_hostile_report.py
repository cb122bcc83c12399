"""Issue 20, items 4 and 9: ``servekit report`` run as root on a hub workshop where one team
planted a 60 GB sparse ``serves.csv`` and another linked its ``journey.csv`` to a root-only file.

The workshop looks exactly as ``servekit hub`` leaves it (each ``teams/<slug>`` owned by the
team's user, set-group-id ``2750`` with the facilitator's group); the real command builds it
once, and each test checks one outcome: the refused teams get failure pages naming the file,
the honest team is built, nothing of the decoy leaks, and no team user can read a report.
"""

from __future__ import annotations

import html
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_workshop

from kit.report.cache import MAX_DIGEST_BYTES
from kit.store.storage import MAX_FILE_BYTES

SERVEKIT = str(Path(sys.executable).with_name("servekit"))
TEAM_USER = 65534  # nobody: stands for a team's system user
FACILITATOR_GROUP = 54321  # a group no team user is in
SECRET = "root:$6$decoy-secret"
GIANT = 60 * 10**9
pytestmark = [
    pytest.mark.slow,
    pytest.mark.xdist_group("hostile"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the attacks target a root-run command"),
]


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("hostile-report")
    decoy = root / "shadow"
    decoy.write_text(SECRET + "\n")
    decoy.chmod(0o600)
    ws = make_workshop(root / "ws", {"big": None, "linked": None, "honest": None})
    with (ws / "teams" / "big" / "serves.csv").open("r+b") as handle:
        handle.truncate(GIANT)  # sparse: no disk used, 60 GB to a reader
    (ws / "teams" / "linked" / "journey.csv").unlink()
    (ws / "teams" / "linked" / "journey.csv").symlink_to(decoy)
    for team in (ws / "teams").iterdir():  # as servekit hub leaves a team folder
        for path in [team, *team.iterdir()]:
            os.lchown(path, TEAM_USER, FACILITATOR_GROUP)
        team.chmod(0o2750)
    done = subprocess.run(
        [SERVEKIT, "report", str(ws), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "COLUMNS": "200"},
        stdin=subprocess.DEVNULL,
    )
    summary = json.loads((ws / "reports" / "summary.json").read_text())
    return {
        "ws": ws,
        "done": done,
        "decoy": decoy,
        "status": {r["slug"]: r["status"] for r in summary["teams"]},
    }


def test_a_sparse_60_gb_file_gets_its_team_a_failure_page_and_the_others_are_built(batch):
    done, ws = batch["done"], batch["ws"]
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    assert batch["status"] == {"big": "invalid data", "linked": "invalid data", "honest": "ok"}
    page = (ws / "reports" / "big.html").read_text()
    message = (
        f"{(ws / 'teams' / 'big' / 'serves.csv').as_posix()}: refused: the file is {GIANT} "
        f"bytes; expected at most {MAX_DIGEST_BYTES} bytes"
    )
    assert f"<li><code>{html.escape(message)}</code></li>" in page
    assert 'name="servekit-status" content="invalid data"' in page
    honest = (ws / "reports" / "honest.html").read_text()
    assert "sk-failure" not in honest and "Mini team" in honest


def test_a_linked_file_is_never_read_into_any_report(batch):
    ws = batch["ws"]
    page = (ws / "reports" / "linked.html").read_text()
    assert 'name="servekit-status" content="invalid data"' in page
    assert (
        "<li><code>teams/linked/journey.csv: refused: this is a symbolic link; expected the "
        "file itself inside the team folder (links are never followed)</code></li>"
    ) in page
    leaked = [
        p.relative_to(ws).as_posix()
        for p in (ws / "reports").rglob("*")
        if p.is_file() and "decoy-secret" in p.read_text(errors="replace")
    ]
    assert leaked == []
    assert batch["decoy"].read_text() == SECRET + "\n"


def test_reports_are_closed_to_teams_from_creation(batch):
    reports = batch["ws"] / "reports"
    info = reports.stat()
    assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o2750, FACILITATOR_GROUP)
    opened = {
        p.relative_to(reports).as_posix(): oct(stat.S_IMODE(p.lstat().st_mode))
        for p in reports.rglob("*")
        if p.lstat().st_mode & 0o007
    }
    assert opened == {}  # nothing readable by "others", at any depth
    files = [p for p in reports.rglob("*") if p.is_file()]
    assert len(files) >= 3 and all(p.stat().st_mode & 0o777 == 0o640 for p in files)
    # a team's user cannot read another team's report
    attempt = subprocess.run(
        ["cat", str(reports / "honest.html")],
        capture_output=True,
        text=True,
        user=TEAM_USER,
        group=TEAM_USER,
        extra_groups=[],
        timeout=30,
    )
    assert attempt.returncode == 1
    assert attempt.stderr == f"cat: {reports / 'honest.html'}: Permission denied\n"


def test_calendar_refuses_the_planted_files_and_is_closed_to_teams(batch):
    ws = batch["ws"]
    (ws / "plan.ics").write_text("an old copy, readable by all")
    (ws / "plan.ics").chmod(0o644)
    done = subprocess.run(
        [SERVEKIT, "calendar", str(ws)],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert done.stdout.splitlines() == [
        f"teams/big/serves.csv: refused: the file is {GIANT} bytes; expected at most "
        f"{MAX_FILE_BYTES}",
        "teams/linked/journey.csv: refused: this is a symbolic link; expected the file itself "
        "inside the team folder (links are never followed)",
        f"Wrote {ws / 'plan.ics'}: 3 due date(s) and 3 check-in(s). Import it into Outlook or "
        f"Google Calendar.",
    ]
    assert done.stderr == "2 error(s), 0 warning(s)\n"
    info = (ws / "plan.ics").stat()
    assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o640, FACILITATOR_GROUP)
    assert "BEGIN:VCALENDAR" in (ws / "plan.ics").read_text()


def test_followup_refuses_the_giant_and_its_folder_is_closed_to_teams(batch):
    ws = batch["ws"]
    done = subprocess.run(
        [SERVEKIT, "followup", str(ws), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "COLUMNS": "200"},
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr
    followup = ws / "followup"
    page = (followup / "big.html").read_text()
    message = (
        f"{(ws / 'teams' / 'big' / 'serves.csv').as_posix()}: refused: the file is {GIANT} "
        f"bytes; expected at most {MAX_DIGEST_BYTES} bytes"
    )
    assert f"<li><code>{html.escape(message)}</code></li>" in page
    assert "sk-failure" not in (followup / "honest.html").read_text()
    info = followup.stat()
    assert (stat.S_IMODE(info.st_mode), info.st_gid) == (0o2750, FACILITATOR_GROUP)
    opened = [p.name for p in followup.rglob("*") if p.lstat().st_mode & 0o007]
    assert opened == []
