"""Graph files: the pyramid written as GraphML for Gephi and yEd.

The analyses in :mod:`kit.analyses.pyramid` never touch the disk; this module is where a pyramid graph
becomes a file. :func:`write_graphml` writes only ``str``, ``int`` and ``float`` attributes (one
type per attribute name) and makes every piece of text XML-safe first (:func:`xml_text`):
control characters typed into a role name or pasted from an HR export (``\\x00``, ``\\x1b``,
``\\x0b`` …) are not allowed in XML 1.0 and would make the file unreadable, so each one is
replaced by U+FFFD (the replacement character), which shows that something was there. Node
ids are cleaned the same way (kept apart with ``~2``, ``~3`` … if two become equal).
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from kit.analyses.pyramid.chain import ChainCheck
from kit.store.csvio import atomic_write

__all__ = ["REPLACEMENT", "write_graphml", "xml_text"]

REPLACEMENT = "\N{REPLACEMENT CHARACTER}"
# XML 1.0 allows tab, newline, carriage return, U+0020-U+D7FF, U+E000-U+FFFD and U+10000 up.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 forbids replaced by U+FFFD.

    Examples
    --------
    >>> xml_text("Front\\x00desk\\x1b[31m")
    'Front\ufffddesk\ufffd[31m'
    >>> xml_text("Café\\tbar\\n")
    'Café\\tbar\\n'
    """
    return _NOT_XML.sub(REPLACEMENT, value)


def _graphml_value(value: Any) -> str | int | float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, str):
        return xml_text(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return xml_text(str(value))


def _clean_attrs(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Make attribute dicts GraphML-safe with one type per key (str beats float beats int)."""
    cleaned = [{xml_text(str(k)): _graphml_value(v) for k, v in d.items()} for d in items]
    kinds: dict[str, type] = {}
    for d in cleaned:
        for k, v in d.items():
            if v is None:
                continue
            seen = kinds.get(k)
            if seen is str or isinstance(v, str):
                kinds[k] = str
            elif seen is float or isinstance(v, float):
                kinds[k] = float
            else:
                kinds[k] = int
    out = []
    for d in cleaned:
        fixed = {}
        for k, v in d.items():
            kind = kinds.get(k)
            if kind is None:
                continue
            if v is None:
                v = "" if kind is str else (0.0 if kind is float else 0)
            fixed[k] = kind(v)
        out.append(fixed)
    return out


def _xml_ids(nodes: Iterable[Any]) -> dict[Any, str]:
    """XML-safe node ids, each unique (``~2``, ``~3`` … added when cleaning makes two equal)."""
    ids: dict[Any, str] = {}
    taken: set[str] = set()
    for node in nodes:
        base = xml_text(str(node))
        candidate, n = base, 1
        while candidate in taken:
            n += 1
            candidate = f"{base}~{n}"
        taken.add(candidate)
        ids[node] = candidate
    return ids


def write_graphml(graph: nx.DiGraph, path: str | Path, *, check: ChainCheck | None = None) -> Path:
    """Write the graph as GraphML that opens in Gephi and yEd, atomically.

    Only ``str``, ``int`` and ``float`` attributes are written, one type per attribute name
    (missing values become ``""``/``0``; ``None`` and NaN never reach the file); text and ids
    pass through :func:`xml_text`, so control characters never break the file. With ``check``,
    nodes also get ``reaches_customer`` (1/0) and edges ``flag`` (``""``, ``"serves_down"`` or
    ``"cycle"``). The file is written to a temporary file in the same folder, then moved into
    place with :func:`os.replace`.

    Parameters
    ----------
    graph : networkx.DiGraph
    path : str or pathlib.Path
    check : ChainCheck, optional

    Returns
    -------
    pathlib.Path
        The path written.

    Examples
    --------
    >>> import tempfile
    >>> g = nx.DiGraph([("a", "b")]); g.nodes["a"]["unit"] = None; g.nodes["b"]["unit"] = "x"
    >>> out = write_graphml(g, Path(tempfile.mkdtemp()) / "p.graphml")
    >>> sorted(nx.read_graphml(out).nodes(data="unit"))
    [('a', ''), ('b', 'x')]
    """
    path = Path(path)
    clean = nx.DiGraph()
    nodes = list(graph.nodes(data=True))
    node_attrs = [dict(d) for _, d in nodes]
    if check is not None:
        for (node, _), d in zip(nodes, node_attrs, strict=True):
            d["reaches_customer"] = int(node in check.reaching)
    edges = list(graph.edges(data=True))
    edge_attrs = [dict(d) for _, _, d in edges]
    if check is not None:
        flags = check.flagged_edges()
        for (u, v, _), d in zip(edges, edge_attrs, strict=True):
            d["flag"] = flags.get((u, v), "")
    ids = _xml_ids(node for node, _ in nodes)
    for (node, _), d in zip(nodes, _clean_attrs(node_attrs), strict=True):
        clean.add_node(ids[node], **d)
    for (u, v, _), d in zip(edges, _clean_attrs(edge_attrs), strict=True):
        clean.add_edge(ids[u], ids[v], **d)
    buffer = io.BytesIO()
    nx.write_graphml(clean, buffer, encoding="utf-8", prettyprint=True)
    atomic_write(path, buffer.getvalue())
    return path
