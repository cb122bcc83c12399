"""How a whole file coming back settles with the team's copy: against the base it started from.

``collect`` (a laptop's zip, against the packed base) and ``import-xlsx`` (an Excel file, against
the exported base) both end here.

For each file of a zip, :func:`decide_file` compares three versions — the workshop's copy now,
the zip's, and the base the pack recorded (its hash, and for the team's own files its text) — and
decides what to write:

- only one side changed the file since the pack: that side's version;
- both changed a table or a YAML file whose base text is known: a row-by-row (key-by-key)
  merge (:mod:`kit.store.merge`); cells changed on one side only are taken;
- a row changed differently on both sides, or a file both changed that cannot be merged (a
  notebook, or a pack without base texts), is a clash: refused unless ``prefer`` says which side
  wins, and then the version not kept in place is kept in ``.history/``.

Examples
--------
>>> base = b"role_id,name,level\\ng,Guest,customer\\n"
>>> workshop = base + b"d,Desk,frontline\\n"                 # added in the workshop
>>> laptop = base.replace(b"Guest", b"Hotel guest")           # renamed on the laptop
>>> d = decide_file("teams/t/roles.csv", workshop, laptop, sha(base), base.decode(), None)
>>> d.outcome, d.write.decode()
('merged', 'role_id,name,level,headcount,unit,grade\\ng,Hotel guest,customer,,,\\nd,Desk,frontline,,,\\n')
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import yaml

from kit.store.csvio import parse_csv
from kit.store.merge import Clash, merge_mapping, merge_table
from kit.store.problems import errors
from kit.store.schema import TABLES
from kit.store.storage import HISTORY_DIR, sha
from kit.store.terminal import safe_text
from kit.store.validation import REFLECTIONS_FILE, TEAM_FILE, parse_team, table_text, validate_rows

__all__ = ["Decision", "decide_file", "history_name", "safe_text", "sha"]


def history_name(relative: str, label: str) -> str:
    """Where a version of ``relative`` is kept in its folder's ``.history/``.

    Examples
    --------
    >>> history_name("teams/t/roles.csv", "from-back.").startswith("teams/t/.history/")
    True
    """
    folder, _, name = relative.rpartition("/")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{folder}/{HISTORY_DIR}/{stamp}.{label}{name}"


@dataclass
class Decision:
    """What to do with one file of a zip."""

    name: str
    outcome: str
    """``updated``, ``added``, ``merged`` or ``unchanged`` (an attribute of ``Collected``)."""
    write: bytes | None = None
    """The new content to put in place, or ``None``."""
    clashes: list[str] = field(default_factory=list)
    """Clashes found (settled when ``prefer`` was given)."""
    keep: list[tuple[str, bytes]] = field(default_factory=list)
    """Versions to keep in ``.history/``: ("zip" | "workshop." | "", bytes)."""


SIDES = ("workshop", "laptop")
"""How the two sides are named in clashes: the team's copy, and what comes back."""


def _clash_line(name: str, clash: Clash, sides: tuple[str, str] = SIDES) -> str:
    where = f"{name}, row {clash.row}" if clash.row else name
    if clash.column is None:
        theirs = "deleted the row" if clash.theirs is None else "changed it"
        mine = "deleted it" if clash.mine is None else "changed it"
        return f"{where}: the {sides[0]} {theirs}, the {sides[1]} {mine}"
    return (
        f"{where}, {safe_text(clash.column)}: {sides[0]} {safe_text(repr(clash.theirs))}, "
        f"{sides[1]} {safe_text(repr(clash.mine))}"
    )


def _table_text(table: str, raw: bytes | str | None) -> str | None:
    """The table as the kit writes it, or ``None`` when it does not validate."""
    if raw is None:
        return None
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    spec = TABLES[table]
    typed, problems = validate_rows(spec, parse_csv(data, spec.filename), spec.filename)
    return None if errors(problems) else table_text(table, typed)


