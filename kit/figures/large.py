"""Charts of very large teams: show the touchpoints that matter most, and say so.

A team that maps a whole stay in detail can have hundreds of touchpoints; drawn one by one, its
journey map, blueprint and readiness chart have unreadable labels and take a browser tens of
seconds to draw (issue 16). Above :data:`LIMIT` touchpoints those figures draw a selection
(:func:`shown_touchpoints`: every moment of truth, then the strongest feelings, in journey order)
and their title says how many of how many are shown (:func:`note_title`). Teams of normal size
are drawn exactly as before.

Examples
--------
>>> import pandas as pd
>>> j = pd.DataFrame({"touchpoint_id": [f"T{i}" for i in range(100)], "order": range(100),
...                   "emotion": [i % 5 - 2 for i in range(100)],
...                   "moment_of_truth": [i == 50 for i in range(100)]})
>>> shown, note = shown_touchpoints(j, limit=10)
>>> len(shown), "T50" in set(shown["touchpoint_id"]), note
(10, True, 'showing 10 of 100 touchpoints: every moment of truth, then the strongest feelings')
>>> shown_touchpoints(j.head(5), limit=10)[1]
''
"""

from __future__ import annotations

import textwrap
from typing import Any

import pandas as pd

__all__ = [
    "BLUEPRINT_LIMIT",
    "LIMIT",
    "note_title",
    "only_touchpoints",
    "shown_touchpoints",
    "stage_summary",
]

LIMIT = 40
"""Most touchpoints a journey map or a readiness chart draws one by one."""
BLUEPRINT_LIMIT = 16
"""Most touchpoint columns of a blueprint (each names the roles acting in four lanes)."""


def _flag(value: Any) -> bool:
    return (
        str(value).strip().lower() in ("true", "1", "yes") if not isinstance(value, bool) else value
    )


def shown_touchpoints(journey: pd.DataFrame, limit: int = LIMIT) -> tuple[pd.DataFrame, str]:
    """The rows of ``journey`` to draw and a note; all rows and ``""`` up to ``limit`` rows.

    Above ``limit``: every moment of truth first, then the touchpoints with the strongest
    feelings (largest ``|emotion|``), then the journey's order; kept in their original order.
    """
    if journey is None or len(journey) <= limit:
        return journey, ""
    ranked = pd.DataFrame(
        {
            "mot": [
                not _flag(v)
                for v in journey.get("moment_of_truth", pd.Series(False, index=journey.index))
            ],
            "feel": -pd.to_numeric(
                journey.get("emotion", pd.Series(0, index=journey.index)), errors="coerce"
            )
            .fillna(0)
            .abs(),
            "pos": range(len(journey)),
        },
        index=journey.index,
    ).sort_values(["mot", "feel", "pos"], kind="stable")
    keep = sorted(ranked.index[:limit], key=lambda i: ranked.at[i, "pos"])
    note = (
        f"showing {limit} of {len(journey)} touchpoints: every moment of truth, then the "
        f"strongest feelings"
    )
    return journey.loc[keep], note


