"""``servekit new``, ``servekit validate`` and ``servekit demo``: make and check workshops."""

from __future__ import annotations

from pathlib import Path

import click

from kit.commands.output import print_problems

__all__ = ["demo", "new", "validate"]

MAX_TEAMS = 500
"""The most teams ``--teams N`` makes at once (a typo such as 3000 is refused)."""


@click.command("new")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--case",
    default="laurie-hospitality",
    show_default=True,
    help="Case dataset (a folder under datasets/).",
)
@click.option(
    "--team",
    "team_names",
    multiple=True,
    metavar="NAME",
    help="A team's display name (repeat for each team).",
)
@click.option(
    "--teams",
    "team_count",
    type=click.IntRange(0, MAX_TEAMS),
    default=0,
    help="Create N teams named 'Team 1' … 'Team N' (added to any --team).",
)
@click.option("--title", help="Workshop title (default: the case's title).")
@click.option("--date", "date_", help="Session date, YYYY-MM-DD (default: today).")
@click.option("--facilitator", default="", help="Facilitator's name.")
@click.option(
    "--starter/--blank",
    default=False,
    show_default=True,
    help="Start teams from the case's reference journey and pyramid, or blank.",
)
@click.option("--force", is_flag=True, help="Use a non-empty folder (existing files are kept).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def new(
    directory: Path,
    case: str,
    team_names: tuple[str, ...],
    team_count: int,
    title: str | None,
    date_: str | None,
    facilitator: str,
    starter: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Create a workshop in DIRECTORY, ready for a session.

    A progress bar on standard error counts each team's folder, notebooks and exercises
    (three steps a team; with --force the teams already there get their notebooks too); the
    time grows in step with the number of teams.
    """
    from kit.report.console import make_console, steps_bar
    from kit.room.casetext import load_case_file
    from kit.room.exercises import write_exercises
    from kit.room.teamnotebooks import write_team_notebooks
    from kit.store.workshop import Workshop, case_dir, check_new, create_workshop

    names = list(team_names) + [f"Team {i}" for i in range(1, team_count + 1)]
    if not names:
        raise click.UsageError("name at least one team: --team NAME (repeatable) or --teams N")
    case_dir(case)  # an unknown case names the cases there are
    load_case_file(case)  # a broken case.yaml stops here, before anything is written
    check_new(directory, names, force=force)  # refused names too, before the progress bar
    before = len(Workshop(directory).teams()) if force else 0  # --force: their notebooks too
    total = len(names) + 2 * (before + len(names))
    with steps_bar(not quiet, total, make_console(), "New workshop") as advance:
        ws = create_workshop(
            directory,
            case=case,
            teams=names,
            title=title,
            date=date_,
            facilitator=facilitator,
            starter=starter,
            force=force,
            on_team=lambda name: advance(f"folder of {name}"),
        )
        # each team's own notebooks, nothing to type
        write_team_notebooks(ws.path, on_team=lambda slug: advance(f"notebooks of {slug}"))
        # what the agendas schedule, one copy per team
        exercises = write_exercises(ws.path, on_team=lambda slug: advance(f"exercises of {slug}"))
    click.echo(f"Workshop ready in {ws.path} with {len(ws.teams())} team(s):")
    for team in ws.teams():
        click.echo(f"  {team.path}")
    click.echo(
        f"Each team's notebooks: {ws.path / 'notebooks'}/<team>/ (exercises in "
        f"<team>/exercises/, {len({p.name for p in exercises})} file(s) copied). Next: "
        f"'servekit lab {directory}' prints one link per team."
    )


@click.command("validate")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def validate(directory: Path) -> None:
    """Check a workshop (or one team folder) and print every problem found."""
    from kit.store.workbook import validate_team
    from kit.store.workshop import Workshop, is_workshop

    if is_workshop(directory):
        ws = Workshop(directory)
        problems = ws.validate()
        scope = f"{len(ws.teams())} team(s) in {directory}"
    else:
        problems = validate_team(directory, root=directory)
        scope = f"team folder {directory}"
    count = print_problems(problems)
    if count:
        raise SystemExit(1)
    click.echo(f"{scope}: valid")


@click.command("demo")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default="demo")
@click.option("--case", default="laurie-hospitality", show_default=True)
@click.option(
    "--reports/--no-reports",
    default=True,
    show_default=True,
    help="Also build every team's report and the index.",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(1, 64),
    default=None,
    help="Teams reported at once (default: one per CPU core).",
)
def demo(directory: Path, case: str, reports: bool, jobs: int | None) -> None:
    """Build the demo workshop from the case's sample teams in DIRECTORY (default ./demo),
    then its reports."""
    from kit.room.teamnotebooks import write_team_notebooks
    from kit.store.workshop import create_demo

    ws = create_demo(directory, case=case, force=True)
    write_team_notebooks(ws.path)  # the sample teams' own notebooks, as 'servekit new' writes
    problems = ws.validate()
    if print_problems(problems, quiet_ok=True):
        raise SystemExit(1)
    click.echo(f"Demo workshop: {ws.path.resolve()} ({len(ws.teams())} teams, all valid)")
    if not reports:
        return
    from kit.report import build_reports

    summary = build_reports(ws.path, jobs=jobs)
    click.echo(f"Reports: open {Path(summary.index).resolve()} in a browser")
    raise SystemExit(summary.exit_code)
