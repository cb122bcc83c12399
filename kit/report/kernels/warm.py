"""The host side of warm kernels: start a kernel once and run notebook after notebook on it.

:class:`WarmKernel` starts the kernel (``ipc`` transport, optional start semaphore), runs each
notebook through papermill's ``servekit-warm`` engine and, after it, has the kernel run
:func:`kit.report.kernels.restore` (or replaces the kernel); :class:`KernelProblem` says why a kernel
could not be used; :func:`python_kernel_ok` checks the kernelspec. See :mod:`kit.report.kernels`.
"""

from __future__ import annotations

import ast
import contextlib
import copy
import os
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from kit.exceptions import KernelProblem

__all__ = [
    "ENGINE_NAME",
    "KERNEL_NAME",
    "SOCKET_PREFIX",
    "WARMUP_CODE",
    "WarmKernel",
    "python_kernel_ok",
    "remove_kernel_files",
]

KERNEL_NAME = "python3"
WARMUP_CODE = "import kit.report.kernels as _sk_kernels\n_sk_kernels.snapshot()\ndel _sk_kernels\n"
"""Run once on a new kernel: imports, then the baseline snapshot."""

ENGINE_NAME = "servekit-warm"
"""The papermill engine :class:`WarmKernel` runs notebooks with (:mod:`kit.report.engine`)."""
_PREPARE_OPTIONS = frozenset({"language", "report_mode", "request_save_on_cell_execute"})
"""Options of :func:`papermill.execute_notebook` for preparing the notebook (not the engine)."""
SOCKET_PREFIX = "sk-kernel-"
"""Kernels' ipc socket folders are ``<tmp>/sk-kernel-<pid of the owner>-<random>``."""


def _papermill_engine() -> type:
    """The ``servekit-warm`` engine, as papermill finds it (its ``papermill.engine`` entry point).

    Examples
    --------
    >>> _papermill_engine().__name__
    'WarmEngine'
    """
    from papermill.engines import papermill_engines

    try:
        return papermill_engines.get_engine(ENGINE_NAME)
    except Exception as exc:  # papermill's PapermillException: the kit is not installed
        raise KernelProblem(
            f"papermill has no {ENGINE_NAME!r} engine: install the kit "
            f"('pip install .') so its entry point is registered"
        ) from exc


