"""``servekit calendar``: every plan action's due date and the follow-up check-ins as an .ics file.

The work happens in :mod:`kit.readwrite.ics` (imported when the command runs).
"""

from __future__ import annotations

from pathlib import Path

import click

from kit.commands.output import print_problems

__all__ = ["calendar"]


@click.command("calendar")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--team", metavar="SLUG", help="Only this team (folder name or display name).")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The calendar file to write (default: DIRECTORY/plan.ics).",
)
@click.option(
    "--every",
    "every_weeks",
    type=click.IntRange(0, 52),
    default=4,
    show_default=True,
    help="Weeks between follow-up check-ins (0: none).",
)
def calendar(directory: Path, team: str | None, out: Path | None, every_weeks: int) -> None:
    """Write the plans of the workshop in DIRECTORY as an iCalendar file.

    One all-day event per action with a due date, plus follow-up check-ins every few weeks
    until the last due date and one after it. Outlook, Google Calendar and Apple Calendar
    import the file; importing an updated file again updates the same events.

    \b
    Example:
      servekit calendar demo --team front-desk-friends --out front-desk.ics
    """
    from kit.readwrite.ics import plan_calendar, write_calendar
    from kit.store.sharing import output_file

    problems: list = []
    cal = plan_calendar(directory, team, every_weeks=every_weeks, problems=problems)
    if problems:
        print_problems(problems)
    target = out or directory / "plan.ics"
    with output_file(directory, target):  # on a hub, closed to teams (all plans are in it)
        out = write_calendar(cal, target)
    events = cal.walk("VEVENT")
    due = sum(1 for e in events if "due" in [str(c) for c in e["CATEGORIES"].cats])
    click.echo(
        f"Wrote {out}: {due} due date(s) and {len(events) - due} check-in(s). Import it "
        f"into Outlook or Google Calendar."
    )
