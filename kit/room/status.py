"""Every team's progress for ``servekit status``, reading again only the teams that changed.

:class:`ProgressReader` gives :func:`kit.analyses.progress.team_progress`'s table for a whole
workshop. Each team's row is kept in a :class:`kit.store.teamcache.FolderCache` under the team
folder's signature (each file's size, modification time and inode): a team whose folder did not
change since the row was computed is not read at all. The cache lives in the workshop folder
(:data:`CACHE_FILE`, written atomically; a corrupt or foreign one is ignored), so a second
``servekit status`` reads only what changed since the first; ``--watch`` keeps one reader, so
each refresh reads only the teams saved since the last. The cache is keyed by
:func:`kit.report.cache.kit_fingerprint`: a kit update reads every team again.

Examples
--------
>>> import tempfile
>>> from kit.store.workshop import create_workshop
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue", "Gold"])
>>> reader = ProgressReader(ws.path, settle_ns=0)
>>> reader.frame()[["team", "journey"]].values.tolist(), reader.read
([['blue', 'not started'], ['gold', 'not started']], ['blue', 'gold'])
>>> _ = reader.frame(); reader.read   # nothing changed: nothing read
[]
>>> (ws.path / CACHE_FILE).is_file()
True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from kit.analyses.progress import COLUMNS, COUNTS, team_progress
from kit.report.cache import kit_fingerprint
from kit.room.workers import map_teams
from kit.store.teamcache import SETTLE_NS, FolderCache, folder_signature
from kit.store.workshop import Team, Workshop

__all__ = ["CACHE_FILE", "ProgressReader"]

CACHE_FILE = ".servekit/status.json"
"""Where ``servekit status`` keeps each team's row, below the workshop folder."""


def _row(team: Team) -> dict[str, Any]:
    """One team's progress row, read from disk (in a worker process, or here)."""
    return team_progress({team.slug: team.load(strict=False)}).to_dict("records")[0]


def _valid(row: dict[str, Any]) -> bool:
    """A cached row has exactly the table's columns: whole numbers where it counts, a list of
    phrases for what is unfinished, text elsewhere."""

    def fits(column: str, value: Any) -> bool:
        if column in COUNTS:
            return isinstance(value, int)
        if column == "unfinished":
            return isinstance(value, list) and all(isinstance(v, str) for v in value)
        return isinstance(value, str)

    return set(row) == set(COLUMNS) and all(fits(c, row[c]) for c in COLUMNS)


class ProgressReader:
    """The progress table of one workshop, re-reading only the teams whose folders changed.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    persistent : bool
        Keep the rows in :data:`CACHE_FILE` too (default); ``False`` keeps them in memory only.
    settle_ns : int
        A team saved this recently is read again next time (see :mod:`kit.store.teamcache`).

    Attributes
    ----------
    read : list of str
        The teams read from disk by the last :meth:`frame` (the others came from the cache).
    """

    def __init__(
        self, workshop_dir: Path | str, *, persistent: bool = True, settle_ns: int = SETTLE_NS
    ) -> None:
        self.workshop = Workshop(workshop_dir)
        self.cache = FolderCache(
            self.workshop.path,
            CACHE_FILE if persistent else None,
            key=kit_fingerprint(),
            settle_ns=settle_ns,
        )
        self.read: list[str] = []

    def frame(self) -> pd.DataFrame:
        """One row per team, as :func:`kit.analyses.progress.team_progress` gives it."""
        teams = self.workshop.teams()
        rows: dict[str, dict[str, Any]] = {}
        stale: dict[Team, Any] = {}  # team -> its folder's signature
        for team in teams:
            signature = folder_signature(team.path)  # before reading: a save meanwhile shows
            row = self.cache.get(team.slug, signature)
            if row is None or not _valid(row):
                stale[team] = signature
            else:
                rows[team.slug] = row
        self.read = [team.slug for team in stale]
        for (team, signature), row in zip(stale.items(), map_teams(_row, list(stale)), strict=True):
            self.cache.put(team.slug, signature, row)
            rows[team.slug] = row
        self.cache.keep_only({team.slug for team in teams})
        self.cache.save()
        return pd.DataFrame([rows[team.slug] for team in teams], columns=list(COLUMNS))
