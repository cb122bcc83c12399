"""Reading spreadsheet-made CSV files forgivingly, and writing files atomically.

Files that workshop participants touch come from Excel, LibreOffice, Numbers or a text editor, so
reading accepts what those produce — a byte-order mark, Windows-1252 bytes, semicolon or tab
delimiters, quoted newlines, stray blank rows — and reports anything it had to guess as a warning
naming the row. UTF-16 files (Excel's "Unicode text") are read too; a file that is not text at
all gets one message ("not a CSV file"), not one per garbled row. Writing always goes to a
temporary file in the same folder followed by :func:`os.replace`, so a reader (or a crash) sees
the old file or the new one, never half of one.

Formula-safe cells
------------------
A spreadsheet that opens a CSV evaluates a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return as a formula. :func:`csv_text` therefore writes such a text cell with a leading
apostrophe (``'=SUM(A1)``), the usual guard (OWASP "CSV injection"); plain numbers such as ``-2``
or ``+3.5`` are left alone, so number columns stay numbers. A text that itself starts with an
apostrophe followed by one of those characters (or by another apostrophe) gets one more
apostrophe. :func:`parse_csv` removes exactly one such apostrophe, so the kit reads back exactly
what was typed (:func:`protect_cell` and :func:`unprotect_cell` are each other's inverse).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kit.store.oserrors import naming
from kit.store.problems import Problem

__all__ = [
    "BOM",
    "CsvTable",
    "FORMULA_START",
    "NOT_CSV",
    "atomic_write",
    "csv_text",
    "decode",
    "parse_csv",
    "protect_cell",
    "read_csv",
    "sniff_delimiter",
    "unprotect_cell",
]

BOM = b"\xef\xbb\xbf"
_DELIMITERS = (",", ";", "\t", "|")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a cell as a formula."""
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
NOT_CSV = (
    "not a CSV file: it holds binary data, not text; expected a table saved as CSV "
    "(comma-separated values) from a spreadsheet"
)


