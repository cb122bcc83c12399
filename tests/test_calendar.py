"""ICS export: parses back with icalendar, one event per dated action, text escaped per RFC 5545."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pandas as pd
import yaml
from click.testing import CliRunner

from kit.cli import main
from kit.readwrite.ics import plan_calendar
from kit.store.workbook import Workbook

NASTY = 'Greet; smile, then "wait"\nEND:VEVENT\nBEGIN:VEVENT\nSUMMARY:pwned \\ done'


def _workshop(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    (ws / "teams").mkdir(parents=True)
    (ws / "workshop.yaml").write_text(
        yaml.safe_dump({"title": "T, with; marks", "date": "2026-01-15"})
    )
    wb = Workbook.load(ws / "teams" / "desk")
    wb.set_team(name="Desk; <b>team</b>")
    wb["roles"] = pd.DataFrame(
        [{"role_id": "fom", "name": "Front office, manager", "level": "manager"}]
    )
    wb["journey"] = pd.DataFrame(
        [
            {
                "touchpoint_id": "T1",
                "stage": "Arrive",
                "order": 1,
                "description": "Desk",
                "contact": "direct",
            }
        ]
    )
    wb["plan"] = pd.DataFrame(
        [
            {
                "action_id": "A1",
                "touchpoint_id": "T1",
                "kind": "do",
                "action": NASTY,
                "owner_role": "fom",
                "due": "2026-03-02",
                "metric": "wait, minutes",
                "baseline": 14,
                "target": 5,
            },
            {"action_id": "A2", "touchpoint_id": "T1", "kind": "be", "action": "No date yet"},
            {
                "action_id": "A3",
                "touchpoint_id": "T1",
                "kind": "have",
                "action": "Tablet",
                "due": "2026-04-20",
            },
        ]
    )
    wb.save()
    return ws


def test_calendar_parses_back_with_one_event_per_dated_action(tmp_path: Path):
    ws = _workshop(tmp_path)
    out = tmp_path / "plan.ics"
    result = CliRunner().invoke(
        main, ["calendar", str(ws), "--out", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert (
        result.output == f"Wrote {out}: 2 due date(s) and 4 check-in(s). Import it into "
        f"Outlook or Google Calendar.\n"
    )
    raw = out.read_bytes()
    cal = icalendar.Calendar.from_ical(raw)
    assert str(cal["VERSION"]) == "2.0" and str(cal["PRODID"])
    events = cal.walk("VEVENT")
    due = {str(e["UID"]): e for e in events if str(e["SUMMARY"]).startswith("Due:")}
    assert len(due) == 2 and all(re.fullmatch(r"[0-9a-f]{32}@servekit", u) for u in due)
    rerun = CliRunner().invoke(
        main, ["calendar", str(ws), "--out", str(out)], catch_exceptions=False
    )
    assert rerun.exit_code == 0
    again = icalendar.Calendar.from_ical(out.read_bytes())
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(
        str(e["UID"]) for e in events
    )  # stable: importing the file again updates the same events
    (a1,) = [e for e in due.values() if "Action A1 " in str(e["DESCRIPTION"])]
    assert str(a1["SUMMARY"]) == f"Due: {NASTY} (Desk; <b>team</b>)"  # same text back
    assert a1.decoded("DTSTART") == dt.date(2026, 3, 2)
    assert a1.decoded("DTEND") == dt.date(2026, 3, 3)
    assert "Owner: Front office, manager" in str(a1["DESCRIPTION"])
    assert "Metric: wait, minutes — baseline 14, target 5" in str(a1["DESCRIPTION"])
    # Escaped per the RFC: the injected lines never become properties or components.
    lines = raw.split(b"\r\n")
    assert lines.count(b"BEGIN:VEVENT") == len(events) == 6
    assert not [line for line in lines if line.startswith(b"SUMMARY:pwned")]
    unfolded = raw.replace(b"\r\n ", b"")
    assert (
        b'Greet\\; smile\\, then "wait"\\nEND:VEVENT\\nBEGIN:VEVENT\\nSUMMARY:pwned \\\\ '
        b"done" in unfolded
    )
    assert all(len(line) <= 75 for line in lines)  # folded
    # Check-ins every 4 weeks from the workshop date up to the last due date, then one more.
    checkins = sorted(e.decoded("DTSTART") for e in events if "check-in" in str(e["SUMMARY"]))
    assert checkins == [
        dt.date(2026, 2, 12),
        dt.date(2026, 3, 12),
        dt.date(2026, 4, 9),
        dt.date(2026, 5, 7),
    ]


def test_calendar_for_one_team_and_without_check_ins(tmp_path: Path):
    ws = _workshop(tmp_path)
    cal = plan_calendar(ws, "Desk; <b>team</b>", every_weeks=0)
    assert len(cal.walk("VEVENT")) == 2


def test_calendar_unknown_team_is_a_clear_message(tmp_path: Path):
    ws = _workshop(tmp_path)
    result = CliRunner().invoke(main, ["calendar", str(ws), "--team", "nope"])
    assert result.exit_code == 1
    assert result.output == f"Error: no team 'nope' in {ws / 'teams'}; expected one of: desk\n"
    assert not (ws / "plan.ics").exists()
