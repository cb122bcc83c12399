"""Reading a UK government organogram: the published senior and junior CSV files as one chart.

:func:`read_uk_organogram` tells the two files apart, settles repeated post ids (job shares
merged, different posts kept apart) and vacant posts, hands a tidy chart to
:func:`kit.analyses.orgchart.flip` and returns its :class:`~kit.analyses.orgchart.Flipped` with every warning.
The files are read with :func:`kit.analyses.orgchart.read.read_table`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from kit.analyses.orgchart.flip import flip
from kit.analyses.orgchart.model import (
    CHART_COLUMNS,
    NOT_DISCLOSED,
    Flipped,
    grouped,
    parse_number,
    problem_order,
    unique_id,
    with_warnings,
)
from kit.analyses.orgchart.read import find_column, read_table
from kit.exceptions import OrgChartError
from kit.store.csvio import CsvTable
from kit.store.problems import Problem

__all__ = ["UK_JUNIOR", "UK_SENIOR", "read_uk_organogram"]

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


def _uk_columns(
    table: CsvTable,
    spec: Mapping[str, tuple[str, ...]],
    shown: str,
    required: Iterable[str],
    kind: str,
) -> dict[str, int]:
    found: dict[str, int] = {}
    problems = []
    for name, candidates in spec.items():
        index = find_column(table.header, candidates)
        if index is not None:
            found[name] = index
        elif name in required:
            problems.append(
                Problem(
                    shown,
                    1,
                    candidates[0],
                    f"missing column; expected a {candidates[0]!r} header cell in "
                    f"the {kind} organogram file",
                )
            )
    if problems:
        raise OrgChartError(problems)
    return found


def _kind(table: CsvTable) -> str | None:
    if find_column(table.header, UK_SENIOR["id"]) is not None:
        return "senior"
    if find_column(table.header, UK_JUNIOR["reports_to"]) is not None:
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
    (senior_table, senior_shown), junior_pair = _uk_pair(senior, junior)
    s_cols = _uk_columns(senior_table, UK_SENIOR, senior_shown, _UK_REQUIRED_SENIOR, "senior")
    run = _UkRun({senior_shown: {k: senior_table.header[i] for k, i in s_cols.items()}})
    run.warnings.extend(senior_table.problems)
    raw = _senior_posts(run, senior_table, senior_shown, s_cols)
    posts, resolve, dup_warnings = _settle_ids(raw, senior_shown, run.names[senior_shown])
    run.warnings.extend(dup_warnings)
    rows = _senior_rows(run, posts, resolve, senior_shown)
    if junior_pair is None:
        run.warnings.append(
            Problem(
                senior_shown,
                None,
                None,
                "no junior file given: only senior posts were imported",
                "warning",
            )
        )
    else:
        rows += _junior_rows(
            run, junior_pair, senior_shown, resolve, {r["id"] for r in rows}, attach_unknown
        )
    for path, urows in run.undisclosed.items():
        run.warnings.append(
            grouped(
                path,
                urows,
                run.names[path]["headcount"],
                f"{len(urows)} row(s) publish no FTE (N/D or blank); counted as 0",
            )
        )
    if run.problems:
        raise OrgChartError(sorted(run.problems, key=problem_order) + run.warnings)
    chart = pd.DataFrame(rows, columns=[*CHART_COLUMNS, "file", "row"])
    flipped = flip(
        chart,
        customer_facing_units=customer_facing_units,
        attach_unknown=attach_unknown,
        columns=run.names,
    )
    file_rows = len(senior_table.records) + (len(junior_pair[0].records) if junior_pair else 0)
    return with_warnings(flipped, run.warnings, file_rows)


@dataclass
class _UkRun:
    """A UK organogram pair being read: header names per file, what was found."""

    names: dict[str, dict[str, str]]
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    undisclosed: dict[str, list[int]] = field(default_factory=dict)

    def fte(self, text: str, shown: str, row: int) -> float:
        """An FTE cell as a number: not disclosed counts 0 (warned), bad text is an error."""
        column = self.names[shown]["headcount"]
        if text.strip().lower() in NOT_DISCLOSED:
            self.undisclosed.setdefault(shown, []).append(row)
            return 0.0
        number = parse_number(text)
        if number is None:
            self.problems.append(
                Problem(
                    shown,
                    row,
                    column,
                    f"'{text}' is not a number; "
                    f"expected the full-time equivalent, such as 1 or 0.5",
                )
            )
            return 0.0
        if number < 0:
            self.problems.append(
                Problem(shown, row, column, f"{text} is negative; expected an FTE of 0 or more")
            )
        return number


def _uk_pair(senior: str | Path, junior: str | Path | None):
    """Read the files and tell the senior from the junior one (given in either order)."""
    tables = [read_table(senior)]
    if junior is not None:
        tables.append(read_table(junior))
    kinds = [_kind(t) for t, _ in tables]
    for (_, shown), kind in zip(tables, kinds, strict=True):
        if kind is None:
            raise OrgChartError(
                [
                    Problem(
                        shown,
                        1,
                        "Post Unique Reference",
                        "does not look like an organogram file; expected a 'Post Unique Reference' "
                        "column (senior posts) or a 'Reporting Senior Post' column (junior posts)",
                    )
                ]
            )
    if kinds.count("senior") != 1 or kinds.count("junior") > 1:
        shown = tables[-1][1]
        want = "senior" if "senior" not in kinds else "junior"
        raise OrgChartError(
            [
                Problem(
                    shown,
                    1,
                    None,
                    f"expected one senior file and one junior file, but got {' and '.join(kinds)}; "
                    f"give the {want} file too",
                )
            ]
        )
    junior_pair = tables[kinds.index("junior")] if "junior" in kinds else None
    return tables[kinds.index("senior")], junior_pair


def _cell(record: list[str], cols: Mapping[str, int], name: str) -> str:
    return record[cols[name]] if name in cols else ""


def _senior_posts(run: _UkRun, table: CsvTable, shown: str, cols: Mapping[str, int]) -> list[_Post]:
    """One :class:`_Post` per senior row (FTE parsed, vacancy read from ``Name``)."""
    posts = []
    for record, row in zip(table.records, table.rows, strict=True):
        fte = run.fte(_cell(record, cols, "headcount"), shown, row)
        status = _VACANT.get(_cell(record, cols, "name").strip().strip('"').strip().lower(), "")
        pid = _cell(record, cols, "id")
        if not pid:
            run.problems.append(
                Problem(
                    shown,
                    row,
                    run.names[shown]["id"],
                    "blank; expected the post's unique reference",
                )
            )
            continue
        posts.append(
            _Post(
                pid,
                [row],
                _cell(record, cols, "title"),
                _cell(record, cols, "reports_to"),
                _cell(record, cols, "unit"),
                _cell(record, cols, "grade"),
                fte,
                [status],
            )
        )
    return posts


def _senior_rows(
    run: _UkRun, posts: list[_Post], resolve: Callable[..., str], shown: str
) -> list[dict[str, Any]]:
    """Chart rows of the settled senior posts; vacant and eliminated posts are named so."""
    rows = []
    vacant: dict[str, list[int]] = {}
    for post in posts:
        title = post.title
        if post.vacancy:
            title = f"{title or 'Post ' + post.id} ({post.vacancy})"
            vacant.setdefault(post.vacancy, []).extend(post.rows)
        rows.append(
            {
                "id": post.id,
                "title": title,
                "reports_to": resolve(post.reports_to, post.unit, post.id),
                "headcount": post.fte,
                "unit": post.unit,
                "grade": post.grade,
                "file": shown,
                "row": post.rows[0],
            }
        )
    for status, vrows in vacant.items():
        run.warnings.append(
            grouped(
                shown,
                sorted(vrows),
                run.names[shown].get("name"),
                f"{len(vrows)} post(s) are marked {status}; kept with their "
                f"published FTE and '({status})' added to the role's name",
            )
        )
    return rows


def _junior_rows(
    run: _UkRun,
    pair: tuple[CsvTable, str],
    senior_shown: str,
    resolve: Callable[..., str],
    taken: set[str],
    attach_unknown: bool,
) -> list[dict[str, Any]]:
    """One chart row per junior row: a role ``<senior id>/J<row>`` under its senior post."""
    table, shown = pair
    run.warnings.extend(table.problems)
    cols = _uk_columns(table, UK_JUNIOR, shown, _UK_REQUIRED_JUNIOR, "junior")
    names = run.names[shown] = {k: table.header[i] for k, i in cols.items()}
    names["id"] = names["reports_to"]
    names["expected_ref"] = f"the {run.names[senior_shown]['id']!r} of a post in {senior_shown}"
    rows = []
    for record, row in zip(table.records, table.rows, strict=True):
        fte = run.fte(_cell(record, cols, "headcount"), shown, row)
        ref_raw, grade = _cell(record, cols, "reports_to"), _cell(record, cols, "grade")
        jid = unique_id(f"{ref_raw or 'unknown'}/J{row}", taken)
        if ref_raw:
            ref = resolve(ref_raw, _cell(record, cols, "unit"), None)
        elif attach_unknown:
            ref = "(blank)"
        else:
            run.problems.append(
                Problem(
                    shown,
                    row,
                    names["reports_to"],
                    "blank; expected the Post Unique Reference of the senior "
                    "post these junior posts report to",
                )
            )
            continue
        title = _cell(record, cols, "title") or (f"{grade} staff" if grade else "Junior staff")
        rows.append(
            {
                "id": jid,
                "title": title,
                "reports_to": ref,
                "headcount": fte,
                "unit": _cell(record, cols, "unit"),
                "grade": grade,
                "file": shown,
                "row": row,
            }
        )
    return rows


def _merge_shares(same: list[_Post]) -> list[_Post]:
    """Rows with one id, title and manager are one post (a job share): merged, FTE added."""
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
    return list(kinds.values())


class _Resolver:
    """Which post a reporting reference means when several posts share an id."""

    def __init__(self, variants: Mapping[str, list[_Post]]) -> None:
        self.variants = variants

    def depth(self, post: _Post) -> int:
        """Steps from ``post`` to the top (one more when ambiguous above; huge in a circle)."""
        seen = {post.id}
        steps = 0
        ref = post.reports_to
        while True:
            options = self.variants.get(ref)
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

    def resolve(self, ref: str, unit: str, own: str | None) -> str:
        """The id ``ref`` stands for: the only post, else the one in ``unit``, else the one
        nearest the top, else the first."""
        options = [p for p in self.variants.get(ref, []) if p.id != own]
        if not options:
            return ref
        if len(options) == 1:
            return options[0].id
        same_unit = [p for p in options if unit and p.unit == unit]
        if len(same_unit) == 1:
            return same_unit[0].id
        return min(same_unit or options, key=lambda p: (self.depth(p), p.rows[0])).id


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
        distinct = _merge_shares(same)
        merged_rows.extend(r for post in distinct if len(post.rows) > 1 for r in post.rows)
        if len(distinct) > 1:
            for post in distinct[1:]:
                post.id = f"{pid}#{post.rows[0]}"
            ids = ", ".join(f"'{p.id}' (row {p.rows[0]})" for p in distinct)
            warnings.append(
                Problem(
                    shown,
                    distinct[1].rows[0],
                    names.get("id"),
                    f"post id '{pid}' is used by {len(distinct)} different posts; they are kept "
                    f"apart as {ids}. Rows reporting to '{pid}' go to the one in their own unit, "
                    f"else to the one nearest the top",
                    "warning",
                )
            )
        variants[pid] = distinct
        posts.extend(distinct)
    if merged_rows:
        warnings.append(
            grouped(
                shown,
                sorted(merged_rows),
                names.get("id"),
                "rows with the same post id, title and manager were merged into "
                "one role each (a job share), their FTE added",
            )
        )
    return posts, _Resolver(variants).resolve, warnings
