"""Workshop folders, team names, and the new/validate/demo commands."""

from __future__ import annotations

import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import DATASET

from kit.cli import main
from kit.exceptions import WorkshopError
from kit.store.teamnames import check_team_name, slugify
from kit.store.workbook import Workbook
from kit.store.workshop import Workshop, create_workshop


@pytest.mark.parametrize("name", ["../x", "/abs", "a/b", "", "   ", ".", "..", "a\\b", "x\x00y"])
def test_unsafe_team_names_are_refused(tmp_path, name):
    with pytest.raises(WorkshopError) as err:
        check_team_name(name)
    assert "refused" in str(err.value)
    result = CliRunner().invoke(main, ["new", str(tmp_path / "w"), "--team", name])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert not (tmp_path / "w").exists() or not any((tmp_path / "w" / "teams").glob("*"))


def test_clashing_names_are_refused(tmp_path):
    result = CliRunner().invoke(
        main, ["new", str(tmp_path / "w"), "--team", "Night Shift", "--team", "night shift!"]
    )
    assert result.exit_code == 1
    assert "already used by team 'Night Shift'" in result.output


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Front Desk & Friends", "front-desk-friends"),
        ("Équipe Étoile", "equipe-etoile"),
        ("  Team 4 (half-finished) ", "team-4-half-finished"),
    ],
)
def test_slugs(name, slug):
    assert slugify(name) == slug


def test_new_creates_teams_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "w"
    result = CliRunner().invoke(
        main,
        [
            "new",
            str(target),
            "--team",
            "<img src=x onerror=alert(1)> & Co",
            "--teams",
            "2",
            "--facilitator",
            "Sam",
        ],
    )
    assert result.exit_code == 0, result.output
    ws = Workshop(target)
    assert [t.slug for t in ws.teams()] == ["img-src-x-onerror-alert-1-co", "team-1", "team-2"]
    assert (
        ws.team("img-src-x-onerror-alert-1-co").load().name == "<img src=x onerror=alert(1)> & Co"
    )
    assert ws.info["facilitator"] == "Sam" and ws.info["case"] == "laurie-hospitality"
    again = CliRunner().invoke(main, ["new", str(target), "--team", "Other"])
    assert again.exit_code == 1 and "not empty" in again.output
    forced = CliRunner().invoke(main, ["new", str(target), "--team", "Other", "--force"])
    assert forced.exit_code == 0
    assert len(Workshop(target).teams()) == 4


def test_team_copied_in_by_hand_is_picked_up(tmp_path, mini_team):
    ws = Workshop(mini_team.parent.parent)
    assert [t.slug for t in ws.teams()] == ["mini"]
    (ws.teams_path / "late-team").mkdir()
    assert [t.slug for t in ws.teams()] == ["late-team", "mini"]


def test_starter_teams_begin_from_the_reference_case(tmp_path):
    ws = create_workshop(tmp_path / "w", teams=["A"], starter=True)
    wb = ws.team("a").load()
    assert len(wb["journey"]) >= 14 and wb.name == "A"


def test_unknown_case_is_a_clear_message(tmp_path):
    result = CliRunner().invoke(main, ["new", str(tmp_path / "w"), "--team", "A", "--case", "nope"])
    assert result.exit_code == 1
    assert "no case 'nope'" in result.output and "laurie-hospitality" in result.output


def test_validate_exit_codes(tmp_path, mini_team):
    ok = CliRunner().invoke(main, ["validate", str(mini_team.parent.parent)])
    assert ok.exit_code == 0, ok.output
    (mini_team / "scores.csv").write_text("touchpoint_id,scorer,importance,performance\nT1,A,7,1\n")
    bad = CliRunner().invoke(main, ["validate", str(mini_team.parent.parent)])
    assert bad.exit_code == 1
    assert "teams/mini/scores.csv:2:importance" in bad.output


def test_sample_teams_validate_clean(demo_workshop):
    ws = Workshop(demo_workshop)
    assert len(ws.teams()) == 4
    problems = ws.validate()
    assert problems == [], "\n".join(map(str, problems))
    names = {t.slug: t.load().name for t in ws.teams()}
    assert len(set(names.values())) == 4


def test_reference_case_validates_clean():
    assert Workbook.load(DATASET / "reference").problems == []


def test_demo_command_without_reports(tmp_path):
    result = CliRunner().invoke(main, ["demo", str(tmp_path / "d"), "--no-reports"])
    assert result.exit_code == 0, result.output
    assert "4 teams, all valid" in result.output
    assert not (tmp_path / "d" / "reports").exists()


@pytest.mark.slow
def test_demo_command_end_to_end_as_make_demo_runs_it(tmp_path):
    """What a newcomer's `make demo` does: a real process, the workshop, its reports, an index."""
    run = subprocess.run(
        [sys.executable, "-m", "kit", "demo", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    reports = tmp_path / "d" / "reports"
    slugs = {t.slug for t in Workshop(tmp_path / "d").teams()}
    assert {p.stem for p in reports.glob("*.html")} == slugs | {"index", "_synthesis"}
    index = (reports / "index.html").read_text()
    assert 'href="_synthesis.html"' in index
    assert all(f"{slug}.html" in index for slug in slugs)
    assert "Front Desk &amp; Friends" in index
    assert str((reports / "index.html").resolve()) in run.stdout


def test_team_names_read_team_yaml_alone_and_agree_with_the_full_read(tmp_path):
    """The names list reads each team.yaml only, and gives what a full read of the team gives:
    for a good team, a team without a name, one with a broken team.yaml, one whose team.yaml is
    a FIFO or a link, and a team folder that is a link (never followed)."""
    import os

    ws = create_workshop(tmp_path / "w", teams=["Night Shift", "Day Shift"])
    teams = ws.teams_path
    (teams / "day-shift" / "roles.csv").write_text("role_id,name,level\nx,X,boss\n")  # invalid
    for slug, text in {"nameless": "members: [Ann]\n", "broken": "name: [unclosed\n"}.items():
        (teams / slug).mkdir()
        (teams / slug / "team.yaml").write_text(text, encoding="utf-8")
    (teams / "fifo").mkdir()
    os.mkfifo(teams / "fifo" / "team.yaml")
    (teams / "linked").mkdir()
    (tmp_path / "elsewhere.yaml").write_text("name: Elsewhere\n", encoding="utf-8")
    (teams / "linked" / "team.yaml").symlink_to(tmp_path / "elsewhere.yaml")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "team.yaml").write_text("name: Outside\n", encoding="utf-8")
    (teams / "folder-link").symlink_to(tmp_path / "outside")
    workshop = Workshop(ws.path)

    names = workshop.team_names()

    full = {t.slug: t.load(strict=False).name or t.slug for t in workshop.teams()}
    assert names == full
    assert names["night-shift"] == "Night Shift"
    assert names["day-shift"] == "Day Shift"  # a bad table does not hide the name
    assert names["nameless"] == "nameless"
    assert names["broken"] == "broken"
    assert names["fifo"] == "fifo"
    assert names["linked"] == "linked"
    assert "Outside" not in names.values()
