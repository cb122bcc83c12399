"""The org chart import's shared parts: the chart table, the error, the result, small helpers.

See :mod:`kit.analyses.orgchart` for how a chart is flipped and which files are read.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kit.store import cells
from kit.store.problems import Problem
from kit.store.schema import TABLES

__all__ = [
    "CHART_COLUMNS",
    "CUSTOMER_ID",
    "CUSTOMER_NAME",
    "Flipped",
    "NOT_DISCLOSED",
    "TOP_MARKERS",
    "grouped",
    "matches_units",
    "parse_number",
    "problem_order",
    "roles_frame",
    "serves_frame",
    "unique_id",
    "with_warnings",
]

CHART_COLUMNS: tuple[str, ...] = ("id", "title", "reports_to", "headcount", "unit", "grade")
TOP_MARKERS: frozenset[str] = frozenset({"", "xx", "none", "null", "n/a", "na", "-", "top", "root"})
"""Reports-to values (case-insensitive) that mark the top post, unless they are a post's id."""

NOT_DISCLOSED: frozenset[str] = frozenset({"", "n/d", "nd", "n/a", "na", "-", "not disclosed"})
"""FTE cells in UK organograms that mean "not published"; counted as 0 with a warning."""

CUSTOMER_ID = "customer"
CUSTOMER_NAME = "Customers"


@dataclass(frozen=True, eq=False)
class Flipped:
    """An org chart turned upside down.

    Attributes
    ----------
    roles : pandas.DataFrame
        The workbook ``roles`` table (``role_id, name, level, headcount, unit, grade``), the
        customer role first, then the posts in file order.
    serves : pandas.DataFrame
        The workbook ``serves`` table (``from_role, to_role``).
    warnings : tuple of Problem
        What was imported but deserves a look (each names file, row and column).
    source_rows : int
        Rows read from the file(s).
    source_fte : float
        Headcount (FTE) summed over those rows, as published.
    """

    roles: pd.DataFrame
    serves: pd.DataFrame
    warnings: tuple[Problem, ...] = ()
    source_rows: int = 0
    source_fte: float = 0.0

    @property
    def total_fte(self) -> float:
        """Headcount summed over the roles (equals ``source_fte`` up to rounding)."""
        return math.fsum(float(x) for x in self.roles["headcount"]) if len(self.roles) else 0.0


def _rows_text(rows: Sequence[int | None], limit: int = 8) -> str:
    shown = [str(r) for r in rows[:limit] if r is not None]
    more = len(rows) - limit
    text = ", ".join(shown)
    return f"{text} and {more} more" if more > 0 else text


def grouped(path: str, rows: list[int | None], column: str | None, message: str) -> Problem:
    """One warning for many rows: named at the first row, the others listed.

    Examples
    --------
    >>> print(grouped("hr.csv", [3, 5], "FTE", "2 post(s) have no headcount"))
    hr.csv:3:FTE: warning: 2 post(s) have no headcount (rows 3, 5)
    """
    plural = "rows" if len(rows) > 1 else "row"
    return Problem(path, rows[0], column, f"{message} ({plural} {_rows_text(rows)})", "warning")


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def parse_number(text: str) -> float | None:
    """A finite number from a cell (``1,234.5`` thousands commas allowed), else ``None``.

    Examples
    --------
    >>> parse_number(" 1,234.5 "), parse_number("inf"), parse_number("N/D")
    (1234.5, None, None)
    """
    text = text.strip()
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        number = float(text)
    except ValueError:
        return None
    return None if math.isnan(number) or math.isinf(number) else number


def matches_units(unit: Any, patterns: Iterable[str]) -> bool:
    """Whether ``unit`` matches one of ``patterns`` (case-insensitive, ``*``/``?`` wildcards).

    Examples
    --------
    >>> matches_units("Operations - Debt Centre", ["operations*"])
    True
    >>> matches_units("Finance", ["Front Office", "Bar"])
    False
    """
    unit = cells.text(unit).lower()
    return any(fnmatch.fnmatchcase(unit, cells.text(p).lower()) for p in patterns)


def unique_id(base: str, taken: set[str]) -> str:
    """``base``, or ``base`` with ``_`` added until it is not in ``taken``; then taken.

    The one way the import makes up ids (the customer role, placeholders, junior posts).

    Examples
    --------
    >>> taken = {"customer"}
    >>> unique_id("customer", taken), unique_id("customer", taken), unique_id("desk", taken)
    ('customer_', 'customer__', 'desk')
    >>> sorted(taken)
    ['customer', 'customer_', 'customer__', 'desk']
    """
    candidate = base
    while candidate in taken:
        candidate += "_"
    taken.add(candidate)
    return candidate


def problem_order(p: Problem) -> tuple[str, int, str]:
    """Sort key for problems: file, row, column."""
    return (p.path, p.row if p.row is not None else 0, p.column or "")


def roles_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The workbook ``roles`` table from row dicts (headcount as float)."""
    columns = TABLES["roles"].columns
    frame = pd.DataFrame(rows, columns=columns)
    frame["headcount"] = frame["headcount"].astype(float)
    return frame


def serves_frame(edges: list[tuple[str, str]]) -> pd.DataFrame:
    """The workbook ``serves`` table from ``(from_role, to_role)`` pairs."""
    return pd.DataFrame(edges, columns=TABLES["serves"].columns)


def with_warnings(
    flipped: Flipped, extra: Iterable[Problem], source_rows: int | None = None
) -> Flipped:
    """``flipped`` with ``extra`` warnings first (and the file's row count, when given)."""
    return Flipped(
        flipped.roles,
        flipped.serves,
        tuple(extra) + flipped.warnings,
        flipped.source_rows if source_rows is None else source_rows,
        flipped.source_fte,
    )
