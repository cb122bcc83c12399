"""Tests of kit.analyses.orgchart (flipping org charts) and the ``import-orgchart`` command.

The small fixtures in tests/fixtures/orgchart are hand-written; expected values are worked out
from them by hand in the comments. Real UK organograms (../shared/realdata beside the repo) are
used when present and skipped cleanly when not.
"""

from __future__ import annotations

import csv
import math
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.analyses import orgchart as O
from kit.analyses.pyramid import build_graph, chain_check, reaching_customer
from kit.commands.orgchart import import_orgchart
from kit.exceptions import OrgChartError
from kit.store.schema import TABLES, RoleRow, ServesRow

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "orgchart"
REALDATA = Path(__file__).resolve().parents[2] / "shared" / "realdata"
ORGANOGRAMS = REALDATA / "organograms"
REAL_PAIRS = (
    sorted(p.name[: -len("-senior.csv")] for p in ORGANOGRAMS.glob("*-senior.csv"))
    if ORGANOGRAMS.is_dir()
    else []
)


@pytest.fixture
def fixtures(monkeypatch) -> Path:
    """Run from the fixtures folder so messages show short relative paths."""
    monkeypatch.chdir(FIXTURES)
    return FIXTURES


def problems_of(exc: pytest.ExceptionInfo) -> list[str]:
    return [str(p) for p in exc.value.problems if p.is_error]


# --------------------------------------------------------------------------- flip (pure)


def chart(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["id", "title", "reports_to", "headcount", "unit"])


def test_flip_hand_worked():
    out = O.flip(
        chart(
            [
                ("ceo", "CEO", "", 1, "Board"),
                ("ops", "Ops lead", "ceo", 1, "Ops"),
                ("a", "Agent", "ops", 10, "Ops"),
                ("it", "IT", "ceo", 2, "IT"),
            ]
        )
    )
    assert out.roles[["role_id", "name", "level", "headcount"]].values.tolist() == [
        ["customer", "Customers", "customer", 0.0],
        ["ceo", "CEO", "executive", 1.0],
        ["ops", "Ops lead", "manager", 1.0],
        ["a", "Agent", "frontline", 10.0],
        ["it", "IT", "frontline", 2.0],
    ]
    # the relationship is reversed: a manager serves their reports
    assert out.serves.values.tolist() == [
        ["ceo", "ops"],
        ["ops", "a"],
        ["ceo", "it"],
        ["a", "customer"],
        ["it", "customer"],
    ]
    assert list(out.roles.columns) == TABLES["roles"].columns
    assert list(out.serves.columns) == TABLES["serves"].columns
    assert out.total_fte == out.source_fte == 14.0
    assert out.warnings == ()


def test_flip_customer_facing_units_make_other_ends_support():
    rows = [
        ("ceo", "CEO", "", 1, "Board"),
        ("a", "Agent", "ceo", 3, "Contact - North"),
        ("b", "Analyst", "ceo", 2, "Finance"),
    ]
    out = O.flip(chart(rows), customer_facing_units=["contact*"])
    assert out.roles.set_index("role_id")["level"].to_dict() == {
        "customer": "customer",
        "ceo": "executive",
        "a": "frontline",
        "b": "support",
    }
    assert ["b", "customer"] not in out.serves.values.tolist()
    out = O.flip(chart(rows), customer_facing_units=["Sales"])
    assert any(
        "no unit matches the customer-facing unit 'Sales'" in w.message for w in out.warnings
    )
    assert any("nobody serves the customer directly" in w.message for w in out.warnings)


def test_flip_customer_id_does_not_clash_and_lone_top_is_an_end():
    out = O.flip(chart([("customer", "Shop owner", "", 1, None)]))
    assert out.roles[["role_id", "level"]].values.tolist() == [
        ["customer_", "customer"],
        ["customer", "frontline"],
    ]
    assert out.serves.values.tolist() == [["customer", "customer_"]]


def test_flip_several_tops_warn_and_missing_headcount_counts_one():
    frame = pd.DataFrame({"id": ["a", "b"], "title": ["A", "B"], "reports_to": ["", "none"]})
    out = O.flip(frame)
    assert out.total_fte == 2.0  # no headcount column: each post counts 1
    assert any("2 posts have nobody above them" in w.message for w in out.warnings)


def test_flip_does_not_mutate_its_input():
    frame = chart([("ceo", "CEO", "", "1", "Board"), ("a", "Agent", "ceo", 2.5, None)])
    copy = frame.copy()
    O.flip(frame)
    pd.testing.assert_frame_equal(frame, copy)


