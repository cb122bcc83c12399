"""Exercises in the room (issue 21, point 2): every exercise an agenda schedules is in the workshop.

``servekit new`` copies each scheduled exercise read-only into ``exercises/`` (with its solution)
and into every team's ``notebooks/<slug>/exercises/``; ``servekit notebooks`` restores a missing
copy and never overwrites a team's answers; ``servekit pack`` carries the copies; the links page
lists them; the run sheet names files that exist. Under papermill, from inside the workshop, a
team's blank copy stops at its check with its hint and the workshop's solution runs through.
"""

from __future__ import annotations

import re
import stat
import zipfile

import nbformat
import pytest
from click.testing import CliRunner
from helpers import papermill_run

from kit.cli import main
from kit.resources import cases
from kit.room.exercises import READ_ONLY, exercise_titles, scheduled_exercises
from kit.room.guide import Guide
from kit.room.lab import team_links
from kit.room.links import links_page

CASES = cases()


def _new(tmp_path, case, *extra):
    result = CliRunner().invoke(
        main,
        ["new", str(tmp_path / "ws"), "--case", case, "--team", "Blue", "--team", "Red", *extra],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return tmp_path / "ws"


def _check_name(path):
    nb = nbformat.read(str(path), as_version=4)
    calls = [c.source for c in nb.cells if c.cell_type == "code" and c.source.startswith("check(")]
    return calls[0].split('"')[1]


@pytest.mark.parametrize("case", CASES)
def test_every_case_schedules_exercises(case):
    assert scheduled_exercises(case), f"{case}: no agenda schedules an exercise"


@pytest.mark.parametrize("case", CASES)
def test_new_copies_every_scheduled_exercise_for_every_team(case, tmp_path):
    ws = _new(tmp_path, case, "--starter")
    for stem in scheduled_exercises(case):
        for reference in (
            ws / "exercises" / f"{stem}.ipynb",
            ws / "exercises" / "solutions" / f"{stem}.ipynb",
        ):
            assert reference.is_file(), reference
            assert stat.S_IMODE(reference.stat().st_mode) == READ_ONLY, reference
        for slug in ("blue", "red"):
            own = ws / "notebooks" / slug / "exercises" / f"{stem}.ipynb"
            assert own.is_file() and own.stat().st_mode & stat.S_IWUSR, own


def test_notebooks_restores_a_missing_copy_and_keeps_a_teams_answers(tmp_path):
    ws = _new(tmp_path, "laurie-hospitality")
    stem = scheduled_exercises("laurie-hospitality")[0]
    answered = ws / "notebooks" / "blue" / "exercises" / f"{stem}.ipynb"
    answered.write_text(answered.read_text(encoding="utf-8") + " ", encoding="utf-8")
    kept = answered.read_bytes()
    lost = ws / "notebooks" / "red" / "exercises" / f"{stem}.ipynb"
    lost.unlink()
    result = CliRunner().invoke(main, ["notebooks", str(ws)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert answered.read_bytes() == kept
    assert lost.is_file()
    assert f"Exercises the agendas schedule: 1 file(s) copied\n  {lost}\n" in result.output


def test_a_pack_carries_the_teams_exercises(tmp_path):
    ws = _new(tmp_path, "laurie-hospitality")
    for path in (ws / "notebooks" / "blue" / "exercises").glob("*.ipynb"):
        path.unlink()
    out = tmp_path / "blue.zip"
    result = CliRunner().invoke(
        main, ["pack", str(ws), "--team", "blue", "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    names = set(zipfile.ZipFile(out).namelist())
    for stem in scheduled_exercises("laurie-hospitality"):
        assert f"notebooks/blue/exercises/{stem}.ipynb" in names


def test_the_links_page_lists_each_teams_exercises(tmp_path):
    ws = _new(tmp_path, "laurie-hospitality")
    links = team_links(ws, "http://127.0.0.1:9", "tok")
    page = links_page("W", links)
    titles = exercise_titles(scheduled_exercises("laurie-hospitality"))
    for slug in ("blue", "red"):
        for stem, title in titles.items():
            url = (
                f"http://127.0.0.1:9/lab/workspaces/{slug}/tree/notebooks/{slug}/exercises/"
                f"{stem}.ipynb?reset=&amp;token=tok"
            )
            assert f'<li><a href="{url}">{title}</a></li>' in page


@pytest.mark.parametrize("agenda", ["half-day", "full-day"])
@pytest.mark.parametrize("case", CASES)
def test_the_run_sheet_names_exercise_files_that_exist(case, agenda, tmp_path):
    ws = _new(tmp_path, case, *(["--starter"] if agenda == "half-day" else []))
    page = Guide(ws, agenda).blocks_html()
    named = re.findall(r"<code>((?:notebooks/\w+/)?exercises/[\w/]+\.ipynb)</code>", page)
    scheduled = [b.exercise for b in Guide(ws, agenda).agenda.blocks if b.exercise]
    assert {n.rsplit("/", 1)[1] for n in named} == {f"{s}.ipynb" for s in scheduled}
    assert all((ws / n).is_file() for n in named), named
    assert "Not in the workshop yet" not in page


def _run(path, cwd, out, kernel="python3"):
    import papermill

    try:
        papermill_run(
            str(path),
            str(out),
            kernel_name=kernel,
            cwd=str(cwd),
            execution_timeout=120,
        )
    except papermill.PapermillExecutionError as exc:
        return exc
    return None


@pytest.mark.slow
@pytest.mark.parametrize("case", CASES)
def test_every_scheduled_exercise_runs_from_inside_the_workshop(case, tmp_path):
    ws = _new(tmp_path, case)
    for stem in scheduled_exercises(case):
        own = ws / "notebooks" / "blue" / "exercises" / f"{stem}.ipynb"
        error = _run(own, own.parent, tmp_path / f"blank-{stem}.ipynb")
        name = _check_name(own)
        assert error is not None and error.ename == "BlankAnswer", (stem, error)
        assert error.evalue == f"{name}: the answer is still blank"
        printed = "".join(
            "".join(o.get("text", ""))
            for c in nbformat.read(str(tmp_path / f"blank-{stem}.ipynb"), as_version=4).cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
        )
        assert "not answered yet" in printed, stem  # the blank's hint
        solution = ws / "exercises" / "solutions" / f"{stem}.ipynb"
        assert _run(solution, solution.parent, tmp_path / f"solved-{stem}.ipynb") is None, stem
