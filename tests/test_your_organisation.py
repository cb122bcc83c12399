"""Notebook 06, "your own organisation": the upload widget, its messages, saving, and the notebook.

Also the journey editor's inline roles (notebook 01 before 02): a blank team picks a case role or
adds a new one, and ``roles.csv`` has it.
"""

from __future__ import annotations

import datetime as dt
import json
import os

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import REALDATA, ROOT
from helpers import papermill_run

from kit.analyses.orgchart import read_uk_organogram
from kit.cli import main
from kit.resources import workshop_notebook
from kit.store.csvio import read_csv
from kit.store.workbook import Workbook
from kit.store.workshop import create_demo, create_workshop
from kit.widgets.base import open_team
from kit.widgets.journey import journey_editor
from kit.widgets.orgchart_upload import UPLOAD_DIR, OrgChartUpload, orgchart_upload

HMPO = "130930-Her-Majesty-Passport-Office-Organogram-Data"
GENERIC = (
    "Employee ID,Job Title,Manager ID,FTE,Department\n"
    "E1,Managing director,,1,Board\n"
    "E2,Branch manager,E1,1,Branches\n"
    "E3,Counter assistant,E2,6,Branches\n"
    "E4,Payroll clerk,E1,2,Finance\n"
)
BAD = "Employee ID,Job Title,Manager ID\nE1,Managing director,\nE2,Counter assistant,E9\n"


def _upload(editor: OrgChartUpload, files: dict[str, bytes]) -> None:
    """Put files in the FileUpload exactly as the browser does (name, type, size, content)."""
    editor.upload.value = tuple(
        {
            "name": name,
            "type": "text/csv",
            "size": len(data),
            "content": memoryview(data),
            "last_modified": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        }
        for name, data in files.items()
    )


@pytest.fixture
def blank(tmp_path):
    ws = create_workshop(tmp_path / "w", teams=["Blue"])
    return ws, ws.path / "teams" / "blue"


def _table(path):
    table = read_csv(path, path.name)
    return [dict(zip(table.header, rec, strict=True)) for rec in table.records]


# --------------------------------------------------------------------------- generic export
def test_generic_export_is_flipped_checked_and_saved(blank):
    ws, team = blank
    editor = orgchart_upload(ws.path, "Blue")
    _upload(editor, {"staff.csv": GENERIC.encode()})
    assert editor.flip_button.click() is None
    assert editor.flipped is not None
    html = editor.result.value
    assert (
        "<b>Flipped:</b> 4 rows read; 5 roles (1 customer, 2 frontline, 1 manager, "
        "1 executive), 5 serves edges, 10.0 FTE."
    ) in html
    assert "<p><b>Chain check:</b> every role's service reaches a customer.</p>" in html
    # the roles behind the most front-line posts: the MD is behind both, the branch manager one
    right = "<td style='text-align:right'>"
    assert html.endswith(
        "<table><tr><th>role</th><th>level</th><th>reaches</th><th>people served (FTE)</th></tr>"
        f"<tr><td>Managing director</td><td>executive</td>{right}2</td>{right}8.0</td></tr>"
        f"<tr><td>Branch manager</td><td>manager</td>{right}1</td>{right}6.0</td></tr></table>"
    )
    assert not (team / "roles.csv").exists()  # nothing saved before the click
    editor.save_button.click()
    roles = _table(team / "roles.csv")
    assert [(r["role_id"], r["level"], r["headcount"]) for r in roles] == [
        ("customer", "customer", "0"),
        ("E1", "executive", "1"),
        ("E2", "manager", "1"),
        ("E3", "frontline", "6"),
        ("E4", "frontline", "2"),
    ]
    serves = {(r["from_role"], r["to_role"]) for r in _table(team / "serves.csv")}
    assert serves == {
        ("E1", "E2"),
        ("E1", "E4"),
        ("E2", "E3"),
        ("E3", "customer"),
        ("E4", "customer"),
    }
    assert not (team / UPLOAD_DIR).exists()  # the upload was read and removed


