"""Checking a team's files: every row against its schema, then keys and references across tables.

This module knows what the bytes of a team folder *mean*; it never touches the disk
(:mod:`kit.store.storage` does). :func:`parse_team` turns the raw files of a team into typed tables
and **every** problem, each as ``path:row:column: what is wrong; expected …``. A table that could
not be read at all (binary junk, a broken header) is not used to check references, so one broken
file gives its own message and no cascade of "unknown id" errors in the others.

Examples
--------
>>> data = parse_team({"roles.csv": b"role_id,name,level\\ng,Guest,king\\n"})
>>> [str(p) for p in data.problems]
["roles.csv:2:level: got 'king'; expected one of: customer, frontline, support, manager, executive"]
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

import numpy as np
import pandas as pd
from pydantic import BaseModel, ValidationError

from kit.store.csvio import CsvTable, csv_text, parse_csv
from kit.store.problems import Problem
from kit.store.safeyaml import parse_yaml
from kit.store.schema import TABLES, TableSpec
from kit.store.terminal import clean
from kit.store.yamlcheck import check_reflections, check_team, empty_of

__all__ = [
    "FILES",
    "REFLECTIONS_FILE",
    "TEAM_FILE",
    "TeamData",
    "cell_text",
    "check_reflections",
    "check_team",
    "column_dtype",
    "cross_checks",
    "dangling",
    "empty_frame",
    "empty_of",
    "expected",
    "parse_team",
    "table_text",
    "unwrap_optional",
    "validate_rows",
]

TEAM_FILE = "team.yaml"
REFLECTIONS_FILE = "reflections.yaml"
FILES = (TEAM_FILE, REFLECTIONS_FILE, *(spec.filename for spec in TABLES.values()))
"""Every file of a team folder the kit reads and writes."""
_LIST_LIMIT = 8


# --------------------------------------------------------------------------- field descriptions
def unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """Return (base type, optional?) for ``X | None`` style annotations."""
    origin = get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return (args[0] if len(args) == 1 else annotation), True
    return annotation, False


def expected(model: type[BaseModel], column: str) -> str:
    """Describe in plain words what a column of ``model`` accepts.

    Examples
    --------
    >>> from kit.store.schema import JourneyRow
    >>> expected(JourneyRow, "emotion")
    'a whole number from -2 to 2'
    >>> expected(JourneyRow, "contact")
    'one of: direct, indirect'
    """
    info = model.model_fields[column]
    base, _ = unwrap_optional(info.annotation)
    metadata = list(info.metadata) + list(getattr(base, "__metadata__", ()))
    if hasattr(base, "__metadata__"):  # Annotated[int, Field(ge=…)] | None
        base = get_args(base)[0]
    for item in list(metadata):
        metadata += getattr(item, "metadata", [])  # FieldInfo inside Annotated
    low = next((m.ge for m in metadata if getattr(m, "ge", None) is not None), None)
    high = next((m.le for m in metadata if getattr(m, "le", None) is not None), None)
    if get_origin(base) is Literal:
        return "one of: " + ", ".join(get_args(base))
    if base is bool:
        return "yes or no (true/false, yes/no, 1/0)"
    if base is int:
        if low is not None and high is not None:
            return f"a whole number from {low} to {high}"
        return "a whole number" + (f" of at least {low}" if low is not None else "")
    if base is float:
        return "a number" + (f" of at least {low:g}" if low is not None else "")
    if base is dt.date:
        return "a date written YYYY-MM-DD, e.g. 2026-03-31"
    return "some text"


@functools.lru_cache(maxsize=256)
def column_dtype(model: type[BaseModel], column: str) -> str:
    base, optional = unwrap_optional(model.model_fields[column].annotation)
    if hasattr(base, "__metadata__"):
        base = get_args(base)[0]
    if base is int:
        return "Int64" if optional else "int64"
    if base is float:
        return "float64"
    if base is bool:
        return "bool"
    if base is dt.date:
        return "object"
    return "str"


def _friendly(error: dict[str, Any], model: type[BaseModel], column: str, raw: str) -> str:
    if raw == "":
        return f"this cell is blank; expected {expected(model, column)}"
    message = error.get("msg", "")
    if error.get("type") == "finite_number":
        return f"got {raw!r}; expected {expected(model, column)} (not infinity or nan)"
    if error.get("type") == "value_error":
        detail = message.removeprefix("Value error, ")
        return f"got {raw!r}; {detail}"
    return f"got {raw!r}; expected {expected(model, column)}"


# --------------------------------------------------------------------------- cells and frames
def cell_text(value: Any) -> str:
    """Format one value as the text written to a CSV cell (blank for missing).

    See Also
    --------
    kit.report.display.table_cell : a report table's cell (markup kept, numbers tidied).

    Examples
    --------
    >>> [cell_text(v) for v in (None, float("nan"), True, 3.0, 2.5, 7, dt.date(2026, 1, 2))]
    ['', '', 'true', '3', '2.5', '7', '2026-01-02']
    """
    if type(value) is str:  # most cells: nothing to format
        return value
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        return str(int(number)) if number.is_integer() else repr(number)
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@functools.cache
def _empty_template(name: str) -> pd.DataFrame:
    """The empty table of ``name``, built once (a fresh copy is ~20 times cheaper than a build,
    and every workbook starts from seven of them)."""
    spec = TABLES[name]
    return pd.DataFrame({c: pd.Series(dtype=column_dtype(spec.model, c)) for c in spec.columns})


def empty_frame(name: str, extra: Iterable[str] = ()) -> pd.DataFrame:
    """An empty table with the declared columns and dtypes.

    Examples
    --------
    >>> list(empty_frame("serves").columns)
    ['from_role', 'to_role']
    """
    frame = _empty_template(name).copy()
    for column in extra:
        frame[column] = pd.Series(dtype="str")
    return frame


@functools.cache
def _dtypes(name: str, text: bool = False) -> Any:
    """The pandas dtype of each declared column of ``name`` (or, with ``text``, the dtype of an
    extra column), made once: parsing a dtype's name costs a tenth of building a column."""
    if text:
        return pd.api.types.pandas_dtype("str")
    spec = TABLES[name]
    return {c: pd.api.types.pandas_dtype(column_dtype(spec.model, c)) for c in spec.columns}


