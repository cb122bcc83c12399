"""The run sheet's story and its one-page "before you start" brief, for a facilitator new to it all.

:func:`story_html` tells the case (its summary, to read aloud or to paraphrase as ``case.yaml``
says), the source story behind the method, and the quotations with their credits.
:func:`brief_html` is one page: the method in five sentences, what to prepare, and what can go
wrong in the room. Both speak the case's customer noun. All text is escaped; the only markup
that case data may carry is a ```code``` span (see :func:`inline`).

Examples
--------
>>> from kit.room.casetext import load_case_file
>>> clinic = load_case_file("riverside-clinic")
>>> "patients" in brief_html(clinic) and "Read aloud" in story_html(clinic)
True
>>> str(inline("run `servekit new <dir>` & go"))
'run <code>servekit new &lt;dir&gt;</code> &amp; go'
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from kit.room.casetext import CaseFile

__all__ = ["brief_html", "inline", "method_sentences", "story_html"]

_CODE = re.compile(r"`([^`]+)`")


def inline(text: str) -> Markup:
    """Escape ``text``; turn ```code``` spans into ``<code>`` (no other markup is honoured).

    Examples
    --------
    >>> str(inline("a `<b>` b"))
    'a <code>&lt;b&gt;</code> b'
    """
    out, at = [], 0
    for match in _CODE.finditer(text):
        out.append(escape(text[at : match.start()]))
        out.append(Markup("<code>{}</code>").format(match.group(1)))
        at = match.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


def method_sentences(case: CaseFile) -> list[str]:
    """The method in five sentences, in the case's words (paraphrasing seeds 000, 002, 003).

    Examples
    --------
    >>> from kit.room.casetext import load_case_file
    >>> len(method_sentences(load_case_file("laurie-hospitality")))
    5
    """
    one, many = case.customer.singular, case.customer.plural
    return [
        f"Turn the org chart upside down: {many} on top, the people who meet them just below, "
        f"and every other level, leaders last, serving the level above it.",
        f"Walk one ordinary {one}'s day and list every touchpoint, including the work the "
        f"{one} never sees.",
        "For each touchpoint ask what the people there need to be, to do and to have to serve "
        "well, and who below them provides it.",
        "Score how much each touchpoint matters, how well it goes and how ready the people are, "
        "to see where to act first.",
        "Turn the top priorities into an internal service plan whose owners sit behind the front "
        "line, and check months later whether it worked.",
    ]


PREPARE: tuple[str, ...] = (
    "Create the workshop (`servekit new DIR --case … --starter` for the half-day, without "
    "`--starter` for the full day) and run `servekit guide DIR` again: it warns when the "
    "workshop and the agenda do not match.",
    "Start the room's server (`servekit lab DIR --links`) and print or project `links.html`: "
    "one card per team with its link, a QR code and its exercises.",
    "Open one team's first notebook yourself and choose Run All, so you have seen what the "
    "teams will see.",
    "A projector for the dashboard (`servekit present DIR`), a flipchart for the upside-down "
    "pyramid, and this run sheet printed.",
    "Read the case summary and the source story below once aloud; mark the two or three "
    "facilitator notes you will use.",
)

RISKS: tuple[str, ...] = (
    "A team's editor shows “model not found” or nothing: the notebook was reopened without "
    "running; choose Run All again. Nothing is lost, every edit is already saved.",
    "The first logins take longer than planned: pair a stuck team with one that is in rather "
    "than holding the room.",
    "Scoring overruns: each scorer sets five sliders per touchpoint, so on one laptop the time "
    "adds up per scorer. Score the moments of truth first.",
    "The talk turns into blaming the front line: ask who hired those people and who trains "
    "them, and who gives them what they need.",
    "Someone asks whether the method is proven: the results in the source story are the "
    "author's account of one case, not a study. Say so.",
)


def _list(items: list[str] | tuple[str, ...], tag: str = "ul") -> Markup:
    lis = Markup("").join(Markup("<li>{}</li>").format(inline(i)) for i in items)
    return Markup("<{0}>{1}</{0}>").format(Markup(tag), lis)


def brief_html(case: CaseFile) -> Markup:
    """The one-page "before you start" brief (it prints on a page of its own)."""
    return Markup(
        '<section class="sk-guide-brief"><h2>Before you start</h2>'
        "<p>You do not need to have read the sources: this page and the blocks below are "
        "enough.</p><h3>The method in five sentences</h3>{}"
        "<h3>What to prepare</h3>{}<h3>What can go wrong in the room</h3>{}</section>"
    ).format(_list(method_sentences(case), "ol"), _list(PREPARE), _list(RISKS))


def story_html(case: CaseFile) -> Markup:
    """The case to tell: its summary (read aloud or paraphrased), the source story, the quotes."""
    how = (
        "Read aloud (it is written to be read as it stands)"
        if case.summary_use == "read aloud"
        else "Paraphrase (tell it in your own words)"
    )
    story = Markup("").join(Markup("<p>{}</p>").format(inline(p)) for p in case.story)
    quotes = Markup("").join(
        Markup("<li>“{}” <small>— {}</small></li>").format(q.text, q.credit) for q in case.quotes
    )
    return Markup(
        '<h2>The case and the story behind it</h2><p class="sk-guide-label">{how}: the case</p>'
        '<p class="sk-guide-note">{summary}</p>'
        "<p>The protagonist: {name}, {role}. The {many} are the customers at the top of the "
        "upside-down pyramid.</p>"
        '<p class="sk-guide-label">The source story behind the method (tell it in your own '
        "words)</p>{story}{quotes}"
    ).format(
        how=how,
        summary=inline(case.summary),
        name=case.protagonist.name,
        role=case.protagonist.role,
        many=case.customer.plural,
        story=story,
        quotes=Markup(
            '<p class="sk-guide-label">Quotations, with their credits</p><ul>{}</ul>'
        ).format(quotes)
        if case.quotes
        else Markup(""),
    )
