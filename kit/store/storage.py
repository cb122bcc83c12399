"""Keeping a team folder's files safe on disk: safe reads, the team lock, history, commits.

This module only reads and writes bytes; what the bytes mean is :mod:`kit.store.validation`'s job.

- :func:`read_bytes` refuses symbolic links and anything that is not a regular file (a FIFO named
  ``journey.csv`` would otherwise hang the reader; a link could point anywhere), with a message.
- :func:`team_lock` is a cross-platform lock (:mod:`filelock`) on the team folder: every save,
  and recovery after a crash, happens under it.
- :func:`commit` writes several files as **one** change: every new file is written to a temporary
  file and flushed, a journal naming them is written atomically, then the temporary files are
  renamed over the old ones and the journal removed. A save killed at any moment leaves either
  the old files or (after :func:`recover`, which every load and save runs) all the new ones —
  never a mix that would break references between the tables.
- the previous version of each file goes to ``.history/``, bounded in count per file
  (:data:`HISTORY_KEEP`) and in total size (:data:`HISTORY_MAX_BYTES`).
- temporary files left by a killed save are removed on the next save.
- run as root (a facilitator's ``import-xlsx`` on a hub), every file and folder written belongs
  to the team folder's owner (no lock-out), and ``.history/`` is only ever reached through
  :mod:`kit.store.safefs` (a ``.history`` link planted by a team is refused, never written
  through, never trimmed through).

Examples
--------
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> with team_lock(folder):
...     commit(folder, {"a.csv": b"x\\n1\\n", "b.csv": b"y\\n2\\n"})
>>> sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
['a.csv', 'b.csv']
>>> read_bytes(folder / "a.csv", "a.csv")
(b'x\\n1\\n', None)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import filelock

from kit.exceptions import FolderError
from kit.store import safefs
from kit.store.problems import Problem

__all__ = [
    "HISTORY_DIR",
    "HISTORY_KEEP",
    "HISTORY_MAX_BYTES",
    "JOURNAL",
    "LOCK_FILE",
    "LOCK_TIMEOUT",
    "MAX_FILE_BYTES",
    "cleanup",
    "commit",
    "folder_problem",
    "keep_history",
    "needs_recovery",
    "read_bytes",
    "recover",
    "sha",
    "team_lock",
    "trim_history",
]

LOCK_FILE = ".lock"
JOURNAL = ".save-journal.json"
HISTORY_DIR = ".history"
HISTORY_KEEP = 50
"""Versions kept per file in ``.history/``."""
HISTORY_MAX_BYTES = 20_000_000
"""Total size ``.history/`` is trimmed to (oldest versions go first)."""
LOCK_TIMEOUT = 30.0
MAX_FILE_BYTES = 50_000_000
"""Largest team file read (a workshop team's tables are kilobytes)."""

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def sha(raw: bytes | None) -> str | None:
    """Fingerprint of a file's content (``None`` for a missing file).

    Examples
    --------
    >>> sha(None), sha(b"")[:8]
    (None, 'e3b0c442')
    """
    return None if raw is None else hashlib.sha256(raw).hexdigest()


def read_bytes(path: Path, shown: str) -> tuple[bytes | None, Problem | None]:
    """A regular file's bytes; ``None`` when missing; a problem for links and special files.

    The file is opened without following a symbolic link and without blocking, and checked to be
    a regular file before anything is read, so a FIFO or a device never hangs the reader.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> os.mkfifo(folder / "journey.csv")
    >>> read_bytes(folder / "journey.csv", "journey.csv")[1].message
    'refused: this is a FIFO (named pipe), not a regular file; expected a CSV or YAML file'
    >>> read_bytes(folder / "none.csv", "none.csv")
    (None, None)
    """
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            return None, Problem(
                shown,
                None,
                None,
                "refused: this is a symbolic link; expected "
                "the file itself inside the team folder (links are never "
                "followed)",
            )
        return None, Problem(shown, None, None, f"cannot be read: {exc.strerror}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, Problem(
                shown,
                None,
                None,
                f"refused: this is {_kind(info.st_mode)}, "
                f"not a regular file; expected a CSV or YAML file",
            )
        if info.st_size > MAX_FILE_BYTES:
            return None, Problem(
                shown,
                None,
                None,
                f"refused: the file is {info.st_size} bytes; expected at most {MAX_FILE_BYTES}",
            )
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks), None
    except OSError as exc:
        return None, Problem(shown, None, None, f"cannot be read: {exc.strerror}")
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"  # pragma: no cover