def test_bad_file_gives_the_same_message_as_the_cli(blank, tmp_path):
    ws, team = blank
    editor = orgchart_upload(ws.path, "Blue")
    _upload(editor, {"staff.csv": BAD.encode()})
    assert editor.flip() is False
    message = (
        "staff.csv:3:Manager ID: 'E9' is not the id of any post in the file; expected an "
        "id from the 'Employee ID' column (or blank/XX for the top post). To import it "
        "anyway, attach unknown managers (--attach-unknown)"
    )
    expected_html = message.replace("'", "&#x27;")
    assert editor.result.value == (
        "<p style='color:#b8471b'><b>Not imported:</b> 1 problem to fix in the file, then "
        "upload it again. Nothing was saved.</p><ul style='margin:4px 0'><li><code>"
        f"{expected_html}</code></li></ul>"
    )
    assert editor.save_button.disabled
    assert editor.flipped is None
    assert not (team / "roles.csv").exists()
    assert not (team / UPLOAD_DIR).exists()
    # the CLI, run in the folder holding a file of the same name, prints the same words
    (tmp_path / "staff.csv").write_text(BAD, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(
            main, ["import-orgchart", "staff.csv", "--out", "t"], catch_exceptions=False
        )
    finally:
        os.chdir(cwd)
    assert result.exit_code == 1
    assert f"error: {message}" in result.output


def test_an_upload_with_three_files_is_refused(blank):
    ws, _ = blank
    editor = orgchart_upload(ws.path, "Blue")
    _upload(editor, {"a.csv": b"x\n", "b.csv": b"x\n", "c.csv": b"x\n"})
    assert editor.flip() is False
    assert (
        "<code>(upload): 3 files chosen; expected one (HR export) or two (UK organogram "
        "senior and junior)</code>"
    ) in editor.result.value


def test_user_text_is_escaped(blank):
    ws, _ = blank
    editor = orgchart_upload(ws.path, "Blue")
    evil = "id,title,reports to\n1,<img src=x onerror=alert(1)>,\n2,Clerk,1\n"
    _upload(editor, {"x.csv": evil.encode()})
    assert editor.flip() is True
    assert "<img" not in editor.result.value
    assert "&lt;img" in editor.result.value


# --------------------------------------------------------------------------- saving rules
def test_saving_keeps_roles_the_team_still_uses_and_can_be_undone(tmp_path):
    ws = create_workshop(tmp_path / "w", teams=["Blue"], starter=True)
    team = ws.path / "teams" / "blue"
    before = (team / "roles.csv").read_bytes(), (team / "serves.csv").read_bytes()
    editor = OrgChartUpload(open_team(ws.path, "blue"))
    assert editor.load_files({"staff.csv": GENERIC.encode()})
    assert editor.save_pyramid()
    roles = pd.read_csv(team / "roles.csv")
    journey_roles = set(pd.read_csv(team / "journey.csv")["role_id"].dropna())
    needs_roles = set(pd.read_csv(team / "needs.csv")["provider_role"].dropna())
    assert journey_roles | needs_roles <= set(roles["role_id"])
    assert {"E1", "E2", "E3", "E4", "customer"} <= set(roles["role_id"])
    assert "compliance_analyst" not in set(roles["role_id"])  # named by nothing: dropped
    assert set(map(tuple, pd.read_csv(team / "serves.csv").values.tolist())) == {
        ("E1", "E2"),
        ("E1", "E4"),
        ("E2", "E3"),
        ("E3", "customer"),
        ("E4", "customer"),
    }
    assert any((team / ".history").iterdir())  # the previous version is kept
    assert editor.undo()
    assert editor.undo()
    assert ((team / "roles.csv").read_bytes(), (team / "serves.csv").read_bytes()) == before


def test_saving_never_loses_a_role_someone_else_added_meanwhile(blank):
    ws, team = blank
    editor = OrgChartUpload(open_team(ws.path, "blue"))
    other = Workbook.load(team, root=ws.path)
    other["roles"] = pd.DataFrame([{"role_id": "guest", "name": "Guest", "level": "customer"}])
    other.save()
    assert editor.load_files({"staff.csv": GENERIC.encode()})
    assert editor.save_pyramid()
    assert sorted(pd.read_csv(team / "roles.csv")["role_id"]) == [
        "E1",
        "E2",
        "E3",
        "E4",
        "customer",
        "guest",
    ]


# --------------------------------------------------------------------------- real data
@pytest.mark.realdata
def test_uk_organogram_pair_matches_the_importer(blank):
    if not (REALDATA / "organograms").is_dir():
        pytest.skip("../shared/realdata is not here")
    ws, team = blank
    folder = REALDATA / "organograms"
    files = {
        f"{HMPO}-junior.csv": (folder / f"{HMPO}-junior.csv").read_bytes(),
        f"{HMPO}-senior.csv": (folder / f"{HMPO}-senior.csv").read_bytes(),
    }
    editor = orgchart_upload(ws.path, "Blue")
    _upload(editor, files)
    assert editor.flip()
    direct = read_uk_organogram(folder / f"{HMPO}-senior.csv", folder / f"{HMPO}-junior.csv")
    pd.testing.assert_frame_equal(editor.flipped.roles, direct.roles)
    pd.testing.assert_frame_equal(editor.flipped.serves, direct.serves)
    assert [str(w) for w in editor.flipped.warnings] == [
        str(w).replace(str(folder) + os.sep, "") for w in direct.warnings
    ]
    assert (
        f"<b>Flipped:</b> {direct.source_rows:,} rows read; {len(direct.roles):,} roles"
        in editor.result.value
    )
    editor.save_button.click()
    saved = Workbook.load(team, root=ws.path)
    assert saved["roles"]["role_id"].tolist() == direct.roles["role_id"].tolist()
    assert len(saved["serves"]) == len(direct.serves)


# --------------------------------------------------------------------------- notebook 01 roles
def test_blank_team_adds_a_role_inline_in_the_journey_editor(tmp_path):
    ws = create_workshop(tmp_path / "w", teams=["Blue"], case="riverside-clinic")
    team = ws.path / "teams" / "blue"
    editor = journey_editor(ws.path, "Blue")
    labels = [label for label, _ in editor.role.options]
    assert "Receptionist · frontline · from the case" in labels
    editor.stage.value, editor.description.value = "Waiting", "Waits for the doctor"
    editor.new_role_name.value, editor.new_role_level.value = "Waiting-room host", "frontline"
    editor.add_role_button.click()
    assert editor.role.value == "waiting_room_host"
    editor.add_button.click()
    assert _table(team / "roles.csv") == [
        {
            "role_id": "waiting_room_host",
            "name": "Waiting-room host",
            "level": "frontline",
            "headcount": "",
            "unit": "",
            "grade": "",
        }
    ]
    assert [r["role_id"] for r in _table(team / "journey.csv")] == ["waiting_room_host"]


def test_picking_a_case_role_adds_it_to_the_pyramid(tmp_path):
    ws = create_workshop(tmp_path / "w", teams=["Blue"], case="riverside-clinic")
    team = ws.path / "teams" / "blue"
    editor = journey_editor(ws.path, "Blue")
    editor.stage.value, editor.description.value = "Booking", "Rings at 08:00"
    editor.add_button.click()
    editor.picker.value = "T1"
    editor.role.value = "call_handler"  # an existing touchpoint: saved at once
    assert [
        (r["role_id"], r["name"], r["level"], r["headcount"]) for r in _table(team / "roles.csv")
    ] == [("call_handler", "Call handler (patient line)", "frontline", "5")]
    assert [r["role_id"] for r in _table(team / "journey.csv")] == ["call_handler"]
    assert "· from the case" not in dict((v, k) for k, v in editor.role.options)["call_handler"]
    assert editor.undo()  # one edit: both the role and the touchpoint's role go back
    assert _table(team / "roles.csv") == []
    assert [r["role_id"] for r in _table(team / "journey.csv")] == [""]


# --------------------------------------------------------------------------- the notebook
@pytest.mark.slow
def test_notebook_06_runs_under_papermill(tmp_path, python3_kernel):

    demo = create_demo(tmp_path / "demo").path
    shown = {}
    for team in ("front-desk-friends", ""):
        out = tmp_path / f"out-{team or 'picker'}.ipynb"
        papermill_run(
            str(workshop_notebook("06_your_organisation.ipynb")),
            str(out),
            parameters={"workshop_dir": str(demo), "team": team},
            kernel_name=python3_kernel,
            cwd=str(ROOT / "workshops"),
            execution_timeout=300,
        )
        names = []
        for cell in json.loads(out.read_text(encoding="utf-8"))["cells"]:
            for output in cell.get("outputs", []):
                assert output["output_type"] != "error", output
                data = output.get("data", {})
                if "application/vnd.jupyter.widget-view+json" in data:
                    names.append("".join(data["text/plain"]).split("(", 1)[0])
        shown[team] = names
    assert shown == {
        "front-desk-friends": ["OrgChartUpload", "LiveFigure"],
        "": ["TeamPicker", "TeamPicker"],
    }


def test_notebook_06_is_shaped_like_the_others():
    import ast

    import nbformat

    nb = nbformat.read(workshop_notebook("06_your_organisation.ipynb"), as_version=4)
    assert "**Learning objectives.**" in nb.cells[0].source
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert nb.cells.index(params[0]) == 1
    values = {n.targets[0].id: ast.literal_eval(n.value) for n in ast.parse(params[0].source).body}
    assert values == {"workshop_dir": "../demo", "team": ""}
    steps = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Step")]
    assert len(steps) == 3
    assert all(
        "**Time box:**" in c.source and "**Discuss with your team:**" in c.source for c in steps
    )
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
