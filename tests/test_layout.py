"""Issue 23: the layout keeps its promises beyond what ``lint-imports`` checks.

Every error the kit raises is a :class:`kit.exceptions.KitError` defined in :mod:`kit.exceptions`;
every module says what is public (``__all__``, only public names, each one defined); no module,
test or benchmark imports another module's ``_private`` name. Each check is a function that
returns what it found, with a test showing it can fail.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import types
from pathlib import Path

from helpers import ROOT

import kit
from kit.exceptions import KitError


def _kit_modules() -> list[types.ModuleType]:
    names = [m.name for m in pkgutil.walk_packages(kit.__path__, "kit.")]
    return [importlib.import_module(name) for name in ["kit", *names]]


def _stray_errors(modules: list[types.ModuleType]) -> list[str]:
    """Exception classes defined outside kit.exceptions, or not KitErrors (private ones aside:
    they never leave their module)."""
    found = set()
    for module in modules:
        for name, value in vars(module).items():
            if not (isinstance(value, type) and issubclass(value, BaseException)):
                continue
            if value.__module__ != module.__name__ or name.startswith("_"):
                continue  # imported here, or private to this module
            if value.__module__ != "kit.exceptions" or not issubclass(value, KitError):
                found.add(f"{value.__module__}.{name}")
    return sorted(found)


def test_every_error_derives_from_kit_error_and_lives_in_exceptions():
    assert _stray_errors(_kit_modules()) == []


def test_the_error_check_sees_a_stray_error():
    stray = types.ModuleType("kit.room.stray")
    exec("class StrayError(RuntimeError): pass\nclass _Inner(ValueError): pass", vars(stray))
    assert _stray_errors([stray]) == ["kit.room.stray.StrayError"]


def _private_imports(root: Path = ROOT, folders=("kit", "tests", "benchmarks")) -> list[str]:
    """``from kit.… import _name`` anywhere (dunder names aside)."""
    found = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kit"):
                    found += [
                        f"{path.relative_to(root).as_posix()}:{node.lineno}: {alias.name}"
                        for alias in node.names
                        if alias.name.startswith("_") and not alias.name.startswith("__")
                    ]
    return found


def test_no_private_name_is_imported_from_another_module():
    assert _private_imports() == []


def test_the_private_import_check_sees_one(tmp_path):
    (tmp_path / "kit").mkdir()
    (tmp_path / "kit" / "a.py").write_text(
        "from kit.b import _hidden, public\nfrom kit import __version__\n"
        "from os import _exit\n\n\ndef f():\n    from kit.c import _late\n"
    )
    assert _private_imports(tmp_path, ("kit",)) == ["kit/a.py:1: _hidden", "kit/a.py:7: _late"]


def _without_all(root: Path = ROOT) -> list[str]:
    """Modules of kit/ with no top-level ``__all__``."""
    found = []
    for path in sorted((root / "kit").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        targets = [
            t.id
            for node in tree.body
            if isinstance(node, ast.Assign | ast.AnnAssign)
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            if isinstance(t, ast.Name)
        ]
        if "__all__" not in targets:
            found.append(path.relative_to(root).as_posix())
    return found


def test_every_module_declares_all():
    assert _without_all() == []


def test_the_all_check_sees_a_module_without_it(tmp_path):
    (tmp_path / "kit" / "sub").mkdir(parents=True)
    (tmp_path / "kit" / "sub" / "a.py").write_text("def f():\n    __all__ = ['f']\n")
    (tmp_path / "kit" / "b.py").write_text("__all__: list[str] = []\n")
    assert _without_all(tmp_path) == ["kit/sub/a.py"]


def _bad_all(modules: list[types.ModuleType]) -> list[str]:
    """Names in an ``__all__`` that are private or not defined in the module."""
    found = []
    for module in modules:
        for name in getattr(module, "__all__", []):
            if name.startswith("_") and not name.startswith("__"):
                found.append(f"{module.__name__}: {name} is private")
            elif not hasattr(module, name):
                found.append(f"{module.__name__}: {name} is not defined")
    return found


def test_every_name_in_all_is_public_and_defined():
    assert _bad_all(_kit_modules()) == []


def test_the_all_names_check_sees_private_and_missing_names():
    module = types.ModuleType("kit.widgets.fake")
    exec("__all__ = ['shown', '_hidden', 'gone']\nshown = _hidden = 1", vars(module))
    assert _bad_all([module]) == [
        "kit.widgets.fake: _hidden is private",
        "kit.widgets.fake: gone is not defined",
    ]
