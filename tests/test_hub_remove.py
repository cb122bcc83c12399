"""``servekit hub --remove`` (and a hub start) against a hostile team (issue 20, items 3 and 10).

Each test starts from the real code: :func:`kit.hub.runner.prepare` makes the users and gives
the folders to the teams exactly as ``servekit hub`` does before it starts JupyterHub, the team
plants links, a FIFO and leftovers as its own system user, and the real command
``servekit hub DIR --remove`` runs as root. Needs root; every ``sk-*`` user made here is removed
in a ``finally``, even when an assertion fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from hubtools import missing_requirements, shared_workshop

from kit.hub.accounts import existing_user, marker_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]


@pytest.fixture(autouse=True)
def _needs_root():
    why = missing_requirements()
    if why:
        pytest.skip(why)


def _servekit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kit", "hub", *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd="/",
    )


def _drop_users(*names: str) -> None:
    for name in names:
        if existing_user(name) is not None:
            subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
            subprocess.run(["userdel", "--remove", name], capture_output=True)
            subprocess.run(["groupdel", name], capture_output=True)


def _as(user: str, script: str) -> None:
    subprocess.run(["sh", "-c", script], user=user, check=True, cwd="/", timeout=60)


def _fingerprint(path: Path) -> tuple[int, int, int]:
    st = os.lstat(path)
    return st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)


def test_remove_leaves_a_user_of_the_same_name_from_another_workshop_alone():
    workshop = shared_workshop(["H20 Other"])
    user = "sk-h20-other"
    _drop_users(user)
    sleeper = None
    try:
        subprocess.run(
            [
                "useradd",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                "--comment",
                marker_for(Path("/srv/another-workshop")),
                user,
            ],
            check=True,
        )
        sleeper = subprocess.Popen(["sleep", "600"], user=user)
        done = _servekit(str(workshop), "--remove", "--admin", "h20-nobody")
        assert done.returncode == 0, done.stderr
        assert done.stdout == (
            "0 system user(s) removed; the workshop's files are back with their owner\n"
        )
        assert sleeper.poll() is None  # not signalled: not this workshop's
        assert existing_user(user).pw_gecos == marker_for(Path("/srv/another-workshop"))
    finally:
        if sleeper is not None and sleeper.poll() is None:
            sleeper.send_signal(signal.SIGKILL)
            sleeper.wait()
        _drop_users(user)
        shutil.rmtree(workshop.parent, ignore_errors=True)


def test_start_and_remove_follow_no_link_and_leave_nothing_behind():
    from kit.hub.runner import prepare

    workshop = shared_workshop(["H20 Link"])
    team, admin = "sk-h20-link", "sk-h20-admin"
    folder = workshop / "teams" / "h20-link"
    (folder / "sub").mkdir()
    (folder / "sub" / "note.txt").write_text("recorded at the first start\n")
    decoy = Path(tempfile.mkdtemp(prefix="h20-decoy-"))  # root only, 0700
    (decoy / "note.txt").write_text("root's secret\n")
    os.chmod(decoy / "note.txt", 0o600)
    watched = [decoy, decoy / "note.txt", Path("/etc"), Path("/etc/passwd")]
    before = {p: _fingerprint(p) for p in watched}
    _drop_users(team, admin)
    try:
        prepare(workshop, admin="h20-admin", log=lambda message: None)
        team_uid = existing_user(team).pw_uid
        # the team, as its own user: a recorded folder swapped for a link into root's folder,
        # links to /etc, a FIFO where a notebook is expected, files in the shared scratch
        _as(
            team,
            f"cd {folder} && mv sub sub.moved && ln -s {decoy} sub && ln -s /etc etc && "
            f"ln -s /etc/passwd passwd && mkfifo 03_needs.ipynb && echo x > made.csv && "
            f"echo left > /dev/shm/h20-left-{team_uid} && ln -s /etc /tmp/h20-link-{team_uid}",
        )
        notebooks = workshop / "notebooks" / "h20-link"
        _as(
            team,
            f"cd {notebooks} && rm 01_journey.ipynb && rm -rf .history && ln -s {decoy} .history",
        )
        said = []
        prepare(workshop, admin="h20-admin", log=said.append)  # a second start
        assert {p: _fingerprint(p) for p in watched} == before
        assert sorted(os.listdir(decoy)) == ["note.txt"]  # nothing written through .history
        assert not (notebooks / "01_journey.ipynb").exists()
        assert said[0] == (
            f"{notebooks / '01_journey.ipynb'} is missing; the folder is team h20-link's, so "
            f"the hub does not write into it (run 'servekit notebooks {workshop} --team "
            f"h20-link')"
        )
        done = _servekit(str(workshop), "--remove", "--admin", "h20-admin")
        assert done.returncode == 0, done.stderr
        assert done.stdout == (
            "2 system user(s) removed; the workshop's files are back with their owner\n"
        )
        assert {p: _fingerprint(p) for p in watched} == before  # nothing followed
        assert (decoy / "note.txt").read_text() == "root's secret\n"
        me = (os.getuid(), os.getgid())
        for link in ("sub", "etc", "passwd"):  # the links themselves, given back (lchown)
            assert (folder / link).is_symlink() and _fingerprint(folder / link)[:2] == me
        assert _fingerprint(folder / "sub.moved" / "note.txt") == (*me, 0o644)
        assert _fingerprint(folder / "made.csv") == (*me, 0o644)
        assert stat.S_ISFIFO(os.lstat(folder / "03_needs.ipynb").st_mode)
        assert not Path(f"/dev/shm/h20-left-{team_uid}").exists()
        assert not Path(f"/tmp/h20-link-{team_uid}").is_symlink()
        strays = [str(p) for p in workshop.rglob("*") if os.lstat(p).st_uid not in (0, os.getuid())]
        assert strays == []
        assert existing_user(team) is None and existing_user(admin) is None
    finally:
        _drop_users(team, admin)
        shutil.rmtree(workshop.parent, ignore_errors=True)
        shutil.rmtree(decoy, ignore_errors=True)