def test_flip_reports_every_error_with_row_and_column():
    frame = chart(
        [
            ("a", "A", "", 1, None),
            ("", "B", "a", 1, None),
            ("c", "C", "zz", "x", None),
            ("a", "A again", "", -1, None),
        ]
    )
    with pytest.raises(OrgChartError) as exc:
        O.flip(frame)
    assert problems_of(exc) == [
        "org chart:3:id: blank; expected an id for this post",
        "org chart:4:headcount: 'x' is not a number; expected a headcount or FTE such as 1 or 0.5",
        "org chart:4:reports_to: 'zz' is not the id of any post in the file; expected an id "
        "from the 'id' column (or blank/XX for the top post). To import it anyway, attach "
        "unknown managers (--attach-unknown)",
        "org chart:5:headcount: -1 is negative; expected a headcount of 0 or more",
        "org chart:5:id: id 'a' is already used on row 2; expected each post's id once",
    ]


def test_flip_self_report_is_a_cycle():
    with pytest.raises(OrgChartError) as exc:
        O.flip(chart([("a", "A", "a", 1, None)]))
    assert problems_of(exc) == [
        "org chart:2:reports_to: post 'a' reports to itself; expected every chain of managers "
        "to end at a top post (blank or XX)"
    ]


def test_flip_reports_every_circle_once_from_its_first_row():
    # two separate circles (c -> d -> e -> c and f <-> g), a self-report (h), and a post (i)
    # hanging under a circle without being in it: three errors, each told from the circle's
    # first row, following the reporting lines; i is not an error of its own.
    rows = [
        ("top", "Top", "", 1, None),
        ("e", "E", "c", 1, None),
        ("c", "C", "d", 1, None),
        ("d", "D", "e", 1, None),
        ("g", "G", "f", 1, None),
        ("f", "F", "g", 1, None),
        ("h", "H", "h", 1, None),
        ("i", "I", "d", 1, None),
    ]
    with pytest.raises(OrgChartError) as exc:
        O.flip(chart(rows))
    tail = "; expected every chain of managers to end at a top post (blank or XX)"
    assert problems_of(exc) == [
        "org chart:3:reports_to: reporting lines go round in a circle: 'e' (row 3), which "
        "reports to 'c' (row 4), which reports to 'd' (row 5), which reports to 'e'" + tail,
        "org chart:6:reports_to: reporting lines go round in a circle: 'g' (row 6), which "
        "reports to 'f' (row 7), which reports to 'g'" + tail,
        "org chart:8:reports_to: post 'h' reports to itself" + tail,
    ]


def test_made_up_ids_never_clash_with_posts():
    # a post already uses the customer's id and a placeholder's id: both get a suffix
    out = O.flip(
        chart(
            [
                ("customer", "Customer desk", "", 1, None),
                ("unknown:x", "Odd id", "customer", 1, None),
                ("a", "Agent", "x", 1, None),
            ]
        ),
        attach_unknown=True,
    )
    ids = out.roles["role_id"].tolist()
    assert ids == ["customer_", "customer", "unknown:x", "a", "unknown:x_"]
    assert len(set(ids)) == len(ids)
    assert ["unknown:x_", "a"] in out.serves.values.tolist()
    assert ["a", "customer_"] in out.serves.values.tolist()


def test_flip_attach_unknown_places_a_placeholder_under_the_top():
    out = O.flip(
        chart(
            [
                ("ceo", "CEO", "", 1, None),
                ("a", "Agent", "boss9", 4, None),
                ("b", "Agent", "boss9", 2, None),
            ]
        ),
        attach_unknown=True,
    )
    levels = out.roles.set_index("role_id")["level"].to_dict()
    assert levels["unknown:boss9"] == "manager" and levels["ceo"] == "executive"
    assert ["ceo", "unknown:boss9"] in out.serves.values.tolist()
    assert ["unknown:boss9", "a"] in out.serves.values.tolist()
    assert out.total_fte == out.source_fte == 7.0
    assert any(w.row == 3 and "2 post(s) report to 'boss9'" in w.message for w in out.warnings)


def test_flip_empty():
    out = O.flip(pd.DataFrame(columns=list(O.CHART_COLUMNS)))
    assert out.roles.empty and out.serves.empty
    assert list(out.roles.columns) == TABLES["roles"].columns
    assert out.total_fte == 0.0


def test_unflip_hand_worked_and_empty():
    out = O.flip(chart([("ceo", "CEO", "", 1, "Board"), ("a", "Agent", "ceo", 10, "Ops")]))
    back = O.unflip(out.roles, out.serves)
    assert back.values.tolist() == [
        ["ceo", "CEO", "", 1.0, "Board", None],
        ["a", "Agent", "ceo", 10.0, "Ops", None],
    ]
    assert O.unflip(pd.DataFrame(), pd.DataFrame()).empty


