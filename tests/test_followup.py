"""Follow-up analysis: progress and status on hand-worked examples, lenient reading, cross-team."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest

from kit.analyses.followup import (
    STATUSES,
    across_teams,
    action_records,
    as_date,
    plan_progress,
    progress_share,
    read_team,
    status_of,
)

AS_OF = "2026-04-15"

# Hand-worked plan: every status, both directions, one data point, no data.
PLAN = pd.DataFrame(
    {
        "action_id": [
            "up",
            "down",
            "met_down",
            "away",
            "late",
            "late_nodata",
            "none",
            "one",
            "flat",
            "notarget",
            "met_late",
        ],
        "kind": ["do", "have", "have", "be", "do", "be", "do", "have", "do", "be", "do"],
        "baseline": [60.0, 14.0, 20.0, 10.0, 0.0, 1.0, 1.0, 3.0, 5.0, None, 100.0],
        "target": [100.0, 5.0, 4.0, 20.0, 10.0, 2.0, 2.0, 1.0, 5.0, 9.0, 50.0],
        "due": [
            "2026-06-30",
            "2026-06-30",
            None,
            "2026-05-01",
            "2026-03-31",
            "2026-04-01",
            None,
            "2026-05-31",
            None,
            None,
            "2026-01-31",
        ],
        "owner_role": ["gm", "it", "it", None, "gm", "fom", "gm", "it", None, "gm", "gm"],
    }
)
RESULTS = pd.DataFrame(
    {
        "action_id": [
            "up",
            "up",
            "down",
            "down",
            "met_down",
            "away",
            "late",
            "one",
            "flat",
            "notarget",
            "met_late",
            "up",
        ],
        "date": [
            "2026-02-01",
            "2026-03-01",
            "2026-04-01",
            "2026-03-01",
            "2026-03-10",
            "2026-04-01",
            "2026-03-01",
            "2026-04-10",
            "2026-04-01",
            "2026-04-01",
            "2026-04-01",
            "2026-05-01",
        ],
        "value": [70.0, 90.0, 8.0, 11.0, 3.0, 8.0, 4.0, 2.5, 6.0, 3.0, 40.0, 100.0],
    }
)


@pytest.fixture(scope="module")
def got() -> pd.DataFrame:
    return plan_progress(PLAN, RESULTS, as_of=AS_OF).set_index("action_id")


def test_higher_is_better_uses_latest_result_up_to_as_of(got):
    # 60 -> 100; latest up to 2026-04-15 is 90 (the 100 on 2026-05-01 is after as-of).
    assert got.loc["up", "latest"] == 90.0
    assert got.loc["up", "progress"] == pytest.approx((90 - 60) / (100 - 60))  # 0.75
    assert got.loc["up", "status"] == "on the way"
    assert got.loc["up", "direction"] == "higher is better"
    assert got.loc["up", "measurements"] == 2
    assert "1 result dated after 2026-04-15 left out." in got.loc["up", "notes"]


def test_lower_is_better_reads_the_later_date_not_the_last_row(got):
    # 14 -> 5; results 11 (03-01) then 8 (04-01), rows out of order: (8-14)/(5-14) = 2/3.
    assert got.loc["down", "latest"] == 8.0 and got.loc["down", "latest_date"] == "2026-04-01"
    assert got.loc["down", "first"] == 11.0
    assert got.loc["down", "progress"] == pytest.approx(2 / 3)
    assert got.loc["down", "status"] == "on the way"
    assert got.loc["down", "direction"] == "lower is better"


def test_met_beyond_target_in_the_lower_direction(got):
    # 20 -> 4, result 3: (3-20)/(4-20) = 17/16, beyond the target.
    assert got.loc["met_down", "progress"] == pytest.approx(17 / 16)
    assert got.loc["met_down", "status"] == "target met"


def test_moving_away_is_off_track(got):
    # 10 -> 20, result 8: (8-10)/(20-10) = -0.2
    assert got.loc["away", "progress"] == pytest.approx(-0.2)
    assert got.loc["away", "status"] == "off track"


def test_overdue_with_and_without_data(got):
    # due 2026-03-31 < as-of, 0 -> 10, result 4: 0.4, not met.
    assert got.loc["late", "progress"] == pytest.approx(0.4)
    assert got.loc["late", "status"] == "overdue"
    assert got.loc["late_nodata", "status"] == "overdue"
    assert got.loc["late_nodata", "measurements"] == 0


def test_a_target_met_after_its_due_date_is_met(got):
    # 100 -> 50 by 2026-01-31, 40 on 2026-04-01: (40-100)/(50-100) = 1.2
    assert got.loc["met_late", "progress"] == pytest.approx(1.2)
    assert got.loc["met_late", "status"] == "target met"


def test_no_data_and_one_data_point(got):
    assert got.loc["none", "status"] == "not measured yet"
    assert math.isnan(got.loc["none", "progress"]) and math.isnan(got.loc["none", "latest"])
    assert "No due date: this action can never be called overdue." in got.loc["none", "notes"]
    # 3 -> 1, one result 2.5: (2.5-3)/(1-3) = 0.25
    assert got.loc["one", "progress"] == pytest.approx(0.25)
    assert got.loc["one", "status"] == "on the way"
    assert "Only one result so far: no trend yet." in got.loc["one", "notes"]


def test_no_target_says_why(got):
    assert got.loc["flat", "status"] == "no target set"
    assert (
        "The baseline and the target are the same number, so progress cannot be computed."
        in got.loc["flat", "notes"]
    )
    assert got.loc["notarget", "status"] == "no target set"
    assert (
        "No baseline is set, so progress cannot be computed; add it to the plan."
        in got.loc["notarget", "notes"]
    )


def test_every_status_is_defined_and_used(got):
    assert set(got["status"]) == set(STATUSES)
    assert all(len(text) > 40 for text in STATUSES.values())


def test_stale_results_are_noted():
    plan = pd.DataFrame({"action_id": ["A"], "baseline": [0.0], "target": [1.0]})
    res = pd.DataFrame({"action_id": ["A"], "date": ["2026-01-01"], "value": [0.5]})
    row = plan_progress(plan, res, as_of="2026-04-01").iloc[0]
    assert "The latest result is 90 days old (measured 2026-01-01)." in row["notes"]


@pytest.mark.parametrize(
    ("baseline", "target", "value", "share"),
    [(0, 10, 5, 0.5), (10, 0, 5, 0.5), (10, 0, 12, -0.2), (-5, 5, 5, 1.0), (2, 4, 8, 3.0)],
)
def test_progress_is_symmetric_in_direction(baseline, target, value, share):
    assert progress_share(baseline, target, value) == pytest.approx(share)
    # Flipping the sign of every number flips the direction and keeps the share.
    assert progress_share(-baseline, -target, -value) == pytest.approx(share)


def test_status_order_is_the_definition():
    day = dt.date(2026, 4, 1)
    assert status_of(1.0, 1, dt.date(2026, 3, 1), day) == "target met"
    assert status_of(0.99, 1, dt.date(2026, 3, 31), day) == "overdue"
    assert status_of(0.99, 1, day, day) == "on the way"  # due today is not yet overdue


def test_bad_as_of_date_is_a_clear_message():
    with pytest.raises(ValueError) as err:
        as_date("31/12/2026")
    assert str(err.value) == "got '31/12/2026'; expected a date written YYYY-MM-DD, e.g. 2026-06-30"


def test_action_records_and_across_teams_hand_worked(got):
    records = action_records(
        plan_progress(PLAN, RESULTS, as_of=AS_OF),
        "t",
        "Team",
        pd.DataFrame({"role_id": ["gm"], "name": ["General manager"]}),
    )
    by_id = {r["action_id"]: r for r in records}
    assert by_id["up"]["progress"] == pytest.approx(0.75) and by_id["up"]["status"] == "on the way"
    assert by_id["none"]["progress"] is None and by_id["none"]["latest"] is None
    assert by_id["late"]["owner_name"] == "General manager"
    assert by_id["late_nodata"]["owner_name"] == "fom"  # unknown role: its id
    out = across_teams(records)
    # on track: up, down, one (on the way) + met_down, met_late (met) = 5 of 11
    assert out["on_track"] == 5 and out["on_track_share"] == pytest.approx(5 / 11)
    assert out["overdue_by_owner"] == {"General manager": 1, "fom": 1}
    # have: down .667, met_down 1.0625, one .25 -> 1 met of 3 measured;
    # do: up .75, late .4, met_late 1.2 -> 1 of 3 (flat has no progress); be: away -0.2 -> 0/1
    assert out["kinds"]["have"]["met"] == 1 and out["kinds"]["have"]["measured"] == 3
    assert out["kinds"]["do"]["met_share"] == pytest.approx(1 / 3)
    assert out["kinds"]["do"]["median_progress"] == pytest.approx(0.75)
    assert out["kinds"]["have"]["median_progress"] == pytest.approx(2 / 3)
    assert out["best_kind"] == "do"  # tie on 1/3, higher median
    assert out["kinds"]["be"]["met_share"] == 0


def test_read_team_keeps_actions_with_unreadable_numbers(tmp_path: Path):
    team = tmp_path / "teams" / "x"
    team.mkdir(parents=True)
    (team / "journey.csv").write_text(
        "touchpoint_id,stage,order,description,contact\nT1,A,1,Desk,direct\n"
    )
    (team / "plan.csv").write_text(
        "action_id,touchpoint_id,kind,action,due,baseline,target\n"
        "A1,T1,do,Faster,soon,about 10,5\n"
        "A2,T1,be,Kinder,2026-05-01,1,2\n"
        "A3,T9,do,Broken,,1,2\n"
    )
    (team / "results.csv").write_text(
        "action_id,date,value\nA2,2026-04-01,n/a\nA2,2026-04-02,1.5\n"
    )
    data = read_team(team)
    assert sorted(data.plan["action_id"]) == ["A1", "A2", "A3"]  # A3: a wrong reference only
    assert data.notes["A1"] == [
        "The due 'soon' is not a date (YYYY-MM-DD); it is left blank here.",
        "The baseline 'about 10' is not a number; it is left blank here.",
    ]
    assert data.notes["A2"] == [
        "A result on row 2 of results.csv has value 'n/a', which is not a number; it is left out."
    ]
    assert [str(p) for p in data.problems] == [
        "teams/x/plan.csv:4:touchpoint_id: 'T9' is not a touchpoint_id in journey.csv; "
        "expected one of: T1"
    ]
    got = plan_progress(data.plan, data.results, as_of="2026-04-15", notes=data.notes)
    got = got.set_index("action_id")
    assert got.loc["A1", "status"] == "not measured yet"
    assert got.loc["A2", "progress"] == pytest.approx(0.5)
    assert got.loc["A2", "notes"][0].startswith("A result on row 2 of results.csv")
