"""``servekit``: the command line for facilitators and coaches.

The CLI only orchestrates: it parses options, calls the kit and prints. Problems with user data
are printed as ``path:row:column: message`` lines and give exit status 1 — never a traceback.
An operating-system error (a full disk, a read-only folder, a permission refused, a name too long)
is the machine's problem: one handler prints it as one line naming the file and what to do
(:func:`kit.store.oserrors.os_error_message`), exit status 1. SIGTERM unwinds like Ctrl-C (the
cursor is restored, temporary files removed), and Ctrl-C says what was and was not done.

Every command lives in its own module under :mod:`kit.commands` and names its click commands in
that module's ``__all__``; :func:`main` registers them all, so adding a command is adding a file.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import signal
import threading

import click

import kit.commands
from kit.commands.output import print_problems
from kit.exceptions import KitError
from kit.store.oserrors import os_error_message

__all__ = ["main", "print_problems"]


class _KitGroup(click.Group):
    """A click group that turns the kit's own errors and the system's into one message, exit 1."""

    def invoke(self, ctx: click.Context):
        previous = _terminate_as_exit()
        try:
            return super().invoke(ctx)
        except KitError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:  # the one handler for the machine's errors
            raise click.ClickException(os_error_message(exc)) from None
        except KeyboardInterrupt:
            click.secho(INTERRUPTED, fg="yellow", err=True)
            raise SystemExit(130) from None
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


INTERRUPTED = (
    "Interrupted: the command stopped before it finished. Every file it saved is whole (saves "
    "are atomic: the old version or the new, never a mix); what it had not reached is "
    "unchanged. Run it again to finish."
)
"""What Ctrl-C prints (commands that know more, like ``collect``, say which parts were done)."""


def _stop(signum: int, frame: object) -> None:
    if os.getpid() != _MAIN_PID:  # a forked worker before its own handler: end quietly
        os._exit(128 + signum)
    raise SystemExit(128 + signum)


_MAIN_PID = os.getpid()
"""The process that installed :func:`_stop` (set again by :func:`_terminate_as_exit`)."""


def _terminate_as_exit():
    """Make SIGTERM unwind like an exception, so every ``with`` block cleans up: the terminal
    cursor comes back, temporary and connection files are removed. Returns the old handler."""
    global _MAIN_PID
    if threading.current_thread() is not threading.main_thread():
        return None
    _MAIN_PID = os.getpid()
    try:
        return signal.signal(signal.SIGTERM, _stop)
    except ValueError:  # pragma: no cover - not the main interpreter
        return None


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
