"""Reading org chart files: the generic HR export, and the CSV reading both formats share.

:func:`read_generic` finds the columns of an HR export by their usual header names
(:func:`detect_columns`), hands a tidy chart to :func:`kit.analyses.orgchart.flip` and returns its
:class:`~kit.analyses.orgchart.Flipped` with every warning. :func:`read_table` and :func:`find_column`
are also what :mod:`kit.analyses.orgchart.uk` (the UK government organogram pair) reads its files with.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from kit.analyses.orgchart.flip import flip
from kit.analyses.orgchart.model import CHART_COLUMNS, Flipped, with_warnings
from kit.exceptions import OrgChartError
from kit.store.csvio import CsvTable, read_csv
from kit.store.problems import Problem

__all__ = [
    "GENERIC_HEADERS",
    "detect_columns",
    "find_column",
    "read_generic",
    "read_table",
]

# Header names each generic column is detected from, best first (compared without case,
# spaces or punctuation, so "Manager ID", "manager_id" and "managerId" are the same).
GENERIC_HEADERS: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "post id",
        "employee id",
        "post unique reference",
        "position id",
        "staff id",
        "person id",
        "employee number",
        "post ref",
        "identifier",
    ),
    "title": (
        "title",
        "job title",
        "role",
        "role name",
        "position",
        "post title",
        "generic job title",
        "job",
        "name",
        "employee name",
        "full name",
    ),
    "reports_to": (
        "reports to",
        "reports to id",
        "manager id",
        "manager",
        "parent id",
        "parent",
        "reports to senior post",
        "reporting senior post",
        "supervisor id",
        "supervisor",
        "line manager id",
        "line manager",
        "boss",
    ),
    "headcount": (
        "headcount",
        "fte",
        "number of posts in fte",
        "count",
        "posts",
        "heads",
        "number",
    ),
    "unit": (
        "unit",
        "business unit",
        "org unit",
        "department",
        "dept",
        "team",
        "division",
        "directorate",
        "function",
    ),
    "grade": ("grade", "grade or equivalent", "band", "pay grade", "job grade"),
}
_OPTION = {
    "id": "--id",
    "title": "--title",
    "reports_to": "--reports-to",
    "headcount": "--headcount",
    "unit": "--unit",
    "grade": "--grade",
}


def _key(header: str) -> str:
    """Header name compared without case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def read_table(path: str | Path) -> tuple[CsvTable, str]:
    """One CSV file and the path shown in messages; stops (:class:`OrgChartError`) when it is
    missing, unreadable or empty."""
    shown = os.fspath(path)
    table = read_csv(Path(path), shown)
    if table.raw is None and not table.problems:
        raise OrgChartError([Problem(shown, None, None, "file not found")])
    errors = [p for p in table.problems if p.is_error]
    if errors:
        raise OrgChartError(table.problems)
    if not table.header:
        raise OrgChartError(
            [
                Problem(
                    shown, 1, None, "the file is empty; expected a header row and one row per post"
                )
            ]
        )
    return table, shown


def find_column(header: list[str], wanted: Iterable[str]) -> int | None:
    """Index of the first header cell matching one of ``wanted`` (in preference order)."""
    keys = [_key(h) if h else "" for h in header]
    for name in wanted:
        k = _key(name)
        if k in keys and k:
            return keys.index(k)
    return None


def detect_columns(header: Sequence[str], **given: str | None) -> dict[str, str | None]:
    """Map the chart's fields to header names: given names first, else the common ones.

    Parameters
    ----------
    header : sequence of str
        The file's header row.
    **given : str or None
        ``id=``, ``title=``, ``reports_to=``, ``headcount=``, ``unit=``, ``grade=``: header
        names chosen by the user (matched exactly, then without case/spaces/punctuation).

    Returns
    -------
    dict
        Field -> header name, ``None`` when not found. Without an id column the title column
        doubles as the id (reports-to then names titles).

    Raises
    ------
    KeyError
        When a given name is not in the header (the message lists the header).

    Examples
    --------
    >>> detect_columns(["Employee ID", "Job Title", "Manager ID", "FTE", "Dept"])
    {'id': 'Employee ID', 'title': 'Job Title', 'reports_to': 'Manager ID', 'headcount': 'FTE', 'unit': 'Dept', 'grade': None}
    >>> detect_columns(["who", "boss"], title="who")["reports_to"]
    'boss'
    """
    header = [h for h in header]
    found: dict[str, str | None] = {}
    used: set[int] = set()
    for name in GENERIC_HEADERS:
        choice = given.get(name)
        if choice:
            if choice in header:
                index = header.index(choice)
            else:
                index = find_column(header, [choice])
                if index is None:
                    raise KeyError(choice)
            found[name] = header[index]
            used.add(index)
    for name, candidates in GENERIC_HEADERS.items():
        if name in found:
            continue
        index = None
        for candidate in candidates:
            k = _key(candidate)
            for i, h in enumerate(header):
                if i not in used and h and _key(h) == k:
                    index = i
                    break
            if index is not None:
                break
        found[name] = header[index] if index is not None else None
        if index is not None:
            used.add(index)
    if found["id"] is None and found["title"] is not None:
        found["id"] = found["title"]
    return {name: found[name] for name in GENERIC_HEADERS}


