"""Flipping a reports-to chart into the upside-down pyramid, one function per phase.

:func:`flip` runs the phases in order — ids, headcounts, titles, reporting lines (with circles
found by :func:`networkx.simple_cycles`), placeholders for unknown managers, levels, edges —
collecting errors and warnings on a :class:`_Run` as it goes; errors stop it after the reporting
lines, before anything is built. See :mod:`kit.analyses.orgchart` for the rules.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from kit.analyses.orgchart.model import (
    CHART_COLUMNS,
    CUSTOMER_ID,
    CUSTOMER_NAME,
    TOP_MARKERS,
    Flipped,
    grouped,
    matches_units,
    parse_number,
    problem_order,
    roles_frame,
    serves_frame,
    unique_id,
)
from kit.exceptions import OrgChartError
from kit.store import cells
from kit.store.problems import Problem

__all__ = ["Record", "flip"]

Record = dict[str, Any]


@dataclass
class _Run:
    """One flip in progress: the chart's records, header names for messages, what was found."""

    records: list[Record]
    names: Mapping[str, Mapping[str, str]]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def col(self, path: str, name: str) -> str:
        """The header name of field ``name`` in file ``path`` (for messages)."""
        return self.names.get(path, {}).get(name, name)

    def error(self, rec: Record, name: str, message: str) -> None:
        self.problems.append(Problem(rec["file"], rec["row"], self.col(rec["file"], name), message))

    def warn_rows(
        self, rows_by_file: Mapping[str, list[int | None]], name: str, message: Any
    ) -> None:
        """One grouped warning per file; ``message(rows)`` gives its text."""
        for path, rows in rows_by_file.items():
            self.warnings.append(grouped(path, rows, self.col(path, name), message(rows)))

    def stop_if_problems(self) -> None:
        if self.problems:
            raise OrgChartError(sorted(self.problems, key=problem_order) + self.warnings)


def _by_file(recs: Iterable[Record]) -> dict[str, list[int | None]]:
    rows: dict[str, list[int | None]] = {}
    for rec in recs:
        rows.setdefault(rec["file"], []).append(rec["row"])
    return rows


# ---------------------------------------------------------------------------------------------
# the phases


def _ids(run: _Run) -> dict[str, Record]:
    """Phase 1: every post needs an id, used once. Returns id -> its (first) record."""
    first_row: dict[str, Record] = {}
    for rec in run.records:
        if not rec["id"]:
            run.error(rec, "id", "blank; expected an id for this post")
        elif rec["id"] in first_row:
            first = first_row[rec["id"]]
            where = f"row {first['row']}" + (
                "" if first["file"] == rec["file"] else f" of {first['file']}"
            )
            run.error(
                rec,
                "id",
                f"id '{rec['id']}' is already used on {where}; expected each post's id once",
            )
        else:
            first_row[rec["id"]] = rec
    return first_row


def _headcount(run: _Run, rec: Record) -> tuple[float, str]:
    """A record's headcount as a number (0 when missing or bad) and how it was judged."""
    value = rec["headcount"]
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = None if math.isnan(value) else float(value)
        text = "" if number is None else str(value)
    else:
        text = cells.text(value)
        number = parse_number(text) if text else None
    if number is None and text:
        run.error(
            rec,
            "headcount",
            f"'{text}' is not a number; expected a headcount or FTE such as 1 or 0.5",
        )
        return 0.0, "bad"
    if number is None:
        return 0.0, "blank"
    if number < 0:
        run.error(rec, "headcount", f"{text} is negative; expected a headcount of 0 or more")
        return number, "bad"
    return number, "zero" if number == 0 else "ok"


def _headcounts(run: _Run) -> None:
    """Phase 2: ``rec["fte"]`` for every record; blank and zero headcounts are warned about."""
    found: dict[str, list[Record]] = {"blank": [], "zero": []}
    for rec in run.records:
        rec["fte"], kind = _headcount(run, rec)
        found.get(kind, []).append(rec)
    run.warn_rows(
        _by_file(found["blank"]),
        "headcount",
        lambda rows: f"{len(rows)} post(s) have no headcount; counted as 0",
    )
    run.warn_rows(
        _by_file(found["zero"]),
        "headcount",
        lambda rows: f"{len(rows)} post(s) have a headcount of 0; kept as roles with headcount 0",
    )


def _titles(run: _Run) -> None:
    """Phase 3: a post without a title is named ``Post <id>``, with a warning."""
    untitled = [rec for rec in run.records if not rec["title"]]
    for rec in untitled:
        rec["title"] = f"Post {rec['id']}" if rec["id"] else "Untitled post"
    run.warn_rows(
        _by_file(untitled),
        "title",
        lambda rows: f"{len(rows)} post(s) have no title; named 'Post <id>'",
    )


