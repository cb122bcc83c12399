"""Each team's own notebooks (``notebooks/<slug>/``) and the team picker of ``workshops/``.

Fast checks look at the written files; the slow test runs every generated notebook of two teams
under plain papermill, exactly as a participant's *Run All* would (cwd = the notebook's folder),
with one extra cell that makes an edit through the editor the notebook displayed, and checks the
edit landed in that team's CSV and nowhere else.
"""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner
from conftest import ROOT

from kit.cli import main
from kit.exceptions import WorkshopError
from kit.room.teamnotebooks import participant_notebooks, write_team_notebooks
from kit.store.workshop import Workshop
from kit.testing import team_parameters

PARTICIPANT = sorted(p.name for p in (ROOT / "workshops").glob("0[1-9]_*.ipynb"))
LINK = re.compile(r"\]\(([^)]+\.ipynb)\)")


def _snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _data_changes(before: dict, after: dict) -> set[str]:
    """Team files that changed (the save lock and the kept old versions aside)."""
    return {
        n
        for n in after
        if after[n] != before.get(n) and "/.history/" not in n and not n.endswith("/.lock")
    }


@pytest.fixture
def workshop(tmp_path):
    """A workshop made by ``servekit new``, which writes every team's notebooks."""
    names = ["--team", "Front Desk & Friends", "--team", "Night <Shift>"]
    args = ["new", str(tmp_path / "ws"), *names, "--starter"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return Workshop(tmp_path / "ws")


def test_new_writes_every_participant_notebook_for_every_team(workshop):
    assert PARTICIPANT[:5] == [
        "01_journey.ipynb",
        "02_pyramid.ipynb",
        "03_needs.ipynb",
        "04_scoring.ipynb",
        "05_plan.ipynb",
    ]
    assert [p.name for p in participant_notebooks()] == PARTICIPANT
    for slug in ("front-desk-friends", "night-shift"):
        folder = workshop.path / "notebooks" / slug
        assert sorted(p.name for p in folder.glob("*.ipynb")) == PARTICIPANT
        for name in PARTICIPANT:
            path = folder / name
            assert team_parameters(path) == {"workshop_dir": "../..", "team": slug}
            nb = nbformat.read(path, as_version=4)
            nbformat.validate(nb)
            tags = [c.metadata.get("tags", []) for c in nb.cells]
            params = tags.index(["parameters"])
            assert tags[params + 1] == ["injected-parameters"]  # papermill's own placement
            assert nb.cells[params + 1].source.splitlines()[1:] == [
                'workshop_dir = "../.."',
                f'team = "{slug}"',
            ]
            assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
            # relative: resolves to the workshop from the notebook's own folder
            assert (path.parent / "../..").resolve() == workshop.path.resolve()


def test_navigation_links_point_at_the_teams_own_copies(workshop):
    folder = workshop.path / "notebooks" / "night-shift"
    for i, name in enumerate(PARTICIPANT):
        nb = nbformat.read(folder / name, as_version=4)
        text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        targets = set(LINK.findall(text))
        expected = {PARTICIPANT[j] for j in (i - 1, i + 1) if 0 <= j < len(PARTICIPANT)}
        assert targets == expected
        assert all((folder / t).is_file() for t in targets)
    first = nbformat.read(folder / PARTICIPANT[0], as_version=4).cells[0].source
    assert first.startswith("← *start of the workshop*")  # no link to the facilitator's 00_


def test_notebooks_command_rewrites_copies_and_never_touches_team_data(workshop, tmp_path):
    target = workshop.path / "notebooks" / "night-shift" / "02_pyramid.ipynb"
    good = target.read_bytes()
    target.write_text(good.decode().replace("02", "XX"))  # an old kit's copy
    shutil.rmtree(workshop.path / "notebooks" / "front-desk-friends")
    # a team copied in by hand
    shutil.copytree(workshop.path / "teams" / "night-shift", workshop.path / "teams" / "late")
    teams_before = _snapshot(workshop.path / "teams")

    result = CliRunner().invoke(main, ["notebooks", str(workshop.path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == (
        f"3 team(s), {3 * len(PARTICIPANT)} notebook(s) in "
        f"{workshop.path / 'notebooks'}: {2 * len(PARTICIPANT) + 1} written, "
        f"{len(PARTICIPANT) - 1} already up to date"
    )
    assert target.read_bytes() == good
    kept = list((target.parent / ".history").iterdir())
    assert len(kept) == 1 and kept[0].name.endswith(".02_pyramid.ipynb")
    assert "XX" in kept[0].read_text()
    assert team_parameters(workshop.path / "notebooks" / "late" / "01_journey.ipynb") == {
        "workshop_dir": "../..",
        "team": "late",
    }
    assert _snapshot(workshop.path / "teams") == teams_before

    again = CliRunner().invoke(main, ["notebooks", str(workshop.path)], catch_exceptions=False)
    assert again.output.splitlines() == [
        f"3 team(s), {3 * len(PARTICIPANT)} notebook(s) in {workshop.path / 'notebooks'}: "
        f"0 written, {3 * len(PARTICIPANT)} already up to date"
    ]


def test_notebooks_command_bad_input(workshop, tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        main, ["notebooks", str(workshop.path), "--team", "nobody"], catch_exceptions=False
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no team 'nobody' in {workshop.path / 'teams'}; expected "
        f"one of: front-desk-friends, night-shift\n"
    )
    (tmp_path / "plain").mkdir()
    result = runner.invoke(main, ["notebooks", str(tmp_path / "plain")], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path / 'plain'} is not a workshop folder (no "
        f"workshop.yaml and no teams/ folder); expected a folder made by "
        f"'servekit new'\n"
    )
    with pytest.raises(WorkshopError):
        write_team_notebooks(tmp_path / "plain")


# --------------------------------------------------------------------------- the picker
def test_blank_team_shows_a_picker_that_opens_the_chosen_team(workshop):
    from kit.figures.blueprint import blueprint_figure
    from kit.widgets import journey_editor, live_figure
    from kit.widgets.picker import TeamPicker

    before = _snapshot(workshop.path / "teams")
    editor = journey_editor(workshop.path, "")
    view = live_figure(workshop.path, "", blueprint_figure, "journey", "roles", "serves")
    assert isinstance(editor, TeamPicker) and isinstance(view, TeamPicker)
    assert editor.dropdown.options == (
        ("— choose your team —", ""),
        ("Front Desk & Friends", "front-desk-friends"),
        ("Night <Shift>", "night-shift"),
    )
    view.dropdown.value = "night-shift"  # a choice in one picker opens every cell
    journey = editor.children[0]
    assert type(journey).__name__ == "JourneyEditor"
    assert type(view.children[0]).__name__ == "LiveFigure"
    assert journey.session.wb.path == (workshop.path / "teams" / "night-shift").resolve()

    journey.stage.value, journey.description.value = "Arrival", "Picked by the picker"
    journey.add_button.click()
    after = _snapshot(workshop.path / "teams")
    assert _data_changes(before, after) == {"night-shift/journey.csv"}
    assert "Picked by the picker" in (workshop.path / "teams/night-shift/journey.csv").read_text()


def test_wrong_workshop_dir_gives_one_clear_message(tmp_path):
    from kit.widgets import journey_editor

    panel = journey_editor(tmp_path / "nowhere", "")
    assert type(panel).__name__ == "HTML"
    text = html.unescape(re.sub(r"<[^>]+>", "", panel.value))
    shown = f"workshop_dir {str(tmp_path / 'nowhere')!r}"
    assert (
        f"{shown} does not exist; expected the folder 'servekit new' made (ask your "
        f"facilitator for your team's notebook link)"
    ) in text
    (tmp_path / "empty").mkdir()
    panel = journey_editor(tmp_path / "empty", "")
    assert "is not a workshop folder: it has no workshop.yaml and no teams/ folder" in panel.value


# --------------------------------------------------------------------------- papermill (slow)
EDIT_CELL = """\
from kit.widgets.base import Editor, open_team
_session = open_team(workshop_dir, team)
_editor = next(e for e in _session.editors if isinstance(e, Editor))
_journey = _session.wb["journey"].copy()
_journey.loc[len(_journey)] = {**_journey.iloc[0].to_dict(), "touchpoint_id": TID,
                               "order": 90 + len(_journey), "description": MARK}
assert _editor.commit({"journey": _journey}, what="edit from the test")
"""


@pytest.mark.slow
def test_every_team_notebook_edits_its_own_team_under_papermill(workshop, python3_kernel):
    """Each team's notebooks, run by papermill on a kernel started in that team's notebook
    folder (as Lab starts it), find their own team and edit only its files. One warm kernel
    per team, put back to its baseline after each notebook."""
    from kit.report.kernels import WARMUP_CODE, WarmKernel

    for slug in ("front-desk-friends", "night-shift"):
        folder = workshop.path / "notebooks" / slug
        with WarmKernel(python3_kernel, cwd=folder, warmup=WARMUP_CODE) as kernel:
            for number, name in enumerate(PARTICIPANT):
                before = _snapshot(workshop.path / "teams")
                nb = nbformat.read(folder / name, as_version=4)
                mark = f"edited from {slug}/{name}"
                nb.cells.append(
                    nbformat.v4.new_code_cell(f"MARK, TID = {mark!r}, 'TZ{number}'\n" + EDIT_CELL)
                )
                run = folder / f"_run_{name}"
                nbformat.write(nb, run)
                kernel.run(run, cwd=str(folder))
                after = _snapshot(workshop.path / "teams")
                assert _data_changes(before, after) == {f"{slug}/journey.csv"}, name
                assert mark in (workshop.path / "teams" / slug / "journey.csv").read_text()
                run.unlink()