def _frame(spec: TableSpec, rows: list[dict[str, Any]], extra: list[str]) -> pd.DataFrame:
    if not rows:
        return empty_frame(spec.name, extra)
    # One typed column at a time, then one frame: building an object frame and converting
    # each column in place took a third of reading a team; a column built in its dtype at once
    # costs half of one built as objects and converted.
    dtypes = _dtypes(spec.name) | dict.fromkeys(extra, _dtypes(spec.name, text=True))
    # Arrays, not Series, taken as they are (copy=False): a frame of Series copies each one.
    return pd.DataFrame(
        {
            column: pd.array([row.get(column) for row in rows], dtype=dtype)
            for column, dtype in dtypes.items()
        },
        copy=False,
    )


def table_text(name: str, frame: pd.DataFrame) -> str:
    """The CSV text a table is saved as: declared columns in schema order, then extra columns.

    Examples
    --------
    >>> df = pd.DataFrame([{"to_role": "guest", "from_role": "desk"}])
    >>> table_text("serves", df)
    'from_role,to_role\\ndesk,guest\\n'
    """
    spec = TABLES[name]
    extra = [c for c in frame.columns if c not in spec.columns]
    columns = spec.columns + extra
    missing = [c for c in spec.columns if c not in frame.columns]
    n = len(frame)
    cells = [
        [cell_text(v) for v in frame[c].tolist()] if c not in missing else [""] * n for c in columns
    ]
    return csv_text(columns, [list(row) for row in zip(*cells, strict=True)] if n else [])


