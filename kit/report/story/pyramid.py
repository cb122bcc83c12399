"""The pyramid section: roles per level, the chain check's findings, the figure.


Examples
--------
>>> from kit.report.story import Story
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
from kit.report.story.blocks import LEVEL_WORDS, WHERE, callout, missing
from kit.store.schema import LEVELS

__all__ = ["pyramid_figure", "pyramid_roles", "pyramid_text"]


def pyramid_text(story: Any) -> Markup:
    """Roles per level and the chain check's findings, in sentences."""
    from kit.analyses.pyramid import role_reach

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
        # Only the two columns reach needs (kit.analyses.pyramid at 449eacf fails on wider tables).
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
    """The upside-down pyramid with the findings highlighted, as a plain spec (``None``
    without roles)."""
    from kit.figures.pyramid import pyramid_spec

    if story.roles.empty:
        return None
    return pyramid_spec(story.roles, story.serves, check=story.check)


def pyramid_roles(story: Any) -> Markup:
    """Every role with its full name, level and headcount (the chart's labels are cut short).

    A ``<details>`` block under the chart, folded (one click opens it), so the printed report
    stays short; the chart's hover shows each full name too.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> roles = pd.DataFrame({"role_id": ["d", "g", "m"], "level": ["frontline", "customer",
    ...                       "manager"], "name": ["Front desk & concierge agent", "Guest", "GM"],
    ...                       "headcount": [12, None, 1]})
    >>> html = str(pyramid_roles(SimpleNamespace(roles=roles)))
    >>> html.count("<tr>"), "Front desk &amp; concierge agent" in html, "3 roles" in html
    (4, True, True)
    >>> html.index("Guest") < html.index("Front desk") < html.index("GM")
    True
    >>> str(pyramid_roles(SimpleNamespace(roles=roles.iloc[:0])))
    ''
    """
    roles = story.roles
    if roles.empty:
        return Markup("")
    rank = {level: i for i, level in enumerate(LEVELS)}
    ordered = roles.assign(
        _rank=[rank.get(str(v), len(LEVELS)) for v in roles["level"]],
        _name=roles["name"].astype(str).str.lower(),
    ).sort_values(["_rank", "_name"], kind="stable")
    heads = pd.to_numeric(ordered["headcount"], errors="coerce")
    rows = join(
        markup(
            "<tr><td>{}</td><td>{}</td><td style='text-align:right'>{}</td></tr>",
            "" if pd.isna(name) else name,
            LEVEL_WORDS.get(str(level), level),
            "–" if pd.isna(count) else number_text(count, 0),
        )
        for name, level, count in zip(ordered["name"], ordered["level"], heads, strict=True)
    )
    return markup(
        "<details class='servekit-roles'><summary>Every role in full ({})</summary>"
        "<table><thead><tr><th style='text-align:left'>Role</th><th style='text-align:left'>"
        "Level</th><th style='text-align:right'>Headcount"
        "</th></tr></thead><tbody>{}</tbody></table></details>",
        plural(len(roles), "role"),
        rows,
    )
