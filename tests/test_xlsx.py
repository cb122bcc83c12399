"""Excel round trip: typed sheets, drop-downs, no formulas ever, same checks as the CSV files."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from kit.cli import main
from kit.exceptions import InvalidData, XlsxError
from kit.readwrite.xlsx import SHEETS, export_xlsx, import_xlsx
from kit.resources import datasets_dir
from kit.store.schema import TABLES
from kit.store.workbook import Workbook, table_text

SAMPLE = datasets_dir() / "laurie-hospitality" / "teams"
PAYLOADS = [
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)",
    "-2+3",
    "@A1",
    "=cmd|' /C calc'!A0",
    "=1+1",
]


def _team(tmp_path: Path, name: str, source: str = "front-desk-friends") -> Path:
    team = tmp_path / "ws" / "teams" / name
    shutil.copytree(SAMPLE / source, team)
    return team


def _texts(team: Path) -> dict[str, str]:
    wb = Workbook.load(team)
    return {name: table_text(name, wb[name]) for name in TABLES}


@pytest.mark.parametrize(
    "source", ["front-desk-friends", "equipe-etoile", "the-night-shift", "team-4-half-finished"]
)
def test_round_trip_is_lossless(tmp_path: Path, source: str):
    team = _team(tmp_path, "a", source)
    export_xlsx(team, tmp_path / "a.xlsx")
    fresh = tmp_path / "ws" / "teams" / "b"
    fresh.mkdir()
    import_xlsx(tmp_path / "a.xlsx", fresh, force=True)
    assert _texts(fresh) == _texts(team)
    # and importing the untouched file into its own team writes nothing
    assert import_xlsx(tmp_path / "a.xlsx", team) == []


def test_sheets_are_typed_frozen_with_drop_downs(tmp_path: Path):
    team = _team(tmp_path, "a")
    book = export_xlsx(team, tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    assert book.sheetnames == [*SHEETS, "_servekit"]
    assert book["_servekit"].sheet_state == "hidden"
    plan = book["plan"]
    assert [c.value for c in plan[1]] == TABLES["plan"].columns
    assert all(book[s].freeze_panes == "A2" for s in SHEETS)
    assert plan["A1"].font.b
    assert isinstance(plan["F2"].value, dt.datetime) and plan["F2"].value.date() == dt.date(
        2026, 3, 2
    )
    assert plan["H2"].value == 14 and plan["I2"].value == 5 and plan["H7"].value == 6.9
    assert book["journey"]["J2"].data_type == "b"  # moment_of_truth
    assert book["journey"]["C2"].value == 1  # order, a number
    rules = {
        (ws, str(r.sqref).split(":")[0], r.formula1)
        for ws in SHEETS
        for r in book[ws].data_validations.dataValidation
    }
    assert rules == {
        ("plan", "C2", '"be,do,have"'),
        ("needs", "B2", '"be,do,have"'),
        ("journey", "G2", '"direct,indirect"'),
        ("roles", "C2", '"customer,frontline,support,manager,executive"'),
    }


def _payload_team(folder: Path) -> Path:
    p = PAYLOADS
    wb = Workbook.load(folder)
    wb["roles"] = pd.DataFrame(
        [
            {"role_id": p[0], "name": p[1], "level": "customer", "unit": p[2], "grade": p[3]},
            {"role_id": p[4], "name": p[5], "level": "frontline", "unit": p[3], "grade": p[2]},
        ]
    )
    wb["serves"] = pd.DataFrame([{"from_role": p[4], "to_role": p[0]}])
    wb["journey"] = pd.DataFrame(
        [
            {
                "touchpoint_id": p[5],
                "stage": p[0],
                "order": 1,
                "description": p[1],
                "channel": p[2],
                "contact": "direct",
                "role_id": p[4],
            }
        ]
    )
    wb["needs"] = pd.DataFrame(
        [{"touchpoint_id": p[5], "kind": "do", "need": p[3], "provider_role": p[4]}]
    )
    wb["scores"] = pd.DataFrame(
        [{"touchpoint_id": p[5], "scorer": p[2], "importance": 5, "performance": 2}]
    )
    wb["plan"] = pd.DataFrame(
        [
            {
                "action_id": p[3],
                "touchpoint_id": p[5],
                "kind": "have",
                "action": p[0],
                "owner_role": p[4],
                "due": "2026-03-01",
                "metric": p[1],
                "baseline": 1,
                "target": 2,
                "remark": p[4],
            }
        ]
    )
    wb["results"] = pd.DataFrame([{"action_id": p[3], "date": "2026-04-01", "value": 1.5}])
    wb.save()
    return folder


def test_injection_payloads_stay_text_in_every_text_column(tmp_path: Path):
    team = _payload_team(tmp_path / "ws" / "teams" / "x")
    export_xlsx(team, tmp_path / "x.xlsx")
    book = openpyxl.load_workbook(tmp_path / "x.xlsx")
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    risky = [c for c in cells if isinstance(c.value, str) and c.value.startswith(tuple("=+-@"))]
    assert {c.value for c in risky} == set(PAYLOADS)
    assert all(c.quotePrefix and c.data_type == "s" for c in risky)
    # the raw sheet XML holds no formula element at all
    import zipfile

    with zipfile.ZipFile(tmp_path / "x.xlsx") as z:
        xml = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets"))
    assert "<f>" not in xml and "<f " not in xml
    fresh = tmp_path / "ws" / "teams" / "y"
    import_xlsx(tmp_path / "x.xlsx", fresh, force=True)
    assert _texts(fresh) == _texts(team)
    assert Workbook.load(fresh)["plan"].loc[0, "remark"] == PAYLOADS[4]


def test_formula_cell_is_refused_with_its_cell_named(tmp_path: Path):
    team = _team(tmp_path, "a")
    export_xlsx(team, tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    book["results"]["C3"] = "=B2*2"
    book["plan"]["D4"] = '=HYPERLINK("http://evil.example")'
    book.save(tmp_path / "a.xlsx")
    before = _texts(team)
    with pytest.raises(InvalidData) as err:
        import_xlsx(tmp_path / "a.xlsx", team)
    assert str(err.value) == (
        "a.xlsx:plan!D4: this cell holds a formula ('=HYPERLINK(\"http://evil.example\")'); "
        "expected a plain value (type the value itself, not a formula)\n"
        "a.xlsx:results!C3: this cell holds a formula ('=B2*2'); expected a plain value (type "
        "the value itself, not a formula)"
    )
    assert _texts(team) == before


def test_bad_values_are_named_by_sheet_and_cell_and_nothing_is_written(tmp_path: Path):
    team = _team(tmp_path, "a")
    export_xlsx(team, tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    book["plan"]["C2"] = "maybe"
    book["results"]["C2"] = "lots"
    book["results"].append(["A9", "2026-06-01", 5])
    book.save(tmp_path / "a.xlsx")
    before = _texts(team)
    with pytest.raises(InvalidData) as err:
        import_xlsx(tmp_path / "a.xlsx", team)
    assert str(err.value) == (
        "a.xlsx:plan!C2: got 'maybe'; expected one of: be, do, have\n"
        "a.xlsx:results!C2: got 'lots'; expected a number\n"
        "a.xlsx:results!A14: 'A9' is not a action_id in plan.csv; expected one of: A1, A2, A3, "
        "A4, A5, A6, A7"
    )
    assert _texts(team) == before and not (team / ".history").exists()


def test_import_writes_atomically_keeps_history_and_refuses_newer_work(tmp_path: Path):
    team = _team(tmp_path, "a")
    export_xlsx(team, tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    book["results"].append(["A7", dt.datetime(2026, 6, 1), 12])
    book.save(tmp_path / "a.xlsx")
    old_results = (team / "results.csv").read_bytes()
    # someone records a result in the notebook after the export: both rows are kept (issue 27:
    # the row merge against the exported text; a clash on one row is in test_faults_xlsx.py)
    newer = old_results + b"A7,2026-05-20,15\n"
    (team / "results.csv").write_bytes(newer)
    written = import_xlsx(tmp_path / "a.xlsx", team)
    assert written == [team / "results.csv"]
    text = (team / "results.csv").read_text()
    assert "A7,2026-05-20,15\n" in text and "A7,2026-06-01,12\n" in text
    assert [p.read_bytes() for p in (team / ".history").glob("*.results.csv")] == [newer]
    # a file not made by the kit has no exported text to merge against: still refused
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    del book["_servekit"]
    book.save(tmp_path / "plain.xlsx")
    (team / "results.csv").write_bytes(old_results + b"A7,2026-05-27,16\n")
    with pytest.raises(XlsxError) as err:
        import_xlsx(tmp_path / "plain.xlsx", team)
    assert str(err.value) == (
        "plain.xlsx: not imported: plain.xlsx was not made by `servekit export-xlsx`, so the "
        "kit cannot tell whether the team's files are newer: results.csv. Export again and "
        "redo the edits in the new file, or import with --force to replace them (the replaced "
        "versions stay in .history/)."
    )


def test_cli_export_and_import_with_bad_input(tmp_path: Path):
    team = _team(tmp_path, "a")
    runner = CliRunner()
    out = runner.invoke(
        main, ["export-xlsx", str(team), str(tmp_path / "a.xlsx")], catch_exceptions=False
    )
    assert out.exit_code == 0 and "a.xlsx" in out.output
    out = runner.invoke(
        main, ["import-xlsx", str(tmp_path / "a.xlsx"), str(team)], catch_exceptions=False
    )
    assert (
        out.exit_code == 0
        and out.output == "Nothing to import: the team's tables already match a.xlsx.\n"
    )
    (tmp_path / "junk.xlsx").write_text("not a spreadsheet")
    out = runner.invoke(
        main, ["import-xlsx", str(tmp_path / "junk.xlsx"), str(team)], catch_exceptions=False
    )
    assert out.exit_code == 1
    assert out.output.startswith(
        f"Error: {tmp_path / 'junk.xlsx'}: cannot be read as an Excel "
        f"workbook (.xlsx) (BadZipFile: File is not a zip file); "
        f"expected a file saved by Excel"
    )


def test_a_file_from_another_team_is_refused_by_name(tmp_path: Path):
    team = _team(tmp_path, "a")
    other = _team(tmp_path, "b", "the-night-shift")
    export_xlsx(team, tmp_path / "a.xlsx")
    with pytest.raises(XlsxError) as err:
        import_xlsx(tmp_path / "a.xlsx", other)
    assert str(err.value) == (
        "a.xlsx: not imported: it was exported from team 'a', not 'b'; import it into that "
        "team's folder, or use --force to replace this team's journey.csv, roles.csv, "
        "serves.csv, needs.csv, scores.csv, plan.csv, results.csv with it."
    )


def test_what_excel_makes_of_typed_dates_and_times_is_read_back(tmp_path: Path):
    team = _team(tmp_path, "a")
    export_xlsx(team, tmp_path / "a.xlsx")
    book = openpyxl.load_workbook(tmp_path / "a.xlsx")
    book["journey"]["D2"] = dt.time(7, 5)  # time column, typed as 07:05
    book["plan"]["F2"] = dt.datetime(2026, 3, 9)  # due, a real date cell
    book.save(tmp_path / "a.xlsx")
    import_xlsx(tmp_path / "a.xlsx", team)
    wb = Workbook.load(team)
    assert wb["journey"].loc[0, "time"] == "07:05"
    assert str(wb["plan"].loc[0, "due"]) == "2026-03-09"
