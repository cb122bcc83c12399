"""Issue 25, at 300 teams: ``servekit new`` does the same work for each team whatever the number
of teams (counted as real file opens and folder listings), and shows its progress;
``servekit status`` reads only the teams whose files changed, and never shows stale data."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import file_events, make_workshop

from kit.cli import main
from kit.room.status import ProgressReader


def _new(path, teams: int) -> Counter:
    """Run ``servekit new PATH --teams N`` and count the files it opened and folders it listed."""
    with file_events() as seen:
        result = CliRunner().invoke(
            main, ["new", str(path), "--teams", str(teams), "--quiet"], catch_exceptions=False
        )
    assert result.exit_code == 0, result.output
    counts = Counter(event for event, _ in seen)
    counts["team folder opens"] = sum(
        1 for event, p in seen if event == "open" and str(p).startswith(f"{path}/teams/")
    )
    return counts


def test_new_opens_the_same_files_for_each_team_whatever_the_number_of_teams(tmp_path):
    """Adding a team used to read every team already made (100 teams: 89 s, 200: 15.5 min).
    Now each team costs a fixed number of opens: going from 8 to 16 teams costs exactly twice
    what going from 4 to 8 did, and no folder is listed once per team."""
    _new(tmp_path / "warm-up", 1)  # the kit's lazy imports and one-off reads
    runs = {n: _new(tmp_path / f"w{n}", n) for n in (4, 8, 16)}
    for what in ("open", "team folder opens"):
        first = runs[8][what] - runs[4][what]
        second = runs[16][what] - runs[8][what]
        assert first > 0 and second == 2 * first, (what, {n: c[what] for n, c in runs.items()})
    for what in ("os.listdir", "os.scandir"):
        assert runs[4][what] == runs[8][what] == runs[16][what], (what, runs)


def test_new_shows_a_progress_bar_of_three_steps_a_team(tmp_path):
    result = CliRunner().invoke(
        main, ["new", str(tmp_path / "w"), "--teams", "3"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    bar = result.stderr.strip()  # not a terminal: the finished bar, printed once
    assert bar.startswith("New workshop ━"), result.stderr
    assert " 9/9 " in bar and bar.endswith("exercises of team-3"), bar
    assert result.stdout.startswith(f"Workshop ready in {tmp_path / 'w'} with 3 team(s):\n")
    quiet = CliRunner().invoke(
        main, ["new", str(tmp_path / "q"), "--teams", "3", "--quiet"], catch_exceptions=False
    )
    assert quiet.exit_code == 0 and quiet.stderr == "", quiet.stderr


def test_new_refuses_a_clashing_name_before_the_progress_bar_starts(tmp_path):
    result = CliRunner().invoke(
        main,
        ["new", str(tmp_path / "w"), "--team", "Night Shift", "--team", "night shift!"],
        catch_exceptions=False,
    )
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: team name 'night shift!' is refused: its folder name 'night-shift' is already "
        "used by team 'Night Shift'; expected a different name\n"
    )
    assert not (tmp_path / "w").exists()


def test_new_makes_up_to_500_teams_and_refuses_more(tmp_path):
    result = CliRunner().invoke(main, ["new", str(tmp_path / "w"), "--teams", "501"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--teams': 501 is not in the range 0<=x<=500."
    ), result.output


# --------------------------------------------------------------------------- status
HOUR_NS = 3600 * 10**9


def _age(workshop: Path, ns: int = HOUR_NS) -> None:
    """Date every team file ``ns`` back, as files saved before the session are (the cache
    never keeps a folder saved in the last two seconds)."""
    for path in (workshop / "teams").rglob("*"):
        when = path.stat().st_mtime_ns - ns
        os.utime(path, ns=(when, when))


def _status(workshop: Path) -> tuple[dict[str, list[str]], list[tuple[str, object]]]:
    """``servekit status``'s rows by team (the cells split on spaces) and the files it opened."""
    with file_events() as seen:
        result = CliRunner().invoke(
            main, ["status", str(workshop)], env={"COLUMNS": "100"}, catch_exceptions=False
        )
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {"─"})
    legend = next(i for i, line in enumerate(lines) if line.startswith("✓ done"))
    rows = [line.split() for line in lines[rule + 1 : legend] if line.strip()]
    return {row[0]: row[1:] for row in rows}, seen


