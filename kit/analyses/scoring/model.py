"""The scoring vocabulary: scales, weights, quadrant names and the columns of every table."""

from __future__ import annotations

from typing import Literal

from kit.store.schema import KINDS

__all__ = [
    "AGREEMENT_COLUMNS",
    "CATEGORIES",
    "CONCENTRATE",
    "Crosshair",
    "DISAGREEMENT_POINTS",
    "IPA_COLUMNS",
    "KEEP_UP",
    "LOW_PRIORITY",
    "MIDPOINT",
    "MIN_CORRELATION_N",
    "MOT_WEIGHT",
    "ON_LINE",
    "ON_LINE_RULE",
    "OVERKILL",
    "PRIORITY_COLUMNS",
    "QUADRANTS",
    "RATINGS",
    "SUMMARY_COLUMNS",
    "TEAM_RANK_COLUMNS",
]

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
ON_LINE_RULE = (
    "On the line: importance or performance exactly at the crosshair. Such a "
    "touchpoint is in no quadrant (one rating more would tip it either way), so it "
    "is neither “performing below par” nor “keep up”: talk it through."
)
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
