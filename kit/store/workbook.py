"""A team's workbook: its CSV tables and YAML files, validated on every load, saved safely.

A team folder holds ``team.yaml`` (``name``, ``members``), the tables declared in
:data:`kit.store.schema.TABLES` (``journey.csv``, ``roles.csv`` …) and ``reflections.yaml``. A missing
table is an empty table, so a brand-new team is valid.

This module is the workbook in memory and how it is saved; what the files mean is checked in
:mod:`kit.store.validation` and the bytes are kept safe by :mod:`kit.store.storage`.

Loading checks every row of every table against its schema, then keys and references across
tables, and reports **every** problem as ``path:row:column: what is wrong; expected …``.
Changing tables (:meth:`Workbook.set_tables`) is transactional: all the new tables are checked
together and either all replace the old ones or none does. Saving happens under the team's lock:

1. every file this workbook changed is merged row by row with the version on disk, if someone
   else saved it meanwhile (:mod:`kit.store.merge`); only a clash on the same row stops the save
   (:class:`kit.exceptions.RowConflict`, listing both values);
2. the whole team — its files as they are on disk plus this change — is validated; a change
   that would leave it invalid (a touchpoint deleted here while someone added a need for it) is
   refused with :class:`TeamWouldBreak`, which offers to delete the dependent rows too
   (``save(cascade=True)``);
3. all changed files are written as one change (:func:`kit.store.storage.commit`), the previous
   versions kept in ``.history/``, and the workbook takes in what others saved meanwhile.

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

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from kit.exceptions import ConflictError, InvalidData, RowConflict, TeamWouldBreak
from kit.store.csvio import parse_csv
from kit.store.merge import Clash, merge_mapping, merge_table
from kit.store.problems import Problem, display_path, errors
from kit.store.safeyaml import parse_yaml
from kit.store.schema import TABLES
from kit.store.storage import (
    HISTORY_DIR,
    HISTORY_KEEP,
    cleanup,
    commit,
    folder_problem,
    needs_recovery,
    read_bytes,
    recover,
    sha,
    team_lock,
)
from kit.store.validation import (
    FILES,
    REFLECTIONS_FILE,
    TEAM_FILE,
    cell_text,
    cross_checks,
    dangling,
    empty_frame,
    expected,
    parse_team,
    table_text,
    validate_rows,
)
from kit.store.yamlcheck import check_team

__all__ = [
    "FILES",
    "HISTORY_DIR",
    "HISTORY_KEEP",
    "REFLECTIONS_FILE",
    "TEAM_FILE",
    "Clash",
    "ConflictError",
    "InvalidData",
    "RowConflict",
    "TeamWouldBreak",
    "Workbook",
    "cell_text",
    "empty_frame",
    "expected",
    "table_text",
    "team_name",
    "validate_team",
]

_UNREADABLE = "unreadable"


def _dump(data: Mapping[str, Any]) -> str:
    return yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False, width=100)


# --------------------------------------------------------------------------- the workbook
class Workbook:
    """One team's tables in memory, with what was read from disk remembered for safe saving.

    Use :meth:`load` to open a team folder. Tables are read with ``wb["journey"]`` (a copy) and
    replaced with ``wb["journey"] = frame`` or, several at once, :meth:`set_tables` (validated at
    once against the other tables; raises :class:`kit.exceptions.InvalidData` and keeps the old
    tables when invalid). :meth:`save` writes the files that changed. Treat ``tables`` as
    read-only: replace a table, never edit it in place.

    Attributes
    ----------
    merged : list of str
        After a save: files merged with changes someone else saved meanwhile.
    refreshed : list of str
        After a save: files this workbook had not changed that someone else saved meanwhile
        (the workbook now shows their version).

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
        self._shown_paths: dict[str, str] = {}
        self.tables: dict[str, pd.DataFrame] = {n: empty_frame(n) for n in TABLES}
        self.team: dict[str, Any] = {"name": "", "members": []}
        self.reflections: dict[str, str] = {}
        self.problems: list[Problem] = []
        self.merged: list[str] = []
        self.refreshed: list[str] = []
        self._stamps: dict[str, str | None] = {}
        # file name -> its text as last read or saved (the base of a merge); a table's text is
        # made from ``_base_tables`` when first asked for: most reads never save
        self._base: dict[str, str | None] = {}
        self._base_tables: dict[str, pd.DataFrame] = {}
        self._base_data: dict[str, dict[str, Any]] = {}
        # table name -> (the frame object, its CSV text): tables are replaced, never edited in
        # place (``wb[name] = frame``), so an unchanged object means unchanged text.
        self._texts: dict[str, tuple[pd.DataFrame, str]] = {}
        self._dumps: dict[str, tuple[str, str]] = {}

    # -- reading ------------------------------------------------------------------------------
    @classmethod
    def load(
        cls, path: Path | str, *, root: Path | str | None = None, strict: bool = True
    ) -> Workbook:
        """Read and validate a team folder.

        Parameters
        ----------
        path : path-like
            The team folder (it may not exist yet: a new team is empty).
        root : path-like, optional
            Folder that messages show paths relative to (default: ``path``'s workshop, if any).
        strict : bool
            Raise :class:`kit.exceptions.InvalidData` when there are errors (default). With
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
        shown = self._shown_paths.get(filename)
        if shown is None:  # asked for a dozen times a file while a team is read
            shown = self._shown_paths[filename] = display_path(self.path / filename, self.root)
        return shown

    def _read_raw(self) -> tuple[dict[str, bytes | None], dict[str, Problem]]:
        raws: dict[str, bytes | None] = {}
        unreadable: dict[str, Problem] = {}
        for filename in FILES:
            raws[filename], problem = read_bytes(self.path / filename, self._shown(filename))
            if problem is not None:
                unreadable[filename] = problem
        return raws, unreadable

    def _read(self) -> None:
        problem = folder_problem(self.path, display_path(self.path, self.root))
        if problem is not None:
            self.__init__(self.path, self.root)
            self.problems = [problem]
            self._stamps = dict.fromkeys(FILES, _UNREADABLE)
            self._base = dict.fromkeys(FILES)  # any edit is a change: its save is refused
            self._base_tables = {}
            return
        if needs_recovery(self.path):  # a save was killed after it committed: finish it
            with team_lock(self.path):
                recover(self.path)
        raws, unreadable = self._read_raw()
        self._adopt(raws, unreadable)

    def _adopt(self, raws: Mapping[str, bytes | None], unreadable: Mapping[str, Problem]) -> None:
        """Take in the team as ``raws`` hold it: tables, stamps and the base for merging."""
        data = parse_team(raws, self._shown, unreadable)
        self.tables, self.team, self.reflections = data.tables, data.team, data.reflections
        self.problems = data.problems
        self._stamps = {f: _UNREADABLE if f in unreadable else sha(raws.get(f)) for f in FILES}
        self._base = {f: self._serialise(f) for f in (TEAM_FILE, REFLECTIONS_FILE)}
        self._base_tables = dict(self.tables)
        self._base_data = {TEAM_FILE: dict(self.team), REFLECTIONS_FILE: dict(self.reflections)}

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
        self.set_tables({name: frame})

    def _check(
        self, changes: Mapping[str, pd.DataFrame]
    ) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
        typed: dict[str, pd.DataFrame] = {}
        problems: list[Problem] = []
        for name, frame in changes.items():
            spec = TABLES[name]
            shown = self._shown(spec.filename)
            text = table_text(name, frame)
            typed[name], found = validate_rows(spec, parse_csv(text.encode("utf-8"), shown), shown)
            problems += found
        frames = {**self.tables, **typed}
        # Problems of these tables, and of tables that point at them (a deleted role in use).
        affected = {self._shown(TABLES[n].filename) for n in changes}
        affected |= {
            self._shown(s.filename)
            for s in TABLES.values()
            if any(r.table in changes for r in s.references)
        }
        shown_all = {n: self._shown(s.filename) for n, s in TABLES.items()}
        problems += [p for p in cross_checks(frames, shown_all) if p.path in affected]
        for frame in typed.values():
            frame.attrs.clear()
        return typed, problems

    def set_tables(self, changes: Mapping[str, pd.DataFrame]) -> list[Problem]:
        """Replace several tables at once, all or none; returns warnings, raises on errors.

        The new tables are checked together (a touchpoint and its needs deleted in one change
        is fine in any order).

        Raises
        ------
        kit.exceptions.InvalidData
            When the new tables have errors; the workbook keeps all the old tables.

        Examples
        --------
        >>> import tempfile
        >>> wb = Workbook.load(tempfile.mkdtemp())
        >>> roles = pd.DataFrame([{"role_id": "g", "name": "Guest", "level": "customer"},
        ...                       {"role_id": "d", "name": "Desk", "level": "frontline"}])
        >>> wb.set_tables({"serves": pd.DataFrame([{"from_role": "d", "to_role": "g"}]),
        ...                "roles": roles})
        []
        >>> try:
        ...     wb.set_tables({"roles": roles[:1], "journey": empty_frame("journey")})
        ... except InvalidData as err:
        ...     print(err)
        serves.csv:2:from_role: 'd' is not a role_id in roles.csv; expected one of: g
        >>> len(wb["roles"])  # nothing changed
        2
        """
        typed, problems = self._check(changes)
        if errors(problems):
            raise InvalidData(problems)
        self.tables.update(typed)
        return problems

    def set_table(self, name: str, frame: pd.DataFrame) -> list[Problem]:
        """Replace table ``name`` after validating it (see :meth:`set_tables`)."""
        return self.set_tables({name: frame})

    def set_team(self, name: str | None = None, members: list[str] | None = None) -> None:
        """Change the team's display name or members (saved with :meth:`save`)."""
        if name is not None:
            self.team["name"] = str(name)
        if members is not None:
            self.team["members"] = [str(m) for m in members]

    def set_reflection(self, key: str, answer: str) -> None:
        """Record the team's answer to one action-plan question (saved with :meth:`save`)."""
        self.reflections[str(key)] = str(answer)

    def revert(
        self, before: Mapping[str, pd.DataFrame], after: Mapping[str, pd.DataFrame]
    ) -> list[Problem]:
        """Undo one edit (tables ``before`` -> ``after``) row by row, keeping others' edits since.

        Raises
        ------
        kit.exceptions.RowConflict
            When someone changed a row this edit changed, differently, since.
        kit.exceptions.InvalidData
            When the old rows no longer fit the other tables.
        """
        frames, clashes = {}, []
        for name in before:
            text, found = merge_table(
                name,
                table_text(name, after[name]),
                table_text(name, self.tables[name]),
                table_text(name, before[name]),
            )
            clashes += found
            shown = self._shown(TABLES[name].filename)
            frames[name], _ = validate_rows(
                TABLES[name], parse_csv(text.encode("utf-8"), shown), shown
            )
            frames[name].attrs.clear()
        if clashes:
            raise RowConflict(self.path / clashes[0].filename, clashes)
        return self.set_tables(frames)

    # -- saving ------------------------------------------------------------------------------------
    def _serialise(self, filename: str) -> str | None:
        if filename in (TEAM_FILE, REFLECTIONS_FILE):
            data = self.team if filename == TEAM_FILE else self.reflections
            if filename == REFLECTIONS_FILE and not data:
                return None
            key = repr(data)  # dumping YAML is slow; the answers rarely change
            cached = self._dumps.get(filename)
            if cached is None or cached[0] != key:
                cached = self._dumps[filename] = (key, _dump(data))
            return cached[1]
        return self._table_text(filename.removesuffix(".csv"), self.tables)

    def _table_text(self, name: str, tables: Mapping[str, pd.DataFrame]) -> str:
        frame = tables[name]
        cached = self._texts.get(name)
        if cached is None or cached[0] is not frame:
            cached = self._texts[name] = (frame, table_text(name, frame))
        return cached[1]

    def _base_text(self, filename: str) -> str | None:
        """``filename``'s text as last read or saved (``None``: it was not there)."""
        if filename not in self._base:
            name = filename.removesuffix(".csv")
            if name not in self._base_tables:
                return None
            self._base[filename] = self._table_text(name, self._base_tables)
        return self._base[filename]

    def changed(self) -> list[str]:
        """File names whose in-memory content differs from what was last read or saved."""
        changed = []
        for f in FILES:
            if f.endswith(".csv") and self.tables.get(f.removesuffix(".csv")) is (
                self._base_tables.get(f.removesuffix(".csv"))
            ):
                continue  # the very table read: unchanged, whatever its text
            text = self._base_text(f)
            if self._serialise(f) != text and not (text is None and self._is_blank(f)):
                changed.append(f)
        return changed

    def _is_blank(self, filename: str) -> bool:
        if filename == TEAM_FILE:
            return not self.team.get("name") and not self.team.get("members")
        if filename == REFLECTIONS_FILE:
            return not self.reflections
        return len(self.tables[filename.removesuffix(".csv")]) == 0

    def stale(self) -> list[str]:
        """File names changed on disk by someone else since this workbook read or saved them."""
        now = {}
        for filename in self._stamps:
            raw, problem = read_bytes(self.path / filename, filename)
            now[filename] = _UNREADABLE if problem is not None else sha(raw)
        return [f for f, stamp in self._stamps.items() if now[f] != stamp]

    def _merge(self, filename: str, theirs: bytes | None, force: bool) -> tuple[str, list[Clash]]:
        """Merge this workbook's version of ``filename`` with ``theirs`` (the file on disk)."""
        mine = self._serialise(filename) or ""
        if filename in (TEAM_FILE, REFLECTIONS_FILE):
            data = parse_team({filename: theirs}, self._shown)
            problems = [p for p in errors(data.problems) if p.path == self._shown(filename)]
            if problems:
                raise InvalidData(problems)
            current = data.team if filename == TEAM_FILE else data.reflections
            mine_data = self.team if filename == TEAM_FILE else self.reflections
            merged, clashes = merge_mapping(
                filename, self._base_data.get(filename, {}), current, mine_data, prefer_mine=force
            )
            return (_dump(merged) if merged else ""), clashes
        name = filename.removesuffix(".csv")
        spec = TABLES[name]
        shown = self._shown(filename)
        table = parse_csv(theirs, shown) if theirs is not None else None
        if table is not None:
            typed, problems = validate_rows(spec, table, shown)
            if errors(problems):
                raise InvalidData(problems)
            theirs_text = table_text(name, typed)
        else:
            theirs_text = None
        return merge_table(name, self._base_text(filename), theirs_text, mine, prefer_mine=force)

    def save(self, *, force: bool = False, cascade: bool = False) -> list[Path]:
        """Merge with what others saved, check the whole team, and write the changed files.

        Parameters
        ----------
        force : bool
            Settle clashes on the same row with this workbook's values ("keep mine"); rows
            others changed that this workbook did not are kept either way. Default False.
        cascade : bool
            When the change would leave rows pointing at ids it removes (needs of a deleted
            touchpoint, possibly added meanwhile by someone else), delete those rows too.

        Returns
        -------
        list of Path
            The files written (none when nothing changed).

        Raises
        ------
        kit.exceptions.RowConflict
            A row this workbook changed was changed differently on disk (``force`` is False).
        TeamWouldBreak
            The team on disk plus this change would be invalid (nothing is written); its
            ``offer`` says which dependent rows ``cascade=True`` would delete.
        kit.exceptions.InvalidData
            A file this workbook changed has errors on disk, or cannot be read.

        Examples
        --------
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> first, second = Workbook.load(folder), Workbook.load(folder)
        >>> first.set_reflection("first_step", "Ann books the room"); _ = first.save()
        >>> second.set_reflection("frontline_time", "Fridays"); _ = second.save()
        >>> Workbook.load(folder).reflections  # both answers kept
        {'frontline_time': 'Fridays', 'first_step': 'Ann books the room'}
        """
        self.merged, self.refreshed = [], []
        todo = self.changed()
        if not todo:
            return []
        with team_lock(self.path):
            recover(self.path)
            cleanup(self.path)
            raws, unreadable = self._read_raw()
            if unreadable:
                raise InvalidData(list(unreadable.values()))
            new: dict[str, str] = {}
            clashes: list[Clash] = []
            merged = []
            for filename in todo:
                if sha(raws.get(filename)) == self._stamps.get(filename):
                    new[filename] = self._serialise(filename) or ""
                else:
                    new[filename], found = self._merge(filename, raws.get(filename), force)
                    clashes += found
                    merged.append(filename)
            if clashes:
                raise RowConflict(self.path / clashes[0].filename, clashes)
            after = {**raws, **{f: text.encode("utf-8") for f, text in new.items()}}
            before = dict(self._stamps)
            untouched = all(sha(raws.get(f)) == before.get(f) for f in FILES)
            if not untouched:  # someone else saved: check the team as it will be on disk
                after = self._whole_team(after, cascade)
            payload = {
                f: after[f] or b""
                for f in FILES
                if after.get(f) != raws.get(f) and (f in new or f.endswith(".csv"))
            }
            commit(self.path, payload)
            if untouched:  # the tables in memory were checked together by set_tables
                for filename in new:
                    self._stamps[filename] = sha(after[filename])
                    self._base[filename] = self._serialise(filename)
                    if filename.endswith(".csv"):
                        name = filename.removesuffix(".csv")
                        self._base_tables[name] = self.tables[name]
                self._base_data = {
                    TEAM_FILE: dict(self.team),
                    REFLECTIONS_FILE: dict(self.reflections),
                }
            else:
                self._adopt(after, {})
        self.merged = merged
        self.refreshed = [
            f for f in FILES if f not in payload and sha(raws.get(f)) != before.get(f)
        ]
        return [self.path / f for f in payload]

    def _whole_team(self, after: dict[str, bytes | None], cascade: bool) -> dict[str, bytes | None]:
        """Check the team as it would be on disk; cascade or raise :class:`TeamWouldBreak`."""
        data = parse_team(after, self._shown)
        if not errors(data.problems):
            return after
        fixed = dangling(data.tables)
        offer = {n: len(data.tables[n]) - len(f) for n, f in fixed.items()}
        if fixed:
            cascaded = {
                **after,
                **{TABLES[n].filename: table_text(n, f).encode("utf-8") for n, f in fixed.items()},
            }
            if errors(parse_team(cascaded, self._shown).problems):
                offer = {}
            elif cascade:
                return cascaded
        raise TeamWouldBreak(data.problems, offer)


