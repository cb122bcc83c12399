"""What a team just saved, in words: "Night Shift removed the edge Front desk → Housekeeping".

The projector's "latest edits" compares two versions of a team's table file row by row
(:func:`diff_table`, by the table's key) and names each changed row in the room's words
(:func:`row_words`): a touchpoint by its id and description, a role by its name, an edge of the
pyramid by the names of its two roles, a score by its scorer and touchpoint. Ids stay only where
a row has nothing better to show. Every piece of user text is escaped (:mod:`markupsafe`).

Examples
--------
>>> old = b"from_role,to_role\\ndesk,gm\\n"
>>> roles = {"desk": "Front desk", "gm": "General manager"}
>>> [(verb, row_words("serves", key, roles)) for verb, key in changes(old, b"from_role,to_role\\n", "serves")]
[('removed', 'the edge Front desk → General manager')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from markupsafe import Markup

from kit.formatting import shorten
from kit.room.dashboard_html import ago
from kit.store.csvio import parse_csv
from kit.store.schema import TABLES

__all__ = ["Edit", "changes", "diff_table", "named", "row_words"]

SHOWN = 3
"""Rows named in one edit line; the rest are counted ("and 4 more")."""


def _keyed(raw: bytes | None, table: str) -> dict[str, tuple[str, ...]]:
    """Rows of a table file by key (``T19``; ``T05 / Ann`` for two-column keys)."""
    if not raw:
        return {}
    parsed = parse_csv(raw, table)
    header = [h.strip() for h in parsed.header]
    key = TABLES[table].key or (header[:1] if header else ())
    idx = [header.index(k) for k in key if k in header]
    out: dict[str, tuple[str, ...]] = {}
    for n, record in enumerate(parsed.records):
        label = " / ".join(record[i] for i in idx if i < len(record)) or f"row {n + 2}"
        if not TABLES[table].key:  # no key (needs): every row is its own entry
            label = f"{label}: {record[header.index('need')] if 'need' in header else n}"
        out[label] = tuple(record)
    return out


def diff_table(old: bytes | None, new: bytes | None, table: str) -> list[tuple[str, list[str]]]:
    """What changed between two versions of a table file: ``[(verb, keys), …]``.

    Examples
    --------
    >>> old = b"touchpoint_id,stage\\nT1,A\\nT2,B\\n"
    >>> new = b"touchpoint_id,stage\\nT1,A\\nT2,C\\nT19,D\\n"
    >>> diff_table(old, new, "journey")
    [('added', ['T19']), ('changed', ['T2'])]
    """
    before, after = _keyed(old, table), _keyed(new, table)
    found = [
        ("added", [k for k in after if k not in before]),
        ("removed", [k for k in before if k not in after]),
        ("changed", [k for k in after if k in before and after[k] != before[k]]),
    ]
    return [(verb, keys) for verb, keys in found if keys]


def changes(old: bytes | None, new: bytes | None, table: str) -> list[tuple[str, str]]:
    """:func:`diff_table` one row at a time: ``[(verb, key), …]``."""
    return [(verb, key) for verb, keys in diff_table(old, new, table) for key in keys]


def named(versions: Iterable[bytes | None], table: str, column: str) -> dict[str, str]:
    """Key -> ``column`` of a one-column-key table, over versions of its file (later wins).

    Examples
    --------
    >>> named([b"role_id,name\\ng,Guest\\nd,Desk\\n", b"role_id,name\\ng,Hotel guest\\n"],
    ...       "roles", "name")
    {'g': 'Hotel guest', 'd': 'Desk'}
    """
    out: dict[str, str] = {}
    for raw in versions:
        if not raw:
            continue
        parsed = parse_csv(raw, table)
        header = [h.strip() for h in parsed.header]
        key = TABLES[table].key[0]
        if key not in header or column not in header:
            continue
        k, c = header.index(key), header.index(column)
        for record in parsed.records:
            if max(k, c) < len(record) and record[c].strip():
                out[record[k]] = record[c].strip()
    return out


def row_words(
    table: str,
    key: str,
    roles: Mapping[str, str],
    touchpoints: Mapping[str, str] | None = None,
) -> str:
    """One row of ``table`` (by its key, as :func:`diff_table` gives it) in the room's words.

    Parameters
    ----------
    table : str
        The table's name (``journey``, ``roles``, ``serves`` …).
    key : str
        The row's key.
    roles, touchpoints : mapping
        Role id -> name, touchpoint id -> description (ids without a name show as they are).

    Examples
    --------
    >>> roles = {"fom": "Front office manager"}
    >>> row_words("scores", "T05 / Ann", roles, {"T05": "Check-in at the desk"})
    "Ann's score of T05 (Check-in at the desk)"
    >>> row_words("roles", "fom", roles), row_words("plan", "A3", roles)
    ('the role Front office manager', 'action A3')
    """
    touchpoints = touchpoints or {}

    def touchpoint(tp: str) -> str:
        text = touchpoints.get(tp, "")
        return f"{tp} ({shorten(text, 40, at_word=True)})" if text else tp

    first, _, second = key.partition(" / ")
    if table == "journey":
        return f"touchpoint {touchpoint(key)}"
    if table == "roles":
        return f"the role {roles.get(key, key)}"
    if table == "serves":
        return f"the edge {roles.get(first, first)} → {roles.get(second, second)}"
    if table == "scores":
        return f"{second}'s score of {touchpoint(first)}" if second else f"a score of {first}"
    if table == "plan":
        return f"action {key}"
    if table == "results":
        return f"the result of action {first} on {second}" if second else f"a result of {first}"
    if table == "needs":
        tp, _, need = key.partition(": ")
        return f"the need “{shorten(need, 40, at_word=True)}” at {touchpoint(tp)}"
    return key


@dataclass
class Edit:
    """One saved change to a team's table: ``Night Shift added touchpoint T19 (…)``.

    ``keys`` are the changed rows' keys (:func:`diff_table`); ``words`` the same rows in words
    (:func:`row_words`), filled in once the team's names are known.
    """

    team: str
    verb: str
    keys: list[str]
    table: str
    when: float
    words: list[str] = field(default_factory=list)

    def text(self, now: float | None = None) -> Markup:
        """The edit as escaped HTML, with how long ago it was saved.

        Examples
        --------
        >>> Edit("A&B", "added", ["T19"], "journey", 100.0).text(now=220.0)
        Markup('<b>A&amp;B</b> added touchpoint T19, 2 min ago')
        >>> Edit("A", "removed", ["d / g"], "serves", 100.0, ["the edge <D> → G"]).text(now=100)
        Markup('<b>A</b> removed the edge &lt;D&gt; → G, just now')
        """
        rows = self.words or [row_words(self.table, key, {}) for key in self.keys]
        shown = ", ".join(rows[:SHOWN]) + (
            f" and {len(rows) - SHOWN} more" if len(rows) > SHOWN else ""
        )
        return Markup("<b>{}</b> {} {}, {}").format(
            self.team, self.verb, shown, ago(self.when, now)
        )
