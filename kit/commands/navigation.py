"""``servekit stamp-nav``: stamp "← previous | next →" lines into the workshop notebooks."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["stamp_nav"]


@click.command("stamp-nav")
@click.argument(
    "folder", type=click.Path(exists=True, file_okay=False, path_type=Path), default="workshops"
)
@click.option(
    "--check",
    "only_check",
    is_flag=True,
    help="Change nothing; exit 1 when a notebook's navigation line is missing or stale.",
)
def stamp_nav(folder: Path, only_check: bool) -> None:
    """Stamp the navigation line into every numbered notebook of FOLDER (default: workshops).

    The line goes at the top of each notebook's first markdown cell and the bottom of its last;
    stamping again changes nothing unless notebooks were added, renamed or retitled.

    Examples: ``servekit stamp-nav workshops`` · ``servekit stamp-nav --check workshops``
    """
    from kit.commands.output import print_problems
    from kit.room.navigation import check_nav, stamp_nav, workshop_notebooks

    if only_check:
        problems = check_nav(folder)
        if print_problems(problems, quiet_ok=True):
            raise SystemExit(1)
        click.echo(
            f"{len(workshop_notebooks(folder))} notebook(s) in {folder}: navigation up to date"
        )
        return
    written = stamp_nav(folder)
    for path in written:
        click.echo(f"stamped {path}")
    click.echo(f"{len(written)} of {len(workshop_notebooks(folder))} notebook(s) changed")