def _team_reads(seen: list[tuple[str, object]], workshop: Path) -> set[str]:
    """The teams whose files were opened."""
    teams = f"{workshop}/teams/"
    return {
        str(p)[len(teams) :].split("/")[0]
        for event, p in seen
        if event == "open" and str(p).startswith(teams)
    }


def _three_teams(tmp_path: Path) -> Path:
    workshop = make_workshop(tmp_path / "w", {"amber": None, "blue": None, "coral": None})
    for slug in ("amber", "blue", "coral"):  # names that sort as the folders do
        (workshop / "teams" / slug / "team.yaml").write_text(f"name: {slug}\nmembers: []\n")
    _age(workshop)
    return workshop


SCORES = "touchpoint_id,scorer,importance,performance,be,do,have\nT1,Ann,5,3,4,3,2\n"
STALE = SCORES.replace("T1,Ann", "T9,Ann")  # same size; T9 is no touchpoint: one error


def test_status_keeps_rows_in_the_workshop_and_reads_only_the_team_that_changed(tmp_path):
    """A second ``status`` opens no team file; after one team's save (same size, new content,
    a new modification time) it reads that team alone and shows the change."""
    workshop = _three_teams(tmp_path)
    first, seen = _status(workshop)
    assert _team_reads(seen, workshop) == {"amber", "blue", "coral"}
    assert first["blue"][-1] == "0", first  # no errors
    cache = workshop / ".servekit" / "status.json"
    assert cache.is_file()  # in the workshop, for the facilitator alone (it names every team)
    assert (stat.S_IMODE(cache.stat().st_mode), stat.S_IMODE(cache.parent.stat().st_mode)) == (
        0o600,
        0o700,
    )
    again, seen = _status(workshop)
    assert again == first and _team_reads(seen, workshop) == set()

    scores = workshop / "teams" / "blue" / "scores.csv"
    assert len(STALE) == len(SCORES) and scores.read_text() == SCORES
    before = scores.stat()
    with scores.open("r+") as handle:  # in place: same size, same inode
        handle.write(STALE)
    os.utime(scores, ns=(before.st_mtime_ns + 10**9, before.st_mtime_ns + 10**9))
    after = scores.stat()
    assert (after.st_size, after.st_ino) == (before.st_size, before.st_ino)
    changed, seen = _status(workshop)
    assert _team_reads(seen, workshop) == {"blue"}
    assert changed["blue"][-1] == "1", changed  # the new error shows
    assert changed["amber"] == first["amber"] and changed["coral"] == first["coral"]


def test_status_reads_again_a_team_saved_within_the_timestamp_granularity(tmp_path):
    """A save in the same clock tick as the one status read leaves size, time and inode as they
    were: a folder saved in the last two seconds is therefore never cached."""
    workshop = _three_teams(tmp_path)
    scores = workshop / "teams" / "blue" / "scores.csv"
    scores.write_text(SCORES)  # saved just now
    first, _ = _status(workshop)
    assert first["blue"][-1] == "0"
    before = scores.stat()
    with scores.open("r+") as handle:
        handle.write(STALE)
    os.utime(scores, ns=(before.st_atime_ns, before.st_mtime_ns))  # the same tick
    assert scores.stat().st_mtime_ns == before.st_mtime_ns
    changed, seen = _status(workshop)
    assert changed["blue"][-1] == "1", changed
    assert _team_reads(seen, workshop) == {"blue"}


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe\x00garbage",
        b'{"format": 1, "key": "x", "teams": {"blue": {"signature": 3, "value": []}}}',
        b"[]",
        b"",
    ],
)
def test_a_corrupt_status_cache_is_ignored_and_written_again(tmp_path, content):
    workshop = _three_teams(tmp_path)
    clean, _ = _status(workshop)
    cache = workshop / ".servekit" / "status.json"
    cache.write_bytes(content)
    rows, seen = _status(workshop)
    assert rows == clean
    assert _team_reads(seen, workshop) == {"amber", "blue", "coral"}
    assert sorted(json.loads(cache.read_bytes())["teams"]) == ["amber", "blue", "coral"]


