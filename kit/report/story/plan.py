"""The plan and results sections: the internal service plan, results against target.


Examples
--------
>>> from kit.report.story import Story
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
>>> results_text(Story.load(ws, "x"))      # no plan: no results section
Markup('')
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from kit.formatting import join, list_words, markup, number_text, plural
from kit.report.display import progress_bar, table
from kit.report.display import table_cell as display_cell
from kit.report.story.blocks import WHERE, callout, missing
from kit.store.clock import today

__all__ = ["plan_text", "results_text"]


def plan_text(story: Any) -> Markup:
    """The internal service plan as a table, with cover of the top priorities."""
    if story.plan.empty:
        return missing("plan", "No internal service plan yet.")
    journey = story.journey.set_index("touchpoint_id")["description"].to_dict()
    # Past due and not met, as of the day the report is made (kit.analyses.followup's status rules).
    progress = story.progress
    overdue = set(progress.loc[progress["status"] == "overdue", "action_id"])
    rows = []
    for _, a in story.plan.iterrows():
        kind = str(a["kind"])
        rows.append(
            {
                "action": markup(
                    '{}<span class="sk-tag sk-tag-{}">{}</span><br><small>{}</small>',
                    a["action"],
                    kind,
                    kind,
                    journey.get(a["touchpoint_id"], "")
                    and f"{a['touchpoint_id']}: {journey.get(a['touchpoint_id'])}"
                    or a["touchpoint_id"],
                ),
                "owner": story.role_name(a.get("owner_role")),
                "due": markup(
                    '<span class="nowrap">{}</span>{}',
                    display_cell(a.get("due")),
                    markup('<br><span class="sk-tag sk-tag-overdue">overdue</span>')
                    if a.get("action_id") in overdue
                    else "",
                ),
                "metric": a.get("metric"),
                "goal": (
                    f"{number_text(a['baseline'])} → {number_text(a['target'])}"
                    if not (pd.isna(a.get("baseline")) and pd.isna(a.get("target")))
                    else ""
                ),
            }
        )
    late = (
        markup(
            " {} past due and not met as of {}.",
            plural(len(overdue), "action"),
            today().isoformat(),
        )
        if overdue
        else ""
    )
    parts = [
        markup(
            "<p>{} to serve the people who serve the customer:{}</p>",
            plural(len(story.plan), "action"),
            late,
        ),
        table(
            rows,
            {
                "action": "Action",
                "owner": "Owner",
                "due": "Due",
                "metric": "Metric",
                "goal": "Baseline → target",
            },
        ),
    ]
    if not story.top.empty:
        planned = set(story.plan["touchpoint_id"])
        uncovered = [t for t in story.top["touchpoint_id"] if t not in planned]
        if uncovered:
            parts.append(
                callout(
                    "finding",
                    "A top priority has no action yet",
                    markup(
                        "No action in the plan addresses {}. Add one in {}.",
                        list_words(uncovered),
                        WHERE["plan"][1],
                    ),
                )
            )
        else:
            parts.append(
                callout(
                    "good",
                    "Every top priority has an action",
                    "The plan covers each of the three priorities above.",
                )
            )
    return join(parts)


def results_text(story: Any) -> Markup:
    """Latest results against target for each action (or what to measure next)."""
    if story.plan.empty:
        return Markup("")
    progress = story.progress
    measured = progress[progress["measurements"] > 0]
    if measured.empty:
        return join(
            [
                Markup("<h3>Results against target</h3>"),
                missing("results", "No results measured yet."),
            ]
        )
    rows = []
    for _, a in progress.iterrows():
        share = a["progress"]
        bar = progress_bar(share)
        rows.append(
            {
                "action": markup("<strong>{}</strong> {}", a["action_id"], a["action"]),
                "latest": (
                    markup(
                        "{}<br><small>{}</small>",
                        number_text(a["latest"], 2),
                        a["latest_date"] or "",
                    )
                    if a["measurements"]
                    else "—"
                ),
                "target": number_text(a["target"], 2),
                "bar": bar,
                "status": a["status"],
            }
        )
    met = int((progress["status"] == "target met").sum())
    return join(
        [
            Markup("<h3>Results against target</h3>"),
            markup(
                "<p>{} of {} actions have results; {} met {} target.</p>",
                len(measured),
                len(progress),
                met,
                "its" if met == 1 else "their",
            ),
            table(
                rows,
                {
                    "action": "Action",
                    "latest": "Latest result",
                    "target": "Target",
                    "bar": "Progress",
                    "status": "Status",
                },
            ),
        ]
    )
