"""Where the notebooks and older code find the report's :class:`Story` (kept as a short name).

The content moved to :mod:`kit.story` (one module per section, the facade in
:mod:`kit.story.story`); text helpers are in :mod:`kit.formatting`; ``plan_progress`` is in
:mod:`kit.followup`. This module only re-exports them.

Examples
--------
>>> Story is __import__("kit.story", fromlist=["Story"]).Story
True
"""

from __future__ import annotations

from kit.followup import plan_progress
from kit.schema import KIND_LABELS as KIND_WORDS
from kit.story import LEVEL_WORDS, WHERE, Story, callout, missing

__all__ = ["KIND_WORDS", "LEVEL_WORDS", "WHERE", "Story", "callout", "missing", "plan_progress"]
