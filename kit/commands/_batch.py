"""The options every batch command shares (``servekit report``, ``servekit followup``).

One page per team, built in parallel and skipped when unchanged: which teams, how many at once,
PDF, rebuild, how plotly.js is included, and quiet. A private module (leading ``_``): it adds
options, not commands.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

__all__ = ["batch_options"]


def batch_options(noun: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Add the shared batch options to a click command; ``noun`` names what is built.

    Examples
    --------
    >>> @click.command()
    ... @batch_options("pages")
    ... def build(**options):
    ...     pass
    >>> [p.name for p in build.params]
    ['teams', 'jobs', 'pdf', 'force', 'plotlyjs', 'quiet']
    """
    options = [
        click.option(
            "--team",
            "teams",
            multiple=True,
            metavar="NAME",
            help="Only this team (folder name or display name; repeatable).",
        ),
        click.option(
            "--jobs",
            "-j",
            type=click.IntRange(1, 64),
            default=None,
            help="Teams built at once (default: one per CPU core).",
        ),
        click.option("--pdf", is_flag=True, help=f"Also print an A4 PDF of each of the {noun}."),
        click.option("--force", is_flag=True, help=f"Rebuild {noun} whose inputs did not change."),
        click.option(
            "--plotlyjs",
            type=click.Choice(["inline", "shared"]),
            default="inline",
            show_default=True,
            help=f"plotly.js inside every one of the {noun} (each file stands alone) or one "
            "shared assets/plotly.min.js (smaller; keep the folder together).",
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar or table."),
    ]

    def add(command: Callable[..., Any]) -> Callable[..., Any]:
        for option in reversed(options):  # decorators apply bottom-up: keep the listed order
            command = option(command)
        return command

    return add
