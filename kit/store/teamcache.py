"""What was computed from each team folder, kept until one of the folder's files changes.

A team folder's *signature* (:func:`folder_signature`) lists every entry of the folder with its
kind, size, modification time (ns) and inode: saving a file changes its time, an atomic save
(a new file renamed in) its inode, so a value computed from the folder stays good exactly as long
as the signature is the same. :class:`FolderCache` keeps such values by team, in memory and, when
given a file, in one JSON file written atomically (:func:`kit.store.safefs.write_bytes`: no link
followed), readable by its owner alone. A cache file that is missing, unreadable, corrupt, from another kit (``key``) or in
the wrong shape is ignored, never an error: the teams are simply read again.

A folder whose newest file was modified within :data:`SETTLE_NS` of taking its signature is never
cached: a second save inside the file system's timestamp granularity, of the same size, could
otherwise keep the same signature (git's "racy clean" files). It is read again next time.

Examples
--------
>>> import tempfile
>>> root = Path(tempfile.mkdtemp()); team = root / "teams" / "a"; team.mkdir(parents=True)
>>> _ = (team / "journey.csv").write_text("touchpoint_id\\nT1\\n")
>>> cache = FolderCache(root, ".servekit/status.json", key="v1", settle_ns=0)
>>> sig = folder_signature(team)
>>> cache.get("a", sig) is None
True
>>> cache.put("a", sig, {"touchpoints": 1})
>>> cache.save()
True
>>> FolderCache(root, ".servekit/status.json", key="v1").get("a", sig)
{'touchpoints': 1}
>>> FolderCache(root, ".servekit/status.json", key="v2").get("a", sig) is None  # another kit
True
"""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kit.exceptions import UnsafePath
from kit.store import safefs

__all__ = [
    "MAX_CACHE_BYTES",
    "PRIVATE_DIR",
    "PRIVATE_FILE",
    "SETTLE_NS",
    "FolderCache",
    "Signature",
    "folder_signature",
]

Signature = tuple[tuple[str, int, int, int, int], ...]
"""``(name, file type bits, size, mtime_ns, inode)`` for every entry of a folder, by name."""

SETTLE_NS = 2_000_000_000
"""A folder modified this recently (2 s) is not cached (see the module's text)."""
MAX_CACHE_BYTES = 50_000_000
"""A cache file bigger than this is ignored (300 teams take about 150 kB)."""
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
"""Modes of the cache file and of a folder made for it: every team's name and progress is in
it, and on a hub no team may read another's (the workshop folder itself is open to all)."""
_FORMAT = 1


def folder_signature(path: Path) -> Signature:
    """Every entry of ``path`` (links and folders as themselves, never followed), as a tuple.

    An empty tuple when the folder cannot be listed.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("x")
    >>> one = folder_signature(folder)
    >>> [entry[:3] for entry in one] == [("a.csv", stat.S_IFREG, 1)]
    True
    >>> _ = (folder / "a.csv").write_text("y")  # same size: the time (or inode) tells
    >>> os.utime(folder / "a.csv", ns=(1, 1))
    >>> folder_signature(folder) != one
    True
    """
    try:
        with os.scandir(path) as entries:
            found = []
            for entry in entries:
                info = entry.stat(follow_symlinks=False)
                found.append(
                    (
                        entry.name,
                        stat.S_IFMT(info.st_mode),
                        info.st_size,
                        info.st_mtime_ns,
                        info.st_ino,
                    )
                )
    except OSError:
        return ()
    return tuple(sorted(found))


class _Entry(BaseModel):
    signature: list[tuple[str, int, int, int, int]]
    value: dict[str, str | int | list[str]]


class _File(BaseModel):
    format: int
    key: str
    teams: dict[str, _Entry]


class FolderCache:
    """Values computed from team folders, by slug, good while the folder's signature holds.

    Parameters
    ----------
    root : path-like
        The trusted folder the cache file is below (the workshop folder).
    rel : str, optional
        The cache file's path below ``root``; ``None`` keeps the cache in memory only.
    key : str
        What the values depend on besides the folder (the kit's code): a file written with
        another key is ignored.
    settle_ns : int
        Folders modified more recently than this are not cached (default :data:`SETTLE_NS`).
    """

    def __init__(
        self, root: Path | str, rel: str | None, *, key: str, settle_ns: int = SETTLE_NS
    ) -> None:
        self.root, self.rel, self.key, self.settle_ns = Path(root), rel, key, settle_ns
        self._entries: dict[str, tuple[Signature, dict[str, Any]]] = self._load()
        self._dirty = False

    def _load(self) -> dict[str, tuple[Signature, dict[str, Any]]]:
        if self.rel is None:
            return {}
        try:
            raw = safefs.read_bytes(self.root, self.rel, limit=MAX_CACHE_BYTES)
            data = _File.model_validate(json.loads(raw)) if raw is not None else None
        except (OSError, UnsafePath, ValueError, ValidationError):  # corrupt or odd: start over
            return {}
        if data is None or data.format != _FORMAT or data.key != self.key:
            return {}
        return {
            slug: (tuple(tuple(e) for e in entry.signature), entry.value)
            for slug, entry in data.teams.items()
        }

    def get(self, slug: str, signature: Signature) -> dict[str, Any] | None:
        """The value kept for ``slug`` if its folder still has ``signature``, else ``None``."""
        entry = self._entries.get(slug)
        if entry is None or not signature or entry[0] != signature:
            return None
        return dict(entry[1])

    def put(
        self, slug: str, signature: Signature, value: dict[str, Any], *, now: int | None = None
    ) -> None:
        """Keep ``value`` for ``slug`` computed from the folder with ``signature`` (taken
        *before* reading it); nothing is kept for a folder modified within ``settle_ns`` of
        ``now`` (default: the current time)."""
        now = time.time_ns() if now is None else now
        newest = max((entry[3] for entry in signature), default=now)
        if not signature or newest > now - self.settle_ns:
            if self._entries.pop(slug, None) is not None:
                self._dirty = True
            return
        if self._entries.get(slug) != (signature, value):
            self._entries[slug] = (signature, dict(value))
            self._dirty = True

    def keep_only(self, slugs: set[str]) -> None:
        """Forget the teams not in ``slugs`` (folders removed or renamed)."""
        for slug in set(self._entries) - slugs:
            del self._entries[slug]
            self._dirty = True

    def save(self) -> bool:
        """Write the cache file atomically if anything changed; ``True`` when written.

        A cache that cannot be written (a read-only workshop, a full disk, a link planted at
        its path) is skipped: the next run reads the teams again.
        """
        if self.rel is None or not self._dirty:
            return False
        data = {
            "format": _FORMAT,
            "key": self.key,
            "teams": {
                slug: {"signature": [list(e) for e in sig], "value": value}
                for slug, (sig, value) in sorted(self._entries.items())
            },
        }
        try:
            safefs.write_bytes(
                self.root,
                self.rel,
                json.dumps(data, separators=(",", ":")),
                mode=PRIVATE_FILE,
                dir_mode=PRIVATE_DIR,
            )
        except (OSError, UnsafePath):
            return False
        self._dirty = False
        return True
