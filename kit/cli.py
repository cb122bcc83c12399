"""``servekit``: the command line for facilitators and coaches.

The CLI only orchestrates: it parses options, calls the kit and prints. Problems with user data
are printed as ``path:row:column: message`` lines and give exit status 1 — never a traceback.

Every command lives in its own module under :mod:`kit.commands` and names its click commands in
that module's ``__all__``; :func:`main` registers them all, so adding a command is adding a file.
"""

from __future__ import annotations

import importlib
import pkgutil

import click

import kit.commands
from kit.commands.output import print_problems
from kit.exceptions import KitError

__all__ = ["main", "print_problems"]


class _KitGroup(click.Group):
    """A click group that turns the kit's own errors into a clean message and exit status 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KitError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_KitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="servekit")
def main() -> None:
    """Serve the Servers workshop kit: set up workshops, check team data, build reports."""


def _register() -> None:
    """Add every click command named in the ``__all__`` of a module under :mod:`kit.commands`."""
    for info in sorted(pkgutil.iter_modules(kit.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"kit.commands.{info.name}")
        for name in getattr(module, "__all__", ()):
            command = getattr(module, name)
            if isinstance(command, click.Command):
                main.add_command(command)


_register()
