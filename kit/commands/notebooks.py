"""``servekit notebooks``: (re)write every team's own copies of the participant notebooks."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["notebooks"]


@click.command("notebooks")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--team",
    "teams",
    multiple=True,
    metavar="SLUG",
    help="Only this team (repeatable; default every team).",
)
def notebooks(directory: Path, teams: tuple[str, ...]) -> None:
    """Write DIRECTORY/notebooks/<team>/01_journey.ipynb … for every team.

    Each copy has the workshop folder and the team filled in (papermill parameters), so a
    participant opens it and chooses Run All. Use it after a kit update or for teams copied in
    by hand; team data in teams/ is never touched, and a replaced copy is kept in .history/.
    A link or special file planted where a notebook goes is refused (named on stderr, exit
    status 1) and every other notebook is still written.
    The exercises the case's agendas schedule are copied too: read-only into exercises/, and into
    notebooks/<team>/exercises/ where a team has no copy yet (a team's answers are never
    overwritten).
    """
    from kit.room.teamnotebooks import NOTEBOOKS_DIR, sync_team_notebooks

    written = sync_team_notebooks(directory, list(teams) or None)
    changed = [w for w in written if w.changed]
    refused = [w.refused for w in written if w.refused]
    folders = sorted({w.path.parent.name for w in written})
    click.echo(
        f"{len(folders)} team(s), {len(written)} notebook(s) in "
        f"{directory / NOTEBOOKS_DIR}: {len(changed)} written, "
        f"{len(written) - len(changed) - len(refused)} already up to date"
        + (f", {len(refused)} refused" if refused else "")
    )
    for item in changed:
        click.echo(f"  {item.path}")
    from kit.room.exercises import write_exercises

    copied = write_exercises(directory, list(teams) or None)  # missing copies only
    if copied:
        click.echo(f"Exercises the agendas schedule: {len(copied)} file(s) copied")
    for path in copied:
        click.echo(f"  {path}")
    for message in refused:
        click.echo(message, err=True)
    if refused:
        raise SystemExit(1)