# --------------------------------------------------------------------------- validation
def _header(table: CsvTable, shown: str) -> tuple[list[str], dict[str, int], list[Problem]]:
    """Name unnamed columns, find duplicated names: (header, name -> position, problems)."""
    problems = []
    header = list(table.header)
    for position, column in enumerate(header):
        if column == "":
            # Spreadsheets leave trailing empty columns; an unnamed column holding data is kept.
            header[position] = f"column_{position + 1}"
            if any(cells[position] for cells in table.records):
                problems.append(
                    Problem(
                        shown,
                        1,
                        header[position],
                        "this column has no name; its cells are kept under "
                        f"the name {header[position]!r}",
                        "warning",
                    )
                )
    seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        if column in seen:
            problems.append(
                Problem(
                    shown,
                    1,
                    column,
                    f"the column name appears twice (columns {seen[column]} and "
                    f"{position}); expected each column once",
                )
            )
        else:
            seen[column] = position
    return header, seen, problems


_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def _decimal_comma_columns(spec: TableSpec, declared: list[str]) -> list[str]:
    """The number columns (floats) where a semicolon file may write ``3,5``."""
    return [c for c in declared if column_dtype(spec.model, c) == "float64"]


def validate_rows(
    spec: TableSpec, table: CsvTable, shown: str
) -> tuple[pd.DataFrame, list[Problem]]:
    """Check header and every row of one table; return the typed frame and problems."""
    problems = list(table.problems)
    if not table.readable:
        return _broken(spec), problems
    if not table.header:
        return empty_frame(spec.name), problems
    header, seen, found = _header(table, shown)
    problems += found
    if any(p.row == 1 and p.is_error for p in problems if p.path == shown):
        return _broken(spec), problems
    missing = [c for c in spec.required_columns if c not in seen]
    for column in missing:
        problems.append(
            Problem(
                shown,
                1,
                column,
                f"required column is missing; expected a header with: {', '.join(spec.columns)}",
            )
        )
    if missing:
        return _broken(spec), problems
    blank = {
        c
        for p, c in enumerate(header)
        if not table.header[p] and not any(cells[p] for cells in table.records)
    }
    extra = [c for c in header if c not in spec.model.model_fields and c not in blank]
    for column in extra:
        if column.startswith("column_") and column not in table.header:
            continue
        problems.append(
            Problem(
                shown,
                1,
                column,
                "unknown column: kept as it is, but the kit does not use it",
                "warning",
            )
        )
    declared = [c for c in header if c in spec.model.model_fields]
    index = {c: seen[c] - 1 for c in header}
    rows: list[dict[str, Any]] = []
    partial: list[tuple[int, dict[str, Any]]] = []
    decimal = _decimal_comma_columns(spec, declared) if table.delimiter == ";" else []
    for cells, row_number in zip(table.records, table.rows, strict=True):
        values = {c: cells[index[c]] for c in declared}
        for column in decimal:  # a semicolon file from a spreadsheet that writes 3,5 for 3.5
            if _DECIMAL_COMMA.match(values[column]):
                read = values[column].replace(",", ".")
                problems.append(
                    Problem(
                        shown,
                        row_number,
                        column,
                        f"read {values[column]!r} as {read} (a decimal comma)",
                        "warning",
                    )
                )
                values[column] = read
        try:
            model = spec.model.model_validate(values)
        except ValidationError as exc:
            bad = set()
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else None
                raw = values.get(column, "") if column else ""
                bad.add(column)
                problems.append(
                    Problem(shown, row_number, column, _friendly(error, spec.model, column, raw))
                )
            partial.append((row_number, _parsed_cells(spec, values, bad)))
            continue
        record = model.model_dump()
        record.update({c: cells[index[c]] for c in extra})
        record["__row"] = row_number
        rows.append(record)
    frame = _frame(spec, rows, extra)
    frame.attrs["rows"] = [r["__row"] for r in rows]
    frame.attrs["partial"] = partial  # rows refused for their format, still checked across files
    # Ids of every record, valid or not, so one bad row does not cascade into reference errors.
    frame.attrs["ids"] = {
        c: {cells[index[c]] for cells in table.records} for c in spec.key if c in index
    }
    return frame, problems


