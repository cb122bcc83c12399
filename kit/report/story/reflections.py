"""The closing sections: the team's answers to the action-plan questions, notes on the data.


Examples
--------
>>> from kit.report.story import Story
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
>>> notes_text(Story.load(ws, "x"))
Markup('')
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from kit.formatting import join, markup
from kit.report.story.blocks import callout, missing
from kit.store.schema import REFLECTION_QUESTIONS

__all__ = ["notes_text", "reflections_text"]


def reflections_text(story: Any) -> Markup:
    """The team's answers to the action-plan questions (unanswered ones named)."""
    answers = {k: str(v).strip() for k, v in story.wb.reflections.items() if str(v).strip()}
    if not answers:
        return missing("reflections", "The action-plan questions are not answered yet.")
    parts = []
    for key, question in REFLECTION_QUESTIONS.items():
        if key in answers:
            parts.append(
                markup(
                    '<div class="sk-qa"><p class="sk-qa-q">{}</p><blockquote>{}</blockquote></div>',
                    question,
                    answers[key],
                )
            )
    for key in sorted(set(answers) - set(REFLECTION_QUESTIONS)):
        parts.append(
            markup(
                '<div class="sk-qa"><p class="sk-qa-q">{}</p><blockquote>{}</blockquote></div>',
                key,
                answers[key],
            )
        )
    unanswered = [q for k, q in REFLECTION_QUESTIONS.items() if k not in answers]
    if unanswered:
        parts.append(
            callout(
                "missing",
                "Not answered yet",
                markup("<ul>{}</ul>", join(markup("<li>{}</li>", q) for q in unanswered)),
            )
        )
    return join(parts)


def notes_text(story: Any) -> Markup:
    """Warnings about the team's data (the report was still built), if any."""
    warnings = [p for p in story.wb.problems if not p.is_error]
    if not warnings:
        return Markup("")
    return callout(
        "info",
        "Notes on the data",
        markup("<ul>{}</ul>", join(markup("<li>{}</li>", str(p)) for p in warnings)),
    )
