"""Edits from several people (issue 16): real processes, a barrier, kills and injected failures.

Two processes load the same team, change it, meet at a barrier and save at the same moment:
edits of different rows merge, the same row clashes (one save is refused, naming both values),
and a change that would break the team across files is refused with an offer. Saves of several
files are one change: a failure or a kill midway leaves a team that validates.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from conftest import write_team

from kit.exceptions import RowConflict, TeamWouldBreak
from kit.store import storage
from kit.store.csvio import atomic_write
from kit.store.workbook import Workbook, validate_team

SPAWN = multiprocessing.get_context("spawn")


# --------------------------------------------------------------------------- the workers
def _edit(wb: Workbook, action: str) -> None:
    if action.startswith("describe "):
        _, touchpoint, text = action.split(" ", 2)
        journey = wb["journey"]
        journey.loc[journey["touchpoint_id"] == touchpoint, "description"] = text
        wb["journey"] = journey
    elif action == "delete T2":
        wb["journey"] = wb["journey"].query("touchpoint_id != 'T2'")
    elif action == "need for T2":
        needs = wb["needs"]
        needs.loc[len(needs)] = {
            "touchpoint_id": "T2",
            "kind": "have",
            "need": "Fresh linen",
            "provider_role": None,
        }
        wb["needs"] = needs
    else:  # pragma: no cover - a typo in a test
        raise ValueError(action)


def _worker(folder: str, action: str, barrier, results) -> None:
    wb = Workbook.load(folder)
    _edit(wb, action)
    barrier.wait(timeout=60)
    try:
        wb.save()
        results.put((action, "saved", ""))
    except RowConflict as exc:
        results.put((action, "conflict", str(exc)))
    except TeamWouldBreak as exc:
        results.put((action, "refused", f"{exc}\n{exc.offer_text()}"))


def _race(folder, *actions: str) -> dict[str, tuple[str, str]]:
    barrier = SPAWN.Barrier(len(actions))
    results = SPAWN.Queue()
    procs = [
        SPAWN.Process(target=_worker, args=(str(folder), a, barrier, results)) for a in actions
    ]
    for proc in procs:
        proc.start()
    out = {}
    for _ in actions:
        action, outcome, message = results.get(timeout=120)
        out[action] = (outcome, message)
    for proc in procs:
        proc.join(timeout=60)
        assert proc.exitcode == 0
    return out


def _journey(folder) -> pd.DataFrame:
    return Workbook.load(folder)["journey"].set_index("touchpoint_id")


# --------------------------------------------------------------------------- two processes
def test_two_processes_editing_different_rows_both_keep_their_edit(mini_team):
    out = _race(mini_team, "describe T1 Greeted by name", "describe T2 Turned down at six")
    assert {o for o, _ in out.values()} == {"saved"}
    journey = _journey(mini_team)
    assert journey.loc["T1", "description"] == "Greeted by name"
    assert journey.loc["T2", "description"] == "Turned down at six"


def test_two_processes_editing_the_same_row_one_is_asked_with_both_values(mini_team):
    out = _race(mini_team, "describe T1 Ann's text", "describe T1 Bo's text")
    assert sorted(o for o, _ in out.values()) == ["conflict", "saved"]
    winner = next(a for a, (o, _) in out.items() if o == "saved").split(" ", 2)[2]
    loser = next(a for a, (o, _) in out.items() if o == "conflict").split(" ", 2)[2]
    message = next(m for o, m in out.values() if o == "conflict")
    assert message == (
        f"journey.csv, row touchpoint_id=T1, description: theirs {winner!r}, yours {loser!r}"
    )
    assert _journey(mini_team).loc["T1", "description"] == winner


def test_two_processes_breaking_the_team_across_files_one_is_refused(mini_team):
    out = _race(mini_team, "delete T2", "need for T2")
    outcomes = {a: o for a, (o, _) in out.items()}
    assert sorted(outcomes.values()) == ["refused", "saved"]
    assert validate_team(mini_team) == []
    refused = next(a for a, o in outcomes.items() if o == "refused")
    # Either order: the need came first (deleting T2 would orphan it) or T2 went first (the
    # new need has no touchpoint). Both say so the same way and offer the same cascade.
    assert out[refused][1] == (
        "teams/mini/needs.csv:3:touchpoint_id: 'T2' is not a "
        "touchpoint_id in journey.csv; expected one of: T1\n"
        "delete the 1 dependent row of needs.csv too"
    )
    assert ("T2" in _journey(mini_team).index) == (refused == "delete T2")


def test_the_offer_deletes_the_dependent_rows_and_the_team_stays_valid(mini_team):
    mine, theirs = Workbook.load(mini_team), Workbook.load(mini_team)
    _edit(theirs, "need for T2")
    theirs.save()
    _edit(mine, "delete T2")
    with pytest.raises(TeamWouldBreak) as err:
        mine.save()
    assert err.value.offer == {"needs": 1}
    assert "T2" in _journey(mini_team).index
    mine.save(cascade=True)
    assert "T2" not in _journey(mini_team).index
    assert validate_team(mini_team) == []
    assert mine["needs"]["touchpoint_id"].tolist() == ["T1"]  # the workbook shows disk


# --------------------------------------------------------------------------- injected failures
def test_atomic_write_failing_at_replace_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "journey.csv"
    target.write_text("old\n")

    def refuse(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space left on device"):
        atomic_write(target, "new\n")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["journey.csv"]


def test_a_two_file_save_failing_between_files_is_finished_on_the_next_load(mini_team, monkeypatch):
    wb = Workbook.load(mini_team)
    wb.set_tables(
        {
            "needs": wb["needs"].iloc[0:0],
            "journey": wb["journey"].query("touchpoint_id != 'T1'"),
            "scores": wb["scores"].iloc[0:0],
            "plan": wb["plan"].iloc[0:0],
            "results": wb["results"].iloc[0:0],
        }
    )
    real = os.replace

    def fail_on_needs(src, dst, **kwargs):
        if str(dst).endswith("/needs.csv") and ".history" not in str(dst):
            raise OSError(5, "Input/output error")
        return real(src, dst, **kwargs)

    monkeypatch.setattr(os, "replace", fail_on_needs)
    with pytest.raises(OSError, match="Input/output error"):
        wb.save()
    monkeypatch.setattr(os, "replace", real)
    assert storage.needs_recovery(mini_team)
    again = Workbook.load(mini_team)  # finishes the committed save
    assert again.problems == []
    assert again["journey"]["touchpoint_id"].tolist() == ["T2"]
    assert len(again["needs"]) == 0
    assert not storage.needs_recovery(mini_team)
    assert not list(mini_team.glob(".*.tmp"))


def test_a_failure_before_the_commit_leaves_the_old_files(mini_team, monkeypatch):
    before = {p.name: p.read_bytes() for p in mini_team.iterdir() if p.is_file()}
    wb = Workbook.load(mini_team)
    wb.set_tables(
        {"needs": wb["needs"].iloc[0:0], "journey": wb["journey"].query("touchpoint_id != 'T2'")}
    )

    real = storage.safefs.write_bytes

    def no_journal(base, rel, *args, **kwargs):
        if str(rel) == storage.JOURNAL:
            raise OSError(28, "No space left on device")
        return real(base, rel, *args, **kwargs)

    monkeypatch.setattr(storage.safefs, "write_bytes", no_journal)
    with pytest.raises(OSError):
        wb.save()
    monkeypatch.undo()
    assert {
        p.name: p.read_bytes()
        for p in mini_team.iterdir()
        if p.is_file() and not p.name.startswith(".")
    } == before
    assert not list(mini_team.glob(".*.tmp"))


# --------------------------------------------------------------------------- kills
SAVER = textwrap.dedent("""
    import sys
    from kit.store.workbook import Workbook
    folder = sys.argv[1]
    print("ready", flush=True)
    i = 0
    while True:
        wb = Workbook.load(folder)
        old, new = ("T1", "T9") if i % 2 == 0 else ("T9", "T1")
        journey = wb["journey"]
        journey.loc[journey["touchpoint_id"] == old, "touchpoint_id"] = new
        for name in ("needs", "scores", "plan"):
            table = wb[name]
            table.loc[table["touchpoint_id"] == old, "touchpoint_id"] = new
            wb[name] = table
        wb.set_tables({"journey": journey, **{n: wb[n] for n in ("needs", "scores", "plan")}})
        wb.save()
        i += 1
