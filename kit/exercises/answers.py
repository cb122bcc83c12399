"""Reading what a participant typed as an exercise answer: ids, names, numbers, mappings.

Every checker in :mod:`kit.exercises.checks` reads answers the same way: a list, a set or one
string of ids; ids and quadrant names matched regardless of case; a number or nothing.

Examples
--------
>>> answer_ids({"T2"}), answer_ids(" T1 "), answer_number("2.5"), answer_number("x")
(['T2'], ['T1'], 2.5, None)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "answer_id",
    "answer_ids",
    "answer_mapping",
    "answer_number",
    "canon",
    "canons",
    "unknown_names",
]


def answer_ids(value: Any) -> list[str]:
    """A list of ids from what a participant typed (a list, a set, one string)."""
    if value is None or value is Ellipsis:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable):
        return [str(value)]
    return [str(v).strip() for v in value if v is not None and str(v).strip()]


def answer_id(value: Any) -> str:
    return "" if value is None or value is Ellipsis else str(value).strip()


def canon(value: str, known: Iterable[str]) -> str:
    """``value`` spelled as the known id or name it matches regardless of case, else as typed.

    Ids and quadrant names carry no meaning in their case: ``"d1"`` is ``"D1"``,
    ``"Concentrate Here"`` is ``"Concentrate here"``.

    Examples
    --------
    >>> canon(" d1 ", ["D1", "D2"]), canon("x", ["D1"])
    ('D1', 'x')
    """
    text = value.strip()
    folded = {str(k).casefold(): str(k) for k in known}
    return folded.get(text.casefold(), text)


def canons(values: Iterable[str], known: Iterable[str]) -> list[str]:
    known = list(known)
    return [canon(v, known) for v in values]


def answer_mapping(answer: Any, what: str) -> tuple[Mapping[str, Any] | None, list[str]]:
    if isinstance(answer, Mapping):
        return answer, []
    return None, [
        f"The answer should be a dictionary ({what}), like the template in the answer "
        f"cell; got {type(answer).__name__}."
    ]


def unknown_names(values: Iterable[str], known: Iterable[str], what: str) -> list[str]:
    known = list(known)
    return [
        f"{v!r} is not {what} in this exercise; choose from: {', '.join(known)}."
        for v in values
        if v not in known
    ]


def answer_number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number
