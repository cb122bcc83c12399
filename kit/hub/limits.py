"""Sizes and limits of a team's server: parsed and set without importing JupyterHub.

``servekit hub``'s options are checked with these, and every other command starts without
paying JupyterHub's import (about a second); :mod:`kit.hub.spawner` uses them in the hub.

Examples
--------
>>> parse_bytes("2G"), parse_bytes("512M"), parse_bytes("1048576")
(2147483648, 536870912, 1048576)
"""

from __future__ import annotations

import resource

__all__ = ["DEFAULT_MEM_LIMIT", "DEFAULT_PROC_LIMIT", "limit_resources", "parse_bytes"]

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