def read_generic(
    path: str | Path,
    *,
    id: str | None = None,  # noqa: A002 - the option's name
    title: str | None = None,
    reports_to: str | None = None,
    headcount: str | None = None,
    unit: str | None = None,
    grade: str | None = None,
    customer_facing_units: Iterable[str] | None = None,
    attach_unknown: bool = False,
) -> Flipped:
    """Read a generic HR export (one row per post or person, with reports-to) and flip it.

    Columns are the ones named, else detected from common header names (see
    :data:`GENERIC_HEADERS`): id (``id``, ``post id``, ``employee id``…), title (``title``,
    ``job title``, ``name``…), reports-to (``reports to``, ``manager id``, ``manager``,
    ``parent``…), and optional headcount (``headcount``, ``fte``; without it every row counts
    1), unit and grade. Then :func:`flip`.

    Raises
    ------
    OrgChartError
        Missing file or column, or any problem :func:`flip` stops at.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "hr.csv"
    >>> _ = p.write_text("Employee ID,Job Title,Manager ID\\n1,Owner,\\n2,Barista,1\\n")
    >>> out = read_generic(p)
    >>> out.roles[["role_id", "level"]].values.tolist()
    [['customer', 'customer'], ['1', 'executive'], ['2', 'frontline']]
    """
    table, shown = read_table(path)
    given = {
        "id": id,
        "title": title,
        "reports_to": reports_to,
        "headcount": headcount,
        "unit": unit,
        "grade": grade,
    }
    try:
        cols = detect_columns(table.header, **given)
    except KeyError as exc:
        name = exc.args[0]
        option = next(_OPTION[f] for f, v in given.items() if v == name)
        listed = ", ".join(repr(h) for h in table.header if h)
        raise OrgChartError(
            [
                Problem(
                    shown,
                    1,
                    name,
                    f"no column named {name!r} (given with {option}); the header has: {listed}",
                )
            ]
        ) from None
    missing = []
    for name, words in (
        ("title", "'title', 'job title' or 'name'"),
        ("reports_to", "'reports to', 'manager id', 'manager' or 'parent'"),
    ):
        if cols[name] is None:
            label = name.replace("_", " ")
            missing.append(
                Problem(
                    shown,
                    1,
                    label,
                    f"missing column; expected a header cell such as {words} "
                    f"(or name it with {_OPTION[name]})",
                )
            )
    if missing:
        raise OrgChartError(missing + table.problems)
    index = {name: table.header.index(h) for name, h in cols.items() if h is not None}
    rows = []
    for record, row in zip(table.records, table.rows, strict=True):
        rows.append(
            {
                "id": record[index["id"]],
                "title": record[index["title"]],
                "reports_to": record[index["reports_to"]],
                "headcount": record[index["headcount"]] if "headcount" in index else 1.0,
                "unit": record[index["unit"]] if "unit" in index else "",
                "grade": record[index["grade"]] if "grade" in index else "",
                "file": shown,
                "row": row,
            }
        )
    chart = pd.DataFrame(rows, columns=[*CHART_COLUMNS, "file", "row"])
    names = {shown: {name: h for name, h in cols.items() if h is not None}}
    flipped = flip(
        chart,
        customer_facing_units=customer_facing_units,
        attach_unknown=attach_unknown,
        columns=names,
    )
    return with_warnings(flipped, table.problems)
