"""``servekit followup``: months later, every team's results against target, in one command.

Only :mod:`click` is imported up front; the batch (:mod:`kit.report.followup_batch`) loads when the
command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

from kit.commands._batch import batch_options

__all__ = ["followup"]


@click.command("followup")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Output folder (default: DIRECTORY/followup).",
)
@click.option(
    "--as-of",
    "as_of",
    metavar="YYYY-MM-DD",
    help="The day the follow-up looks from (default: today). Later results are left "
    "out; earlier due dates make unmet actions overdue.",
)
@batch_options("pages")
def followup(
    directory: Path,
    out: Path | None,
    as_of: str | None,
    teams: tuple[str, ...],
    jobs: int | None,
    pdf: bool,
    force: bool,
    plotlyjs: str,
    quiet: bool,
) -> None:
    """Build the follow-up report of every team of the workshop in DIRECTORY.

    Per team: each action's results over time against baseline and target, its progress (the
    share of the way from baseline to target) and its status; across teams: the share of
    actions on track, overdue actions by owner, and which kind of action works best. Writes
    OUT/<team>.html, OUT/_synthesis.html, OUT/index.html and OUT/summary.json (every action
    with its progress and status). Teams whose data and date did not change are skipped.

    \b
    Examples:
      servekit followup demo --as-of 2026-06-30
      servekit followup demo --team "Front Desk & Friends" --pdf
    """
    from kit.analyses.followup import as_date

    try:
        day = as_date(as_of)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--as-of'") from None
    from kit.report.followup_batch import build_followup

    summary = build_followup(
        directory,
        out,
        as_of=day,
        teams=list(teams) or None,
        jobs=jobs,
        pdf=pdf,
        force=force,
        progress=not quiet,
        plotlyjs=plotlyjs,
    )
    if quiet:
        click.echo(summary.index)
    raise SystemExit(summary.exit_code)
