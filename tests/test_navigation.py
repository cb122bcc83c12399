"""Navigation lines between the workshop notebooks: stamped, idempotent, checked."""

from __future__ import annotations

import json
import shutil

import nbformat
import pytest
from click.testing import CliRunner
from conftest import ROOT

from kit.cli import main
from kit.room.navigation import (
    MARKER,
    check_nav,
    nav_line,
    stamp_nav,
    strip_nav,
    workshop_notebooks,
)

WORKSHOPS = ROOT / "workshops"


def _notebook(folder, name, *markdown, code="x = 1"):
    cells = [nbformat.v4.new_markdown_cell(text) for text in markdown]
    cells.insert(1 if cells else 0, nbformat.v4.new_code_cell(code))
    nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / name)
    return folder / name


def _markdown(path):
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "markdown"]


def test_stamp_puts_lines_first_and_last_and_is_idempotent(tmp_path):
    a = _notebook(tmp_path, "01_a.ipynb", "# Journey\n\nText", "## End")
    b = _notebook(tmp_path, "02_b.ipynb", "# Pyramid")
    c = _notebook(tmp_path, "03_c.ipynb", "# Plan", "middle", "## Wrap-up")
    assert stamp_nav(tmp_path) == [a, b, c]
    first, *_, last = _markdown(a)
    assert first.splitlines()[0] == nav_line(None, (b, "Pyramid"))
    assert last.splitlines()[-1] == first.splitlines()[0]
    assert "[02 · Pyramid](02_b.ipynb) →" in first
    middle = _markdown(b)[0].splitlines()
    assert middle[0] == middle[-1] == nav_line((a, "Journey"), (c, "Plan"))
    assert _markdown(c)[1] == "middle"  # cells in between are untouched
    assert "*end of the workshop* →" in _markdown(c)[-1]
    contents = {p: p.read_bytes() for p in (a, b, c)}
    assert stamp_nav(tmp_path) == []
    assert {p: p.read_bytes() for p in (a, b, c)} == contents
    assert check_nav(tmp_path) == []
    assert sum(MARKER in line for line in _markdown(b)[0].splitlines()) == 2


def test_adding_a_notebook_restamps_its_neighbours(tmp_path):
    _notebook(tmp_path, "01_a.ipynb", "# A")
    _notebook(tmp_path, "03_c.ipynb", "# C")
    stamp_nav(tmp_path)
    _notebook(tmp_path, "02_b.ipynb", "# B")
    problems = check_nav(tmp_path)
    assert sorted(p.path.rsplit("/", 1)[-1] for p in problems) == [
        "01_a.ipynb",
        "02_b.ipynb",
        "03_c.ipynb",
    ]
    assert "stamp-nav" in problems[0].message
    assert [p.name for p in stamp_nav(tmp_path)] == ["01_a.ipynb", "02_b.ipynb", "03_c.ipynb"]
    assert "(02_b.ipynb)" in _markdown(tmp_path / "01_a.ipynb")[0]


def test_outputs_and_metadata_are_kept(tmp_path):
    path = _notebook(tmp_path, "01_a.ipynb", "# A")
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hello")]
    nb.cells[1].metadata["tags"] = ["parameters"]
    nbformat.write(nb, path)
    stamp_nav(tmp_path)
    again = nbformat.read(path, as_version=4)
    assert again.cells[1].outputs[0]["text"] == "hello"
    assert again.cells[1].metadata["tags"] == ["parameters"]


def test_notebook_without_markdown_gets_a_cell(tmp_path):
    _notebook(tmp_path, "01_a.ipynb")
    stamp_nav(tmp_path)
    assert MARKER in _markdown(tmp_path / "01_a.ipynb")[0]
    assert check_nav(tmp_path) == []


def test_strip_nav_leaves_other_text():
    assert strip_nav(f"← x | y → {MARKER}\n\n# T\n\nbody\n\n← x | y → {MARKER}") == "# T\n\nbody"


def test_cli_stamp_and_check(tmp_path):
    _notebook(tmp_path, "01_a.ipynb", "# A")
    _notebook(tmp_path, "02_b.ipynb", "# B")
    runner = CliRunner()
    result = runner.invoke(main, ["stamp-nav", "--check", str(tmp_path)])
    assert result.exit_code == 1 and "01_a.ipynb" in result.output
    result = runner.invoke(main, ["stamp-nav", str(tmp_path)])
    assert result.exit_code == 0 and "2 of 2" in result.output
    result = runner.invoke(main, ["stamp-nav", "--check", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_report_notebooks_are_not_stamped(tmp_path):
    _notebook(tmp_path, "01_a.ipynb", "# A")
    report = _notebook(tmp_path, "10_report.ipynb", "# Report")
    before = report.read_bytes()
    stamp_nav(tmp_path)
    assert report.read_bytes() == before
    assert "*end of the workshop*" in _markdown(tmp_path / "01_a.ipynb")[0]


def test_stamp_keeps_file_permissions(tmp_path):
    path = _notebook(tmp_path, "01_a.ipynb", "# A")
    path.chmod(0o644)
    stamp_nav(tmp_path)
    assert path.stat().st_mode & 0o777 == 0o644


def test_the_repository_notebooks_are_stamped(tmp_path):
    """The committed notebooks carry up-to-date lines (run `servekit stamp-nav` if this fails)."""
    names = [p.name for p in workshop_notebooks(WORKSHOPS)]
    assert names[:5] == [
        "01_journey.ipynb",
        "02_pyramid.ipynb",
        "03_needs.ipynb",
        "04_scoring.ipynb",
        "05_plan.ipynb",
    ]
    assert check_nav(WORKSHOPS) == []
    copy = tmp_path / "workshops"
    shutil.copytree(WORKSHOPS, copy)
    assert stamp_nav(copy) == []  # stamping the committed notebooks changes nothing


@pytest.mark.parametrize("path", workshop_notebooks(WORKSHOPS), ids=lambda p: p.name)
def test_links_point_at_existing_notebooks(path):
    for source in _markdown(path):
        for line in source.splitlines():
            if MARKER in line:
                for target in [part.split(")")[0] for part in line.split("](")[1:]]:
                    assert (WORKSHOPS / target).is_file(), target
    json.loads(path.read_text())  # still valid JSON
