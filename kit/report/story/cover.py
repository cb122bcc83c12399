"""The top of the report: the cover (workshop, team, members) and the at-a-glance numbers.


Examples
--------
>>> from kit.report.story import Story
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
>>> "Not finished yet" in glance(Story.load(ws, "x"))
True
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from kit.formatting import join, list_words, markup, plural
from kit.report.story.blocks import callout, tp_label

__all__ = ["cover", "glance"]


def cover(story: Any) -> Markup:
    """The report's header: workshop, team name, date, facilitator, case and members."""
    info = story.workshop
    meta = []
    for label, value in (
        ("Date", info.get("date")),
        ("Facilitator", info.get("facilitator")),
        ("Case", story.case.get("title")),
    ):
        if value:
            meta.append(markup("<div><dt>{}</dt><dd>{}</dd></div>", label, str(value)))
    members = story.wb.members
    chips = (
        markup(
            '<ul class="sk-members" aria-label="Team members">{}</ul>',
            join(markup("<li>{}</li>", m) for m in members),
        )
        if members
        else Markup("")
    )
    return markup(
        '<header class="sk-cover"><p class="sk-eyebrow">{}</p><h1>{}</h1>'
        '<p class="sk-subtitle">Serve the servers — team report</p>'
        '<dl class="sk-meta">{}</dl>{}</header>',
        info.get("title") or "Serve the Servers workshop",
        story.name,
        join(meta),
        chips,
    )


def glance(story: Any) -> Markup:
    """Key numbers, the first priority, and what is still to do."""
    from kit.analyses.journey import moments_of_truth, stages
    from kit.analyses.scoring import unscored_touchpoints

    stats = []

    def stat(value: Any, label: str, tone: str = "") -> None:
        stats.append(
            markup(
                '<div class="sk-stat{}"><div class="sk-stat-value">{}</div>'
                '<div class="sk-stat-label">{}</div></div>',
                Markup(f" sk-{tone}" if tone else ""),
                value,
                label,
            )
        )

    n = len(story.journey)
    stat(
        n,
        f"touchpoints in {plural(len(stages(story.journey)), 'stage')}"
        if n
        else "touchpoints mapped",
    )
    stat(len(moments_of_truth(story.journey)), "moments of truth")
    stat(len(story.roles), "roles in the pyramid")
    if not story.roles.empty:
        found = len(story.check.findings)
        if found:
            stat(found, "chain-check findings", "warn")
        else:
            stat("✓", "service chain complete", "ok")
    scored = n - len(unscored_touchpoints(story.scores, story.journey)) if n else 0
    stat(f"{scored}/{n}" if n else len(story.scores), "touchpoints scored")
    stat(len(story.plan), "actions planned")
    parts = [markup('<div class="sk-glance">{}</div>', join(stats))]
    if not story.top.empty:
        first = story.top.iloc[0]
        end = "" if str(first.get("description") or "").rstrip()[-1:] in ".!?" else "."
        parts.append(
            markup('<p class="sk-lead">Your first priority: {}{}</p>', tp_label(first), end)
        )
    todo = story.todo()
    if todo:
        parts.append(
            callout(
                "missing",
                "Not finished yet",
                markup(
                    "This report shows what the team has done so far. Still to "
                    "do: {}. The sections below say where.",
                    list_words(todo),
                ),
            )
        )
    return join(parts)