@st.composite
def forests(draw):
    """A random org chart: each post reports to an earlier one (or is a top)."""
    n = draw(st.integers(1, 25))
    rows = []
    for i in range(n):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        fte = draw(st.sampled_from([0.0, 0.5, 1.0, 2.25, 10.0, 37.5]))
        unit = draw(st.sampled_from(["Sales", "Ops", "IT", None]))
        rows.append((f"p{i}", f"Post {i}", "" if parent is None else f"p{parent}", fte, unit, None))
    return pd.DataFrame(rows, columns=list(O.CHART_COLUMNS))


@given(forests(), st.sampled_from([None, ["Sales"], ["sales", "Ops"]]))
@settings(max_examples=80, deadline=None)
def test_flip_properties(frame, facing):
    out = O.flip(frame, customer_facing_units=facing)
    graph = build_graph(out.roles, out.serves)
    # headcount is preserved exactly (to rounding)
    assert math.isclose(out.total_fte, frame["headcount"].sum(), abs_tol=1e-9)
    assert math.isclose(out.total_fte, out.source_fte, abs_tol=1e-9)
    # every role validates against the schema
    for rec in out.roles.to_dict("records"):
        RoleRow.model_validate(rec)
    for rec in out.serves.to_dict("records"):
        ServesRow.model_validate(rec)
    levels = out.roles.set_index("role_id")["level"]
    reaching = reaching_customer(graph)
    if facing is None:
        # flipped tree without customer-facing units: every role reaches the customer
        assert set(graph.nodes) == reaching
        assert chain_check(graph).ok
    else:
        # exactly the ends outside the customer-facing units are support
        for rec in frame.to_dict("records"):
            has_reports = (frame["reports_to"] == rec["id"]).any()
            if not has_reports:
                facing_unit = O.matches_units(rec["unit"], facing)
                assert levels[rec["id"]] == ("frontline" if facing_unit else "support")
    # nothing serves down the pyramid and there are no circles
    check = chain_check(graph)
    assert check.serves_down.empty and check.cycles.empty
    # reversing twice is the identity
    back = O.unflip(out.roles, out.serves)
    expected = frame.assign(headcount=frame["headcount"].astype(float))
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)
    again = O.flip(back, customer_facing_units=facing)
    pd.testing.assert_frame_equal(again.roles, out.roles)
    pd.testing.assert_frame_equal(again.serves, out.serves)


# --------------------------------------------------------------------------- column detection


@pytest.mark.parametrize(
    "header, expected",
    [
        (["id", "title", "reports to"], ("id", "title", "reports to")),
        (["Post ID", "Name", "Parent"], ("Post ID", "Name", "Parent")),
        (["employee_id", "job_title", "manager_id"], ("employee_id", "job_title", "manager_id")),
        (["EmployeeId", "Name", "JobTitle", "ManagerId"], ("EmployeeId", "JobTitle", "ManagerId")),
        (["Title", "Manager"], ("Title", "Title", "Manager")),  # no id column: the title is the id
    ],
)
def test_detect_columns_common_names(header, expected):
    found = O.detect_columns(header)
    assert (found["id"], found["title"], found["reports_to"]) == expected


def test_detect_columns_given_names_and_unknown_given():
    found = O.detect_columns(
        ["who", "what", "boss", "people"],
        id="who",
        title="what",
        reports_to="boss",
        headcount="PEOPLE",
    )
    assert found["headcount"] == "people"
    with pytest.raises(KeyError):
        O.detect_columns(["a", "b"], id="zz")


# --------------------------------------------------------------------------- generic fixture


def test_generic_cafe(fixtures):
    out = O.read_generic("generic/cafe.csv")
    # E1 (no manager) executive; E2, E3 have reports: managers; E4..E8 ends: frontline.
    assert out.roles.set_index("role_id")["level"].to_dict() == {
        "customer": "customer",
        "E1": "executive",
        "E2": "manager",
        "E3": "manager",
        "E4": "frontline",
        "E5": "frontline",
        "E6": "frontline",
        "E7": "frontline",
        "E8": "frontline",
    }
    assert len(out.serves) == 7 + 5  # 7 reporting lines reversed + 5 ends serving customers
    assert out.total_fte == out.source_fte == 14.5  # 1+1+1+3.5+4+2+1.5+0.5
    assert out.source_rows == 8
    assert out.roles.set_index("role_id").loc["E6", "unit"] == "Kitchen"


