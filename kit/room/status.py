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

import multiprocessing
import os
import signal
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pandas as pd

from kit.analyses.progress import COLUMNS, COUNTS, team_progress
from kit.report.cache import kit_fingerprint
from kit.store.teamcache import SETTLE_NS, FolderCache, folder_signature
from kit.store.workshop import Team, Workshop

__all__ = ["CACHE_FILE", "PARALLEL_FROM", "ProgressReader"]

CACHE_FILE = ".servekit/status.json"
"""Where ``servekit status`` keeps each team's row, below the workshop folder."""

PARALLEL_FROM = 24
"""Teams to read at once from which :meth:`ProgressReader.frame` reads them in one process
per core (a first ``status`` of a big room; below this, starting the processes costs more
than it saves)."""


def _row(team: Team) -> dict[str, Any]:
    """One team's progress row, read from disk (in a worker process, or here)."""
    return team_progress({team.slug: team.load(strict=False)}).to_dict("records")[0]


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _rows(teams: list[Team]) -> list[dict[str, Any]]:
    """The rows of ``teams``, in order: in one process per core (forked, so the kit and pandas
    are already imported) when there are many, else here."""
    workers = min(_cores(), 4)
    forks = "fork" in multiprocessing.get_all_start_methods()
    if len(teams) < PARALLEL_FROM or workers < 2 or not forks:
        return [_row(team) for team in teams]
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_parent_handles_ctrl_c)
    try:
        return list(pool.map(_row, teams, chunksize=max(1, len(teams) // (workers * 4))))
    except BaseException:  # Ctrl-C: the teams not yet read are not read
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


def _parent_handles_ctrl_c() -> None:
    """A worker ignores Ctrl-C (its terminal sends it to the whole group): the command stops
    them, and only the command speaks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


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
        for (team, signature), row in zip(stale.items(), _rows(list(stale)), strict=True):
            self.cache.put(team.slug, signature, row)
            rows[team.slug] = row
        self.cache.keep_only({team.slug for team in teams})
        self.cache.save()
        return pd.DataFrame([rows[team.slug] for team in teams], columns=list(COLUMNS))
