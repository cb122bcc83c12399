"""Readiness (be/do/have) against performance: a Spearman correlation in plain words.

Part of :mod:`kit.analyses.scoring` (see there for how the numbers are made).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from kit.analyses.scoring.model import (
    MIN_CORRELATION_N,
)
from kit.analyses.scoring.summary import (
    touchpoint_summary,
)

__all__ = ["Correlation", "readiness_vs_performance", "spearman"]


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
