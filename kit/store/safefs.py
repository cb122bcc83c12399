"""Reading and writing inside a team's folder without ever following the team's links.

A team owns ``teams/<slug>/`` and ``notebooks/<slug>/``; on a hub it can plant anything there: a
symbolic link to ``/etc/shadow`` named like a notebook, a ``.history`` link to a root-only folder,
a FIFO that blocks whoever opens it. Commands the facilitator runs as root use this module for
every path below a trusted *base* folder (usually the workshop folder):

- every component of the relative path is opened with ``O_NOFOLLOW`` from the previous folder's
  descriptor (``dir_fd=``, like ``openat``), so a link anywhere in the path is refused;
- files are opened with ``O_NONBLOCK`` and checked with ``fstat`` to be regular files before a
  byte is read, so FIFOs, sockets and devices are refused without hanging;
- writes are atomic: a temporary file created in the same folder through its descriptor, then
  ``os.replace`` with ``src_dir_fd``/``dst_dir_fd``; a link or special file at the target is
  refused, never written through;
- what is written (files and new folders) can be given an owner, so a root-run command leaves
  the team's files the team's (:func:`owner_of`);
- :func:`walk_files` uses ``os.fwalk(follow_symlinks=False)`` and yields regular files only;
  :func:`chown_nofollow` and :func:`chmod_nofollow` skip links.

Every refusal is an :class:`UnsafePath` whose message names the path and what was expected.

Examples
--------
>>> import tempfile
>>> base = Path(tempfile.mkdtemp())
>>> write_bytes(base, "teams/a/journey.csv", b"x\\n")
>>> read_bytes(base, "teams/a/journey.csv")
b'x\\n'
>>> (base / "teams" / "b").symlink_to(base / "teams" / "a")
>>> read_bytes(base, "teams/b/journey.csv")
Traceback (most recent call last):
...
kit.exceptions.UnsafePath: ...teams/b: refused: a symbolic link; expected a real folder inside the workshop folder (links are never followed)
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from kit.exceptions import UnsafePath

__all__ = [
    "chmod_nofollow",
    "chown_nofollow",
    "file_kind",
    "is_regular",
    "open_dir",
    "open_file",
    "owner_of",
    "read_bytes",
    "read_text",
    "walk_files",
    "write_bytes",
]

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def file_kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words.

    Examples
    --------
    >>> file_kind(stat.S_IFIFO), file_kind(stat.S_IFLNK), file_kind(stat.S_IFREG)
    ('a FIFO (named pipe)', 'a symbolic link', 'a regular file')
    """
    kinds = [
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISREG, "a regular file"),
    ]
    return next((word for test, word in kinds if test(mode)), "a special file")


def _parts(rel: Path | str) -> list[str]:
    parts = [p for p in PurePosixPath(Path(rel).as_posix()).parts if p not in ("", ".")]
    if any(p == ".." or p.startswith("/") for p in parts):
        raise UnsafePath(f"{rel}: refused: expected a path inside the folder, without '..'")
    return parts


def _link_error(shown: Path, what: str) -> UnsafePath:
    return UnsafePath(
        f"{shown.as_posix()}: refused: a symbolic link; expected a real {what} inside the "
        f"workshop folder (links are never followed)"
    )


def _open_child_dir(fd: int, name: str, shown: Path) -> int:
    """Open folder ``name`` below descriptor ``fd`` without following a link."""
    try:
        return os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            try:
                mode = os.stat(name, dir_fd=fd, follow_symlinks=False).st_mode
            except OSError:
                mode = 0
            if stat.S_ISLNK(mode):
                raise _link_error(shown, "folder") from None
            raise UnsafePath(
                f"{shown.as_posix()}: refused: {file_kind(mode)}, not a folder; expected a folder"
            ) from None
        raise


def _make_child_dir(
    fd: int, name: str, owner: tuple[int, int] | None, mode: int | None = None
) -> None:
    """Make folder ``name`` below ``fd`` with ``mode`` (default: its parent's, set-group-id
    kept) and ``owner``."""
    if mode is None:
        mode = stat.S_IMODE(os.fstat(fd).st_mode) & 0o3777
    try:
        os.mkdir(name, 0o700, dir_fd=fd)
    except FileExistsError:
        return
    child = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
    try:
        if owner is not None and os.geteuid() == 0:
            os.fchown(child, *owner)
        os.fchmod(child, mode)
    finally:
        os.close(child)


