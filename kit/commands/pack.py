"""``servekit pack`` and ``servekit collect``: one laptop per team, and the work brought back."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["collect", "pack"]


@click.command("pack")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--team", required=True, metavar="SLUG", help="The team to pack (slug or name).")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The zip to write, e.g. night-shift.zip.",
)
def pack(directory: Path, team: str, out: Path) -> None:
    """Zip one team's folder and notebooks for a laptop (which needs the kit installed)."""
    import zipfile

    from kit.room.pack import pack_team

    written = pack_team(directory, team, out)
    with zipfile.ZipFile(written) as archive:
        count = sum(1 for i in archive.infolist() if not i.is_dir())
    click.echo(
        f"{written}: {count} files. On the laptop: unzip it into a folder, run "
        f"'servekit lab FOLDER' (or jupyter lab) and open the team's notebooks; "
        f"bring the work back with 'servekit collect {directory} ZIP'."
    )


@click.command("collect")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("zips", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--prefer",
    type=click.Choice(["workshop", "zip"]),
    default="workshop",
    show_default=True,
    help="On a conflict, which version stays in place (the other goes to .history/).",
)
def collect(directory: Path, zips: tuple[Path, ...], prefer: str) -> None:
    """Bring teams' work back from zips made by 'servekit pack'.

    Each zip is checked first (only files under teams/<team>/ and notebooks/<team>/, valid
    team data); a refused zip writes nothing. Files changed in the workshop since the pack are
    conflicts: never silently overwritten, the other version kept in .history/.
    """
    from kit.exceptions import PackError
    from kit.room.pack import collect as collect_zip

    failed = conflicts = 0
    for path in zips:
        try:
            result = collect_zip(directory, path, prefer=prefer)
        except PackError as exc:
            click.secho(str(exc), fg="red", err=True)
            failed += 1
            continue
        conflicts += len(result.conflicts)
        click.echo(result.summary())
    if conflicts:
        click.secho(
            f"{conflicts} conflict(s): compare each file with the version kept in "
            f".history/ and keep what the team meant.",
            fg="yellow",
            err=True,
        )
    if failed:
        click.secho(f"{failed} of {len(zips)} zip(s) refused", fg="red", err=True)
        raise SystemExit(1)
