"""Participants see whole code lines: no code cell of a notebook they open is collapsed.

JupyterLab draws a cell whose metadata says ``"jupyter": {"source_hidden": true}`` (or the
classic ``"collapsed": true``) as its first line and a "•••" bar: ``from kit.widgets import
journey_editor •••`` read as a broken line (issue 26). The step notebooks' code cells are a
few short lines each (an import and one call), shown in full.
"""

from __future__ import annotations

import nbformat
import pytest
from helpers import ROOT

STEPS = sorted((ROOT / "workshops").glob("0[1-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("*.ipynb"))


def collapsed(notebook) -> list[str]:
    """The first line of every cell of ``notebook`` that JupyterLab would draw collapsed."""
    return [
        cell.source.splitlines()[0] if cell.source else cell.id
        for cell in notebook.cells
        if cell.metadata.get("jupyter", {}).get("source_hidden") or cell.metadata.get("collapsed")
    ]


def test_there_are_seven_participant_notebooks_and_exercises():
    assert [p.name[:2] for p in STEPS] == ["01", "02", "03", "04", "05", "06", "07"]
    assert len(EXERCISES) == 9


@pytest.mark.parametrize("path", STEPS + EXERCISES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_no_code_cell_is_collapsed(path):
    notebook = nbformat.read(path, as_version=4)
    assert [c for c in notebook.cells if c.cell_type == "code"]
    assert collapsed(notebook) == []


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.stem)
def test_every_step_code_cell_is_short_enough_to_read_whole(path):
    notebook = nbformat.read(path, as_version=4)
    long = [
        (cell.id, len(cell.source.splitlines()))
        for cell in notebook.cells
        if cell.cell_type == "code" and len(cell.source.splitlines()) > 6
    ]
    assert long == []


def test_no_code_cell_of_a_team_copy_is_collapsed(tmp_path):
    from kit.room.exercises import team_exercise_dir, write_exercises
    from kit.room.teamnotebooks import write_team_notebooks
    from kit.store.workshop import create_workshop

    ws = create_workshop(tmp_path / "ws", teams=["Front Desk & Friends"], starter=True)
    write_team_notebooks(ws.path)
    write_exercises(ws.path)
    books = sorted((ws.path / "notebooks" / "front-desk-friends").glob("0*.ipynb"))
    books += sorted(team_exercise_dir(ws.path, "front-desk-friends").glob("*.ipynb"))
    assert len(books) >= 7
    for path in books:
        assert collapsed(nbformat.read(path, as_version=4)) == [], path.name
