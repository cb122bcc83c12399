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

from kit.analyses.scoring.ipa import (
    crosshair_point,
    ipa,
    quadrant,
)
from kit.analyses.scoring.model import (
    AGREEMENT_COLUMNS,
    CATEGORIES,
    CONCENTRATE,
    DISAGREEMENT_POINTS,
    IPA_COLUMNS,
    KEEP_UP,
    LOW_PRIORITY,
    MIDPOINT,
    MIN_CORRELATION_N,
    MOT_WEIGHT,
    ON_LINE,
    ON_LINE_RULE,
    OVERKILL,
    PRIORITY_COLUMNS,
    QUADRANTS,
    RATINGS,
    SUMMARY_COLUMNS,
    TEAM_RANK_COLUMNS,
    Crosshair,
)
from kit.analyses.scoring.priorities import (
    in_top_k,
    priority_ranking,
    top_of_ranking,
    top_priorities,
)
from kit.analyses.scoring.readiness import (
    Correlation,
    readiness_vs_performance,
    spearman,
)
from kit.analyses.scoring.summary import (
    journey_store,
    shared_summaries,
    touchpoint_summary,
    unscored_touchpoints,
)
from kit.analyses.scoring.teams import (
    agreement_from_ranks,
    team_agreement,
    team_ranks,
)

__all__ = [
    "AGREEMENT_COLUMNS",
    "CATEGORIES",
    "CONCENTRATE",
    "Correlation",
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
    "agreement_from_ranks",
    "crosshair_point",
    "in_top_k",
    "ipa",
    "journey_store",
    "priority_ranking",
    "quadrant",
    "readiness_vs_performance",
    "spearman",
    "team_agreement",
    "team_ranks",
    "top_of_ranking",
    "top_priorities",
    "shared_summaries",
    "touchpoint_summary",
    "unscored_touchpoints",
]
