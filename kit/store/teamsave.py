"""The one safe way whole files enter a team folder (``collect``, ``import-xlsx``, orgchart).

The editors save through :meth:`kit.store.workbook.Workbook.save`; commands that bring whole
files from elsewhere (a laptop's zip, a spreadsheet, an org-chart export) save through
:func:`save_team_files`, which follows the same steps:

1. take the team's lock (:func:`kit.store.storage.team_lock`), finish or clean up any save a
   crash interrupted;
2. read the team as it is on disk *now* and hand it to the caller's ``plan``, which decides the
   new content of each file (a row merge against a base, say) from what is really there;
3. validate the whole team as it would be after the change — a change that leaves any error
   (a role removed while an edge still uses it) is refused with every problem, and nothing is
   written;
4. write every changed file as one change (:func:`kit.store.storage.commit`), the previous
   versions kept in ``.history/``.

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> roles = b"role_id,name,level\\ng,Guest,customer\\n"
>>> save_team_files(folder, lambda disk: {"roles.csv": roles})
['roles.csv']
>>> save_team_files(folder, lambda disk: {"serves.csv": b"from_role,to_role\\nx,g\\n"},
...                 root=folder)
Traceback (most recent call last):
...
kit.exceptions.InvalidData: serves.csv:2:from_role: 'x' is not a role_id in roles.csv; expected one of: g
>>> sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
['roles.csv']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import get_args

from kit.exceptions import InvalidData
from kit.store.csvio import parse_csv
from kit.store.oserrors import naming
from kit.store.problems import display_path, errors
from kit.store.schema import TABLES
from kit.store.storage import cleanup, commit, read_bytes, recover, team_lock
from kit.store.validation import FILES, empty_frame, parse_team, table_text, validate_rows

__all__ = ["Plan", "canonical_table", "date_columns", "read_team_files", "save_team_files"]

Plan = Callable[[Mapping[str, bytes | None]], Mapping[str, bytes]]
"""Files on disk (name -> bytes, ``None`` when missing) -> the new content of changed files."""


def canonical_table(name: str, raw: bytes | None) -> str | None:
    """Table ``name`` as the kit writes it (``None`` when ``raw`` has errors; a missing file is
    the empty table), so two files can be compared by what they hold, not how they are spelt.

    Examples
    --------
    >>> canonical_table("serves", b"to_role,from_role\\r\\ng,d\\r\\n")
    'from_role,to_role\\nd,g\\n'
    >>> canonical_table("serves", None)
    'from_role,to_role\\n'
    """
    spec = TABLES[name]
    if raw is None:
        return table_text(name, empty_frame(name))
    typed, problems = validate_rows(spec, parse_csv(raw, spec.filename), spec.filename)
    return None if errors(problems) else table_text(name, typed)


def date_columns(name: str) -> list[str]:
    """The columns of table ``name`` that hold dates.

    Examples
    --------
    >>> date_columns("plan")
    ['due']
    """
    model = TABLES[name].model
    found = []
    for column in TABLES[name].columns:
        annotation = model.model_fields[column].annotation
        if dt.date in (annotation, *get_args(annotation)):
            found.append(column)
    return found


def read_team_files(path: Path | str, root: Path | str | None = None) -> dict[str, bytes | None]:
    """Every team file's bytes (``None`` when missing), read without following links.

    Raises
    ------
    kit.exceptions.InvalidData
        A file is a link, a special file, too large or unreadable (the message says which).

    Examples
    --------
    >>> import tempfile
    >>> read_team_files(tempfile.mkdtemp())["journey.csv"] is None
    True
    """
    path = Path(path)
    raws: dict[str, bytes | None] = {}
    problems = []
    for filename in FILES:
        raws[filename], problem = read_bytes(path / filename, display_path(path / filename, root))
        if problem is not None:
            problems.append(problem)
    if problems:
        raise InvalidData(problems)
    return raws


def save_team_files(
    path: Path | str, plan: Plan, *, root: Path | str | None = None, history: bool = True
) -> list[str]:
    """Change whole files of a team folder safely: lock, plan, validate the team, commit.

    Parameters
    ----------
    path : path-like
        The team folder.
    plan : callable
        Called under the lock with the files as they are on disk; returns file name -> new
        bytes (names from :data:`kit.store.validation.FILES`). It may raise to refuse.
    root : path-like, optional
        Folder that messages show paths relative to.
    history : bool
        Keep the previous versions in ``.history/`` (default).

    Returns
    -------
    list of str
        The file names written (only those whose bytes changed), in ``FILES`` order.

    Raises
    ------
    kit.exceptions.InvalidData
        The team would have errors after the change, or a file cannot be read; nothing written.
    """
    path = Path(path)

    def shown(filename: str) -> str:
        return display_path(path / filename, root)

    with team_lock(path):
        recover(path)
        cleanup(path)
        raws = read_team_files(path, root)
        changes = dict(plan(raws))
        unknown = sorted(set(changes) - set(FILES))
        if unknown:
            raise ValueError(f"not team files: {', '.join(unknown)}")
        payload = {f: changes[f] for f in FILES if f in changes and changes[f] != raws.get(f)}
        if not payload:
            return []
        after = parse_team({**raws, **payload}, shown)
        if errors(after.problems):
            raise InvalidData(errors(after.problems))
        with naming(path):
            commit(path, payload, history=history)
    return list(payload)
