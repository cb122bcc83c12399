"""Four bugs that, planted one at a time, the suite used to miss (issue 24); each test here fails
when its bug is put back.

1. Duplicate rows of a table without ids (``needs``) collapsing into one on merge or undo.
2. "Keep mine" unable to settle a clash in ``reflections.yaml``.
3. The failure page of a team with invalid data losing its fix text.
4. The report worker's last-resort handler removed: a bug in one team's report must give that
   team a failure page, and the batch must go on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import BROKEN_ROLES, make_workshop, write_team
from markupsafe import escape  # the pages' own escaper (jinja2 autoescape)

from kit.exceptions import RowConflict
from kit.report import TEAM_REPORT, Job, Status, read_manifest
from kit.report.pool import run_pool
from kit.report.worker import run_job
from kit.store.merge import merge_table
from kit.store.workbook import Workbook
from kit.widgets.editor import Editor

HEADER = "touchpoint_id,kind,need,provider_role\n"
TRAIN = "T1,do,Fast check-in training,fom\n"
KEYS = "T1,have,Key cards,fom\n"
LIST = "T2,be,Listening,\n"


# --------------------------------------------------------------------------- 1. duplicates
def test_merge_keeps_both_copies_of_a_duplicated_row_when_theirs_adds_another():
    base = HEADER + TRAIN + TRAIN
    text, clashes = merge_table("needs", base, base + KEYS, base)
    assert clashes == []
    assert text == HEADER + TRAIN + TRAIN + KEYS


def test_merge_keeps_the_copy_i_added_of_an_existing_row():
    base = HEADER + TRAIN
    text, clashes = merge_table("needs", base, base + KEYS, base + TRAIN)
    assert clashes == []
    # their new row goes after its neighbour in their file: the first copy
    assert text == HEADER + TRAIN + KEYS + TRAIN


def test_merge_drops_only_the_copy_they_deleted():
    base = HEADER + TRAIN + TRAIN + KEYS
    text, clashes = merge_table("needs", base, HEADER + TRAIN + KEYS, base + LIST)
    assert clashes == []
    assert text == HEADER + TRAIN + KEYS + LIST


def test_undo_keeps_duplicated_rows_of_a_table_without_ids(tmp_path: Path):
    team = write_team(tmp_path / "team", {"needs.csv": HEADER + TRAIN + TRAIN})
    editor = Editor(Workbook.load(team))
    needs = editor.wb["needs"]
    assert len(needs) == 2
    longer = editor.wb["needs"].iloc[[0, 1, 0]].reset_index(drop=True)
    longer.loc[2, "need"] = "Key cards"
    assert editor.commit({"needs": longer}, what="add a need")
    assert (team / "needs.csv").read_text() == HEADER + TRAIN + TRAIN + "T1,do,Key cards,fom\n"
    assert editor.undo()
    assert (team / "needs.csv").read_text() == HEADER + TRAIN + TRAIN
    # and the undo of adding a second copy leaves the first one
    assert editor.commit({"needs": editor.wb["needs"].iloc[[0, 1, 0]]}, what="copy a need")
    assert (team / "needs.csv").read_text() == HEADER + TRAIN + TRAIN + TRAIN
    assert editor.undo()
    assert (team / "needs.csv").read_text() == HEADER + TRAIN + TRAIN


# --------------------------------------------------------------------------- 2. keep mine
def test_keep_mine_settles_a_clash_in_reflections_and_keeps_their_other_answers(tmp_path):
    team = write_team(tmp_path / "team")  # reflections.yaml: first_step
    mine, theirs = Workbook.load(team), Workbook.load(team)
    theirs.set_reflection("first_step", "Theirs: Bo calls the supplier.")
    theirs.set_reflection("obstacle", "Their obstacle: the budget.")
    theirs.save()
    mine.set_reflection("first_step", "Mine: Ann books the room.")
    with pytest.raises(RowConflict) as refused:
        mine.save()
    assert str(refused.value) == (
        "reflections.yaml, first_step: theirs 'Theirs: Bo calls the supplier.', "
        "yours 'Mine: Ann books the room.'"
    )
    mine.save(force=True)  # "Keep mine"
    assert Workbook.load(team).reflections == {
        "first_step": "Mine: Ann books the room.",
        "obstacle": "Their obstacle: the budget.",
    }


def test_keep_mine_button_settles_a_reflections_clash(tmp_path):
    team = write_team(tmp_path / "team")
    editor, theirs = Editor(Workbook.load(team)), Workbook.load(team)
    theirs.set_reflection("first_step", "theirs")
    theirs.save()
    assert editor.commit(reflections={"first_step": "mine"}, what="first step")
    assert editor.conflict.layout.display == "flex"  # the clash is shown, nothing saved
    assert Workbook.load(team).reflections == {"first_step": "theirs"}
    editor.keep_button.click()
    assert editor.conflict.layout.display == "none"
    assert Workbook.load(team).reflections == {"first_step": "mine"}
    assert editor.wb.stale() == []


# --------------------------------------------------------------------------- 3. fix text
def _job(ws: Path, slug: str, **extra) -> Job:
    return Job(
        slug=slug,
        team_dir=str(ws / "teams" / slug),
        workshop_dir=str(ws),
        out=str(ws / "reports"),
        notebook=str(TEAM_REPORT.notebook),
        title="Spring workshop",
        **extra,
    )


def test_the_failure_page_of_a_team_with_invalid_data_keeps_its_fix_text(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"broken": {"roles.csv": BROKEN_ROLES}})
    (ws / "reports" / ".servekit").mkdir(parents=True)
    result = run_job(_job(ws, "broken"))
    assert result.status == Status.INVALID
    fix = (
        f"Correct each cell named above (file:row:column) in the team folder, or run "
        f"'servekit validate {ws}' to list every problem; then run "
        f"'servekit report {ws} --team broken'."
    )
    assert result.fix == fix
    page = (ws / "reports" / "broken.html").read_text(encoding="utf-8")
    assert f"<p>{escape(fix)}</p>" in page
    assert "<code>teams/broken/roles.csv:3:level: got &#39;boss&#39;" in page


# --------------------------------------------------------------------------- 4. last resort
def _bug_message() -> str:
    """What the buggy hook below raises (the hook is ``json.loads``, called with 3 arguments)."""
    try:
        json.loads("team", "workshop", {})
    except TypeError as exc:
        return f"TypeError: {exc}"
    raise AssertionError("json.loads took three arguments")  # pragma: no cover


def test_a_bug_in_one_teams_report_gives_it_a_failure_page_and_the_batch_goes_on(tmp_path):
    """A kind's index-facts hook that raises is a bug of the kit, not of the team: that team
    gets a failure page saying so, and the other team of the same batch gets its own result."""
    ws = make_workshop(tmp_path / "ws", {"mini": None, "broken": {"roles.csv": BROKEN_ROLES}})
    (ws / "reports" / ".servekit").mkdir(parents=True)
    buggy = _job(ws, "mini", summary="json:loads")  # a hook that cannot take its arguments
    seen: list[str] = []
    results = run_pool(
        [buggy, _job(ws, "broken")], 1, 1, 60, lambda r: seen.append(r.slug), cwd=tmp_path
    )
    assert sorted(seen) == ["broken", "mini"]
    by_slug = {r.slug: r for r in results}
    assert by_slug["mini"].status == Status.FAILED
    assert by_slug["mini"].problem == f"an unexpected error stopped the report ({_bug_message()})"
    fix = (
        "This is a bug in servekit, not in the team's data. Run the command again; "
        "if it persists, send the lines above to the kit's maintainers."
    )
    assert by_slug["mini"].fix == fix
    page = (ws / "reports" / "mini.html").read_text(encoding="utf-8")
    assert f"<p>{escape(fix)}</p>" in page
    assert escape(by_slug["mini"].problem) in page
    assert read_manifest(ws / "reports", "mini")["status"] == "failed"
    assert by_slug["broken"].status == Status.INVALID  # the other team went on
    assert (ws / "reports" / "broken.html").is_file()
    assert "<h1>Mini team</h1>" in page  # the team's name, read before the bug struck
