"""A team's workbook: its CSV tables and YAML files, validated on every load, saved safely.

A team folder holds ``team.yaml`` (``name``, ``members``), the tables declared in
:data:`kit.schema.TABLES` (``journey.csv``, ``roles.csv`` …) and ``reflections.yaml``. A missing
table is an empty table, so a brand-new team is valid.

Loading checks every row of every table against its schema, then keys and references across
tables, and reports **every** problem as ``path:row:column: what is wrong; expected …``.
Saving validates first (nothing invalid reaches disk), writes atomically, keeps the previous
version in ``.history/`` and refuses to overwrite a file that changed on disk since it was read
(:class:`kit.problems.ConflictError`).

Examples
--------
>>> import tempfile, pandas as pd
>>> folder = Path(tempfile.mkdtemp())
>>> wb = Workbook.load(folder)          # a new, empty team
>>> len(wb["journey"])
0
>>> wb["roles"] = pd.DataFrame([{"role_id": "guest", "name": "Guest", "level": "customer"}])
>>> [p.name for p in wb.save()]
['roles.csv']
>>> Workbook.load(folder)["roles"].loc[0, "level"]
'customer'
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import math
import os
import types
import typing
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError

from kit.csvio import CsvTable, atomic_write, csv_text, parse_csv
from kit.problems import ConflictError, InvalidData, Problem, display_path, errors
from kit.schema import REFLECTION_QUESTIONS, TABLES, TableSpec

try:  # POSIX advisory lock so two kernels on one machine never interleave a save.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

TEAM_FILE = "team.yaml"
REFLECTIONS_FILE = "reflections.yaml"
HISTORY_DIR = ".history"
HISTORY_KEEP = 50
_LIST_LIMIT = 8


# --------------------------------------------------------------------------- field descriptions
def _unwrap(annotation: Any) -> tuple[Any, bool]:
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
    >>> from kit.schema import JourneyRow
    >>> expected(JourneyRow, "emotion")
    'a whole number from -2 to 2'
    >>> expected(JourneyRow, "contact")
    'one of: direct, indirect'
    """
    info = model.model_fields[column]
    base, _ = _unwrap(info.annotation)
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


def _dtype(model: type[BaseModel], column: str) -> str:
    base, optional = _unwrap(model.model_fields[column].annotation)
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
    if error.get("type") == "value_error":
        detail = message.removeprefix("Value error, ")
        return f"got {raw!r}; {detail}"
    return f"got {raw!r}; expected {expected(model, column)}"


# --------------------------------------------------------------------------- cells and frames
def cell_text(value: Any) -> str:
    """Format one value as the text written to a CSV cell (blank for missing).

    Examples
    --------
    >>> [cell_text(v) for v in (None, float("nan"), True, 3.0, 2.5, 7, dt.date(2026, 1, 2))]
    ['', '', 'true', '3', '2.5', '7', '2026-01-02']
    """
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


def empty_frame(name: str, extra: Iterable[str] = ()) -> pd.DataFrame:
    """An empty table with the declared columns and dtypes.

    Examples
    --------
    >>> list(empty_frame("serves").columns)
    ['from_role', 'to_role']
    """
    spec = TABLES[name]
    frame = pd.DataFrame({c: pd.Series(dtype=_dtype(spec.model, c)) for c in spec.columns})
    for column in extra:
        frame[column] = pd.Series(dtype="str")
    return frame


def _frame(spec: TableSpec, rows: list[dict[str, Any]], extra: list[str]) -> pd.DataFrame:
    if not rows:
        return empty_frame(spec.name, extra)
    columns = spec.columns + extra
    frame = pd.DataFrame(rows, columns=columns)
    for column in spec.columns:
        frame[column] = frame[column].astype(_dtype(spec.model, column))
    for column in extra:
        frame[column] = frame[column].astype("str")
    return frame


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
    records = []
    for row in frame.to_dict("records"):
        for column in missing:
            row[column] = None
        records.append([cell_text(row[c]) for c in columns])
    return csv_text(columns, records)


