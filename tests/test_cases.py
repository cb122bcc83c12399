"""Every case dataset, not only Laurie's: shape, planted flaws, new/demo, notebooks and reports.

Each test loops over :func:`kit.resources.cases`, so a case added later is checked the same way.
"""

from __future__ import annotations

import html
import json

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from conftest import ROOT

from kit.analyses.pyramid import build_graph, chain_check
from kit.cli import main
from kit.resources import cases, workshop_notebook
from kit.room.agenda import load_agendas
from kit.store.workbook import Workbook
from kit.store.workshop import Workshop, case_dir, create_demo, load_case

CASES = cases()
CHAIN_KINDS = {"orphan", "unreached", "serves_down", "cycle"}
PARTICIPANT = [
    "01_journey.ipynb",
    "02_pyramid.ipynb",
    "03_needs.ipynb",
    "04_scoring.ipynb",
    "05_plan.ipynb",
    "06_your_organisation.ipynb",
]


def test_there_are_three_cases():
    assert {"laurie-hospitality", "riverside-clinic", "northline-contact-centre"} <= set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_case_is_shaped_like_laurie(case):
    folder = case_dir(case)
    info = load_case(case)
    assert info["slug"] == case
    assert {"title", "summary", "stages", "facilitator_notes", "flaws"} <= set(info)
    readme = (folder / "README.md").read_text(encoding="utf-8")
    for heading in (
        "## 2. Sources",
        "## 3. What is invented",
        "## 5. The deliberate flaws",
        "## 6. The sample teams",
        "## 9. Licence",
    ):
        assert heading in readme, heading
    reference = Workbook.load(folder / "reference")
    assert len(reference["journey"]) >= 10
    assert len(reference["roles"]) >= 10
    assert set(reference["journey"]["stage"]) <= set(info["stages"])
    teams = sorted(p for p in (folder / "teams").iterdir() if p.is_dir())
    assert len(teams) >= 2
    complete = [t for t in teams if (t / "plan.csv").is_file()]
    half = [t for t in teams if not (t / "plan.csv").is_file()]
    assert complete and half, "expected complete teams and a half-finished one"
    for team in complete:
        wb = Workbook.load(team)
        assert len(wb["scores"])
        assert len(wb["plan"])
        assert len(wb["results"])
        assert wb.reflections
    agendas = load_agendas(case)
    assert set(agendas.root) >= {"half-day", "full-day"}


@pytest.mark.parametrize("case", CASES)
def test_every_table_of_every_case_is_valid(case):
    folder = case_dir(case)
    for team in [folder / "reference", *sorted((folder / "teams").iterdir())]:
        problems = Workbook.load(team, strict=False).problems
        assert [str(p) for p in problems if p.is_error] == [], team


@pytest.mark.parametrize("case", CASES)
def test_planted_flaws_are_where_case_yaml_says(case):
    """The facilitator's list of flaws matches what the kit finds in the reference workbook."""
    reference = Workbook.load(case_dir(case) / "reference")
    check = chain_check(build_graph(reference["roles"], reference["serves"]))
    found = check.findings
    flaws = load_case(case)["flaws"]
    assert any(f["kind"] in CHAIN_KINDS for f in flaws), "expected a planted pyramid flaw"
    for flaw in flaws:
        kind = flaw["kind"]
        if kind in ("orphan", "unreached"):
            assert flaw["role_id"] in set(found.loc[found["kind"] == kind, "role_id"]), flaw
        elif kind == "serves_down":
            edge = (flaw["edge"]["from_role"], flaw["edge"]["to_role"])
            rows = found.loc[found["kind"] == "serves_down", ["from_role", "to_role"]]
            assert edge in set(map(tuple, rows.values.tolist())), flaw
        elif kind == "unowned_touchpoint":
            row = reference["journey"].set_index("touchpoint_id").loc[flaw["touchpoint_id"]]
            assert pd.isna(row["role_id"]) or row["role_id"] == ""
            assert bool(row["moment_of_truth"])
        elif kind == "needs_gap":
            needs = reference["needs"]
            here = needs[needs["touchpoint_id"] == flaw["touchpoint_id"]]
            assert len(here)
            assert "be" not in set(here["kind"])
            assert here["provider_role"].nunique() == 1
        else:
            pytest.fail(f"{case}: unknown flaw kind {kind!r}")


def test_new_cases_report_exactly_their_planted_chain_findings():
    """Hand-checked against the datasheets (section 5): nothing else is wrong by accident."""
    expected = {
        "riverside-clinic": [
            ("serves_down", "", "reception_supervisor", "clinical_lead"),
            ("unreached", "quality_lead", "targets_analyst", "gp"),
            ("unreached", "targets_analyst", "targets_analyst", "gp"),
        ],
        "northline-contact-centre": [
            ("cycle", "", "head_of_service", "quality_manager"),
            ("serves_down", "", "workforce_planner", "head_of_service"),
        ],
    }
    for case, rows in expected.items():
        reference = Workbook.load(case_dir(case) / "reference")
        found = chain_check(build_graph(reference["roles"], reference["serves"])).findings
        got = sorted(map(tuple, found[["kind", "role_id", "from_role", "to_role"]].values))
        assert got == rows, case


