"""The ``servekit-warm`` papermill engine: run a notebook on an already-started kernel.

papermill finds it through its documented plug-in point, the ``papermill.engine`` entry point
group (``pyproject.toml``: ``[project.entry-points."papermill.engine"]``), so
``papermill.execute_notebook(..., engine_name="servekit-warm", km=..., kc=...)`` works in any
process once the kit is installed. :class:`kit.report.kernels.WarmKernel` is its one user.

papermill passes ``km=`` through to nbclient, which then neither starts nor shuts the kernel
down, but it still creates (and waits for) a new kernel *client* for every notebook, and that
wait includes a 0.2 s flush of the IOPub channel. This engine hands nbclient the
already-connected client too, so a notebook costs only its own cells.

papermill turns on nbclient's ``raise_on_iopub_timeout`` with nbclient's 4 s ``iopub_timeout``:
the wait, after a cell's reply, for the kernel's last outputs. On a coach's busy laptop that
wait can pass 4 s, and the cell would fail with "Timeout waiting for IOPub output" although it
ran. The engine waits :data:`IOPUB_WAIT` seconds instead; a cell's own limit stays the
``execution_timeout``.

The class is built on first access (a module ``__getattr__``): importing papermill loads its
entry points, which import this module, so this module must not import papermill at its top.

Examples
--------
>>> from papermill.engines import papermill_engines
>>> papermill_engines.get_engine(ENGINE_NAME) is warm_engine()
True
"""

from __future__ import annotations

from typing import Any

__all__ = ["ENGINE_NAME", "IOPUB_WAIT", "warm_engine"]

ENGINE_NAME = "servekit-warm"
IOPUB_WAIT = 60
"""Seconds to wait for a cell's last outputs after its reply (nbclient's default is 4)."""
_ENGINE: type | None = None


def _build() -> type:
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine
    from papermill.log import logger

    class WarmEngine(NBClientEngine):
        """nbclient engine that runs on a given kernel manager *and* connected client."""

        last_nb: Any = None
        """The notebook being run (kept for failure reports)."""

        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: float = 60,
            execution_timeout: Any = None,
            km: Any = None,
            kc: Any = None,
            **kwargs: Any,
        ) -> Any:
            """Execute ``nb_man``'s notebook on ``km``/``kc`` (papermill's engine interface)."""
            client = PapermillNotebookClient(
                nb_man,
                km=km,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
                startup_timeout=start_timeout,
                timeout=execution_timeout,
                iopub_timeout=kwargs.get("iopub_timeout", IOPUB_WAIT),
            )
            client.kc = kc  # skip nbclient's per-notebook client start (and its IOPub flush)
            cls.last_nb = nb_man.nb
            return client.execute()

    WarmEngine.__module__, WarmEngine.__qualname__ = __name__, "WarmEngine"
    return WarmEngine


def warm_engine() -> type:
    """The engine class (built once; importing papermill may re-enter here, which is fine).

    Examples
    --------
    >>> warm_engine() is warm_engine()
    True
    """
    global _ENGINE
    if _ENGINE is None:
        import papermill.engines  # noqa: F401  (loads the entry points: may build _ENGINE)

        if _ENGINE is None:
            _ENGINE = _build()
    return _ENGINE


def __getattr__(name: str) -> Any:
    if name == "WarmEngine":
        return warm_engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
