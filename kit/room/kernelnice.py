"""Kernels that keep a core busy yield to the others (a Jupyter Server extension).

In a room of thirty teams on one machine, a team that runs a long computation (a loop, a
batch of reports) holds a core for as long as it runs; ten such kernels on two cores leave a
team that has just opened its link a sixth of a core to start its kernel and draw its editors
(15 s instead of 2.5). ``servekit lab`` enables this extension: every :data:`INTERVAL`
seconds it reads each kernel's CPU time from ``/proc``, and a kernel that has been running a
cell and using at least :data:`BUSY_SHARE` of a core (a loaded machine gives a loop less than
a core) for :data:`BUSY_SECONDS` in a row gets the scheduler's niceness :data:`NICE` (its
whole process group, so what it started too). A cell that waits (a ``sleep``, a download)
uses no CPU and is left alone. Under contention the
scheduler then gives a normal process about ten times its share; on an idle machine it runs
as fast as before. Lowering a process's priority needs no privilege, and raising it again
does, so a kernel stays nice until it ends; a short cell, a kernel starting, an editor's
save never come near the threshold. The server's log says which kernel yielded, once.

Examples
--------
>>> _jupyter_server_extension_points()
[{'module': 'kit.room.kernelnice'}]
>>> server_config()["ServerApp"]["jpserver_extensions"]
{'kit.room.kernelnice': True}
>>> watch = BusyWatch()
>>> [watch.sample("k", 0.0, t) for t in (0.0, 2.0)]  # idle
[False, False]
>>> [watch.sample("k", t - 2.0, t) for t in (4.0, 6.0, 8.0, 10.0, 12.0)]  # a core from 2 s
[False, False, False, False, True]
>>> watch.sample("k", 10.2, 14.0), watch.sample("k", 12.2, 16.0)  # a pause: counted anew
(False, False)
>>> [watch.sample("k", 12.2 + t / 2, 16.0 + t, executing=False) for t in (2, 4)]
[False, False]
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from kit.room.serverconfig import enable, write_config

__all__ = [
    "BUSY_SECONDS",
    "BUSY_SHARE",
    "EXTENSION",
    "INTERVAL",
    "NICE",
    "BusyWatch",
    "cpu_seconds",
    "server_config",
    "write_server_config",
]

EXTENSION = "kit.room.kernelnice"
"""The extension's module name (what ``ServerApp.jpserver_extensions`` enables)."""

INTERVAL = 2.0
"""Seconds between two readings of the kernels' CPU time."""

BUSY_SHARE = 0.1
"""Share of one core a kernel running a cell must use, reading after reading, to count as
busy (low: eleven loops on two cores get under a fifth of a core each)."""

BUSY_SECONDS = 10.0
"""How long a kernel must stay busy before it yields (a kernel starting, or a cell of a
participant's notebook, takes a second or two)."""

NICE = 10
"""The niceness a busy kernel gets (0 is the default; 19 the most yielding)."""


def server_config() -> dict[str, Any]:
    """The Jupyter Server config that enables the extension."""
    return enable(EXTENSION)


