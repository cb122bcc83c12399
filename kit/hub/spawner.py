"""The spawner of the teams' servers: JupyterHub's local-process spawner with limits.

A team's server (and every kernel it starts) runs as the team's system user with a ceiling on
its address space (``Spawner.mem_limit``, which JupyterHub's local spawner does not enforce on
its own) and on the number of processes of that user, set with :func:`resource.setrlimit` in
the child just after it has become the team's user. One team can then neither fill the
machine's memory nor fork it to a halt; the other teams and the hub keep working.
The sizes and limits themselves are in :mod:`kit.hub.limits` (no JupyterHub import).

Examples
--------
>>> parse_bytes("2G"), parse_bytes("512M"), parse_bytes("1048576")
(2147483648, 536870912, 1048576)
"""

from __future__ import annotations

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Integer

from kit.hub.limits import DEFAULT_MEM_LIMIT, DEFAULT_PROC_LIMIT, limit_resources, parse_bytes

__all__ = [
    "DEFAULT_MEM_LIMIT",
    "DEFAULT_PROC_LIMIT",
    "TeamSpawner",
    "limit_resources",
    "parse_bytes",
]


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
