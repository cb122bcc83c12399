"""The needs section: what the people at the top priorities need to be, do and have, and who
provides it, linked to the plan actions that answer each need.

Laurie's method (Shelton, seed 002) asks managers across functions what the employees at each
touchpoint need to *be*, *do* and *have*; the internal service plan then provides it. The report
shows those needs for the team's top-priority touchpoints (:attr:`Story.top`), each with the role
that provides it and the actions of the plan that answer it.

**How an action is linked to a need** is the kit's rule, not the source's: ``plan.csv`` names a
touchpoint and a kind (be/do/have) for each action, so an action answers every need of the same
touchpoint and kind (:func:`needs_for_top`).

Examples
--------
>>> from kit.report.story import Story
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp()); (ws / "teams" / "x").mkdir(parents=True)
>>> "No touchpoint has been scored yet" in needs_text(Story.load(ws, "x"))
True
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from markupsafe import Markup

from kit.formatting import is_missing, join, list_words, markup, plural, shorten
from kit.report.display import table
from kit.report.story.blocks import LEVEL_WORDS, WHERE, callout, missing, tp_label
from kit.store.schema import KINDS

__all__ = ["NEEDS_COLUMNS", "needs_for_top", "needs_text"]

NEEDS_COLUMNS = [
    "rank",
    "touchpoint_id",
    "kind",
    "need",
    "provider_role",
    "provider",
    "provider_level",
    "actions",
]
"""Columns of :func:`needs_for_top`."""


def _text(value: Any) -> str:
    return "" if is_missing(value) else str(value).strip()


def needs_for_top(
    top: pd.DataFrame, needs: pd.DataFrame, plan: pd.DataFrame, roles: pd.DataFrame
) -> pd.DataFrame:
    """The needs of the top-priority touchpoints, each with its provider and answering actions.

    Parameters
    ----------
    top : pandas.DataFrame
        The top priorities (``rank``, ``touchpoint_id``), e.g. :func:`kit.analyses.scoring.top_priorities`.
    needs, plan, roles : pandas.DataFrame
        The team's tables.

    Returns
    -------
    pandas.DataFrame
        :data:`NEEDS_COLUMNS`, in priority order, then be/do/have, then the order of
        ``needs.csv``. ``provider`` is the role's name (its id when the role is unknown, ``""``
        when none is named); ``actions`` is the list of ``action_id`` of the plan rows with the
        same touchpoint and kind.

    Examples
    --------
    >>> top = pd.DataFrame({"rank": [1], "touchpoint_id": ["T5"]})
    >>> needs = pd.DataFrame({"touchpoint_id": ["T5", "T5", "T9"], "kind": ["have", "be", "do"],
    ...                       "need": ["Tablets", "Calm", "Rota"],
    ...                       "provider_role": ["it", None, "fom"]})
    >>> plan = pd.DataFrame({"action_id": ["A1", "A2"], "touchpoint_id": ["T5", "T5"],
    ...                      "kind": ["have", "do"]})
    >>> roles = pd.DataFrame({"role_id": ["it"], "name": ["IT support"], "level": ["support"]})
    >>> needs_for_top(top, needs, plan, roles)[["kind", "need", "provider", "actions"]].values.tolist()
    [['be', 'Calm', '', []], ['have', 'Tablets', 'IT support', ['A1']]]
    """
    names = {
        _text(r): (_text(n), _text(lv))
        for r, n, lv in zip(
            roles.get("role_id", []), roles.get("name", []), roles.get("level", []), strict=True
        )
    }
    answers: dict[tuple[str, str], list[str]] = {}
    for tid, kind, aid in zip(
        plan.get("touchpoint_id", []), plan.get("kind", []), plan.get("action_id", []), strict=True
    ):
        answers.setdefault((_text(tid), _text(kind).lower()), []).append(_text(aid))
    order = {k: i for i, k in enumerate(KINDS)}
    rows = []
    for rank, tid in zip(top["rank"], top["touchpoint_id"], strict=True):
        here = needs[needs["touchpoint_id"].astype(str) == str(tid)] if len(needs) else needs
        listed = sorted(here.itertuples(index=False), key=lambda r: order.get(_text(r.kind), 9))
        for r in listed:
            role = _text(r.provider_role)
            name, level = names.get(role, (role, ""))
            rows.append(
                {
                    "rank": int(rank),
                    "touchpoint_id": str(tid),
                    "kind": _text(r.kind),
                    "need": _text(r.need),
                    "provider_role": role,
                    "provider": name or role,
                    "provider_level": level,
                    "actions": answers.get((str(tid), _text(r.kind)), []),
                }
            )
    return pd.DataFrame(rows, columns=NEEDS_COLUMNS)


def needs_text(story: Any) -> Markup:
    """The be/do/have needs of the top priorities: who provides each, which action answers it."""
    if story.scores.empty:
        return missing(
            "scores",
            "No touchpoint has been scored yet, so there are no top "
            "priorities to show the needs of.",
        )
    top = story.top
    if top.empty:
        return missing("scores", "No top priorities yet.")
    needs = story.wb["needs"]
    found = needs_for_top(top, needs, story.plan, story.roles)
    parts = [
        markup(
            "<p>What the people at the team's {} need to <strong>be</strong>, "
            "<strong>do</strong> and <strong>have</strong>, who provides it, and which "
            "actions of the plan answer it. An action answers the needs of its touchpoint "
            "that have the same kind (be, do or have); that link is the kit's rule, as "
            "the plan names a touchpoint and a kind, not a need.</p>",
            plural(len(top), "top priority", "top priorities"),
        )
    ]
    journey = story.journey.set_index("touchpoint_id") if len(story.journey) else None
    actions = {
        _text(a): _text(t)
        for a, t in zip(story.plan.get("action_id", []), story.plan.get("action", []), strict=True)
    }
    empty_kinds: list[Markup] = []
    for _, row in top.iterrows():
        tid = row["touchpoint_id"]
        desc = (
            journey.at[tid, "description"]
            if journey is not None and tid in journey.index
            else row.get("description")
        )
        parts.append(
            markup(
                "<h4>{}. {}</h4>",
                int(row["rank"]),
                tp_label({"touchpoint_id": tid, "description": desc}),
            )
        )
        mine = found[found["touchpoint_id"] == str(tid)]
        if mine.empty:
            parts.append(markup('<p class="sk-empty">No needs written for {} yet.</p>', tid))
            empty_kinds.append(markup("{} (all three)", tid))
            continue
        rows = [
            {
                "kind": markup(
                    '<span class="nowrap"><span class="sk-tag sk-tag-{}">{}</span></span>',
                    r.kind,
                    r.kind,
                ),
                "need": r.need,
                "provider": (
                    markup(
                        "{} <small>({})</small>",
                        r.provider,
                        LEVEL_WORDS.get(r.provider_level, r.provider_level),
                    )
                    if r.provider and r.provider_level
                    else (r.provider or "—")
                ),
                "actions": (
                    join(
                        (
                            markup("<strong>{}</strong> {}", a, shorten(actions.get(a, ""), 40))
                            for a in r.actions
                        ),
                        Markup("<br>"),
                    )
                    if r.actions
                    else "—"
                ),
            }
            for r in mine.itertuples(index=False)
        ]
        parts.append(
            table(
                rows,
                {
                    "kind": "Kind",
                    "need": "Need",
                    "provider": "Provided by",
                    "actions": "Answered by",
                },
            )
        )
        absent = [k for k in KINDS if k not in set(mine["kind"])]
        if absent:
            empty_kinds.append(markup("{} ({})", tid, list_words(absent)))
    if empty_kinds:
        parts.append(
            callout(
                "missing",
                "Kinds of need not written yet",
                markup(
                    "<p>No need of these kinds yet: {}. Add them with {}.</p>",
                    list_words(empty_kinds),
                    WHERE["needs"][1],
                ),
            )
        )
    unanswered = found[found["actions"].map(len) == 0]
    if len(unanswered) and not story.plan.empty:
        items = [
            markup("{} {}", r.touchpoint_id, r.kind)
            for r in unanswered.drop_duplicates(["touchpoint_id", "kind"]).itertuples(index=False)
        ]
        parts.append(
            callout(
                "finding",
                f"{plural(len(unanswered), 'need')} of the top priorities have no action yet",
                markup("<p>No action of the plan answers the needs at {}.</p>", list_words(items)),
            )
        )
    no_provider = found[found["provider_role"] == ""]
    if len(no_provider):
        parts.append(
            callout(
                "finding",
                f"{plural(len(no_provider), 'need')} without a provider",
                markup(
                    "<p>Name the role that provides: {}. A need nobody provides is a wish.</p>",
                    list_words(
                        [
                            f"{r.touchpoint_id}: {r.need}"
                            for r in no_provider.itertuples(index=False)
                        ]
                    ),
                ),
            )
        )
    providers = found[found["provider_role"] != ""]
    if len(providers):
        below = providers[providers["provider_level"].isin(["support", "manager", "executive"])]
        parts.append(
            markup(
                "<p>{} of {} are provided from below the front line: the people who "
                "serve the servers.</p>",
                len(below),
                plural(len(providers), "need with a provider", "needs with a provider"),
            )
        )
    top_ids = {str(t) for t in top["touchpoint_id"]}
    stray = []
    for a in story.plan.itertuples(index=False):
        tid, kind = _text(a.touchpoint_id), _text(a.kind)
        if (
            tid in top_ids
            and found[(found["touchpoint_id"] == tid) & (found["kind"] == kind)].empty
        ):
            stray.append(markup("{} ({} at {})", a.action_id, kind, tid))
    if stray:
        parts.append(
            callout(
                "info",
                "Actions with no written need",
                markup(
                    "<p>{} answer no need written down for the same touchpoint and "
                    "kind. Write the need in {}, so the plan says what it "
                    "provides.</p>",
                    list_words(stray),
                    WHERE["needs"][1],
                ),
            )
        )
    return join(parts)