def team_name(path: Path | str) -> str:
    """A team's display name from its ``team.yaml`` alone, as :attr:`Workbook.name` gives it
    ("" when the folder or the file is refused or has no valid name): the other files are not
    read (a list of 300 teams' names reads 300 small files, not 2,400).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "team.yaml").write_text("name: Night Shift\\nmembers: [Ann]\\n")
    >>> team_name(folder), Workbook.load(folder).name
    ('Night Shift', 'Night Shift')
    >>> (folder.parent / (folder.name + "-link")).symlink_to(folder)
    >>> team_name(folder.parent / (folder.name + "-link"))  # a link is never followed
    ''
    """
    path = Path(path)
    if needs_recovery(path):  # a killed save: the full read finishes it first
        return Workbook.load(path, strict=False).name
    if folder_problem(path, TEAM_FILE) is not None:
        return ""
    raw, problem = read_bytes(path / TEAM_FILE, TEAM_FILE)
    if problem is not None:
        return ""
    data, _ = parse_yaml(raw, TEAM_FILE)
    team, _ = check_team(data, TEAM_FILE)
    return team.get("name", "")


def validate_team(path: Path | str, root: Path | str | None = None) -> list[Problem]:
    """Every problem in a team folder (errors and warnings), without raising.

    Examples
    --------
    >>> import tempfile
    >>> validate_team(tempfile.mkdtemp())
    []
    """
    return Workbook.load(path, root=root, strict=False).problems
