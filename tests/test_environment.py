"""pyproject.toml is the one source of pins; environment.yml must mirror it."""

from __future__ import annotations

import json
import tomllib

import yaml
from conftest import ROOT


def _pins() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return set(project["dependencies"]) | set(project["optional-dependencies"]["dev"])


def test_environment_yml_mirrors_pyproject():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    listed = {p for p in pip_section if not p.startswith("-e")}
    assert listed == _pins(), (
        f"only in environment.yml: {listed - _pins()}, only in pyproject: {_pins() - listed}"
    )
    assert "-e ." in pip_section
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert python.startswith("python=3.1")


def test_every_dependency_is_pinned_exactly():
    assert all("==" in p for p in _pins())


def test_committed_notebooks_carry_no_outputs():
    for path in sorted(ROOT.glob("workshops/*.ipynb")):
        notebook = json.loads(path.read_text())
        for cell in notebook["cells"]:
            if cell["cell_type"] == "code":
                assert not cell.get("outputs"), f"{path.name} has outputs: commit it stripped"
                assert cell.get("execution_count") is None, f"{path.name} has execution counts"
