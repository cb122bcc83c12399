"""``python -m kit.room.voilarun``: Voilà, with the room server's log filter.

``servekit present`` starts Voilà through this module instead of ``python -m voila``, so
that the projector's terminal shows what :mod:`kit.room.serverlog` lets through and nothing
else: no "Notebook … is not trusted" per page load, no websocket ping warning, no traceback
when a browser closes. The arguments are Voilà's own.

Examples
--------
>>> import logging
>>> quiet_voila()
>>> logging.getLogger("Voila").filter(
...     logging.makeLogRecord({"msg": "Notebook %s is not trusted", "args": ("d.ipynb",)})
... )
False
"""

from __future__ import annotations

import logging

from kit.room.serverlog import QuietFilter

__all__ = ["LOGGERS", "main", "quiet_voila"]

LOGGERS = ("Voila", "tornado.general", "tornado.application", "asyncio")
"""Voilà's application log (a traitlets app logs under its class name) and the loggers of
the libraries beneath it whose records :class:`~kit.room.serverlog.QuietFilter` drops."""


def quiet_voila() -> None:
    """Attach one :class:`~kit.room.serverlog.QuietFilter` to each of :data:`LOGGERS` (once)."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, QuietFilter) for f in logger.filters):
            logger.addFilter(QuietFilter())


def main() -> None:
    """Run Voilà's command line with the filter in place."""
    quiet_voila()
    from voila.app import main as voila_main

    voila_main()


if __name__ == "__main__":
    main()
