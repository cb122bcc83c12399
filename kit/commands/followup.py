"""``servekit followup``: months later, every team's results against target, in one command.

Only :mod:`click` is imported up front; the batch (:mod:`kit.followup_batch`) loads when the
command runs.
"""

from __future__ import annotations

from pathlib import Path

import click

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
@click.option(
    "--team",
    "teams",
    multiple=True,
    metavar="NAME",
    help="Only this team (folder name or display name; repeatable).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Teams built at once (default: one per CPU core).",
)
@click.option("--pdf", is_flag=True, help="Also print an A4 PDF of each page (Chromium).")
@click.option("--force", is_flag=True, help="Rebuild pages whose inputs did not change.")
@click.option(
    "--plotlyjs",
    type=click.Choice(["inline", "shared"]),
    default="inline",
    show_default=True,
    help="plotly.js inside every page, or one shared assets/plotly.min.js.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar or table.")
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
    from kit.followup import as_date

    try:
        day = as_date(as_of)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--as-of'") from None
    from kit.followup_batch import build_followup

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
