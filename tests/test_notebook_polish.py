"""Participants see no code: every code cell of the step notebooks is collapsed for them.

``"jupyter": {"source_hidden": true}`` is the cell metadata JupyterLab honours (the input is
collapsed to a "…" bar; the outputs — the editors — stay in view).
"""

from __future__ import annotations

import nbformat
import pytest
from helpers import ROOT

STEPS = sorted((ROOT / "workshops").glob("0[1-5]_*.ipynb"))


def test_there_are_five_step_notebooks():
    assert [p.name[:2] for p in STEPS] == ["01", "02", "03", "04", "05"]


@pytest.mark.parametrize("path", STEPS, ids=lambda p: p.stem)
def test_every_code_cell_is_hidden_from_participants(path):
    notebook = nbformat.read(path, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    shown = [
        cell.source.splitlines()[0]
        for cell in code
        if not cell.metadata.get("jupyter", {}).get("source_hidden")
    ]
    assert shown == []
