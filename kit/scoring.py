"""Scoring analyses: gaps, Importance-Performance Analysis, priorities, readiness, agreement.

Pure functions over the workbook's ``scores`` table (one row per touchpoint and scorer:
``importance`` and ``performance`` on 1-5, readiness ``be``/``do``/``have`` on 1-5 or missing),
optionally joined with the ``journey`` table for order, stage, description and moments of truth.
No I/O, no widgets, inputs never changed; empty tables give empty, correctly shaped results.

How the numbers are made (all on the per-touchpoint summary of :func:`touchpoint_summary`):

* importance and performance of a touchpoint are the **medians** across its scorers (robust to one
  scorer who rates everything 1 or 5; with an even number of scorers a median may be x.5);
* ``gap = importance - performance`` (so -4..4; positive = customers get less than it matters);
* readiness ``be``/``do``/``have`` are **means** across scorers who gave them; ``readiness`` is the
  mean of the available three;
* scorers **disagree** on a touchpoint when, on any of the five ratings, the highest and lowest
  differ by :data:`DISAGREEMENT_POINTS` (2) or more;
* ``priority = max(gap, 0) × importance × weight`` where weight is ``mot_weight`` (default 1.5) for
  a moment of truth and 1 otherwise (0..30 with the defaults).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from kit import cells
from kit.journey import ordered_touchpoints
from kit.schema import KINDS

MIDPOINT: float = 3.0
"""Middle of the 1-5 rating scales: "neither high nor low"."""

DISAGREEMENT_POINTS: int = 2
"""Scorers disagree when their highest and lowest rating differ by this much or more."""

MIN_CORRELATION_N: int = 5
"""Below this many touchpoints a correlation comes with a warning."""

MOT_WEIGHT: float = 1.5
"""Default priority multiplier of a moment of truth."""

CONCENTRATE = "Concentrate here"
KEEP_UP = "Keep up the good work"
LOW_PRIORITY = "Low priority"
OVERKILL = "Possible overkill"
QUADRANTS: tuple[str, ...] = (CONCENTRATE, KEEP_UP, LOW_PRIORITY, OVERKILL)
"""Martilla & James (1977) quadrant names."""
ON_LINE = "On the line"
"""A touchpoint exactly on a crosshair line: in no quadrant (see :func:`ipa`)."""
CATEGORIES: tuple[str, ...] = (*QUADRANTS, ON_LINE)
"""Every value of ``ipa()["quadrant"]``: the four quadrants, then :data:`ON_LINE`."""
ON_LINE_RULE = ("On the line: importance or performance exactly at the crosshair. Such a "
                "touchpoint is in no quadrant (one rating more would tip it either way), so it "
                "is neither “performing below par” nor “keep up”: talk it through.")
"""The rule for on-the-line touchpoints, in words for reports and charts."""

RATINGS: tuple[str, ...] = ("importance", "performance", *KINDS)

SUMMARY_COLUMNS: list[str] = [
    "touchpoint_id",
    "stage",
    "description",
    "position",
    "moment_of_truth",
    "scorers",
    "importance",
    "performance",
    "gap",
    "importance_spread",
    "performance_spread",
    "be",
    "do",
    "have",
    "readiness",
    "weakest",
    "disagreement",
    "disagree_on",
]
IPA_COLUMNS: list[str] = SUMMARY_COLUMNS + [
    "quadrant",
    "high_importance",
    "high_performance",
    "on_line",
    "crosshair_importance",
    "crosshair_performance",
]
PRIORITY_COLUMNS: list[str] = ["rank"] + SUMMARY_COLUMNS + ["weight", "priority"]
TEAM_RANK_COLUMNS: list[str] = [
    "team",
    "touchpoint_id",
    "rank",
    "priority",
    "in_top_k",
]
AGREEMENT_COLUMNS: list[str] = [
    "touchpoint_id",
    "stage",
    "description",
    "position",
    "teams",
    "teams_top_k",
    "all_top_k",
    "top_k_teams",
    "best_rank",
    "worst_rank",
    "rank_spread",
    "mean_rank",
    "mean_priority",
    "priority_spread",
]

Crosshair = Literal["midpoint", "mean"]


# --------------------------------------------------------------------------- per touchpoint


def _journey_info(journey: pd.DataFrame | None) -> pd.DataFrame:
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
    out["weakest"] = [_weakest({kind: float(means[kind][tp]) for kind in KINDS})
                      for tp in out.index]
    spread = {r: spreads[r].to_dict() for r in RATINGS}
    out["disagree_on"] = [
        ", ".join(r for r in RATINGS if spread[r][tp] >= DISAGREEMENT_POINTS) for tp in out.index
    ]
    out["disagreement"] = out["disagree_on"] != ""

    info = _journey_info(journey).to_dict("index")
    missing = {"stage": None, "description": None, "position": math.nan,
               "moment_of_truth": False}
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
    scored = {cells.text_or_none(tp) for tp in cells.with_columns(scores, "scores")["touchpoint_id"]}
    return [
        str(tp)
        for tp in ordered_touchpoints(journey)["touchpoint_id"]
        if cells.text_or_none(tp) is not None and cells.text_or_none(tp) not in scored
    ]


# --------------------------------------------------------------------------- IPA


def crosshair_point(
    summary: pd.DataFrame, crosshair: Crosshair = "midpoint"
) -> tuple[float, float]:
    """Where the IPA crosshair sits: ``(importance, performance)``.

    Parameters
    ----------
    summary : pandas.DataFrame
        A :func:`touchpoint_summary` table.
    crosshair : {"midpoint", "mean"}
        ``"midpoint"``: the scale's middle, 3 on both axes. ``"mean"``: the mean of the
        touchpoints' median importance and of their median performance (falls back to 3 when
        there are no touchpoints).

    Returns
    -------
    tuple of float

    Raises
    ------
    ValueError
        For any other ``crosshair``.

    Examples
    --------
    >>> summary = pd.DataFrame({"importance": [5.0, 4.0], "performance": [2.0, 3.0]})
    >>> crosshair_point(summary), crosshair_point(summary, "mean")
    ((3.0, 3.0), (4.5, 2.5))
    """
    if crosshair == "midpoint":
        return (MIDPOINT, MIDPOINT)
    if crosshair == "mean":
        importance = pd.to_numeric(summary["importance"], errors="coerce").mean()
        performance = pd.to_numeric(summary["performance"], errors="coerce").mean()
        return (
            MIDPOINT if pd.isna(importance) else float(importance),
            MIDPOINT if pd.isna(performance) else float(performance),
        )
    raise ValueError(f'crosshair must be "midpoint" or "mean", not {crosshair!r}')


def quadrant(importance: float, performance: float, crosshair: tuple[float, float]) -> str | None:
    """Martilla & James quadrant of one point; see :func:`ipa` for the rule on the lines.

    Parameters
    ----------
    importance, performance : float
        The point (medians on 1-5).
    crosshair : tuple of float
        ``(importance, performance)`` of the crosshair.

    Returns
    -------
    str or None
        One of :data:`QUADRANTS`, or :data:`ON_LINE` when the point sits exactly on a line;
        ``None`` when a coordinate is missing.

    Examples
    --------
    >>> quadrant(5, 2, (3, 3)), quadrant(3, 3, (3, 3)), quadrant(2, 4, (3, 3))
    ('Concentrate here', 'On the line', 'Possible overkill')
    >>> quadrant(5, 3, (3, 3))
    'On the line'
    """
    if pd.isna(importance) or pd.isna(performance):
        return None
    if importance == crosshair[0] or performance == crosshair[1]:
        return ON_LINE
    high_importance = importance > crosshair[0]
    high_performance = performance > crosshair[1]
    if high_importance:
        return KEEP_UP if high_performance else CONCENTRATE
    return OVERKILL if high_performance else LOW_PRIORITY


def ipa(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    crosshair: Crosshair = "midpoint",
) -> pd.DataFrame:
    """Importance-Performance Analysis: each touchpoint's Martilla & James quadrant.

    Quadrants (importance up, performance across): **Concentrate here** (high importance, low
    performance), **Keep up the good work** (high, high), **Low priority** (low, low) and
    **Possible overkill** (low importance, high performance).

    The default crosshair is the scale midpoint (3, 3), not the data means, because in a workshop
    (a) the quadrant of a touchpoint must not jump when the team adds or rescores *another*
    touchpoint, (b) teams are compared with each other in the synthesis, which only makes sense
    against the same fixed line, and (c) "3" has a meaning scorers understand ("neither high nor
    low"). Use ``crosshair="mean"`` when ratings crowd at one end of the scale (everything 4-5)
    and a relative split is wanted.

    **Exactly on a line** (importance or performance equal to the crosshair), a touchpoint is in
    no quadrant: its ``quadrant`` is :data:`ON_LINE` ("On the line"). A performance of exactly 3
    is not "below par", and an importance of exactly 3 is not "important", so such a touchpoint
    is neither sent to "Concentrate here" nor praised; one more rating would tip it either way,
    which makes it one to talk through (:data:`ON_LINE_RULE`). Its priority is unaffected.

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table (order, stage, description, moments of truth).
    crosshair : {"midpoint", "mean"}
        Where the lines go; see :func:`crosshair_point`.

    Returns
    -------
    pandas.DataFrame
        The :func:`touchpoint_summary` columns plus ``quadrant, high_importance,
        high_performance, on_line, crosshair_importance, crosshair_performance``
        (``high_*`` are strictly above the line; ``on_line`` is true exactly when ``quadrant``
        is :data:`ON_LINE`).

    Examples
    --------
    Importance 5 / performance 2 is "Concentrate here"; 4/4 "Keep up the good work"; 2/2 "Low
    priority"; 2/5 "Possible overkill"; 4/3 sits on the performance line. With ``"mean"`` the
    lines are at (17/5, 16/5) = (3.4, 3.2).

    >>> s = pd.DataFrame({"touchpoint_id": ["a", "b", "c", "d", "e"], "scorer": ["Ann"] * 5,
    ...                   "importance": [5, 4, 2, 2, 4], "performance": [2, 4, 2, 5, 3]})
    >>> ipa(s)["quadrant"].tolist()[:3]
    ['Concentrate here', 'Keep up the good work', 'Low priority']
    >>> ipa(s)["quadrant"].tolist()[3:]
    ['Possible overkill', 'On the line']
    >>> float(ipa(s, crosshair="mean")["crosshair_importance"].iloc[0])
    3.4
    """
    summary = touchpoint_summary(scores, journey)
    line_importance, line_performance = crosshair_point(summary, crosshair)
    out = summary.copy()
    out["quadrant"] = [
        quadrant(i, p, (line_importance, line_performance))
        for i, p in zip(out["importance"], out["performance"], strict=True)
    ]
    out["high_importance"] = out["importance"] > line_importance
    out["high_performance"] = out["performance"] > line_performance
    out["on_line"] = out["quadrant"] == ON_LINE
    out["crosshair_importance"] = line_importance
    out["crosshair_performance"] = line_performance
    return out[IPA_COLUMNS]


# --------------------------------------------------------------------------- priorities


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
    return [bool(r <= k and p > 0)
            for r, p in zip(ranking["rank"], ranking["priority"], strict=True)]


# --------------------------------------------------------------------------- readiness


@dataclass(frozen=True)
class Correlation:
    """A rank correlation with its plain-language reading.

    Attributes
    ----------
    n : int
        Touchpoints used (those with both values).
    rho : float
        Spearman's rho (NaN when it cannot be computed).
    reading : str
        What it means, in one or two sentences.
    warning : str or None
        Why not to lean on it (too few touchpoints, no variation), if any.
    """

    n: int
    rho: float
    reading: str
    warning: str | None = None


def spearman(x: pd.Series, y: pd.Series) -> float:
    """Spearman's rank correlation: the Pearson correlation of the average ranks.

    Parameters
    ----------
    x, y : pandas.Series
        Paired values (same length); pairs with a missing value are dropped.

    Returns
    -------
    float
        -1..1; NaN with fewer than 2 pairs or when either side has no variation.

    Examples
    --------
    >>> spearman(pd.Series([1, 2, 3, 4]), pd.Series([10, 20, 30, 45]))
    1.0
    >>> spearman(pd.Series([1, 2, 3]), pd.Series([3, 3, 3]))
    nan
    """
    pairs = pd.DataFrame(
        {
            "x": pd.to_numeric(pd.Series(list(x)), errors="coerce"),
            "y": pd.to_numeric(pd.Series(list(y)), errors="coerce"),
        }
    ).dropna()
    if len(pairs) < 2:
        return math.nan
    rx = pairs["x"].rank(method="average")
    ry = pairs["y"].rank(method="average")
    dx, dy = rx - rx.mean(), ry - ry.mean()
    denominator = math.sqrt(float((dx * dx).sum()) * float((dy * dy).sum()))
    if denominator == 0:
        return math.nan
    rho = float((dx * dy).sum()) / denominator
    return max(-1.0, min(1.0, round(rho, 12)))


def _strength(rho: float) -> str:
    size = abs(rho)
    if size < 0.1:
        return "no clear"
    if size < 0.3:
        return "a weak"
    if size < 0.5:
        return "a moderate"
    return "a strong"


def readiness_vs_performance(
    scores: pd.DataFrame, journey: pd.DataFrame | None = None
) -> Correlation:
    """Do touchpoints where employees are readier (be/do/have) perform better for the customer?

    Spearman's rho across touchpoints between ``readiness`` (mean of be/do/have) and median
    ``performance`` (:func:`touchpoint_summary`); touchpoints without readiness ratings are left
    out. Both come from the same scorers, so a link is a prompt for discussion, not proof that
    readiness causes performance. Strength words: |rho| < 0.1 no clear, < 0.3 weak, < 0.5
    moderate, otherwise strong.

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        Not needed for the number; accepted for a uniform call.

    Returns
    -------
    Correlation
        ``warning`` is set when fewer than :data:`MIN_CORRELATION_N` (5) touchpoints are used or
        when readiness or performance does not vary (then ``rho`` is NaN).

    Examples
    --------
    Readiness 1, 2, 3, 4, 5 against performance 2, 1, 3, 4, 5: ranks differ only in the first
    two, sum d² = 2, rho = 1 - 6·2 / (5·24) = 0.9.

    >>> s = pd.DataFrame({"touchpoint_id": list("abcde"), "scorer": ["Ann"] * 5,
    ...                   "importance": [5] * 5, "performance": [2, 1, 3, 4, 5],
    ...                   "be": [1, 2, 3, 4, 5], "do": [1, 2, 3, 4, 5], "have": [1, 2, 3, 4, 5]})
    >>> result = readiness_vs_performance(s)
    >>> result.n, round(result.rho, 3), result.warning
    (5, 0.9, None)
    >>> result.reading.startswith("A strong positive link")
    True
    """
    summary = touchpoint_summary(scores, journey)
    used = summary[summary["readiness"].notna() & summary["performance"].notna()]
    n = len(used)
    if n == 0:
        return Correlation(
            0,
            math.nan,
            "No touchpoint has both readiness (be/do/have) and performance scores yet.",
            "Score readiness on at least 5 touchpoints to compare it with performance.",
        )
    rho = spearman(used["readiness"], used["performance"])
    if math.isnan(rho):
        flat = []
        if used["readiness"].nunique() <= 1:
            flat.append("readiness")
        if used["performance"].nunique() <= 1:
            flat.append("performance")
        what = " and ".join(flat) or "the scores"
        return Correlation(
            n,
            math.nan,
            f"Every touchpoint has the same {what}, so there is nothing to compare.",
            f"No variation in {what}: a correlation cannot be computed.",
        )
    direction = "positive" if rho > 0 else "negative"
    figures = f"(Spearman rho = {rho:.2f}, {n} touchpoints)"
    if abs(rho) < 0.1:
        reading = (
            "No clear link: how ready employees are says little about how well the touchpoint "
            f"performs for the customer {figures}."
        )
    elif rho > 0:
        reading = (
            f"{_strength(rho).capitalize()} {direction} link: where employees are readier, the "
            f"touchpoint tends to perform better for the customer {figures}."
        )
    else:
        reading = (
            f"{_strength(rho).capitalize()} {direction} link: where employees are readier, the "
            f"touchpoint tends to perform worse for the customer — worth a closer look {figures}."
        )
    warning = None
    if n < MIN_CORRELATION_N:
        warning = (
            f"Only {n} touchpoint{'s' if n != 1 else ''}: too few for a reliable correlation "
            f"(at least {MIN_CORRELATION_N}); read it as a conversation starter."
        )
    return Correlation(n, rho, reading, warning)


# --------------------------------------------------------------------------- across teams


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
    return agreement_from_ranks(team_ranks(team_scores, journey, k, mot_weight), journey,
                                n_teams=len(team_scores))


def agreement_from_ranks(ranks: pd.DataFrame, journey: pd.DataFrame | None = None, *,
                         n_teams: int | None = None) -> pd.DataFrame:
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
    info = _journey_info(journey)
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
