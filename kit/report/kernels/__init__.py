"""Warm kernels: run many parameterised notebooks on one pre-started kernel, cleanly.

Starting a Python kernel and importing pandas, plotly and the kit costs about 1.3 s; running the
report notebook on a warm kernel costs a fraction of that. :class:`WarmKernel` starts one kernel
(and one kernel client) and runs notebook after notebook on it through papermill — papermill
still parameterises the notebook and records its metadata, exactly as ``papermill`` on the
command line does — and puts the kernel back into its *baseline* state between notebooks.

How the kernel is reused
------------------------
papermill passes ``km=`` through to nbclient, which then neither starts nor shuts the kernel
down, but it still creates (and waits for) a new kernel *client* for every notebook, and that
wait includes a 0.2 s flush of the IOPub channel. The ``"servekit-warm"`` papermill engine
(:class:`kit.report.engine.WarmEngine`, registered through papermill's entry point) hands nbclient the already-connected client too, so a notebook costs only
its own cells (≈ 20 ms of overhead).

Kernels talk over the ``ipc`` transport (Unix sockets in a private temporary folder), so kernels
started at the same moment by several worker processes cannot race for the same TCP ports; a
shared semaphore can bound how many start at once (CPU).

How state is kept from leaking from one notebook to the next
------------------------------------------------------------
When the kernel is warm, :func:`snapshot` records its baseline in the kernel process; after each
notebook :func:`restore` (run *in the kernel*) puts back:

* the user namespace (IPython ``reset``: every variable, ``In``/``Out``, ``_`` …) and the
  execution counter (the next notebook numbers its cells from 1, as a cold run does);
* ``builtins`` (names added are removed, names changed are put back);
* the working directory, ``os.environ``, ``sys.path``, ``sys.argv``, warning filters;
* plotly's default renderer and template, pandas options, numpy print and error settings;
* IPython display formatters, event callbacks and AST/input transformers.

Warning filters, options and the like are restored to their baseline values, so a library
imported for the first time *during* a notebook loses any warnings filter it registered at
import; import such libraries in the warm-up (``warmup=``), which is also what makes the kernel
warm.

Anything else a notebook could change lives in module state. :func:`restore` compares every
``kit`` module's attributes with the baseline; when one was reassigned (a monkeypatch) the kernel
is reported *dirty* and :class:`WarmKernel` replaces it with a fresh one. A kernel that died or
timed out is replaced the same way.

Where each part lives
---------------------
:mod:`kit.report.kernels.state` is the kernel side (:func:`snapshot`, :func:`restore`: run inside the
kernel process, which imports this package in its warm-up, :data:`WARMUP_CODE`);
:mod:`kit.report.kernels.warm` is the host side (:class:`WarmKernel`, :class:`KernelProblem`,
:func:`python_kernel_ok`). Import everything from :mod:`kit.report.kernels`.

Examples
--------
>>> import nbformat, tempfile, os
>>> nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "python3",
...     "display_name": "Python 3", "language": "python"}})
>>> nb.cells = [nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
...             nbformat.v4.new_code_cell("print(x * 2)")]
>>> path = os.path.join(tempfile.mkdtemp(), "n.ipynb"); nbformat.write(nb, path)
>>> with WarmKernel() as kernel:                              # doctest: +SKIP
...     out = kernel.run(path, {"x": 21})
>>> out.cells[-1].outputs[0].text                            # doctest: +SKIP
'42\\n'
"""

from kit.report.kernels.state import restore, snapshot
from kit.report.kernels.warm import (
    ENGINE_NAME,
    KERNEL_NAME,
    SOCKET_PREFIX,
    WARMUP_CODE,
    WarmKernel,
    python_kernel_ok,
    remove_kernel_files,
)

__all__ = [
    "ENGINE_NAME",
    "KERNEL_NAME",
    "SOCKET_PREFIX",
    "WARMUP_CODE",
    "WarmKernel",
    "python_kernel_ok",
    "remove_kernel_files",
    "restore",
    "snapshot",
]