@dataclass
class _Lines:
    """The reporting lines: each post's manager (``None`` at the top) and unknown managers."""

    posts: list[Record]
    parent: dict[str, str | None]
    unknown: dict[str, list[Record]]


def _reporting_lines(run: _Run, first_row: Mapping[str, Record], attach_unknown: bool) -> _Lines:
    """Phase 4: who reports to whom; a reports-to id not in the file is an error unless
    ``attach_unknown``."""
    posts = [rec for rec in run.records if rec["id"] and first_row.get(rec["id"]) is rec]
    parent: dict[str, str | None] = {}
    unknown: dict[str, list[Record]] = {}
    for rec in posts:
        ref = rec["reports_to"]
        parent[rec["id"]] = ref if ref and ref in first_row else None
        if parent[rec["id"]] is None and ref.lower() not in TOP_MARKERS:
            unknown.setdefault(ref, []).append(rec)
    if attach_unknown:
        return _Lines(posts, parent, unknown)
    for ref, recs in unknown.items():
        for rec in recs:
            expected = run.names.get(rec["file"], {}).get(
                "expected_ref",
                f"an id from the {run.col(rec['file'], 'id')!r} column (or blank/XX for the top "
                f"post)",
            )
            run.error(
                rec,
                "reports_to",
                f"'{ref}' is not the id of any post in the file; expected {expected}. To "
                f"import it anyway, attach unknown managers (--attach-unknown)",
            )
    return _Lines(posts, parent, unknown)


def _circles(run: _Run, lines: _Lines) -> None:
    """Phase 4b: one error per circle of reporting lines (:func:`networkx.simple_cycles`).

    Each post has at most one manager, so the circles are disjoint; each is told from the post
    nearest the top of its file, following the reporting lines.
    """
    by_id = {rec["id"]: rec for rec in lines.posts}
    chart = nx.DiGraph()
    chart.add_edges_from((post, boss) for post, boss in lines.parent.items() if boss is not None)
    for cycle in nx.simple_cycles(chart):
        first = min(cycle, key=lambda n: (by_id[n]["file"], by_id[n]["row"]))
        i = cycle.index(first)
        ring = cycle[i:] + cycle[:i]
        if len(ring) == 1:
            text = f"post '{first}' reports to itself"
        else:
            chain = ", which reports to ".join(f"'{n}' (row {by_id[n]['row']})" for n in ring)
            text = f"reporting lines go round in a circle: {chain}, which reports to '{first}'"
        run.error(
            by_id[first],
            "reports_to",
            f"{text}; expected every chain of managers to end at a top post (blank or XX)",
        )


def _placeholders(run: _Run, lines: _Lines, roots: list[Record], taken: set[str]) -> list[Record]:
    """Phase 5: one 0-FTE placeholder role per unknown manager, under the single top post."""
    top = roots[0]["id"] if len(roots) == 1 else None
    where = "under the top post" if top else "as a top post"
    placeholders = []
    for ref, recs in lines.unknown.items():
        pid = unique_id(f"unknown:{ref}" if ref else "unknown:(blank)", taken)
        shown = ref or "(blank)"
        placeholders.append(
            {
                "id": pid,
                "title": f"Unknown post {shown} (not in the file)",
                "fte": 0.0,
                "unit": "",
                "grade": "",
                "file": recs[0]["file"],
                "row": None,
            }
        )
        lines.parent[pid] = top
        for rec in recs:
            lines.parent[rec["id"]] = pid
        message = (
            f"report to '{shown}', which is not in the file; they were placed under a "
            f"placeholder role '{pid}' (0 FTE) {where}"
        )
        run.warn_rows(
            _by_file(recs),
            "reports_to",
            lambda rows, message=message: f"{len(rows)} post(s) {message}",
        )
    return placeholders


def _warn_roots(run: _Run, roots: list[Record]) -> None:
    """Phase 5b: several posts with nobody above them each start a pyramid of their own."""
    if len(roots) > 1:
        run.warn_rows(
            _by_file(roots),
            "reports_to",
            lambda rows: (
                f"{len(roots)} posts have nobody above them; each becomes the "
                f"top of its own pyramid"
            ),
        )


def _warn_unmatched_units(run: _Run, everyone: list[Record], patterns: list[str]) -> None:
    units = {rec["unit"] for rec in everyone if rec["unit"]}
    first = run.records[0]["file"]
    for pattern in patterns:
        if not any(matches_units(u, [pattern]) for u in units):
            run.warnings.append(
                Problem(
                    first,
                    None,
                    run.col(first, "unit"),
                    f"no unit matches the customer-facing unit '{pattern}'",
                    "warning",
                )
            )