def test_generic_cafe_customer_facing_and_chain_check(fixtures):
    out = O.read_generic("generic/cafe.csv", customer_facing_units=["Front of house"])
    levels = out.roles.set_index("role_id")["level"].to_dict()
    assert [r for r, lv in levels.items() if lv == "support"] == ["E6", "E7", "E8"]
    assert out.serves.values.tolist()[-2:] == [["E4", "customer"], ["E5", "customer"]]
    check = chain_check(build_graph(out.roles, out.serves))
    # E6, E7, E8 serve nobody; E3 serves only E6 and E7. The nearest frontline role reaching
    # the customer: none in Kitchen/Office, no sibling, largest headcount -> Server (E5, 4).
    assert check.unreached[["role_id", "fix"]].values.tolist() == [
        ["E3", "add: Line Cook serves Server"],
        ["E6", "add: Line Cook serves Server"],
        ["E7", "add: Kitchen Porter serves Server"],
        ["E8", "add: Bookkeeper serves Server"],
    ]


@pytest.mark.parametrize(
    "name, expected",
    [
        (
            "bad_unknown_manager",
            [
                "generic/bad_unknown_manager.csv:5:Manager ID: 'E9' is not the id of any post in the "
                "file; expected an id from the 'Employee ID' column (or blank/XX for the top post). To "
                "import it anyway, attach unknown managers (--attach-unknown)"
            ],
        ),
        (
            "bad_cycle",
            [
                "generic/bad_cycle.csv:3:Manager ID: reporting lines go round in a circle: 'E2' (row 3), "
                "which reports to 'E3' (row 4), which reports to 'E2'; expected every chain of managers "
                "to end at a top post (blank or XX)"
            ],
        ),
        (
            "bad_missing_column",
            [
                "generic/bad_missing_column.csv:1:reports to: missing column; expected a header cell "
                "such as 'reports to', 'manager id', 'manager' or 'parent' (or name it with "
                "--reports-to)"
            ],
        ),
        (
            "bad_duplicate",
            [
                "generic/bad_duplicate.csv:6:Employee ID: id 'E4' is already used on row 4; expected "
                "each post's id once"
            ],
        ),
        (
            "bad_many",
            [
                "generic/bad_many.csv:4:Manager ID: 'E7' is not the id of any post in the file; expected "
                "an id from the 'Employee ID' column (or blank/XX for the top post). To import it anyway, "
                "attach unknown managers (--attach-unknown)",
                "generic/bad_many.csv:5:FTE: 'four' is not a number; expected a headcount or FTE such as "
                "1 or 0.5",
            ],
        ),
    ],
)
def test_generic_bad_files_name_file_row_and_column(fixtures, name, expected):
    with pytest.raises(OrgChartError) as exc:
        O.read_generic(f"generic/{name}.csv")
    assert problems_of(exc) == expected
    problem = exc.value.errors[0]
    assert problem.path == f"generic/{name}.csv"


def test_generic_given_column_not_in_header(fixtures):
    with pytest.raises(OrgChartError) as exc:
        O.read_generic("generic/cafe.csv", reports_to="Line Manager")
    assert problems_of(exc) == [
        "generic/cafe.csv:1:Line Manager: no column named 'Line Manager' (given with "
        "--reports-to); the header has: 'Employee ID', 'Job Title', 'Manager ID', 'FTE', "
        "'Department'"
    ]


def test_generic_missing_and_empty_files(tmp_path):
    with pytest.raises(OrgChartError) as exc:
        O.read_generic(tmp_path / "nope.csv")
    assert str(exc.value).endswith("nope.csv: file not found")
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(OrgChartError, match="empty.csv:1: the file is empty"):
        O.read_generic(tmp_path / "empty.csv")


def test_generic_spreadsheet_habits(tmp_path):
    # semicolons, a BOM, stray spaces, a blank headcount, a top marked XX
    path = tmp_path / "hr.csv"
    path.write_bytes(b"\xef\xbb\xbfid;title;manager;fte\n1; Boss ;XX;1\n2;Clerk;1;\n")
    out = O.read_generic(path)
    assert out.roles["name"].tolist() == ["Customers", "Boss", "Clerk"]
    messages = [w.message for w in out.warnings]
    assert any("separated by semicolons" in m for m in messages)
    assert any("1 post(s) have no headcount; counted as 0" in m for m in messages)


# --------------------------------------------------------------------------- UK fixture


