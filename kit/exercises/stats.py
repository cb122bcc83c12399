"""Small statistics for the exercises: a Pareto table and a correlation with its interval.

NumPy and the standard library only (SciPy is not a dependency of the kit).

Examples
--------
>>> pareto(["a", "b", "a", "c", "a", "b"])[["issue", "count", "cumulative"]].values.tolist()
[['a', 3, 0.5], ['b', 2, 0.8333], ['c', 1, 1.0]]
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pandas as pd

__all__ = [
    "Interval",
    "bootstrap_ci",
    "correlation_ci",
    "pareto",
    "vital_few",
]


def pareto(issues: Iterable[str]) -> pd.DataFrame:
    """Count issues, most frequent first, with each one's share and the running share.

    Ties are broken by name, so the table never depends on the order of the log. Shares are
    rounded to 4 decimals.

    Parameters
    ----------
    issues : iterable of str
        One issue label per log entry.

    Returns
    -------
    pandas.DataFrame
        ``issue, count, share, cumulative``.

    Examples
    --------
    >>> pareto([]).columns.tolist()
    ['issue', 'count', 'share', 'cumulative']
    """
    counts = Counter(issues)
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    rows, running = [], 0
    for issue, count in ordered:
        running += count
        rows.append(
            {
                "issue": issue,
                "count": count,
                "share": round(count / total, 4),
                "cumulative": round(running / total, 4),
            }
        )
    return pd.DataFrame(rows, columns=["issue", "count", "share", "cumulative"])


def vital_few(table: pd.DataFrame, threshold: float = 0.8) -> list[str]:
    """The fewest top issues of a :func:`pareto` table that together reach ``threshold``.

    Examples
    --------
    >>> vital_few(pareto(["a", "b", "a", "c", "a", "b"]), 0.8)
    ['a', 'b']
    """
    chosen = []
    for issue, cumulative in zip(table["issue"], table["cumulative"], strict=True):
        chosen.append(issue)
        if cumulative >= threshold - 1e-9:
            break
    return chosen


@dataclass(frozen=True)
class Interval:
    """A correlation ``r`` of ``n`` pairs with its confidence interval ``low``..``high``."""

    r: float
    low: float
    high: float
    n: int
    level: float
    method: str

    def text(self) -> str:
        """One plain sentence.

        Examples
        --------
        >>> Interval(0.5, 0.16, 0.74, 28, 0.95, "Fisher z").text()
        'r = 0.50 over 28 units; 95% interval 0.16 to 0.74 (Fisher z).'
        """
        return (
            f"r = {self.r:.2f} over {self.n} units; {self.level:.0%} interval "
            f"{self.low:.2f} to {self.high:.2f} ({self.method})."
        )


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    return float(np.corrcoef(x, y)[0, 1])


def _pairs(x: Iterable[float], y: Iterable[float]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = np.asarray(list(x), dtype=float), np.asarray(list(y), dtype=float)
    if xs.shape != ys.shape:
        raise ValueError(f"x has {xs.size} values and y has {ys.size}; expected pairs")
    keep = ~(np.isnan(xs) | np.isnan(ys))
    return xs[keep], ys[keep]


def correlation_ci(x: Iterable[float], y: Iterable[float], level: float = 0.95) -> Interval:
    """Pearson's r with a confidence interval from Fisher's z transformation.

    ``z = atanh(r)`` is roughly normal with standard error ``1 / sqrt(n - 3)``; the interval
    ``z ± q·se`` (``q`` the normal quantile of the level) is turned back with ``tanh``. Pairs
    with a missing value are dropped.

    Parameters
    ----------
    x, y : iterables of float
        Paired values (e.g. each unit's leader rating and its customer satisfaction).
    level : float
        Confidence level, between 0 and 1.

    Returns
    -------
    Interval

    Raises
    ------
    ValueError
        Fewer than 4 complete pairs, or a variable that does not vary.

    Examples
    --------
    >>> ci = correlation_ci([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    >>> round(ci.r, 4), round(ci.low, 4), round(ci.high, 4)
    (0.8286, 0.0519, 0.9807)
    """
    xs, ys = _pairs(x, y)
    n = xs.size
    if n < 4:
        raise ValueError(f"a correlation interval needs at least 4 complete pairs; got {n}")
    if xs.std() == 0 or ys.std() == 0:
        raise ValueError("one of the two variables does not vary; r is undefined")
    r = _pearson(xs, ys)
    q = NormalDist().inv_cdf(0.5 + level / 2)
    z, se = math.atanh(max(min(r, 0.999999), -0.999999)), 1 / math.sqrt(n - 3)
    return Interval(r, math.tanh(z - q * se), math.tanh(z + q * se), n, level, "Fisher z")


def bootstrap_ci(
    x: Iterable[float],
    y: Iterable[float],
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> Interval:
    """Pearson's r with a percentile bootstrap interval (pairs resampled with replacement).

    Resamples in which a variable does not vary are skipped. Seeded, so repeatable.

    Examples
    --------
    >>> ci = bootstrap_ci([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5], resamples=500)
    >>> ci.low <= ci.r <= ci.high, ci.method
    (True, 'bootstrap')
    """
    xs, ys = _pairs(x, y)
    n = xs.size
    if n < 4:
        raise ValueError(f"a correlation interval needs at least 4 complete pairs; got {n}")
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(resamples):
        idx = rng.integers(0, n, n)
        bx, by = xs[idx], ys[idx]
        if bx.std() > 0 and by.std() > 0:
            values.append(_pearson(bx, by))
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return Interval(_pearson(xs, ys), float(low), float(high), n, level, "bootstrap")
