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
    "journey_store",
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
    and every call gets its own copy. Its two parts are kept too: the statistics of a scores
    table (the same whatever the journey) and the order and words of a journey table, so a
    team's scores summarised with its own journey and with the case's are counted once. Like the story's other cached analyses, a table changed in
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
    >>> first.equals(again), first is again
    (True, False)
    >>> len(store)  # the summary; the scores' statistics and the journey's words it is made of
    3
    """
    token = _SHARED.set(store)
    try:
        yield store
    finally:
        _SHARED.reset(token)


def journey_store(journey: pd.DataFrame | None) -> dict[Any, Any]:
    """A store for :func:`shared_summaries` that already holds ``journey``'s order and words.

    A projector board summarises every team's scores against the case's one journey: each
    team's store starts as a copy of this one, so that journey is read once, not once a team.

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["t1"], "stage": ["S"], "order": [1],
    ...                   "description": ["Desk"], "contact": ["direct"]})
    >>> s = pd.DataFrame({"touchpoint_id": ["t1"], "scorer": ["Ann"],
    ...                   "importance": [5], "performance": [2]})
    >>> base = journey_store(j)
    >>> with shared_summaries(dict(base)) as store:
    ...     row = touchpoint_summary(s, j).iloc[0]
    >>> row["description"], len(base), len(store)
    ('Desk', 1, 3)
    """
    store: dict[Any, Any] = {}
    _shared(store, "journey", journey, _journey_words)
    return store


def _journey_words(journey: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    """touchpoint_id -> its stage, description, position and moment_of_truth (first row wins):
    :func:`journey_info` as plain dicts, made from lists (a projector board asks for it once a
    team)."""
    if journey is None:
        return {}
    ordered = ordered_touchpoints(journey)
    if ordered.empty:
        return {}
    words: dict[str, dict[str, Any]] = {}
    columns = ("stage", "description", "position", "moment_of_truth")
    for tp, *values in zip(
        ordered["touchpoint_id"].tolist(), *(ordered[c].tolist() for c in columns), strict=True
    ):
        key = cells.text_or_none(tp)
        if key is not None and key not in words:
            words[key] = dict(zip(columns, values, strict=True))
    return words


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
        found = store[key] = (scores, journey, _summary(scores, journey, store))
    return found[2].copy()


def _shared(store: dict | None, kind: str, table: Any, make: Any) -> Any:
    """``make(table)``, kept in ``store`` (when given) by the identity of ``table``."""
    if store is None:
        return make(table)
    key = (kind, id(table))
    found = store.get(key)
    if found is None or found[0] is not table:
        found = store[key] = (table, make(table))
    return found[1]


def _summary(
    scores: pd.DataFrame, journey: pd.DataFrame | None, store: dict | None = None
) -> pd.DataFrame:
    """:func:`touchpoint_summary`, computed: the statistics of ``scores`` (the same whatever the
    journey: a board's tile asks for them with the team's journey and with the case's), then
    the journey's order and words. With ``store`` (:func:`shared_summaries`), each part is
    computed once per table."""
    stats = _shared(store, "stats", scores, _stats)
    if stats is None:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    info = _shared(store, "journey", journey, _journey_words)
    missing = {"stage": None, "description": None, "position": math.nan, "moment_of_truth": False}
    ids = stats.index.tolist()
    rows = [info.get(tp, missing) for tp in ids]
    columns = {"touchpoint_id": ids} | {c: stats[c].tolist() for c in stats.columns}
    columns["stage"] = [r["stage"] for r in rows]
    columns["description"] = [r["description"] for r in rows]
    columns["position"] = [float(r["position"]) for r in rows]
    columns["moment_of_truth"] = [cells.flag(r["moment_of_truth"]) for r in rows]
    # journey order; touchpoints absent from the journey last, by id (ids are sorted already)
    position = columns["position"]
    order = sorted(
        range(len(ids)),
        key=lambda i: (math.isnan(position[i]), 0.0 if math.isnan(position[i]) else position[i]),
    )
    return pd.DataFrame(
        {c: [columns[c][i] for i in order] for c in SUMMARY_COLUMNS}, columns=SUMMARY_COLUMNS
    )


def _stats(scores: pd.DataFrame) -> pd.DataFrame | None:
    """Per scored touchpoint (the index, sorted): scorers, medians, gap, spreads, means,
    readiness, weakest, disagreement (``None`` when nothing is scored).

    A loop over plain lists: a team scores a few dozen rows, and pandas' group-by costs more
    in its own overhead than the arithmetic (5 ms a team, a tenth of a projector tile). The
    numbers are pandas' own to the last bit (``tests/test_scoring.py`` checks them against its
    group-by): a median of an even count is the mean of the middle two, a mean is of the
    ratings given, a spread is max - min, readiness the mean of the be/do/have means given.
    """
    table = cells.with_columns(scores, "scores")
    ratings = {r: pd.to_numeric(table[r], errors="coerce").astype(float).tolist() for r in RATINGS}
    groups: dict[str, list[int]] = {}
    for row, value in enumerate(table["touchpoint_id"].tolist()):
        key = cells.text_or_none(value)
        if key is not None:
            groups.setdefault(key, []).append(row)
    if not groups:
        return None
    ids = sorted(groups)
    columns: dict[str, list[Any]] = {"scorers": [len(groups[tp]) for tp in ids]}
    median: dict[str, list[float]] = {r: [] for r in RATINGS}
    spread: dict[str, list[float]] = {r: [] for r in RATINGS}
    mean: dict[str, list[float]] = {r: [] for r in KINDS}
    for tp in ids:
        for rating, values in ratings.items():
            given = sorted(v for v in (values[row] for row in groups[tp]) if not math.isnan(v))
            half = len(given) // 2
            if not given:
                median[rating].append(math.nan)
                spread[rating].append(math.nan)
            else:
                middle = given[half] if len(given) % 2 else (given[half - 1] + given[half]) / 2
                median[rating].append(middle)
                spread[rating].append(given[-1] - given[0])
            if rating in mean:
                mean[rating].append(math.fsum(given) / len(given) if given else math.nan)
    columns["importance"] = median["importance"]
    columns["performance"] = median["performance"]
    columns["gap"] = [
        i - p for i, p in zip(median["importance"], median["performance"], strict=True)
    ]
    columns["importance_spread"] = spread["importance"]
    columns["performance_spread"] = spread["performance"]
    readiness, weakest, disagree_on = [], [], []
    for n in range(len(ids)):
        kinds = {kind: mean[kind][n] for kind in KINDS}
        given = [v for v in kinds.values() if not math.isnan(v)]
        total = 0.0
        for value in given:  # left to right, as numpy sums a row
            total += value
        readiness.append(total / len(given) if given else math.nan)
        weakest.append(_weakest(kinds))
        disagree_on.append(", ".join(r for r in RATINGS if spread[r][n] >= DISAGREEMENT_POINTS))
    columns |= {kind: mean[kind] for kind in KINDS}
    columns |= {"readiness": readiness, "weakest": weakest, "disagree_on": disagree_on}
    columns["disagreement"] = [text != "" for text in disagree_on]
    return pd.DataFrame(columns, index=pd.Index(ids, name="touchpoint_id"))


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
