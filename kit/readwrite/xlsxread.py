"""Reading an Excel file safely: bounded while streaming, every oddity named.

:func:`read_xlsx` never trusts a file's size: before anything is parsed it checks the file's
bytes (:data:`MAX_FILE_BYTES`) and the zip directory inside it (:data:`MAX_XML_BYTES` inflated,
:data:`MAX_SHARED_STRINGS` shared strings); then it streams every sheet with openpyxl's
read-only mode, counting rows (:data:`MAX_ROWS` per sheet) and cells (:data:`MAX_CELLS` in all),
and stops at the first limit passed with a message naming it. Only a file within the limits is
loaded whole, to read what streaming cannot see (merged cells).

What Excel does behind a person's back is named, never silently taken: hidden and very hidden
sheets, a macro-enabled ``.xlsm`` (its macros are neither run nor kept), merged cells (only the
first cell of a merged range holds a value), formula cells and Excel error values.

Examples
--------
>>> import tempfile
>>> book = openpyxl.Workbook(); book.active.title = "Plan"
>>> book.active["A1"], book.active["A2"] = "action_id", "A1"
>>> book.active.merge_cells("B2:B3")
>>> path = Path(tempfile.mkdtemp()) / "x.xlsx"; book.save(path)
>>> content = read_xlsx(path)
>>> content.sheets["Plan"][:2], [str(p) for p in content.problems]
([['action_id', ''], ['A1', '']], ['x.xlsx:Plan!B2:B3: these cells are merged; expected one value in each cell (select them and choose Unmerge cells in Excel)'])
"""

from __future__ import annotations

import datetime as dt
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from kit.exceptions import XlsxError
from kit.store.problems import Problem
from kit.store.validation import cell_text

__all__ = [
    "MAX_CELLS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_SHARED_STRINGS",
    "MAX_XML_BYTES",
    "STAMP_SHEET",
    "XlsxContent",
    "excel_date_hint",
    "plain_text",
    "read_xlsx",
]

STAMP_SHEET = "_servekit"
MAX_FILE_BYTES = 10_000_000
"""Largest Excel file read (a team's workbook is tens of kilobytes)."""
MAX_XML_BYTES = 100_000_000
"""Most bytes the parts inside an Excel file may inflate to, all together."""
MAX_SHARED_STRINGS = 100_000
"""Most distinct texts (shared strings) an Excel file may hold."""
MAX_ROWS = 10_000
"""Most rows one sheet may hold (a team's largest table has a few hundred)."""
MAX_CELLS = 200_000
"""Most cells all sheets together may hold."""
_OOXML_CHAR = re.compile(r"_x([0-9A-Fa-f]{4})_")
_COUNT = re.compile(rb"<(?:\w+:)?sst\b[^>]*?\buniqueCount=\"(\d+)\"")
_EXCEL_EPOCH = dt.date(1899, 12, 30)


def plain_text(text: str) -> str:
    """Undo Excel's ``_xHHHH_`` escapes (what Excel shows for a stored ``_xHHHH_``).

    Examples
    --------
    >>> plain_text("a_x001B_b")
    'a\\x1bb'
    """
    return _OOXML_CHAR.sub(lambda m: chr(int(m.group(1), 16)), text)


def excel_date_hint(text: str) -> str:
    """``" — 46083 looks like an Excel date number: 2026-03-02?"`` for a day number, else ``""``.

    Excel counts days from 1899-12-30; a date cell formatted as a number shows that count.

    Examples
    --------
    >>> excel_date_hint("46083")
    ' — 46083 looks like an Excel date number: 2026-03-02?'
    >>> excel_date_hint("soon"), excel_date_hint("12")
    ('', '')
    """
    number = text.strip().removesuffix(".0")
    if not number.isdigit() or not 20_000 <= int(number) <= 80_000:  # 1954 .. 2119
        return ""
    day = _EXCEL_EPOCH + dt.timedelta(days=int(number))
    return f" — {number} looks like an Excel date number: {day.isoformat()}?"


@dataclass
class XlsxContent:
    """What an Excel file holds, as text, with everything odd about it."""

    sheets: dict[str, list[list[str]]] = field(default_factory=dict)
    """Sheet title -> rows (row 1 = the header), cells as the text a CSV file would hold."""
    stamps: dict[str, str] = field(default_factory=dict)
    """What the hidden ``_servekit`` sheet records (empty for a file not made by the kit)."""
    problems: list[Problem] = field(default_factory=list)
    """Formula cells, Excel errors and merged cells (errors), hidden sheets, macros (warnings)."""
    merged: dict[str, set[str]] = field(default_factory=dict)
    """Sheet title -> the cells that lie in a merged range."""
    bases: dict[str, str] = field(default_factory=dict)
    """Table file -> its text at export time (the base of the row merge on import)."""


def _refuse(path: Path, what: str) -> XlsxError:
    return XlsxError(f"{path}: not read: {what}")