@pytest.mark.parametrize("case", CASES)
def test_servekit_new_blank_and_starter(case, tmp_path):
    runner = CliRunner()
    blank = runner.invoke(
        main, ["new", str(tmp_path / "b"), "--case", case, "--team", "Blue"], catch_exceptions=False
    )
    assert blank.exit_code == 0, blank.output
    assert not (tmp_path / "b" / "teams" / "blue" / "journey.csv").exists()
    starter = runner.invoke(
        main,
        ["new", str(tmp_path / "s"), "--case", case, "--team", "Blue", "--starter"],
        catch_exceptions=False,
    )
    assert starter.exit_code == 0, starter.output
    team = tmp_path / "s" / "teams" / "blue"
    for name in ("journey.csv", "roles.csv", "serves.csv", "needs.csv"):
        assert (team / name).read_bytes() == (case_dir(case) / "reference" / name).read_bytes()
    info = yaml.safe_load((tmp_path / "s" / "workshop.yaml").read_text(encoding="utf-8"))
    assert info["case"] == case
    for folder in ("b", "s"):
        check = runner.invoke(main, ["validate", str(tmp_path / folder)], catch_exceptions=False)
        assert check.exit_code == 0, check.output


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_servekit_demo_builds_every_report_and_the_synthesis(case, tmp_path):
    result = CliRunner().invoke(
        main, ["demo", str(tmp_path / "d"), "--case", case, "-j", "2"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    ws = Workshop(tmp_path / "d")
    slugs = [t.slug for t in ws.teams()]
    assert sorted(slugs) == sorted(p.name for p in (case_dir(case) / "teams").iterdir())
    reports = tmp_path / "d" / "reports"
    names = [ws.team(slug).load().name for slug in slugs]
    for slug, name in zip(slugs, names, strict=True):
        page = (reports / f"{slug}.html").read_text(encoding="utf-8")
        assert name.replace("&", "&amp;") in page
    synthesis = (reports / "_synthesis.html").read_text(encoding="utf-8")
    assert all(name.replace("&", "&amp;") in synthesis for name in names)
    index = (reports / "index.html").read_text(encoding="utf-8")
    assert all(f"{slug}.html" in index for slug in slugs)
    summary = json.loads((reports / "summary.json").read_text(encoding="utf-8"))
    assert (summary["built"], summary["failed"]) == (len(slugs), 0)
    assert summary["synthesis"] == "_synthesis.html"
    assert summary["synthesis_problem"] is None
    assert sorted(t["status"] for t in summary["teams"]) == ["ok"] * len(slugs)
    assert [p for p in ws.validate() if p.is_error] == []


# --------------------------------------------------------------------------- papermill
def _snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "notebooks" not in p.parts
    }


@pytest.mark.slow
@pytest.mark.parametrize("case", [c for c in CASES if c != "laurie-hospitality"])
def test_every_participant_notebook_runs_on_every_case(case, tmp_path, warm_kernel):
    """Laurie's four teams are run by test_participant_notebooks (plain papermill, a fresh
    kernel each); here the other cases' teams, on one warm kernel put back to its baseline
    after each notebook (a name a notebook forgets to import is not there)."""

    demo = create_demo(tmp_path / "demo", case=case).path
    before = _snapshot(demo)
    for team in Workshop(demo).teams():
        for name in PARTICIPANT:
            result = warm_kernel.run(
                workshop_notebook(name),
                {"workshop_dir": str(demo), "team": team.slug},
                cwd=str(ROOT / "workshops"),
            )
            outputs = [output for cell in result.cells for output in cell.get("outputs", [])]
            assert outputs, (name, team.slug)
            for output in outputs:
                assert output["output_type"] != "error", (name, team.slug, output)
                text = "".join(output.get("data", {}).get("text/plain", ""))
                assert "problems" not in text.lower() or "Editor" in text, (name, text)
    assert _snapshot(demo) == before


@pytest.mark.parametrize("agenda", ["half-day", "full-day"])
@pytest.mark.parametrize("case", CASES)
def test_the_facilitator_guide_builds_for_every_case(case, agenda, tmp_path):
    ws = create_demo(tmp_path / "demo", case=case)
    out = tmp_path / "guide.html"
    result = CliRunner().invoke(
        main, ["guide", str(ws.path), "--agenda", agenda, "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    page = html.unescape(out.read_text(encoding="utf-8"))
    agendas = load_agendas(case)
    for block in agendas.root[agenda].blocks:
        assert block.title in page, block.title
    for flaw in load_case(case)["flaws"]:
        assert flaw["what"][:40] in page, flaw["what"]
