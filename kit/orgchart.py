"""Flip a real organisation chart into the upside-down pyramid.

A conventional org chart says who *reports to* whom. The workshop turns it upside down: a
manager *serves* the people who report to them, the people at the ends of the chart (nobody
reports to them) serve the customer, and a customer role is added on top. :func:`flip` does that
on a tidy chart table; :func:`read_generic` and :func:`read_uk_organogram` read the two supported
file formats into that table, and :func:`write_tables` writes the result into a team folder as
the workbook's ``roles.csv`` and ``serves.csv``.

The chart table (``CHART_COLUMNS``) has one row per post: ``id``, ``title``, ``reports_to``
(blank or a top marker such as ``XX`` for the top post), ``headcount``, ``unit``, ``grade``, and
optionally ``file`` and ``row`` (the spreadsheet row, header = row 1) used in messages.

How posts become roles (:func:`flip`):

- every post becomes one role with the same id, its title as name and its headcount;
- a post with nobody above it (the top) is ``executive``; a post that others report to is
  ``manager``; a post that nobody reports to is ``frontline`` — or ``support`` when
  ``customer_facing_units`` is given and its unit matches none of them (a lone top post with
  nobody reporting to it counts as one of these ends);
- each reporting line ``report -> manager`` becomes the edge ``manager serves report``;
- a role ``customer`` ("Customers") is added, and every frontline role serves it.

What stops an import (:class:`OrgChartError`, every problem listed with file, row and column): a
missing column, a blank id, an id used twice (generic format), a headcount that is not a
non-negative number, a reports-to id that is not in the file (unless ``attach_unknown``), and
reporting lines that go round in a circle.

What is imported with a warning (never silently): zero or blank headcount (kept as 0), posts
whose manager is not in the file (with ``attach_unknown``: placed under a 0-FTE placeholder role
that reports to the top post), several top posts, blank titles, and for UK organograms also
vacant or eliminated posts (kept with their published FTE, "(vacant)" added to the name), FTE
published as ``N/D`` (counted as 0), and repeated post ids (see :func:`read_uk_organogram`).

People's names are never imported: the pyramid is made of roles.
"""

from __future__ import annotations

import fnmatch
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kit import cells
from kit.csvio import CsvTable, atomic_write, csv_text, read_csv
from kit.problems import InvalidData, Problem
from kit.schema import TABLES

CHART_COLUMNS: tuple[str, ...] = ("id", "title", "reports_to", "headcount", "unit", "grade")
TOP_MARKERS: frozenset[str] = frozenset({"", "xx", "none", "null", "n/a", "na", "-", "top", "root"})
"""Reports-to values (case-insensitive) that mark the top post, unless they are a post's id."""

NOT_DISCLOSED: frozenset[str] = frozenset({"", "n/d", "nd", "n/a", "na", "-", "not disclosed"})
"""FTE cells in UK organograms that mean "not published"; counted as 0 with a warning."""

CUSTOMER_ID = "customer"
CUSTOMER_NAME = "Customers"

# Header names each generic column is detected from, best first (compared without case,
# spaces or punctuation, so "Manager ID", "manager_id" and "managerId" are the same).
GENERIC_HEADERS: dict[str, tuple[str, ...]] = {
    "id": ("id", "post id", "employee id", "post unique reference", "position id", "staff id",
           "person id", "employee number", "post ref", "identifier"),
    "title": ("title", "job title", "role", "role name", "position", "post title",
              "generic job title", "job", "name", "employee name", "full name"),
    "reports_to": ("reports to", "reports to id", "manager id", "manager", "parent id", "parent",
                   "reports to senior post", "reporting senior post", "supervisor id",
                   "supervisor", "line manager id", "line manager", "boss"),
    "headcount": ("headcount", "fte", "number of posts in fte", "count", "posts", "heads",
                  "number"),
    "unit": ("unit", "business unit", "org unit", "department", "dept", "team", "division",
             "directorate", "function"),
    "grade": ("grade", "grade or equivalent", "band", "pay grade", "job grade"),
}
_OPTION = {"id": "--id", "title": "--title", "reports_to": "--reports-to",
           "headcount": "--headcount", "unit": "--unit", "grade": "--grade"}

UK_SENIOR: dict[str, tuple[str, ...]] = {
    "id": ("Post Unique Reference",),
    "title": ("Job Title",),
    "reports_to": ("Reports to Senior Post",),
    "headcount": ("FTE",),
    "unit": ("Unit",),
    "grade": ("Grade", "Grade (or equivalent)"),
    "name": ("Name",),
}
UK_JUNIOR: dict[str, tuple[str, ...]] = {
    "reports_to": ("Reporting Senior Post",),
    "title": ("Generic Job Title",),
    "headcount": ("Number of Posts in FTE",),
    "unit": ("Unit",),
    "grade": ("Grade", "Grade (or equivalent)"),
}
_UK_REQUIRED_SENIOR = ("id", "title", "reports_to", "headcount")
_UK_REQUIRED_JUNIOR = ("reports_to", "headcount")
_VACANT = {"vacant": "vacant", "vacancy": "vacant", "eliminated": "eliminated"}


