"""``servekit status``: fits 80 columns, escapes names, and ``--watch`` follows the disk."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from kit.cli import main

JOURNEY = (
    "touchpoint_id,stage,order,time,description,channel,contact,role_id,emotion,"
    "moment_of_truth\nT1,Arrival,1,,Check-in,,direct,,0,false\n"
)


def _table(output: str) -> tuple[list[str], list[str], list[str], str]:
    """Split ``servekit status`` output at the table's rule (a line of ``─``): the title lines
    above the header, the header, the rows below the rule, and the legend under them."""
    lines = output.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.strip() and set(line.strip()) == {"─"})
    legend = next(i for i, line in enumerate(lines) if line.startswith("✓ done"))
    rows = [line for line in lines[rule + 1 : legend] if line.strip()]
    return lines[: rule - 1], lines[rule - 1].split(), rows, lines[legend]


def test_status_fits_80_columns_with_a_long_name_and_says_what_the_numbers_are(tmp_path):
    runner = CliRunner()
    # a long path makes the title wrap, as a deep temp folder under xdist does
    target = tmp_path / ("a-deep-folder-" * 6) / "w"
    long_name = "A very long team name that goes on and on and on"
    result = runner.invoke(
        main, ["new", str(target), "--team", long_name, "--team", "Blue"], catch_exceptions=False
    )
    assert result.exit_code == 0
    (target / "teams" / "blue" / "journey.csv").write_text(JOURNEY, encoding="utf-8")
    result = runner.invoke(
        main, ["status", str(target)], env={"COLUMNS": "80"}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80, result.output
    title, header, rows, legend = _table(result.output)
    assert len(title) >= 2, result.output  # the path did wrap
    assert header == ["team", "journey", "pyramid", "needs", "scores", "plan", "errors"]
    assert len(rows) == 2, result.output
    assert rows[0].startswith("A very long team name"), result.output
    assert "…" in rows[0].split("  ")[0], result.output  # the name is cut, not wrapped
    assert rows[1].split() == ["Blue", "…", "1", "–", "0", "–", "0", "–", "0", "–", "0", "0"]
    assert legend.strip() == (
        "✓ done  … started  – to do · counts: touchpoints/roles/needs/scorers/actions"
    )
    # the title names the workshop and its team count, however it wraps
    assert "2 team(s)" in " ".join(" ".join(title).split()), title


def test_status_names_what_each_started_step_still_lacks_within_80_columns(tmp_path):
    runner = CliRunner()
    target = tmp_path / "w"
    names = ["Blue", "A very long team name that goes on and on and on", "Green"]
    result = runner.invoke(
        main,
        ["new", str(target), *(a for n in names for a in ("--team", n))],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    blue = target / "teams" / "blue"
    (blue / "journey.csv").write_text(
        JOURNEY.replace(",0,false", ",0,true") + "T2,Room,2,,Room ready,,indirect,,0,false\n"
        "T3,Stay,3,,Breakfast,,direct,,0,false\nT4,Leave,4,,Check-out,,direct,,0,true\n",
        encoding="utf-8",
    )
    (blue / "roles.csv").write_text("role_id,name,level\nguest,Guest,customer\n")
    (blue / "needs.csv").write_text("touchpoint_id,kind,need\nT1,do,Fast check-in\n")
    (blue / "scores.csv").write_text("touchpoint_id,scorer,importance,performance\nT1,Ann,5,3\n")
    long = target / "teams" / "a-very-long-team-name-that-goes-on-and-on-and-on"
    (long / "plan.csv").write_text(
        "action_id,touchpoint_id,kind,action\nA1,T1,do,Train\n", encoding="utf-8"
    )
    result = runner.invoke(
        main, ["status", str(target)], env={"COLUMNS": "80"}, catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    lines = [line.rstrip() for line in result.output.splitlines()]
    assert max(len(line) for line in lines) <= 80, result.output
    todo = lines[lines.index("Still to do in the steps marked …:") :]
    assert todo == [
        "Still to do in the steps marked …:",
        "  A very long team …  answer the action-plan questions",
        "  Blue                map at least 6 touchpoints of the journey (4 so far); add",
        "                      a frontline role to the pyramid; say who serves whom in",
        "                      the pyramid; list the needs of 1 more moment of truth;",
        "                      score 3 more touchpoints",
    ]  # Green has started nothing: its "–" marks say so, no line


def _read_until(proc: subprocess.Popen, needle: str, timeout: float = 180.0) -> str:
    """Read the process's stdout until ``needle`` appears; fail after ``timeout`` s (a generous
    ceiling for a loaded machine), showing what it printed so far."""
    seen = ""
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    end = time.monotonic() + timeout
    while needle not in seen:
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{needle!r} never appeared in {timeout:g} s; it printed:\n{seen}")
        if sel.select(left):
            chunk = os.read(proc.stdout.fileno(), 65536).decode("utf-8", "replace")
            if not chunk:
                raise AssertionError(f"status --watch ended early:\n{seen}")
            seen += chunk
    return seen


@pytest.mark.slow
def test_status_watch_follows_the_disk_and_stops_cleanly_on_ctrl_c(tmp_path):
    target = tmp_path / "w"
    result = CliRunner().invoke(
        main, ["new", str(target), "--team", "Blue"], catch_exceptions=False
    )
    assert result.exit_code == 0
    proc = subprocess.Popen(
        [sys.executable, "-m", "kit", "status", str(target), "--watch", "--interval", "0.3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "80"},
    )
    try:
        first = _read_until(proc, "Blue")
        assert "… 1" not in first  # nothing started yet
        (target / "teams" / "blue" / "journey.csv").write_text(JOURNEY, encoding="utf-8")
        _read_until(proc, "… 1")
        proc.send_signal(signal.SIGINT)
        try:  # waits for the exit itself; the ceiling is only for a process that hangs
            out, err = proc.communicate(timeout=180)
        except subprocess.TimeoutExpired as exc:
            raise AssertionError(
                f"status --watch did not stop within 180 s of Ctrl-C; last output:\n"
                f"{(exc.stdout or b'').decode()[-2000:]}"
            ) from exc
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err.decode()
    assert "Traceback" not in err.decode()
    assert out.decode().rstrip().endswith("stopped watching")


def test_status_refuses_a_workshop_without_teams(tmp_path):
    (tmp_path / "w" / "teams").mkdir(parents=True)
    (tmp_path / "w" / "workshop.yaml").write_text("title: T\ncase: laurie-hospitality\n")
    result = CliRunner().invoke(main, ["status", str(tmp_path / "w")], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no teams in {tmp_path / 'w'}/teams; create some with 'servekit new'\n"
    )


def test_status_escapes_markup_and_control_characters_in_names(tmp_path):
    target = tmp_path / "w"
    runner = CliRunner()
    assert (
        runner.invoke(
            main, ["new", str(target), "--team", "[red]Loud[reset] team"], catch_exceptions=False
        ).exit_code
        == 0
    )
    result = runner.invoke(main, ["status", str(target)], catch_exceptions=False)
    assert "[red]Loud[reset] team" in result.output


def test_status_shows_a_bidi_control_in_a_team_name_escaped(tmp_path):
    """Issue 27: U+202E in a name would reverse the rest of the terminal line; status shows it
    as an escape and the name stays readable."""
    target = tmp_path / "w"
    runner = CliRunner()
    made = runner.invoke(
        main, ["new", str(target), "--team", "Evil\u202eName"], catch_exceptions=False
    )
    assert made.exit_code == 0
    result = runner.invoke(main, ["status", str(target)], catch_exceptions=False)
    assert "\u202e" not in result.output
    assert "Evil\\u202eName" in result.output
