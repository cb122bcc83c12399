"""Issue 26, "clear, not scary": a result dated after today is refused, where and how it is said.

Today is pinned with ``SERVEKIT_TODAY`` (:func:`kit.store.clock.today`), so the tests mean the
same thing on any day.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import write_team

from kit.analyses.followup import read_team
from kit.cli import main
from kit.store.workbook import Workbook
from kit.widgets.results import ResultsEditor

TODAY = "2026-12-07"
RESULTS = "action_id,date,value\n"


@pytest.fixture(autouse=True)
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SERVEKIT_TODAY", TODAY)


def _validate(folder: Path):
    return CliRunner().invoke(main, ["validate", str(folder)], catch_exceptions=False)


def test_a_result_dated_after_today_is_refused_with_file_row_and_column(tmp_path):
    team = write_team(
        tmp_path / "team",
        {"results.csv": RESULTS + "A1,2026-04-01,9\nA1,2026-12-07,8\nA1,2026-12-08,7\n"},
    )
    result = _validate(team)
    assert result.exit_code == 1
    assert result.stdout == (
        "results.csv:4:date: got '2026-12-08'; it is after today (2026-12-07): a typo?\n"
    )
    assert result.stderr == "1 error(s), 0 warning(s)\n"


def test_a_due_date_after_today_is_a_plan_not_a_typo(tmp_path):
    plan = (
        "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target\n"
        "A1,T1,do,Train desk staff,fom,2027-06-01,wait minutes,14,5\n"
    )
    result = _validate(write_team(tmp_path / "team", {"plan.csv": plan}))
    assert result.exit_code == 0, result.output


def test_the_results_editor_refuses_a_future_date_next_to_the_date(tmp_path):
    team = write_team(tmp_path / "team")
    before = (team / "results.csv").read_text()
    editor = ResultsEditor(Workbook.load(team))
    editor.action.value = "A1"
    editor.date.value, editor.value.value = dt.date(2026, 12, 8), "7"
    editor.add_button.click()
    assert (
        "got &#x27;2026-12-08&#x27;; it is after today (2026-12-07): a typo?"
        in editor.fields["date"].error.value
    )
    assert (team / "results.csv").read_text() == before  # refused, not saved to be left out


def test_the_follow_up_says_why_a_future_result_is_left_out(tmp_path):
    team = write_team(
        tmp_path / "team", {"results.csv": RESULTS + "A1,2026-04-01,9\nA1,2062-04-01,7\n"}
    )
    data = read_team(team)
    assert data.notes == {
        "A1": [
            "A result on row 3 of results.csv has date '2062-04-01', which is after today "
            "(2026-12-07): a typo? It is left out."
        ]
    }
    assert list(data.results["date"].astype(str)) == ["2026-04-01"]


def test_a_mistyped_servekit_today_is_one_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("SERVEKIT_TODAY", "07/12/2026")
    result = _validate(write_team(tmp_path / "team"))
    assert result.exit_code == 1
    assert result.output == (
        "Error: SERVEKIT_TODAY: got '07/12/2026'; expected a date written YYYY-MM-DD\n"
    )


# --------------------------------------------------------------------------- validate in one pass
JOURNEY = (
    "touchpoint_id,stage,order,time,description,channel,contact,role_id,emotion,moment_of_truth\n"
)


def test_validate_reports_a_format_error_and_a_cross_file_error_of_one_row_in_one_run(tmp_path):
    team = write_team(
        tmp_path / "team",
        {
            "journey.csv": JOURNEY
            + "T1,Arrival,1,15:00,Check-in,face to face,direct,dsek,7,true\n"
            + "T2,Room,2,,Room prepared,,indirect,,0,false\n",
            "plan.csv": (
                "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target\n"
                "A1,T9,make,Train desk staff,cfo,2026-03-01,wait minutes,about 14,5\n"
            ),
            "results.csv": RESULTS + "A1,2026-04-01,n/a\nA1,2026-04-01,9\n",
        },
    )
    result = _validate(team)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [  # format problems first, then across files
        "journey.csv:2:emotion: got '7'; expected a whole number from -2 to 2",
        "plan.csv:2:kind: got 'make'; expected one of: be, do, have",
        "plan.csv:2:baseline: got 'about 14'; expected a number",
        "results.csv:2:value: got 'n/a'; expected a number",
        "journey.csv:2:role_id: 'dsek' is not a role_id in roles.csv; expected one of: desk, "
        "fom, guest",
        "plan.csv:2:touchpoint_id: 'T9' is not a touchpoint_id in journey.csv; expected one of: "
        "T1, T2",
        "plan.csv:2:owner_role: 'cfo' is not a role_id in roles.csv; expected one of: desk, fom, "
        "guest",
        "results.csv:3:date: duplicate action_id='A1', date='2026-04-01' (first on row 2); "
        "expected each to appear once",
    ]
    assert result.stderr == "8 error(s), 0 warning(s)\n"


def test_a_cell_that_did_not_parse_is_not_checked_again_across_files(tmp_path):
    needs = "touchpoint_id,kind,need,provider_role\n,do,Training,nobody\n"
    result = _validate(write_team(tmp_path / "team", {"needs.csv": needs}))
    assert result.stdout.splitlines() == [
        "needs.csv:2:touchpoint_id: this cell is blank; expected some text",
        "needs.csv:2:provider_role: 'nobody' is not a role_id in roles.csv; expected one of: "
        "desk, fom, guest",
    ]


def test_the_follow_up_keeps_an_action_whose_row_also_names_an_unknown_owner(tmp_path):
    # Now that a refused row is checked across files too, its unknown owner is listed; the
    # follow-up still keeps the action (its unreadable baseline left blank, with a note).
    plan = (
        "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target\n"
        "A1,T1,do,Train desk staff,cfo,2026-03-01,wait minutes,about 14,5\n"
    )
    data = read_team(write_team(tmp_path / "team", {"plan.csv": plan}))
    assert list(data.plan["action_id"]) == ["A1"]
    assert data.notes == {"A1": ["The baseline 'about 14' is not a number; it is left blank here."]}
    assert [str(p) for p in data.problems] == [
        "plan.csv:2:owner_role: 'cfo' is not a role_id in roles.csv; expected one of: desk, fom, "
        "guest"
    ]