def test_uk_demo_pair(fixtures):
    out = O.read_uk_organogram("uk/demo-senior.csv", "uk/demo-junior.csv")
    roles = out.roles.set_index("role_id")
    assert roles.index.tolist() == [
        "customer",
        "CE1",
        "OPS1",
        "CORP1",
        "OPS2",
        "IT1",
        "0",
        "0#9",
        "CE1/J2",
        "OPS1/J3",
        "OPS1/J4",
        "OPS2/J5",
        "OPS2/J6",
        "CORP1/J7",
        "IT1/J8",
        "IT1/J9",
    ]
    assert roles.loc["CE1", ["name", "level", "grade"]].tolist() == [
        "Chief Executive",
        "executive",
        "SCS3",
    ]
    assert roles.loc["OPS1", "name"] == "Director of Operations (vacant)"
    assert roles.loc["IT1", "name"] == "Head of IT (eliminated)"
    assert roles.loc["OPS2", "headcount"] == 1.0  # job share 0.6 + 0.4 merged
    assert roles.loc["0", "unit"] == "Corporate Services"
    assert roles.loc["0#9", "unit"] == "Operations - Counters"
    assert roles.loc["OPS2/J5", ["name", "headcount", "grade"]].tolist() == [
        "Contact Centre Adviser",
        41.75,
        "AO",
    ]
    # senior 1 + 1 + 0.8 + 0.6 + 0.4 + 1 + 0.5 + 0.5 = 5.8; junior 89.45 -> 95.25
    assert out.source_fte == pytest.approx(95.25)
    assert out.total_fte == pytest.approx(95.25)
    assert out.source_rows == 16
    # 14 reporting lines reversed (6 senior, 8 junior) + 10 ends serving the customer
    assert len(out.serves) == 24
    assert ["OPS1", "0#9"] in out.serves.values.tolist()
    assert ["CORP1", "0"] in out.serves.values.tolist()
    warnings = [str(w) for w in out.warnings]
    assert warnings == [
        "uk/demo-senior.csv:9:Post Unique Reference: warning: post id '0' is used by 2 "
        "different posts; they are kept apart as '0' (row 8), '0#9' (row 9). Rows reporting to "
        "'0' go to the one in their own unit, else to the one nearest the top",
        "uk/demo-senior.csv:5:Post Unique Reference: warning: rows with the same post id, title "
        "and manager were merged into one role each (a job share), their FTE added (rows 5, 6)",
        "uk/demo-senior.csv:3:Name: warning: 1 post(s) are marked vacant; kept with their "
        "published FTE and '(vacant)' added to the role's name (row 3)",
        "uk/demo-senior.csv:7:Name: warning: 1 post(s) are marked eliminated; kept with their "
        "published FTE and '(eliminated)' added to the role's name (row 7)",
        "uk/demo-junior.csv:9:Number of Posts in FTE: warning: 1 post(s) have a headcount of 0; "
        "kept as roles with headcount 0 (row 9)",
    ]


def test_uk_demo_pair_customer_facing_chain_check(fixtures):
    out = O.read_uk_organogram(
        "uk/demo-senior.csv", "uk/demo-junior.csv", customer_facing_units=["Operations*"]
    )
    levels = out.roles.set_index("role_id")["level"]
    assert sorted(levels[levels == "support"].index) == [
        "0",
        "CE1/J2",
        "CORP1/J7",
        "IT1/J8",
        "IT1/J9",
    ]
    check = chain_check(build_graph(out.roles, out.serves))
    # CORP1 and IT1 serve only cut-off roles; CE1 reaches customers through OPS1.
    # Every fix ends at the largest frontline role, Contact Centre Adviser (41.75).
    table = check.unreached.set_index("role_id")
    assert sorted(table.index) == ["0", "CE1/J2", "CORP1", "CORP1/J7", "IT1", "IT1/J8", "IT1/J9"]
    assert set(table["fix_to"]) == {"OPS2/J5"}
    # CORP1's nearest chain ends are 0 and CORP1/J7 (one hop); the smaller id wins: 0
    assert table.loc["CORP1", "fix"] == "add: Not in Post [0] serves Contact Centre Adviser"
    assert table.loc["IT1", "fix_from"] == "IT1/J8"


def test_uk_header_drift_and_file_order(fixtures):
    # junior file first, every cell quoted, "Grade (or equivalent)", lower-case "xx"
    out = O.read_uk_organogram("uk/drift-junior.csv", "uk/drift-senior.csv")
    assert pd.isna(out.roles["grade"].iloc[0])  # the customer role has no grade
    assert out.roles[["role_id", "level", "headcount", "grade"]].fillna("").values.tolist() == [
        ["customer", "customer", 0.0, ""],
        ["10", "executive", 1.0, "SCS2"],
        ["11", "manager", 1.0, "SCS1"],
        ["12", "manager", 1.0, "SCS1"],
        ["11/J2", "frontline", 120.5, "EO"],
        ["11/J3", "frontline", 300.0, "AO"],
        ["12/J4", "frontline", 12.0, "HEO"],
        ["10/J5", "frontline", 1.0, "SEO"],
    ]
    assert out.total_fte == out.source_fte == 436.5
    assert out.warnings == ()


def test_uk_senior_only_warns(fixtures):
    out = O.read_uk_organogram("uk/drift-senior.csv")
    assert len(out.roles) == 4
    assert any("no junior file given" in w.message for w in out.warnings)


