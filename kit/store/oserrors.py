"""Operating-system errors as one line for a person: which file, what happened, what to do.

A full disk, a read-only folder, a permission refused or a name too long for the disk is the
machine's problem, not the team's data and not a bug in the kit. :func:`os_error_message` says so
in one line naming the file; the command line prints it instead of a traceback
(:mod:`kit.cli`), and a report's failure page uses :func:`machine_fault` to tell such a problem
from a team's.

Examples
--------
>>> import errno
>>> os_error_message(OSError(errno.ENOSPC, "No space left on device", "/w/teams/a/plan.csv"))
'/w/teams/a/plan.csv: the disk is full (No space left on device); free some space on that disk, then run the command again (files are saved whole or not at all)'
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Iterator
from pathlib import Path

from kit.store.terminal import safe_text

__all__ = ["MACHINE_ERRNOS", "machine_fault", "naming", "os_error_message"]

_WHAT = {
    errno.ENOSPC: ("the disk is full", "free some space on that disk, then run the command again"),
    errno.EDQUOT: (
        "the disk quota is used up",
        "free some space (or ask for a larger quota), then run the command again",
    ),
    errno.EROFS: (
        "the disk is read-only",
        "work on a copy of the workshop on a writable disk, or remount it writable",
    ),
    errno.EACCES: (
        "permission denied",
        "check who owns it ('ls -l') and run the command as a user who may write there",
    ),
    errno.EPERM: (
        "the operation is not permitted",
        "check who owns it ('ls -l') and run the command as a user who may write there",
    ),
    errno.ENAMETOOLONG: (
        "the name is too long for this disk",
        "use a shorter file or folder name",
    ),
    errno.EIO: ("the disk reported an input/output error", "check the disk, then try again"),
    errno.EMFILE: ("too many files are open", "close other programs, then try again"),
    errno.ENOMEM: ("the machine is out of memory", "close other programs, then try again"),
}
MACHINE_ERRNOS = frozenset(_WHAT)
"""Errors that are the machine's problem (disk, permissions, names), not the data's."""
_SAFE_SAVE = " (files are saved whole or not at all)"
_KERNEL_TEXTS = {os.strerror(n): n for n in MACHINE_ERRNOS}


def os_error_message(exc: OSError) -> str:
    """One line: the file, what the system said, and what to do.

    Examples
    --------
    >>> os_error_message(PermissionError(errno.EACCES, "Permission denied", "/srv/w/.lock"))
    "/srv/w/.lock: permission denied (Permission denied); check who owns it ('ls -l') and run the command as a user who may write there"
    >>> os_error_message(OSError(errno.EBUSY, "Device or resource busy"))
    'a file: Device or resource busy; expected it to be usable — try again, or check the disk'
    """
    names = [str(n) for n in (exc.filename, exc.filename2) if n not in (None, "")]
    where = safe_text(" -> ".join(names)) if names else "a file"
    reason = exc.strerror or str(exc)
    if exc.errno in _WHAT:
        what, todo = _WHAT[exc.errno]
        tail = _SAFE_SAVE if exc.errno in (errno.ENOSPC, errno.EDQUOT) else ""
        return f"{where}: {what} ({reason}); {todo}{tail}"
    return f"{where}: {reason}; expected it to be usable — try again, or check the disk"


def machine_fault(ename: str, evalue: str) -> str | None:
    """What to do when an error raised in a report's kernel is the machine's problem, or None.

    Examples
    --------
    >>> machine_fault("OSError", "[Errno 28] No space left on device: 'x.png'")
    'the disk is full: free some space on that disk, then run the command again'
    >>> machine_fault("KeyError", "'stage'") is None
    True
    """
    for text, number in _KERNEL_TEXTS.items():
        if text in evalue or f"[Errno {number}]" in evalue:
            what, todo = _WHAT[number]
            return f"{what}: {todo}"
    return None


@contextlib.contextmanager
def naming(path: Path | str) -> Iterator[None]:
    """Give an :class:`OSError` raised without a file name (``os.write``…) the name ``path``;
    a name too long is named as asked (``path``), not as the temporary file beside it.

    Examples
    --------
    >>> try:
    ...     with naming("/w/teams/a"):
    ...         raise OSError(errno.ENOSPC, "No space left on device")
    ... except OSError as exc:
    ...     print(exc.filename)
    /w/teams/a
    """
    try:
        yield
    except OSError as exc:
        unnamed = exc.filename is None and exc.errno is not None
        if unnamed or exc.errno == errno.ENAMETOOLONG:  # the name asked for, not a temp file's
            raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
        raise
