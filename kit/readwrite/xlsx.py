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
from kit.readwrite.xlsxread import (
    STAMP_SHEET,
    XlsxContent,
    excel_date_hint,
    plain_text,
    read_xlsx,
)
from kit.store.csvio import atomic_write, parse_csv
from kit.store.filemerge import decide_file
from kit.store.oserrors import naming
from kit.store.problems import Problem, display_path, errors
from kit.store.schema import TABLES
from kit.store.storage import read_bytes
from kit.store.teamsave import canonical_table, date_columns, save_team_files
from kit.store.validation import (
    cell_text,
    column_dtype,
    cross_checks,
    table_text,
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

FORMAT = "servekit-xlsx 1"
BASE_CHUNK = 30_000
"""Characters of a table's exported text per cell of the hidden sheet (Excel holds 32,767)."""
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat text as a formula (OWASP CSV injection)."""

_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_MAX_ROW = 1048576
_OOXML_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")


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
        raw = read_bytes(team_dir / TABLES[name].filename, name)[0]
        _put(stamps, r, 1, TABLES[name].filename)
        _put(stamps, r, 2, _sha(raw) or "(none)")
        text = "" if raw is None else raw.decode("utf-8", errors="replace")
        for col, start in enumerate(range(0, len(text), BASE_CHUNK), start=3):
            _put(stamps, r, col, text[start : start + BASE_CHUNK])  # the base of the row merge
    buffer = io.BytesIO()
    book.save(buffer)
    out = Path(out)
    with naming(out):
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, buffer.getvalue())
    return book


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


def _match_sheets(content: XlsxContent, source: Path, problems: list[Problem]) -> dict[str, str]:
    """Table name -> sheet title, matched without regard to case or spaces around the name."""
    found: dict[str, str] = {}
    for title in content.sheets:
        key = title.strip().casefold()
        if key in TABLES and key in found:
            problems.append(
                Problem(
                    f"{source.name}:{title}",
                    None,
                    None,
                    f"sheets {found[key]!r} and {title!r} both name the table {key!r}; expected "
                    f"one sheet per table (delete or rename one)",
                )
            )
        elif key in TABLES:
            found[key] = title
        else:
            problems.append(
                Problem(
                    f"{source.name}:{title}",
                    None,
                    None,
                    "not a table of the team workbook; ignored (expected sheets: "
                    + ", ".join(SHEETS)
                    + ")",
                    "warning",
                )
            )
    return found


def _sheet_problems(
    name: str,
    title: str,
    rows: list[list[str]],
    found: list[Problem],
    source: Path,
    merged: set[str],
) -> list[Problem]:
    """Problems of one sheet named ``book:sheet!cell``, Excel dates explained, merged cells
    (already named as merged) left out."""
    header = rows[0] if rows else []
    dates = set(date_columns(name))
    out = []
    for problem in found:
        renamed = _cell_name(problem, source.name, title, header)
        cell = renamed.path.rpartition("!")[2].split(" ")[0]
        if cell in merged:
            continue
        if problem.row is not None and problem.column in dates and problem.column in header:
            line = rows[problem.row - 1] if problem.row - 1 < len(rows) else []
            col = header.index(problem.column)
            hint = excel_date_hint(line[col]) if col < len(line) else ""
            renamed = Problem(renamed.path, None, None, renamed.message + hint, renamed.severity)
        out.append(renamed)
    return out


def import_xlsx(
    source: Path | str,
    team_dir: Path | str,
    *,
    force: bool = False,
    root: Path | str | None = None,
    warnings: list[Problem] | None = None,
) -> list[Path]:
    """Read an Excel file back into a team folder; return the files written.

    Sheets are matched to tables whatever their case (``Plan`` is ``plan``). The tables are
    written through the team's one safe save (:func:`kit.store.teamsave.save_team_files`:
    lock, whole-team check, one change, ``.history/``).

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
    warnings : list, optional
        Filled with every warning (hidden sheets, macros, sheets that are not tables…).

    Returns
    -------
    list of Path
        The table files written (empty when nothing changed).

    Raises
    ------
    kit.exceptions.InvalidData
        When a cell is a formula or a value the team's tables do not accept; nothing is written.
    XlsxError
        When the file is not an Excel workbook, is past a limit, or would overwrite newer work.

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
    content = read_xlsx(source)
    problems = list(content.problems)
    refused = {p.path for p in problems if p.is_error}  # their "blank" follow-ups are not repeated
    wb = Workbook.load(team_dir, root=root, strict=False)
    if errors(wb.problems):
        raise InvalidData(wb.problems)
    frames = {name: wb[name] for name in TABLES}
    shown = {name: TABLES[name].filename for name in TABLES}
    sheets = _match_sheets(content, source, problems)
    headers: dict[str, list[str]] = {}
    for name, title in sheets.items():
        rows = content.sheets[title]
        table = parse_csv(_csv_bytes(rows), shown[name])
        headers[name] = list(table.header)
        frames[name], found = validate_rows(TABLES[name], table, shown[name])
        merged = content.merged.get(title, set())
        problems += _sheet_problems(name, title, rows, found, source, merged)
    by_file = {shown[name]: name for name in TABLES}
    for problem in cross_checks(frames, shown):
        name = by_file[problem.path]
        if name in sheets:
            problems.append(_cell_name(problem, source.name, sheets[name], headers[name]))
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
    problems = [p for p in problems if p.path not in refused or p in content.problems]
    if warnings is not None:
        warnings.extend(p for p in problems if not p.is_error)
    if errors(problems):
        raise InvalidData(problems)
    new = {}
    for name in TABLES:  # in the order of the team's files
        if name in sheets:
            frames[name].attrs.clear()
            new[shown[name]] = table_text(name, frames[name])

    def plan(disk: dict[str, bytes | None]) -> dict[str, bytes]:
        changed = {
            f: text.encode("utf-8")
            for f, text in new.items()
            if canonical_table(f.removesuffix(".csv"), disk.get(f)) != text
        }
        if content.stamps.get("team") == team_dir.name:  # another team's file is never merged
            changed = _merge_newer(source, content, changed, disk, force)
        if not force:
            _refuse_newer(source, team_dir, root, content.stamps, changed, disk)
        return changed

    written = save_team_files(team_dir, plan, root=root)
    return [team_dir / f for f in written]