def open_dir(
    base: Path | str,
    rel: Path | str = "",
    *,
    create: bool = False,
    owner: tuple[int, int] | None = None,
    dir_mode: int | None = None,
) -> int:
    """A descriptor of folder ``base/rel``, reached without following a link at any component.

    ``base`` itself is trusted (the workshop folder); every component of ``rel`` is opened with
    ``O_NOFOLLOW`` from its parent's descriptor. Close the result with ``os.close``.

    Parameters
    ----------
    base : path-like
        A trusted folder.
    rel : path-like
        The folder below ``base`` (no ``..``).
    create : bool
        Make missing folders, each with ``dir_mode`` and ``owner``.
    owner : (uid, gid), optional
        Owner of folders made (applied when running as root).
    dir_mode : int, optional
        Mode of folders made (default: each one gets its parent's).

    Raises
    ------
    UnsafePath
        A component is a link or not a folder.
    FileNotFoundError
        A component is missing and ``create`` is false.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> fd = open_dir(base, "a/b", create=True); os.close(fd)
    >>> (base / "a" / "b").is_dir()
    True
    """
    base = Path(base)
    fd = os.open(base, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    shown = base
    try:
        for name in _parts(rel):
            shown = shown / name
            if create:
                _make_child_dir(fd, name, owner, dir_mode)
            child = _open_child_dir(fd, name, shown)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def _parent(
    base: Path, rel: Path | str, *, create: bool = False, owner=None, dir_mode=None
) -> Iterator[tuple[int, str, Path]]:
    parts = _parts(rel)
    if not parts:
        raise UnsafePath(f"{base.as_posix()}: refused: expected a file below the folder")
    fd = open_dir(base, "/".join(parts[:-1]), create=create, owner=owner, dir_mode=dir_mode)
    try:
        yield fd, parts[-1], base.joinpath(*parts)
    finally:
        os.close(fd)


def _check_regular(info: os.stat_result, shown: Path, limit: int | None) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise _link_error(shown, "file")
    if not stat.S_ISREG(info.st_mode):
        raise UnsafePath(
            f"{shown.as_posix()}: refused: {file_kind(info.st_mode)}, not a regular file; "
            f"expected a regular file"
        )
    if limit is not None and info.st_size > limit:
        raise UnsafePath(
            f"{shown.as_posix()}: refused: the file is {info.st_size} bytes; expected at most "
            f"{limit} bytes"
        )


def open_file(base: Path | str, rel: Path | str, *, limit: int | None = None) -> int:
    """Open regular file ``base/rel`` for reading, never through a link, never blocking.

    Returns a descriptor (blocking mode restored) for ``os.read``/``os.fdopen``.

    Raises
    ------
    UnsafePath
        A component is a link, the file is special (FIFO, device, socket, folder) or bigger
        than ``limit`` bytes.
    FileNotFoundError
        The file or a folder on its path is missing.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp()); os.mkfifo(base / "03_needs.ipynb")
    >>> open_file(base, "03_needs.ipynb")
    Traceback (most recent call last):
    ...
    kit.exceptions.UnsafePath: ...03_needs.ipynb: refused: a FIFO (named pipe), not a regular file; expected a regular file
    """
    base = Path(base)
    with _parent(base, rel) as (dfd, name, shown):
        try:
            fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=dfd)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise _link_error(shown, "file") from None
            raise
    try:
        _check_regular(os.fstat(fd), shown, limit)
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def is_regular(base: Path | str, rel: Path | str) -> bool:
    """True when ``base/rel`` is a regular file reached without links (no error otherwise).

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp()); (base / "l").symlink_to("/etc/hostname")
    >>> is_regular(base, "l"), is_regular(base, "missing")
    (False, False)
    """
    try:
        os.close(open_file(base, rel))
    except (OSError, UnsafePath):
        return False
    return True


def read_bytes(base: Path | str, rel: Path | str, *, limit: int | None = None) -> bytes | None:
    """The bytes of regular file ``base/rel`` (``None`` when it is missing).

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp())
    >>> read_bytes(base, "none.csv") is None
    True
    >>> _ = (base / "big.csv").write_bytes(b"12345")
    >>> read_bytes(base, "big.csv", limit=4)
    Traceback (most recent call last):
    ...
    kit.exceptions.UnsafePath: ...big.csv: refused: the file is 5 bytes; expected at most 4 bytes
    """
    try:
        fd = open_file(base, rel, limit=limit)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as handle:
        raw = handle.read() if limit is None else handle.read(limit + 1)
    if limit is not None and len(raw) > limit:  # grew after the check
        raise UnsafePath(
            f"{(Path(base) / rel).as_posix()}: refused: the file is over {limit} bytes; "
            f"expected at most {limit} bytes"
        )
    return raw


def read_text(base: Path | str, rel: Path | str, *, limit: int | None = None) -> str | None:
    """The UTF-8 text of ``base/rel`` (``None`` when missing); see :func:`read_bytes`.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp()); _ = (base / "a.txt").write_text("é")
    >>> read_text(base, "a.txt")
    'é'
    """
    raw = read_bytes(base, rel, limit=limit)
    return None if raw is None else raw.decode("utf-8")


def owner_of(base: Path | str, rel: Path | str = "") -> tuple[int, int]:
    """The ``(uid, gid)`` of folder ``base/rel`` (reached without links).

    Examples
    --------
    >>> import tempfile
    >>> owner_of(tempfile.mkdtemp()) == (os.getuid(), os.getgid())
    True
    """
    fd = open_dir(base, rel)
    try:
        info = os.fstat(fd)
    finally:
        os.close(fd)
    return info.st_uid, info.st_gid