@pytest.mark.parametrize(
    "files, expected",
    [
        (
            ("uk/demo-senior.csv", "uk/bad-junior-unknown.csv"),
            [
                "uk/bad-junior-unknown.csv:3:Reporting Senior Post: 'P99' is not the id of any post in "
                "the file; expected the 'Post Unique Reference' of a post in uk/demo-senior.csv. To "
                "import it anyway, attach unknown managers (--attach-unknown)"
            ],
        ),
        (
            ("uk/demo-senior.csv", "uk/bad-junior-fte.csv"),
            [
                "uk/bad-junior-fte.csv:4:Number of Posts in FTE: 'lots' is not a number; expected the "
                "full-time equivalent, such as 1 or 0.5"
            ],
        ),
        (
            ("uk/bad-senior-cycle.csv", None),
            [
                "uk/bad-senior-cycle.csv:3:Reports to Senior Post: reporting lines go round in a circle: "
                "'B1' (row 3), which reports to 'C1' (row 4), which reports to 'B1'; expected every "
                "chain of managers to end at a top post (blank or XX)"
            ],
        ),
        (
            ("uk/bad-senior-missing.csv", None),
            [
                "uk/bad-senior-missing.csv:1:Reports to Senior Post: missing column; expected a "
                "'Reports to Senior Post' header cell in the senior organogram file"
            ],
        ),
        (
            ("generic/cafe.csv", None),
            [
                "generic/cafe.csv:1:Post Unique Reference: does not look like an organogram file; "
                "expected a 'Post Unique Reference' column (senior posts) or a 'Reporting Senior Post' "
                "column (junior posts)"
            ],
        ),
        (
            ("uk/demo-junior.csv", "uk/drift-junior.csv"),
            [
                "uk/drift-junior.csv:1: expected one senior file and one junior file, but got junior and "
                "junior; give the senior file too"
            ],
        ),
    ],
)
def test_uk_bad_files_name_file_row_and_column(fixtures, files, expected):
    with pytest.raises(OrgChartError) as exc:
        O.read_uk_organogram(*files)
    assert problems_of(exc) == expected


def test_uk_attach_unknown_keeps_the_fte(fixtures):
    out = O.read_uk_organogram(
        "uk/demo-senior.csv", "uk/bad-junior-unknown.csv", attach_unknown=True
    )
    roles = out.roles.set_index("role_id")
    assert roles.loc["unknown:P99", ["level", "headcount"]].tolist() == ["manager", 0.0]
    assert ["CE1", "unknown:P99"] in out.serves.values.tolist()
    assert ["unknown:P99", "P99/J3"] in out.serves.values.tolist()
    assert out.total_fte == pytest.approx(out.source_fte) == pytest.approx(5.8 + 28.5)
    assert str(out.warnings[-1]) == (
        "uk/bad-junior-unknown.csv:3:Reporting Senior Post: warning: 1 post(s) report to "
        "'P99', which is not in the file; they were placed under a placeholder role "
        "'unknown:P99' (0 FTE) under the top post (row 3)"
    )


def test_uk_not_disclosed_fte_is_a_warning(fixtures, tmp_path):
    junior = tmp_path / "j.csv"
    junior.write_text(
        "Reporting Senior Post,Generic Job Title,Number of Posts in FTE\nCE1,Clerk,N/D\nCE1,,2\n"
    )
    out = O.read_uk_organogram(FIXTURES / "uk/demo-senior.csv", junior)
    assert any(w.row == 2 and "publish no FTE" in w.message for w in out.warnings)
    assert out.roles.set_index("role_id").loc["CE1/J3", "name"] == "Junior staff"


# --------------------------------------------------------------------------- writing


def test_write_tables_schema_order_atomic_and_refuses_overwrite(fixtures, tmp_path):
    out = O.read_uk_organogram("uk/demo-senior.csv", "uk/demo-junior.csv")
    team = tmp_path / "team"
    roles_path, serves_path = O.write_tables(out.roles, out.serves, team)
    with roles_path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == TABLES["roles"].columns
    assert rows[1] == ["customer", "Customers", "customer", "0", "", ""]
    assert rows[5] == [
        "OPS2",
        "Deputy Director Contact Centre",
        "manager",
        "1",
        "Operations - Contact Centre",
        "SCS1",
    ]
    assert [
        "OPS2/J5",
        "Contact Centre Adviser",
        "frontline",
        "41.75",
        "Operations - Contact Centre",
        "AO",
    ] in rows
    assert serves_path.read_text().splitlines()[0] == "from_role,to_role"
    assert sorted(p.name for p in team.iterdir() if p.name != ".lock") == [
        "roles.csv",
        "serves.csv",
    ]  # no temps (the lock file is the team lock every save takes)
    with pytest.raises(OrgChartError, match="already exists; refusing to overwrite"):
        O.write_tables(out.roles, out.serves, team)
    O.write_tables(out.roles.head(2), out.serves.head(0), team, force=True)
    assert len(roles_path.read_text().splitlines()) == 3


