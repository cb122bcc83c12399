"""``servekit status``: how far every team has got, for the facilitator."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["status"]


@click.command("status")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def status(directory: Path) -> None:
    """Show how far every team in a workshop has got (for the facilitator)."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text  # team names are data: Text() never reads them as markup

    from kit.progress import STEPS, load_all, team_progress
    from kit.workshop import Workshop

    table = team_progress(load_all(Workshop(directory).teams()))
    if table.empty:
        raise click.ClickException(f"no teams in {directory}/teams; create some with "
                                   f"'servekit new'")
    marks = {"done": "[green]✓[/]", "started": "[yellow]…[/]", "not started": "[dim]–[/]"}
    view = Table(title=f"Progress in {directory}", caption="✓ done  … started  – not started")
    view.add_column("team", no_wrap=True, min_width=12)
    for column in ("touchpoints", "roles", "scorers", "actions", *STEPS, "errors"):
        view.add_column(column, justify="center")
    for row in table.itertuples(index=False):
        view.add_row(Text(row.name), *(str(getattr(row, c)) for c in ("touchpoints", "roles",
                                                                  "scorers", "actions")),
                     *(marks[getattr(row, s)] for s in STEPS),
                     f"[red]{row.errors}[/]" if row.errors else "0")
    Console(highlight=False).print(view)
