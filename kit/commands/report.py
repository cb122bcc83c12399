"""``servekit report``: one polished report per team, an index and a summary, in one command.

Only :mod:`click` is imported up front; the batch engine (:mod:`kit.report`) loads when the
command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from kit.commands._batch import batch_options

__all__ = ["report"]


@click.command("report")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: DIRECTORY/reports).",
)
@click.option(
    "--crosshair",
    type=click.Choice(["mean", "midpoint"]),
    default="midpoint",
    show_default=True,
    help="Where the importance-performance grid is split.",
)
@click.option(
    "--notebook",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Report notebook to run (default: workshops/10_team_report.ipynb).",
)
@batch_options("reports")
def report(
    directory: Path,
    out: Path | None,
    teams: tuple[str, ...],
    jobs: int | None,
    pdf: bool,
    force: bool,
    crosshair: str,
    plotlyjs: str,
    notebook: Path | None,
    quiet: bool,
) -> None:
    """Build every team's report for the workshop in DIRECTORY.

    Writes OUT/<team>.html (self-contained, opens offline), the executed OUT/<team>.ipynb,
    with --pdf OUT/<team>.pdf, and OUT/index.html. Teams whose data did not change since the
    last run are skipped. A team that cannot be reported gets a page saying why and how to fix
    it, and the command exits with status 1.

    \b
    Examples:
      servekit report demo
      servekit report demo --team "Front Desk & Friends" --pdf
    """
    from kit.report import build_reports

    summary = build_reports(
        directory,
        out=out,
        teams=teams or None,
        jobs=jobs,
        pdf=pdf,
        force=force,
        progress=not quiet,
        crosshair=crosshair,
        plotlyjs=plotlyjs,
        notebook=notebook,
    )
    if quiet:
        click.echo(summary.index)
    raise SystemExit(summary.exit_code)