def write_server_config(folder: Path) -> Path:
    """Write :func:`server_config` for a server whose ``JUPYTER_CONFIG_PATH`` includes ``folder``
    (``jupyter_server_config.d/servekit-kernelnice.json``, a file of its own).

    Examples
    --------
    >>> import tempfile
    >>> import json
    >>> path = write_server_config(Path(tempfile.mkdtemp()))
    >>> path.name, json.loads(path.read_text()) == server_config()
    ('servekit-kernelnice.json', True)
    """
    return write_config(folder, "kernelnice", server_config())


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) of process ``pid`` so far, from ``/proc``; ``None`` when it
    is gone or unreadable.

    Examples
    --------
    >>> cpu_seconds(os.getpid()) > 0
    True
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BusyWatch:
    """Which kernels have kept a core busy for :data:`BUSY_SECONDS`, from CPU-time readings.

    :meth:`sample` takes one reading of one kernel and says whether it has now been busy long
    enough; a reading below :data:`BUSY_SHARE` starts the count again.
    """

    def __init__(self, share: float = BUSY_SHARE, seconds: float = BUSY_SECONDS) -> None:
        self.share, self.seconds = share, seconds
        self._last: dict[str, tuple[float, float]] = {}  # kernel -> (cpu, time) read last
        self._since: dict[str, float] = {}  # kernel -> when its busy run began

    def sample(self, kernel: str, cpu: float, now: float, *, executing: bool = True) -> bool:
        """Record ``cpu`` seconds used by ``kernel`` at time ``now`` (``executing``: it is
        running a cell); True once it has run a cell using at least ``share`` of a core in
        every reading for ``seconds``."""
        last = self._last.get(kernel)
        self._last[kernel] = (cpu, now)
        if last is None or now <= last[1]:
            return False
        if not executing or (cpu - last[0]) / (now - last[1]) < self.share:
            self._since.pop(kernel, None)
            return False
        began = self._since.setdefault(kernel, last[1])
        return now - began >= self.seconds

    def forget(self, keep: set[str]) -> None:
        """Drop the readings of kernels not in ``keep`` (ended)."""
        for kernel in set(self._last) - keep:
            self._last.pop(kernel, None)
            self._since.pop(kernel, None)


def _kernel_pid(manager: Any, kernel_id: str) -> int | None:
    """The process id of a local kernel (``None`` for a remote or ended one)."""
    try:
        kernel = manager.get_kernel(kernel_id)
    except KeyError:
        return None
    provisioner = getattr(kernel, "provisioner", None)
    pid = getattr(provisioner, "pid", None)
    return pid if isinstance(pid, int) and pid > 0 else None


def _state(manager: Any, kernel_id: str) -> str | None:
    """The kernel's execution state as the server last heard it (``busy`` running a cell)."""
    try:
        return getattr(manager.get_kernel(kernel_id), "execution_state", None)
    except KeyError:
        return None


def _yield(pid: int) -> bool:
    """Give ``pid``'s process group (the kernel and what it started) niceness :data:`NICE`,
    and its session's scheduling group too; False when it is gone or already as nice.

    Jupyter starts each kernel in a session of its own, and where Linux groups sessions for
    the scheduler (``/proc/sys/kernel/sched_autogroup_enabled``), a process's niceness counts
    only inside its session's group: the group's own niceness (``/proc/<pid>/autogroup``)
    is what weighs against the other kernels.
    """
    try:
        if os.getpriority(os.PRIO_PROCESS, pid) >= NICE:
            return False
        if os.getpgid(pid) == pid:  # a kernel leads its own group (its own session)
            os.setpriority(os.PRIO_PGRP, pid, NICE)
        else:
            os.setpriority(os.PRIO_PROCESS, pid, NICE)
    except OSError:  # ended meanwhile, or not ours
        return False
    with contextlib.suppress(OSError):  # no autogroups here (nothing to do), or it ended
        Path(f"/proc/{pid}/autogroup").write_text(f"{NICE}\n", encoding="ascii")
    return True


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": EXTENSION}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Read the kernels' CPU time every :data:`INTERVAL` seconds on the server's loop."""
    import time

    from tornado.ioloop import PeriodicCallback

    manager = serverapp.kernel_manager
    watch = BusyWatch()

    def check() -> None:
        ids = set(manager.list_kernel_ids())
        watch.forget(ids)
        now = time.monotonic()
        for kernel_id in ids:
            pid = _kernel_pid(manager, kernel_id)
            cpu = cpu_seconds(pid) if pid else None
            if cpu is None:
                continue
            executing = _state(manager, kernel_id) == "busy"
            if not watch.sample(kernel_id, cpu, now, executing=executing):
                continue
            if _yield(pid):
                serverapp.log.info(
                    "Kernel %s has kept a core busy for %d s: it now yields to the others "
                    "(nice %d)",
                    kernel_id,
                    BUSY_SECONDS,
                    NICE,
                )

    serverapp._servekit_kernelnice = PeriodicCallback(check, INTERVAL * 1000)
    serverapp._servekit_kernelnice.start()