class WarmKernel:
    """One kernel kept warm to run notebook after notebook through papermill.

    Parameters
    ----------
    kernel_name : str
        Kernelspec to start (the report notebook's: ``python3``).
    cwd : path-like, optional
        Working directory of the kernel (default: the current one).
    warmup : str
        Code run once on every new kernel before its baseline snapshot (imports).
    start_lock : semaphore-like, optional
        Held while a kernel starts, to bound how many start at once across processes.
    startup_timeout : float
        Seconds to wait for a new kernel.
    timeout : float or None
        Seconds one cell may run before the notebook fails (and the kernel is replaced).

    Examples
    --------
    >>> with WarmKernel(warmup="import kit.report.kernels as k; k.snapshot()") as kernel:  # doctest: +SKIP
    ...     kernel.pid > 0
    True
    """

    def __init__(
        self,
        kernel_name: str = KERNEL_NAME,
        *,
        cwd: str | os.PathLike | None = None,
        warmup: str = WARMUP_CODE,
        start_lock: Any = None,
        startup_timeout: float = 60,
        timeout: float | None = 600,
    ):
        self.kernel_name = kernel_name
        self.cwd = str(cwd) if cwd is not None else os.getcwd()
        self.warmup = warmup
        self.start_lock = start_lock
        self.startup_timeout = startup_timeout
        self.timeout = timeout
        self.km: Any = None
        self.kc: Any = None
        self.starts = 0
        self.runs = 0
        self._sockets: str | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def __enter__(self) -> WarmKernel:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    @property
    def pid(self) -> int | None:
        """Process id of the current kernel (``None`` when none is running)."""
        provisioner = getattr(self.km, "provisioner", None)
        process = getattr(provisioner, "process", None)
        return getattr(process, "pid", None)

    def launch(self) -> None:
        """Start the kernel process without waiting for it (see :meth:`start`)."""
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        if self.km is not None:
            return
        _remove_stale_socket_dirs()
        self._sockets = tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}{os.getpid()}-")
        km = AsyncKernelManager(
            kernel_name=self.kernel_name,
            transport="ipc",
            ip=os.path.join(self._sockets, "k"),
            # the connection file (the kernel's key) beside its sockets, not loose in the temp
            # folder: one folder to remove, and a killed run's folder is found by its pid
            connection_file=os.path.join(self._sockets, "kernel.json"),
        )
        lock = self.start_lock if self.start_lock is not None else contextlib.nullcontext()
        self.km = km  # from now on, kill_now finds the process as soon as it exists
        try:
            with lock:
                run_sync(km.start_kernel)(
                    cwd=self.cwd,
                    extra_arguments=["--HistoryManager.hist_file=:memory:"],
                )
        except BaseException:
            self.shutdown()
            raise
        self.starts += 1

    def start(self) -> None:
        """Start the kernel (if not yet), connect a client, run the warm-up and snapshot."""
        from jupyter_core.utils import run_sync

        self.launch()
        if self.kc is None:
            kc = self.km.client()
            kc.start_channels()
            try:
                run_sync(kc.wait_for_ready)(timeout=self.startup_timeout)
            except RuntimeError as exc:
                kc.stop_channels()
                self.shutdown()
                raise KernelProblem(f"the kernel did not start: {exc}") from exc
            self.kc = kc
            reply = self._run_code(self.warmup)
            if reply.get("status") != "ok":
                detail = f"{reply.get('ename')}: {reply.get('evalue')}"
                self.shutdown()
                raise KernelProblem(f"the kernel's warm-up failed ({detail})")

    def alive(self) -> bool:
        """True when the kernel process is running."""
        from jupyter_core.utils import run_sync

        return self.km is not None and bool(run_sync(self.km.is_alive)())

    def shutdown(self) -> None:
        """Stop the kernel and its client; safe to call twice."""
        from jupyter_core.utils import run_sync

        if self.kc is not None:
            with contextlib.suppress(Exception):
                self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            with contextlib.suppress(Exception):
                run_sync(self.km.shutdown_kernel)(now=True)
            with contextlib.suppress(Exception):
                run_sync(self.km.cleanup_resources)()
            self.km = None
        if self._sockets:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None

    def kill_now(self) -> None:
        """Kill the kernel at once and remove its files, without waiting on anything.

        For a signal handler or a dying process: no event loop, no messages to the kernel;
        ``SIGKILL`` to the kernel's process group (jupyter_client starts it in its own session),
        then its socket folder, which holds the connection file.
        """
        pid = self.pid
        if pid:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        if self._sockets:
            shutil.rmtree(self._sockets, ignore_errors=True)
            self._sockets = None

    def replace(self) -> None:
        """Throw the kernel away and start a fresh one."""
        self.shutdown()
        self.start()

    # -- running ---------------------------------------------------------------------------------
    def _run_code(
        self,
        code: str,
        user_expressions: dict[str, str] | None = None,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Execute ``code`` silently and return the reply content."""
        from jupyter_core.utils import ensure_async, run_sync

        kc = self.kc
        timeout = timeout if timeout is not None else self.startup_timeout

        async def call() -> dict[str, Any]:
            msg_id = await ensure_async(
                kc.execute(
                    code,
                    silent=True,
                    store_history=False,
                    user_expressions=user_expressions or {},
                    allow_stdin=False,
                )
            )
            deadline = time.monotonic() + timeout
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise KernelProblem("the kernel did not answer in time")
                try:
                    reply = await kc.get_shell_msg(timeout=remaining)
                except Exception as exc:  # queue.Empty
                    raise KernelProblem("the kernel did not answer in time") from exc
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]

        return run_sync(call)()

    def run(
        self,
        notebook: str | os.PathLike,
        parameters: dict[str, Any] | None = None,
        **papermill_options: Any,
    ) -> Any:
        """Run one notebook with papermill on this kernel and return the executed notebook.

        The kernel is started first if needed. After the notebook — whether it succeeded or
        not — the kernel is put back into its baseline state, or replaced when that is not
        possible (it died, hung, or a module was changed).

        Parameters
        ----------
        notebook : path-like
            The notebook to run (it is not modified).
        parameters : dict, optional
            papermill parameters.
        **papermill_options
            Passed to :func:`papermill.execute_notebook`.

        Returns
        -------
        nbformat.NotebookNode
            The executed notebook.

        Raises
        ------
        papermill.exceptions.PapermillExecutionError
            A cell raised; ``exc.nb`` is the executed notebook (with the traceback), and the
            kernel is clean again.
        KernelProblem
            The kernel died or hung while running it (it has been replaced).

        Examples
        --------
        >>> kernel = WarmKernel()                                   # doctest: +SKIP
        >>> nb = kernel.run("workshops/10_team_report.ipynb", {"team": "a"})  # doctest: +SKIP
        """
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
        from papermill.exceptions import PapermillExecutionError

        engine = _papermill_engine()
        engine.last_nb = None
        self.start()
        self.runs += 1
        try:
            nb = self._execute(str(notebook), parameters or {}, papermill_options)
        except PapermillExecutionError as exc:
            exc.nb = engine.last_nb  # the executed notebook, with the error output
            self._after_run()
            raise
        except (DeadKernelError, CellTimeoutError, RuntimeError) as exc:
            # A dead kernel, a hung cell or a broken channel: never reuse this kernel.
            died = not self.alive()
            reason = "stopped unexpectedly" if died else "did not finish in time"
            self.shutdown()
            problem = KernelProblem(
                f"the notebook's kernel {reason} ({type(exc).__name__}: "
                f"{str(exc).strip().splitlines()[0] if str(exc).strip() else ''})",
                died=died,
            )
            if isinstance(exc, CellTimeoutError):  # say which cell ran out of time, and how long
                problem.timed_out, problem.seconds, problem.nb = True, self.timeout, engine.last_nb
                cells = getattr(engine.last_nb, "cells", [])
                started = [
                    i
                    for i, c in enumerate(cells)  # the last cell papermill started
                    if c.get("metadata", {}).get("papermill", {}).get("status")
                    in ("running", "completed", "failed")
                ]
                problem.cell_index = started[-1] if started else None
            raise problem from exc
        self._after_run()
        return nb

    def _execute(self, notebook: str, parameters: dict[str, Any], options: dict[str, Any]) -> Any:
        """:func:`papermill.execute_notebook` with no output file, in its two public steps.

        papermill prepares the notebook (``prepare_only``: parameters, metadata), the engine
        runs it, and :func:`papermill.execute.raise_for_execution_errors` raises on a failed
        cell, as ``execute_notebook`` does. ``execute_notebook`` run with no output path
        also serialises the executed notebook for nothing at its end (≈ 0.1 s for a team
        report, whose figures make it ≈ 0.7 MB); this leaves that out.
        """
        import papermill as pm
        from papermill.engines import papermill_engines
        from papermill.execute import raise_for_execution_errors
        from papermill.utils import chdir

        options = dict(options)
        cwd = options.pop("cwd", None)
        nb = pm.execute_notebook(
            notebook,
            None,
            parameters=copy.deepcopy(parameters),
            engine_name=ENGINE_NAME,
            kernel_name=self.kernel_name,
            prepare_only=True,
            progress_bar=False,
            **{k: v for k, v in options.items() if k in _PREPARE_OPTIONS},
        )
        with chdir(cwd):
            nb = papermill_engines.execute_notebook_with_engine(
                ENGINE_NAME,
                nb,
                input_path=notebook,
                output_path=None,
                kernel_name=self.kernel_name,
                progress_bar=False,
                km=self.km,
                kc=self.kc,
                execution_timeout=self.timeout,
                **{k: v for k, v in options.items() if k not in _PREPARE_OPTIONS},
            )
        raise_for_execution_errors(nb, None)
        return nb

    def _after_run(self) -> None:
        """Restore the baseline, or replace the kernel when it cannot be trusted."""
        if not self.alive():
            self.shutdown()
            return
        try:
            reply = self._run_code(
                "", {"r": "__import__('kit.report.kernels', fromlist=['restore']).restore()"}
            )
            result = reply.get("user_expressions", {}).get("r", {})
            if result.get("status") != "ok":
                raise KernelProblem(
                    f"restore failed: {result.get('ename')}: {result.get('evalue')}"
                )
            dirty = ast.literal_eval(result["data"]["text/plain"])
        except KernelProblem:
            dirty = "restore failed"
        if dirty:
            self.shutdown()  # a fresh kernel is started on the next run


def remove_kernel_files(pid: int) -> None:
    """Delete the socket folders (and connection files) of the kernels process ``pid`` started.

    For the batch after it stopped its workers: a worker killed before it could clean up
    leaves its folder behind, which holds the kernel's key.

    Examples
    --------
    >>> folder = tempfile.mkdtemp(prefix=f"{SOCKET_PREFIX}999999999-")
    >>> remove_kernel_files(999999999)
    >>> os.path.exists(folder)
    False
    """
    for folder in Path(tempfile.gettempdir()).glob(f"{SOCKET_PREFIX}{int(pid)}-*"):
        shutil.rmtree(folder, ignore_errors=True)


def _remove_stale_socket_dirs() -> None:
    """Delete socket folders left by processes that were killed (their pid is gone)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{SOCKET_PREFIX}*"):
        pid = folder.name[len(SOCKET_PREFIX) :].split("-", 1)[0]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # someone else's live process
            continue


def python_kernel_ok(kernel_name: str = KERNEL_NAME) -> str:
    """Check that ``kernel_name`` starts this interpreter; return a problem text or ``""``.

    Examples
    --------
    >>> python_kernel_ok()   # the venv's python3 kernelspec
    ''
    """
    from jupyter_client.kernelspec import KernelSpecManager, NoSuchKernel

    try:
        spec = KernelSpecManager().get_kernel_spec(kernel_name)
    except NoSuchKernel:
        return (
            f"no Jupyter kernel named {kernel_name!r}; install one with "
            f"'{sys.executable} -m ipykernel install --sys-prefix'"
        )
    exe = spec.argv[0] if spec.argv else ""
    if exe in {"python", "python3", f"python{sys.version_info[0]}.{sys.version_info[1]}"}:
        return ""
    if Path(exe).resolve() != Path(sys.executable).resolve():
        return (
            f"the {kernel_name!r} kernel runs {exe}, not {sys.executable}; the report would "
            f"not see this environment's kit. Reinstall it with "
            f"'{sys.executable} -m ipykernel install --sys-prefix'"
        )
    return ""
