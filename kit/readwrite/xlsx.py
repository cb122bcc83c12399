"""The team workbook as an Excel file, and back: for action owners who live in spreadsheets.

:func:`export_xlsx` writes one sheet per table (the plan first, then results and the rest, in
:data:`SHEETS` order), with typed cells (numbers, dates, yes/no), a bold frozen header, and a
drop-down list (data validation) on every column with a fixed set of values
(:data:`kit.store.schema.KINDS`, :data:`kit.store.schema.LEVELS`, :data:`kit.store.schema.CONTACTS`). A hidden sheet
``_servekit`` records a fingerprint of each table file at export time.

:func:`import_xlsx` reads such a file back into a team folder with the same checks as the CSV
files, every problem named ``file:sheet!cell``. It writes nothing unless every sheet is valid,
writes through :meth:`kit.store.workbook.Workbook.save` (atomic, previous version kept in
``.history/``), and refuses to replace a table that changed in the team folder since the file
was exported (someone's newer work) unless ``force`` is given.

**Formula injection** (OWASP "CSV injection"): text that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is written as a text cell with Excel's quote prefix, never as a
formula; on import any formula cell is refused with its cell named, so a formula typed into the
file by someone never reaches the team's tables.

Examples
--------
>>> import tempfile
>>> from kit.store.workshop import create_workshop
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue"])
>>> book = ws.path / "blue.xlsx"
>>> export_xlsx(ws.path / "teams" / "blue", book).sheetnames[:3]
['plan', 'results', 'journey']
>>> import_xlsx(book, ws.path / "teams" / "blue")      # nothing changed, nothing written
[]
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kit.exceptions import InvalidData, XlsxError
from kit.store.csvio import atomic_write, parse_csv
from kit.store.problems import Problem, display_path, errors
from kit.store.schema import TABLES
from kit.store.validation import (
    cell_text,
    column_dtype,
    cross_checks,
    unwrap_optional,
    validate_rows,
)
from kit.store.workbook import Workbook

__all__ = [
    "DANGEROUS",
    "FORMAT",
    "SHEETS",
    "STAMP_SHEET",
    "export_xlsx",
    "import_xlsx",
    "ooxml_text",
    "plain_text",
    "read_xlsx",
]

SHEETS: tuple[str, ...] = ("plan", "results", "journey", "roles", "serves", "needs", "scores")
"""Sheet order of an exported file: what action owners look at first."""

STAMP_SHEET = "_servekit"
FORMAT = "servekit-xlsx 1"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat text as a formula (OWASP CSV injection)."""

_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_MAX_ROW = 1048576
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_OOXML_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_text(text: str) -> str:
    """Text as Excel stores it: control characters as ``_xHHHH_`` (a literal ``_xHHHH_`` kept).

    Examples
    --------
    >>> ooxml_text("a" + chr(27) + "[31m b" + chr(13) + " _x0041_")
    'a_x001B_[31m b_x000D_ _x005F_x0041_'
    >>> plain_text(ooxml_text("a" + chr(27) + " _x0041_")) == "a" + chr(27) + " _x0041_"
    True
    """
    text = _OOXML_ESCAPE.sub(r"_x005F_\1", text)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def plain_text(text: str) -> str:
    """Undo :func:`ooxml_text` (what Excel shows for a stored ``_xHHHH_``)."""
    return _OOXML_CHAR.sub(lambda m: chr(int(m.group(1), 16)), text)


def _sha(raw: bytes | None) -> str:
    return "" if raw is None else hashlib.sha256(raw).hexdigest()


def _choices(column: str, model: Any) -> list[str] | None:
    base, _ = unwrap_optional(model.model_fields[column].annotation)
    if get_origin(base) is Literal:
        return [str(a) for a in get_args(base)]
    return None


def _typed(value: Any, kind: str) -> Any:
    """A cell value of the right Excel type (text stays text, however it looks)."""
    text = cell_text(value)
    if text == "":
        return None
    if kind in ("int64", "Int64"):
        return int(text)
    if kind == "float64":
        number = float(text)
        return int(number) if number.is_integer() else number
    if kind == "bool":
        return text == "true"
    return text


