"""Priority ranking: where customers get the least of what matters most to them.

Part of :mod:`kit.analyses.scoring` (see there for how the numbers are made).
"""

from __future__ import annotations

import math

import pandas as pd

from kit.analyses.scoring.model import (
    MOT_WEIGHT,
    PRIORITY_COLUMNS,
)
from kit.analyses.scoring.summary import (
    touchpoint_summary,
)

__all__ = [
    "in_top_k",
    "priority_ranking",
    "top_of_ranking",
    "top_priorities",
]


def priority_ranking(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    mot_weight: float = MOT_WEIGHT,
) -> pd.DataFrame:
    """Every scored touchpoint ranked by priority to act on.

    ``priority = max(gap, 0) × importance × weight``, weight = ``mot_weight`` for a moment of truth
    and 1 otherwise: a touchpoint with no gap (performance at or above importance) gets 0;
    otherwise the shortfall counts more when the touchpoint matters more, and more again at a
    moment of truth. Ties are broken by higher importance, then earlier in the journey, then
    ``touchpoint_id``, so the ranking never depends on row order.

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table (moments of truth and journey order come from it).
    mot_weight : float
        Multiplier for moments of truth (must be > 0; default 1.5).

    Returns
    -------
    pandas.DataFrame
        ``rank`` (1 = act first) plus the :func:`touchpoint_summary` columns plus ``weight,
        priority``, sorted by rank.

    Raises
    ------
    ValueError
        When ``mot_weight`` is not a positive number.

    Examples
    --------
    a: gap 5-2 = 3, × 5 = 15. b: gap 4-2 = 2, × 4 = 8, moment of truth × 1.5 = 12.
    c: gap 3-4 < 0, so 0.

    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b", "c"], "stage": ["S"] * 3,
    ...                   "order": [1, 2, 3], "description": ["x", "y", "z"],
    ...                   "contact": ["direct"] * 3, "moment_of_truth": [False, True, False]})
    >>> s = pd.DataFrame({"touchpoint_id": ["a", "b", "c"], "scorer": ["Ann"] * 3,
    ...                   "importance": [5, 4, 3], "performance": [2, 2, 4]})
    >>> priority_ranking(s, j)[["rank", "touchpoint_id", "priority"]]
       rank touchpoint_id  priority
    0     1             a      15.0
    1     2             b      12.0
    2     3             c       0.0
    """
    if isinstance(mot_weight, bool) or not isinstance(mot_weight, int | float):
        raise ValueError("mot_weight must be a positive number")
    if not mot_weight > 0 or math.isinf(mot_weight):
        raise ValueError("mot_weight must be a positive number")
    summary = touchpoint_summary(scores, journey)
    if summary.empty:
        return pd.DataFrame(columns=PRIORITY_COLUMNS)
    out = summary.copy()
    out["weight"] = [float(mot_weight) if m else 1.0 for m in out["moment_of_truth"]]
    out["priority"] = out["gap"].clip(lower=0).fillna(0.0) * out["importance"].fillna(0.0)
    out["priority"] = out["priority"] * out["weight"]
    priority, importance = out["priority"].tolist(), out["importance"].tolist()
    position, ids = out["position"].tolist(), out["touchpoint_id"].tolist()
    keys = sorted(
        range(len(out)),
        key=lambda i: (
            -priority[i],
            -(0.0 if pd.isna(importance[i]) else importance[i]),
            pd.isna(position[i]),
            0.0 if pd.isna(position[i]) else position[i],
            str(ids[i]),
        ),
    )
    out = out.iloc[keys].reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    return out[PRIORITY_COLUMNS]


def top_priorities(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    k: int = 3,
    mot_weight: float = MOT_WEIGHT,
) -> pd.DataFrame:
    """The ``k`` touchpoints to act on first: the top of :func:`priority_ranking` with priority > 0.

    A touchpoint whose performance already meets its importance has priority 0 and is never
    listed, so fewer than ``k`` rows come back when fewer touchpoints have a gap.

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table.
    k : int
        How many to return (default 3).
    mot_weight : float
        Multiplier for moments of truth.

    Returns
    -------
    pandas.DataFrame
        Same columns as :func:`priority_ranking`.

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a", "b"], "scorer": ["Ann"] * 2,
    ...                   "importance": [5, 3], "performance": [4, 4]})
    >>> top_priorities(s)["touchpoint_id"].tolist()
    ['a']
    """
    return top_of_ranking(priority_ranking(scores, journey, mot_weight), k)


def top_of_ranking(ranking: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """The first ``k`` rows of a :func:`priority_ranking` with priority > 0.

    :func:`top_priorities` in one step; this is for callers that already hold the ranking.

    Parameters
    ----------
    ranking : pandas.DataFrame
        A :func:`priority_ranking` result.
    k : int
        How many to return at most.

    Returns
    -------
    pandas.DataFrame
        Same columns as the ranking.

    Examples
    --------
    >>> r = pd.DataFrame({"touchpoint_id": ["a", "b", "c"], "rank": [1, 2, 3],
    ...                   "priority": [9.0, 2.0, 0.0]})
    >>> top_of_ranking(r, k=5)["touchpoint_id"].tolist()
    ['a', 'b']
    """
    if ranking.empty:
        return ranking.reset_index(drop=True)
    return ranking[in_top_k(ranking, k)].reset_index(drop=True)


def in_top_k(ranking: pd.DataFrame, k: int = 3) -> list[bool]:
    """Per row of a :func:`priority_ranking`: is it one of the ``k`` touchpoints to act on?

    The one rule behind :func:`top_priorities`, :func:`team_ranks` and the priority chart:
    rank <= ``k`` and priority > 0 (a touchpoint with no gap is never listed).

    Parameters
    ----------
    ranking : pandas.DataFrame
        A :func:`priority_ranking` result (columns ``rank`` and ``priority``).
    k : int
        Size of the top list.

    Returns
    -------
    list of bool

    Examples
    --------
    >>> r = pd.DataFrame({"rank": [1, 2, 3], "priority": [9.0, 0.0, 0.0]})
    >>> in_top_k(r, k=2)
    [True, False, False]
    """
    return [
        bool(r <= k and p > 0) for r, p in zip(ranking["rank"], ranking["priority"], strict=True)
    ]