def test_a_cached_row_of_the_wrong_shape_is_read_again(tmp_path):
    """A well-formed cache whose row lacks a column or holds text where a count goes (an older
    kit, a hand edit) is not shown: that team is read again."""
    workshop = _three_teams(tmp_path)
    clean, _ = _status(workshop)
    cache = workshop / ".servekit" / "status.json"
    data = json.loads(cache.read_bytes())
    data["teams"]["amber"]["value"]["errors"] = "lots"
    del data["teams"]["blue"]["value"]["journey"]
    cache.write_text(json.dumps(data))
    rows, seen = _status(workshop)
    assert rows == clean
    assert _team_reads(seen, workshop) == {"amber", "blue"}


def test_a_link_at_the_status_cache_is_never_followed(tmp_path):
    """A link planted where the cache goes, to a cache that would show 99 touchpoints, is
    neither read nor written through."""
    workshop = _three_teams(tmp_path)
    clean, _ = _status(workshop)
    cache = workshop / ".servekit" / "status.json"
    data = json.loads(cache.read_bytes())
    data["teams"]["amber"]["value"]["touchpoints"] = 99
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(data))
    planted = elsewhere.read_bytes()
    cache.unlink()
    cache.symlink_to(elsewhere)
    rows, seen = _status(workshop)
    assert rows == clean and rows["amber"][0] == "…"
    assert rows["amber"][1] == "2", rows  # not 99
    assert _team_reads(seen, workshop) == {"amber", "blue", "coral"}
    assert elsewhere.read_bytes() == planted
    assert cache.is_symlink()


def test_watch_refreshes_read_only_the_teams_saved_since_the_last(tmp_path):
    """``status --watch`` keeps one reader in memory: each refresh opens the files of the teams
    saved since the refresh before, and no other team's."""
    workshop = _three_teams(tmp_path)
    reader = ProgressReader(workshop, persistent=False)
    with file_events() as seen:
        frame = reader.frame()
    assert _team_reads(seen, workshop) == {"amber", "blue", "coral"}
    assert frame["touchpoints"].tolist() == [2, 2, 2]
    with file_events() as seen:
        assert reader.frame().equals(frame)
    assert _team_reads(seen, workshop) == set()
    assert not (workshop / ".servekit").exists()  # memory only
    journey = workshop / "teams" / "coral" / "journey.csv"
    with journey.open("a") as handle:
        handle.write("T3,Departure,3,,Check-out,,direct,desk,0,false\n")
    with file_events() as seen:
        frame = reader.frame()
    assert _team_reads(seen, workshop) == {"coral"}
    assert frame["touchpoints"].tolist() == [2, 2, 3]


def test_the_command_line_starts_without_importing_jupyterhub():
    """Every command paid JupyterHub's import (1.2 s of a 1.3 s start) because ``servekit hub``'s
    options came from the spawner module; they come from :mod:`kit.hub.limits` now."""
    code = (
        "import sys, kit.cli; print(sorted(m for m in sys.modules if m.startswith('jupyterhub')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n", done.stdout


def test_a_big_first_status_reads_the_teams_in_worker_processes_and_gets_the_same_rows(
    tmp_path,
):
    """From PARALLEL_FROM teams to read, the rows come from one process per core; in the
    teams' order, each the row the analysis gives for that team read here."""
    import multiprocessing
    import shutil

    from kit.analyses.progress import team_progress
    from kit.resources import datasets_dir
    from kit.room.workers import PARALLEL_FROM
    from kit.store.workshop import Workshop

    ws = make_workshop(tmp_path, teams={})
    samples = sorted(p for p in (datasets_dir() / "laurie-hospitality/teams").iterdir())
    count = PARALLEL_FROM + 6
    for n in range(count):  # a different sample team in turn, each named for its number
        target = ws / "teams" / f"t{n:02d}"
        shutil.copytree(samples[n % len(samples)], target)
        (target / "team.yaml").write_text(f"name: Team {n}\nmembers: []\n", encoding="utf-8")
    reader = ProgressReader(ws, persistent=False, settle_ns=0)
    parent = os.getpid()
    children_before = {p.pid for p in multiprocessing.active_children()}

    table = reader.frame()

    assert reader.read == [f"t{n:02d}" for n in range(count)]
    teams = Workshop(ws).teams()
    expected = team_progress({t.slug: t.load(strict=False) for t in teams})
    assert table.to_dict("records") == expected.to_dict("records")
    assert os.getpid() == parent
    assert {p.pid for p in multiprocessing.active_children()} == children_before  # all joined