def _put(ws: Any, row: int, col: int, value: Any) -> None:
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = ooxml_text(value)  # control characters are not allowed in the XML
        cell.data_type = "s"  # never a formula, whatever the text starts with
        if value.startswith(DANGEROUS):
            cell.quotePrefix = True
    else:
        cell.value = value
        if isinstance(value, dt.date):
            cell.number_format = "yyyy-mm-dd"


def export_xlsx(
    team_dir: Path | str, out: Path | str, root: Path | str | None = None
) -> openpyxl.Workbook:
    """Write a team's tables to an Excel file (atomically) and return the openpyxl workbook.

    Parameters
    ----------
    team_dir : path-like
        The team folder.
    out : path-like
        The ``.xlsx`` file to write.
    root : path-like, optional
        Folder that messages show paths relative to.

    Returns
    -------
    openpyxl.Workbook

    Raises
    ------
    kit.exceptions.InvalidData
        When the team's files have errors (fix them first; nothing is written).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "roles.csv").write_text("role_id,name,level\\ng,=HYPERLINK(1),customer\\n")
    >>> book = export_xlsx(folder, folder / "t.xlsx")
    >>> cell = book["roles"]["B2"]
    >>> cell.value, cell.data_type, book["roles"].freeze_panes
    ('=HYPERLINK(1)', 's', 'A2')
    """
    team_dir = Path(team_dir)
    wb = Workbook.load(team_dir, root=root)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in SHEETS:
        spec = TABLES[name]
        frame = wb[name]
        columns = list(frame.columns)
        ws = book.create_sheet(name)
        kinds = {c: (column_dtype(spec.model, c) if c in spec.columns else "str") for c in columns}
        for col, column in enumerate(columns, start=1):
            _put(ws, 1, col, column)
            ws.cell(row=1, column=col).font = Font(bold=True)
            ws.cell(row=1, column=col).fill = _HEADER_FILL
            widest = max([len(column)] + [len(cell_text(v)) for v in frame[column]])
            ws.column_dimensions[get_column_letter(col)].width = min(60, max(8, widest + 2))
        for r, record in enumerate(frame.itertuples(index=False), start=2):
            for col, (column, value) in enumerate(zip(columns, record, strict=True), start=1):
                typed = _typed(value, kinds[column])
                if column in spec.columns and kinds[column] == "object" and typed is not None:
                    typed = dt.date.fromisoformat(typed)
                _put(ws, r, col, typed)
        ws.freeze_panes = "A2"
        for col, column in enumerate(columns, start=1):
            choices = _choices(column, spec.model) if column in spec.columns else None
            if not choices:
                continue
            letter = get_column_letter(col)
            rule = DataValidation(
                type="list",
                formula1='"' + ",".join(choices) + '"',
                allow_blank=True,
                showErrorMessage=True,
                errorTitle=f"{column}: not allowed",
                error="Choose one of: " + ", ".join(choices),
            )
            rule.add(f"{letter}2:{letter}{_MAX_ROW}")
            ws.add_data_validation(rule)
    stamps = book.create_sheet(STAMP_SHEET)
    stamps.sheet_state = "hidden"
    _put(stamps, 1, 1, "format")
    _put(stamps, 1, 2, FORMAT)
    _put(stamps, 2, 1, "team")
    _put(stamps, 2, 2, team_dir.name)
    for r, name in enumerate(SHEETS, start=3):
        _put(stamps, r, 1, TABLES[name].filename)
        _put(stamps, r, 2, _sha(_read(team_dir / TABLES[name].filename)) or "(none)")
    buffer = io.BytesIO()
    book.save(buffer)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(out, buffer.getvalue())
    return book


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.time):  # 07:30 typed in Excel becomes a time of day
        return value.strftime("%H:%M")
    if isinstance(value, bool):
        return "true" if value else "false"
    return plain_text(value) if isinstance(value, str) else cell_text(value)


