"""The workbook: forgiving reads, round trips, atomic saves, conflicts and history."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest
from conftest import MINI_TEAM, write_team
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.exceptions import ConflictError, InvalidData
from kit.store.workbook import Workbook, table_text, validate_team


def test_new_team_is_empty_and_valid(tmp_path):
    wb = Workbook.load(tmp_path / "brand-new")
    assert wb.problems == []
    assert all(len(wb[name]) == 0 for name in wb.tables)
    assert list(wb["journey"].columns)[:3] == ["touchpoint_id", "stage", "order"]


def test_mini_team_loads_typed(mini_team):
    wb = Workbook.load(mini_team)
    journey = wb["journey"]
    assert journey["order"].tolist() == [1, 2]
    assert journey["moment_of_truth"].tolist() == [True, False]
    assert pd.isna(journey.loc[1, "role_id"]) and pd.isna(journey.loc[1, "time"])
    assert wb["plan"].loc[0, "due"] == dt.date(2026, 3, 1)
    assert wb["scores"]["have"].tolist() == [2]
    assert wb.name == "Mini team" and wb.members == ["Ann", "Bo"]
    assert wb.reflections == {"first_step": "Ann books the training room."}


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("TRUE", True),
        ("yes", True),
        ("1", True),
        ("x", True),
        ("FALSE", False),
        ("No", False),
        ("0", False),
        ("", False),
    ],
)
def test_excel_style_booleans(tmp_path, word, value):
    header = MINI_TEAM["journey.csv"].splitlines()[0]
    team = write_team(tmp_path, {"journey.csv": f"{header}\nT1,A,1,,d,,direct,,0,{word}\n"})
    assert (
        Workbook.load(team)["journey"].loc[0, "moment_of_truth"] is value
        or bool(Workbook.load(team)["journey"].loc[0, "moment_of_truth"]) is value
    )


def test_whitespace_bom_semicolons_and_quoted_newlines(tmp_path):
    text = (
        "\ufefftouchpoint_id ; stage;order;description;contact\n"
        ' T1 ; Arrival ; 1 ;"Greeted\nat the door"; DIRECT \n'
    )
    team = write_team(tmp_path, {"journey.csv": text.encode("utf-8")})
    wb = Workbook.load(team)
    row = wb["journey"].iloc[0]
    assert (row["touchpoint_id"], row["stage"], row["contact"]) == ("T1", "Arrival", "direct")
    assert row["description"] == "Greeted\nat the door"
    assert any("semicolons" in p.message for p in wb.problems)


def test_non_utf8_is_read_with_a_warning_naming_the_row(tmp_path):
    team = write_team(
        tmp_path,
        {"roles.csv": (MINI_TEAM["roles.csv"] + "gm,Gérant,executive,1\n").encode("cp1252")},
    )
    wb = Workbook.load(team)
    assert wb["roles"]["name"].tolist()[-1] == "Gérant"
    warning = next(p for p in wb.problems if "UTF-8" in p.message)
    assert (warning.row, warning.severity) == (5, "warning")


@pytest.mark.parametrize("text", ["", "\n\n", "from_role,to_role\n"])
def test_empty_and_header_only_files_are_empty_tables(tmp_path, text):
    team = write_team(tmp_path, {"serves.csv": text})
    assert len(Workbook.load(team)["serves"]) == 0


def test_unknown_column_is_a_warning_and_survives_a_save(mini_team):
    path = mini_team / "roles.csv"
    path.write_text(
        MINI_TEAM["roles.csv"]
        .replace("headcount\n", "headcount,notes\n", 1)
        .replace("customer,\n", "customer,,VIP guests\n")
    )
    wb = Workbook.load(mini_team)
    assert [p.column for p in wb.problems if p.severity == "warning"] == ["notes"]
    roles = wb["roles"]
    roles.loc[1, "headcount"] = 5
    wb["roles"] = roles
    wb.save()
    again = Workbook.load(mini_team)
    assert again["roles"]["notes"].tolist()[0] == "VIP guests"
    assert again["roles"]["headcount"].tolist()[1] == 5


def test_invalid_table_is_refused_and_nothing_reaches_disk(mini_team):
    wb = Workbook.load(mini_team)
    before = (mini_team / "scores.csv").read_bytes()
    scores = wb["scores"]
    scores.loc[0, "importance"] = 9
    with pytest.raises(InvalidData) as err:
        wb["scores"] = scores
    assert "scores.csv:2:importance" in str(err.value)
    assert wb.save() == []
    assert (mini_team / "scores.csv").read_bytes() == before


def test_deleting_a_role_still_in_use_is_refused(mini_team):
    wb = Workbook.load(mini_team)
    with pytest.raises(InvalidData) as err:
        wb["roles"] = wb["roles"][wb["roles"]["role_id"] != "fom"]
    assert "needs.csv:2:provider_role" in str(err.value)


def test_load_then_save_without_edits_writes_nothing(mini_team):
    stamps = {p.name: p.stat().st_mtime_ns for p in mini_team.iterdir()}
    assert Workbook.load(mini_team).save() == []
    assert {p.name: p.stat().st_mtime_ns for p in mini_team.iterdir()} == stamps


# ---- round trip (hypothesis) -----------------------------------------------------------------
text = (
    st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
opt_text = st.one_of(st.none(), text)
role_rows = st.lists(
    st.fixed_dictionaries(
        {
            "name": text,
            "level": st.sampled_from(["customer", "frontline", "support", "manager", "executive"]),
            "headcount": st.one_of(
                st.none(), st.floats(0, 1e5, allow_nan=False).map(lambda x: round(x, 3))
            ),
            "unit": opt_text,
        }
    ),
    min_size=0,
    max_size=8,
)
journey_rows = st.lists(
    st.fixed_dictionaries(
        {
            "stage": text,
            "order": st.integers(0, 500),
            "time": st.one_of(st.none(), st.times().map(lambda t: t.strftime("%H:%M"))),
            "description": text,
            "channel": opt_text,
            "contact": st.sampled_from(["direct", "indirect"]),
            "emotion": st.integers(-2, 2),
            "moment_of_truth": st.booleans(),
        }
    ),
    min_size=0,
    max_size=10,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(roles=role_rows, journey=journey_rows)
def test_round_trip_load_save_load_is_identity(tmp_path_factory, roles, journey):
    folder = tmp_path_factory.mktemp("rt")
    wb = Workbook.load(folder)
    role_df = pd.DataFrame(
        [{"role_id": f"r{i}", **r} for i, r in enumerate(roles)],
        columns=["role_id", "name", "level", "headcount", "unit"],
    )
    wb["roles"] = role_df
    ids = role_df["role_id"].tolist()
    wb["journey"] = pd.DataFrame(
        [
            {"touchpoint_id": f"T{i}", **j, "role_id": ids[i % len(ids)] if ids else None}
            for i, j in enumerate(journey)
        ],
        columns=list(wb["journey"].columns),
    )
    wb.save()
    first = Workbook.load(folder)
    assert first.save() == []  # nothing changed
    for name in ("roles", "journey"):
        pd.testing.assert_frame_equal(first[name], wb[name])
        file = folder / f"{name}.csv"
        if len(wb[name]) or file.exists():
            assert table_text(name, first[name]) == file.read_text()
    second = Workbook.load(folder)
    for name in ("roles", "journey"):
        pd.testing.assert_frame_equal(second[name], first[name])


# ---- atomic save survives a kill -------------------------------------------------------------
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from kit.store.csvio import atomic_write
    target = Path(sys.argv[1])
    a, b = ("A" * 2_000_000), ("B" * 2_000_000)
    print("ready", flush=True)
    i = 0
    while True:
        atomic_write(target, a if i % 2 else b)
        i += 1
""")


