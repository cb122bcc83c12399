"""Hostile or unlucky folders, files and values (issue 16): one clear message, no hang, no cascade.

Every case runs the real command (``servekit validate``) through CliRunner with
``catch_exceptions=False`` (a traceback fails the test) and asserts the WHOLE output.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import MINI_TEAM, write_team

from kit.cli import main
from kit.exceptions import InvalidData
from kit.store.workbook import Workbook, validate_team
from kit.store.workshop import Workshop, create_workshop

J = MINI_TEAM["journey.csv"].splitlines()[0]
P = "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target"


def validate(path: Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["validate", str(path)], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ws(tmp_path) -> Path:
    """A workshop with one valid team ``a`` (the mini team)."""
    path = tmp_path / "ws"
    (path / "teams").mkdir(parents=True)
    (path / "workshop.yaml").write_text("title: T\ncase: laurie-hospitality\n")
    write_team(path / "teams" / "a")
    return path


# --------------------------------------------------------------------------- folders and files
def test_a_symlinked_team_folder_is_refused_and_never_written_through(ws, tmp_path):
    outside = write_team(tmp_path / "outside")
    (ws / "teams" / "evil").symlink_to(outside)
    assert validate(ws) == (
        1,
        "teams/evil: refused: the team folder is a symbolic link; "
        "expected a real folder (links are never followed)\n",
        "1 error(s), 0 warning(s)\n",
    )
    assert [t.slug for t in Workshop(ws).teams()] == ["a"]
    before = sorted(p.name for p in outside.iterdir())
    with pytest.raises(InvalidData) as err:
        Workbook.load(ws / "teams" / "evil")
    assert str(err.value) == (
        "teams/evil: refused: the team folder is a symbolic link; "
        "expected a real folder (links are never followed)"
    )
    wb = Workbook.load(ws / "teams" / "evil", strict=False)
    wb.set_reflection("first_step", "written through a link?")
    with pytest.raises(Exception, match="symbolic link"):
        wb.save()
    assert sorted(p.name for p in outside.iterdir()) == before


def test_a_symlinked_file_is_refused_not_followed(ws, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text(MINI_TEAM["journey.csv"])
    journey = ws / "teams" / "a" / "journey.csv"
    journey.unlink()
    journey.symlink_to(secret)
    assert validate(ws) == (
        1,
        "teams/a/journey.csv: refused: this is a symbolic link; expected "
        "the file itself inside the team folder (links are never "
        "followed)\n",
        "1 error(s), 0 warning(s)\n",
    )


def test_a_fifo_named_journey_csv_does_not_hang_validate(ws):
    journey = ws / "teams" / "a" / "journey.csv"
    journey.unlink()
    os.mkfifo(journey)
    run = subprocess.run(
        [sys.executable, "-m", "kit", "validate", str(ws)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (run.returncode, run.stdout, run.stderr) == (
        1,
        "teams/a/journey.csv: refused: this is a FIFO (named pipe), not a regular file; "
        "expected a CSV or YAML file\n",
        "1 error(s), 0 warning(s)\n",
    )


@pytest.mark.parametrize(
    ("folder", "message"),
    [
        (
            "index",
            "teams/index: refused: 'index' is reserved (the reports' index page, or a name "
            "Windows refuses); expected another folder name, e.g. 'index-team' (rename the "
            "folder)",
        ),
        (
            "_synthesis",
            "teams/_synthesis: refused: names starting with '_' are kept for the kit's "
            "own pages; expected another folder name, e.g. 'synthesis-team' (rename the "
            "folder)",
        ),
        (
            "night\x1b[2Jshift",
            "teams/night\\x1b[2Jshift: refused: the folder name contains control "
            "characters; expected a plain name such as 'night-shift' (rename the "
            "folder)",
        ),
    ],
)
def test_reserved_and_unprintable_folder_names_are_refused_when_discovered(ws, folder, message):
    write_team(ws / "teams" / folder)
    assert validate(ws) == (1, message + "\n", "1 error(s), 0 warning(s)\n")
    assert [t.slug for t in Workshop(ws).teams()] == ["a"]


def test_servekit_new_still_renames_a_reserved_team_name(tmp_path):
    workshop = create_workshop(tmp_path / "w", teams=["Index", "NUL"])
    assert [t.slug for t in workshop.teams()] == ["index-team", "nul-team"]


# --------------------------------------------------------------------------- YAML
LAUGHS = (
    "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(8)
    )
    + "name: *i\n"
)


@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        (
            "teams/a/team.yaml",
            LAUGHS,
            "teams/a/team.yaml:2: refused: the file uses a YAML alias "
            "(*a); expected plain 'key: value' lines without anchors or "
            "aliases",
        ),
        (
            "workshop.yaml",
            LAUGHS,
            "workshop.yaml:2: refused: the file uses a YAML alias (*a); "
            "expected plain 'key: value' lines without anchors or aliases",
        ),
        (
            "teams/a/reflections.yaml",
            "first_step: " + "[" * 5000 + "]" * 5000 + "\n",
            "teams/a/reflections.yaml:1: refused: lists or mappings are nested more than 20 deep; "
            "expected plain 'key: value' lines",
        ),
        (
            "teams/a/team.yaml",
            "name: x\nmembers: [" + "a, " * 400_000 + "b]\n",
            "teams/a/team.yaml: refused: the file is 1200021 bytes; expected a YAML file of at most "
            "1000000 bytes",
        ),
        (
            "teams/a/team.yaml",
            'name: "Night\\e[31m shift"\n',
            "teams/a/team.yaml:name: got 'Night\\x1b[31m shift'; it contains control characters; "
            "expected plain text",
        ),
        (
            "workshop.yaml",
            "title: T\ndate: someday\n",
            "workshop.yaml:date: got 'someday'; expected a date written YYYY-MM-DD, e.g. 2026-03-31",
        ),
    ],
)
def test_hostile_yaml_gets_one_clear_message(ws, file, text, message):
    (ws / file).write_text(text)
    assert validate(ws) == (1, message + "\n", "1 error(s), 0 warning(s)\n")


def test_status_never_prints_control_characters(ws):
    (ws / "teams" / "a" / "team.yaml").write_text('name: "Night\\e[31m shift"\n')
    result = CliRunner().invoke(main, ["status", str(ws)], catch_exceptions=False)
    assert "\x1b" not in result.output
    assert "Night" not in result.output  # the refused name is not shown; the folder's is
    assert any(line.startswith("a ") for line in result.output.splitlines()), result.output


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("file", "text", "message"),
    [
        (
            "roles.csv",
            MINI_TEAM["roles.csv"] + "gm,General manager,executive,inf\n",
            "teams/a/roles.csv:5:headcount: got 'inf'; expected a number of at least 0 (not infinity "
            "or nan)",
        ),
        (
            "roles.csv",
            MINI_TEAM["roles.csv"] + "gm,General manager,executive,1e999\n",
            "teams/a/roles.csv:5:headcount: got '1e999'; expected a number of at least 0 (not infinity "
            "or nan)",
        ),
        (
            "plan.csv",
            f"{P}\nA1,T1,do,Train,fom,2026-03-01,wait,nan,5\n",
            "teams/a/plan.csv:2:baseline: got 'nan'; expected a number (not infinity or nan)",
        ),
        (
            "plan.csv",
            f"{P}\nA1,T1,do,Train,fom,2026-03-01,wait,14,-inf\n",
            "teams/a/plan.csv:2:target: got '-inf'; expected a number (not infinity or nan)",
        ),
        (
            "results.csv",
            "action_id,date,value\nA1,2026-04-01,Infinity\n",
            "teams/a/results.csv:2:value: got 'Infinity'; expected a number (not infinity or nan)",
        ),
        (
            "journey.csv",
            f"{J}\nT1,Arrival,99999999999999999999,15:00,Check-in,x,direct,desk,1,true\n"
            "T2,Room,2,,Room prepared,,indirect,,0,false\n",
            "teams/a/journey.csv:2:order: got '99999999999999999999'; the number is too large; "
            "expected a whole number of at most 1000000000",
        ),
        (
            "scores.csv",
            "touchpoint_id,scorer,importance,performance\nT1,Ann,nan,3\n",
            "teams/a/scores.csv:2:importance: got 'nan'; expected a whole number from 1 to 5",
        ),
    ],
)
def test_infinite_nan_and_huge_numbers_are_refused_with_file_row_column(ws, file, text, message):
    (ws / "teams" / "a" / file).write_text(text)
    assert validate(ws) == (1, message + "\n", "1 error(s), 0 warning(s)\n")


def test_an_editor_refuses_an_infinite_headcount_and_the_team_still_opens(mini_team):
    from kit.widgets import PyramidEditor

    editor = PyramidEditor(Workbook.load(mini_team))
    editor.role_picker.value = "desk"
    editor.headcount.value = "1e999"
    assert editor.roles.fields["headcount"].error.value == (
        "<span style='color:#D55E00'>⚠ got &#x27;1e999&#x27;; expected a number of at least 0 "
        "(not infinity or nan)</span>"
    )
    assert Workbook.load(mini_team)["roles"].set_index("role_id").loc["desk", "headcount"] == 4


# --------------------------------------------------------------------------- encodings
def test_utf16_unicode_text_from_excel_is_read(tmp_path):
    text = MINI_TEAM["journey.csv"].replace(",", "\t").replace("Check-in", "Accueil café")
    team = write_team(tmp_path / "t", {"journey.csv": text.encode("utf-16")})
    wb = Workbook.load(team)
    assert wb["journey"]["description"].tolist() == [
        "Accueil café at the desk",
        "Room prepared before arrival",
    ]
    assert [str(p) for p in wb.problems] == [
        "journey.csv:1: warning: cells are separated by tabs, not commas; read it that way"
    ]


def test_binary_junk_gets_one_message_not_hundreds(ws):
    (ws / "teams" / "a" / "journey.csv").write_bytes(bytes(range(256)) * 40)
    assert validate(ws) == (
        1,
        "teams/a/journey.csv: not a CSV file: it holds binary data, not "
        "text; expected a table saved as CSV (comma-separated values) "
        "from a spreadsheet\n",
        "1 error(s), 0 warning(s)\n",
    )


# --------------------------------------------------------------------------- formulas
FORMULAS = [
    '=HYPERLINK("http://x","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "'=already quoted",
    "'just an apostrophe",
    "=1",
    "-",
]


def test_formula_text_typed_in_an_editor_is_stored_inert_and_read_back_exactly(mini_team):
    from kit.widgets import JourneyEditor

    editor = JourneyEditor(Workbook.load(mini_team))
    for text in FORMULAS:
        editor.picker.value = "T1"
        editor.description.value = text
        raw = (mini_team / "journey.csv").read_text().splitlines()[1]
        cells = next(
            iter(
                pd.read_csv(
                    __import__("io").StringIO(raw), header=None, dtype=str, keep_default_na=False
                ).itertuples(index=False)
            )
        )
        assert not cells[4].startswith(("=", "+", "-", "@")), raw  # inert in a spreadsheet
        assert Workbook.load(mini_team)["journey"].loc[0, "description"] == text
    editor.emotion.value = -2  # negative numbers stay numbers
    assert (mini_team / "journey.csv").read_text().splitlines()[1].endswith(",-2,true")


def test_formula_titles_imported_from_an_org_chart_are_stored_inert(tmp_path):
    hr = tmp_path / "hr.csv"
    hr.write_text('Employee ID,Job Title,Manager ID\n1,Owner,\n2,"=HYPERLINK(""x"")",1\n')
    result = CliRunner().invoke(
        main,
        ["import-orgchart", str(hr), "--format", "generic", "--out", str(tmp_path / "team")],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    roles = (tmp_path / "team" / "roles.csv").read_text()
    assert '\'=HYPERLINK(""x"")' in roles or '"\'=HYPERLINK(""x"")"' in roles
    names = Workbook.load(tmp_path / "team")["roles"]["name"].tolist()
    assert '=HYPERLINK("x")' in names


def test_validate_team_reads_a_hand_written_guarded_cell_without_the_guard(tmp_path):
    team = write_team(
        tmp_path / "t",
        {"needs.csv": "touchpoint_id,kind,need,provider_role\nT1,do,'=SUM(A1),fom\n"},
    )
    assert validate_team(team) == []
    assert Workbook.load(team)["needs"].loc[0, "need"] == "=SUM(A1)"


def test_control_characters_in_a_header_never_reach_the_terminal_raw(ws):
    roles = MINI_TEAM["roles.csv"].replace("headcount\n", "headcount,notes\x1b[2J\n", 1)
    (ws / "teams" / "a" / "roles.csv").write_text(roles)
    assert validate(ws) == (
        0,
        "teams/a/roles.csv:1:notes\\x1b[2J: warning: unknown column: "
        "kept as it is, but the kit does not use it\n"
        f"1 team(s) in {ws}: valid\n",
        "0 error(s), 1 warning(s)\n",
    )


def test_a_save_never_writes_through_a_symlinked_file(ws, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_text("do not touch\n")
    journey = ws / "teams" / "a" / "journey.csv"
    journey.unlink()
    journey.symlink_to(secret)
    wb = Workbook.load(ws / "teams" / "a", strict=False)
    wb.set_reflection("first_step", "An edit elsewhere")
    with pytest.raises(InvalidData) as err:
        wb.save()
    assert str(err.value) == (
        "teams/a/journey.csv: refused: this is a symbolic link; expected "
        "the file itself inside the team folder (links are never followed)"
    )
    assert secret.read_text() == "do not touch\n" and journey.is_symlink()


@pytest.mark.parametrize(
    ("file", "text", "shown"),
    [
        (
            "reflections.yaml",
            "first_step: " + "[" * 5000 + "]" * 5000 + "\n",
            "teams/a/reflections.yaml:1: refused: lists or mappings are nested more than 20 deep; "
            "expected plain &#x27;key: value&#x27; lines",
        ),
        (
            "journey.csv",
            f"{J}\nT1,Arrival,99999999999999999999,15:00,Check-in,x,direct,desk,1,true\n",
            "teams/a/journey.csv:2:order: got &#x27;99999999999999999999&#x27;; the number is too "
            "large; expected a whole number of at most 1000000000",
        ),
    ],
)
def test_an_editor_on_a_hostile_team_shows_the_message_not_a_traceback(ws, file, text, shown):
    from kit.widgets import journey_editor

    (ws / "teams" / "a" / file).write_text(text)
    panel = journey_editor(ws, "a")
    assert type(panel).__name__ == "HTML"
    assert f"<li><code>{shown}</code></li>" in panel.value