def read_xlsx(path: Path | str) -> tuple[dict[str, list[list[str]]], dict[str, str], list[Problem]]:
    """The sheets of an Excel file as rows of text, its export stamps, and formula/error cells.

    Returns
    -------
    sheets : dict of str to list of list of str
        Sheet name -> rows (row 1 = the header), cells as the text a CSV file would hold.
    stamps : dict of str to str
        What the hidden ``_servekit`` sheet records (empty for a file not made by the kit).
    problems : list of Problem
        Formula cells and Excel error values, each named ``file:sheet!cell``.

    Examples
    --------
    >>> import tempfile
    >>> book = openpyxl.Workbook(); book.active.title = "plan"
    >>> book.active["A1"], book.active["A2"] = "action_id", "=1+1"
    >>> path = Path(tempfile.mkdtemp()) / "x.xlsx"; book.save(path)
    >>> [str(p) for p in read_xlsx(path)[2]]
    ["x.xlsx:plan!A2: this cell holds a formula ('=1+1'); expected a plain value (type the value itself, not a formula)"]
    """
    path = Path(path)
    try:
        book = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise XlsxError(
            f"{path}: cannot be read as an Excel workbook (.xlsx) "
            f"({type(exc).__name__}: {exc}); expected a file saved by Excel, "
            f"LibreOffice or `servekit export-xlsx`"
        ) from None
    sheets: dict[str, list[list[str]]] = {}
    stamps: dict[str, str] = {}
    problems: list[Problem] = []
    for ws in book.worksheets:
        rows = []
        for cells in ws.iter_rows():
            line = []
            for cell in cells:
                where = f"{path.name}:{ws.title}!{cell.coordinate}"
                if cell.data_type == "f":
                    formula = (
                        cell.value
                        if isinstance(cell.value, str)
                        else str(getattr(cell.value, "text", cell.value))
                    )
                    problems.append(
                        Problem(
                            where,
                            None,
                            None,
                            f"this cell holds a formula ({formula!r}); expected "
                            f"a plain value (type the value itself, not a "
                            f"formula)",
                        )
                    )
                    line.append("")
                elif cell.data_type == "e":
                    problems.append(
                        Problem(
                            where,
                            None,
                            None,
                            f"this cell holds the Excel error {cell.value!r}; "
                            f"expected a plain value",
                        )
                    )
                    line.append("")
                else:
                    line.append(_cell_text(cell))
            rows.append(line)
        if ws.title == STAMP_SHEET:
            stamps = {r[0]: r[1] for r in rows if len(r) >= 2 and r[0]}
        else:
            sheets[ws.title] = rows
    return sheets, stamps, problems


def _csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    # every cell quoted: csv leaves a bare carriage return unquoted, which splits the row
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def _cell_name(problem: Problem, book: str, sheet: str, header: list[str]) -> Problem:
    """A CSV-style problem renamed ``book:sheet!cell``."""
    where = f"{book}:{sheet}"
    if problem.row is not None:
        letter = ""
        if problem.column in header:
            letter = get_column_letter(header.index(problem.column) + 1)
        elif problem.column and problem.column.startswith("(column "):
            letter = get_column_letter(int(problem.column[8:-1]))
        where += f"!{letter}{problem.row}" if letter else f"!{problem.row}:{problem.row}"
        if not letter and problem.column:
            where += f" ({problem.column})"
    elif problem.column:
        where += f" ({problem.column})"
    return Problem(where, None, None, problem.message, problem.severity)