def _merge_newer(
    source: Path,
    content: XlsxContent,
    changed: dict[str, bytes],
    disk: dict[str, bytes | None],
    force: bool,
) -> dict[str, bytes]:
    """Merge row by row, against the exported text, each table changed in the folder since.

    A row both changed differently refuses the import (``force``: the file's values win, the
    replaced version stays in ``.history/``). Tables without an exported text (an older export,
    a file not made by the kit) are left to :func:`_refuse_newer`.
    """
    merged = dict(changed)
    clashes = []
    for filename, new in changed.items():
        current, stamp = disk.get(filename), content.stamps.get(filename)
        base = content.bases.get(filename)
        if current is None or stamp == _sha(current) or base is None:
            continue
        decision = decide_file(
            filename,
            current,
            new,
            stamp,
            base,
            "zip" if force else None,
            sides=("the team folder", source.name),
        )
        clashes += decision.clashes
        if decision.write is None:
            del merged[filename]
        else:
            merged[filename] = decision.write
        content.stamps[filename] = _sha(current)  # merged: no longer "newer"
    if clashes and not force:
        raise XlsxError(
            f"{source.name}: not imported: {len(clashes)} row(s) changed both in the team "
            f"folder and in {source.name} since the export:\n"
            + "\n".join(f"  {c}" for c in clashes)
            + f"\nWhat to do: compare them, then import with --force to keep {source.name}'s "
            f"values (the replaced versions stay in .history/), or export again and redo the "
            f"edits in the new file."
        )
    return merged


def _refuse_newer(
    source: Path,
    team_dir: Path,
    root: Path | str | None,
    stamps: dict[str, str],
    changed: dict[str, bytes],
    disk: dict[str, bytes | None],
) -> None:
    """Refuse to replace a table that changed in the team folder since the export.

    A table missing from the folder is never "newer": importing a team's export into an empty
    folder restores it.
    """
    newer = [
        display_path(team_dir / f, root or team_dir)
        for f in changed
        if disk.get(f) is not None and stamps.get(f) != _sha(disk.get(f))
    ]
    if not newer:
        return
    source_team = stamps.get("team")
    if stamps.get("format") == FORMAT and source_team != team_dir.name:
        raise XlsxError(
            f"{source.name}: not imported: it was exported from team "
            f"{source_team!r}, not {team_dir.name!r}; import it into that "
            f"team's folder, or use --force to replace this team's "
            f"{', '.join(newer)} with it."
        )
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
