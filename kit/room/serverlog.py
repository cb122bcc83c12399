"""The room server's terminal, in lines a facilitator can act on.

``servekit lab`` runs Jupyter Server in the facilitator's terminal. Left alone, a session prints
lines that look like faults and are not: a deprecation warning from a compatibility extension
the kit does not use, "Notebook … is not trusted" for every notebook a team opens, a websocket
ping warning from two libraries that disagree on units, a traceback when a browser closes a
tab mid-output. A facilitator who sees them cannot tell them from a real problem.

The kit removes each at its source where it can, and filters only what it cannot:

* **Kernel traffic is encrypted** (``KernelManager.transport_encryption = "auto"``,
  :data:`KERNEL_ARG`, on the server's command line): the kernels' ``"running over TCP without encryption"`` warning asked
  for exactly this, and on a shared machine it keeps other local users off the kernels' ports.
* **notebook_shim is off**: it maps the classic Notebook's config, which the kit never writes,
  and reads the deprecated ``ServerApp.token`` while doing so (the start-up
  ``DeprecationWarning``).
* **This module's filter** (a server extension, :data:`EXTENSION`) drops, and only drops,
  the lines in :data:`QUIET` and a closed websocket's traceback (:data:`CLOSED`). Every other
  warning and error still reaches the terminal.

Examples
--------
>>> import logging
>>> keep = QuietFilter().filter
>>> keep(logging.makeLogRecord({"msg": "Notebook %s is not trusted", "args": ("a.ipynb",)}))
False
>>> keep(logging.makeLogRecord({"msg": "Kernel died", "levelno": logging.ERROR}))
True
>>> _jupyter_server_extension_points()
[{'module': 'kit.room.serverlog'}]
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kit.room.serverconfig import enable, write_config

__all__ = [
    "CLOSED",
    "EXTENSION",
    "KERNEL_ARG",
    "QUIET",
    "QuietFilter",
    "kernel_args",
    "server_config",
    "write_server_config",
]

EXTENSION = "kit.room.serverlog"
"""The extension's module name (what ``ServerApp.jpserver_extensions`` enables)."""

KERNEL_ARG = "--KernelManager.transport_encryption=auto"
"""CurveZMQ keys for every kernel whose kernelspec declares support (ipykernel >= 7 does);
plain TCP on loopback for any other. (A command-line switch: Jupyter Server reads the
``KernelManager`` section of its ``.d`` config files for the extensions only.)"""

QUIET = (
    # jupyter_server's contents manager, for any notebook without a signature in the user's
    # signature database: the teams' notebooks are handed out without outputs, so there is
    # nothing to trust or distrust.
    "is not trusted",
    # tornado >= 6.5 reads jupyter_server's ping settings (milliseconds) as seconds and
    # complains about the ratio; jupyter_server keeps its own ping in milliseconds
    # (jupyter-server/jupyter_server#1612).
    "cannot be longer than the websocket_ping_interval",
)
"""Parts of messages that say nothing a facilitator can act on."""

CLOSED = ("WebSocketClosedError", "StreamClosedError")
"""Exceptions that only mean a browser went away (a closed tab or laptop) while the server was
still writing to it."""


class QuietFilter(logging.Filter):
    """Drop the records in :data:`QUIET` and those that carry a :data:`CLOSED` exception.

    Examples
    --------
    >>> import logging, sys
    >>> from tornado.websocket import WebSocketClosedError
    >>> try:
    ...     raise WebSocketClosedError()
    ... except WebSocketClosedError:
    ...     record = logging.makeLogRecord({"msg": "Exception in callback", "exc_info": sys.exc_info()})
    >>> QuietFilter().filter(record)
    False
    >>> try:
    ...     raise ValueError("a real fault")
    ... except ValueError:
    ...     record = logging.makeLogRecord({"msg": "Exception in callback", "exc_info": sys.exc_info()})
    >>> QuietFilter().filter(record)
    True
    """

    def filter(self, record: logging.LogRecord) -> bool:  # noqa: A003 (logging's name)
        """False for a record the terminal should not show."""
        kind = record.exc_info[0] if record.exc_info else None
        if kind is not None and kind.__name__ in CLOSED:
            return False
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a record with bad arguments: show it as it is
            return True
        return not any(part in message for part in QUIET)


def kernel_args() -> list[str]:
    """:data:`KERNEL_ARG` where this Python's ZeroMQ can encrypt, else nothing (Jupyter would
    refuse to start with the switch and no CurveZMQ).

    Examples
    --------
    >>> import zmq
    >>> kernel_args() == ([KERNEL_ARG] if zmq.has("curve") else [])
    True
    """
    import zmq

    return [KERNEL_ARG] if zmq.has("curve") else []


def server_config() -> dict[str, Any]:
    """The Jupyter Server config that goes with the filter (see the module's docstring).

    Examples
    --------
    >>> config = server_config()
    >>> config["ServerApp"]["jpserver_extensions"]
    {'kit.room.serverlog': True, 'notebook_shim': False}
    """
    return enable(EXTENSION, notebook_shim=False)


def write_server_config(folder: Path) -> Path:
    """Write :func:`server_config` for a server whose ``JUPYTER_CONFIG_PATH`` includes ``folder``
    (``jupyter_server_config.d/servekit-serverlog.json``, a file of its own).

    Examples
    --------
    >>> import tempfile
    >>> import json
    >>> path = write_server_config(Path(tempfile.mkdtemp()))
    >>> path.name, json.loads(path.read_text()) == server_config()
    ('servekit-serverlog.json', True)
    """
    return write_config(folder, "serverlog", server_config())


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": EXTENSION}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Filter the server's log handlers (tornado's and the extensions' records reach the
    terminal through them) and asyncio's logger (an unretrieved task's exception)."""
    quiet = QuietFilter()
    for handler in serverapp.log.handlers:
        handler.addFilter(quiet)
    logging.getLogger("asyncio").addFilter(quiet)
    logging.getLogger("tornado.general").addFilter(quiet)
    logging.getLogger("tornado.application").addFilter(quiet)
