"""Problems found in user data (the errors that carry them are in :mod:`kit.exceptions`).

Every check in the kit reports a :class:`Problem` naming the file, the row a spreadsheet shows
(header = row 1) and the column, then says what is wrong and what is expected. Checks collect
*all* problems before raising, so a user fixes a file in one go rather than one error at a time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Problem", "display_path", "errors"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in a user's file.

    Parameters
    ----------
    path : str
        The file, as the user would type it (relative to the folder they named, when possible).
    row : int or None
        The row number a spreadsheet shows: the header is row 1, the first record row 2. ``None``
        for a problem with the whole file.
    column : str or None
        The column's name as written in the header, ``None`` for a whole row or file.
    message : str
        What is wrong and what is expected.
    severity : {"error", "warning"}
        Errors stop a load; warnings are shown and the data is kept.

    Examples
    --------
    >>> str(Problem("teams/a/journey.csv", 4, "emotion", "expected a whole number from -2 to 2"))
    'teams/a/journey.csv:4:emotion: expected a whole number from -2 to 2'
    >>> str(Problem("teams/a/roles.csv", None, None, "file is not UTF-8", "warning"))
    'teams/a/roles.csv: warning: file is not UTF-8'
    """

    path: str
    row: int | None
    column: str | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.path
        if self.row is not None:
            where += f":{self.row}"
            if self.column is not None:
                where += f":{self.column}"
        elif self.column is not None:
            where += f":{self.column}"
        tag = "warning: " if self.severity == "warning" else ""
        return f"{where}: {tag}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """Only the problems that are errors.

    Examples
    --------
    >>> errors([Problem("f", 2, "a", "bad"), Problem("f", 3, "a", "odd", "warning")])
    [Problem(path='f', row=2, column='a', message='bad', severity='error')]
    """
    return [p for p in problems if p.is_error]


def display_path(path: Path | str, root: Path | str | None = None) -> str:
    """Show ``path`` relative to ``root`` (the folder the user named) when it lies inside it.

    Examples
    --------
    >>> display_path("/w/teams/a/journey.csv", "/w")
    'teams/a/journey.csv'
    >>> display_path("/elsewhere/x.csv", "/w")
    '/elsewhere/x.csv'
    """
    path = Path(path)
    if root is not None:
        try:
            return path.relative_to(Path(root)).as_posix()
        except ValueError:
            pass
    return path.as_posix()
