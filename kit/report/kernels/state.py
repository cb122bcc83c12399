"""The kernel side of warm kernels: record a kernel's baseline state and put it back.

These functions run inside the kernel process: the warm-up (:data:`kit.report.kernels.WARMUP_CODE`)
imports :mod:`kit.report.kernels` there and calls :func:`snapshot` once; after each notebook the host
(:class:`kit.report.kernels.WarmKernel`) evaluates ``kit.report.kernels.restore()`` in the kernel. What is
restored, and why, is described in :mod:`kit.report.kernels`.
"""

from __future__ import annotations

import builtins
import gc
import os
import sys
import warnings
from typing import Any

__all__ = ["restore", "snapshot"]

_BASELINE: dict[str, Any] | None = None


def _module_attrs() -> dict[str, dict[str, int]]:
    """``{kit module: {attribute: id(value)}}``, ignoring submodule attributes and dunders."""
    import types

    found = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "kit" or name.startswith("kit.")):
            continue
        found[name] = {
            k: id(v)
            for k, v in vars(module).items()
            if not k.startswith("__") and not isinstance(v, types.ModuleType)
        }
    return found


def _pandas_options(pd: Any) -> dict[str, Any]:
    """Every pandas option and its value (pandas lists them in ``pd.options``)."""
    found: dict[str, Any] = {}

    def walk(node: Any, prefix: str) -> None:
        for key in dir(node):
            value = getattr(node, key)
            if type(value).__name__ == "DictWrapper":
                walk(value, f"{prefix}{key}.")
            else:
                found[f"{prefix}{key}"] = value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        walk(pd.options, "")
    return found


def _ipython_state(ip: Any) -> dict[str, Any]:
    formatters = {
        key: (dict(f.type_printers), dict(f.deferred_printers))
        for key, f in ip.display_formatter.formatters.items()
    }
    return {
        "formatters": formatters,
        "events": {k: list(v) for k, v in ip.events.callbacks.items()},
        "ast_transformers": list(ip.ast_transformers),
        "input_transformers_post": list(ip.input_transformers_post),
    }


def snapshot() -> str:
    """Record the kernel's baseline state (run in the kernel, once, after the imports).

    Returns
    -------
    str
        ``"ok"``.

    Examples
    --------
    >>> snapshot()   # doctest: +SKIP
    'ok'
    """
    global _BASELINE
    import numpy as np
    import pandas as pd
    import plotly.io as pio
    from IPython import get_ipython

    ip = get_ipython()
    _BASELINE = {
        "cwd": os.getcwd(),
        "environ": dict(os.environ),
        "path": list(sys.path),
        "argv": list(sys.argv),
        "warnings": list(warnings.filters),
        "builtins": dict(vars(builtins)),
        "renderer": pio.renderers.default,
        "template": pio.templates.default,
        "np_print": np.get_printoptions(),
        "np_err": np.geterr(),
        "ipython": _ipython_state(ip) if ip is not None else None,
        "pandas": _pandas_options(pd),
    }
    _BASELINE["modules"] = _module_attrs()  # after the assignment above: it changes this module
    # Move everything alive now (the imported libraries) out of the garbage collector's way, so
    # the full collection IPython's reset runs after each notebook scans only that notebook's
    # objects (0.1 ms instead of 150 ms).
    gc.collect()
    gc.freeze()
    return "ok"


def restore() -> str:
    """Put the kernel back into its baseline state (run in the kernel after each notebook).

    Returns
    -------
    str
        ``""`` when the kernel is clean again, otherwise why it is not (the caller then
        replaces the kernel).

    Examples
    --------
    >>> restore()   # doctest: +SKIP
    ''
    """
    import numpy as np
    import pandas as pd
    import plotly.io as pio
    from IPython import get_ipython

    base = _BASELINE
    if base is None:
        return "no baseline snapshot"
    ip = get_ipython()
    if ip is not None:
        ip.reset(new_session=False)
        ip.execution_count = 1
        state = base["ipython"]
        for key, formatter in ip.display_formatter.formatters.items():
            types_, deferred = state["formatters"].get(key, ({}, {}))
            formatter.type_printers.clear()
            formatter.type_printers.update(types_)
            formatter.deferred_printers.clear()
            formatter.deferred_printers.update(deferred)
        for key, callbacks in ip.events.callbacks.items():
            callbacks[:] = state["events"].get(key, [])
        ip.ast_transformers[:] = state["ast_transformers"]
        ip.input_transformers_post[:] = state["input_transformers_post"]
    table = vars(builtins)
    for name in set(table) - set(base["builtins"]):
        del table[name]
    for name, value in base["builtins"].items():
        if table.get(name, None) is not value:
            table[name] = value
    os.chdir(base["cwd"])
    os.environ.clear()
    os.environ.update(base["environ"])
    sys.path[:] = base["path"]
    sys.argv[:] = base["argv"]
    warnings.filters[:] = base["warnings"]
    warnings._filters_mutated()  # type: ignore[attr-defined]
    pio.renderers.default = base["renderer"]
    if pio.templates.default != base["template"]:  # setting it validates the template: 8 ms
        pio.templates.default = base["template"]
    np.set_printoptions(**base["np_print"])
    np.seterr(**base["np_err"])
    now_options = _pandas_options(pd)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, value in base["pandas"].items():
            if now_options.get(key, value) != value:
                pd.set_option(key, value)
    changed = []
    now = _module_attrs()
    for module, attrs in base["modules"].items():
        current = now.get(module, {})
        for attr, ident in attrs.items():
            if current.get(attr) != ident:
                changed.append(f"{module}.{attr}")
    if changed:
        return "module state changed: " + ", ".join(sorted(changed)[:5])
    return ""
