"""kit.store.sharing: output folders and files of a hub workshop are closed to teams at creation;
a workshop that is not a hub's keeps the usual modes."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from kit.store.sharing import current_umask, hub_group, output_file, output_folder

FACILITATOR_GROUP = 54321
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="giving folders away needs root")


def hub_like(ws: Path, slugs: list[str]) -> None:
    """Team folders as servekit hub leaves them (the team's user, 2750, facilitator's group)."""
    for slug in slugs:
        folder = ws / "teams" / slug
        folder.mkdir(parents=True)
        os.lchown(folder, 65534, FACILITATOR_GROUP)
        folder.chmod(0o2750)


def test_a_plain_workshop_is_not_a_hub_and_keeps_the_usual_modes(tmp_path):
    (tmp_path / "teams" / "a").mkdir(parents=True)
    assert hub_group(tmp_path) is None
    with output_folder(tmp_path, tmp_path / "reports") as out:
        (out / "a.html").write_text("x")
    assert stat.S_IMODE((tmp_path / "reports").stat().st_mode) == 0o777 & ~current_umask()


@root_only
def test_one_marked_team_folder_makes_a_hub_even_with_a_team_added_later(tmp_path):
    hub_like(tmp_path, ["a", "b"])
    (tmp_path / "teams" / "late").mkdir()  # added during the session, still root's and 0755
    (tmp_path / "teams" / "link").symlink_to(tmp_path / "teams" / "a")
    assert hub_group(tmp_path) == FACILITATOR_GROUP


@root_only
def test_hub_output_folder_and_file_are_closed_and_the_umask_restored(tmp_path):
    hub_like(tmp_path, ["a"])
    before = current_umask()
    reports = tmp_path / "reports"
    reports.mkdir(mode=0o755)  # made before the hub started
    with output_folder(tmp_path, reports) as out:
        (out / "a.html").write_text("x")
        (out / "sub").mkdir()
    with output_file(tmp_path, tmp_path / "plan.ics") as target:
        target.write_text("cal")
    assert current_umask() == before
    modes = {
        p.relative_to(tmp_path).as_posix(): (oct(stat.S_IMODE(p.stat().st_mode)), p.stat().st_gid)
        for p in [reports, reports / "a.html", reports / "sub", tmp_path / "plan.ics"]
    }
    assert modes == {
        "reports": ("0o2750", FACILITATOR_GROUP),
        "reports/a.html": ("0o640", FACILITATOR_GROUP),
        "reports/sub": ("0o2750", FACILITATOR_GROUP),
        "plan.ics": ("0o640", FACILITATOR_GROUP),
    }


@root_only
def test_the_facilitators_own_user_can_write_into_a_reports_folder_root_closed():
    """On the hub the facilitator may build reports as their own user (not root) into the
    reports/ folder root made: nothing to change there, and nothing fails."""
    ws = Path(tempfile.mkdtemp(prefix="sk-sharing-"))  # reachable by another user
    try:
        ws.chmod(0o755)
        hub_like(ws, ["a"])
        reports = ws / "reports"
        reports.mkdir()
        os.lchown(reports, 0, FACILITATOR_GROUP)
        reports.chmod(0o2770)
        pid = os.fork()
        if pid == 0:  # the child becomes the facilitator's user: 65534 in the group
            code = 1
            try:
                os.setgroups([])
                os.setgid(FACILITATOR_GROUP)
                os.setuid(65534)
                with output_folder(ws, reports) as out:
                    (out / "a.html").write_text("x")
                code = 0
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert stat.S_IMODE((reports / "a.html").stat().st_mode) == 0o640
        assert stat.S_IMODE(reports.stat().st_mode) == 0o2770  # root's folder: left as it was
    finally:
        shutil.rmtree(ws)
