"""``servekit guide``: the facilitator's offline run sheet for a workshop."""

from __future__ import annotations

from pathlib import Path

import click

__all__ = ["guide"]


@click.command("guide")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--agenda",
    type=click.Choice(["half-day", "full-day"]),
    default="half-day",
    show_default=True,
    help="half-day: 3 h 30 with --starter workbooks; full-day: 6 h 30, blank workbooks.",
)
@click.option(
    "--start",
    default="09:00",
    show_default=True,
    metavar="HH:MM",
    help="When the session starts (24-hour clock).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="HTML file to write (default: DIRECTORY/guide-<agenda>.html).",
)
@click.option("--pdf", is_flag=True, help="Also print an A4 PDF next to it (Chromium).")
def guide(directory: Path, agenda: str, start: str, out: Path | None, pdf: bool) -> None:
    """Write the facilitator's run sheet for the workshop in DIRECTORY.

    The agenda with clock times, what to say and ask in every block, when and how to reveal the
    case's planted flaws, the case's facilitator notes, each team's link and the debrief script.
    One HTML file that opens offline (and with --pdf an A4 PDF).

    \b
    Examples:
      servekit guide my-workshop --start 13:30
      servekit guide my-workshop --agenda full-day --pdf
    """
    from kit.exceptions import PdfError
    from kit.room.agenda import parse_start
    from kit.room.guide import write_guide

    try:
        parse_start(start)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--start") from None
    try:
        written = write_guide(directory, agenda, start, out=out, pdf=pdf)
    except PdfError as exc:
        raise click.ClickException(str(exc)) from None
    for path in written:
        click.echo(f"wrote {path}")
    from kit.room.guide import Guide

    for warning in Guide(directory, agenda, start).warnings():
        click.secho(f"warning: {warning}", fg="yellow", err=True)
