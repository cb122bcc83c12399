"""The self-check behind every exercise: ``check(name, answer)``.

Each exercise registers one checker (:func:`exercise`). A checker takes the participant's answer
and returns a list of hints: empty when the answer is right, otherwise one kind, specific
sentence per thing to look at again. :func:`check` prints the outcome and **raises** when the
answer is blank (:class:`BlankAnswer`) or wrong (:class:`WrongAnswer`), so a notebook with a
blank or wrong answer stops there and fails under papermill (the nbgrader / otter-grader
convention), while its solution runs through.

In a notebook the exception shows as one short line instead of a traceback (IPython's
``_render_traceback_`` hook); the hints printed above it say what to do.

Examples
--------
>>> @exercise("demo-sum", "Add two and two", success="Yes: four.")
... def _demo(answer):
...     return [] if answer == 4 else ["Count on your fingers: two, then two more."]
>>> check("demo-sum", 4)
✅ Add two and two: right. Yes: four.
True
>>> check("demo-sum", 5)
Traceback (most recent call last):
...
kit.exceptions.WrongAnswer: demo-sum: 1 thing to look at again (the hints are printed above)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kit.exceptions import BlankAnswer, WrongAnswer

__all__ = [
    "Checker",
    "Exercise",
    "REGISTRY",
    "check",
    "exercise",
    "is_blank",
]

Checker = Callable[[Any], list[str]]


@dataclass(frozen=True)
class Exercise:
    """One registered exercise: its name, title, checker and the message on success."""

    name: str
    title: str
    checker: Checker
    success: str


REGISTRY: dict[str, Exercise] = {}
"""Every exercise by name (filled in when :mod:`kit.exercises` is imported)."""


def exercise(name: str, title: str, *, success: str) -> Callable[[Checker], Checker]:
    """Register ``checker`` as the check of exercise ``name`` (a decorator).

    Examples
    --------
    >>> @exercise("demo-yes", "Say yes", success="Good.")
    ... def _yes(answer):
    ...     return [] if answer == "yes" else ["Try saying yes."]
    >>> REGISTRY["demo-yes"].title
    'Say yes'
    """

    def register(checker: Checker) -> Checker:
        REGISTRY[name] = Exercise(name, title, checker, success)
        return checker

    return register


def is_blank(answer: Any) -> bool:
    """True when ``answer`` is still the placeholder: ``None``, ``...``, empty, or all blanks.

    A container is blank when it is empty or every value in it is blank, so the exercise's
    template (``{"indirect": [], "roles": {}}``) counts as not answered.

    Examples
    --------
    >>> [is_blank(x) for x in (None, ..., "", "  ", [], {}, {"a": [], "b": {}}, (None, ""))]
    [True, True, True, True, True, True, True, True]
    >>> [is_blank(x) for x in (0, False, "x", [1], {"a": ["T1"]}, {"a": None, "b": 2})]
    [False, False, False, False, False, False]
    """
    if answer is None or answer is Ellipsis:
        return True
    if isinstance(answer, float) and math.isnan(answer):
        return True
    if isinstance(answer, str):
        return not answer.strip()
    if isinstance(answer, Mapping):
        return all(is_blank(v) for v in answer.values())
    if isinstance(answer, list | tuple | set | frozenset):
        return all(is_blank(v) for v in answer)
    return False


def check(name: str, answer: Any) -> bool:
    """Check the answer of exercise ``name``: print the outcome; raise unless it is right.

    Parameters
    ----------
    name : str
        The exercise's name, as written in its check cell (e.g. ``"flip"``).
    answer : Any
        The participant's answer: a small Python literal (list, dict, number, text).

    Returns
    -------
    bool
        True when the answer is right.

    Raises
    ------
    BlankAnswer
        The answer is still blank (None, ``...``, empty).
    WrongAnswer
        The answer is not right yet; the hints are printed first.
    KeyError
        ``name`` is not an exercise.

    Examples
    --------
    >>> check("no-such-exercise", 1)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    KeyError: "no exercise is called 'no-such-exercise'; the exercises are: ..."
    """
    if name not in REGISTRY:
        names = ", ".join(sorted(REGISTRY)) or "none"
        raise KeyError(f"no exercise is called {name!r}; the exercises are: {names}")
    item = REGISTRY[name]
    if is_blank(answer):
        print(
            f"✏️  {item.title}: not answered yet. Fill in the cell marked ✏️ YOUR ANSWER "
            f"above, run it, then run this cell again."
        )
        raise BlankAnswer(f"{name}: the answer is still blank")
    hints = item.checker(answer)
    if not hints:
        print(f"✅ {item.title}: right. {item.success}")
        return True
    count = f"{len(hints)} thing{'s' if len(hints) != 1 else ''}"
    print(f"🔎 {item.title}: not quite yet. Hints:")
    for hint in hints:
        print(f"  • {hint}")
    raise WrongAnswer(f"{name}: {count} to look at again (the hints are printed above)")
