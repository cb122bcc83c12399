"""The cross-team synthesis: hand-checked on small workshops, escaped, built once per batch."""

from __future__ import annotations

import pytest
from conftest import write_team

from kit.report import SYNTHESIS_PAGE, build_reports
from kit.report.synthesis import Synthesis

XSS = "<img src=x onerror=alert(1)>"
SCORES = "touchpoint_id,scorer,importance,performance,be,do,have\n"


def workshop(tmp_path, teams):
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "workshop.yaml").write_text("title: Two teams & more\ncase: laurie-hospitality\n")
    for slug, files in teams.items():
        write_team(ws / "teams" / slug, files)
    return ws


def test_agreement_by_hand(tmp_path):
    # Team a: T1 priority (5-2)*5*1.5=22.5 (moment of truth), T2 (4-3)*4=4 -> T1 first.
    # Team b: T1 (4-3)*4*1.5=6, T2 (5-1)*5=20                               -> T2 first.
    ws = workshop(
        tmp_path,
        {
            "a": {
                "team.yaml": "name: Alpha\n",
                "scores.csv": SCORES + "T1,x,5,2,3,3,2\nT2,x,4,3,4,4,1\n",
            },
            "b": {
                "team.yaml": f"name: '{XSS}'\n",
                "scores.csv": SCORES + "T1,y,4,3,2,4,4\nT2,y,5,1,1,3,3\n",
            },
        },
    )
    s = Synthesis.load(ws)
    assert set(s.scored) == {"Alpha", XSS}
    assert "Every one of the 2 teams compared has these in its top 3" in s.agreement_text(k=3)
    one = str(s.agreement_text(k=1))
    assert "No touchpoint is in every team's top 1" in one
    top = str(s.priorities_table(k=1))
    assert "<td>T1 Check-in at the desk</td>" in top and "<td>T2 Room prepared" in top
    # weakest of be/do/have per touchpoint: a: T1 have(2), T2 have(1); b: T1 be(2), T2 be(1)
    assert "at 2 of 4 scored touchpoints" in str(s.readiness_text())


def test_user_text_is_escaped_everywhere(tmp_path):
    ws = workshop(
        tmp_path,
        {
            "a": {"team.yaml": f"name: '{XSS}'\n"},
            "b": {"team.yaml": "name: '<script>alert(1)</script>'\n"},
        },
    )
    s = Synthesis.load(ws)
    html = "".join(
        str(part)
        for part in (
            s.cover(),
            s.progress_table(),
            s.priorities_table(),
            s.chain_table(),
            s.agreement_text(),
        )
    )
    assert "<img" not in html and "<script" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_team_with_errors_is_listed_not_compared(tmp_path):
    ws = workshop(tmp_path, {"a": {}, "b": {"scores.csv": SCORES + "T1,y,9,3,,,\n"}})
    s = Synthesis.load(ws)
    assert list(s.usable) == ["a"]
    assert "Not enough teams to compare" in str(s.agreement_text())
    assert ">1</td>" in str(s.progress_table())  # b's one data error is counted


@pytest.mark.slow
def test_batch_builds_the_synthesis_once_and_links_it(tmp_path):
    ws = workshop(tmp_path, {"a": {}, "b": {"team.yaml": "name: Bravo\n"}})
    first = build_reports(ws, jobs=1, progress=False)
    assert first.exit_code == 0 and first.synthesis == SYNTHESIS_PAGE
    page = ws / "reports" / SYNTHESIS_PAGE
    assert "Where every team got to" in page.read_text()
    assert f'href="{SYNTHESIS_PAGE}"' in (ws / "reports" / "index.html").read_text()
    stamp = page.stat().st_mtime_ns
    build_reports(ws, jobs=1, progress=False)
    assert page.stat().st_mtime_ns == stamp  # nothing changed: not rebuilt
    (ws / "teams" / "b" / "scores.csv").write_text(SCORES + "T2,z,5,1,2,2,2\n")
    build_reports(ws, jobs=1, progress=False)
    assert page.stat().st_mtime_ns != stamp


@pytest.mark.slow
def test_a_failing_synthesis_spares_the_team_reports(tmp_path):
    import dataclasses

    import nbformat

    from kit.report import TEAM_REPORT

    broken = tmp_path / "broken_synthesis.ipynb"
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'workshop_dir = ""\nembed_plotlyjs = True', metadata={"tags": ["parameters"]}
            ),
            nbformat.v4.new_code_cell("raise RuntimeError('synthesis exploded')"),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    nbformat.write(nb, broken)
    ws = workshop(tmp_path, {"a": {}, "b": {"team.yaml": "name: Bravo\n"}})
    kind = dataclasses.replace(TEAM_REPORT, synthesis=broken)
    summary = build_reports(ws, jobs=2, progress=False, kind=kind)
    assert [r.status for r in summary.results] == ["ok", "ok"]
    assert "synthesis exploded" in summary.synthesis_problem
    assert summary.synthesis is None and summary.exit_code == 1
    assert not (ws / "reports" / SYNTHESIS_PAGE).exists()
    assert (ws / "reports" / "index.html").is_file()
    assert {p.name for p in (ws / "reports" / ".servekit").glob("*.json")} == {"a.json", "b.json"}


def test_cover_counts_agree_and_link_back_and_the_broken_team_is_marked(tmp_path):
    ws = workshop(
        tmp_path,
        {
            "a": {"team.yaml": "name: Alpha\n", "scores.csv": SCORES + "T1,x,5,2,3,3,2\n"},
            "b": {"team.yaml": "name: Beta\n", "scores.csv": SCORES + "T1,y,4,3,2,4,4\n"},
            "c": {"team.yaml": "name: Gamma\n", "roles.csv": "role_id,name,level\nx,X,nonsense\n"},
        },
    )
    s = Synthesis.load(ws)
    cover = str(s.cover())
    assert '<a href="index.html">← All reports</a>' in cover
    assert "Synthesis across 3 teams" in cover
    assert "3 teams, 2 with data that can be compared" in cover
    progress = str(s.progress_table())
    assert "Gamma ⚠ broken: data to fix" in progress
    assert "Alpha ⚠" not in progress and "Beta ⚠" not in progress
