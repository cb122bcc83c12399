"""Per-touchpoint summary of the scores: medians, spread, disagreement, gap, readiness.

Part of :mod:`kit.analyses.scoring` (see there for how the numbers are made).
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

import pandas as pd

from kit.analyses.journey import ordered_touchpoints
from kit.analyses.scoring.model import (
    DISAGREEMENT_POINTS,
    RATINGS,
    SUMMARY_COLUMNS,
)
from kit.store import cells
from kit.store.schema import KINDS

__all__ = [
    "journey_info",
    "shared_summaries",
    "touchpoint_summary",
    "unscored_touchpoints",
]

_SHARED: ContextVar[dict[tuple[int, int], Any] | None] = ContextVar(
    "touchpoint_summaries", default=None
)


@contextlib.contextmanager
def shared_summaries(store: dict[tuple[int, int], Any]) -> Iterator[dict[tuple[int, int], Any]]:
    """Within the block, :func:`touchpoint_summary` computes each pair of tables once.

    One team report asks for the summary of the same ``scores`` and ``journey`` tables six
    times (the IPA, the priorities, the readiness, their figures); :class:`kit.report.story.Story`
    keeps one ``store`` per team and runs its sections in this block. A summary is found again
    by the identity of the two table objects (the store holds them, so their ids stay theirs),
    and every call gets its own copy. Like the story's other cached analyses, a table changed in
    place afterwards is not seen: the tables are read-only there.

    Parameters
    ----------
    store : dict
        Where the summaries are kept (empty at first; reuse it to keep them between blocks).

    Yields
    ------
    dict
        ``store``.

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["t1"], "scorer": ["Ann"], "importance": [5],
    ...                   "performance": [2], "be": [4], "do": [3], "have": [2]})
    >>> with shared_summaries({}) as store:
    ...     first, again = touchpoint_summary(s), touchpoint_summary(s)
    >>> len(store), first.equals(again), first is again
    (1, True, False)
    """
    token = _SHARED.set(store)
    try:
        yield store
    finally:
        _SHARED.reset(token)


def journey_info(journey: pd.DataFrame | None) -> pd.DataFrame:
    """touchpoint_id -> stage, description, position, moment_of_truth (first row wins)."""
    if journey is None:
        return pd.DataFrame(columns=["stage", "description", "position", "moment_of_truth"])
    ordered = ordered_touchpoints(journey)
    ordered["touchpoint_id"] = ordered["touchpoint_id"].map(cells.text_or_none)
    ordered = ordered[ordered["touchpoint_id"].notna()]
    ordered = ordered.drop_duplicates("touchpoint_id", keep="first")
    return ordered.set_index("touchpoint_id")[
        ["stage", "description", "position", "moment_of_truth"]
    ]


def _weakest(values: dict[str, float]) -> str | None:
    """The kind with the lowest mean; ties go to the earlier of be, do, have."""
    best: str | None = None
    for kind in KINDS:
        value = values[kind]
        if math.isnan(value):
            continue
        if best is None or value < values[best]:
            best = kind
    return best


def touchpoint_summary(scores: pd.DataFrame, journey: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per scored touchpoint: medians, gap, spreads, readiness and disagreement.

    Parameters
    ----------
    scores : pandas.DataFrame
        The workbook's ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table; it gives each touchpoint its stage, description, position and
        moment-of-truth flag, and the row order. Without it rows are sorted by ``touchpoint_id``,
        ``position`` is missing and ``moment_of_truth`` is ``False``.

    Returns
    -------
    pandas.DataFrame
        Columns ``touchpoint_id, stage, description, position, moment_of_truth, scorers,
        importance, performance, gap, importance_spread, performance_spread, be, do, have,
        readiness, weakest, disagreement, disagree_on``.

        ``importance``/``performance`` are medians; ``gap`` = importance - performance;
        spreads are max - min; ``be``/``do``/``have`` are means (NaN when nobody rated them),
        ``readiness`` their mean; ``weakest`` is the kind with the lowest mean — ties go to the
        first of **be, do, have** (mindset comes first in the workshop: fix how people see the
        job before what they do and what they are given) — and is missing when no readiness was
        rated. ``disagreement`` is true when any rating's spread is 2 or more; ``disagree_on``
        names those ratings (``""`` when none). Touchpoints scored but absent from the journey
        come last, by id. Unscored journey touchpoints have no row.

    Examples
    --------
    Two scorers on one touchpoint: importance 5 and 3 (median 4, spread 2: disagreement),
    performance 2 and 2 (median 2), so gap = 4 - 2 = 2; be 4 and 2 (mean 3), do 3 (one scorer),
    have 2 and 4 (mean 3): be, do and have tie at 3, so the weakest is ``be``.

    >>> s = pd.DataFrame({"touchpoint_id": ["t1", "t1"], "scorer": ["Ann", "Bo"],
    ...                   "importance": [5, 3], "performance": [2, 2],
    ...                   "be": [4, 2], "do": [3, None], "have": [2, 4]})
    >>> row = touchpoint_summary(s).iloc[0]
    >>> float(row["importance"]), float(row["gap"]), row["weakest"], row["disagree_on"]
    (4.0, 2.0, 'be', 'importance, be, have')
    """
    store = _SHARED.get()
    if store is None:
        return _summary(scores, journey)
    key = (id(scores), id(journey))
    found = store.get(key)
    if found is None or found[0] is not scores or found[1] is not journey:
        found = store[key] = (scores, journey, _summary(scores, journey))
    return found[2].copy()