def _levels(
    run: _Run,
    everyone: list[Record],
    parent: Mapping[str, str | None],
    patterns: list[str],
    customer: Record,
) -> list[Record]:
    """Phase 6: the roles table rows, customer first, then posts in file order (placeholders
    last): executive at the top of a chart, manager when others report to it, else frontline
    (or support outside the customer-facing units)."""
    _warn_unmatched_units(run, everyone, patterns)
    children: dict[str, int] = {}
    for ref in parent.values():
        if ref is not None:
            children[ref] = children.get(ref, 0) + 1
    roles = [customer]
    order = {rec["id"]: i for i, rec in enumerate(everyone)}
    for rec in sorted(everyone, key=lambda r: (r["row"] is None, order[r["id"]])):
        pid = rec["id"]
        if children.get(pid):
            level = "executive" if parent[pid] is None else "manager"
        elif not patterns or matches_units(rec["unit"], patterns):
            level = "frontline"
        else:
            level = "support"
        roles.append(
            {
                "role_id": pid,
                "name": rec["title"],
                "level": level,
                "headcount": float(rec["fte"]),
                "unit": rec["unit"] or None,
                "grade": rec["grade"] or None,
            }
        )
    return roles


def _edges(
    run: _Run,
    roles: list[Record],
    everyone: list[Record],
    parent: Mapping[str, str | None],
    patterns: list[str],
) -> list[tuple[str, str]]:
    """Phase 7: each manager serves its reports (in the order of the roles served), then every
    frontline role serves the customer."""
    position = {r["role_id"]: i for i, r in enumerate(roles)}
    serves = [(parent[rec["id"]], rec["id"]) for rec in everyone if parent[rec["id"]] is not None]
    serves.sort(key=lambda e: position[e[1]])
    customer = roles[0]["role_id"]
    frontline = [r["role_id"] for r in roles[1:] if r["level"] == "frontline"]
    serves.extend((pid, customer) for pid in frontline)
    if patterns and not frontline:
        first = run.records[0]["file"]
        run.warnings.append(
            Problem(
                first,
                None,
                run.col(first, "unit"),
                "no end post is in a customer-facing unit, so nobody serves the customer directly",
                "warning",
            )
        )
    return serves


# ---------------------------------------------------------------------------------------------
# flip


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
    if not records:
        return Flipped(roles_frame([]), serves_frame([]))
    run = _Run(records, dict(columns or {}))
    first_row = _ids(run)
    _headcounts(run)
    _titles(run)
    lines = _reporting_lines(run, first_row, attach_unknown)
    run.stop_if_problems()
    _circles(run, lines)
    run.stop_if_problems()

    roots = [
        rec
        for rec in lines.posts
        if lines.parent[rec["id"]] is None and rec["reports_to"] not in lines.unknown
    ]
    taken = set(first_row)
    placeholders = _placeholders(run, lines, roots, taken)
    _warn_roots(run, roots)
    everyone = lines.posts + placeholders
    patterns = list(customer_facing_units or [])
    customer = {
        "role_id": unique_id(customer_id, set(lines.parent)),
        "name": customer_name,
        "level": "customer",
        "headcount": 0.0,
        "unit": None,
        "grade": None,
    }
    roles = _levels(run, everyone, lines.parent, patterns, customer)
    serves = _edges(run, roles, everyone, lines.parent, patterns)
    return Flipped(
        roles=roles_frame(roles),
        serves=serves_frame(serves),
        warnings=tuple(run.warnings),
        source_rows=len(records),
        source_fte=math.fsum(rec["fte"] for rec in records),
    )


def _chart_records(chart: pd.DataFrame | None) -> list[Record]:
    if chart is None or len(chart) == 0:
        return []
    has_headcount = "headcount" in chart.columns
    frame = chart.reindex(columns=[*CHART_COLUMNS, "file", "row"])
    records = []
    for i, rec in enumerate(frame.to_dict("records")):
        row = rec["row"]
        records.append(
            {
                "id": cells.text(rec["id"]),
                "title": cells.text(rec["title"]),
                "reports_to": cells.text(rec["reports_to"]),
                "headcount": rec["headcount"] if has_headcount else 1.0,
                "unit": cells.text(rec["unit"]),
                "grade": cells.text(rec["grade"]),
                "file": cells.text(rec["file"]) or "org chart",
                "row": int(row) if cells.text(row) else i + 2,
            }
        )
    return records
