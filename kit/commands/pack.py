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
    default=None,
    help="Settle rows changed differently on both sides with this side's values (the other "
    "version is kept in .history/). Without it such a zip is refused.",
)
def collect(directory: Path, zips: tuple[Path, ...], prefer: str | None) -> None:
    """Bring teams' work back from zips made by 'servekit pack'.

    Each zip is checked first (size, names, manifest, only files under teams/<team>/ and
    notebooks/<team>/, valid team data); a refused zip writes nothing. The team's files are
    merged row by row with the workshop's changes since the pack; a row changed differently on
    both sides refuses the zip unless --prefer says which side wins.
    """
    from kit.exceptions import PackError
    from kit.room.collect import collect as collect_zip

    failed = conflicts = 0
    done: list[str] = []
    for position, path in enumerate(zips):
        try:
            result = collect_zip(directory, path, prefer=prefer)
        except PackError as exc:
            click.secho(str(exc), fg="red", err=True)
            failed += 1
            continue
        except KeyboardInterrupt:
            rest = [str(z) for z in zips[position:]]
            click.secho(
                f"Interrupted: collected {', '.join(done) or 'no zip'}; not collected: "
                f"{', '.join(rest)} ({rest[0]}: its team's files were written completely or not "
                f"at all, as one change). Run the command again for the zips not "
                f"collected.",
                fg="yellow",
                err=True,
            )
            raise SystemExit(130) from None
        done.append(str(path))
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
