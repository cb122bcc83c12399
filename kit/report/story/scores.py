"""The scoring sections: importance-performance, the top priorities, be/do/have readiness.


Examples
--------
>>> from kit.report.story import Story
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
>>> "No touchpoint has been scored yet." in scores_text(Story.load(ws, "x"))
True
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup  # noqa: F401

from kit.formatting import join, list_words, markup, number_text, plural
from kit.report.story.blocks import WHERE, callout, missing, tp_label
from kit.store.schema import KIND_LABELS

__all__ = [
    "ipa_figure",
    "priorities_text",
    "priority_figure",
    "readiness_figure",
    "readiness_text",
    "scores_text",
]


def scores_text(story: Any) -> Markup:
    """Who scored what, the four IPA quadrants and where scorers disagree."""
    from kit.analyses.scoring import CONCENTRATE, ON_LINE, OVERKILL, unscored_touchpoints

    if story.scores.empty:
        return missing("scores", "No touchpoint has been scored yet.")
    ipa = story.ipa
    scorers = story.scores["scorer"].nunique()
    parts = [
        markup(
            "<p>{} scored {} on importance to the customer and current performance "
            "(1 to 5). Each touchpoint sits in one of four quadrants, split at the {} "
            "of the scores, or exactly on a dividing line.</p>",
            plural(scorers, "scorer"),
            plural(len(ipa), "touchpoint"),
            "average" if story.crosshair == "mean" else "middle of the scale",
        )
    ]
    unscored = unscored_touchpoints(story.scores, story.journey)
    if unscored:
        parts.append(
            callout(
                "missing",
                f"{plural(len(unscored), 'touchpoint')} not scored yet",
                markup(
                    "{}. Score them with {}, then run the report again.",
                    list_words(unscored),
                    WHERE["scores"][1],
                ),
            )
        )
    quads = ipa.groupby("quadrant")["touchpoint_id"].apply(list).to_dict()
    concentrate = ipa[ipa["quadrant"] == CONCENTRATE]
    if len(concentrate):
        items = join(markup("<li>{}</li>", tp_label(r)) for _, r in concentrate.iterrows())
        parts.append(
            markup(
                "<p><strong>Concentrate here</strong> — important to the customer, "
                "performing below par:</p><ul>{}</ul>",
                items,
            )
        )
    if quads.get(ON_LINE):
        them = "it" if len(quads[ON_LINE]) == 1 else "them"
        parts.append(
            markup(
                "<p><strong>On the line</strong>: {} — importance or performance exactly at "
                "the crosshair, so in no quadrant: neither below par nor fine. One rating more "
                "would tip {} either way; talk {} through.</p>",
                list_words(quads[ON_LINE]),
                them,
                them,
            )
        )
    if quads.get(OVERKILL):
        parts.append(
            markup(
                "<p><strong>Possible overkill</strong> (performing well on what "
                "matters less): {} — effort there could move to the touchpoints "
                "above.</p>",
                list_words(quads[OVERKILL]),
            )
        )
    split = ipa[ipa["disagreement"].astype(bool)]
    if len(split):
        items = [
            markup("{} (on {})", r["touchpoint_id"], r["disagree_on"]) for _, r in split.iterrows()
        ]
        parts.append(
            markup(
                "<p>Scorers disagreed by two points or more on {}. Talk these "
                "through: a disagreement often means people saw different "
                "customers, shifts or days.</p>",
                list_words(items),
            )
        )
    return join(parts)


def ipa_figure(story: Any) -> Any:
    """The importance–performance grid as a plain spec (``None`` without scores)."""
    from kit.figures.ipa import ipa_spec

    if story.scores.empty:
        return None
    return ipa_spec(story.scores, story.journey, crosshair=story.crosshair)


def priorities_text(story: Any) -> Markup:
    """The top three priorities, each with why it ranks there."""
    if story.scores.empty:
        return missing("scores", "No priorities yet: they come from the scores.")
    if story.top.empty:
        return callout(
            "good",
            "No touchpoint performs below its importance",
            "Every scored touchpoint performs at least as well as it matters to "
            "the customer. Check the scores with the front line before you "
            "celebrate.",
        )
    items = []
    for _, row in story.top.iterrows():
        why = [
            f"importance {number_text(row['importance'])}",
            f"performance {number_text(row['performance'])}",
            f"gap {number_text(row['gap'])}",
        ]
        if bool(row["moment_of_truth"]):
            why.append("a moment of truth")
        if isinstance(row.get("weakest"), str) and row["weakest"]:
            why.append(f"weakest readiness: {KIND_LABELS.get(row['weakest'], row['weakest'])}")
        items.append(
            markup(
                '<li><div class="sk-prio-title">{}</div>'
                '<div class="sk-prio-why">{} · {}</div></li>',
                tp_label(row),
                row.get("stage") or "",
                " · ".join(why),
            )
        )
    return markup(
        "<p>Ranked by how far performance falls short of importance, weighted by "
        'importance and by moments of truth:</p><ol class="sk-priorities">{}</ol>',
        join(items),
    )


def priority_figure(story: Any) -> Any:
    """The priority ranking chart as a plain spec (``None`` without scores)."""
    from kit.figures.large import LIMIT, note_title
    from kit.figures.priorities import priority_spec

    if story.scores.empty:
        return None
    scored = story.scores["touchpoint_id"].nunique()
    if scored <= LIMIT:
        return priority_spec(story.scores, story.journey)
    note = f"showing the {LIMIT} highest priorities of {scored} touchpoints"
    return note_title(priority_spec(story.scores, story.journey, top=LIMIT), note)


def readiness_text(story: Any) -> Markup:
    """Be/do/have readiness: the weakest of the three and its link to performance."""
    from kit.analyses.scoring import readiness_vs_performance

    ipa = story.ipa
    if story.scores.empty or ipa[["be", "do", "have"]].isna().all().all():
        return missing("scores", "No be/do/have readiness scores yet.")
    means = ipa[["be", "do", "have"]].mean()
    weakest = means.idxmin()
    parts = [
        markup(
            "<p>On average employees are readiest to <strong>{}</strong> ({} of 5) and "
            "least ready to <strong>{}</strong> ({} of 5).</p>",
            KIND_LABELS[means.idxmax()],
            number_text(means.max()),
            KIND_LABELS[weakest],
            number_text(means.min()),
        )
    ]
    corr = readiness_vs_performance(story.scores, story.journey)
    parts.append(markup("<p>{}</p>", corr.reading))
    if corr.warning:
        parts.append(markup('<p class="sk-empty">{}</p>', corr.warning))
    parts.append(
        markup(
            "<p>Where performance is low and readiness is low too, telling the "
            "front line to try harder will not work: ask who hires, trains and "
            "equips them.</p>"
        )
    )
    return join(parts)


def readiness_figure(story: Any) -> Any:
    """The be/do/have heatmap as a plain spec (``None`` without readiness scores)."""
    from kit.figures.readiness import readiness_spec

    if story.scores.empty or story.scores[["be", "do", "have"]].isna().all().all():
        return None
    from kit.figures.large import note_title, only_touchpoints, shown_touchpoints

    shown, note = shown_touchpoints(story.journey)  # a very large team: the ones that matter
    if not note:
        return readiness_spec(story.scores, story.journey)
    return note_title(readiness_spec(only_touchpoints(story.scores, shown), shown), note)