def _check_container(path: Path) -> None:
    """Size, inflated size and shared strings, from the file and its zip directory alone."""
    size = os.stat(path).st_size
    if size > MAX_FILE_BYTES:
        raise _refuse(
            path,
            f"the file is {size} bytes; expected at most {MAX_FILE_BYTES} (a team's "
            f"workbook is tens of kilobytes)",
        )
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            total = sum(i.file_size for i in infos)
            if total > MAX_XML_BYTES:
                raise _refuse(
                    path,
                    f"its parts would inflate to {total} bytes; expected at most {MAX_XML_BYTES}",
                )
            names = {i.filename.lower(): i.filename for i in infos}
            shared = names.get("xl/sharedstrings.xml")
            if shared:
                with archive.open(shared) as handle:
                    head = handle.read(4096)
                found = _COUNT.search(head)
                if found and int(found.group(1)) > MAX_SHARED_STRINGS:
                    raise _refuse(
                        path,
                        f"it holds {found.group(1).decode()} shared strings; expected at most "
                        f"{MAX_SHARED_STRINGS}",
                    )
    except (zipfile.BadZipFile, OSError) as exc:
        if isinstance(exc, OSError) and not isinstance(exc, zipfile.BadZipFile):
            raise
        raise _unreadable(path, exc) from None


def _unreadable(path: Path, exc: Exception) -> XlsxError:
    return XlsxError(
        f"{path}: cannot be read as an Excel workbook (.xlsx) "
        f"({type(exc).__name__}: {exc}); expected a file saved by Excel, "
        f"LibreOffice or `servekit export-xlsx`"
    )


def _stream_bounds(path: Path) -> None:
    """Stream every sheet (read-only mode) and stop at the first limit passed."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise _unreadable(path, exc) from None
    try:
        cells = 0
        for ws in book.worksheets:
            ws.reset_dimensions()  # never trust the size a file claims
            for number, row in enumerate(ws.iter_rows(), start=1):
                if number > MAX_ROWS:
                    raise _refuse(
                        path,
                        f"sheet {ws.title!r} has more than {MAX_ROWS} rows; expected at most "
                        f"{MAX_ROWS} (a team's largest table has a few hundred)",
                    )
                cells += len(row)
                if cells > MAX_CELLS:
                    raise _refuse(
                        path,
                        f"it has more than {MAX_CELLS} cells (reached in sheet {ws.title!r}); "
                        f"expected at most {MAX_CELLS}",
                    )
    finally:
        book.close()


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


def _cell_problem(where: str, cell: Any) -> Problem | None:
    if cell.data_type == "f":
        formula = (
            cell.value if isinstance(cell.value, str) else str(getattr(cell.value, "text", cell))
        )
        return Problem(
            where,
            None,
            None,
            f"this cell holds a formula ({formula!r}); expected a plain value (type the value "
            f"itself, not a formula)",
        )
    if cell.data_type == "e":
        return Problem(
            where,
            None,
            None,
            f"this cell holds the Excel error {cell.value!r}; expected a plain value",
        )
    return None


def _sheet(path: Path, ws: Any, content: XlsxContent) -> list[list[str]]:
    merged: set[str] = set()
    for cells in ws.merged_cells.ranges:
        content.problems.append(
            Problem(
                f"{path.name}:{ws.title}!{cells.coord}",
                None,
                None,
                "these cells are merged; expected one value in each cell (select them and "
                "choose Unmerge cells in Excel)",
            )
        )
        for row, col in cells.cells:
            merged.add(f"{get_column_letter(col)}{row}")
    content.merged[ws.title] = merged
    rows = []
    for cells in ws.iter_rows():
        line = []
        for cell in cells:
            problem = _cell_problem(f"{path.name}:{ws.title}!{cell.coordinate}", cell)
            if problem is not None:
                content.problems.append(problem)
            line.append("" if problem is not None else _cell_text(cell))
        rows.append(line)
    return rows


def read_xlsx(path: Path | str) -> XlsxContent:
    """Read an Excel file within the limits; see the module's text.

    Raises
    ------
    XlsxError
        Not an Excel file, or past a limit (the message names it); nothing was read.

    Examples
    --------
    >>> import tempfile
    >>> book = openpyxl.Workbook(); book.active.title = "plan"
    >>> book.active["A1"], book.active["A2"] = "action_id", "=1+1"
    >>> path = Path(tempfile.mkdtemp()) / "x.xlsx"; book.save(path)
    >>> [str(p) for p in read_xlsx(path).problems]
    ["x.xlsx:plan!A2: this cell holds a formula ('=1+1'); expected a plain value (type the value itself, not a formula)"]
    """
    path = Path(path)
    _check_container(path)
    _stream_bounds(path)
    try:
        book = openpyxl.load_workbook(path, data_only=False)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException …
        raise _unreadable(path, exc) from None
    content = XlsxContent()
    if path.suffix.lower() in (".xlsm", ".xltm"):
        content.problems.append(
            Problem(
                path.name,
                None,
                None,
                "a macro-enabled workbook: its macros were neither run nor kept; only the cell "
                "values are read",
                "warning",
            )
        )
    for ws in book.worksheets:
        if ws.title.casefold() == STAMP_SHEET:
            rows = [[_cell_text(c) for c in r] for r in ws.iter_rows()]
            content.stamps = {r[0]: r[1] for r in rows if len(r) >= 2 and r[0]}
            content.bases = {r[0]: "".join(r[2:]) for r in rows if len(r) > 2 and r[0]}
            continue
        if ws.sheet_state != "visible":
            how = (
                "very hidden (only a macro can show it)"
                if ws.sheet_state == "veryHidden"
                else "hidden"
            )
            content.problems.append(
                Problem(
                    f"{path.name}:{ws.title}",
                    None,
                    None,
                    f"this sheet is {how} in Excel; it was read like the others — check it "
                    f"holds what the team meant",
                    "warning",
                )
            )
        content.sheets[ws.title] = _sheet(path, ws, content)
    return content