def _new_mode(dfd: int, name: str, mode: int | None) -> int:
    if mode is not None:
        return mode
    with contextlib.suppress(FileNotFoundError):
        return stat.S_IMODE(os.stat(name, dir_fd=dfd, follow_symlinks=False).st_mode) & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_bytes(
    base: Path | str,
    rel: Path | str,
    data: bytes | str,
    *,
    mode: int | None = None,
    owner: tuple[int, int] | None = None,
    dir_mode: int | None = None,
) -> None:
    """Write ``base/rel`` atomically without following a link at any component.

    Missing folders are made (with ``dir_mode``, default their parent's, and ``owner``). A temporary file is
    written in the target's folder through its descriptor, flushed, then renamed over the
    target (``os.replace`` with ``src_dir_fd``/``dst_dir_fd``). A link, folder or special file
    at the target is refused and left alone.

    Parameters
    ----------
    base, rel : path-like
        Trusted folder and the file's path below it.
    data : bytes or str
        The content (str is written as UTF-8).
    mode : int, optional
        File mode (default: the old file's, or what ``open()`` would give a new file).
    owner : (uid, gid), optional
        Owner of the file and of folders made (applied when running as root).
    dir_mode : int, optional
        Mode of folders made (default: each one gets its parent's).

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp()); os.mkfifo(base / "03_needs.ipynb")
    >>> write_bytes(base, "03_needs.ipynb", "{}")
    Traceback (most recent call last):
    ...
    kit.exceptions.UnsafePath: ...03_needs.ipynb: refused: a FIFO (named pipe), not a regular file; expected a regular file
    """
    base = Path(base)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    with _parent(base, rel, create=True, owner=owner, dir_mode=dir_mode) as (dfd, name, shown):
        with contextlib.suppress(FileNotFoundError):
            _check_regular(os.stat(name, dir_fd=dfd, follow_symlinks=False), shown, None)
        new_mode = _new_mode(dfd, name, mode)
        temp = f".{name}.{secrets.token_hex(6)}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        fd = os.open(temp, flags, 0o600, dir_fd=dfd)
        try:
            with os.fdopen(fd, "wb") as handle:
                if owner is not None and os.geteuid() == 0:
                    os.fchown(handle.fileno(), *owner)
                os.fchmod(handle.fileno(), new_mode)
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp, dir_fd=dfd)
            if isinstance(exc, OSError) and exc.filename is None:
                exc.filename = os.fspath(shown)  # a full disk names the file, not "a file"
            raise


def walk_files(base: Path | str, rel: Path | str = "") -> Iterator[tuple[str, int]]:
    """Regular files below ``base/rel``, sorted, as (relative POSIX path, size); links skipped.

    Uses ``os.fwalk(follow_symlinks=False)``: a link to a folder is never entered, and links,
    FIFOs and devices are not yielded.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp()); write_bytes(base, "a/b.csv", "x")
    >>> (base / "a" / "etc").symlink_to("/etc"); os.mkfifo(base / "a" / "p")
    >>> list(walk_files(base, "a"))
    [('b.csv', 1)]
    """
    top = open_dir(base, rel)
    found = []
    try:
        for folder, dirs, files, dfd in os.fwalk(".", follow_symlinks=False, dir_fd=top):
            dirs.sort()
            for name in files:
                with contextlib.suppress(FileNotFoundError):
                    info = os.stat(name, dir_fd=dfd, follow_symlinks=False)
                    if stat.S_ISREG(info.st_mode):
                        found.append((PurePosixPath(folder, name).as_posix(), info.st_size))
    finally:
        os.close(top)
    return iter(sorted(found))


def chown_nofollow(path: Path | str, uid: int, gid: int) -> bool:
    """``lchown`` unless ``path`` is a link (links are skipped); True when changed.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp()); (base / "l").symlink_to("/etc/hostname")
    >>> chown_nofollow(base / "l", os.getuid(), os.getgid()), chown_nofollow(base, -1, -1)
    (False, True)
    """
    if stat.S_ISLNK(os.lstat(path).st_mode):
        return False
    os.lchown(path, uid, gid)
    return True


def chmod_nofollow(path: Path | str, mode: int) -> bool:
    """``chmod`` through a descriptor opened with ``O_NOFOLLOW``; links skipped; True when changed.

    Examples
    --------
    >>> import tempfile
    >>> base = Path(tempfile.mkdtemp()); (base / "l").symlink_to("/etc/hostname")
    >>> chmod_nofollow(base / "l", 0o777), chmod_nofollow(base, 0o700)
    (False, True)
    >>> oct(base.stat().st_mode & 0o777)
    '0o700'
    """
    if not hasattr(os, "O_PATH"):  # pragma: no cover - not Linux
        if stat.S_ISLNK(os.lstat(path).st_mode):
            return False
        os.chmod(path, mode)
        return True
    fd = os.open(path, os.O_PATH | _NOFOLLOW | _CLOEXEC)  # a link is opened as itself
    try:
        if stat.S_ISLNK(os.fstat(fd).st_mode):
            return False
        os.chmod(f"/proc/self/fd/{fd}", mode)  # the inode held, not a path a team can swap
    finally:
        os.close(fd)
    return True