def _parsed_cells(spec: TableSpec, values: dict[str, str], bad: set[str | None]) -> dict[str, Any]:
    """The key and reference cells of a refused row that are fine on their own, typed.

    A row refused for one cell (an emotion of 7) is still checked across files on the cells that
    parsed (its role), so ``validate`` shows both problems in one run. Cells that failed, and
    cells missing from the file, are left out: nothing is checked on a guess.
    """
    wanted = [*spec.key, *(r.column for r in spec.references)]
    cells: dict[str, Any] = {}
    for column in dict.fromkeys(wanted):
        if column in bad or column not in values:
            continue
        row = spec.model.model_construct()
        try:  # the column's own validators, without the rest of the row
            spec.model.__pydantic_validator__.validate_assignment(row, column, values[column])
        except ValidationError:
            continue
        cells[column] = getattr(row, column)
    return cells


def _broken(spec: TableSpec) -> pd.DataFrame:
    frame = empty_frame(spec.name)
    frame.attrs["broken"] = True
    return frame


def _ids_list(values: Iterable[str]) -> str:
    values = sorted(set(values))
    if not values:
        return "(none yet)"
    shown = ", ".join(values[:_LIST_LIMIT])
    return shown + (f" … ({len(values)} in all)" if len(values) > _LIST_LIMIT else "")


def _checked_rows(
    spec: TableSpec, frame: pd.DataFrame, attrs: Mapping[str, Any]
) -> list[tuple[int, Mapping[str, Any]]]:
    """(row number, key and reference cells) of every row to check across files, in file order:
    the valid rows, and the cells that parsed in rows refused for another cell."""
    rows = attrs.get("rows") or list(range(2, len(frame) + 2))
    wanted = list(dict.fromkeys([*spec.key, *(r.column for r in spec.references)]))
    values = [frame[c].tolist() for c in wanted]
    found: list[tuple[int, Mapping[str, Any]]] = [
        (number, dict(zip(wanted, cells, strict=True)))
        for number, *cells in zip(rows, *values, strict=True)
    ]
    partial = attrs.get("partial")
    return sorted(found + partial, key=lambda pair: pair[0]) if partial else found


def cross_checks(frames: dict[str, pd.DataFrame], shown: dict[str, str]) -> list[Problem]:
    """Unique keys and references between tables.

    Rows refused for their format are checked too, on the cells that parsed (see
    :func:`validate_rows`), so one run reports both kinds of problem. What
    :func:`validate_rows` noted in each frame's ``attrs`` is used up here: the frames come out
    with empty ``attrs`` (pandas copies them deeply into every column taken from a frame).

    Examples
    --------
    >>> data = parse_team({
    ...     "roles.csv": b"role_id,name,level\\ndesk,Desk,frontline\\n",
    ...     "journey.csv": b"touchpoint_id,stage,order,description,contact,role_id,emotion\\n"
    ...                    b"T1,Arrival,1,Check-in,direct,dsek,7\\n"})
    >>> for p in data.problems:
    ...     print(p)
    journey.csv:2:emotion: got '7'; expected a whole number from -2 to 2
    journey.csv:2:role_id: 'dsek' is not a role_id in roles.csv; expected one of: desk
    """
    problems: list[Problem] = []
    notes = {name: dict(frame.attrs) for name, frame in frames.items()}
    for frame in frames.values():
        frame.attrs.clear()
    for name, spec in TABLES.items():
        frame = frames[name]
        checked = _checked_rows(spec, frame, notes[name])
        if spec.key:
            first: dict[tuple, int] = {}
            for number, cells in checked:
                if any(c not in cells or _blank(cells[c]) for c in spec.key):
                    continue  # a key cell that did not parse has its own message
                key = tuple(cell_text(cells[c]) for c in spec.key)
                if key in first:
                    what = ", ".join(f"{c}={v!r}" for c, v in zip(spec.key, key, strict=True))
                    problems.append(
                        Problem(
                            shown[name],
                            number,
                            spec.key[-1],
                            f"duplicate {what} (first on row {first[key]}); "
                            f"expected each to appear once",
                        )
                    )
                else:
                    first[key] = number
        for ref in spec.references:
            target = frames[ref.table]
            if not checked or notes[ref.table].get("broken"):
                continue  # a table that could not be read has its own message
            known = {str(v) for v in target[ref.key].tolist() if not _blank(v)}
            known |= notes[ref.table].get("ids", {}).get(ref.key, set())
            for number, cells in checked:
                value = cells.get(ref.column)
                if _blank(value):
                    continue
                if str(value) not in known:
                    problems.append(
                        Problem(
                            shown[name],
                            number,
                            ref.column,
                            f"{value!r} is not a {ref.key} in {TABLES[ref.table].filename}; expected "
                            f"one of: {_ids_list(known - {''})}",
                        )
                    )
    return problems


