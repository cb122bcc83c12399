"""The plan in the owners' calendars: an RFC 5545 (iCalendar) file for Outlook and Google.

:func:`plan_calendar` makes, with the :mod:`icalendar` library,

* one all-day event per plan action that has a due date ("Due: <action>"), naming the owner, the
  touchpoint, the metric with its baseline and target, and how to record a result;
* follow-up check-ins for each team: every ``every_weeks`` weeks from the workshop's date until
  the last due date, and one more after it, to type in the latest numbers (notebook 07, or the
  Excel file from ``servekit export-xlsx``).

All user text goes into the calendar as iCalendar TEXT values, which the library escapes per the
RFC (backslash, comma, semicolon, new line), so an action's wording can never add a property or
an event. Event UIDs are stable and unique (a hash of the team, the action id and the kind of
event), so importing an updated file again updates the events instead of duplicating them, and two
actions never share one. At most :data:`MAX_CHECKINS` check-ins are made per team, and a due date
past :data:`kit.store.schema.LAST_YEAR` gets no event: a year typed wrong cannot fill a calendar.

Examples
--------
>>> import tempfile
>>> from kit.store.workshop import create_demo
>>> ws = create_demo(Path(tempfile.mkdtemp()) / "w")
>>> cal = plan_calendar(ws.path, team="front-desk-friends")
>>> sum(1 for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith("Due:"))
7
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import icalendar
import pandas as pd

from kit.analyses.followup import FollowupData, read_team
from kit.store.clock import today
from kit.store.csvio import atomic_write
from kit.store.oserrors import naming
from kit.store.problems import Problem
from kit.store.schema import LAST_YEAR
from kit.store.validation import cell_text
from kit.store.workshop import Workshop, is_workshop

__all__ = [
    "EVERY_WEEKS",
    "PRODID",
    "RECORD_HOW",
    "plan_calendar",
    "team_events",
    "write_calendar",
]

PRODID = "-//Serve the Servers//servekit//EN"
EVERY_WEEKS = 4
"""Default spacing of the follow-up check-ins."""

RECORD_HOW = (
    "Record the latest result in the follow-up notebook, 07_follow_up.ipynb in your team's "
    "notebooks folder (or in the plan's Excel file, if your facilitator sent you one)."
)


MAX_CHECKINS = 12
"""Most follow-up check-ins per team (a year at the default spacing): a due date years ahead
(a typo such as 2206) must not fill a calendar."""


def _uid(*parts: str) -> str:
    """A stable, unique event UID: a hash of the team, the action id and the event's kind.

    Examples
    --------
    >>> _uid("desk", "A\u00e9", "due") != _uid("desk", "A\u00e8", "due")
    True
    >>> _uid("desk", "A 3", "due") != _uid("desk", "A_3", "due")
    True
    >>> _uid("desk", "A1", "due") == _uid("desk", "A1", "due")
    True
    """
    key = json.dumps(list(parts), ensure_ascii=False).encode("utf-8")
    return f"{hashlib.sha256(key).hexdigest()[:32]}@servekit"


def _due(value: Any) -> dt.date | None:
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(cell_text(value))
    except ValueError:
        return None


def _event(
    uid: str,
    day: dt.date,
    summary: str,
    description: str,
    stamp: dt.datetime,
    categories: list[str],
) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", summary)
    event.add("description", description)
    event.add("categories", categories)
    event.add("transp", "TRANSPARENT")
    return event


def team_events(
    data: FollowupData,
    slug: str,
    start: dt.date,
    *,
    every_weeks: int = EVERY_WEEKS,
    stamp: dt.datetime | None = None,
    problems: list[Problem] | None = None,
) -> list[icalendar.Event]:
    """The due-date events and follow-up check-ins of one team.

    At most :data:`MAX_CHECKINS` check-ins are made; a due date past
    :data:`kit.store.schema.LAST_YEAR` gets no event. Both are said in ``problems``.

    Parameters
    ----------
    data : FollowupData
        The team's plan (from :func:`kit.analyses.followup.read_team`).
    slug : str
        The team's folder name (part of every UID).
    start : date
        The workshop's date: the first check-in is ``every_weeks`` after it.
    every_weeks : int
        Weeks between check-ins.
    stamp : datetime, optional
        DTSTAMP of the events (default now, UTC).
    problems : list, optional
        Filled with warnings (check-ins capped, due dates left out).

    Returns
    -------
    list of icalendar.Event

    Examples
    --------
    >>> plan = pd.DataFrame({"action_id": ["A1"], "touchpoint_id": ["T1"], "kind": ["do"],
    ...                      "action": ["Open a desk; greet, smile"], "owner_role": ["fom"],
    ...                      "due": ["2026-03-02"], "metric": ["wait"], "baseline": [14.0],
    ...                      "target": [5.0]})
    >>> roles = pd.DataFrame({"role_id": ["fom"], "name": ["Front office manager"]})
    >>> data = FollowupData("Desk", plan, pd.DataFrame(), roles)
    >>> events = team_events(data, "desk", dt.date(2026, 2, 1))
    >>> [(str(e["SUMMARY"]), e.decoded("DTSTART").isoformat()) for e in events]
    [('Due: Open a desk; greet, smile (Desk)', '2026-03-02'), ('Follow-up check-in: Desk', '2026-03-01'), ('Follow-up check-in: Desk', '2026-03-29')]
    """
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    names = {}
    if len(data.roles):
        names = dict(
            zip(data.roles["role_id"].astype(str), data.roles["name"].astype(str), strict=True)
        )
    events = []
    dues = []
    notes = problems if problems is not None else []
    for row in data.plan.to_dict("records"):
        day = _due(row.get("due"))
        if day is None:
            continue
        if day.year > LAST_YEAR:  # never past what a calendar (or dt.date) can hold
            notes.append(
                Problem(
                    slug,
                    None,
                    cell_text(row.get("action_id")),
                    f"due {day.isoformat()} is past {LAST_YEAR}; no event made (a typo in the year?)",
                    "warning",
                )
            )
            continue
        dues.append(day)
        owner = cell_text(row.get("owner_role"))
        lines = [
            f"Action {cell_text(row.get('action_id'))} of team {data.name}: {cell_text(row.get('action'))}",
            f"Owner: {names.get(owner, owner) or 'not named'}",
            f"Touchpoint: {cell_text(row.get('touchpoint_id'))} · be/do/have: "
            f"{cell_text(row.get('kind'))}",
        ]
        if cell_text(row.get("metric")):
            lines.append(
                f"Metric: {cell_text(row.get('metric'))} — baseline "
                f"{cell_text(row.get('baseline')) or '?'}, target "
                f"{cell_text(row.get('target')) or '?'}"
            )
        lines.append(RECORD_HOW)
        events.append(
            _event(
                _uid(slug, cell_text(row.get("action_id")), "due"),
                day,
                f"Due: {cell_text(row.get('action'))} ({data.name})",
                "\n".join(lines),
                stamp,
                ["servekit", "due", cell_text(row.get("kind"))],
            )
        )
    if dues and every_weeks > 0:
        step = dt.timedelta(weeks=every_weeks)
        last = max(dues)
        day = start + step
        checkins = []
        while day <= last and len(checkins) < MAX_CHECKINS:
            checkins.append(day)
            day += step
        if len(checkins) < MAX_CHECKINS:
            checkins.append(day)  # one more after the last due date: did it work?
        else:
            notes.append(
                Problem(
                    slug,
                    None,
                    None,
                    f"the last due date, {last.isoformat()}, is more than {MAX_CHECKINS} "
                    f"check-ins away; check-ins stop at {checkins[-1].isoformat()} (a typo in "
                    f"the year?)",
                    "warning",
                )
            )
        for day in checkins:
            open_ = data.plan.to_dict("records")
            listed = "\n".join(
                f"- {cell_text(r.get('action_id'))}: {cell_text(r.get('action'))}" for r in open_
            )
            events.append(
                _event(
                    _uid(slug, "checkin", day.isoformat()),
                    day,
                    f"Follow-up check-in: {data.name}",
                    f"Type in the latest numbers for team {data.name}'s plan.\n{RECORD_HOW}\n"
                    f"Actions to measure:\n{listed}",
                    stamp,
                    ["servekit", "follow-up"],
                )
            )
    return events


def plan_calendar(
    workshop_dir: Path | str,
    team: str | None = None,
    *,
    every_weeks: int = EVERY_WEEKS,
    stamp: dt.datetime | None = None,
    problems: list[Problem] | None = None,
) -> icalendar.Calendar:
    """The calendar of a workshop's plans (or one team's), as an :class:`icalendar.Calendar`.

    Parameters
    ----------
    workshop_dir : path-like
        A workshop folder, or a single team folder.
    team : str, optional
        Only this team (slug or display name).
    every_weeks : int
        Weeks between follow-up check-ins (0: none).
    stamp : datetime, optional
        DTSTAMP of every event (default now).
    problems : list, optional
        Filled with the problems found in the teams' files (the calendar is still made from
        every action that could be read).

    Returns
    -------
    icalendar.Calendar
    """
    path = Path(workshop_dir)
    if is_workshop(path):
        ws = Workshop(path)
        teams = [ws.team(team)] if team else ws.teams()
        info = ws.info
        root = path
        pairs = [(t.slug, t.path) for t in teams]
    else:
        info, root, pairs = {}, path, [(path.name, path)]
    start = _due(info.get("date")) or today()
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    title = cell_text(info.get("title")) or "Serve the Servers"
    cal.add("x-wr-calname", f"{title}: internal service plan")
    for slug, folder in pairs:
        data = read_team(folder, root=root)
        if problems is not None:
            problems += data.problems
            problems += [
                Problem(f"{slug}", None, aid, note, "warning")
                for aid, notes in data.notes.items()
                for note in notes
            ]
        events = team_events(
            data, slug, start, every_weeks=every_weeks, stamp=stamp, problems=problems
        )
        for event in events:
            cal.add_component(event)
    return cal


def write_calendar(calendar: icalendar.Calendar, out: Path | str) -> Path:
    """Write the calendar to ``out`` atomically (CRLF line endings, as the RFC asks).

    Examples
    --------
    >>> import tempfile
    >>> cal = icalendar.Calendar(); cal.add("prodid", PRODID); cal.add("version", "2.0")
    >>> path = write_calendar(cal, Path(tempfile.mkdtemp()) / "plan.ics")
    >>> path.read_bytes().splitlines(keepends=True)[0]
    b'BEGIN:VCALENDAR\\r\\n'
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with naming(out):
        atomic_write(out, calendar.to_ical())
    return out
