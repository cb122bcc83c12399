"""The suite's CliRunner never swallows an exception (tests/conftest.py), and every command of
``servekit`` is registered from its module's ``__all__`` (kit/cli.py)."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kit.cli import main


def test_an_exception_in_a_command_fails_the_test_instead_of_hiding_in_the_result():
    @click.command()
    def boom() -> None:
        raise RuntimeError("kaboom")

    with pytest.raises(RuntimeError, match="^kaboom$"):
        CliRunner().invoke(boom, [])

    # exit codes still come back as results
    @click.command()
    def leave() -> None:
        raise SystemExit(3)

    assert CliRunner().invoke(leave, []).exit_code == 3


def test_every_command_module_is_registered():
    import importlib
    import pkgutil

    import kit.commands

    expected = set()
    for info in pkgutil.iter_modules(kit.commands.__path__):
        module = importlib.import_module(f"kit.commands.{info.name}")
        expected |= {
            getattr(module, n).name
            for n in getattr(module, "__all__", ())
            if isinstance(getattr(module, n), click.Command)
        }
    assert expected == set(main.commands)
    assert {
        "new",
        "validate",
        "status",
        "demo",
        "report",
        "lab",
        "pack",
        "collect",
        "guide",
        "present",
        "followup",
        "export-xlsx",
        "import-xlsx",
        "calendar",
        "hub",
        "import-orgchart",
        "notebooks",
        "stamp-nav",
        "stamp-sources",
    } <= expected