@dataclass
class CsvTable:
    """The raw text of a CSV file: header, records and the spreadsheet row of each record."""

    header: list[str] = field(default_factory=list)
    records: list[list[str]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    raw: bytes | None = None
    readable: bool = True
    """False when the file is not a CSV file at all (its content was not read)."""
    delimiter: str = ","
    """The delimiter the file was read with (``;`` files from European spreadsheets use decimal
    commas: :func:`kit.store.validation.validate_rows` reads ``3,5`` as 3.5 in number columns)."""


def protect_cell(text: str) -> str:
    """Guard a text cell so that no spreadsheet evaluates it as a formula.

    Examples
    --------
    >>> [protect_cell(t) for t in ("=1+1", "-2", "+3.5", "@SUM(A1)", "'=x", "'x", "plain")]
    ["'=1+1", '-2', '+3.5', "'@SUM(A1)", "''=x", "'x", 'plain']
    """
    if text.startswith(FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    if (
        text.startswith("'")
        and text[1:2]
        and (text[1] == "'" or text[1:].startswith(FORMULA_START))
    ):
        return "'" + text
    return text


def unprotect_cell(text: str) -> str:
    """Undo :func:`protect_cell`: remove one apostrophe guarding a formula character.

    Examples
    --------
    >>> [unprotect_cell(protect_cell(t)) for t in ("=1+1", "'=x", "'x", "-2", "'")]
    ['=1+1', "'=x", "'x", '-2', "'"]
    """
    if (
        text.startswith("'")
        and text[1:2]
        and (text[1] == "'" or text[1:].startswith(FORMULA_START))
    ):
        return text[1:]
    return text


def _utf16(raw: bytes) -> str | None:
    """The encoding of UTF-16 text with or without a byte-order mark, else ``None``."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    head = raw[:4000]
    if len(head) >= 4 and head.count(b"\x00") * 3 > len(head):
        if head[1::2].count(0) * 10 >= len(head[1::2]) * 9:
            return "utf-16-le"
        if head[0::2].count(0) * 10 >= len(head[0::2]) * 9:
            return "utf-16-be"
    return None


_CONTROL = re.compile("[\x00-\x08\x0e-\x1f]")
"""Control characters that no text file holds (tab, line and page breaks are fine)."""


def _binary(text: str) -> bool:
    """True when decoded text is binary junk (NUL bytes or many control characters)."""
    if "\x00" in text:
        return True
    sample = text[:20000]
    control = len(_CONTROL.findall(sample))  # a regular expression: a loop in C, not Python
    return control > max(2, len(sample) // 100)


def decode(raw: bytes, shown: str) -> tuple[str, list[Problem]]:
    """Decode file bytes as UTF-8 (BOM allowed), falling back to Windows-1252 with a warning.

    Parameters
    ----------
    raw : bytes
        The file's content.
    shown : str
        The path as shown in messages.

    Returns
    -------
    text : str
    problems : list of Problem
        A warning naming the first row with non-UTF-8 bytes, when the fallback was used.

    Examples
    --------
    >>> decode("café".encode("cp1252"), "f.csv")[1][0].row
    1
    >>> decode(BOM + b"a,b", "f.csv")
    ('a,b', [])
    >>> decode("a;b".encode("utf-16"), "f.csv")[0]
    'a;b'
    >>> str(decode(bytes(range(8)) * 20, "f.csv")[1][0])
    'f.csv: not a CSV file: it holds binary data, not text; expected a table saved as CSV (comma-separated values) from a spreadsheet'
    """
    encoding = _utf16(raw)
    if encoding is not None:
        try:
            text = raw.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError:
            return "", [Problem(shown, None, None, NOT_CSV)]
        if _binary(text):
            return "", [Problem(shown, None, None, NOT_CSV)]
        return text, []
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    try:
        text = raw.decode("utf-8")
        if _binary(text):
            return "", [Problem(shown, None, None, NOT_CSV)]
        return text, []
    except UnicodeDecodeError as exc:
        row = raw[: exc.start].count(b"\n") + 1
        text = raw.decode("cp1252", errors="replace")
        if _binary(text):
            return "", [Problem(shown, None, None, NOT_CSV)]
        return text, [
            Problem(
                shown,
                row,
                None,
                "the file is not UTF-8; it was read as Windows-1252 (Excel's default). "
                "Check accented letters, and save as 'CSV UTF-8' next time",
                "warning",
            )
        ]


def sniff_delimiter(first_line: str) -> str:
    """Pick the delimiter that splits the header line into the most cells (comma on ties).

    Examples
    --------
    >>> sniff_delimiter("a;b;c"), sniff_delimiter("a,b"), sniff_delimiter("a\\tb\\tc")
    (';', ',', '\\t')
    """
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] > 0 else ","


def parse_csv(raw: bytes, shown: str) -> CsvTable:
    """Parse CSV bytes into a :class:`CsvTable`, collecting problems instead of raising.

    Cells and header names are stripped of surrounding whitespace. Fully blank records are skipped
    (their row numbers are still counted), short records are padded with blanks, and records with
    more cells than the header are reported as errors.

    Parameters
    ----------
    raw : bytes
        The file's content (may be empty).
    shown : str
        The path as shown in messages.

    Returns
    -------
    CsvTable

    Examples
    --------
    >>> t = parse_csv(b'id,text\\n1,"two\\nlines"\\n\\n2,x\\n', "f.csv")
    >>> t.header, t.records, t.rows
    (['id', 'text'], [['1', 'two\\nlines'], ['2', 'x']], [2, 4])
    """
    table = CsvTable(raw=raw)
    text, table.problems = decode(raw, shown)
    if any(p.message == NOT_CSV for p in table.problems):
        table.readable = False
        return table
    if not text.strip():
        return table
    first_line = text.lstrip("\r\n").splitlines()[0]
    delimiter = sniff_delimiter(first_line)
    if delimiter != ",":
        name = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}[delimiter]
        table.problems.append(
            Problem(
                shown,
                1,
                None,
                f"cells are separated by {name}, not commas; read it that way",
                "warning",
            )
        )
    table.delimiter = delimiter
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    record_number = 0
    try:
        for cells in reader:
            record_number += 1
            cells = [c.strip() for c in cells]
            if not table.header:
                if not any(cells):
                    continue
                table.header = cells
                continue
            cells = [unprotect_cell(c) for c in cells]
            if not any(cells):
                continue
            row = record_number
            if len(cells) > len(table.header):
                extra = [c for c in cells[len(table.header) :] if c]
                if extra:
                    table.problems.append(
                        Problem(
                            shown,
                            row,
                            f"(column {len(table.header) + 1})",
                            f"this row has {len(cells)} cells but the header has "
                            f"{len(table.header)}; expected one value per column "
                            f"(a stray comma or delimiter?)",
                        )
                    )
                    continue
                cells = cells[: len(table.header)]
            cells += [""] * (len(table.header) - len(cells))
            table.records.append(cells)
            table.rows.append(row)
    except csv.Error as exc:
        table.problems.append(
            Problem(shown, record_number + 1, None, f"the file cannot be read as CSV ({exc})")
        )
    return table


def read_csv(path: Path, shown: str | None = None) -> CsvTable:
    """Read a CSV file with :func:`parse_csv`; a missing file gives an empty table.

    Examples
    --------
    >>> read_csv(Path("/nonexistent/x.csv")).header
    []
    """
    shown = shown or path.as_posix()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return CsvTable(raw=None)
    except OSError as exc:
        return CsvTable(problems=[Problem(shown, None, None, f"cannot be read: {exc.strerror}")])
    return parse_csv(raw, shown)


def csv_text(header: Sequence[str], records: Iterable[Sequence[str]]) -> str:
    """Format rows as CSV text (comma, minimal quoting, ``\\n`` line ends), formula-safe.

    Cells are guarded with :func:`protect_cell`, so a spreadsheet never evaluates them.

    Examples
    --------
    >>> csv_text(["a", "b"], [["1", "x, y"]])
    'a,b\\n1,"x, y"\\n'
    >>> csv_text(["n", "t"], [["-2", "=HYPERLINK(1)"]])
    "n,t\\n-2,'=HYPERLINK(1)\\n"
    >>> parse_csv(csv_text(["t"], [["a\\rb"]]).encode(), "f.csv").records
    [['a\\rb']]
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(header))
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for record in records:  # a bare carriage return is not quoted by csv: quote that row
        cells = [protect_cell(str(c)) for c in record]
        (quoted if any("\r" in c for c in cells) else writer).writerow(cells)
    return buffer.getvalue()


def _mode_for(path: Path) -> int:
    """The existing file's permissions, or what a plain ``open()`` would give a new file."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` atomically: temp file in the same folder, fsync, ``os.replace``.

    A reader or a crash mid-write sees either the old file or the new one, never a torn file.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "x.txt"
    >>> atomic_write(target, "hello")
    >>> target.read_text()
    'hello'
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with naming(path):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))  # mkstemp makes 0600; keep the file as readable as before
        with naming(path), os.fdopen(fd, "wb") as handle:  # a full disk names the file
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
