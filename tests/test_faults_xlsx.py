"""Fault injection for ``import-xlsx``: renamed, hidden, merged, dated and oversized sheets.

Files are made by the real ``export-xlsx`` and edited with openpyxl as Excel would leave them
(a renamed sheet, a hidden one, merged cells, a date typed as a number), or written by hand when
they are hostile (a million shared strings, thousands of rows). Each case runs the real command
and asserts the exact message, exit status, and a team folder byte-identical to before — or,
where the change was accepted, one that validates.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from test_faults import FULL, _fill, disk  # noqa: F401  (the tmpfs fixture)

from kit.cli import main
from kit.readwrite import xlsxread
from kit.readwrite.xlsx import export_xlsx
from kit.resources import datasets_dir
from kit.store.workbook import Workbook

SAMPLE = datasets_dir() / "laurie-hospitality" / "teams" / "front-desk-friends"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture
def team(tmp_path):
    folder = tmp_path / "ws" / "teams" / "front"
    shutil.copytree(SAMPLE, folder)
    return folder


def _run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _book(team: Path, tmp_path: Path) -> tuple[openpyxl.Workbook, Path]:
    out = tmp_path / "t.xlsx"
    export_xlsx(team, out)
    return openpyxl.load_workbook(out), out


def _column(ws, name: str) -> int:
    return [c.value for c in ws[1]].index(name) + 1


def _refused(team: Path, book: Path, stdout: str) -> None:
    before = _snapshot(team)
    result = _run("import-xlsx", book, team)
    assert result.exit_code == 1
    assert result.stdout == stdout
    assert _snapshot(team) == before


def test_a_renamed_sheet_is_still_its_table_and_no_edit_is_lost(team, tmp_path):
    book, out = _book(team, tmp_path)
    book["plan"].title = "renaming"
    book["renaming"].title = "Plan"
    book["Plan"].cell(row=2, column=_column(book["Plan"], "action")).value = "Renamed-sheet edit"
    book["roles"].cell(row=2, column=_column(book["roles"], "name")).value = "Other-sheet edit"
    book.save(out)
    result = _run("import-xlsx", out, team)
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"Updated roles.csv, plan.csv in {team} (previous versions in .history/).\n"
    )
    wb = Workbook.load(team)
    assert wb["plan"].loc[0, "action"] == "Renamed-sheet edit"
    assert wb["roles"].loc[0, "name"] == "Other-sheet edit"


def test_two_sheets_naming_one_table_are_refused(team, tmp_path):
    book, out = _book(team, tmp_path)
    book.copy_worksheet(book["plan"]).title = "plan "
    book.save(out)
    _refused(
        team,
        out,
        "t.xlsx:plan : sheets 'plan' and 'plan ' both name the table 'plan'; expected one "
        "sheet per table (delete or rename one)\n",
    )


def test_hidden_sheets_macros_and_stray_sheets_are_warned(team, tmp_path):
    book, out = _book(team, tmp_path)
    book["needs"].sheet_state = "hidden"
    book["scores"].sheet_state = "veryHidden"
    book.create_sheet("Notes")
    book["plan"].cell(row=2, column=_column(book["plan"], "action")).value = "Edited"
    xlsm = tmp_path / "t.xlsm"
    book.save(xlsm)
    result = _run("import-xlsx", xlsm, team)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "t.xlsm: warning: a macro-enabled workbook: its macros were neither run nor kept; only the cell "
        "values are read",
        "t.xlsm:needs: warning: this sheet is hidden in Excel; it was read like the others — check it "
        "holds what the team meant",
        "t.xlsm:scores: warning: this sheet is very hidden (only a macro can show it) in Excel; it was "
        "read like the others — check it holds what the team meant",
        "t.xlsm:Notes: warning: not a table of the team workbook; ignored (expected sheets: plan, "
        "results, journey, roles, serves, needs, scores)",
    ]
    assert Workbook.load(team)["plan"].loc[0, "action"] == "Edited"


def test_an_excel_date_number_is_explained(team, tmp_path):
    book, out = _book(team, tmp_path)
    ws = book["plan"]
    cell = ws.cell(row=2, column=_column(ws, "due"))
    cell.value, cell.number_format = 46083, "General"
    book.save(out)
    before = _snapshot(team)
    result = _run("import-xlsx", out, team)
    assert result.exit_code == 1
    assert result.stdout.startswith(f"t.xlsx:plan!{cell.coordinate}: ")
    assert result.stdout.endswith("— 46083 looks like an Excel date number: 2026-03-02?\n")
    assert result.stdout.count("\n") == 1
    assert _snapshot(team) == before


def test_merged_cells_are_named_as_merged(team, tmp_path):
    book, out = _book(team, tmp_path)
    ws = book["plan"]
    col = _column(ws, "action")
    letter = ws.cell(row=2, column=col).column_letter
    ws.merge_cells(f"{letter}2:{letter}3")
    book.save(out)
    _refused(
        team,
        out,
        f"t.xlsx:plan!{letter}2:{letter}3: these cells are merged; expected one value in each "
        f"cell (select them and choose Unmerge cells in Excel)\n",
    )


def test_too_many_rows_are_refused_while_streaming_and_errors_are_capped(team, tmp_path):
    book, out = _book(team, tmp_path)
    ws = book["roles"]
    level = _column(ws, "level")
    for n in range(300):
        ws.append([f"r{n}", "Role", "king"][:level] if level == 3 else None)
    book.save(out)
    result = _run("import-xlsx", out, team)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 51 and lines[-1] == "… and 250 more error(s)"
    big = openpyxl.Workbook(write_only=True)
    sheet = big.create_sheet("plan")
    for n in range(10_001):
        sheet.append([f"A{n}"])
    big.save(tmp_path / "big.xlsx")
    before = _snapshot(team)
    result = _run("import-xlsx", tmp_path / "big.xlsx", team)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path / 'big.xlsx'}: not read: sheet 'plan' has more than 10000 rows; "
        f"expected at most 10000 (a team's largest table has a few hundred)\n"
    )
    assert _snapshot(team) == before


def test_a_shared_strings_bomb_and_oversized_parts_are_refused_unread(team, tmp_path, monkeypatch):
    _, out = _book(team, tmp_path)
    bomb = tmp_path / "bomb.xlsx"
    strings = 150_000
    sst = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main" count="{strings}" uniqueCount="{strings}">'
        + "".join(f"<si><t>{n}</t></si>" for n in range(strings))
        + "</sst>"
    )
    with zipfile.ZipFile(out) as old, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info, old.read(info))
        new.writestr("xl/sharedStrings.xml", sst)
    before = _snapshot(team)
    result = _run("import-xlsx", bomb, team)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {bomb}: not read: it holds 150000 shared strings; expected at most 100000\n"
    )
    monkeypatch.setattr(xlsxread, "MAX_XML_BYTES", 1000)
    total = sum(i.file_size for i in zipfile.ZipFile(out).infolist())
    result = _run("import-xlsx", out, team)
    assert result.stderr == (
        f"Error: {out}: not read: its parts would inflate to {total} bytes; expected at most 1000\n"
    )
    assert _snapshot(team) == before


def test_an_export_restores_into_an_empty_team_folder(team, tmp_path):
    _, out = _book(team, tmp_path)
    empty = tmp_path / "other" / "teams" / "front"
    empty.mkdir(parents=True)
    result = _run("import-xlsx", out, empty)
    assert result.exit_code == 0, result.output
    assert Workbook.load(empty).problems == []
    for name in ("journey", "roles", "plan"):
        assert Workbook.load(empty)[name].equals(Workbook.load(team)[name])


def test_a_full_disk_stops_import_xlsx_with_one_line(disk, tmp_path):  # noqa: F811
    point = disk("4m")
    team = point / "ws" / "teams" / "front"
    shutil.copytree(SAMPLE, team)
    book, out = _book(team, tmp_path)
    book["plan"].cell(row=2, column=_column(book["plan"], "action")).value = "Edited"
    book.save(out)
    _fill(point)
    before = _snapshot(team)
    result = _run("import-xlsx", out, team)
    assert result.exit_code == 1
    assert result.stderr == f"Error: {team}: {FULL}\n"
    assert _snapshot(team) == before


def _edit_in_folder(team: Path, row: int, text: str) -> None:
    wb = Workbook.load(team)
    journey = wb["journey"].copy()
    journey.loc[row, "description"] = text
    wb["journey"] = journey
    wb.save()


def test_edits_in_the_folder_since_the_export_merge_row_by_row(team, tmp_path):
    book, out = _book(team, tmp_path)
    ws = book["journey"]
    ws.cell(row=3, column=_column(ws, "description")).value = "Edited in Excel"
    book.save(out)
    _edit_in_folder(team, 0, "Edited in the folder")  # after the export, another row
    result = _run("import-xlsx", out, team)
    assert result.exit_code == 0, result.output
    journey = Workbook.load(team)["journey"]
    assert list(journey["description"][:2]) == ["Edited in the folder", "Edited in Excel"]
    assert Workbook.load(team).problems == []


def test_a_row_changed_in_both_is_refused_then_forced(team, tmp_path):
    book, out = _book(team, tmp_path)
    ws = book["journey"]
    touchpoint = ws.cell(row=2, column=_column(ws, "touchpoint_id")).value
    ws.cell(row=2, column=_column(ws, "description")).value = "Excel version"
    book.save(out)
    _edit_in_folder(team, 0, "Folder version")
    before = _snapshot(team)
    result = _run("import-xlsx", out, team)
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: t.xlsx: not imported: 1 row(s) changed both in the team folder and in t.xlsx "
        f"since the export:\n"
        f"  journey.csv, row touchpoint_id={touchpoint}, description: the team folder "
        f"'Folder version', t.xlsx 'Excel version'\n"
        f"What to do: compare them, then import with --force to keep t.xlsx's values (the "
        f"replaced versions stay in .history/), or export again and redo the edits in the new "
        f"file.\n"
    )
    assert _snapshot(team) == before
    result = _run("import-xlsx", out, team, "--force")
    assert result.exit_code == 0, result.output
    assert Workbook.load(team)["journey"].loc[0, "description"] == "Excel version"
    kept = sorted((team / ".history").glob("*.journey.csv"))
    assert kept[-1].read_bytes() == before["journey.csv"]
