"""Issue 20, item 2 and 8: ``servekit notebooks`` run as root against a team that planted links
and FIFOs in its own ``notebooks/<slug>/`` folder.

Each test plants one thing, runs the real command (a subprocess, so a hang is a timeout and not
a stuck test run) and asserts the exact outcome: the path refused by name, the decoy unchanged,
and every other notebook still written.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from kit.room.teamnotebooks import write_team_notebooks
from kit.store.workshop import create_workshop

PARTICIPANT = sorted(p.name for p in (ROOT / "workshops").glob("0[1-9]_*.ipynb"))
SERVEKIT = Path(sys.executable).parent / "servekit"
NOBODY = (65534, 65534)
pytestmark = [
    pytest.mark.xdist_group("hostile"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the attacks target a root-run command"),
]


@pytest.fixture
def workshop(tmp_path: Path) -> Path:
    path = create_workshop(tmp_path / "ws", teams=["Hostile", "Honest"]).path
    write_team_notebooks(path)  # as 'servekit new' does
    return path


@pytest.fixture
def decoy(tmp_path: Path) -> Path:
    """A root-only folder holding a root-only file (stands for /root and /etc/shadow)."""
    folder = tmp_path / "root-only"
    folder.mkdir(mode=0o700)
    secret = folder / "shadow"
    secret.write_text("root:$6$secret\n")
    secret.chmod(0o600)
    return folder


def run_notebooks(workshop: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SERVEKIT), "notebooks", str(workshop), *extra],
        capture_output=True,
        text=True,
        timeout=180,
        stdin=subprocess.DEVNULL,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def outdate(path: Path) -> None:
    """Make a team's copy differ from the kit's, so the command replaces it (and keeps history)."""
    path.write_text(path.read_text().replace("Run", "Ran"))


def test_a_notebook_linked_to_a_root_only_file_is_refused(workshop, decoy):
    target = workshop / "notebooks" / "hostile" / "02_pyramid.ipynb"
    target.unlink()
    target.symlink_to(decoy / "shadow")
    outdate(workshop / "notebooks" / "honest" / "02_pyramid.ipynb")

    done = run_notebooks(workshop)

    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"{target.as_posix()}: refused: a symbolic link; expected a real file inside the "
        f"workshop folder (links are never followed)"
    ]
    assert snapshot(decoy) == {"shadow": b"root:$6$secret\n"}
    assert stat.S_IMODE((decoy / "shadow").stat().st_mode) == 0o600
    assert target.is_symlink()
    assert not (target.parent / ".history").exists()  # no team-readable copy of the secret
    honest = workshop / "notebooks" / "honest" / "02_pyramid.ipynb"
    assert "Ran" not in honest.read_text()  # the other team was still written
    assert done.stdout.splitlines()[0].endswith(
        f"1 written, {2 * len(PARTICIPANT) - 2} already up to date, 1 refused"
    )


def test_a_history_link_to_a_root_only_folder_is_refused(workshop, decoy):
    folder = workshop / "notebooks" / "hostile"
    (folder / ".history").symlink_to(decoy, target_is_directory=True)
    outdate(folder / "02_pyramid.ipynb")
    before = snapshot(decoy)

    done = run_notebooks(workshop, "--team", "hostile")

    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"{(folder / '.history').as_posix()}: refused: a symbolic link; expected a real folder "
        f"inside the workshop folder (links are never followed)"
    ]
    assert snapshot(decoy) == before  # nothing written through the link
    assert "Ran" in (folder / "02_pyramid.ipynb").read_text()  # old copy kept, not lost


def test_a_fifo_named_like_a_notebook_is_refused_without_hanging(workshop):
    fifo = workshop / "notebooks" / "hostile" / "03_needs.ipynb"
    fifo.unlink()
    os.mkfifo(fifo)
    (workshop / "notebooks" / "honest" / "03_needs.ipynb").unlink()

    done = run_notebooks(workshop)  # a hang would be a TimeoutExpired here

    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"{fifo.as_posix()}: refused: a FIFO (named pipe), not a regular file; "
        f"expected a regular file"
    ]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert (workshop / "notebooks" / "honest" / "03_needs.ipynb").is_file()


def test_what_root_writes_belongs_to_the_team(workshop):
    folder = workshop / "notebooks" / "hostile"
    for path in [folder, *folder.iterdir()]:
        os.chown(path, *NOBODY)
    folder.chmod(0o2750)
    outdate(folder / "02_pyramid.ipynb")
    (folder / "03_needs.ipynb").unlink()

    done = run_notebooks(workshop, "--team", "hostile")

    assert done.returncode == 0, done.stderr
    history = folder / ".history"
    written = [folder / "02_pyramid.ipynb", folder / "03_needs.ipynb", history]
    written += list(history.iterdir())
    assert len(written) == 4
    assert {p.name: (p.stat().st_uid, p.stat().st_gid) for p in written} == {
        p.name: NOBODY for p in written
    }
    assert stat.S_IMODE(history.stat().st_mode) == 0o2750  # the team folder's mode at creation


def test_a_new_teams_notebooks_folder_is_as_closed_as_its_data_folder(workshop):
    data = workshop / "teams" / "hostile"
    os.lchown(data, NOBODY[0], 54321)
    data.chmod(0o2750)
    folder = workshop / "notebooks" / "hostile"
    for path in sorted(folder.rglob("*"), reverse=True):
        path.unlink()
    folder.rmdir()

    done = run_notebooks(workshop, "--team", "hostile")

    assert done.returncode == 0, done.stderr
    info = folder.stat()
    assert (stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid) == (0o2750, NOBODY[0], 54321)
    owners = {(p.lstat().st_uid, p.lstat().st_gid) for p in folder.rglob("*")}
    assert owners == {(NOBODY[0], 54321)}  # the notebooks, the exercise copies and their folder
    assert sorted(p.name for p in folder.glob("*.ipynb")) == PARTICIPANT


def test_an_exercises_folder_linked_to_a_root_only_folder_is_refused(workshop, decoy):
    """Issue 21 put each team's exercise copies in ``notebooks/<slug>/exercises``: root never
    writes them through a link the team planted there, and the other team gets its copies."""
    planted = workshop / "notebooks" / "hostile" / "exercises"
    planted.symlink_to(decoy, target_is_directory=True)

    done = run_notebooks(workshop)

    assert done.returncode == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"Error: {planted.as_posix()}: refused: a symbolic link; expected a real folder inside "
        f"the workshop folder (links are never followed)"
    ]
    assert snapshot(decoy) == {"shadow": b"root:$6$secret\n"}
    honest = workshop / "notebooks" / "honest" / "exercises"
    assert sorted(p.name for p in honest.glob("*.ipynb")) == [
        "03_fix_the_chain.ipynb",
        "04_top_gaps.ipynb",
        "05_be_do_have.ipynb",
    ]