# --------------------------------------------------------------------------- validation
def _validate_rows(spec: TableSpec, table: CsvTable, shown: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Check header and every row of one table; return the typed frame and problems."""
    problems = list(table.problems)
    header = list(table.header)
    if not header:
        return empty_frame(spec.name), problems
    for position, column in enumerate(header):
        if column == "":
            # Spreadsheets leave trailing empty columns; an unnamed column holding data is kept.
            header[position] = f"column_{position + 1}"
            if any(cells[position] for cells in table.records):
                problems.append(Problem(shown, 1, header[position],
                                        "this column has no name; its cells are kept under "
                                        f"the name {header[position]!r}", "warning"))
    seen: dict[str, int] = {}
    for position, column in enumerate(header, start=1):
        if column in seen:
            problems.append(Problem(shown, 1, column,
                                    f"the column name appears twice (columns {seen[column]} and "
                                    f"{position}); expected each column once"))
        else:
            seen[column] = position
    if any(p.row == 1 and p.is_error for p in problems if p.path == shown):
        return empty_frame(spec.name), problems
    missing = [c for c in spec.required_columns if c not in seen]
    for column in missing:
        problems.append(Problem(shown, 1, column,
                                f"required column is missing; expected a header with: "
                                f"{', '.join(spec.columns)}"))
    if missing:
        return empty_frame(spec.name), problems
    blank = {c for p, c in enumerate(header) if not table.header[p]
             and not any(cells[p] for cells in table.records)}
    extra = [c for c in header if c not in spec.model.model_fields and c not in blank]
    for column in extra:
        if column.startswith("column_") and column not in table.header:
            continue
        problems.append(Problem(shown, 1, column,
                                "unknown column: kept as it is, but the kit does not use it",
                                "warning"))
    declared = [c for c in header if c in spec.model.model_fields]
    index = {c: seen[c] - 1 for c in header}
    rows: list[dict[str, Any]] = []
    for cells, row_number in zip(table.records, table.rows, strict=True):
        values = {c: cells[index[c]] for c in declared}
        try:
            model = spec.model.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors():
                column = str(error["loc"][0]) if error["loc"] else None
                raw = values.get(column, "") if column else ""
                problems.append(Problem(shown, row_number, column,
                                        _friendly(error, spec.model, column, raw)))
            continue
        record = model.model_dump()
        record.update({c: cells[index[c]] for c in extra})
        record["__row"] = row_number
        rows.append(record)
    frame = _frame(spec, rows, extra)
    frame.attrs["rows"] = [r["__row"] for r in rows]
    # Ids of every record, valid or not, so one bad row does not cascade into reference errors.
    frame.attrs["ids"] = {c: {cells[index[c]] for cells in table.records}
                          for c in spec.key if c in index}
    return frame, problems


def _ids_list(values: Iterable[str]) -> str:
    values = sorted(set(values))
    if not values:
        return "(none yet)"
    shown = ", ".join(values[:_LIST_LIMIT])
    return shown + (f" … ({len(values)} in all)" if len(values) > _LIST_LIMIT else "")


def _cross_checks(frames: dict[str, pd.DataFrame], shown: dict[str, str]) -> list[Problem]:
    """Unique keys and references between tables."""
    problems: list[Problem] = []
    for name, spec in TABLES.items():
        frame = frames[name]
        rows = frame.attrs.get("rows") or list(range(2, len(frame) + 2))
        if spec.key and len(frame):
            first: dict[tuple, int] = {}
            for position, key in enumerate(frame[list(spec.key)].itertuples(index=False)):
                key = tuple(cell_text(k) for k in key)
                if key in first:
                    what = ", ".join(f"{c}={v!r}" for c, v in zip(spec.key, key, strict=True))
                    problems.append(Problem(shown[name], rows[position], spec.key[-1],
                                            f"duplicate {what} (first on row {first[key]}); "
                                            f"expected each to appear once"))
                else:
                    first[key] = rows[position]
        for ref in spec.references:
            if not len(frame):
                continue
            target = frames[ref.table]
            known = set(target[ref.key].dropna().astype(str))
            known |= target.attrs.get("ids", {}).get(ref.key, set())
            for position, value in enumerate(frame[ref.column]):
                if pd.isna(value):
                    continue
                if str(value) not in known:
                    problems.append(Problem(
                        shown[name], rows[position], ref.column,
                        f"{value!r} is not a {ref.key} in {TABLES[ref.table].filename}; expected "
                        f"one of: {_ids_list(known - {''})}"))
    return problems


def _read_yaml(raw: bytes | None, shown: str) -> tuple[Any, list[Problem]]:
    if raw is None or not raw.strip():
        return None, []
    try:
        return yaml.safe_load(raw.decode("utf-8-sig", errors="replace")), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or "not valid YAML"
        return None, [Problem(shown, row, None,
                              f"{reason}; expected YAML such as 'key: text' (quote text with ':')")]


def _check_team(data: Any, shown: str) -> tuple[dict[str, Any], list[Problem]]:
    if data is None:
        return {"name": "", "members": []}, []
    if not isinstance(data, dict):
        return {"name": "", "members": []}, [Problem(shown, 1, None,
                                                     "expected keys 'name' and 'members'")]
    problems = []
    name = data.get("name")
    if name is not None and not isinstance(name, str | int | float):
        problems.append(Problem(shown, None, "name", "expected the team's name as text"))
        name = None
    members = data.get("members") or []
    if isinstance(members, str):
        members = [m.strip() for m in members.split(",") if m.strip()]
    if not isinstance(members, list) or not all(isinstance(m, str | int | float) for m in members):
        problems.append(Problem(shown, None, "members", "expected a list of names"))
        members = []
    team = dict(data)
    team.update(name="" if name is None else str(name), members=[str(m) for m in members])
    return team, problems


def _check_reflections(data: Any, shown: str) -> tuple[dict[str, str], list[Problem]]:
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [Problem(shown, 1, None, "expected 'question_key: answer' lines")]
    problems, answers = [], {}
    for key, value in data.items():
        if value is not None and not isinstance(value, str | int | float):
            problems.append(Problem(shown, None, str(key), "expected the answer as text"))
            continue
        if key not in REFLECTION_QUESTIONS:
            problems.append(Problem(shown, None, str(key),
                                    "not one of the kit's questions; kept as it is", "warning"))
        answers[str(key)] = "" if value is None else str(value)
    return answers, problems


def _sha(raw: bytes | None) -> str | None:
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


# --------------------------------------------------------------------------- the workbook
class Workbook:
    """One team's tables in memory, with what was read from disk remembered for safe saving.

    Use :meth:`load` to open a team folder. Tables are read with ``wb["journey"]`` (a copy) and
    replaced with ``wb["journey"] = frame`` (validated at once against the other tables; raises
    :class:`kit.problems.InvalidData` and keeps the old table when invalid). :meth:`save` writes the
    tables that changed. Treat ``tables`` as read-only: replace a table, never edit it in place.

    Examples
    --------
    >>> import tempfile
    >>> wb = Workbook.load(tempfile.mkdtemp())
    >>> wb.name, wb.problems
    ('', [])
    """

    def __init__(self, path: Path, root: Path | None = None):
        self.path = Path(path)
        self.root = Path(root) if root is not None else self.path
        self.tables: dict[str, pd.DataFrame] = {n: empty_frame(n) for n in TABLES}
        self.team: dict[str, Any] = {"name": "", "members": []}
        self.reflections: dict[str, str] = {}
        self.problems: list[Problem] = []
        self._stamps: dict[str, str | None] = {}
        self._saved: dict[str, str | None] = {}
        # table name -> (the frame object, its CSV text): tables are replaced, never edited in
        # place (``wb[name] = frame``), so an unchanged object means unchanged text.
        self._texts: dict[str, tuple[pd.DataFrame, str]] = {}

    # -- reading ------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str, *, root: Path | str | None = None,
             strict: bool = True) -> Workbook:
        """Read and validate a team folder.

        Parameters
        ----------
        path : path-like
            The team folder (it may not exist yet: a new team is empty).
        root : path-like, optional
            Folder that messages show paths relative to (default: ``path``'s workshop, if any).
        strict : bool
            Raise :class:`kit.problems.InvalidData` when there are errors (default). With
            ``False`` the valid rows are kept and ``problems`` lists what was wrong.

        Returns
        -------
        Workbook

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> _ = (folder / "roles.csv").write_text("role_id,name,level\\ng,Guest,boss\\n")
        >>> try:
        ...     Workbook.load(folder, root=folder)
        ... except InvalidData as err:
        ...     print(err)
        roles.csv:2:level: got 'boss'; expected one of: customer, frontline, support, manager, executive
        """
        path = Path(path)
        if root is None:
            root = path.parent.parent if path.parent.name == "teams" else path
        wb = cls(path, root)
        wb._read()
        if strict and errors(wb.problems):
            raise InvalidData(wb.problems)
        return wb

    def _shown(self, filename: str) -> str:
        return display_path(self.path / filename, self.root)

    def _read(self) -> None:
        problems: list[Problem] = []
        raws = {f: _read_bytes(self.path / f)
                for f in [TEAM_FILE, REFLECTIONS_FILE, *(s.filename for s in TABLES.values())]}
        self._stamps = {f: _sha(raw) for f, raw in raws.items()}
        team, found = _read_yaml(raws[TEAM_FILE], self._shown(TEAM_FILE))
        problems += found
        self.team, found = _check_team(team, self._shown(TEAM_FILE))
        problems += found
        answers, found = _read_yaml(raws[REFLECTIONS_FILE], self._shown(REFLECTIONS_FILE))
        problems += found
        self.reflections, found = _check_reflections(answers, self._shown(REFLECTIONS_FILE))
        problems += found
        frames = {}
        for name, spec in TABLES.items():
            raw = raws[spec.filename]
            table = parse_csv(raw, self._shown(spec.filename)) if raw is not None else CsvTable()
            frames[name], found = _validate_rows(spec, table, self._shown(spec.filename))
            problems += found
        problems += _cross_checks(frames, {n: self._shown(s.filename) for n, s in TABLES.items()})
        for frame in frames.values():
            frame.attrs.clear()
        self.tables = frames
        self.problems = problems
        self._saved = {f: self._serialise(f) for f in raws}

    def reload(self) -> None:
        """Forget unsaved changes and read the folder again (what "reload" offers on a conflict)."""
        self._read()

    # -- tables ------------------------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The team's display name (text, never markup)."""
        return self.team.get("name", "")

    @property
    def members(self) -> list[str]:
        return list(self.team.get("members", []))

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name].copy()

    def __setitem__(self, name: str, frame: pd.DataFrame) -> None:
        self.set_table(name, frame)

    def check_table(self, name: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
        """Validate ``frame`` as table ``name`` together with the other tables, without storing it.

        Returns the typed frame and every problem (rows numbered as the saved file would show).

        Examples
        --------
        >>> import tempfile
        >>> wb = Workbook.load(tempfile.mkdtemp())
        >>> bad = pd.DataFrame([{"role_id": "g", "name": "Guest", "level": "king"}])
        >>> [str(p) for p in wb.check_table("roles", bad)[1]]
        ["roles.csv:2:level: got 'king'; expected one of: customer, frontline, support, manager, executive"]
        """
        spec = TABLES[name]
        text = table_text(name, frame)
        shown = self._shown(spec.filename)
        typed, problems = _validate_rows(spec, parse_csv(text.encode("utf-8"), shown), shown)
        frames = dict(self.tables)
        frames[name] = typed
        # Problems of this table, and of tables that point at it (a deleted role still in use).
        affected = {shown} | {self._shown(s.filename) for s in TABLES.values()
                              if any(r.table == name for r in s.references)}
        shown_all = {n: self._shown(s.filename) for n, s in TABLES.items()}
        problems += [p for p in _cross_checks(frames, shown_all) if p.path in affected]
        typed.attrs.clear()
        return typed, problems

    def set_table(self, name: str, frame: pd.DataFrame) -> list[Problem]:
        """Replace table ``name`` after validating it; returns warnings, raises on errors.

        Raises
        ------
        kit.problems.InvalidData
            When the new table has errors; the workbook keeps the old table.
        """
        typed, problems = self.check_table(name, frame)
        if errors(problems):
            raise InvalidData(problems)
        self.tables[name] = typed
        return problems

    def set_team(self, name: str | None = None, members: list[str] | None = None) -> None:
        """Change the team's display name or members (saved with :meth:`save`)."""
        if name is not None:
            self.team["name"] = str(name)
        if members is not None:
            self.team["members"] = [str(m) for m in members]

    def set_reflection(self, key: str, answer: str) -> None:
        """Record the team's answer to one action-plan question (saved with :meth:`save`)."""
        self.reflections[str(key)] = str(answer)

    # -- saving ------------------------------------------------------------------------------------
    def _serialise(self, filename: str) -> str | None:
        if filename == TEAM_FILE:
            return yaml.safe_dump(self.team, allow_unicode=True, sort_keys=False)
        if filename == REFLECTIONS_FILE:
            if not self.reflections:
                return None
            return yaml.safe_dump(self.reflections, allow_unicode=True, sort_keys=False,
                                  width=100)
        name = filename.removesuffix(".csv")
        frame = self.tables[name]
        cached = self._texts.get(name)
        if cached is None or cached[0] is not frame:
            cached = self._texts[name] = (frame, table_text(name, frame))
        return cached[1]

    def changed(self) -> list[str]:
        """File names whose in-memory content differs from what was last read or saved."""
        return [f for f, text in self._saved.items()
                if self._serialise(f) != text and not (text is None and self._is_blank(f))]

    def _is_blank(self, filename: str) -> bool:
        if filename == TEAM_FILE:
            return not self.team.get("name") and not self.team.get("members")
        if filename == REFLECTIONS_FILE:
            return not self.reflections
        return len(self.tables[filename.removesuffix(".csv")]) == 0

    def stale(self) -> list[str]:
        """File names changed on disk by someone else since this workbook read or saved them."""
        return [f for f, stamp in self._stamps.items()
                if _sha(_read_bytes(self.path / f)) != stamp]

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        if fcntl is None:  # pragma: no cover
            yield
            return
        with open(self.path / ".lock", "a+b") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def save(self, *, force: bool = False) -> list[Path]:
        """Write every changed file atomically, keeping the previous version in ``.history/``.

        Parameters
        ----------
        force : bool
            Overwrite files changed on disk since they were read ("keep mine"). Default False.

        Returns
        -------
        list of Path
            The files written (none when nothing changed).

        Raises
        ------
        kit.problems.ConflictError
            When a file to be written changed on disk since it was read, and ``force`` is False.
        kit.problems.InvalidData
            When the tables in memory have errors (nothing is written).
        """
        todo = self.changed()
        if not todo:
            return []
        with self._locked():
            if not force:
                for filename in todo:
                    if _sha(_read_bytes(self.path / filename)) != self._stamps.get(filename):
                        raise ConflictError(self.path / filename, filename)
            written = []
            for filename in todo:
                target = self.path / filename
                text = self._serialise(filename)
                old = _read_bytes(target)
                if old is not None:
                    self._keep_history(filename, old)
                atomic_write(target, text or "")
                self._stamps[filename] = _sha((text or "").encode("utf-8"))
                self._saved[filename] = text
                written.append(target)
        return written

    def _keep_history(self, filename: str, old: bytes) -> None:
        history = self.path / HISTORY_DIR
        history.mkdir(exist_ok=True)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        atomic_write(history / f"{stamp}.{filename}", old)
        versions = sorted(history.glob(f"*.{filename}"))
        for extra in versions[:-HISTORY_KEEP]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(extra)


def validate_team(path: Path | str, root: Path | str | None = None) -> list[Problem]:
    """Every problem in a team folder (errors and warnings), without raising.

    Examples
    --------
    >>> import tempfile
    >>> validate_team(tempfile.mkdtemp())
    []
    """
    return Workbook.load(path, root=root, strict=False).problems
