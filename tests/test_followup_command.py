"""``servekit followup``: the batch engine's guarantees, and summary.json against hand-worked
progress and status."""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from kit.cli import main
from kit.report.followup_batch import build_followup
from kit.resources import datasets_dir
from kit.store.workbook import Workbook

SAMPLE = datasets_dir() / "laurie-hospitality" / "teams"
AS_OF = "2026-04-15"

# Hand-worked: (action, kind, baseline, target, due, results) -> (progress, status)
HAND = {
    "up": (
        "do",
        60,
        100,
        "2026-06-30",
        [("2026-02-01", 70), ("2026-03-01", 90), ("2026-05-01", 100)],
        0.75,
        "on the way",
    ),
    "down": (
        "have",
        14,
        5,
        "2026-06-30",
        [("2026-04-01", 8), ("2026-03-01", 11)],
        2 / 3,
        "on the way",
    ),
    "met_down": ("have", 20, 4, None, [("2026-03-10", 3)], 17 / 16, "target met"),
    "away": ("be", 10, 20, "2026-05-01", [("2026-04-01", 8)], -0.2, "off track"),
    "late": ("do", 0, 10, "2026-03-31", [("2026-03-01", 4)], 0.4, "overdue"),
    "late_nodata": ("be", 1, 2, "2026-04-01", [], None, "overdue"),
    "none": ("do", 1, 2, None, [], None, "not measured yet"),
    "one": ("have", 3, 1, "2026-05-31", [("2026-04-10", 2.5)], 0.25, "on the way"),
    "flat": ("do", 5, 5, None, [("2026-04-01", 6)], None, "no target set"),
}


def _hand_team(ws: Path) -> None:
    wb = Workbook.load(ws / "teams" / "hand")
    wb.set_team(name="Hand <i>worked</i>")
    wb["roles"] = pd.DataFrame(
        [{"role_id": "gm", "name": "General <b>manager</b>", "level": "executive"}]
    )
    wb["journey"] = pd.DataFrame(
        [
            {
                "touchpoint_id": "T1",
                "stage": "A",
                "order": 1,
                "description": "Desk",
                "contact": "direct",
            }
        ]
    )
    wb["plan"] = pd.DataFrame(
        [
            {
                "action_id": a,
                "touchpoint_id": "T1",
                "kind": k,
                "action": f"<script>{a}</script>",
                "owner_role": "gm",
                "due": due,
                "metric": "m",
                "baseline": b,
                "target": t,
            }
            for a, (k, b, t, due, _, _, _) in HAND.items()
        ]
    )
    wb["results"] = pd.DataFrame(
        [
            {"action_id": a, "date": d, "value": v}
            for a, (*_, res, _, _) in HAND.items()
            for d, v in res
        ]
    )
    wb.save()


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    ws = tmp_path_factory.mktemp("fu") / "ws"
    (ws / "teams").mkdir(parents=True)
    (ws / "workshop.yaml").write_text(
        yaml.safe_dump({"title": "Follow <b>up</b>", "date": "2026-01-15"})
    )
    shutil.copytree(SAMPLE / "front-desk-friends", ws / "teams" / "front-desk-friends")
    (ws / "teams" / "empty").mkdir()
    _hand_team(ws)
    broken = ws / "teams" / "partial"
    shutil.copytree(SAMPLE / "the-night-shift", broken)
    plan = (broken / "plan.csv").read_text().replace(",14,5\n", ",about 14,5\n")
    (broken / "plan.csv").write_text(plan)
    with (broken / "results.csv").open("a") as f:
        f.write("A1,2026-04-01,n/a\n")
    summary = build_followup(ws, as_of=AS_OF, jobs=2, progress=False)
    out = ws / "followup"
    return {
        "ws": ws,
        "out": out,
        "summary": summary,
        "data": json.loads((out / "summary.json").read_text()),
    }


def test_summary_json_has_hand_worked_progress_and_status(batch):
    data = batch["data"]
    assert data["as_of"] == AS_OF
    got = {a["action_id"]: a for a in data["actions"] if a["team"] == "hand"}
    assert set(got) == set(HAND)
    for action, (*_, progress, status) in HAND.items():
        assert got[action]["status"] == status, action
        if progress is None:
            assert got[action]["progress"] is None, action
        else:
            assert got[action]["progress"] == pytest.approx(progress), action
    assert got["up"]["latest"] == 90 and got["up"]["latest_date"] == "2026-03-01"
    assert got["one"]["measurements"] == 1 and got["none"]["measurements"] == 0
    assert got["late"]["owner_name"] == "General <b>manager</b>"
    assert set(data["statuses"]) == {
        "target met",
        "on the way",
        "off track",
        "not measured yet",
        "overdue",
        "no target set",
    }


