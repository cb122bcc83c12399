"""Three-way merge of a team's tables, row by row, so concurrent edits are never lost.

Two people editing one team each load a version of a file (the *base*), change it (*mine*), and
save; meanwhile the file on disk may have been saved by the other (*theirs*). Rows are matched by
the table's id columns (:attr:`kit.store.schema.TableSpec.key`; tables without ids, like ``needs``, by
the whole row). For each row and each cell, a side that left it as in the base gives way to the
side that changed it; when both changed the same cell differently, or one deleted a row the other
changed, that is a :class:`Clash` — the only case a person is asked about.

Examples
--------
>>> base = "role_id,name,level\\ng,Guest,customer\\nd,Desk,frontline\\n"
>>> theirs = base.replace("Desk", "Front desk")             # they renamed one role
>>> mine = base + "m,Manager,manager\\n"                     # I added another
>>> text, clashes = merge_table("roles", base, theirs, mine)
>>> print(text, end="")
role_id,name,level
g,Guest,customer
d,Front desk,frontline
m,Manager,manager
>>> clashes
[]
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kit.store.csvio import csv_text, parse_csv
from kit.store.schema import TABLES

__all__ = ["Clash", "merge_mapping", "merge_table"]

_GONE = object()


@dataclass(frozen=True)
class Clash:
    """Both sides changed the same row (or cell) differently: a person must choose.

    ``theirs``/``mine`` are the values (``None`` when that side deleted the row).

    Examples
    --------
    >>> str(Clash("journey.csv", "touchpoint_id=T1", "stage", "Arrival", "Check-in"))
    "journey.csv, row touchpoint_id=T1, stage: theirs 'Arrival', yours 'Check-in'"
    >>> str(Clash("journey.csv", "touchpoint_id=T1", None, None, "changed"))
    'journey.csv, row touchpoint_id=T1: theirs deleted the row, yours changed it'
    """

    filename: str
    row: str
    column: str | None
    theirs: str | None
    mine: str | None

    def __str__(self) -> str:
        where = f"{self.filename}, row {self.row}" if self.row else self.filename
        if self.column is None:
            theirs = "deleted the row" if self.theirs is None else "changed it"
            mine = "deleted it" if self.mine is None else "changed it"
            return f"{where}: theirs {theirs}, yours {mine}"
        return f"{where}, {self.column}: theirs {self.theirs!r}, yours {self.mine!r}"


def _rows(text: str | None, key: tuple[str, ...]) -> tuple[list[str], dict[tuple, dict]]:
    """Columns, and rows by identity, of a CSV text (identity: key cells, or the whole row)."""
    if not text:
        return [], {}
    table = parse_csv(text.encode("utf-8"), "")
    columns = list(table.header)
    rows: dict[tuple, dict] = {}
    for cells in table.records:
        row = dict(zip(columns, cells, strict=True))
        ident = tuple(row.get(c, "") for c in (key or columns))
        n = 0
        while (ident, n) in rows:  # the same row twice in a table without ids
            n += 1
        rows[(ident, n)] = row
    return columns, rows


def _describe(ident: tuple, key: tuple[str, ...], columns: list[str]) -> str:
    names = key or tuple(columns)
    return ", ".join(f"{c}={v}" for c, v in zip(names, ident[0], strict=False) if v != "")


def merge_table(
    name: str, base: str | None, theirs: str | None, mine: str | None, *, prefer_mine: bool = False
) -> tuple[str, list[Clash]]:
    """Merge three versions of table ``name`` (CSV texts as :func:`kit.store.validation.table_text`).

    Parameters
    ----------
    name : str
        Table name in :data:`kit.store.schema.TABLES`.
    base, theirs, mine : str or None
        The version loaded, the one on disk now, and this editor's (``None``: no file).
    prefer_mine : bool
        Settle clashes with this editor's values ("keep mine") instead of reporting them.

    Returns
    -------
    text : str
        The merged table (clashing cells keep this editor's value).
    clashes : list of Clash
        Rows both sides changed differently (empty with ``prefer_mine``).

    Examples
    --------
    >>> base = "touchpoint_id,stage\\nT1,Arrival\\n"
    >>> text, clashes = merge_table("journey", base, base.replace("Arrival", "Door"),
    ...                             base.replace("Arrival", "Desk"))
    >>> [str(c) for c in clashes]
    ["journey.csv, row touchpoint_id=T1, stage: theirs 'Door', yours 'Desk'"]
    """
    spec = TABLES[name]
    key = spec.key
    base_cols, base_rows = _rows(base, key)
    their_cols, their_rows = _rows(theirs, key)
    my_cols, my_rows = _rows(mine, key)
    columns = my_cols + [c for c in their_cols if c not in my_cols] or their_cols or base_cols
    clashes: list[Clash] = []
    merged: dict[tuple, dict] = {}
    for ident in [
        *my_rows,
        *(i for i in their_rows if i not in my_rows),
        *(i for i in base_rows if i not in my_rows and i not in their_rows),
    ]:
        b = base_rows.get(ident, _GONE)
        t = their_rows.get(ident, _GONE)
        m = my_rows.get(ident, _GONE)
        where = _describe(ident, key, columns)
        if t is _GONE or m is _GONE:
            if t is _GONE and m is _GONE:
                continue
            alive = m if t is _GONE else t
            if b is _GONE:  # added by one side only
                merged[ident] = alive
            elif alive == b:  # the other side deleted an unchanged row
                continue
            else:  # deleted on one side, changed on the other
                if not prefer_mine:
                    clashes.append(
                        Clash(
                            spec.filename,
                            where,
                            None,
                            None if t is _GONE else "changed",
                            None if m is _GONE else "changed",
                        )
                    )
                if m is not _GONE:
                    merged[ident] = m
            continue
        base_row = b if b is not _GONE else {}
        row = {}
        for column in columns:
            bc, tc, mc = base_row.get(column), t.get(column, ""), m.get(column, "")
            if tc == mc or mc == bc:
                row[column] = tc
            elif tc == bc:
                row[column] = mc
            else:
                row[column] = mc
                if not prefer_mine:
                    clashes.append(Clash(spec.filename, where, column, tc, mc))
        merged[ident] = row
    order = [i for i in my_rows if i in merged]
    for position, ident in enumerate(their_rows):
        if ident in merged and ident not in order:  # added by them: after its neighbour there
            before = [i for i in list(their_rows)[:position] if i in order]
            order.insert(order.index(before[-1]) + 1 if before else 0, ident)
    records = [[merged[i].get(c, "") for c in columns] for i in order]
    return csv_text(columns, records), clashes


def merge_mapping(
    filename: str,
    base: Mapping[str, Any],
    theirs: Mapping[str, Any],
    mine: Mapping[str, Any],
    *,
    prefer_mine: bool = False,
) -> tuple[dict[str, Any], list[Clash]]:
    """Merge three versions of a YAML mapping key by key (``team.yaml``, ``reflections.yaml``).

    Examples
    --------
    >>> merge_mapping("reflections.yaml", {}, {"a": "theirs"}, {"b": "mine"})
    ({'b': 'mine', 'a': 'theirs'}, [])
    >>> merge_mapping("r.yaml", {"a": "x"}, {"a": "y"}, {"a": "z"})[1][0].column
    'a'
    """
    merged: dict[str, Any] = {}
    clashes: list[Clash] = []
    for k in [*mine, *(k for k in theirs if k not in mine)]:
        b, t, m = base.get(k, _GONE), theirs.get(k, _GONE), mine.get(k, _GONE)
        if t == m or m == b:
            value = t
        elif t == b:
            value = m
        else:
            value = m
            if not prefer_mine:
                clashes.append(
                    Clash(
                        filename,
                        "",
                        k,
                        None if t is _GONE else str(t),
                        None if m is _GONE else str(m),
                    )
                )
        if value is not _GONE:
            merged[k] = value
    return merged, clashes