def test_written_tables_load_as_a_valid_workbook(fixtures, tmp_path):
    from kit.store.workbook import validate_team

    out = O.read_uk_organogram("uk/demo-senior.csv", "uk/demo-junior.csv")
    O.write_tables(out.roles, out.serves, tmp_path / "team")
    assert [p for p in validate_team(tmp_path / "team") if p.is_error] == []


# --------------------------------------------------------------------------- CLI


def run(args: list[str]):
    return CliRunner().invoke(import_orgchart, args, catch_exceptions=False)


def test_cli_generic(fixtures, tmp_path):
    team = tmp_path / "team"
    result = run(["generic/cafe.csv", "--out", str(team), "--frontline-unit", "Front of house"])
    assert result.exit_code == 0, result.output
    assert "Roles: 9 (1 customer, 1 executive, 2 manager, 3 support, 2 frontline)" in result.output
    assert "Serves edges: 9" in result.output
    assert "Total FTE: 14.5" in result.output
    assert "Chain check: 4 finding(s) (4 unreached)" in result.output
    assert "add: Line Cook serves Server" in result.output
    assert (team / "roles.csv").is_file() and (team / "serves.csv").is_file()
    # refuses to overwrite without --force
    again = run(["generic/cafe.csv", "--out", str(team)])
    assert again.exit_code == 1
    assert "roles.csv: already exists; refusing to overwrite it (use --force" in again.output
    assert "Traceback" not in again.output
    forced = run(["generic/cafe.csv", "--out", str(team), "--force"])
    assert forced.exit_code == 0 and "Chain check: 0 finding(s)" in forced.output


