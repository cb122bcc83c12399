"""kit.store.safefs: every read and write below a trusted folder refuses a team's links and
special files, with a message naming the path; writes are atomic and owned as asked."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from kit.exceptions import UnsafePath
from kit.store import safefs

NOBODY = (65534, 65534)
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="the attack needs root")


@pytest.fixture
def decoy(tmp_path: Path) -> Path:
    """A root-only file outside the base folder, standing for /etc/shadow."""
    secret = tmp_path / "outside" / "shadow"
    secret.parent.mkdir()
    secret.write_text("root:secret\n")
    secret.chmod(0o600)
    return secret


@pytest.fixture
def base(tmp_path: Path) -> Path:
    folder = tmp_path / "w"
    (folder / "teams" / "a").mkdir(parents=True)
    return folder


def link_message(path: Path, what: str) -> str:
    return (
        f"{path.as_posix()}: refused: a symbolic link; expected a real {what} inside the "
        f"workshop folder (links are never followed)"
    )


def test_read_through_a_file_link_to_a_root_only_file_is_refused(base, decoy):
    (base / "teams" / "a" / "journey.csv").symlink_to(decoy)
    with pytest.raises(UnsafePath) as err:
        safefs.read_bytes(base, "teams/a/journey.csv")
    assert str(err.value) == link_message(base / "teams/a/journey.csv", "file")


def test_read_through_a_folder_link_component_is_refused(base, decoy):
    (base / "teams" / "a" / "sub").symlink_to(decoy.parent, target_is_directory=True)
    with pytest.raises(UnsafePath) as err:
        safefs.read_bytes(base, "teams/a/sub/shadow")
    assert str(err.value) == link_message(base / "teams/a/sub", "folder")


def test_write_through_a_folder_link_writes_nothing_there(base, decoy):
    (base / "teams" / "a" / ".history").symlink_to(decoy.parent, target_is_directory=True)
    before = sorted(p.name for p in decoy.parent.iterdir())
    with pytest.raises(UnsafePath) as err:
        safefs.write_bytes(base, "teams/a/.history/marker", b"x")
    assert str(err.value) == link_message(base / "teams/a/.history", "folder")
    assert sorted(p.name for p in decoy.parent.iterdir()) == before


def test_write_over_a_file_link_is_refused_and_the_decoy_unchanged(base, decoy):
    (base / "teams" / "a" / "02_pyramid.ipynb").symlink_to(decoy)
    with pytest.raises(UnsafePath) as err:
        safefs.write_bytes(base, "teams/a/02_pyramid.ipynb", b"{}")
    assert str(err.value) == link_message(base / "teams/a/02_pyramid.ipynb", "file")
    assert decoy.read_text() == "root:secret\n"
    assert (base / "teams" / "a" / "02_pyramid.ipynb").is_symlink()


def test_a_fifo_is_refused_at_once_for_reading_and_writing(base):
    fifo = base / "teams" / "a" / "03_needs.ipynb"
    os.mkfifo(fifo)
    expected = (
        f"{fifo.as_posix()}: refused: a FIFO (named pipe), not a regular file; "
        f"expected a regular file"
    )
    outcome: list[str] = []

    def attempt() -> None:
        for action in (
            lambda: safefs.read_bytes(base, "teams/a/03_needs.ipynb"),
            lambda: safefs.write_bytes(base, "teams/a/03_needs.ipynb", b"{}"),
        ):
            try:
                action()
            except UnsafePath as exc:
                outcome.append(str(exc))

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout=30)
    assert not worker.is_alive(), f"blocked on the FIFO; refusals so far: {outcome}"
    assert outcome == [expected, expected]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_folder_where_a_file_is_expected_is_refused(base):
    (base / "teams" / "a" / "x.csv").mkdir()
    with pytest.raises(UnsafePath) as err:
        safefs.read_bytes(base, "teams/a/x.csv")
    assert str(err.value) == (
        f"{(base / 'teams/a/x.csv').as_posix()}: refused: a folder, not a regular file; "
        f"expected a regular file"
    )


def test_dot_dot_is_refused(base):
    with pytest.raises(UnsafePath) as err:
        safefs.read_bytes(base, "teams/../../outside/shadow")
    assert str(err.value) == (
        "teams/../../outside/shadow: refused: expected a path inside the folder, without '..'"
    )


def test_size_cap_refuses_a_sparse_giant_without_reading_it(base):
    giant = base / "teams" / "a" / "serves.csv"
    with giant.open("wb") as handle:
        handle.truncate(60 * 10**9)  # 60 GB, sparse: nothing on disk
    with pytest.raises(UnsafePath) as err:
        safefs.read_bytes(base, "teams/a/serves.csv", limit=1000)
    assert str(err.value) == (
        f"{giant.as_posix()}: refused: the file is 60000000000 bytes; expected at most 1000 bytes"
    )


def test_atomic_write_keeps_the_old_mode_and_leaves_no_temporary(base):
    target = base / "teams" / "a" / "roles.csv"
    target.write_text("old")
    target.chmod(0o640)
    safefs.write_bytes(base, "teams/a/roles.csv", "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in target.parent.iterdir()) == ["roles.csv"]


@root_only
def test_written_files_and_new_folders_belong_to_the_given_owner(base):
    team = base / "teams" / "a"
    os.chown(team, *NOBODY)
    team.chmod(0o2750)
    owner = safefs.owner_of(base, "teams/a")
    safefs.write_bytes(base, "teams/a/.history/x.csv", b"1", owner=owner)
    history = team / ".history"
    assert owner == NOBODY
    assert (history.stat().st_uid, history.stat().st_gid) == NOBODY
    assert stat.S_IMODE(history.stat().st_mode) == 0o2750  # the team folder's mode at creation
    assert ((history / "x.csv").stat().st_uid, (history / "x.csv").stat().st_gid) == NOBODY


def test_walk_files_skips_links_fifos_and_linked_folders(base, decoy):
    team = base / "teams" / "a"
    (team / "journey.csv").write_text("j")
    (team / "sub").mkdir()
    (team / "sub" / "n.csv").write_text("nn")
    (team / "etc").symlink_to(decoy.parent, target_is_directory=True)
    (team / "shadow").symlink_to(decoy)
    os.mkfifo(team / "pipe")
    assert list(safefs.walk_files(base, "teams/a")) == [("journey.csv", 1), ("sub/n.csv", 2)]


def test_chmod_and_chown_skip_links(base, decoy):
    link = base / "teams" / "a" / "x"
    link.symlink_to(decoy)
    assert safefs.chmod_nofollow(link, 0o666) is False
    assert safefs.chown_nofollow(link, *NOBODY) is False
    assert stat.S_IMODE(decoy.stat().st_mode) == 0o600
    assert decoy.stat().st_uid == os.geteuid()


def test_team_digest_refuses_many_files_each_under_the_cap(base):
    """Many sparse files just under the per-file cap are refused as a whole, by size alone."""
    from kit.report.cache import MAX_DIGEST_BYTES, MAX_DIGEST_TOTAL, team_digest
    from kit.report.models import TEAM_REPORT

    team = base / "teams" / "a"
    count = MAX_DIGEST_TOTAL // MAX_DIGEST_BYTES + 1
    for n in range(count):
        with (team / f"part{n}.csv").open("wb") as handle:
            handle.truncate(MAX_DIGEST_BYTES)
    with pytest.raises(UnsafePath) as err:
        team_digest(team, base, TEAM_REPORT.notebook, {})
    assert str(err.value) == (
        f"{team.as_posix()}: refused: the team folder's files add up to "
        f"{count * MAX_DIGEST_BYTES} bytes; expected at most {MAX_DIGEST_TOTAL} bytes"
    )
