"""The pyramid graph: roles as nodes, "serves" as edges, levels ranked from the customer down.

:func:`build_graph` turns the workbook's ``roles`` and ``serves`` tables into a
:class:`networkx.DiGraph` whose edges point the way service flows: from the executives at the
bottom, through managers and support, to the front line and on to the customer at the top.
:func:`customers` and :func:`reaching_customer` are the two questions every other analysis asks.

Graph conventions: nodes are ``role_id`` strings with the attributes ``name``, ``level``,
``unit``, ``grade`` (``str``; missing values are ``""``) and ``headcount`` (``float``; missing is
``0.0``). Levels are ranked by :data:`kit.store.schema.LEVELS`: customer 0, frontline 1, support 2,
manager 3, executive 4. A role whose level is missing or unknown has no rank.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import networkx as nx
import pandas as pd

from kit.store import cells
from kit.store.schema import LEVELS

__all__ = [
    "RANK",
    "ROLE_COLUMNS",
    "SERVES_COLUMNS",
    "build_graph",
    "customers",
    "label",
    "level_rank",
    "rank_of",
    "reaching_customer",
    "shared_names",
]

ROLE_COLUMNS: tuple[str, ...] = ("role_id", "name", "level", "headcount", "unit", "grade")
SERVES_COLUMNS: tuple[str, ...] = ("from_role", "to_role")
RANK: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
"""Rank of each level from the top of the upside-down pyramid (customer 0 … executive 4)."""


def level_rank(level: Any) -> int | None:
    """Rank of a level from the top of the upside-down pyramid, ``None`` if unknown.

    Examples
    --------
    >>> level_rank("customer"), level_rank(" Executive "), level_rank("boss")
    (0, 4, None)
    """
    return RANK.get(cells.text(level).lower())


def rank_of(graph: nx.DiGraph, node: Any) -> int | None:
    """Rank of a node's level (see :func:`level_rank`).

    Examples
    --------
    >>> g = nx.DiGraph(); g.add_node("d", level="frontline"); g.add_node("x")
    >>> rank_of(g, "d"), rank_of(g, "x")
    (1, None)
    """
    return level_rank(graph.nodes[node].get("level"))


def label(graph: nx.DiGraph, node: Any, shared: set[str]) -> str:
    """A role's name for sentences; ``name [id]`` when several roles share the name.

    Examples
    --------
    >>> g = nx.DiGraph(); g.add_node("a1", name="Agent"); g.add_node("a2", name="Agent")
    >>> label(g, "a1", shared_names(g)), label(g, "a1", set())
    ('Agent [a1]', 'Agent')
    """
    name = cells.text(graph.nodes[node].get("name")) or str(node)
    return f"{name} [{node}]" if name in shared and name != str(node) else name


def shared_names(graph: nx.DiGraph) -> set[str]:
    """Role names used by more than one role.

    Examples
    --------
    >>> g = nx.DiGraph(); g.add_node("a1", name="Agent"); g.add_node("a2", name="Agent")
    >>> shared_names(g)
    {'Agent'}
    """
    seen: set[str] = set()
    shared: set[str] = set()
    for _, name in graph.nodes(data="name"):
        name = cells.text(name)
        if name in seen:
            shared.add(name)
        seen.add(name)
    return shared


def build_graph(roles: pd.DataFrame, serves: pd.DataFrame) -> nx.DiGraph:
    """Build the pyramid graph: one node per role, an edge ``u -> v`` for "u serves v".

    Parameters
    ----------
    roles : pandas.DataFrame
        The ``roles`` table (``role_id, name, level, headcount, unit, grade``). Rows without a
        ``role_id`` are skipped; a repeated ``role_id`` keeps its first row.
    serves : pandas.DataFrame
        The ``serves`` table (``from_role, to_role``). An edge naming a role that is not in
        ``roles`` still adds that role, with ``level=""`` and its id as name, so the chain check
        can report it rather than lose it. Self-edges are kept (they are one-role cycles).

    Returns
    -------
    networkx.DiGraph
        Node attributes ``name``, ``level`` (lower case), ``unit``, ``grade`` as ``str`` (missing
        is ``""``) and ``headcount`` as ``float`` (missing is ``0.0``). The inputs are not changed.

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["guest", "desk", "gm"],
    ...                       "name": ["Guest", "Front desk", "General manager"],
    ...                       "level": ["customer", "frontline", "executive"],
    ...                       "headcount": [0, 6, 1]})
    >>> serves = pd.DataFrame({"from_role": ["desk", "gm"], "to_role": ["guest", "desk"]})
    >>> g = build_graph(roles, serves)
    >>> sorted(g.edges())
    [('desk', 'guest'), ('gm', 'desk')]
    >>> g.nodes["desk"]["headcount"], g.nodes["desk"]["unit"]
    (6.0, '')
    >>> build_graph(pd.DataFrame(), pd.DataFrame()).number_of_nodes()
    0
    """
    roles = cells.with_columns(roles, ROLE_COLUMNS)[list(ROLE_COLUMNS)]
    serves = cells.with_columns(serves, SERVES_COLUMNS)[list(SERVES_COLUMNS)]
    graph = nx.DiGraph()
    for role_id, name, level, headcount, unit, grade in roles.itertuples(index=False, name=None):
        node = cells.text(role_id)
        if not node or node in graph:
            continue
        graph.add_node(
            node,
            name=cells.text(name) or node,
            level=cells.text(level).lower(),
            headcount=cells.number(headcount),
            unit=cells.text(unit),
            grade=cells.text(grade),
        )
    for source, target in serves.itertuples(index=False, name=None):
        source, target = cells.text(source), cells.text(target)
        if not source or not target:
            continue
        for node in (source, target):
            if node not in graph:
                graph.add_node(node, name=node, level="", headcount=0.0, unit="", grade="")
        graph.add_edge(source, target)
    return graph


def customers(graph: nx.DiGraph) -> list[str]:
    """The customer roles (level ``customer``), sorted.

    Examples
    --------
    >>> g = nx.DiGraph(); g.add_node("c", level="customer"); g.add_node("f", level="frontline")
    >>> customers(g)
    ['c']
    """
    return sorted(
        n for n, level in graph.nodes(data="level") if cells.text(level).lower() == "customer"
    )


def reaching_customer(graph: nx.DiGraph) -> set[str]:
    """Roles from which a customer can be reached along ``serves`` edges (customers included).

    One backwards breadth-first search from all customers at once: linear in the graph's size.

    Examples
    --------
    >>> g = nx.DiGraph([("gm", "desk"), ("desk", "guest"), ("it", "gm2")])
    >>> nx.set_node_attributes(g, {"guest": "customer"}, "level")
    >>> sorted(reaching_customer(g))
    ['desk', 'gm', 'guest']
    """
    start = customers(graph)
    seen = set(start)
    queue = deque(start)
    while queue:
        node = queue.popleft()
        for server in graph.predecessors(node):
            if server not in seen:
                seen.add(server)
                queue.append(server)
    return seen