def _blank(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


# --------------------------------------------------------------------------- a whole team
@dataclass
class TeamData:
    """What a team folder holds once read: typed tables, team info, answers, problems."""

    tables: dict[str, pd.DataFrame]
    team: dict[str, Any] = field(default_factory=lambda: {"name": "", "members": []})
    reflections: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def parse_team(
    raws: Mapping[str, bytes | None],
    shown: Callable[[str], str] = str,
    unreadable: Mapping[str, Problem] | None = None,
) -> TeamData:
    """Validate a team's raw files (file name -> bytes, ``None`` or absent when missing).

    Parameters
    ----------
    raws : mapping
        File name -> content.
    shown : callable
        File name -> the path shown in messages.
    unreadable : mapping, optional
        File name -> the problem that kept it from being read (a link, a FIFO…).

    Returns
    -------
    TeamData

    See Also
    --------
    kit.analyses.followup.read_team : a team *folder*, read leniently for the follow-up.
    """
    problems: list[Problem] = list((unreadable or {}).values())
    data, found = parse_yaml(raws.get(TEAM_FILE), shown(TEAM_FILE))
    problems += found
    team, found = check_team(data, shown(TEAM_FILE))
    problems += found
    data, found = parse_yaml(raws.get(REFLECTIONS_FILE), shown(REFLECTIONS_FILE))
    problems += found
    reflections, found = check_reflections(data, shown(REFLECTIONS_FILE))
    problems += found
    frames = {}
    for name, spec in TABLES.items():
        raw = raws.get(spec.filename)
        table = parse_csv(raw, shown(spec.filename)) if raw is not None else CsvTable()
        if spec.filename in (unreadable or {}):
            table.readable = False
        frames[name], found = validate_rows(spec, table, shown(spec.filename))
        problems += found
    problems += cross_checks(frames, {n: shown(s.filename) for n, s in TABLES.items()})
    for frame in frames.values():
        frame.attrs.clear()
    return TeamData(frames, team, reflections, [clean(p) for p in problems])


def dangling(tables: Mapping[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The tables without rows that point at ids no longer there (what a cascade would delete).

    Applied repeatedly, so deleting an action also deletes its results. Only changed tables are
    returned.

    Examples
    --------
    >>> journey = pd.DataFrame({"touchpoint_id": ["T2"]})
    >>> needs = pd.DataFrame({"touchpoint_id": ["T1", "T2"], "provider_role": [None, None]})
    >>> out = dangling({**{n: empty_frame(n) for n in TABLES}, "journey": journey, "needs": needs})
    >>> list(out), out["needs"]["touchpoint_id"].tolist()
    (['needs'], ['T2'])
    """
    current = dict(tables)
    changed: dict[str, pd.DataFrame] = {}
    again = True
    while again:
        again = False
        for name, spec in TABLES.items():
            frame = current[name]
            keep = pd.Series(True, index=frame.index)
            for ref in spec.references:
                if ref.optional or not len(frame):
                    continue
                known = set(current[ref.table][ref.key].dropna().astype(str))
                keep &= frame[ref.column].isna() | frame[ref.column].astype(str).isin(known)
            if not keep.all():
                current[name] = changed[name] = frame[keep].reset_index(drop=True)
                again = True
    return changed