def test_atomic_save_survives_a_kill_mid_write(tmp_path):
    target = tmp_path / "journey.csv"
    target.write_text("A" * 2_000_000)
    for delay in (0.05, 0.13, 0.21, 0.37):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.kill()
        proc.wait()
        content = target.read_text()
        assert content in ("A" * 2_000_000, "B" * 2_000_000), "torn file after kill"
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "journey.csv"]
    assert all(name.endswith(".tmp") for name in leftovers)  # temp files only, never the target


# ---- concurrent change detection -------------------------------------------------------------
def test_second_writer_gets_a_conflict_not_an_overwrite(mini_team):
    first, second = Workbook.load(mini_team), Workbook.load(mini_team)
    journey = first["journey"]
    journey.loc[0, "description"] = "Check-in with a smile"
    first["journey"] = journey
    first.save()
    theirs = second["journey"]
    theirs.loc[0, "description"] = "Check-in, quickly"
    second["journey"] = theirs
    with pytest.raises(ConflictError) as err:
        second.save()
    assert "journey.csv" in str(err.value)
    assert Workbook.load(mini_team)["journey"].loc[0, "description"] == "Check-in with a smile"
    assert second.stale() == ["journey.csv"]
    second.save(force=True)  # "keep mine"
    assert Workbook.load(mini_team)["journey"].loc[0, "description"] == "Check-in, quickly"
    history = sorted((mini_team / ".history").glob("*.journey.csv"))
    assert len(history) == 2
    assert "Check-in with a smile" in history[-1].read_text()
    assert "Check-in at the desk" in history[0].read_text()


def test_reload_takes_their_version(mini_team):
    first, second = Workbook.load(mini_team), Workbook.load(mini_team)
    first.set_reflection("first_step", "Bo phones IT.")
    first.save()
    second.reload()
    assert second.reflections["first_step"] == "Bo phones IT."
    assert second.stale() == []


def test_validate_team_collects_everything(tmp_path):
    team = write_team(
        tmp_path,
        {"scores.csv": "touchpoint_id,scorer,importance,performance\nT1,Ann,0,9\nT1,Bo,x,3\n"},
    )
    where = {f"{p.path}:{p.row}:{p.column}" for p in validate_team(team)}
    assert {
        "scores.csv:2:importance",
        "scores.csv:2:performance",
        "scores.csv:3:importance",
    } <= where


def test_saved_files_keep_their_permissions(mini_team):
    import os
    import stat

    journey = mini_team / "journey.csv"
    os.chmod(journey, 0o664)
    wb = Workbook.load(mini_team)
    frame = wb["journey"]
    frame.loc[0, "description"] = "Changed"
    wb["journey"] = frame
    wb.set_reflection("culture_of_service", "New answer")
    wb.save()
    assert stat.S_IMODE(journey.stat().st_mode) == 0o664
    new = Workbook.load(mini_team.parent / "brand-new")
    new["roles"] = pd.DataFrame([{"role_id": "g", "name": "Guest", "level": "customer"}])
    new.save()
    umask = os.umask(0)
    os.umask(umask)
    assert (
        stat.S_IMODE((mini_team.parent / "brand-new" / "roles.csv").stat().st_mode)
        == 0o666 & ~umask
    )  # as a plain open() would create it, not mkstemp's 0600
