"""The spawner of the teams' servers: JupyterHub's local-process spawner with limits.

A team's server (and every kernel it starts) runs as the team's system user with a ceiling on
its address space (``Spawner.mem_limit``, which JupyterHub's local spawner does not enforce on
its own) and on the number of processes of that user, set with :func:`resource.setrlimit` in
the child just after it has become the team's user. One team can then neither fill the
machine's memory nor fork it to a halt; the other teams and the hub keep working.

Examples
--------
>>> parse_bytes("2G"), parse_bytes("512M"), parse_bytes("1048576")
(2147483648, 536870912, 1048576)
"""

from __future__ import annotations

import resource

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Integer

__all__ = [
    "DEFAULT_MEM_LIMIT",
    "DEFAULT_PROC_LIMIT",
    "TeamSpawner",
    "limit_resources",
    "parse_bytes",
]

#: Per process of a team (its server and each kernel): a notebook with pandas and plotly needs
#: well under 1 GB of address space; on a 2-core/8 GB VM three teams over it cannot starve it.
DEFAULT_MEM_LIMIT = "2G"
#: Processes (and threads) one team's user may run at once.
DEFAULT_PROC_LIMIT = 256
_UNITS = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


def parse_bytes(text: str | int) -> int:
    """A size such as ``"2G"``, ``"512M"`` or a number of bytes, in bytes.

    Examples
    --------
    >>> parse_bytes("1.5G") == 3 * 2**29
    True
    >>> parse_bytes("lots")
    Traceback (most recent call last):
    ...
    ValueError: 'lots' is not a size; expected a number of bytes or a number with K, M, G or T (e.g. 2G)
    """
    value = str(text).strip().upper().removesuffix("B")
    try:
        if value and value[-1] in _UNITS:
            return int(float(value[:-1]) * _UNITS[value[-1]])
        return int(value)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a size; expected a number of bytes or a number with K, M, G or T "
            f"(e.g. 2G)"
        ) from None


def limit_resources(mem_limit: int | None, proc_limit: int | None) -> None:
    """Lower this process's address-space and process limits (soft and hard: the team cannot
    raise them again). ``None`` or 0 leaves a limit as it is."""
    if mem_limit:
        resource.setrlimit(resource.RLIMIT_AS, (mem_limit, mem_limit))
    if proc_limit:
        resource.setrlimit(resource.RLIMIT_NPROC, (proc_limit, proc_limit))


class TeamSpawner(LocalProcessSpawner):
    """:class:`~jupyterhub.spawner.LocalProcessSpawner` that enforces ``mem_limit`` (bytes of
    address space per process) and ``proc_limit`` (processes of the user) on the server and its
    kernels."""

    proc_limit = Integer(
        DEFAULT_PROC_LIMIT, help="Most processes the team's user may run (0: no limit)."
    ).tag(config=True)

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        mem_limit, proc_limit = int(self.mem_limit or 0), int(self.proc_limit or 0)

        def preexec():
            become_user()
            limit_resources(mem_limit, proc_limit)

        return preexec
