"""Issue 25, at 300 teams: ``servekit new`` does the same work for each team whatever the number
of teams (counted as real file opens and folder listings), and shows its progress; and
every command starts without JupyterHub."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

from click.testing import CliRunner
from helpers import file_events

from kit.cli import main


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


def test_the_command_line_starts_without_importing_jupyterhub():
    """Every command paid JupyterHub's import (1.2 s of a 1.3 s start) because ``servekit hub``'s
    options came from the spawner module; they come from :mod:`kit.hub.limits` now."""
    code = (
        "import sys, kit.cli; print(sorted(m for m in sys.modules if m.startswith('jupyterhub')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n", done.stdout