def test_cli_generic_column_options(tmp_path):
    src = tmp_path / "hr.csv"
    src.write_text("who,what,boss,people,team\nA,Owner,,1,HQ\nB,Clerk,A,3,Shop\n")
    result = run(
        [
            str(src),
            "--out",
            str(tmp_path / "t"),
            "--id",
            "who",
            "--title",
            "what",
            "--reports-to",
            "boss",
            "--headcount",
            "people",
            "--unit",
            "team",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Total FTE: 4" in result.output
    roles = pd.read_csv(tmp_path / "t" / "roles.csv")
    assert roles["unit"].tolist()[1:] == ["HQ", "Shop"]


def test_cli_uk_pair_with_graphml(fixtures, tmp_path):
    result = run(
        [
            "uk/demo-junior.csv",
            "uk/demo-senior.csv",
            "--out",
            str(tmp_path / "t"),
            "--graphml",
            str(tmp_path / "p.graphml"),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Read 16 row(s)" in result.output
    assert "Total FTE: 95.25" in result.output
    assert "5 warning(s):" in result.output
    assert "uk/demo-senior.csv:3:Name: warning: 1 post(s) are marked vacant" in result.output
    assert (tmp_path / "p.graphml").read_text().startswith("<?xml")


@pytest.mark.parametrize(
    "args, expected",
    [
        (
            ["generic/bad_cycle.csv"],
            "error: generic/bad_cycle.csv:3:Manager ID: reporting lines go round in a circle: "
            "'E2' (row 3), which reports to 'E3' (row 4), which reports to 'E2'; expected every "
            "chain of managers to end at a top post (blank or XX)",
        ),
        (
            ["generic/bad_many.csv"],
            "error: generic/bad_many.csv:5:FTE: 'four' is not a number; expected a headcount or "
            "FTE such as 1 or 0.5",
        ),
        (
            ["generic/bad_missing_column.csv"],
            "error: generic/bad_missing_column.csv:1:reports to: missing column; expected a "
            "header cell such as 'reports to', 'manager id', 'manager' or 'parent' (or name it "
            "with --reports-to)",
        ),
        (
            ["uk/demo-senior.csv", "uk/bad-junior-unknown.csv"],
            "error: uk/bad-junior-unknown.csv:3:Reporting Senior Post: 'P99' is not the id of "
            "any post in the file; expected the 'Post Unique Reference' of a post in "
            "uk/demo-senior.csv. To import it anyway, attach unknown managers (--attach-unknown)",
        ),
        (["generic/none.csv"], "error: generic/none.csv: file not found"),
        (
            ["a.csv", "b.csv", "c.csv"],
            "error: expected one file (generic) or two (UK organogram senior and junior), got 3",
        ),
        # a senior organogram read as a generic chart: the job share repeats an id
        (
            ["uk/demo-senior.csv", "--format", "generic"],
            "error: uk/demo-senior.csv:6:Post Unique Reference: id 'OPS2' is already used on "
            "row 5; expected each post's id once",
        ),
        (
            ["uk/demo-senior.csv", "uk/demo-junior.csv", "--id", "x"],
            "error: --id applies to --format generic only; UK organogram columns are fixed",
        ),
        (
            ["uk/demo-senior.csv", "uk/demo-junior.csv", "--id", "x", "--unit", "y"],
            "error: --id, --unit apply to --format generic only; UK organogram columns are fixed",
        ),
        (
            ["generic/cafe.csv", "--title", "Role"],
            "error: generic/cafe.csv:1:Role: no column named 'Role' (given with --title); the "
            "header has: 'Employee ID', 'Job Title', 'Manager ID', 'FTE', 'Department'",
        ),
    ],
)
def test_cli_bad_input_exit_1_without_traceback(fixtures, tmp_path, args, expected):
    result = run([*args, "--out", str(tmp_path / "t")])
    assert result.exit_code == 1
    assert expected in result.output.splitlines()  # the whole message, as one line
    assert "Traceback" not in result.output
    assert not (tmp_path / "t" / "roles.csv").exists()


def test_cli_subprocess_never_shows_a_traceback(fixtures, tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kit.commands.orgchart",
            "generic/bad_cycle.csv",
            "--out",
            str(tmp_path / "t"),
        ],
        capture_output=True,
        text=True,
        cwd=FIXTURES,
        env={**os.environ, "PYTHONPATH": str(FIXTURES.parents[2])},
    )
    assert result.returncode == 1
    # the problems on stdout (like servekit validate), the summary on stderr
    assert "error: generic/bad_cycle.csv:3:Manager ID:" in result.stdout
    assert result.stderr == "1 error(s): nothing was written\n"
    assert "Traceback" not in result.stderr + result.stdout


def test_cli_command_is_registered():
    from kit.cli import main

    assert main.get_command(None, "import-orgchart") is import_orgchart


# --------------------------------------------------------------------------- real organograms


def files_fte(senior: Path, junior: Path) -> float:
    """FTE summed straight from the files with pandas (an oracle independent of kit.store.csvio)."""
    s = pd.read_csv(senior, dtype=str, keep_default_na=False)
    j = pd.read_csv(junior, dtype=str, keep_default_na=False)
    return float(pd.to_numeric(s["FTE"]).sum() + pd.to_numeric(j["Number of Posts in FTE"]).sum())


@pytest.mark.realdata
@pytest.mark.parametrize("stem", REAL_PAIRS or ["(no realdata)"])
def test_every_real_organogram_pair_imports_with_fte_preserved(stem, tmp_path):
    if not REAL_PAIRS:
        pytest.skip(f"real data not found at {REALDATA}")
    senior, junior = ORGANOGRAMS / f"{stem}-senior.csv", ORGANOGRAMS / f"{stem}-junior.csv"
    out = O.read_uk_organogram(senior, junior)
    expected = files_fte(senior, junior)
    assert out.total_fte == pytest.approx(expected, abs=0.01)
    assert out.source_fte == pytest.approx(expected, abs=0.01)
    assert out.roles["role_id"].is_unique
    for rec in out.roles.to_dict("records"):
        RoleRow.model_validate(rec)
    graph = build_graph(out.roles, out.serves)
    check = chain_check(graph)
    assert check.ok, check.findings["sentence"].head().tolist()
    assert (out.roles["level"] == "executive").sum() == 1
    assert all(w.severity == "warning" for w in out.warnings)
    # people's names are never imported
    names = set(pd.read_csv(senior, dtype=str, keep_default_na=False)["Name"]) - {
        "N/D",
        "Vacant",
        "Eliminated",
        '"Vacant"',
        '"Eliminated"',
        "",
    }
    assert not names & set(out.roles["name"])


@pytest.mark.realdata
def test_real_dwp_through_the_cli(tmp_path):
    senior = ORGANOGRAMS / "clean-version-of-DWP-September-2013-senior.csv"
    if not senior.exists():
        pytest.skip(f"real data not found at {REALDATA}")
    junior = ORGANOGRAMS / "clean-version-of-DWP-September-2013-junior.csv"
    result = run(
        [
            str(senior),
            str(junior),
            "--out",
            str(tmp_path / "dwp"),
            "--frontline-unit",
            "Operations*",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Read 2,384 row(s)" in result.output
    assert "Total FTE: 89,118.31" in result.output
    # the duplicated post id DWP135: the Permanent Secretary is the top and the directors
    # general report to it, while the Operations staff report to the regional director
    serves = pd.read_csv(tmp_path / "dwp" / "serves.csv")
    assert ("DWP135#201", "DWP202") in set(map(tuple, serves.values))
    roles = pd.read_csv(tmp_path / "dwp" / "roles.csv").set_index("role_id")
    assert roles.loc["DWP135#201", ["name", "level"]].tolist() == [
        "Permanent Secretary",
        "executive",
    ]
