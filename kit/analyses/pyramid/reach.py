"""Support chains and reach: who stands behind each touchpoint, and how far each role reaches.

- :func:`support_paths` / :func:`support_chains` — for each touchpoint, who serves the person
  serving the customer, on to the bottom of the pyramid.
- :func:`touchpoint_reach` / :func:`role_reach` — for each role, the touchpoints it ultimately
  serves, plain and headcount-weighted.

Plain functions over the graph of :func:`kit.analyses.pyramid.build_graph`; nothing is drawn or written.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import networkx as nx
import pandas as pd

from kit.analyses.pyramid.graph import build_graph, rank_of  # noqa: F401 - build_graph for the doctests
from kit.store import cells

__all__ = [
    "role_reach",
    "support_chains",
    "support_paths",
    "touchpoint_reach",
]

_CHAIN_COLUMNS = ["touchpoint_id", "chain", "step", "role_id", "name", "level"]
_REACH_COLUMNS = [
    "role_id",
    "name",
    "level",
    "headcount",
    "touchpoints",
    "share",
    "served_headcount",
    "weighted_share",
]


def support_paths(graph: nx.DiGraph, role_id: str, *, max_paths: int = 50) -> list[list[str]]:
    """Every chain of service that ends at ``role_id``, walked backwards to the bottom.

    Starting at ``role_id`` (step 0), each step goes to a role that serves the previous one,
    until a role that nobody serves (normally an executive). Circles are not walked twice.
    Servers are tried nearest level first (highest rank last), then by id, so the output is
    stable. At most ``max_paths`` chains are returned (a dense graph has very many).

    Parameters
    ----------
    graph : networkx.DiGraph
    role_id : str
        The role serving the customer at a touchpoint.
    max_paths : int
        Cap on the number of chains.

    Returns
    -------
    list of list of str
        Each chain as role ids, ``[role_id, its server, that role's server, …]``; ``[]`` when
        ``role_id`` is not in the graph.

    Examples
    --------
    >>> g = nx.DiGraph([("gm", "fom"), ("fom", "desk"), ("it", "desk"), ("gm", "it")])
    >>> nx.set_node_attributes(g, {"gm": "executive", "fom": "manager", "it": "support",
    ...                            "desk": "frontline"}, "level")
    >>> support_paths(g, "desk")
    [['desk', 'it', 'gm'], ['desk', 'fom', 'gm']]
    >>> support_paths(g, "nobody")
    []
    """
    if role_id not in graph:
        return []

    def order(node: str) -> tuple[int, str]:
        rank = rank_of(graph, node)
        return (99 if rank is None else rank, str(node))

    paths: list[list[str]] = []
    stack: list[list[str]] = [[role_id]]
    while stack and len(paths) < max_paths:
        path = stack.pop()
        on_path = set(path)
        servers = sorted((s for s in graph.predecessors(path[-1]) if s not in on_path), key=order)
        if not servers:
            paths.append(path)
            continue
        for server in reversed(servers):  # stack: push last first so the first pops first
            stack.append([*path, server])
    return paths


def _journey_roles(journey: pd.DataFrame | None, graph: nx.DiGraph) -> list[tuple[str, str]]:
    columns = ["touchpoint_id", "role_id"]
    journey = cells.with_columns(journey, columns)[columns]
    pairs = []
    for touchpoint, role in journey.itertuples(index=False, name=None):
        touchpoint, role = cells.text(touchpoint), cells.text(role)
        if touchpoint and role and role in graph:
            pairs.append((touchpoint, role))
    return pairs


def support_chains(
    graph: nx.DiGraph, journey: pd.DataFrame, *, max_paths: int = 50
) -> pd.DataFrame:
    """The support chains of every touchpoint, as a tidy table.

    Parameters
    ----------
    graph : networkx.DiGraph
    journey : pandas.DataFrame
        The ``journey`` table; only ``touchpoint_id`` and ``role_id`` are used. Touchpoints
        without a role, or whose role is not in the graph, have no chain and are left out.
    max_paths : int
        Cap on chains per touchpoint (see :func:`support_paths`).

    Returns
    -------
    pandas.DataFrame
        ``touchpoint_id, chain, step, role_id, name, level``: one row per role on each chain,
        ``chain`` numbered from 1 within a touchpoint, ``step`` 0 for the touchpoint's own role,
        1 for who serves it, and so on down to the bottom of the pyramid. In journey order.

    Examples
    --------
    >>> g = nx.DiGraph([("gm", "fom"), ("fom", "desk")])
    >>> nx.set_node_attributes(g, {"gm": "GM", "fom": "FOM", "desk": "Desk"}, "name")
    >>> j = pd.DataFrame({"touchpoint_id": ["t1", "t2"], "role_id": ["desk", None]})
    >>> support_chains(g, j)[["touchpoint_id", "chain", "step", "role_id"]].values.tolist()
    [['t1', 1, 0, 'desk'], ['t1', 1, 1, 'fom'], ['t1', 1, 2, 'gm']]
    """
    rows = []
    for touchpoint, role in _journey_roles(journey, graph):
        for chain, path in enumerate(support_paths(graph, role, max_paths=max_paths), start=1):
            for step, node in enumerate(path):
                attrs = graph.nodes[node]
                rows.append(
                    {
                        "touchpoint_id": touchpoint,
                        "chain": chain,
                        "step": step,
                        "role_id": node,
                        "name": cells.text(attrs.get("name")) or node,
                        "level": cells.text(attrs.get("level")),
                    }
                )
    return pd.DataFrame(rows, columns=_CHAIN_COLUMNS)


def touchpoint_reach(graph: nx.DiGraph, journey: pd.DataFrame) -> pd.DataFrame:
    """Which touchpoints each role ultimately serves: a long table of ``(role_id, touchpoint_id)``.

    A role reaches a touchpoint when it *is* the touchpoint's role or serves it through any
    chain of ``serves`` edges.

    Examples
    --------
    >>> g = nx.DiGraph([("gm", "desk"), ("gm", "hk"), ("desk", "guest")])
    >>> j = pd.DataFrame({"touchpoint_id": ["checkin", "room"], "role_id": ["desk", "hk"]})
    >>> touchpoint_reach(g, j).values.tolist()
    [['desk', 'checkin'], ['gm', 'checkin'], ['gm', 'room'], ['hk', 'room']]
    """
    pairs = set()
    ancestors: dict[str, set[str]] = {}
    for touchpoint, role in _journey_roles(journey, graph):
        if role not in ancestors:
            ancestors[role] = nx.ancestors(graph, role) | {role}
        pairs.update((server, touchpoint) for server in ancestors[role])
    rows = sorted(pairs, key=lambda p: (str(p[0]), str(p[1])))
    return pd.DataFrame(rows, columns=["role_id", "touchpoint_id"])


def role_reach(
    graph: nx.DiGraph,
    journey: pd.DataFrame,
    *,
    levels: Iterable[str] = ("support", "manager", "executive"),
) -> pd.DataFrame:
    """For each role at ``levels``: how many touchpoints it ultimately serves, plain and weighted.

    Parameters
    ----------
    graph : networkx.DiGraph
    journey : pandas.DataFrame
        The ``journey`` table (``touchpoint_id``, ``role_id``).
    levels : iterable of str
        Levels to report (default support, manager and executive).

    Returns
    -------
    pandas.DataFrame
        One row per role at those levels (also roles that reach nothing), sorted by
        ``touchpoints`` descending then ``role_id``:

        - ``touchpoints`` — touchpoints it reaches (see :func:`touchpoint_reach`);
        - ``share`` — that count over all touchpoints that have a role in the graph;
        - ``served_headcount`` — summed headcount of the distinct roles delivering those
          touchpoints: the people at the customer interface it ultimately serves;
        - ``weighted_share`` — headcount-weighted reach: each touchpoint weighs the headcount of
          the role delivering it, so reaching the touchpoint that 40 people deliver counts
          more than one delivered by 2. ``0.0`` when there is no headcount at all.

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["desk", "hk", "it", "gm"],
    ...                       "name": ["Desk", "Housekeeping", "IT", "GM"],
    ...                       "level": ["frontline", "support", "support", "executive"],
    ...                       "headcount": [3, 1, 2, 1]})
    >>> serves = pd.DataFrame({"from_role": ["it", "gm", "gm"], "to_role": ["desk", "it", "hk"]})
    >>> j = pd.DataFrame({"touchpoint_id": ["checkin", "checkout", "room"],
    ...                   "role_id": ["desk", "desk", "hk"]})
    >>> r = role_reach(build_graph(roles, serves), j)
    >>> r[["role_id", "touchpoints", "served_headcount", "weighted_share"]].values.tolist()
    [['gm', 3, 4.0, 1.0], ['it', 2, 3.0, 0.8571428571428571], ['hk', 1, 1.0, 0.14285714285714285]]
    """
    wanted = {cells.text(level).lower() for level in levels}
    touch_role = dict(_journey_roles(journey, graph))  # touchpoint -> role (last wins)
    weight = {t: cells.number(graph.nodes[r].get("headcount")) for t, r in touch_role.items()}
    total_weight = math.fsum(weight.values())
    reach = touchpoint_reach(graph, journey)
    reached: dict[str, set[str]] = {}
    for role, touchpoint in reach.itertuples(index=False, name=None):
        if touchpoint in touch_role:
            reached.setdefault(role, set()).add(touchpoint)
    rows = []
    for node, attrs in graph.nodes(data=True):
        if cells.text(attrs.get("level")).lower() not in wanted:
            continue
        points = reached.get(node, set())
        served = {touch_role[t] for t in points}
        rows.append(
            {
                "role_id": node,
                "name": cells.text(attrs.get("name")) or node,
                "level": cells.text(attrs.get("level")),
                "headcount": cells.number(attrs.get("headcount")),
                "touchpoints": len(points),
                "share": len(points) / len(touch_role) if touch_role else 0.0,
                "served_headcount": math.fsum(
                    cells.number(graph.nodes[r].get("headcount")) for r in served
                ),
                "weighted_share": (
                    math.fsum(weight[t] for t in points) / total_weight if total_weight > 0 else 0.0
                ),
            }
        )
    frame = pd.DataFrame(rows, columns=_REACH_COLUMNS)
    if frame.empty:
        return frame
    frame["touchpoints"] = frame["touchpoints"].astype(int)
    frame = frame.sort_values(["touchpoints", "role_id"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)