def _summary(scores: pd.DataFrame, journey: pd.DataFrame | None) -> pd.DataFrame:
    """:func:`touchpoint_summary`, computed."""
    table = cells.with_columns(scores, "scores")
    for rating in RATINGS:
        table[rating] = pd.to_numeric(table[rating], errors="coerce").astype(float)
    table = table[table["touchpoint_id"].notna()]
    if table.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    table["touchpoint_id"] = table["touchpoint_id"].map(cells.text_or_none)
    # One reduction per statistic over all ratings at once (pandas' overhead is per call), and
    # row loops over plain dicts (pandas' per-cell access costs microseconds a call).
    grouped = table.groupby("touchpoint_id", sort=True)[list(RATINGS)]
    spreads = grouped.max() - grouped.min()
    medians, mean_of = grouped.median(), grouped.mean()
    out = pd.DataFrame({"scorers": grouped.size()})
    out["importance"] = medians["importance"]
    out["performance"] = medians["performance"]
    out["gap"] = out["importance"] - out["performance"]
    out["importance_spread"] = spreads["importance"]
    out["performance_spread"] = spreads["performance"]
    for kind in KINDS:
        out[kind] = mean_of[kind]
    out["readiness"] = out[list(KINDS)].mean(axis=1, skipna=True)
    means = {kind: out[kind].to_dict() for kind in KINDS}
    out["weakest"] = [
        _weakest({kind: float(means[kind][tp]) for kind in KINDS}) for tp in out.index
    ]
    spread = {r: spreads[r].to_dict() for r in RATINGS}
    out["disagree_on"] = [
        ", ".join(r for r in RATINGS if spread[r][tp] >= DISAGREEMENT_POINTS) for tp in out.index
    ]
    out["disagreement"] = out["disagree_on"] != ""

    info = journey_info(journey).to_dict("index")
    missing = {"stage": None, "description": None, "position": math.nan, "moment_of_truth": False}
    rows = [info.get(tp, missing) for tp in out.index]
    out["stage"] = [r["stage"] for r in rows]
    out["description"] = [r["description"] for r in rows]
    out["position"] = [float(r["position"]) for r in rows]
    out["moment_of_truth"] = [cells.flag(r["moment_of_truth"]) for r in rows]
    out = out.rename_axis("touchpoint_id").reset_index()
    out = out.sort_values(["position", "touchpoint_id"], na_position="last", kind="mergesort")
    return out[SUMMARY_COLUMNS].reset_index(drop=True)


def unscored_touchpoints(scores: pd.DataFrame, journey: pd.DataFrame) -> list[str]:
    """Journey touchpoints nobody has scored yet, in journey order.

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame
        The ``journey`` table.

    Returns
    -------
    list of str

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b"], "stage": ["S", "S"], "order": [1, 2],
    ...                   "description": ["x", "y"], "contact": ["direct", "direct"]})
    >>> s = pd.DataFrame({"touchpoint_id": ["a"], "scorer": ["Ann"],
    ...                   "importance": [4], "performance": [3]})
    >>> unscored_touchpoints(s, j)
    ['b']
    """
    scored = {
        cells.text_or_none(tp) for tp in cells.with_columns(scores, "scores")["touchpoint_id"]
    }
    return [
        str(tp)
        for tp in ordered_touchpoints(journey)["touchpoint_id"]
        if cells.text_or_none(tp) is not None and cells.text_or_none(tp) not in scored
    ]