def stage_summary(journey: pd.DataFrame, limit: int = LIMIT) -> tuple[pd.DataFrame, str]:
    """Above ``limit`` touchpoints, one row per stage (its average feeling); else the journey.

    Each stage row is a touchpoint-shaped record (id ``S1``, ``S2``… in stage order) whose
    emotion is the stage's mean rounded to a whole step, whose contact is the stage's usual one
    and whose description counts its touchpoints and moments of truth, so the journey map
    draws it like any journey.

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b", "c"], "stage": ["In", "In", "Out"],
    ...                   "order": [1, 2, 3], "description": ["x", "y", "z"],
    ...                   "contact": ["direct", "direct", "indirect"], "emotion": [2, 1, -2],
    ...                   "moment_of_truth": [True, False, False]})
    >>> rows, note = stage_summary(j, limit=2)
    >>> rows[["touchpoint_id", "stage", "emotion", "contact"]].values.tolist(), note
    ([['S1', 'In', 2, 'direct'], ['S2', 'Out', -2, 'indirect']], 'average feeling per stage (3 touchpoints in 2 stages)')
    >>> rows["description"].tolist()[0]
    '2 touchpoints, 1 moment of truth'
    """
    from kit.analyses.journey import ordered_touchpoints

    if journey is None or len(journey) <= limit:
        return journey, ""
    ordered = ordered_touchpoints(journey)
    rows = []
    for number, (_stage, group) in enumerate(ordered.groupby("stage_order", sort=True), start=1):
        feel = pd.to_numeric(group["emotion"], errors="coerce").fillna(0)
        moments = int(group["moment_of_truth"].map(_flag).sum())
        direct = (group["contact"].astype(str).str.lower() == "direct").sum()
        rows.append(
            {
                "touchpoint_id": f"S{number}",
                "stage": group["stage"].iloc[0],
                "order": number,
                "time": None,
                "description": f"{len(group)} touchpoints, {moments} moment"
                f"{'' if moments == 1 else 's'} of truth",
                "channel": None,
                "contact": "direct" if direct * 2 >= len(group) else "indirect",
                "role_id": None,
                "emotion": int(max(-2, min(2, round(float(feel.mean()))))),
                "moment_of_truth": False,
            }
        )
    note = (
        f"average feeling per stage ({len(journey)} touchpoints in {len(rows)} "
        f"stage{'' if len(rows) == 1 else 's'})"
    )
    return pd.DataFrame(rows), note


def only_touchpoints(table: pd.DataFrame | None, shown: pd.DataFrame) -> pd.DataFrame | None:
    """Rows of ``table`` (scores, needs…) whose ``touchpoint_id`` is in ``shown``."""
    if table is None or "touchpoint_id" not in table:
        return table
    return table[table["touchpoint_id"].astype(str).isin(set(shown["touchpoint_id"].astype(str)))]


def note_title(figure: Any, note: str) -> Any:
    """Add ``note`` under the title of a figure (or plain spec); nothing when ``note`` is empty.

    Examples
    --------
    >>> note_title({"layout": {"title": {"text": "Journey"}}}, "10 of 90")["layout"]["title"]
    {'text': 'Journey<br><sup>10 of 90</sup>'}
    """
    if not note:
        return figure
    layout = figure["layout"] if isinstance(figure, dict) else figure.layout
    title = layout["title"] if isinstance(layout, dict) else layout.title
    text = (title.get("text") if isinstance(title, dict) else title.text) or ""
    sup = f"<sup>{note[0].upper()}{note[1:]}</sup>"
    # On a phone-wide chart (the compact variant) the note goes on lines of at most 48 characters.
    narrow = "<br>".join(
        f"<sup>{line}</sup>" for line in textwrap.wrap(f"{note[0].upper()}{note[1:]}", 48)
    )
    full = f"{text}<br>{sup}" if text else note
    if isinstance(title, dict):
        title["text"] = full
    else:
        title.text = full
    meta = layout.get("meta") if isinstance(layout, dict) else layout.meta
    variants = (meta or {}).get("servekit") if isinstance(meta, dict) else None
    if variants:  # a figure with a phone variant (kit.figures.responsive): note both
        for name in ("wide", "compact"):
            shown = ((variants.get(name) or {}).get("layout") or {}).get("title")
            if isinstance(shown, dict) and shown.get("text"):
                shown["text"] = f"{shown['text']}<br>{narrow if name == 'compact' else sup}"
                margin = (variants[name].get("layout") or {}).get("margin")
                if name == "compact" and isinstance(margin, dict) and margin.get("t"):
                    margin["t"] += 18 * (narrow.count("<br>") + 1)  # room for the note
        if not isinstance(layout, dict):
            layout.meta = meta
    return figure
