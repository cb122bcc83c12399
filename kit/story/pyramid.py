"""The pyramid section: roles per level, the chain check's findings, the figure.


Examples
--------
>>> from kit.story import Story
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
>>> pyramid_figure(Story.load(ws, "x")) is None
True
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from kit.formatting import join, list_words, markup, number_text, plural
from kit.schema import LEVELS
from kit.story.blocks import LEVEL_WORDS, WHERE, callout, missing


def pyramid_text(story: Any) -> Markup:
    """Roles per level and the chain check's findings, in sentences."""
    from kit.pyramid import role_reach

    if story.roles.empty:
        return missing("roles", "No upside-down pyramid yet.")
    counts = story.roles["level"].value_counts()
    per_level = [
        f"{plural(int(counts.get(level, 0)), LEVEL_WORDS[level] + ' role')}"
        for level in LEVELS
        if counts.get(level, 0)
    ]
    heads = pd.to_numeric(story.roles["headcount"], errors="coerce")
    people = (
        markup(" ({} people in all)", number_text(heads.sum(), 0))
        if heads.notna().any()
        else Markup("")
    )
    parts = [
        markup(
            "<p>Your pyramid has {} roles{}: {}. Customers sit on top; every level "
            "below serves the one above it.</p>",
            len(story.roles),
            people,
            list_words(per_level),
        )
    ]
    findings = story.check.findings
    if findings.empty:
        parts.append(
            callout(
                "good",
                "The service chain is complete",
                "Every role's work reaches a customer through the 'serves' "
                "links, and nobody serves their boss instead of the front "
                "line.",
            )
        )
    else:
        items = join(markup("<li>{}</li>", s) for s in findings["sentence"])
        parts.append(
            callout(
                "finding",
                f"The chain check found {plural(len(findings), 'problem')}",
                markup("<ul>{}</ul>", items),
                "If you are not serving the customer directly, your job is to serve someone "
                "who is.",
                markup("Fix the links in {}.", WHERE["roles"][1]),
            )
        )
    if story.serves.empty:
        parts.append(missing("roles", "Nobody serves anybody yet: add the 'serves' links."))
    elif not story.journey.empty:
        # Only the two columns reach needs (kit.pyramid at 449eacf fails on wider tables).
        reach = role_reach(story.graph, story.journey[["touchpoint_id", "role_id"]])
        reach = reach[reach["touchpoints"] > 0].head(3)
        if len(reach):
            names = [
                markup(
                    "{} ({} of {} touchpoints)",
                    r["name"],
                    int(r["touchpoints"]),
                    len(story.journey),
                )
                for _, r in reach.iterrows()
            ]
            parts.append(
                markup(
                    "<p>The roles behind the most touchpoints: {}. Their service "
                    "to the front line shows up across the customer's whole "
                    "day.</p>",
                    list_words(names),
                )
            )
    return join(parts)


def pyramid_figure(story: Any) -> Any:
    """The upside-down pyramid with the findings highlighted (``None`` without roles)."""
    from kit.figures.pyramid import pyramid_figure

    if story.roles.empty:
        return None
    return pyramid_figure(story.roles, story.serves, check=story.check)
