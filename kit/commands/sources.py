"""``servekit stamp-sources``: stamp the shared *Sources* section at the end of notebooks."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["stamp_sources"]


@click.command("stamp-sources")
@click.argument("folders", nargs=-1, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--check",
    "only_check",
    is_flag=True,
    help="Change nothing; exit 1 when a notebook's Sources section is missing or stale.",
)
def stamp_sources(folders: tuple[Path, ...], only_check: bool) -> None:
    """Stamp the shared Sources section (kit/room/sources.py) at the end of every notebook of FOLDERS.

    Default folders: workshops, exercises and exercises/solutions. Stamping again changes
    nothing unless the credits in kit/room/sources.py changed or cells were added after the section.

    Examples: ``servekit stamp-sources`` · ``servekit stamp-sources --check workshops``
    """
    from kit.commands.output import print_problems
    from kit.room.sources import check, notebooks, stamp

    if not folders:
        folders = tuple(
            p
            for p in (Path("workshops"), Path("exercises"), Path("exercises/solutions"))
            if p.is_dir()
        )
        if not folders:
            raise click.UsageError(
                "no folder given and none of workshops, exercises, exercises/solutions exists here"
            )
    count = sum(len(notebooks(folder)) for folder in folders)
    if only_check:
        problems = [p for folder in folders for p in check(folder)]
        if print_problems(problems, quiet_ok=True):
            raise SystemExit(1)
        click.echo(f"{count} notebook(s): Sources sections up to date")
        return
    written = [path for folder in folders for path in stamp(folder)]
    for path in written:
        click.echo(f"stamped {path}")
    click.echo(f"{len(written)} of {count} notebook(s) changed")
