"""``servekit export-xlsx`` and ``servekit import-xlsx``: the team's plan where owners live.

The work happens in :mod:`kit.readwrite.xlsx` (imported when a command runs).
"""

from __future__ import annotations

from pathlib import Path

import click

from kit.commands.output import print_problems, problem_line

MOST_ERRORS = 50
"""Errors printed by import-xlsx before '… and N more'."""

__all__ = ["export_xlsx_command", "import_xlsx_command"]


@click.command("export-xlsx")
@click.argument("team_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def export_xlsx_command(team_dir: Path, out: Path) -> None:
    """Write the team in TEAM_DIR to the Excel file OUT (plan sheet first).

    One sheet per table, typed cells, frozen header, drop-down lists for the fixed choices.
    Text that a spreadsheet could run as a formula is written as plain text.

    \b
    Example:
      servekit export-xlsx demo/teams/front-desk-friends front-desk.xlsx
    """
    from kit.exceptions import InvalidData
    from kit.readwrite.xlsx import SHEETS, export_xlsx

    try:
        export_xlsx(team_dir, out, root=team_dir)
    except InvalidData as exc:
        print_problems(exc.problems)
        click.secho(f"Not exported: fix the team's files first ({team_dir}).", fg="red", err=True)
        raise SystemExit(1) from None
    click.echo(
        f"Wrote {out} (sheets: {', '.join(SHEETS)}). Send it to the action owners; read "
        f"it back with: servekit import-xlsx {out} {team_dir}"
    )


@click.command("import-xlsx")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("team_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace tables that changed in TEAM_DIR since the export (the replaced "
    "versions stay in .history/).",
)
def import_xlsx_command(source: Path, team_dir: Path, force: bool) -> None:
    """Read the Excel file SOURCE back into the team folder TEAM_DIR.

    Every cell is checked as the CSV files are; problems are listed as file:sheet!cell and
    nothing is written until all are fixed. Formula cells are refused.

    \b
    Example:
      servekit import-xlsx front-desk.xlsx demo/teams/front-desk-friends
    """
    from kit.exceptions import InvalidData
    from kit.readwrite.xlsx import import_xlsx

    warnings: list = []
    try:
        written = import_xlsx(source, team_dir, force=force, root=team_dir, warnings=warnings)
    except InvalidData as exc:
        print_problems(exc.problems, most_errors=MOST_ERRORS)
        click.secho(f"Not imported: nothing in {team_dir} was changed.", fg="red", err=True)
        raise SystemExit(1) from None
    for problem in warnings:  # every warning, also when the import went through
        click.secho(problem_line(problem), fg="yellow", err=True)
    if not written:
        click.echo(f"Nothing to import: the team's tables already match {source.name}.")
        return
    click.echo(
        f"Updated {', '.join(p.name for p in written)} in {team_dir} (previous versions "
        f"in .history/)."
    )
