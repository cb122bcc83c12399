"""Importance-Performance Analysis (Martilla & James 1977): the crosshair and the quadrants.

Part of :mod:`kit.analyses.scoring` (see there for how the numbers are made).
"""

from __future__ import annotations

import pandas as pd

from kit.analyses.scoring.model import (
    CONCENTRATE,
    IPA_COLUMNS,
    KEEP_UP,
    LOW_PRIORITY,
    MIDPOINT,
    ON_LINE,
    OVERKILL,
    Crosshair,
)
from kit.analyses.scoring.summary import (
    touchpoint_summary,
)

__all__ = ["crosshair_point", "ipa", "quadrant"]


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
