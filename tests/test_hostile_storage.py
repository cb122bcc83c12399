"""Issue 20, items 2 and 8 on the team-data side: ``servekit import-xlsx`` and
``export-xlsx`` run as root against a team folder owned by the team (as ``servekit hub``
leaves it), where the team planted a ``.history`` link or a FIFO.

Each test plants one thing, runs the real command as a subprocess (a hang is a timeout), and
asserts the exact outcome.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from helpers import make_workshop

SERVEKIT = str(Path(sys.executable).with_name("servekit"))
TEAM = (65534, 65534)  # nobody: stands for the team's system user
pytestmark = [
    pytest.mark.xdist_group("hostile"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the attacks target a root-run command"),
]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [SERVEKIT, *args], capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL
    )


@pytest.fixture
def team(tmp_path: Path) -> Path:
    """A team folder as the hub leaves it: the team's user, set-group-id 2750."""
    folder = make_workshop(tmp_path / "ws", {"t": None}) / "teams" / "t"
    for path in [folder, *folder.iterdir()]:
        os.lchown(path, *TEAM)
    folder.chmod(0o2750)
    return folder


@pytest.fixture
def edited_xlsx(team: Path, tmp_path: Path) -> Path:
    """The team's tables exported, with one role renamed (what an action owner sends back)."""
    book_path = tmp_path / "t.xlsx"
    done = run("export-xlsx", str(team), str(book_path))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(book_path)
    assert book["roles"]["B2"].value == "Hotel guest"
    book["roles"]["B2"] = "Guest (renamed)"
    book.save(book_path)
    return book_path


def owners(folder: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.lstat().st_uid, p.lstat().st_gid)
        for p in sorted(folder.rglob("*"))
    }


def test_import_as_root_leaves_every_file_the_teams(team, edited_xlsx):
    done = run("import-xlsx", str(edited_xlsx), str(team))

    assert done.returncode == 0, done.stderr
    assert "Guest (renamed)" in (team / "roles.csv").read_text()
    written = owners(team)
    assert ".history" in written and ".lock" in written
    assert any(name.startswith(".history/") for name in written)
    assert {name: owner for name, owner in written.items() if owner != TEAM} == {}
    assert stat.S_IMODE((team / ".history").stat().st_mode) == 0o2750


def test_import_refuses_a_history_link_to_a_root_only_folder(team, edited_xlsx, tmp_path):
    decoy = tmp_path / "root-only"
    decoy.mkdir(mode=0o700)
    (decoy / "keep").write_text("untouched")
    (team / ".history").symlink_to(decoy, target_is_directory=True)
    before = (team / "roles.csv").read_bytes()

    done = run("import-xlsx", str(edited_xlsx), str(team))

    assert done.returncode == 1
    assert done.stderr == (
        f"Error: {(team / '.history').as_posix()}: refused: a symbolic link where the kit "
        f"keeps its own file; expected it to be removed\n"
    )
    assert sorted(p.name for p in decoy.iterdir()) == ["keep"]
    assert (team / "roles.csv").read_bytes() == before  # nothing half-written


def test_export_refuses_a_fifo_without_hanging(team, tmp_path):
    (team / "plan.csv").unlink()
    os.mkfifo(team / "plan.csv")

    done = run("export-xlsx", str(team), str(tmp_path / "t.xlsx"))  # a hang: TimeoutExpired

    assert done.returncode == 1
    assert done.stdout == (
        "plan.csv: refused: this is a FIFO (named pipe), not a regular file; expected a CSV or "
        "YAML file\n"
    )
    assert done.stderr == (
        f"1 error(s), 0 warning(s)\nNot exported: fix the team's files first ({team}).\n"
    )
    assert not (tmp_path / "t.xlsx").exists()


CAFE = Path(__file__).parent / "fixtures" / "orgchart" / "generic" / "cafe.csv"


def test_import_orgchart_as_root_leaves_the_tables_the_teams(team):
    for name in ("journey.csv", "needs.csv", "scores.csv", "plan.csv", "results.csv"):
        (team / name).unlink(missing_ok=True)  # a new chart must not break the team's tables
    done = run("import-orgchart", str(CAFE), "--out", str(team), "--force")

    assert done.returncode == 0, done.stderr
    assert "Roles: 9" in done.stdout
    assert owners(team)["roles.csv"] == TEAM and owners(team)["serves.csv"] == TEAM


def test_import_orgchart_refuses_a_roles_link_to_a_root_only_file(team, tmp_path):
    decoy = tmp_path / "shadow"
    decoy.write_text("root:secret\n")
    decoy.chmod(0o600)
    (team / "roles.csv").unlink()
    (team / "roles.csv").symlink_to(decoy)

    done = run("import-orgchart", str(CAFE), "--out", str(team), "--force")

    assert done.returncode == 1
    assert done.stdout == (
        f"error: {(team / 'roles.csv').as_posix()}: refused: this is a symbolic link; expected "
        f"the file itself inside the team folder (links are never followed)\n"
    )
    assert done.stderr == "1 error(s): nothing was written\n"
    assert decoy.read_text() == "root:secret\n"
    assert (team / "roles.csv").is_symlink()
