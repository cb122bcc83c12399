"""Bad workbooks: every case names the exact file, row and column, exits 1, no traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import MINI_TEAM, write_team

from kit.cli import main

J = MINI_TEAM["journey.csv"].splitlines()[0]  # journey header
R = "role_id,name,level,headcount"
S = "touchpoint_id,scorer,importance,performance,be,do,have"
P = "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target"
JROW = "Arrival,1,15:00,Check-in,face to face,direct,desk,1,true"


def journey(*rows: str) -> str:
    return "\n".join([J, *rows]) + "\n"


def roles(*extra: str) -> str:
    return MINI_TEAM["roles.csv"] + "".join(r + "\n" for r in extra)


# (case id, {file: content}, expected "path:row:column" prefix of one reported problem)
CASES = [
    (
        "emotion-out-of-range",
        {"journey.csv": journey("T1,Arrival,1,15:00,Check-in,x,direct,desk,3,true")},
        "journey.csv:2:emotion",
    ),
    (
        "emotion-not-number",
        {"journey.csv": journey("T1,Arrival,1,15:00,Check-in,x,direct,desk,happy,true")},
        "journey.csv:2:emotion",
    ),
    (
        "contact-unknown",
        {"journey.csv": journey("T1,Arrival,1,15:00,Check-in,x,phone,desk,1,true")},
        "journey.csv:2:contact",
    ),
    (
        "time-out-of-range",
        {"journey.csv": journey("T1,Arrival,1,25:00,Check-in,x,direct,desk,1,true")},
        "journey.csv:2:time",
    ),
    (
        "time-wrong-format",
        {"journey.csv": journey("T1,Arrival,1,7.30,Check-in,x,direct,desk,1,true")},
        "journey.csv:2:time",
    ),
    (
        "order-blank",
        {"journey.csv": journey("T1,Arrival,,15:00,Check-in,x,direct,desk,1,true")},
        "journey.csv:2:order",
    ),
    (
        "order-fraction",
        {"journey.csv": journey("T1,Arrival,1.5,15:00,Check-in,x,direct,desk,1,true")},
        "journey.csv:2:order",
    ),
    (
        "description-blank",
        {"journey.csv": journey("T1,Arrival,1,15:00,,x,direct,desk,1,true")},
        "journey.csv:2:description",
    ),
    (
        "moment-of-truth-word",
        {"journey.csv": journey("T1,Arrival,1,15:00,Check-in,x,direct,desk,1,maybe")},
        "journey.csv:2:moment_of_truth",
    ),
    (
        "role-unknown",
        {"journey.csv": journey("T1,Arrival,1,15:00,Check-in,x,direct,bellboy,1,true")},
        "journey.csv:2:role_id",
    ),
    (
        "touchpoint-duplicate",
        {"journey.csv": journey("T1," + JROW, "T1," + JROW)},
        "journey.csv:3:touchpoint_id",
    ),
    (
        "stage-column-missing",
        {"journey.csv": "touchpoint_id,order,description,contact\nT1,1,x,direct\n"},
        "journey.csv:1:stage",
    ),
    (
        "header-duplicated",
        {"journey.csv": J + ",stage\n" + "T1," + JROW + ",Arrival\n"},
        "journey.csv:1:stage",
    ),
    (
        "row-too-many-cells",
        {"journey.csv": journey("T1," + JROW + ",extra,cells")},
        "journey.csv:2:(column 11)",
    ),
    ("level-unknown", {"roles.csv": roles("gm,General manager,boss,1")}, "roles.csv:5:level"),
    (
        "headcount-negative",
        {"roles.csv": roles("gm,General manager,executive,-1")},
        "roles.csv:5:headcount",
    ),
    (
        "headcount-text",
        {"roles.csv": roles("gm,General manager,executive,ten")},
        "roles.csv:5:headcount",
    ),
    ("role-duplicate", {"roles.csv": roles("desk,Second desk,frontline,1")}, "roles.csv:5:role_id"),
    ("role-name-blank", {"roles.csv": roles("gm,,executive,1")}, "roles.csv:5:name"),
    ("level-column-missing", {"roles.csv": "role_id,name\nguest,Guest\n"}, "roles.csv:1:level"),
    (
        "serves-from-unknown",
        {"serves.csv": "from_role,to_role\ndesk,guest\nghost,desk\n"},
        "serves.csv:3:from_role",
    ),
    (
        "serves-to-unknown",
        {"serves.csv": "from_role,to_role\ndesk,guest\nfom,ghost\n"},
        "serves.csv:3:to_role",
    ),
    (
        "serves-duplicate",
        {"serves.csv": "from_role,to_role\ndesk,guest\ndesk,guest\n"},
        "serves.csv:3:to_role",
    ),
    (
        "need-kind-unknown",
        {"needs.csv": "touchpoint_id,kind,need,provider_role\nT1,feel,Calm,fom\n"},
        "needs.csv:2:kind",
    ),
    (
        "need-touchpoint-unknown",
        {"needs.csv": "touchpoint_id,kind,need,provider_role\nT9,be,Calm,fom\n"},
        "needs.csv:2:touchpoint_id",
    ),
    (
        "need-provider-unknown",
        {"needs.csv": "touchpoint_id,kind,need,provider_role\nT1,be,Calm,hr\n"},
        "needs.csv:2:provider_role",
    ),
    (
        "need-blank",
        {"needs.csv": "touchpoint_id,kind,need,provider_role\nT1,be,,fom\n"},
        "needs.csv:2:need",
    ),
    ("importance-above-5", {"scores.csv": f"{S}\nT1,Ann,6,3,4,3,2\n"}, "scores.csv:2:importance"),
    ("performance-zero", {"scores.csv": f"{S}\nT1,Ann,5,0,4,3,2\n"}, "scores.csv:2:performance"),
    ("readiness-word", {"scores.csv": f"{S}\nT1,Ann,5,3,high,3,2\n"}, "scores.csv:2:be"),
    (
        "score-duplicate",
        {"scores.csv": f"{S}\nT1,Ann,5,3,4,3,2\nT1,Ann,4,3,4,3,2\n"},
        "scores.csv:3:scorer",
    ),
    (
        "score-touchpoint-unknown",
        {"scores.csv": f"{S}\nT7,Ann,5,3,4,3,2\n"},
        "scores.csv:2:touchpoint_id",
    ),
    (
        "due-not-iso",
        {"plan.csv": f"{P}\nA1,T1,do,Train,fom,31/12/2026,wait,14,5\n"},
        "plan.csv:2:due",
    ),
    (
        "baseline-text",
        {"plan.csv": f"{P}\nA1,T1,do,Train,fom,2026-03-01,wait,n/a,5\n"},
        "plan.csv:2:baseline",
    ),
    (
        "plan-kind-unknown",
        {"plan.csv": f"{P}\nA1,T1,make,Train,fom,2026-03-01,wait,14,5\n"},
        "plan.csv:2:kind",
    ),
    (
        "owner-unknown",
        {"plan.csv": f"{P}\nA1,T1,do,Train,cfo,2026-03-01,wait,14,5\n"},
        "plan.csv:2:owner_role",
    ),
    (
        "action-duplicate",
        {"plan.csv": f"{P}\nA1,T1,do,Train,fom,,,,\nA1,T1,be,Coach,fom,,,,\n"},
        "plan.csv:3:action_id",
    ),
    (
        "result-date-word",
        {"results.csv": "action_id,date,value\nA1,tomorrow,9\n"},
        "results.csv:2:date",
    ),
    (
        "result-value-blank",
        {"results.csv": "action_id,date,value\nA1,2026-04-01,\n"},
        "results.csv:2:value",
    ),
    (
        "result-action-unknown",
        {"results.csv": "action_id,date,value\nA9,2026-04-01,9\n"},
        "results.csv:2:action_id",
    ),
    (
        "semicolon-file-bad-value",
        {"scores.csv": "touchpoint_id;scorer;importance;performance\nT1;Ann;9;3\n"},
        "scores.csv:2:importance",
    ),
    (
        "quoted-newline-then-error",
        {
            "journey.csv": journey(
                'T1,Arrival,1,15:00,"Check-in,\nwith a smile",x,direct,desk,1,true',
                "T2,Room,2,,Made,,sideways,,0,false",
            )
        },
        "journey.csv:3:contact",
    ),
    (
        "bom-then-error",
        {"roles.csv": b"\xef\xbb\xbf" + roles("gm,GM,boss,1").encode()},
        "roles.csv:5:level",
    ),
    (
        "cp1252-then-error",
        {"roles.csv": roles("gm,Gérant,boss,1").encode("cp1252")},
        "roles.csv:5:level",
    ),
    ("team-yaml-broken", {"team.yaml": "name: Mini\nmembers: [Ann, Bo\n"}, "team.yaml:3"),
]


@pytest.mark.parametrize(("files", "where"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_workbook_names_file_row_column(tmp_path, files, where):
    team = write_team(tmp_path / "team", files)
    result = CliRunner().invoke(main, ["validate", str(team)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.splitlines()
    assert any(line.startswith(where + ":") for line in lines), result.output


def test_at_least_thirty_distinct_cases():
    assert len({c[0] for c in CASES}) >= 30
    assert len({c[2] for c in CASES}) >= 30


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    team = write_team(
        tmp_path / "team",
        {
            "journey.csv": journey("T1,Arrival,1,15:00,Check-in,x,phone,desk,7,true"),
            "scores.csv": f"{S}\nT1,Ann,6,0,4,3,2\n",
        },
    )
    result = CliRunner().invoke(main, ["validate", str(team)])
    for where in (
        "journey.csv:2:contact",
        "journey.csv:2:emotion",
        "scores.csv:2:importance",
        "scores.csv:2:performance",
    ):
        assert where in result.output
    assert "4 error(s)" in result.output


def test_real_command_prints_no_traceback(tmp_path):
    team = write_team(tmp_path / "team", {"roles.csv": b"\xff\xfe\x00garbage,,\n\x00\x01"})
    run = subprocess.run(
        [sys.executable, "-m", "kit", "validate", str(team)], capture_output=True, text=True
    )
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    assert run.stdout == (
        "roles.csv: not a CSV file: it holds binary data, not text; expected a "
        "table saved as CSV (comma-separated values) from a spreadsheet\n"
    )
    assert run.stderr == "1 error(s), 0 warning(s)\n"  # one message, no cascade
