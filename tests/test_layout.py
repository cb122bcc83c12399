"""Issue 23: the layout keeps its promises beyond what ``lint-imports`` checks.

Every error the kit raises is a :class:`kit.exceptions.KitError` defined in :mod:`kit.exceptions`.
Each check is a function that returns what it found, with a test showing it can fail.
"""

from __future__ import annotations

import importlib
import pkgutil
import types

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
