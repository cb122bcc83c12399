"""Due dates that look like typos: far ahead of the workshop, or before it.

A plan's due dates are checked against the workshop's date (``workshop.yaml``): one more than
:data:`FAR_YEARS` years ahead ("2206" for "2026") or before the workshop is most likely a typo,
and a calendar made from it would be wrong for years. Those are warnings — the team may mean
it; a year past :data:`kit.store.schema.LAST_YEAR` is an error already when the row is read.

Examples
--------
>>> plan = b"action_id,due\\nA1,2026-04-01\\nA2,2062-04-01\\nA3,2025-01-01\\n"
>>> for p in due_date_warnings(plan, dt.date(2026, 3, 2), "teams/t/plan.csv"):
...     print(p)
teams/t/plan.csv:3:due: warning: 2062-04-01 is 36 years after the workshop (2026-03-02); expected a due date within 3 years (a typo in the year?)
teams/t/plan.csv:4:due: warning: 2025-01-01 is before the workshop (2026-03-02); expected a date after it (a typo in the year?)
"""

from __future__ import annotations

import datetime as dt

from kit.store.csvio import parse_csv
from kit.store.problems import Problem
from kit.store.schema import LAST_YEAR

__all__ = ["FAR_YEARS", "due_date_warnings"]

FAR_YEARS = 3
"""Due dates more than this many years after the workshop are warned about."""


def due_date_warnings(
    raw: bytes | None, workshop_date: dt.date | None, shown: str
) -> list[Problem]:
    """Warnings for the due dates of a ``plan.csv`` (its bytes) far from the workshop's date.

    Parameters
    ----------
    raw : bytes or None
        The plan file (``None``: no file, no warning).
    workshop_date : date or None
        The workshop's date (``None``: nothing to compare with).
    shown : str
        The path shown in messages.

    Returns
    -------
    list of Problem
        Warnings naming the row and the column ``due``.
    """
    if isinstance(workshop_date, str):
        try:
            workshop_date = dt.date.fromisoformat(workshop_date.strip())
        except ValueError:
            return []  # workshop.yaml's own check names a bad date
    if raw is None or not isinstance(workshop_date, dt.date) or workshop_date.year > 9000:
        return []
    table = parse_csv(raw, shown)
    header = list(table.header)
    if "due" not in header:
        return []
    column = header.index("due")
    found = []
    latest = (
        workshop_date.replace(year=workshop_date.year + FAR_YEARS)
        if workshop_date.year < 9000
        else dt.date.max
    )
    for number, cells in enumerate(table.records, start=2):
        text = cells[column].strip() if column < len(cells) else ""
        try:
            due = dt.date.fromisoformat(text)
        except ValueError:
            continue  # blank or not a date: the row's own check says so
        if due.year > LAST_YEAR:
            continue  # an error already (kit.store.schema)
        if due > latest:
            years = due.year - workshop_date.year
            found.append(
                Problem(
                    shown,
                    number,
                    "due",
                    f"{due.isoformat()} is {years} years after the workshop "
                    f"({workshop_date.isoformat()}); expected a due date within {FAR_YEARS} years "
                    f"(a typo in the year?)",
                    "warning",
                )
            )
        elif due < workshop_date:
            found.append(
                Problem(
                    shown,
                    number,
                    "due",
                    f"{due.isoformat()} is before the workshop ({workshop_date.isoformat()}); "
                    f"expected a date after it (a typo in the year?)",
                    "warning",
                )
            )
    return found
