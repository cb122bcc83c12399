"""Follow-up notebooks: 07 (results editor) shape and papermill run that saves a result; the
per-team and cross-team follow-up report notebooks run under plain papermill."""

from __future__ import annotations

import ast
import json

import nbformat
import pytest
from conftest import ROOT
from helpers import papermill_run

WORKSHOPS = ROOT / "workshops"
SEVEN = WORKSHOPS / "07_follow_up.ipynb"


def _params(nb) -> dict:
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(cells) == 1
    values = {}
    for node in ast.parse(cells[0].source).body:
        values[node.targets[0].id] = ast.literal_eval(node.value)
    return values


def test_notebook_07_shape():
    nb = nbformat.read(SEVEN, as_version=4)
    first = nb.cells[0].source
    assert nb.cells[0].cell_type == "markdown"
    assert "**Learning objectives.**" in first
    assert "**Time box:**" in first
    assert "**The case.**" in first
    assert "model not found" in first
    assert "Run ▸ Run All Cells" in first
    assert "parameters" in nb.cells[1].metadata["tags"]
    assert _params(nb) == {"workshop_dir": "../demo", "team": ""}
    steps = [c for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Step")]
    assert len(steps) == 2
    assert all("**Discuss with your team:**" in c.source for c in steps)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code)
    assert "results_editor(workshop_dir, team)" in code[1].source


@pytest.mark.parametrize("name", ["11_follow_up_report.ipynb", "21_follow_up_synthesis.ipynb"])
def test_report_notebooks_have_plain_papermill_parameters(name):
    values = _params(nbformat.read(WORKSHOPS / name, as_version=4))
    assert values["as_of"] == ""
    assert values["workshop_dir"] == "demo"
    assert values["embed_plotlyjs"] is True


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from kit.store.workshop import create_demo

    return create_demo(tmp_path_factory.mktemp("fu") / "demo").path


def _run(source, output, cwd, kernel, **parameters):

    papermill_run(
        str(source),
        str(output),
        parameters=parameters,
        kernel_name=kernel,
        cwd=str(cwd),
        execution_timeout=300,
    )
    return json.loads(output.read_text())


def _errors(result):
    return [o for c in result["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]


@pytest.mark.slow
def test_notebook_07_under_papermill_saves_a_result_typed_in_the_widget(
    demo, tmp_path, python3_kernel
):
    """Run 07 with parameters; a cell appended to a copy types a result into the editor the
    notebook displayed (``_``, the last output) and clicks Add: it lands in results.csv."""
    nb = nbformat.read(SEVEN, as_version=4)
    shown = next(i for i, c in enumerate(nb.cells) if "results_editor(" in c.source)
    nb.cells.insert(
        shown + 1,
        nbformat.v4.new_code_cell(
            "import datetime as dt\n"
            "editor = _\n"
            "editor.action.value = 'A7'\n"
            "editor.date.value, editor.value.value = dt.date(2026, 6, 2), '11.5'\n"
            "editor.add_button.click()\n"
            "print(type(editor).__name__, editor.status.value)"
        ),
    )
    copy = tmp_path / "07.ipynb"
    nbformat.write(nb, copy)
    team = demo / "teams" / "front-desk-friends"
    before = (team / "results.csv").read_text()
    result = _run(
        copy,
        tmp_path / "out.ipynb",
        WORKSHOPS,
        python3_kernel,
        workshop_dir=str(demo),
        team="front-desk-friends",
    )
    assert not _errors(result)
    printed = "".join(
        "".join(o.get("text", ""))
        for c in result["cells"]
        for o in c.get("outputs", [])
        if o.get("name") == "stdout"
    )
    assert printed.startswith("ResultsEditor ")
    assert "saved" in printed
    assert (team / "results.csv").read_text() == before + "A7,2026-06-02,11.5\n"


@pytest.mark.slow
def test_follow_up_report_notebooks_run_under_plain_papermill(demo, tmp_path, python3_kernel):
    result = _run(
        WORKSHOPS / "11_follow_up_report.ipynb",
        tmp_path / "11.ipynb",
        WORKSHOPS,
        python3_kernel,
        workshop_dir=str(demo),
        team="the-night-shift",
        as_of="2026-04-15",
        embed_plotlyjs=False,
    )
    assert not _errors(result)
    html = json.dumps(result)
    assert "The Night Shift" in html
    assert "What the statuses mean" in html
    result = _run(
        WORKSHOPS / "21_follow_up_synthesis.ipynb",
        tmp_path / "21.ipynb",
        WORKSHOPS,
        python3_kernel,
        workshop_dir=str(demo),
        as_of="2026-04-15",
        embed_plotlyjs=False,
    )
    assert not _errors(result)
    assert "Which kind of action works best" in json.dumps(result)
