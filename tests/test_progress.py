"""Team progress for the facilitator: worked out by hand on small teams."""

from __future__ import annotations

from click.testing import CliRunner

from kit.analyses.progress import team_progress
from kit.cli import main
from kit.store.workbook import Workbook
from kit.store.workshop import Workshop


def test_mini_team_progress_by_hand(mini_team):
    row = team_progress({"mini": Workbook.load(mini_team)}).iloc[0]
    # 2 touchpoints (< 6): journey only started; customer+frontline+edges: pyramid done;
    # the one moment of truth (T1) has a need: needs done; T2 unscored: scores started;
    # one action and an answer: plan done.
    assert (row.touchpoints, row.roles, row.need_items, row.scorers, row.actions) == (2, 3, 1, 1, 1)
    assert row["journey"] == "started"
    assert row["pyramid"] == "done"
    assert row["scores"] == "started"
    assert row["plan"] == "done"
    assert row["next_step"] == "journey"


def test_half_finished_sample_team_is_not_done(demo_workshop):
    table = team_progress({t.slug: t.load() for t in Workshop(demo_workshop).teams()})
    half = table.set_index("team").loc["team-4-half-finished"]
    assert half["plan"] == "not started" and half["actions"] == 0
    assert half["next_step"] in {"scores", "needs"}
    done = table[table["team"] != "team-4-half-finished"]
    assert (done["next_step"] == "report").all()


def test_status_command_escapes_markup_in_names(tmp_path):
    runner = CliRunner()
    target = tmp_path / "w"
    assert (
        runner.invoke(main, ["new", str(target), "--team", "[bold red]Loud[reset] team"]).exit_code
        == 0
    )
    result = runner.invoke(main, ["status", str(target)], env={"COLUMNS": "160"})
    assert result.exit_code == 0, result.output
    assert "[bold red]Loud[reset] team" in result.output
