"""Analyses: plain functions over a team's tables (journey, pyramid, scoring, org charts, progress, follow-up).

They read the store and draw nothing.
"""

__all__: list[str] = []
