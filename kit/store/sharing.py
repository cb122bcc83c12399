"""Who may read what the kit writes into a workshop folder: closed output folders on a hub.

On a hub workshop (``servekit hub`` gave each ``teams/<slug>/`` to the team's own system user,
mode ``2750`` with the facilitator's group, closed to everyone else) every team has a login on
the machine, so an output folder made with the usual ``0755``/``0644`` would let any team read
every other team's report. :func:`output_folder` makes such folders (``reports/``,
``followup/``) closed *at creation*: mode ``2750``, group the facilitator's (the team folders'
group), and while it is held the process umask is ``027`` so every file written is ``0640`` and
every folder ``0750``; :func:`output_file` does the same for one file written in the workshop
folder (``plan.ics``). A workshop that is not a hub workshop keeps the usual modes.

:func:`hub_group` reads the hub's marks from the folders themselves (``lstat``, links never
followed), so it works for every command that runs as root, without the hub's state folder.

Examples
--------
>>> import tempfile
>>> ws = Path(tempfile.mkdtemp()); (ws / "teams" / "a").mkdir(parents=True)
>>> hub_group(ws) is None
True
>>> with output_folder(ws, ws / "reports") as out:
...     _ = (out / "a.html").write_text("x")
>>> oct((ws / "reports").stat().st_mode & 0o7777) == oct(0o777 & ~current_umask())
True
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from kit.exceptions import KitError

__all__ = [
    "HUB_FILE_MODE",
    "HUB_FOLDER_MODE",
    "HUB_UMASK",
    "current_umask",
    "hub_group",
    "output_file",
    "output_folder",
]

HUB_FOLDER_MODE = 0o2750
"""An output folder on a hub: the facilitator's group reads, teams cannot enter."""
HUB_FILE_MODE = 0o640
"""An output file on a hub (``plan.ics`` …): the facilitator's group reads, teams cannot."""
HUB_UMASK = 0o027
"""While an output folder of a hub is written: files ``0640``, folders ``0750``."""


def current_umask() -> int:
    """The process umask (read without changing it for longer than one call).

    Examples
    --------
    >>> 0 <= current_umask() <= 0o777
    True
    """
    mask = os.umask(0)
    os.umask(mask)
    return mask


def hub_group(workshop: Path | str) -> int | None:
    """The facilitator's group when ``workshop`` is a hub workshop, else ``None``.

    A hub workshop's team folders (``teams/<slug>``, read with ``lstat``) are set-group-id,
    closed to others and owned by a user other than the workshop folder's; the group they share
    is the facilitator's. One such folder is enough (a team added during the session has not
    been given to its user yet).

    Examples
    --------
    >>> import tempfile
    >>> hub_group(tempfile.mkdtemp()) is None
    True
    """
    workshop = Path(workshop)
    try:
        owner = os.lstat(workshop).st_uid
        entries = list(os.scandir(workshop / "teams"))
    except OSError:
        return None
    groups: dict[int, int] = {}
    for entry in entries:
        info = entry.stat(follow_symlinks=False)
        marked = info.st_mode & stat.S_ISGID and not info.st_mode & 0o007
        if stat.S_ISDIR(info.st_mode) and marked and info.st_uid != owner:
            groups[info.st_gid] = groups.get(info.st_gid, 0) + 1
    # one marked team folder is enough: a team added after the hub started must not open
    # the reports of the others
    return max(groups, key=lambda gid: groups[gid]) if groups else None


@contextlib.contextmanager
def output_folder(workshop: Path | str, out: Path | str) -> Iterator[Path]:
    """Make ``out`` (and its parents) for a command's output, closed to teams on a hub.

    On a hub workshop ``out`` gets mode :data:`HUB_FOLDER_MODE` and the facilitator's group
    (also when it already existed, made before the hub), and the umask is :data:`HUB_UMASK`
    until the block ends. Elsewhere ``out`` is made with the usual modes.

    Parameters
    ----------
    workshop : path-like
        The workshop folder.
    out : path-like
        The output folder (``reports/``, ``followup/`` or another one).

    Yields
    ------
    Path
        ``out``.
    """
    out = Path(out)
    group = hub_group(workshop)
    if group is None:
        out.mkdir(parents=True, exist_ok=True)
        yield out
        return
    previous = os.umask(HUB_UMASK)
    try:
        out.mkdir(parents=True, exist_ok=True)
        if out.is_symlink() or not out.is_dir():
            raise KitError(f"{out}: refused: not a real folder; expected a folder for the output")
        _close(out, group, HUB_FOLDER_MODE)
        yield out
    finally:
        os.umask(previous)


@contextlib.contextmanager
def output_file(workshop: Path | str, path: Path | str) -> Iterator[Path]:
    """Write ``path`` in the block; on a hub workshop it is made ``0640`` (umask
    :data:`HUB_UMASK` while written, so it is never readable by others, even briefly) and
    given the facilitator's group. Elsewhere nothing changes.

    Examples
    --------
    >>> import tempfile
    >>> ws = Path(tempfile.mkdtemp())
    >>> with output_file(ws, ws / "plan.ics") as target:
    ...     _ = target.write_text("x")
    >>> (ws / "plan.ics").read_text()
    'x'
    """
    path = Path(path)
    group = hub_group(workshop)
    if group is None:
        yield path
        return
    if path.is_file() and not path.is_symlink():  # an old copy: its mode is kept on rewrite
        _close(path, None, HUB_FILE_MODE)
    previous = os.umask(HUB_UMASK)
    try:
        yield path
    finally:
        os.umask(previous)
    if path.is_file() and not path.is_symlink():
        _close(path, group, HUB_FILE_MODE)


def _close(path: Path, group: int | None, mode: int) -> None:
    """Give ``path`` the facilitator's ``group`` and ``mode`` when this process may (root, or
    its owner, e.g. the facilitator's own user on the hub); otherwise leave it as it is."""
    info = os.lstat(path)
    if os.geteuid() not in (0, info.st_uid) or stat.S_ISLNK(info.st_mode):
        return
    if group is not None and info.st_gid != group:
        with contextlib.suppress(PermissionError):  # not in that group: keep ours
            os.lchown(path, -1, group)
    os.chmod(path, mode)