""")


def test_a_multi_file_save_killed_midway_leaves_a_team_that_validates(tmp_path):
    team = write_team(tmp_path / "team")
    for delay in (0.4, 0.55, 0.7, 0.85, 1.0, 1.2):
        proc = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(team)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.kill()
        proc.wait()
        proc.stdout.close()
        assert validate_team(team) == []  # never a mix of the old and the new files
        ids = set(Workbook.load(team)["journey"]["touchpoint_id"])
        assert ids in ({"T1", "T2"}, {"T9", "T2"})
    wb = Workbook.load(team)
    wb.set_reflection("first_step", "After the kills")
    wb.save()
    assert not list(team.glob(".*.tmp"))  # leftovers of killed saves are cleaned up


def test_temp_files_of_a_killed_save_are_removed_by_the_next_save(mini_team):
    (mini_team / ".journey.csv.x1y2z3.tmp").write_text("half a file")
    (mini_team / ".history").mkdir()
    (mini_team / ".history" / ".20260101T000000000000.journey.csv.q.tmp").write_text("half")
    wb = Workbook.load(mini_team)
    wb.set_reflection("first_step", "New")
    wb.save()
    assert sorted(p.name for p in mini_team.rglob(".*.tmp")) == []


def test_history_is_bounded_in_size_as_well_as_count(mini_team, monkeypatch):
    monkeypatch.setattr(storage, "HISTORY_MAX_BYTES", 3000)
    wb = Workbook.load(mini_team)
    for n in range(40):
        wb.set_reflection("first_step", f"Answer {n} " + "x" * 200)
        wb.save()
    history = list((mini_team / ".history").iterdir())
    assert sum(p.stat().st_size for p in history) <= 3000
    assert 5 <= len(history) < 40
    newest = max(history, key=lambda p: p.name)
    assert "Answer 38" in newest.read_text()  # the newest previous version is kept
