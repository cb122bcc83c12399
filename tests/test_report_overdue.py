"""The plan section flags actions past due and not met, as of the day the report is made."""

from __future__ import annotations

import csv
import datetime as dt
import io

from kit.report.story import Story
from kit.store.workshop import create_demo


def test_past_due_unmet_actions_are_flagged_overdue(tmp_path):
    ws = create_demo(tmp_path / "demo").path
    team = ws / "teams" / "front-desk-friends"
    rows = list(csv.DictReader(io.StringIO((team / "plan.csv").read_text(encoding="utf-8"))))
    later = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    for row in rows:
        row["due"] = later
    rows[1]["due"] = "2020-01-31"  # long past, and no result at all: not met
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    (team / "plan.csv").write_text(out.getvalue(), encoding="utf-8")
    (team / "results.csv").write_text("action_id,date,value\n", encoding="utf-8")

    text = str(Story.load(ws, "front-desk-friends").plan_text())
    assert text.count('<span class="sk-tag sk-tag-overdue">overdue</span>') == 1
    assert f"1 action past due and not met as of {dt.date.today().isoformat()}." in text
    flag = text.index("sk-tag-overdue")
    # The flag sits on the second action's row: after its text, before the third's.
    assert text.index(rows[1]["action"][:30]) < flag < text.index(rows[2]["action"][:30])