class OrgChartError(InvalidData):
    """An org chart that cannot be imported.

    ``problems`` lists every error (and any warnings found on the way), each naming the file,
    the spreadsheet row (header = row 1) and the column, and saying what is expected.

    Examples
    --------
    >>> err = OrgChartError([Problem("hr.csv", 3, "manager", "'Q9' is not an id in the file")])
    >>> print(err)
    hr.csv:3:manager: 'Q9' is not an id in the file
    """


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


# ---------------------------------------------------------------------------------------------
# helpers




def _key(header: str) -> str:
    """Header name compared without case, spaces or punctuation."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _rows_text(rows: Sequence[int | None], limit: int = 8) -> str:
    shown = [str(r) for r in rows[:limit] if r is not None]
    more = len(rows) - limit
    text = ", ".join(shown)
    return f"{text} and {more} more" if more > 0 else text


def _grouped(path: str, rows: list[int | None], column: str | None, message: str) -> Problem:
    """One warning for many rows: named at the first row, the others listed."""
    plural = "rows" if len(rows) > 1 else "row"
    return Problem(path, rows[0], column, f"{message} ({plural} {_rows_text(rows)})", "warning")


_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def _parse_number(text: str) -> float | None:
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


# ---------------------------------------------------------------------------------------------
# flipping


def flip(
    chart: pd.DataFrame,
    *,
    customer_facing_units: Iterable[str] | None = None,
    attach_unknown: bool = False,
    columns: Mapping[str, Mapping[str, str]] | None = None,
    customer_id: str = CUSTOMER_ID,
    customer_name: str = CUSTOMER_NAME,
) -> Flipped:
    """Turn a reports-to chart into the roles and serves tables of the upside-down pyramid.

    Parameters
    ----------
    chart : pandas.DataFrame
        ``id, title, reports_to, headcount, unit, grade`` (``unit``, ``grade`` optional; a
        missing ``headcount`` column counts each post as 1), plus optional ``file`` and ``row``
        naming where each post came from. Not changed.
    customer_facing_units : iterable of str, optional
        Units whose end posts face customers (``*`` and ``?`` wildcards, no case). Without it
        every end post is frontline; with it, end posts in other units are ``support``.
    attach_unknown : bool
        Import posts whose reports-to id is not in the chart under a placeholder role (0 FTE,
        reporting to the top post) with a warning, instead of stopping with an error.
    columns : mapping, optional
        ``{file: {"id": header, "reports_to": header, …}}``: the header names to use in
        messages for each file (default: the chart's own column names); the extra key
        ``"expected_ref"`` replaces the "expected …" part of the unknown reports-to message.
    customer_id, customer_name : str
        Id and name of the added customer role (the id gets a suffix if a post already uses it).

    Returns
    -------
    Flipped

    Raises
    ------
    OrgChartError
        Blank or repeated ids, bad headcounts, unknown reports-to ids, circles.

    Examples
    --------
    >>> chart = pd.DataFrame({"id": ["gm", "fom", "desk", "it"],
    ...                       "title": ["General manager", "Front office manager", "Front desk",
    ...                                 "IT"],
    ...                       "reports_to": ["", "gm", "fom", "gm"],
    ...                       "headcount": [1, 1, 6, 2],
    ...                       "unit": ["Board", "Rooms", "Rooms", "IT"]})
    >>> out = flip(chart, customer_facing_units=["Rooms"])
    >>> out.roles[["role_id", "level", "headcount"]].values.tolist()
    [['customer', 'customer', 0.0], ['gm', 'executive', 1.0], ['fom', 'manager', 1.0], ['desk', 'frontline', 6.0], ['it', 'support', 2.0]]
    >>> out.serves.values.tolist()
    [['gm', 'fom'], ['fom', 'desk'], ['gm', 'it'], ['desk', 'customer']]
    >>> flip(pd.DataFrame()).roles.empty
    True
    """
    records = _chart_records(chart)
    names = dict(columns or {})

    def col(path: str, name: str) -> str:
        return names.get(path, {}).get(name, name)

    problems: list[Problem] = []
    warnings: list[Problem] = []
    if not records:
        return Flipped(_roles_frame([]), _serves_frame([]))

    # ids
    first_row: dict[str, dict[str, Any]] = {}
    for rec in records:
        if not rec["id"]:
            problems.append(Problem(rec["file"], rec["row"], col(rec["file"], "id"),
                                    "blank; expected an id for this post"))
            continue
        if rec["id"] in first_row:
            first = first_row[rec["id"]]
            where = f"row {first['row']}" + ("" if first["file"] == rec["file"]
                                             else f" of {first['file']}")
            problems.append(Problem(rec["file"], rec["row"], col(rec["file"], "id"),
                                    f"id '{rec['id']}' is already used on {where}; expected "
                                    f"each post's id once"))
            continue
        first_row[rec["id"]] = rec

    # headcounts
    zero: dict[str, list[int | None]] = {}
    blank: dict[str, list[int | None]] = {}
    for rec in records:
        value = rec["headcount"]
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = None if math.isnan(value) else float(value)
            text = "" if number is None else str(value)
        else:
            text = cells.text(value)
            number = _parse_number(text) if text else None
        if number is None and text:
            problems.append(Problem(rec["file"], rec["row"], col(rec["file"], "headcount"),
                                    f"'{text}' is not a number; expected a headcount or FTE such "
                                    f"as 1 or 0.5"))
            number = 0.0
        elif number is None:
            blank.setdefault(rec["file"], []).append(rec["row"])
            number = 0.0
        elif number < 0:
            problems.append(Problem(rec["file"], rec["row"], col(rec["file"], "headcount"),
                                    f"{text} is negative; expected a headcount of 0 or more"))
        elif number == 0:
            zero.setdefault(rec["file"], []).append(rec["row"])
        rec["fte"] = number
    for path, rows in blank.items():
        warnings.append(_grouped(path, rows, col(path, "headcount"),
                                 f"{len(rows)} post(s) have no headcount; counted as 0"))
    for path, rows in zero.items():
        warnings.append(_grouped(path, rows, col(path, "headcount"),
                                 f"{len(rows)} post(s) have a headcount of 0; kept as roles "
                                 f"with headcount 0"))

    # titles
    untitled: dict[str, list[int | None]] = {}
    for rec in records:
        if not rec["title"]:
            rec["title"] = f"Post {rec['id']}" if rec["id"] else "Untitled post"
            untitled.setdefault(rec["file"], []).append(rec["row"])
    for path, rows in untitled.items():
        warnings.append(_grouped(path, rows, col(path, "title"),
                                 f"{len(rows)} post(s) have no title; named 'Post <id>'"))

    # reporting lines
    posts = [rec for rec in records if rec["id"] and first_row.get(rec["id"]) is rec]
    parent: dict[str, str | None] = {}
    unknown: dict[str, list[dict[str, Any]]] = {}
    for rec in posts:
        ref = rec["reports_to"]
        if ref and ref in first_row:
            parent[rec["id"]] = ref
        elif ref.lower() in TOP_MARKERS:
            parent[rec["id"]] = None
        else:
            unknown.setdefault(ref, []).append(rec)
            parent[rec["id"]] = None
    if unknown and not attach_unknown:
        for ref, recs in unknown.items():
            for rec in recs:
                expected = names.get(rec["file"], {}).get(
                    "expected_ref",
                    f"an id from the {col(rec['file'], 'id')!r} column (or blank/XX for the "
                    f"top post)")
                problems.append(Problem(
                    rec["file"], rec["row"], col(rec["file"], "reports_to"),
                    f"'{ref}' is not the id of any post in the file; expected {expected}. To "
                    f"import it anyway, attach unknown managers (--attach-unknown)"))
    if problems:
        raise OrgChartError(sorted(problems, key=_problem_order) + warnings)

    problems.extend(_cycles(posts, parent, col))
    if problems:
        raise OrgChartError(sorted(problems, key=_problem_order) + warnings)

    roots = [rec for rec in posts if parent[rec["id"]] is None and rec["reports_to"] not in unknown]
    placeholders: list[dict[str, Any]] = []
    if unknown:
        top = roots[0]["id"] if len(roots) == 1 else None
        taken = set(first_row)
        for ref, recs in unknown.items():
            pid = f"unknown:{ref}" if ref else "unknown:(blank)"
            while pid in taken:
                pid += "_"
            taken.add(pid)
            shown = ref or "(blank)"
            placeholders.append({"id": pid, "title": f"Unknown post {shown} (not in the file)",
                                 "fte": 0.0, "unit": "", "grade": "", "file": recs[0]["file"],
                                 "row": None})
            parent[pid] = top
            for rec in recs:
                parent[rec["id"]] = pid
            where = "under the top post" if top else "as a top post"
            by_file: dict[str, list[int | None]] = {}
            for rec in recs:
                by_file.setdefault(rec["file"], []).append(rec["row"])
            for path, rows in by_file.items():
                warnings.append(_grouped(
                    path, rows, col(path, "reports_to"),
                    f"{len(rows)} post(s) report to '{shown}', which is not in the file; they "
                    f"were placed under a placeholder role '{pid}' (0 FTE) {where}"))
    if len(roots) > 1:
        by_file = {}
        for rec in roots:
            by_file.setdefault(rec["file"], []).append(rec["row"])
        for path, rows in by_file.items():
            warnings.append(_grouped(path, rows, col(path, "reports_to"),
                                     f"{len(roots)} posts have nobody above them; each becomes "
                                     f"the top of its own pyramid"))

    everyone = posts + placeholders
    children: dict[str, int] = {}
    for ref in parent.values():
        if ref is not None:
            children[ref] = children.get(ref, 0) + 1
    patterns = list(customer_facing_units or [])
    if patterns:
        units = {rec["unit"] for rec in everyone if rec["unit"]}
        for pattern in patterns:
            if not any(matches_units(u, [pattern]) for u in units):
                warnings.append(Problem(records[0]["file"], None, col(records[0]["file"], "unit"),
                                        f"no unit matches the customer-facing unit '{pattern}'",
                                        "warning"))
    taken_ids = set(parent)
    cid = customer_id
    while cid in taken_ids:
        cid += "_"
    roles = [{"role_id": cid, "name": customer_name, "level": "customer", "headcount": 0.0,
              "unit": None, "grade": None}]
    serves: list[tuple[str, str]] = []
    frontline: list[str] = []
    order = {rec["id"]: i for i, rec in enumerate(everyone)}
    for rec in sorted(everyone, key=lambda r: (r["row"] is None, order[r["id"]])):
        pid = rec["id"]
        if children.get(pid):
            level = "executive" if parent[pid] is None else "manager"
        elif not patterns or matches_units(rec["unit"], patterns):
            level = "frontline"
            frontline.append(pid)
        else:
            level = "support"
        roles.append({"role_id": pid, "name": rec["title"], "level": level,
                      "headcount": float(rec["fte"]), "unit": rec["unit"] or None,
                      "grade": rec["grade"] or None})
    for rec in everyone:
        ref = parent[rec["id"]]
        if ref is not None:
            serves.append((ref, rec["id"]))
    # serves in the order of the roles they start from, then file order
    position = {r["role_id"]: i for i, r in enumerate(roles)}
    serves.sort(key=lambda e: (position[e[1]],))
    serves.extend((pid, cid) for pid in frontline)
    if patterns and not frontline:
        warnings.append(Problem(records[0]["file"], None, col(records[0]["file"], "unit"),
                                "no end post is in a customer-facing unit, so nobody serves the "
                                "customer directly", "warning"))
    return Flipped(
        roles=_roles_frame(roles),
        serves=_serves_frame(serves),
        warnings=tuple(warnings),
        source_rows=len(records),
        source_fte=math.fsum(rec["fte"] for rec in records),
    )


def _problem_order(p: Problem) -> tuple[str, int, str]:
    return (p.path, p.row if p.row is not None else 0, p.column or "")


def _chart_records(chart: pd.DataFrame | None) -> list[dict[str, Any]]:
    if chart is None or len(chart) == 0:
        return []
    has_headcount = "headcount" in chart.columns
    frame = chart.reindex(columns=[*CHART_COLUMNS, "file", "row"])
    records = []
    for i, rec in enumerate(frame.to_dict("records")):
        row = rec["row"]
        records.append({
            "id": cells.text(rec["id"]),
            "title": cells.text(rec["title"]),
            "reports_to": cells.text(rec["reports_to"]),
            "headcount": rec["headcount"] if has_headcount else 1.0,
            "unit": cells.text(rec["unit"]),
            "grade": cells.text(rec["grade"]),
            "file": cells.text(rec["file"]) or "org chart",
            "row": int(row) if cells.text(row) else i + 2,
        })
    return records


def _cycles(posts: list[dict[str, Any]], parent: Mapping[str, str | None],
            col: Any) -> list[Problem]:
    """One problem per circle of reporting lines (each post has at most one manager)."""
    by_id = {rec["id"]: rec for rec in posts}
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = done
    problems = []
    for rec in posts:
        walk = []
        node: str | None = rec["id"]
        while node is not None and node in by_id and state.get(node) is None:
            state[node] = 1
            walk.append(node)
            node = parent.get(node)
        if node is not None and state.get(node) == 1:
            ring = walk[walk.index(node):]
            first = min(ring, key=lambda n: (by_id[n]["file"], by_id[n]["row"]))
            i = ring.index(first)
            ring = ring[i:] + ring[:i]
            chain = ", which reports to ".join(
                f"'{n}' (row {by_id[n]['row']})" for n in ring)
            head = by_id[first]
            if len(ring) == 1:
                text = f"post '{first}' reports to itself"
            else:
                text = f"reporting lines go round in a circle: {chain}, which reports to '{first}'"
            problems.append(Problem(head["file"], head["row"], col(head["file"], "reports_to"),
                                    f"{text}; expected every chain of managers to end at a top "
                                    f"post (blank or XX)"))
        for n in walk:
            state[n] = 2
    return problems


def _roles_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = TABLES["roles"].columns
    frame = pd.DataFrame(rows, columns=columns)
    frame["headcount"] = frame["headcount"].astype(float)
    return frame


def _serves_frame(edges: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(edges, columns=TABLES["serves"].columns)


def unflip(roles: pd.DataFrame, serves: pd.DataFrame) -> pd.DataFrame:
    """Turn the pyramid back into a reports-to chart (the inverse of :func:`flip`).

    Customer roles and the edges into them are dropped; each other role reports to the first
    non-customer role that serves it (blank when none does).

    Returns
    -------
    pandas.DataFrame
        ``id, title, reports_to, headcount, unit, grade`` in the order of ``roles``.

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["customer", "gm", "desk"],
    ...                       "name": ["Customers", "GM", "Desk"],
    ...                       "level": ["customer", "executive", "frontline"],
    ...                       "headcount": [0.0, 1.0, 6.0]})
    >>> serves = pd.DataFrame({"from_role": ["gm", "desk"], "to_role": ["desk", "customer"]})
    >>> unflip(roles, serves)[["id", "reports_to", "headcount"]].values.tolist()
    [['gm', '', 1.0], ['desk', 'gm', 6.0]]
    """
    roles = roles.reindex(columns=TABLES["roles"].columns) if len(roles.columns) else \
        pd.DataFrame(columns=TABLES["roles"].columns)
    serves = serves.reindex(columns=TABLES["serves"].columns) if len(serves.columns) else \
        pd.DataFrame(columns=TABLES["serves"].columns)
    customer_ids = {cells.text(r) for r, lv in zip(roles["role_id"], roles["level"], strict=True)
                    if cells.text(lv).lower() == "customer"}
    manager: dict[str, str] = {}
    for source, target in serves.itertuples(index=False, name=None):
        source, target = cells.text(source), cells.text(target)
        if source in customer_ids or target in customer_ids:
            continue
        manager.setdefault(target, source)
    rows = []
    for rec in roles.to_dict("records"):
        rid = cells.text(rec["role_id"])
        if not rid or rid in customer_ids:
            continue
        headcount = rec["headcount"]
        rows.append({"id": rid, "title": cells.text(rec["name"]), "reports_to": manager.get(rid, ""),
                     "headcount": 0.0 if cells.text(headcount) == "" else float(headcount),
                     "unit": cells.text(rec["unit"]) or None, "grade": cells.text(rec["grade"]) or None})
    frame = pd.DataFrame(rows, columns=list(CHART_COLUMNS))
    frame["headcount"] = frame["headcount"].astype(float)
    return frame


# ---------------------------------------------------------------------------------------------
# reading files


def _read(path: str | Path) -> tuple[CsvTable, str]:
    shown = os.fspath(path)
    table = read_csv(Path(path), shown)
    if table.raw is None and not table.problems:
        raise OrgChartError([Problem(shown, None, None, "file not found")])
    errors = [p for p in table.problems if p.is_error]
    if errors:
        raise OrgChartError(table.problems)
    if not table.header:
        raise OrgChartError([Problem(shown, 1, None, "the file is empty; expected a header row "
                                                     "and one row per post")])
    return table, shown


def _find(header: list[str], wanted: Iterable[str]) -> int | None:
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
                index = _find(header, [choice])
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
    table, shown = _read(path)
    given = {"id": id, "title": title, "reports_to": reports_to, "headcount": headcount,
             "unit": unit, "grade": grade}
    try:
        cols = detect_columns(table.header, **given)
    except KeyError as exc:
        name = exc.args[0]
        option = next(_OPTION[f] for f, v in given.items() if v == name)
        listed = ", ".join(repr(h) for h in table.header if h)
        raise OrgChartError([Problem(shown, 1, name, f"no column named {name!r} (given with "
                                     f"{option}); the header has: {listed}")]) from None
    missing = []
    for name, words in (("title", "'title', 'job title' or 'name'"),
                        ("reports_to", "'reports to', 'manager id', 'manager' or 'parent'")):
        if cols[name] is None:
            label = name.replace("_", " ")
            missing.append(Problem(shown, 1, label,
                                   f"missing column; expected a header cell such as {words} "
                                   f"(or name it with {_OPTION[name]})"))
    if missing:
        raise OrgChartError(missing + table.problems)
    index = {name: table.header.index(h) for name, h in cols.items() if h is not None}
    rows = []
    for record, row in zip(table.records, table.rows, strict=True):
        rows.append({
            "id": record[index["id"]],
            "title": record[index["title"]],
            "reports_to": record[index["reports_to"]],
            "headcount": record[index["headcount"]] if "headcount" in index else 1.0,
            "unit": record[index["unit"]] if "unit" in index else "",
            "grade": record[index["grade"]] if "grade" in index else "",
            "file": shown,
            "row": row,
        })
    chart = pd.DataFrame(rows, columns=[*CHART_COLUMNS, "file", "row"])
    names = {shown: {name: h for name, h in cols.items() if h is not None}}
    flipped = flip(chart, customer_facing_units=customer_facing_units,
                   attach_unknown=attach_unknown, columns=names)
    return _with_warnings(flipped, table.problems)


def _with_warnings(flipped: Flipped, extra: Iterable[Problem],
                   source_rows: int | None = None) -> Flipped:
    return Flipped(flipped.roles, flipped.serves, tuple(extra) + flipped.warnings,
                   flipped.source_rows if source_rows is None else source_rows,
                   flipped.source_fte)


def _uk_columns(table: CsvTable, spec: Mapping[str, tuple[str, ...]], shown: str,
                required: Iterable[str], kind: str) -> dict[str, int]:
    found: dict[str, int] = {}
    problems = []
    for name, candidates in spec.items():
        index = _find(table.header, candidates)
        if index is not None:
            found[name] = index
        elif name in required:
            problems.append(Problem(shown, 1, candidates[0],
                                    f"missing column; expected a {candidates[0]!r} header cell in "
                                    f"the {kind} organogram file"))
    if problems:
        raise OrgChartError(problems)
    return found


def _kind(table: CsvTable) -> str | None:
    if _find(table.header, UK_SENIOR["id"]) is not None:
        return "senior"
    if _find(table.header, UK_JUNIOR["reports_to"]) is not None:
        return "junior"
    return None


@dataclass
class _Post:
    """A senior post, possibly merged from several rows (job shares)."""

    id: str
    rows: list[int]
    title: str
    reports_to: str
    unit: str
    grade: str
    fte: float
    status: list[str] = field(default_factory=list)  # per row: "vacant", "eliminated" or ""

    @property
    def vacancy(self) -> str:
        """The status all its rows share ("" when they differ or none is vacant)."""
        kinds = set(self.status)
        return kinds.pop() if len(kinds) == 1 else ""


def read_uk_organogram(
    senior: str | Path,
    junior: str | Path | None = None,
    *,
    customer_facing_units: Iterable[str] | None = None,
    attach_unknown: bool = False,
) -> Flipped:
    """Read a UK government organogram (senior + junior CSV pair) and flip it.

    The two files may be given in either order: the senior file is recognised by its ``Post
    Unique Reference`` column, the junior by ``Reporting Senior Post``. Header drift between
    years is accepted (``Grade`` or ``Grade (or equivalent)``, any case/spacing, an unnamed
    index column, blank columns, multi-line quoted cells, extra columns).

    Each senior post becomes a role (``Job Title``, ``Grade``, ``Unit``, ``FTE``); the top post
    reports to ``XX`` (any case). Each junior row — junior posts of one grade and job title,
    aggregated per reporting senior post — becomes a role ``<senior id>/J<row>`` with its
    ``Number of Posts in FTE`` as headcount, reporting to that senior post. FTE is kept exactly:
    the roles' headcount adds up to the FTE of both files.

    Odd rows, all reported as warnings:

    - **repeated post id**: rows with the same id, title and manager are one post held by
      several people (a job share): merged, FTE added. Rows with the same id but a different
      title or manager are different posts: the first keeps the id, the others become
      ``<id>#<row>``; a row reporting to such an id goes to the one in its own unit, else to the
      one nearest the top of the chart, else the first;
    - **vacant or eliminated** posts (``Name`` says so): kept with their published FTE, the
      role named e.g. "Head of Sourcing (vacant)";
    - **FTE not disclosed** (``N/D`` or blank): counted as 0; **zero FTE**: kept with 0;
    - **unknown reporting post**: an error naming the row, or with ``attach_unknown`` a
      placeholder role (see :func:`flip`).

    Raises
    ------
    OrgChartError
        Missing files or columns, FTE that is not a number, blank post ids, unknown reporting
        posts (without ``attach_unknown``), circles.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "s.csv").write_text(
    ...     ",Post Unique Reference,Name,Grade,Job Title,Unit,Reports to Senior Post,FTE\\n"
    ...     "0,P1,A Person,SCS2,Chief Executive,Board,XX,1\\n"
    ...     "1,P2,Vacant,SCS1,Director of Service,Service,P1,1\\n")
    >>> _ = (d / "j.csv").write_text(
    ...     "Unit,Reporting Senior Post,Grade,Generic Job Title,Number of Posts in FTE\\n"
    ...     "Service,P2,AO,Adviser,12.5\\n")
    >>> out = read_uk_organogram(d / "s.csv", d / "j.csv")
    >>> out.roles[["role_id", "name", "level", "headcount"]].values.tolist()
    [['customer', 'Customers', 'customer', 0.0], ['P1', 'Chief Executive', 'executive', 1.0], ['P2', 'Director of Service (vacant)', 'manager', 1.0], ['P2/J2', 'Adviser', 'frontline', 12.5]]
    >>> out.total_fte == out.source_fte == 14.5
    True
    """
    tables = [_read(senior)]
    if junior is not None:
        tables.append(_read(junior))
    kinds = [_kind(t) for t, _ in tables]
    for (_, shown), kind in zip(tables, kinds, strict=True):
        if kind is None:
            raise OrgChartError([Problem(
                shown, 1, "Post Unique Reference",
                "does not look like an organogram file; expected a 'Post Unique Reference' "
                "column (senior posts) or a 'Reporting Senior Post' column (junior posts)")])
    if kinds.count("senior") != 1 or kinds.count("junior") > 1:
        shown = tables[-1][1]
        want = "senior" if "senior" not in kinds else "junior"
        raise OrgChartError([Problem(
            shown, 1, None,
            f"expected one senior file and one junior file, but got {' and '.join(kinds)}; "
            f"give the {want} file too")])
    senior_table, senior_shown = tables[kinds.index("senior")]
    junior_pair = tables[kinds.index("junior")] if "junior" in kinds else None

    s_cols = _uk_columns(senior_table, UK_SENIOR, senior_shown, _UK_REQUIRED_SENIOR, "senior")
    names: dict[str, dict[str, str]] = {
        senior_shown: {k: senior_table.header[i] for k, i in s_cols.items()}}
    problems: list[Problem] = []
    warnings: list[Problem] = list(senior_table.problems)
    rows: list[dict[str, Any]] = []

    # --- senior posts: parse FTE, then settle repeated ids
    undisclosed: dict[str, list[int]] = {}
    raw_posts: list[_Post] = []
    for record, row in zip(senior_table.records, senior_table.rows, strict=True):
        def cell(name: str, record: list[str] = record) -> str:
            return record[s_cols[name]] if name in s_cols else ""
        fte = _uk_fte(cell("headcount"), senior_shown, row, names[senior_shown]["headcount"],
                      problems, undisclosed)
        status = _VACANT.get(cell("name").strip().strip('"').strip().lower(), "")
        pid = cell("id")
        if not pid:
            problems.append(Problem(senior_shown, row, names[senior_shown]["id"],
                                    "blank; expected the post's unique reference"))
            continue
        raw_posts.append(_Post(pid, [row], cell("title"), cell("reports_to"), cell("unit"),
                               cell("grade"), fte, [status]))
    posts, resolve, dup_warnings = _settle_ids(raw_posts, senior_shown, names[senior_shown])
    warnings.extend(dup_warnings)

    vacant: dict[str, list[int]] = {}
    for post in posts:
        title = post.title
        status = post.vacancy
        if status:
            title = f"{title or 'Post ' + post.id} ({status})"
            vacant.setdefault(status, []).extend(post.rows)
        ref = resolve(post.reports_to, post.unit, post.id)
        rows.append({"id": post.id, "title": title, "reports_to": ref, "headcount": post.fte,
                     "unit": post.unit, "grade": post.grade, "file": senior_shown,
                     "row": post.rows[0]})
    for status, vrows in vacant.items():
        warnings.append(_grouped(senior_shown, sorted(vrows), names[senior_shown].get("name"),
                                 f"{len(vrows)} post(s) are marked {status}; kept with their "
                                 f"published FTE and '({status})' added to the role's name"))

    # --- junior posts
    if junior_pair is None:
        warnings.append(Problem(senior_shown, None, None,
                                "no junior file given: only senior posts were imported",
                                "warning"))
    else:
        j_table, j_shown = junior_pair
        warnings.extend(j_table.problems)
        j_cols = _uk_columns(j_table, UK_JUNIOR, j_shown, _UK_REQUIRED_JUNIOR, "junior")
        names[j_shown] = {k: j_table.header[i] for k, i in j_cols.items()}
        names[j_shown]["id"] = names[j_shown]["reports_to"]
        names[j_shown]["expected_ref"] = (
            f"the {names[senior_shown]['id']!r} of a post in {senior_shown}")
        taken = {r["id"] for r in rows}
        for record, row in zip(j_table.records, j_table.rows, strict=True):
            def cell(name: str, record: list[str] = record) -> str:
                return record[j_cols[name]] if name in j_cols else ""
            fte = _uk_fte(cell("headcount"), j_shown, row, names[j_shown]["headcount"], problems,
                          undisclosed)
            ref_raw = cell("reports_to")
            jid = f"{ref_raw or 'unknown'}/J{row}"
            while jid in taken:
                jid += "_"
            taken.add(jid)
            title = cell("title") or (f"{cell('grade')} staff" if cell("grade") else "Junior staff")
            if ref_raw:
                ref = resolve(ref_raw, cell("unit"), None)
            elif attach_unknown:
                ref = "(blank)"
            else:
                problems.append(Problem(j_shown, row, names[j_shown]["reports_to"],
                                        "blank; expected the Post Unique Reference of the senior "
                                        "post these junior posts report to"))
                continue
            rows.append({"id": jid, "title": title, "reports_to": ref, "headcount": fte,
                         "unit": cell("unit"), "grade": cell("grade"), "file": j_shown,
                         "row": row})
    for path, urows in undisclosed.items():
        warnings.append(_grouped(path, urows, names[path]["headcount"],
                                 f"{len(urows)} row(s) publish no FTE (N/D or blank); counted "
                                 f"as 0"))
    if problems:
        raise OrgChartError(sorted(problems, key=_problem_order) + warnings)
    chart = pd.DataFrame(rows, columns=[*CHART_COLUMNS, "file", "row"])
    flipped = flip(chart, customer_facing_units=customer_facing_units,
                   attach_unknown=attach_unknown, columns=names)
    file_rows = len(senior_table.records) + (len(junior_pair[0].records) if junior_pair else 0)
    return _with_warnings(flipped, warnings, file_rows)


def _uk_fte(text: str, shown: str, row: int, column: str, problems: list[Problem],
            undisclosed: dict[str, list[int]]) -> float:
    if text.strip().lower() in NOT_DISCLOSED:
        undisclosed.setdefault(shown, []).append(row)
        return 0.0
    number = _parse_number(text)
    if number is None:
        problems.append(Problem(shown, row, column, f"'{text}' is not a number; expected the "
                                                    f"full-time equivalent, such as 1 or 0.5"))
        return 0.0
    if number < 0:
        problems.append(Problem(shown, row, column, f"{text} is negative; expected an FTE of 0 "
                                                    f"or more"))
    return number


def _settle_ids(raw: list[_Post], shown: str, names: Mapping[str, str]):
    """Merge job shares, split different posts sharing an id; return a reference resolver."""
    groups: dict[str, list[_Post]] = {}
    for post in raw:
        groups.setdefault(post.id, []).append(post)
    posts: list[_Post] = []
    variants: dict[str, list[_Post]] = {}
    warnings: list[Problem] = []
    merged_rows: list[int] = []
    for pid, same in groups.items():
        kinds: dict[tuple[str, str], _Post] = {}
        for post in same:
            k = (post.title.lower(), post.reports_to.lower())
            if k in kinds:
                kept = kinds[k]
                kept.rows.extend(post.rows)
                kept.fte += post.fte
                kept.status.extend(post.status)
            else:
                kinds[k] = post
        distinct = list(kinds.values())
        merged_rows.extend(r for post in distinct if len(post.rows) > 1 for r in post.rows)
        if len(distinct) > 1:
            for post in distinct[1:]:
                post.id = f"{pid}#{post.rows[0]}"
            ids = ", ".join(f"'{p.id}' (row {p.rows[0]})" for p in distinct)
            warnings.append(Problem(
                shown, distinct[1].rows[0], names.get("id"),
                f"post id '{pid}' is used by {len(distinct)} different posts; they are kept "
                f"apart as {ids}. Rows reporting to '{pid}' go to the one in their own unit, "
                f"else to the one nearest the top", "warning"))
        variants[pid] = distinct
        posts.extend(distinct)
    if merged_rows:
        warnings.append(_grouped(shown, sorted(merged_rows), names.get("id"),
                                 "rows with the same post id, title and manager were merged into "
                                 "one role each (a job share), their FTE added"))

    def depth(post: _Post) -> int:
        seen = {post.id}
        steps = 0
        ref = post.reports_to
        while True:
            options = variants.get(ref)
            if not options:
                return steps  # top marker (or unknown): the top
            if len(options) > 1:
                return steps + 1  # ambiguous further up: at least one more step
            nxt = options[0]
            if nxt.id in seen:
                return 10**6
            seen.add(nxt.id)
            steps += 1
            ref = nxt.reports_to

    def resolve(ref: str, unit: str, own: str | None) -> str:
        options = [p for p in variants.get(ref, []) if p.id != own]
        if not options:
            return ref
        if len(options) == 1:
            return options[0].id
        same_unit = [p for p in options if unit and p.unit == unit]
        if len(same_unit) == 1:
            return same_unit[0].id
        return min(same_unit or options, key=lambda p: (depth(p), p.rows[0])).id

    return posts, resolve, warnings


# ---------------------------------------------------------------------------------------------
# writing


def _format_number(value: Any) -> str:
    """Headcount as short text: ``1``, ``0.5``, ``88895.37`` (rounded to 6 decimals)."""
    number = float(value) if cells.text(value) else 0.0
    text = f"{round(number, 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def write_tables(roles: pd.DataFrame, serves: pd.DataFrame, team_dir: str | Path, *,
                 force: bool = False) -> tuple[Path, Path]:
    """Write ``roles.csv`` and ``serves.csv`` into a team folder, each atomically.

    Columns are written in the order of :mod:`kit.schema`; missing values as blank cells.

    Parameters
    ----------
    roles, serves : pandas.DataFrame
    team_dir : str or pathlib.Path
        Created if needed.
    force : bool
        Replace existing ``roles.csv``/``serves.csv``; without it they are left alone and
        :class:`OrgChartError` is raised.

    Returns
    -------
    tuple of pathlib.Path
        The two files written.

    Examples
    --------
    >>> import tempfile
    >>> roles = pd.DataFrame({"role_id": ["c", "a"], "name": ["Customers", "Agent"],
    ...                       "level": ["customer", "frontline"], "headcount": [0.0, 2.5]})
    >>> serves = pd.DataFrame({"from_role": ["a"], "to_role": ["c"]})
    >>> r, s = write_tables(roles, serves, tempfile.mkdtemp())
    >>> print(r.read_text(), end="")
    role_id,name,level,headcount,unit,grade
    c,Customers,customer,0,,
    a,Agent,frontline,2.5,,
    """
    team_dir = Path(team_dir)
    targets = (team_dir / TABLES["roles"].filename, team_dir / TABLES["serves"].filename)
    existing = [p for p in targets if p.exists()]
    if existing and not force:
        raise OrgChartError([
            Problem(os.fspath(p), None, None, "already exists; refusing to overwrite it "
                                              "(use --force to replace it)")
            for p in existing])
    role_cols = TABLES["roles"].columns
    serve_cols = TABLES["serves"].columns
    roles = roles.reindex(columns=role_cols)
    serves = serves.reindex(columns=serve_cols)
    role_rows = [
        [_format_number(v) if c == "headcount" else cells.text(v) for c, v in zip(role_cols, rec,
                                                                            strict=True)]
        for rec in roles.itertuples(index=False, name=None)]
    serve_rows = [[cells.text(v) for v in rec] for rec in serves.itertuples(index=False, name=None)]
    atomic_write(targets[0], csv_text(role_cols, role_rows))
    atomic_write(targets[1], csv_text(serve_cols, serve_rows))
    return targets
