"""Reading many teams at once, one process per core.

A first ``servekit status`` or projector page of a big room reads every team: at 300 teams that
is seconds of pandas work per core. :func:`map_teams` spreads it over the machine's cores (at
most :data:`MAX_WORKERS`) when there are at least :data:`PARALLEL_FROM` teams, and does it here
otherwise (starting processes costs more than a few teams).

The processes come from a fork of this one when it runs a single thread (a command: the kit and
pandas are already imported), else from a fork server (a kernel has threads, and forking a
process with threads can copy a lock some other thread holds). They stop when the work is done;
a worker ignores Ctrl-C, which the terminal sends to the whole group: the command stops them.

Examples
--------
>>> map_teams(abs, [-2, 3, -5])  # few items: here, in order
[2, 3, 5]
>>> map_teams(abs, list(range(-30, 0)), parallel_from=4) == list(range(30, 0, -1))
True
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

__all__ = ["MAX_WORKERS", "PARALLEL_FROM", "cores", "map_teams"]

T = TypeVar("T")
R = TypeVar("R")

PARALLEL_FROM = 24
"""Items from which :func:`map_teams` uses processes (below this, starting them costs more
than it saves)."""

MAX_WORKERS = 4
"""At most this many processes, whatever the machine: a room server has other work to do."""


def cores() -> int:
    """The cores this process may run on.

    Examples
    --------
    >>> cores() >= 1
    True
    """
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _context() -> Any:
    """Fork when single-threaded; a fork server when threads run (or no fork exists)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        return multiprocessing.get_context("forkserver")
    return None


def _parent_handles_ctrl_c() -> None:
    """A worker ignores Ctrl-C (its terminal sends it to the whole group): the command stops
    them, and only the command speaks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def map_teams(
    function: Callable[[T], R], items: Sequence[T], *, parallel_from: int = PARALLEL_FROM
) -> list[R]:
    """``[function(item) for item in items]``, in one process per core when there are many.

    Parameters
    ----------
    function : callable
        A module-level function (it is pickled by name); ``functools.partial`` of one works.
    items : sequence
        Its arguments, each picklable.
    parallel_from : int
        Fewer items than this are done here.

    Returns
    -------
    list
        The results, in the order of ``items``. An exception in a worker is raised here.
    """
    workers = min(cores(), MAX_WORKERS)
    context = _context() if len(items) >= parallel_from and workers >= 2 else None
    if context is None:
        return [function(item) for item in items]
    pool = ProcessPoolExecutor(workers, mp_context=context, initializer=_parent_handles_ctrl_c)
    try:
        return list(pool.map(function, items, chunksize=max(1, len(items) // (workers * 4))))
    except BaseException:  # Ctrl-C: the items not yet done are not done
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)