def folder_problem(path: Path, shown: str) -> Problem | None:
    """Why a team folder cannot be used (a link, or not a folder), or ``None``.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "link").symlink_to(folder)
    >>> str(folder_problem(folder / "link", "teams/link"))
    'teams/link: refused: the team folder is a symbolic link; expected a real folder (links are never followed)'
    >>> folder_problem(folder, "teams/x") is None
    True
    """
    if path.is_symlink():
        return Problem(
            shown,
            None,
            None,
            "refused: the team folder is a symbolic link; expected "
            "a real folder (links are never followed)",
        )
    if path.exists() and not path.is_dir():
        return Problem(
            shown, None, None, "refused: this is a file, not a folder; expected a team folder"
        )
    return None


def _check_folder(path: Path) -> None:
    problem = folder_problem(path, path.as_posix())
    if problem is not None:
        raise FolderError(str(problem))
    for name in (HISTORY_DIR, LOCK_FILE, JOURNAL):
        if (path / name).is_symlink():
            raise FolderError(
                f"{(path / name).as_posix()}: refused: a symbolic link where the "
                f"kit keeps its own file; expected it to be removed"
            )


@contextlib.contextmanager
def team_lock(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the team folder's lock (``.lock``, via :mod:`filelock`) for a save or a recovery.

    Raises
    ------
    FolderError
        When the folder is a link, or another save holds the lock for ``timeout`` seconds.

    Examples
    --------
    >>> import tempfile
    >>> with team_lock(Path(tempfile.mkdtemp())):
    ...     pass
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    _check_folder(path)
    lock = filelock.FileLock(str(path / LOCK_FILE), timeout=timeout)
    try:
        with lock:
            _give_back(path, LOCK_FILE)
            yield
    except filelock.Timeout as exc:
        raise FolderError(
            f"{path.as_posix()}: another save has held the team's lock for "
            f"{timeout:g} s; expected it to finish — try again"
        ) from exc


def folder_owner(path: Path) -> tuple[int, int] | None:
    """The team folder's ``(uid, gid)`` when running as root (what is written gets it), else
    ``None`` (files are the writer's, as usual).

    Examples
    --------
    >>> import tempfile
    >>> folder_owner(Path(tempfile.mkdtemp())) in (None, (0, 0))
    True
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None
    info = os.lstat(path)
    return info.st_uid, info.st_gid


def _give_back(path: Path, name: str) -> None:
    """Give ``path/name`` (not a link) to the team folder's owner when running as root."""
    owner = folder_owner(path)
    if owner is not None:
        with contextlib.suppress(FileNotFoundError):
            safefs.chown_nofollow(path / name, *owner)


# --------------------------------------------------------------------------- commits
def commit(path: Path, files: Mapping[str, bytes], *, history: bool = True) -> None:
    """Write several files of one folder as one change (call under :func:`team_lock`).

    Parameters
    ----------
    path : Path
        The team folder.
    files : mapping of str to bytes
        File name -> new content.
    history : bool
        Keep the previous version of each file in ``.history/``.
    """
    path = Path(path)
    _check_folder(path)
    recover(path)
    cleanup(path)
    temps: dict[str, str] = {}
    try:
        for name, payload in files.items():
            target = path / name
            if target.is_symlink():
                raise FolderError(
                    f"{target.as_posix()}: refused: a symbolic link; expected the "
                    f"file itself (links are never written through)"
                )
            temps[name] = _write_temp(target, payload)
        if history:
            for name in files:
                old, _ = read_bytes(path / name, name)
                if old is not None:
                    keep_history(path, name, old)
        if len(temps) > 1:
            safefs.write_bytes(path, JOURNAL, json.dumps(temps), owner=folder_owner(path))
        for name, temp in temps.items():
            os.replace(path / temp, path / name)
    except BaseException:
        if not (path / JOURNAL).exists():  # not committed yet: the old files stand
            for temp in temps.values():
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path / temp)
        raise
    if len(temps) > 1:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path / JOURNAL)
        _sync_dir(path)


def _write_temp(target: Path, payload: bytes) -> str:
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        try:
            mode = os.lstat(target).st_mode & 0o777
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        owner = folder_owner(target.parent)
        if owner is not None:  # root writing a team's file: it stays the team's
            os.fchown(fd, *owner)
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Path(tmp).name


def _sync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def needs_recovery(path: Path) -> bool:
    """True when a save was killed after committing and its renames must be finished."""
    return (Path(path) / JOURNAL).is_file()


