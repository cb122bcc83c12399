"""The journey and blueprint sections: the customer's day in words, and its charts.

Each function takes a :class:`kit.report.story.Story` and returns Markup or a figure (``None``
when the journey is empty).


Examples
--------
>>> from kit.report.story import Story
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
>>> "No customer journey yet." in journey_text(Story.load(ws, "x"))
True
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from kit.formatting import join, list_words, markup, number_text, percent, plural
from kit.report.story.blocks import WHERE, callout, missing, tp_label

__all__ = [
    "blueprint_figure",
    "blueprint_text",
    "journey_figure",
    "journey_text",
]


def journey_text(story: Any) -> Markup:
    """The day in the life in words: stages, direct and indirect contact, low points."""
    from kit.analyses.journey import contact_share, moments_of_truth, stages

    if story.journey.empty:
        return missing("journey", "No customer journey yet.")
    n = len(story.journey)
    names = stages(story.journey)
    share = contact_share(story.journey).set_index("contact")
    direct, indirect = (
        int(share.loc["direct", "touchpoints"]),
        int(share.loc["indirect", "touchpoints"]),
    )
    parts = [
        markup(
            "<p>Your customer's day runs through {} — {} — and {}. {} of them "
            "({}) are direct contact, face to face or on the phone. The other {} are "
            "indirect: work the customer never sees, but always feels.</p>",
            plural(len(names), "stage"),
            list_words(names),
            plural(n, "touchpoint"),
            direct,
            percent(direct, n),
            indirect,
        )
    ]
    emotion = pd.to_numeric(story.journey["emotion"], errors="coerce")
    low = story.journey[emotion == emotion.min()] if emotion.notna().any() else story.journey[:0]
    if len(low) and emotion.min() < 0:
        parts.append(
            markup(
                "<p>The low point of the day (emotion {}): {}.</p>",
                number_text(emotion.min()),
                list_words([tp_label(r) for _, r in low.head(3).iterrows()]),
            )
        )
    mot = moments_of_truth(story.journey)
    if len(mot):
        items = join(markup("<li>{}</li>", tp_label(r)) for _, r in mot.iterrows())
        parts.append(
            markup(
                "<p>You marked {} — the moments that make or break the "
                "customer's opinion:</p><ul>{}</ul>",
                plural(len(mot), "moment of truth", "moments of truth"),
                items,
            )
        )
    else:
        parts.append(
            markup(
                "<p>No touchpoint is marked as a moment of truth yet. Which few "
                "moments decide whether the customer comes back?</p>"
            )
        )
    return join(parts)


def journey_figure(story: Any) -> Any:
    """The journey map as a plain spec (``None`` when there is no journey)."""
    from kit.figures.journey import journey_map_spec
    from kit.figures.large import note_title, stage_summary

    if story.journey.empty:
        return None
    shown, note = stage_summary(story.journey)  # a very large team: one point per stage
    return note_title(journey_map_spec(shown, phone=True), note)


def blueprint_text(story: Any) -> Markup:
    """What the blueprint shows and which touchpoints nobody is named to serve."""
    from kit.analyses.journey import unserved_touchpoints

    if story.journey.empty:
        return missing("journey", "No blueprint yet: it is drawn from the journey.")
    parts = [
        markup(
            "<p>The blueprint lays the same day out in lanes: what the customer does, "
            "the front-stage contact they see, the backstage work they do not, and "
            "the support roles that serve the people at each touchpoint. Everything "
            "below the line of visibility is invisible to the customer, yet it decides "
            "much of what they experience.</p>"
        )
    ]
    unserved = unserved_touchpoints(story.journey, story.roles)
    if len(unserved):
        items = join(
            markup('<li>{} <span class="sk-tag">{}</span></li>', tp_label(r), r["reason"])
            for _, r in unserved.iterrows()
        )
        parts.append(
            callout(
                "finding",
                f"{plural(len(unserved), 'touchpoint')} with no one named to serve it",
                markup("<ul>{}</ul>", items),
                markup(
                    "Name the front-line role that serves each one in {}, so "
                    "the blueprint can show who supports them.",
                    WHERE["journey"][1],
                ),
            )
        )
    if story.roles.empty:
        parts.append(missing("roles", "No pyramid yet: the support lane stays empty."))
    return join(parts)


def blueprint_figure(story: Any) -> Any:
    """The service blueprint as a plain spec (``None`` when there is no journey)."""
    from kit.figures.blueprint import blueprint_spec
    from kit.figures.large import BLUEPRINT_LIMIT, note_title, shown_touchpoints

    if story.journey.empty:
        return None
    shown, note = shown_touchpoints(story.journey, BLUEPRINT_LIMIT)
    return note_title(blueprint_spec(shown, story.roles, story.serves), note)
