"""How far each scorer is, and where the scorers disagree most: the projector's live view of a
team scoring from its phones (issue 22).

Pure functions over the ``scores`` and ``journey`` tables, like the rest of
:mod:`kit.analyses.scoring`. A touchpoint's **spread** is the largest of its importance spread
and performance spread (highest minus lowest rating across its scorers, as in
:func:`kit.analyses.scoring.summary.touchpoint_summary`); it needs two scorers or more.

Examples
--------
>>> journey = pd.DataFrame({"touchpoint_id": ["T1", "T2", "T3"]})
>>> scores = pd.DataFrame({"touchpoint_id": ["T1", "T2", "T1", "T9"],
...                        "scorer": ["Ann", "Ann", "Bo", "Bo"],
...                        "importance": [5, 4, 1, 3], "performance": [2, 2, 3, 3]})
>>> scorer_progress(scores, journey)
  scorer  scored  of
0    Ann       2   3
1     Bo       1   3
>>> widest_spreads(scores, journey)[["touchpoint_id", "scorers", "spread"]]
  touchpoint_id  scorers  spread
0            T1        2     4.0

T1: importance 5 and 1 (spread 4), performance 2 and 3 (spread 1), so its spread is 4; T2 has
one scorer and T9 is not in the journey.
"""

from __future__ import annotations

import pandas as pd

from kit.analyses.scoring.summary import touchpoint_summary
from kit.store import cells

__all__ = ["SPREAD_COLUMNS", "scorer_progress", "widest_spreads"]

SPREAD_COLUMNS = [
    "touchpoint_id",
    "description",
    "scorers",
    "importance_spread",
    "performance_spread",
    "spread",
]


def scorer_progress(scores: pd.DataFrame, journey: pd.DataFrame) -> pd.DataFrame:
    """One row per scorer: how many of the journey's touchpoints they have scored.

    Parameters
    ----------
    scores, journey : pandas.DataFrame
        The workbook's tables. Rows for touchpoints no longer in the journey do not count.

    Returns
    -------
    pandas.DataFrame
        Columns ``scorer, scored, of``, most scored first, then by name.

    Examples
    --------
    >>> scorer_progress(pd.DataFrame(columns=["touchpoint_id", "scorer"]),
    ...                 pd.DataFrame({"touchpoint_id": ["T1"]}))
    Empty DataFrame
    Columns: [scorer, scored, of]
    Index: []
    """
    ids = {cells.text(t) for t in journey["touchpoint_id"]}
    rows: dict[str, set[str]] = {}
    for tp, scorer in zip(scores["touchpoint_id"], scores["scorer"], strict=True):
        if cells.text(tp) in ids:
            rows.setdefault(cells.text(scorer), set()).add(cells.text(tp))
        else:
            rows.setdefault(cells.text(scorer), set())
    out = pd.DataFrame(
        [(name, len(done), len(ids)) for name, done in rows.items()],
        columns=["scorer", "scored", "of"],
    )
    return out.sort_values(["scored", "scorer"], ascending=[False, True]).reset_index(drop=True)


def widest_spreads(scores: pd.DataFrame, journey: pd.DataFrame, k: int = 3) -> pd.DataFrame:
    """The ``k`` touchpoints of the journey where scorers disagree most (spread 1 or more).

    Parameters
    ----------
    scores, journey : pandas.DataFrame
        The workbook's tables.
    k : int
        How many to keep.

    Returns
    -------
    pandas.DataFrame
        :data:`SPREAD_COLUMNS`, widest spread first, then in journey order; only touchpoints
        with two scorers or more and a spread above 0.

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["A", "B"], "description": ["Door", "Desk"]})
    >>> s = pd.DataFrame({"touchpoint_id": ["A", "A", "B", "B"], "scorer": ["x", "y", "x", "y"],
    ...                   "importance": [3, 3, 2, 5], "performance": [1, 2, 4, 4]})
    >>> widest_spreads(s, j)[["touchpoint_id", "spread"]].values.tolist()
    [['B', 3.0], ['A', 1.0]]
    """
    summary = touchpoint_summary(scores, journey)
    ids = {cells.text(t) for t in journey["touchpoint_id"]}
    rows = []  # in journey order, as the summary gives them; lists, not pandas (a board's tile)
    for row in summary[SPREAD_COLUMNS[:-1]].to_dict("records"):
        spreads = [v for v in (row["importance_spread"], row["performance_spread"]) if v == v]
        spread = max(spreads) if spreads else float("nan")
        if row["scorers"] >= 2 and row["touchpoint_id"] in ids and spread > 0:
            rows.append({**row, "spread": spread})
    rows.sort(key=lambda r: -r["spread"])  # stable: journey order among equal spreads
    return pd.DataFrame(rows[:k], columns=SPREAD_COLUMNS) if rows else _no_spreads(summary)


def _no_spreads(summary: pd.DataFrame) -> pd.DataFrame:
    """The empty answer of :func:`widest_spreads`, with the columns' types."""
    empty = summary[SPREAD_COLUMNS[:-1]].iloc[:0].copy()
    empty["spread"] = empty[["importance_spread", "performance_spread"]].max(axis=1)
    return empty.reset_index(drop=True)
