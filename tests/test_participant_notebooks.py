"""The participant notebooks: their shape (fast checks) and plain papermill runs (slow).

Every notebook runs under plain ``papermill.execute_notebook`` for every sample team, shows its
editors (not an error panel) and leaves the team's files exactly as they were: same bytes, same
modification times, no ``.history``.
"""

from __future__ import annotations

import ast
import json
import shutil

import nbformat
import pytest
from conftest import ROOT
from helpers import papermill_run

WORKSHOPS = ROOT / "workshops"
NOTEBOOKS = [
    "01_journey.ipynb",
    "02_pyramid.ipynb",
    "03_needs.ipynb",
    "04_scoring.ipynb",
    "05_plan.ipynb",
]
TEAMS = ["front-desk-friends", "equipe-etoile", "the-night-shift", "team-4-half-finished"]
EDITORS = {
    "01_journey.ipynb": ["JourneyEditor", "LiveFigure"],
    "02_pyramid.ipynb": ["PyramidEditor", "LiveFigure"],
    "03_needs.ipynb": ["NeedsEditor", "LiveFigure"],
    "04_scoring.ipynb": ["ScoringEditor", "LiveFigure", "LiveFigure"],
    "05_plan.ipynb": ["PlanEditor"],
}


def _read(name):
    return nbformat.read(WORKSHOPS / name, as_version=4)


def _snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --------------------------------------------------------------------------- shape (fast)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_shape(name):
    nb = _read(name)
    first = nb.cells[0]
    assert first.cell_type == "markdown"
    text = first.source
    assert "**Learning objectives.**" in text
    assert "**The case.**" in text
    assert "Run ▸ Run All Cells" in text
    assert "model not found" in text
    params = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert nb.cells.index(params[0]) == 1
    values = {}
    for node in ast.parse(params[0].source).body:
        assert isinstance(node, ast.Assign)
        values[node.targets[0].id] = ast.literal_eval(node.value)
    assert values == {"workshop_dir": "../demo", "team": ""}  # "": a team picker (H4)
    steps = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Step")]
    assert steps
    assert all("**Discuss with your team:**" in c.source for c in steps)
    assert nb.metadata["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_code_cells_only_call_the_kit(name):
    """No logic in cells: imports and calls, a few lines each."""
    for cell in _read(name).cells:
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs")
        assert cell.get("execution_count") is None
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= 6, cell.source
        for node in ast.parse(cell.source).body:
            assert isinstance(node, ast.Import | ast.ImportFrom | ast.Expr | ast.Assign), ast.dump(
                node
            )[:80]


# --------------------------------------------------------------------------- papermill (slow)
@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from kit.store.workshop import create_demo

    return create_demo(tmp_path_factory.mktemp("pm") / "demo").path


def _run(source, output, cwd, python3_kernel, **parameters):

    papermill_run(
        str(source),
        str(output),
        parameters=parameters or None,
        kernel_name=python3_kernel,
        cwd=str(cwd),
        execution_timeout=300,
    )
    return json.loads(output.read_text())


def _shown(result):
    """Class names of the widgets the notebook displayed (from their text/plain repr)."""
    shown = []
    for cell in result["cells"]:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", output
            assert output.get("name") != "stderr" or "Warning" in output.get("text", ""), output
            data = output.get("data", {})
            if "application/vnd.jupyter.widget-view+json" in data:
                shown.append("".join(data["text/plain"]).split("(", 1)[0])
    return shown


@pytest.mark.slow
@pytest.mark.parametrize("team", TEAMS)
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_under_papermill_and_changes_nothing(
    name, team, demo, python3_kernel, tmp_path
):
    before = _snapshot(demo)
    result = _run(
        WORKSHOPS / name,
        tmp_path / name,
        WORKSHOPS,
        python3_kernel,
        workshop_dir=str(demo),
        team=team,
    )
    assert _shown(result) == EDITORS[name]
    assert _snapshot(demo) == before


@pytest.mark.slow
def test_notebook_defaults_resolve_next_to_a_demo(tmp_path, python3_kernel):
    """With no parameters the notebook opens ../demo from workshops/ (what `make demo` builds)
    and, with no team set, shows a team picker in place of each editor."""
    from kit.store.workshop import create_demo

    shutil.copytree(WORKSHOPS, tmp_path / "workshops")
    create_demo(tmp_path / "demo")
    result = _run(
        tmp_path / "workshops" / "01_journey.ipynb",
        tmp_path / "out.ipynb",
        tmp_path / "workshops",
        python3_kernel,
    )
    assert _shown(result) == ["TeamPicker"] * len(EDITORS["01_journey.ipynb"])
