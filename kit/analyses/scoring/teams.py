"""Across teams: each team's ranking and where the teams agree on what to act on first.

Part of :mod:`kit.analyses.scoring` (see there for how the numbers are made).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from kit.analyses.scoring.model import (
    AGREEMENT_COLUMNS,
    MOT_WEIGHT,
    TEAM_RANK_COLUMNS,
)
from kit.analyses.scoring.priorities import (
    in_top_k,
    priority_ranking,
)
from kit.analyses.scoring.summary import (
    journey_info,
)

__all__ = ["agreement_from_ranks", "team_agreement", "team_ranks"]


def team_ranks(
    team_scores: Mapping[str, pd.DataFrame],
    journey: pd.DataFrame | None = None,
    k: int = 3,
    mot_weight: float = MOT_WEIGHT,
) -> pd.DataFrame:
    """Each team's priority rank of each touchpoint it scored (long form).

    Parameters
    ----------
    team_scores : mapping of str to pandas.DataFrame
        ``{team name: that team's scores table}`` — teams working on the same case.
    journey : pandas.DataFrame, optional
        The case's ``journey`` table.
    k : int
        Size of each team's "top" list (default 3).
    mot_weight : float
        Multiplier for moments of truth.

    Returns
    -------
    pandas.DataFrame
        Columns ``team, touchpoint_id, rank, priority, in_top_k``; teams in the mapping's order,
        each team's rows by rank. ``in_top_k`` follows :func:`top_priorities`: rank <= k and
        priority > 0.

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a", "b"], "scorer": ["Ann"] * 2,
    ...                   "importance": [5, 3], "performance": [2, 3]})
    >>> team_ranks({"Blue": s}, k=1)
       team touchpoint_id  rank  priority  in_top_k
    0  Blue             a     1      15.0      True
    1  Blue             b     2       0.0     False
    """
    frames = []
    for team, scores in team_scores.items():
        ranking = priority_ranking(scores, journey, mot_weight)
        frames.append(
            pd.DataFrame(
                {
                    "team": [team] * len(ranking),
                    "touchpoint_id": list(ranking["touchpoint_id"]),
                    "rank": [int(r) for r in ranking["rank"]],
                    "priority": [float(p) for p in ranking["priority"]],
                    "in_top_k": in_top_k(ranking, k),
                },
                columns=TEAM_RANK_COLUMNS,
            )
        )
    if not frames:
        return pd.DataFrame(columns=TEAM_RANK_COLUMNS)
    return pd.concat(frames, ignore_index=True)[TEAM_RANK_COLUMNS]


def team_agreement(
    team_scores: Mapping[str, pd.DataFrame],
    journey: pd.DataFrame | None = None,
    k: int = 3,
    mot_weight: float = MOT_WEIGHT,
) -> pd.DataFrame:
    """Where teams agree on what to act on, and where they disagree.

    Parameters
    ----------
    team_scores : mapping of str to pandas.DataFrame
        ``{team name: that team's scores table}`` — teams working on the same case.
    journey : pandas.DataFrame, optional
        The case's ``journey`` table.
    k : int
        Size of each team's "top" list (default 3; see :func:`top_priorities`).
    mot_weight : float
        Multiplier for moments of truth.

    Returns
    -------
    pandas.DataFrame
        One row per touchpoint any team scored, columns ``touchpoint_id, stage, description,
        position, teams, teams_top_k, all_top_k, top_k_teams, best_rank, worst_rank, rank_spread,
        mean_rank, mean_priority, priority_spread``: ``teams`` that scored it, how many put it in
        their top ``k`` (``top_k_teams``: their names, comma-separated), ``all_top_k`` when every
        team in the mapping did; rank and priority spreads are max - min across the teams that
        scored it (large = the teams disagree). Sorted by ``all_top_k``, then ``teams_top_k``
        (most first), then ``mean_rank``, journey position and id.

    Examples
    --------
    Blue ranks a (15) then b (4); Green ranks b (8) then a (4). With k = 1 no touchpoint is in
    both top lists; a's ranks are 1 and 2 (spread 1), its priorities 15 and 4 (spread 11).

    >>> blue = pd.DataFrame({"touchpoint_id": ["a", "b"], "scorer": ["Ann"] * 2,
    ...                      "importance": [5, 4], "performance": [2, 3]})
    >>> green = pd.DataFrame({"touchpoint_id": ["a", "b"], "scorer": ["Cy"] * 2,
    ...                       "importance": [4, 4], "performance": [3, 2]})
    >>> t = team_agreement({"Blue": blue, "Green": green}, k=1)
    >>> t[["touchpoint_id", "teams_top_k", "all_top_k", "rank_spread", "priority_spread"]]
      touchpoint_id  teams_top_k  all_top_k  rank_spread  priority_spread
    0             a            1      False            1             11.0
    1             b            1      False            1              4.0
    """
    return agreement_from_ranks(
        team_ranks(team_scores, journey, k, mot_weight), journey, n_teams=len(team_scores)
    )


def agreement_from_ranks(
    ranks: pd.DataFrame, journey: pd.DataFrame | None = None, *, n_teams: int | None = None
) -> pd.DataFrame:
    """:func:`team_agreement` from a :func:`team_ranks` table already computed.

    Parameters
    ----------
    ranks : pandas.DataFrame
        A :func:`team_ranks` result.
    journey : pandas.DataFrame, optional
        The case's ``journey`` table.
    n_teams : int, optional
        How many teams were compared (default: the teams in ``ranks``; pass it when a team
        scored nothing, so ``all_top_k`` still means *every* team).

    Returns
    -------
    pandas.DataFrame
        As :func:`team_agreement`.

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a"], "scorer": ["Ann"],
    ...                   "importance": [5], "performance": [2]})
    >>> ranks = team_ranks({"Blue": s, "Green": s}, k=1)
    >>> agreement_from_ranks(ranks)[["touchpoint_id", "teams_top_k", "all_top_k"]]
      touchpoint_id  teams_top_k  all_top_k
    0             a            2       True
    """
    if ranks.empty:
        return pd.DataFrame(columns=AGREEMENT_COLUMNS)
    if n_teams is None:
        n_teams = int(ranks["team"].nunique())
    info = journey_info(journey)
    rows = []
    for touchpoint, group in ranks.groupby("touchpoint_id", sort=True):
        top = group[group["in_top_k"]]
        known = touchpoint in info.index
        rows.append(
            {
                "touchpoint_id": touchpoint,
                "stage": info.at[touchpoint, "stage"] if known else None,
                "description": info.at[touchpoint, "description"] if known else None,
                "position": float(info.at[touchpoint, "position"]) if known else math.nan,
                "teams": int(group["team"].nunique()),
                "teams_top_k": int(top["team"].nunique()),
                "all_top_k": bool(top["team"].nunique() == n_teams),
                "top_k_teams": ", ".join(str(t) for t in top["team"]),
                "best_rank": int(group["rank"].min()),
                "worst_rank": int(group["rank"].max()),
                "rank_spread": int(group["rank"].max() - group["rank"].min()),
                "mean_rank": float(group["rank"].mean()),
                "mean_priority": float(group["priority"].mean()),
                "priority_spread": float(group["priority"].max() - group["priority"].min()),
            }
        )
    out = pd.DataFrame(rows, columns=AGREEMENT_COLUMNS)
    order = sorted(
        range(len(rows)),
        key=lambda i: (
            not rows[i]["all_top_k"],
            -rows[i]["teams_top_k"],
            rows[i]["mean_rank"],
            pd.isna(rows[i]["position"]),
            0.0 if pd.isna(rows[i]["position"]) else rows[i]["position"],
            str(rows[i]["touchpoint_id"]),
        ),
    )
    return out.iloc[order].reset_index(drop=True)