def test_every_action_of_every_team_is_listed(batch):
    teams = {a["team"] for a in batch["data"]["actions"]}
    assert teams == {"front-desk-friends", "hand", "partial"}
    assert len([a for a in batch["data"]["actions"] if a["team"] == "front-desk-friends"]) == 7
    across = batch["data"]["across_teams"]
    assert across["actions"] == len(batch["data"]["actions"])
    assert across["on_track"] == sum(
        a["status"] in ("target met", "on the way") for a in batch["data"]["actions"]
    )


def test_partial_data_is_reported_in_the_page_not_an_error(batch):
    assert batch["summary"].exit_code == 0
    statuses = {t["slug"]: t["status"] for t in batch["data"]["teams"]}
    assert statuses == dict.fromkeys(["empty", "front-desk-friends", "hand", "partial"], "ok")
    page = html.unescape((batch["out"] / "partial.html").read_text())
    assert "The baseline 'about 14' is not a number; it is left blank here." in page
    assert (
        "A result on row 13 of results.csv has value 'n/a', which is not a number; it is left out."
    ) in page
    empty = (batch["out"] / "empty.html").read_text()
    assert "No internal service plan yet." in empty and "05_plan.ipynb" in empty


def test_pages_are_escaped_offline_and_define_the_statuses(batch):
    page = (batch["out"] / "hand.html").read_text()
    assert "<script>up</script>" not in page and "&lt;script&gt;up&lt;/script&gt;" in page
    assert "Hand &lt;i&gt;worked&lt;/i&gt;" in page
    assert "The due date has passed and the target is not met" in page
    for path in batch["out"].glob("*.html"):
        text = path.read_text()
        assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']?(https?:)?//", text), path
    synthesis = (batch["out"] / "_synthesis.html").read_text()
    assert "Which kind of action works best" in synthesis and "Overdue actions" in synthesis
    index = (batch["out"] / "index.html").read_text()
    assert all(f'href="{slug}.html"' in index for slug in ("empty", "hand", "partial"))
    assert "<th>Actions</th>" in index and "Top priorities" not in index
    assert "<li>1 target met</li>" in index and "<li>no actions in the plan yet</li>" in index


def test_the_records_the_workers_computed_are_the_teams_own(batch):
    """summary.json's actions come from the pages' workers (a skipped team's from its
    manifest), not from a second read of every team: the same as reading every team here."""
    from kit.report.cache import manifest_path
    from kit.report.followup_batch import RECORDS, followup_summary

    read_here = followup_summary(batch["ws"], AS_OF)
    assert batch["data"]["actions"] == read_here["actions"]
    assert batch["data"]["across_teams"] == read_here["across_teams"]
    assert [t["summary"].get(RECORDS) for t in batch["data"]["teams"]] == [None] * 4
    kept = json.loads(manifest_path(batch["out"], "hand").read_text())
    assert [a["action_id"] for a in kept["summary"][RECORDS]] == list(HAND)


def test_second_run_skips_unchanged_and_a_new_date_rebuilds(batch):
    again = build_followup(batch["ws"], as_of=AS_OF, jobs=1, progress=False)
    assert {r.status for r in again.results} == {"unchanged"}
    assert (
        json.loads((batch["out"] / "summary.json").read_text())["actions"]
        == batch["data"]["actions"]
    )
    later = build_followup(batch["ws"], as_of="2026-07-01", jobs=2, progress=False, teams=["hand"])
    assert [r.status for r in later.results if r.slug == "hand"] == ["ok"]
    data = json.loads((batch["out"] / "summary.json").read_text())
    up = next(a for a in data["actions"] if a["action_id"] == "up")
    assert up["status"] == "target met" and up["latest"] == 100  # the May result now counts


def test_cli_bad_date_is_one_clear_message(batch):
    result = CliRunner().invoke(main, ["followup", str(batch["ws"]), "--as-of", "15/04/2026"])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--as-of': got '15/04/2026'; expected a date written "
        "YYYY-MM-DD, e.g. 2026-06-30"
    )
