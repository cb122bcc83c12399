"""Self-checking exercises: ``from kit.exercises import check``.

Each exercise notebook in the kit's ``exercises/`` folder (:func:`kit.resources.exercises_dir`)
ends its task with ``check("name", answer)``. The check prints a kind, specific hint when the
answer is not right yet and raises when it is blank or wrong, so an unanswered exercise fails
under papermill while its solution (``exercises/solutions/``) runs through. Data for the
exercises comes from :mod:`kit.exercises.data` (small, written out or seeded).

Examples
--------
>>> sorted(NAMES)
['chain', 'credibility', 'day', 'flip', 'gaps', 'hired', 'leaders360', 'needs', 'shifts']
>>> check("flip", None)  # prints "✏️ Flip the org chart: not answered yet. …" first
Traceback (most recent call last):
...
kit.exceptions.BlankAnswer: flip: the answer is still blank
"""

from __future__ import annotations

from kit.exercises import checks as _checks  # noqa: F401  (registers every checker)
from kit.exercises.core import REGISTRY, check, is_blank

NAMES: tuple[str, ...] = (
    "day",
    "flip",
    "chain",
    "gaps",
    "needs",
    "credibility",
    "shifts",
    "hired",
    "leaders360",
)
"""The exercises in order (``exercises/01_day.ipynb`` … ``09_leaders360.ipynb``)."""

__all__ = ["NAMES", "REGISTRY", "check", "is_blank"]
