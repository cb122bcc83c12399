"""Reading table cells leniently: one place for "is this cell missing?" and friends.

Analyses take DataFrames that may come from a validated workbook, from a widget mid-edit or from a
test, so they read cells through these helpers rather than trusting dtypes: ``None``, NaN,
``pd.NA`` and blank text all mean "missing".
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from kit.store.schema import TABLES, parse_bool

__all__ = [
    "flag",
    "is_missing",
    "number",
    "text",
    "text_or_none",
    "with_columns",
]


def is_missing(value: Any) -> bool:
    """True for ``None``, NaN, ``pd.NA`` and blank text.

    Examples
    --------
    >>> [is_missing(v) for v in (None, float("nan"), pd.NA, "  ", "x", 0)]
    [True, True, True, True, False, False]
    """
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def text(value: Any) -> str:
    """A cell as stripped text; missing becomes ``""``.

    Examples
    --------
    >>> text("  Front desk "), text(None)
    ('Front desk', '')
    """
    return "" if is_missing(value) else str(value).strip()


def text_or_none(value: Any) -> str | None:
    """A cell as stripped text; missing becomes ``None``.

    Examples
    --------
    >>> text_or_none(" T1 "), text_or_none(float("nan"))
    ('T1', None)
    """
    return None if is_missing(value) else str(value).strip()


def flag(value: Any) -> bool:
    """A boolean cell read leniently: missing or unreadable is ``False``.

    Examples
    --------
    >>> flag("TRUE"), flag(None), flag("perhaps")
    (True, False, False)
    """
    if is_missing(value):
        return False
    try:
        return parse_bool(value)
    except ValueError:
        return False


def number(value: Any, default: float = 0.0) -> float:
    """A cell as a float; missing or unreadable becomes ``default``.

    Examples
    --------
    >>> number("2.5"), number(None), number("n/a", default=float("nan"))
    (2.5, 0.0, nan)
    """
    try:
        result = float(value)
    except (TypeError, ValueError):
        return default
    return default if math.isnan(result) else result


def with_columns(frame: pd.DataFrame | None, columns: Iterable[str] | str) -> pd.DataFrame:
    """A copy of ``frame`` holding at least ``columns`` (missing ones added empty), index reset.

    ``columns`` may be a workbook table name, meaning that table's declared columns.

    Examples
    --------
    >>> list(with_columns(None, "serves").columns)
    ['from_role', 'to_role']
    >>> with_columns(pd.DataFrame({"a": [1]}), ["a", "b"])["b"].tolist()
    [None]
    """
    columns = TABLES[columns].columns if isinstance(columns, str) else list(columns)
    out = (
        pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        if frame is None
        else frame.copy()
    )
    for column in columns:
        if column not in out.columns:
            out[column] = [None] * len(out)
    return out.reset_index(drop=True)
