"""Issue 20, "root never follows a team's path", for the read-only commands ``servekit
validate`` and ``servekit status``: teams planted a FIFO named like a table, a link to a
root-only file and a 60 GB sparse file. Each command (a real subprocess, so a hang is a
timeout) names every planted file and reads none of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import make_workshop

SERVEKIT = str(Path(sys.executable).with_name("servekit"))
SECRET = "root:decoy-secret-51c"
pytestmark = pytest.mark.xdist_group("hostile")  # the hostile-team suite, on one worker


@pytest.fixture
def workshop(tmp_path: Path) -> Path:
    decoy = tmp_path / "shadow"
    decoy.write_text(SECRET + "\n")
    decoy.chmod(0o600)
    ws = make_workshop(tmp_path / "ws", {"big": None, "fifo": None, "link": None, "ok": None})
    (ws / "teams" / "fifo" / "plan.csv").unlink()
    os.mkfifo(ws / "teams" / "fifo" / "plan.csv")
    (ws / "teams" / "link" / "journey.csv").unlink()
    (ws / "teams" / "link" / "journey.csv").symlink_to(decoy)
    with (ws / "teams" / "big" / "serves.csv").open("r+b") as handle:
        handle.truncate(60 * 10**9)
    os.mkfifo(ws / "teams" / "ok" / "notes.csv")  # not a table: ignored, never opened
    return ws


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SERVEKIT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "120"},
    )


def test_validate_names_every_planted_file_without_hanging(workshop):
    done = run("validate", str(workshop))
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "teams/big/serves.csv: refused: the file is 60000000000 bytes; expected at most 50000000",
        "teams/fifo/plan.csv: refused: this is a FIFO (named pipe), not a regular file; "
        "expected a CSV or YAML file",
        "teams/link/journey.csv: refused: this is a symbolic link; expected the file itself "
        "inside the team folder (links are never followed)",
    ]
    assert done.stderr == "3 error(s), 0 warning(s)\n"


def test_status_finishes_and_shows_no_decoy(workshop):
    done = run("status", str(workshop))
    assert done.returncode == 0, done.stderr
    assert "4 team(s)" in done.stdout
    assert "decoy-secret" not in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