def import_xlsx(
    source: Path | str, team_dir: Path | str, *, force: bool = False, root: Path | str | None = None
) -> list[Path]:
    """Read an Excel file back into a team folder; return the files written.

    Parameters
    ----------
    source : path-like
        The ``.xlsx`` file (usually made by :func:`export_xlsx` and edited by someone).
    team_dir : path-like
        The team folder to update.
    force : bool
        Replace tables even when they changed in the team folder since the export (the
        replaced version stays in ``.history/``).
    root : path-like, optional
        Folder that messages show paths relative to.

    Returns
    -------
    list of Path
        The table files written (empty when nothing changed).

    Raises
    ------
    kit.exceptions.InvalidData
        When a cell is a formula or a value the team's tables do not accept; nothing is written.
    XlsxError
        When the file is not an Excel workbook, or it would overwrite newer work.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> book = export_xlsx(folder, folder / "t.xlsx")
    >>> book["roles"].append(["guest", "Guest", "king"]); book.save(folder / "t.xlsx")
    >>> try:
    ...     import_xlsx(folder / "t.xlsx", folder)
    ... except InvalidData as err:
    ...     print(err)
    t.xlsx:roles!C2: got 'king'; expected one of: customer, frontline, support, manager, executive
    """
    source, team_dir = Path(source), Path(team_dir)
    sheets, stamps, problems = read_xlsx(source)
    refused = len(problems)  # formula and error cells: their "blank" follow-ups are not repeated
    wb = Workbook.load(team_dir, root=root, strict=False)
    if errors(wb.problems):
        raise InvalidData(wb.problems)
    frames = {name: wb[name] for name in TABLES}
    shown = {name: TABLES[name].filename for name in TABLES}
    headers: dict[str, list[str]] = {}
    present = [name for name in TABLES if name in sheets]
    for sheet in sheets:
        if sheet not in TABLES:
            problems.append(
                Problem(
                    f"{source.name}:{sheet}",
                    None,
                    None,
                    "not a table of the team workbook; ignored (expected sheets: "
                    + ", ".join(SHEETS)
                    + ")",
                    "warning",
                )
            )
    for name in present:
        rows = sheets[name]
        table = parse_csv(_csv_bytes(rows), shown[name])
        headers[name] = list(table.header)
        typed, found = validate_rows(TABLES[name], table, shown[name])
        frames[name] = typed
        problems += [_cell_name(p, source.name, name, headers[name]) for p in found]
    by_file = {shown[name]: name for name in TABLES}
    for problem in cross_checks(frames, shown):
        name = by_file[problem.path]
        if name in present:
            problems.append(_cell_name(problem, source.name, name, headers[name]))
        else:  # a table left as it is, broken by a change in the file (a deleted touchpoint)
            problems.append(
                Problem(
                    display_path(team_dir / problem.path, root or team_dir),
                    problem.row,
                    problem.column,
                    problem.message,
                    problem.severity,
                )
            )
    formulas = {p.path for p in problems[:refused]}
    problems = problems[:refused] + [p for p in problems[refused:] if p.path not in formulas]
    if errors(problems):
        raise InvalidData(problems)
    for name in present:
        frames[name].attrs.clear()
    wb.set_tables({name: frames[name] for name in present})
    todo = [f for f in wb.changed() if f.endswith(".csv")]
    if not force:
        newer = []
        for filename in todo:
            stamp = stamps.get(filename)
            now = _sha(_read(team_dir / filename)) or "(none)"
            if stamp != now:
                newer.append(display_path(team_dir / filename, root or team_dir))
        source_team = stamps.get("team")
        if newer and stamps.get("format") == FORMAT and source_team != team_dir.name:
            raise XlsxError(
                f"{source.name}: not imported: it was exported from team "
                f"{source_team!r}, not {team_dir.name!r}; import it into that "
                f"team's folder, or use --force to replace this team's "
                f"{', '.join(newer)} with it."
            )
        if newer:
            why = (
                "was not made by `servekit export-xlsx`, so the kit cannot tell whether the "
                "team's files are newer"
                if stamps.get("format") != FORMAT
                else "was exported before these files last changed"
            )
            raise XlsxError(
                f"{source.name}: not imported: {source.name} {why}: "
                f"{', '.join(newer)}. Export again and redo the edits in the new "
                f"file, or import with --force to replace them (the replaced "
                f"versions stay in .history/)."
            )
    return wb.save(force=force)