def recover(path: Path) -> list[str]:
    """Finish a save killed midway (call under :func:`team_lock`); return the files completed.

    Examples
    --------
    >>> import tempfile
    >>> recover(Path(tempfile.mkdtemp()))
    []
    """
    path = Path(path)
    journal = path / JOURNAL
    raw, problem = read_bytes(journal, JOURNAL)
    if raw is None or problem is not None:
        return []
    try:
        temps = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        temps = {}
    done = []
    for name, temp in dict(temps).items():
        if "/" in name or "/" in temp or not temp.startswith("."):
            continue  # never follow a journal entry out of the folder
        if (path / temp).is_file() and not (path / temp).is_symlink():
            os.replace(path / temp, path / name)
            done.append(name)
    os.unlink(journal)
    _sync_dir(path)
    return done


def cleanup(path: Path) -> list[str]:
    """Remove temporary files a killed save left behind (call under :func:`team_lock`).

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / ".journey.csv.abc123.tmp").write_text("half")
    >>> cleanup(folder), list(folder.iterdir())
    (['.journey.csv.abc123.tmp'], [])
    """
    path = Path(path)
    removed = []
    for rel in ("", HISTORY_DIR):
        try:
            fd = safefs.open_dir(path, rel)
        except (OSError, safefs.UnsafePath):
            continue  # missing, or a link: never entered
        try:
            for name in os.listdir(fd):
                if name.startswith(".") and name.endswith(".tmp"):
                    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
                        os.unlink(name, dir_fd=fd)
                        removed.append(name)
        finally:
            os.close(fd)
    return sorted(removed)


def keep_history(path: Path, filename: str, old: bytes) -> None:
    """Keep ``old`` as a version of ``filename`` in ``.history/``, then trim the history.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for n in range(HISTORY_KEEP + 3):
    ...     keep_history(folder, "roles.csv", b"v%d" % n)
    >>> len(list((folder / HISTORY_DIR).iterdir())) == HISTORY_KEEP
    True
    """
    path = Path(path)
    history = path / HISTORY_DIR
    owner = folder_owner(path)
    try:
        fd = safefs.open_dir(path, HISTORY_DIR, create=True, owner=owner)
    except safefs.UnsafePath as exc:
        raise FolderError(str(exc)) from None
    try:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        name = f"{stamp}.{filename}"
        n = 0
        while _lexists(fd, name):  # two saves in one microsecond
            n += 1
            name = f"{stamp}-{n}.{filename}"
    finally:
        os.close(fd)
    try:
        safefs.write_bytes(path, f"{HISTORY_DIR}/{name}", old, owner=owner)
    except safefs.UnsafePath as exc:
        raise FolderError(str(exc)) from None
    trim_history(history, HISTORY_KEEP, HISTORY_MAX_BYTES)


def _lexists(fd: int, name: str) -> bool:
    try:
        os.stat(name, dir_fd=fd, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def trim_history(
    history: Path, keep: int = HISTORY_KEEP, max_bytes: int = HISTORY_MAX_BYTES
) -> None:
    """Drop old versions beyond ``keep`` per file, then the oldest until under ``max_bytes``.

    The newest version of each file is always kept.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for n in range(5):
    ...     _ = (folder / f"2026010{n}T000000000000.a.csv").write_bytes(b"x" * 100)
    >>> _ = (folder / "20260101T000000000000.b.csv").write_bytes(b"y" * 100)
    >>> trim_history(folder, keep=3, max_bytes=250)
    >>> sorted(p.name for p in folder.iterdir())
    ['20260101T000000000000.b.csv', '20260104T000000000000.a.csv']
    """
    try:
        fd = safefs.open_dir(history.parent, history.name)
    except (OSError, safefs.UnsafePath):
        return  # missing, or a link planted in its place: never trimmed through
    try:
        _trim(fd, keep, max_bytes)
    finally:
        os.close(fd)


def _trim(fd: int, keep: int, max_bytes: int) -> None:
    """:func:`trim_history` on an open folder: names, sizes and unlinks through ``fd``."""
    versions: dict[str, list[tuple[str, int]]] = {}
    for name in os.listdir(fd):
        if name.startswith(".") or "." not in name:
            continue
        with contextlib.suppress(FileNotFoundError):
            info = os.stat(name, dir_fd=fd, follow_symlinks=False)
            if stat.S_ISREG(info.st_mode):
                versions.setdefault(name.split(".", 1)[1], []).append((name, info.st_size))
    kept: list[tuple[str, int, bool]] = []
    for items in versions.values():
        items.sort()
        for extra, _ in items[:-keep]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(extra, dir_fd=fd)
        last = items[-keep:]
        kept += [(name, size, i == len(last) - 1) for i, (name, size) in enumerate(last)]
    total = sum(size for _, size, _ in kept)
    for name, size, newest in sorted(kept):
        if total <= max_bytes:
            break
        if newest:
            continue
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name, dir_fd=fd)
        total -= size