def _mapping(filename: str, raw: bytes | str | None) -> dict | None:
    data = raw.encode("utf-8") if isinstance(raw, str) else raw
    team = parse_team({filename: data})
    if errors(team.problems):
        return None
    return dict(team.team if filename == TEAM_FILE else team.reflections)


def _dump(data: dict) -> bytes:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100).encode("utf-8")


def _merge(
    filename: str, base: str, current: bytes | None, zipped: bytes, prefer: str | None
) -> tuple[bytes | None, list[Clash]] | None:
    """Row (key) merge of the workshop's and the zip's versions; ``None`` when not mergeable."""
    if filename in (TEAM_FILE, REFLECTIONS_FILE):
        b, c, z = (_mapping(filename, x) for x in (base, current, zipped))
        if b is None or z is None or (c is None and current is not None):
            return None
        c = c or {}
        _, clashes = merge_mapping(filename, b, c, z)
        if prefer == "workshop":
            merged, _ = merge_mapping(filename, b, z, c, prefer_mine=True)
        else:
            merged, _ = merge_mapping(filename, b, c, z, prefer_mine=prefer == "zip")
        return _dump(merged), clashes
    table = filename.removesuffix(".csv")
    if table not in TABLES:
        return None
    b, c, z = (_table_text(table, x) for x in (base, current, zipped))
    if b is None or z is None or (c is None and current is not None):
        return None
    _, clashes = merge_table(table, b, c, z)
    if prefer == "workshop":
        text, _ = merge_table(table, b, z, c, prefer_mine=True)
    else:
        text, _ = merge_table(table, b, c, z, prefer_mine=prefer == "zip")
    return text.encode("utf-8"), clashes


def decide_file(
    name: str,
    current: bytes | None,
    zipped: bytes,
    base_sha: str | None,
    base_text: str | None,
    prefer: str | None,
    *,
    keep_old: bool = False,
    sides: tuple[str, str] = SIDES,
) -> Decision:
    """Decide one file (``name`` relative to the workshop); see the module's text.

    Parameters
    ----------
    name : str
        The file, relative to the workshop folder (shown in clashes).
    current, zipped : bytes or None
        The workshop's copy now (``None``: missing) and the zip's.
    base_sha, base_text : str or None
        The packed version's hash and, for the team's own files, its text.
    prefer : {None, "workshop", "zip"}
        Which side wins a clash (``None``: the clash is only reported).
    keep_old : bool
        Keep a replaced version in ``.history/`` (files outside the team's safe save).
    sides : (str, str)
        How clashes name the team's copy and what comes back.

    Returns
    -------
    Decision
    """
    if current == zipped:
        return Decision(name, "unchanged")
    if current is None and base_sha is None:
        return Decision(name, "added", zipped)
    if current is not None and sha(current) == base_sha:
        return Decision(name, "updated", zipped, keep=[("", current)] if keep_old else [])
    if sha(zipped) == base_sha:  # only the workshop changed it since the pack: keep that
        return Decision(name, "unchanged")
    filename = name.rpartition("/")[2]
    merged = _merge(filename, base_text, current, zipped, prefer) if base_text else None
    if merged is not None:
        data, found = merged
        clashes = [_clash_line(name, c, sides) for c in found]
        keep = []
        if found and prefer == "zip" and current is not None:
            keep = [("workshop.", current)]
        elif found and prefer == "workshop":
            keep = [("zip", zipped)]
        outcome = "merged" if data != current else "unchanged"
        return Decision(name, outcome, data if data != current else None, clashes, keep)
    what = f"was deleted in the {sides[0]}" if current is None else "changed on both sides"
    clash = f"{name}: {what} (a whole file: it cannot be merged row by row)"
    if prefer == "zip":
        keep = [("workshop.", current)] if current is not None else []
        return Decision(name, "updated", zipped, [clash], keep)
    return Decision(name, "unchanged", None, [clash], [("zip", zipped)] if prefer else [])
