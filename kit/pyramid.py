"""The upside-down pyramid as a graph: who serves whom, and whether service reaches the customer.

The pyramid is two workbook tables — ``roles`` (one row per role, with its level) and ``serves``
(an edge ``from_role -> to_role`` meaning *from_role serves to_role*). :func:`build_graph` turns
them into a :class:`networkx.DiGraph` whose edges point the way service flows: from the
executives at the bottom, through managers and support, to the front line and on to the
customer at the top. The analyses are plain functions over that graph, in the style of
networkx itself:

- :func:`chain_check` — the Customer Service Chain check: every role must reach a customer
  through ``serves`` edges; roles that do not are named with the shortest fix the data suggests;
  edges that serve *down* the pyramid ("serving the boss"), cycles and orphans are flagged, each
  with a plain-language sentence for reports.
- :func:`support_paths` / :func:`support_chains` — for each touchpoint, who serves the person
  serving the customer, on to the bottom of the pyramid.
- :func:`touchpoint_reach` / :func:`role_reach` — for each role, the touchpoints it ultimately
  serves, plain and headcount-weighted.
- :func:`layered_layout` — positions for drawing the pyramid inverted (customer on top).
- :func:`aggregate` — roles grouped by unit (or grade) and level to at most ~60 nodes, for
  drawing a big organisation; the full graph stays the one analysed.
- :func:`write_graphml` — export for Gephi or yEd.

Graph conventions: nodes are ``role_id`` strings with the attributes ``name``, ``level``,
``unit``, ``grade`` (``str``; missing values are ``""``) and ``headcount`` (``float``; missing is
``0.0``). Levels are ranked by :data:`kit.schema.LEVELS`: customer 0, frontline 1, support 2,
manager 3, executive 4. A role whose level is missing or unknown has no rank.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import pandas as pd

from kit import cells
from kit.csvio import atomic_write
from kit.schema import LEVELS

ROLE_COLUMNS: tuple[str, ...] = ("role_id", "name", "level", "headcount", "unit", "grade")
SERVES_COLUMNS: tuple[str, ...] = ("from_role", "to_role")
RANK: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}
"""Rank of each level from the top of the upside-down pyramid (customer 0 … executive 4)."""

_UNREACHED_COLUMNS = ["role_id", "name", "level", "unit", "fix_from", "fix_to", "fix", "sentence"]
_DOWN_COLUMNS = ["from_role", "to_role", "from_level", "to_level", "sentence"]
_CYCLE_COLUMNS = ["cycle", "roles", "size", "sentence"]
_CYCLE_EDGE_COLUMNS = ["cycle", "from_role", "to_role"]
_ORPHAN_COLUMNS = ["role_id", "name", "level", "sentence"]
_FINDING_COLUMNS = ["kind", "role_id", "from_role", "to_role", "sentence"]
_CHAIN_COLUMNS = ["touchpoint_id", "chain", "step", "role_id", "name", "level"]
_REACH_COLUMNS = [
    "role_id", "name", "level", "headcount", "touchpoints", "share", "served_headcount",
    "weighted_share",
]


# ---------------------------------------------------------------------------------------------
# small helpers








def level_rank(level: Any) -> int | None:
    """Rank of a level from the top of the upside-down pyramid, ``None`` if unknown.

    Examples
    --------
    >>> level_rank("customer"), level_rank(" Executive "), level_rank("boss")
    (0, 4, None)
    """
    return RANK.get(cells.text(level).lower())


def _rank(graph: nx.DiGraph, node: Any) -> int | None:
    return level_rank(graph.nodes[node].get("level"))


def _label(graph: nx.DiGraph, node: Any, shared: set[str]) -> str:
    """A role's name for sentences; ``name [id]`` when several roles share the name."""
    name = cells.text(graph.nodes[node].get("name")) or str(node)
    return f"{name} [{node}]" if name in shared and name != str(node) else name


def _shared_names(graph: nx.DiGraph) -> set[str]:
    seen: set[str] = set()
    shared: set[str] = set()
    for _, name in graph.nodes(data="name"):
        name = cells.text(name)
        if name in seen:
            shared.add(name)
        seen.add(name)
    return shared


# ---------------------------------------------------------------------------------------------
# the graph


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
    return sorted(n for n, level in graph.nodes(data="level") if cells.text(level).lower() == "customer")


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


# ---------------------------------------------------------------------------------------------
# the chain check


@dataclass(frozen=True, eq=False)
class ChainCheck:
    """What :func:`chain_check` found. Every table has a ``sentence`` column for reports.

    Sentences are plain text built from role names: escape them where they are rendered.

    Attributes
    ----------
    unreached : pandas.DataFrame
        ``role_id, name, level, unit, fix_from, fix_to, fix, sentence`` — every role (customers
        excepted) that does not reach a customer, orphans included. ``fix`` reads
        ``"add: X serves Y"`` for the one edge that connects it (``fix_from``/``fix_to`` are the
        ids; empty when the data suggests none).
    serves_down : pandas.DataFrame
        ``from_role, to_role, from_level, to_level, sentence`` — edges from a role higher in the
        upside-down pyramid to a lower one (by level rank): "serving the boss".
    cycles : pandas.DataFrame
        ``cycle, roles, size, sentence`` — one row per tangle of roles serving each other in a
        circle (a strongly connected component); ``roles`` is one concrete cycle as a tuple of
        ids, starting at the smallest id; ``size`` counts every role in the tangle.
    cycle_edges : pandas.DataFrame
        ``cycle, from_role, to_role`` — every edge inside a tangle (each lies on some cycle).
    orphans : pandas.DataFrame
        ``role_id, name, level, sentence`` — roles with no ``serves`` edge at all.
    findings : pandas.DataFrame
        ``kind, role_id, from_role, to_role, sentence`` — all of the above as one list, kinds
        ``unreached``, ``serves_down``, ``cycle``, ``orphan``. An orphan is listed once, as
        ``orphan`` (its sentence carries the fix), not again as ``unreached``.
    reaching : frozenset of str
        Roles that do reach a customer (customers included).
    """

    unreached: pd.DataFrame
    serves_down: pd.DataFrame
    cycles: pd.DataFrame
    cycle_edges: pd.DataFrame
    orphans: pd.DataFrame
    findings: pd.DataFrame
    reaching: frozenset[str] = field(default_factory=frozenset)

    @property
    def ok(self) -> bool:
        """True when nothing was found."""
        return self.findings.empty

    def flagged_edges(self) -> dict[tuple[str, str], str]:
        """Edges to highlight: ``(from_role, to_role) -> "serves_down"`` or ``"cycle"``.

        An edge that is both is reported as ``"serves_down"``.
        """
        flags = {(u, v): "cycle" for u, v in self.cycle_edges[["from_role", "to_role"]].itertuples(
            index=False, name=None)}
        for u, v in self.serves_down[["from_role", "to_role"]].itertuples(index=False, name=None):
            flags[(u, v)] = "serves_down"
        return flags


def _fix_candidate(graph: nx.DiGraph, node: str, reaching: set[str],
                   customer_nodes: list[str]) -> str | None:
    """The role ``node`` should start serving so that it reaches a customer (see chain_check)."""
    rank = _rank(graph, node)
    if rank is None:
        return None
    if rank <= 1:  # the front line (or a stray customer-ranked role) serves the customer
        pool = [c for c in customer_nodes if c != node]
        wanted = [0]
    else:
        pool = [n for n in reaching if n != node and (_rank(graph, n) or 0) >= 1]
        wanted = list(range(rank - 1, 0, -1))
    if not pool:
        return None
    blocked = nx.ancestors(graph, node)  # serving one of these would close a circle
    unit = cells.text(graph.nodes[node].get("unit"))
    siblings = {s for server in graph.predecessors(node) for s in graph.successors(server)}
    by_rank: dict[int, list[str]] = {}
    for candidate in pool:
        if candidate in blocked:
            continue
        by_rank.setdefault(_rank(graph, candidate), []).append(candidate)
    for r in wanted:
        found = by_rank.get(r)
        if found:
            return min(
                found,
                key=lambda c: (
                    not (unit and cells.text(graph.nodes[c].get("unit")) == unit),
                    c not in siblings,
                    -cells.number(graph.nodes[c].get("headcount")),
                    -graph.in_degree(c),
                    str(c),
                ),
            )
    return None


def chain_check(graph: nx.DiGraph) -> ChainCheck:
    """Check the Customer Service Chain: does every role's service reach a customer?

    Findings:

    **Unreached roles.** A role (other than a customer) from which no customer can be reached
    along ``serves`` edges. Each gets the *shortest fix the data suggests* — one edge to add:

    1. If the role serves other cut-off roles, fixing those fixes it too, so its fix is the fix
       of the nearest cut-off role at the end of its chain (fewest hops; ties by id). A closed
       circle of cut-off roles is fixed by one edge from its member nearest the customer.
    2. An end role at level *frontline* should serve a customer role (the one with most
       servers, then by id).
    3. Otherwise it should serve a role that reaches a customer, at the nearest level *above*
       it (support looks at frontline; a manager at support, then frontline; an executive at
       manager, then support, then frontline) — never a role that already serves it (that
       would close a circle). Among those, prefer the same ``unit`` (when the role has one),
       then a role served by the same server (a sibling), then the largest ``headcount``, then
       the most servers, then the id.
    4. No fix is suggested when no such role exists (e.g. no customer role at all) or the
       role's level is unknown.

    **Serving the boss.** An edge ``u -> v`` where ``u`` ranks above ``v`` in the upside-down
    pyramid (:data:`RANK`, customer 0 … executive 4), e.g. a frontline role serving a manager.
    Edges within a level are fine (a director serving a head of unit, both managers).

    **Cycles.** Roles that serve each other in a circle (strongly connected components of two
    or more roles, and self-edges).

    **Orphans.** Roles with no ``serves`` edge in or out.

    Parameters
    ----------
    graph : networkx.DiGraph
        As built by :func:`build_graph`.

    Returns
    -------
    ChainCheck

    Examples
    --------
    >>> roles = pd.DataFrame({
    ...     "role_id": ["guest", "desk", "hk", "fm", "gm", "spa"],
    ...     "name": ["Guest", "Front desk", "Housekeeping", "Front office manager",
    ...              "General manager", "Spa"],
    ...     "level": ["customer", "frontline", "support", "manager", "executive", "frontline"]})
    >>> serves = pd.DataFrame({"from_role": ["desk", "fm", "gm", "desk", "gm"],
    ...                        "to_role": ["guest", "desk", "fm", "fm", "hk"]})
    >>> check = chain_check(build_graph(roles, serves))
    >>> check.unreached[["role_id", "fix"]].values.tolist()
    [['hk', 'add: Housekeeping serves Front desk'], ['spa', 'add: Spa serves Guest']]
    >>> check.serves_down[["from_role", "to_role"]].values.tolist()
    [['desk', 'fm']]
    >>> check.cycles["roles"].tolist()
    [('desk', 'fm')]
    >>> check.orphans["role_id"].tolist()
    ['spa']
    >>> check.findings["kind"].tolist()
    ['unreached', 'serves_down', 'cycle', 'orphan']
    >>> chain_check(nx.DiGraph()).ok
    True
    """
    shared = _shared_names(graph)
    customer_nodes = customers(graph)
    reaching = reaching_customer(graph)

    def label(node: str) -> str:
        return _label(graph, node, shared)

    def level(node: str) -> str:
        return cells.text(graph.nodes[node].get("level")) or "no level"

    # --- unreached roles and their fixes
    cut_off = [n for n in graph.nodes if n not in reaching and _rank(graph, n) != 0]
    cut_set = set(cut_off)
    fixes: dict[str, tuple[str | None, str | None]] = {}  # node -> (fix_from, fix_to)
    if cut_off:
        sub = graph.subgraph(cut_off)
        condensed = nx.condensation(sub)
        members = condensed.graph["mapping"]
        best: dict[int, tuple[int, str, str | None, str | None]] = {}
        for comp in reversed(list(nx.topological_sort(condensed))):
            nodes = condensed.nodes[comp]["members"]
            if condensed.out_degree(comp) == 0:
                rep = min(nodes, key=lambda n: (
                    _rank(graph, n) if _rank(graph, n) is not None else 99, str(n)))
                target = _fix_candidate(graph, rep, reaching, customer_nodes)
                best[comp] = (0, str(rep), rep, target)
            else:
                d, key, rep, target = min(best[s] for s in condensed.successors(comp))
                best[comp] = (d + 1, key, rep, target)
        for node in cut_off:
            _, _, rep, target = best[members[node]]
            fixes[node] = (rep, target)

    orphan_nodes = sorted(
        (n for n in graph.nodes if graph.degree(n) == 0), key=lambda n: (str(n))
    )
    orphan_set = set(orphan_nodes)

    def fix_text(node: str) -> str:
        rep, target = fixes.get(node, (None, None))
        if rep is None or target is None:
            return ""
        return f"add: {label(rep)} serves {label(target)}"

    def why_not(node: str) -> str:
        rep, target = fixes[node]
        if target is None:
            if _rank(graph, rep) is None:
                return f" Give {label(rep)} a level first, then connect it."
            if not customer_nodes:
                return " There is no customer role yet: add one and have the front line serve it."
            return " No role above it reaches a customer yet: connect the front line first."
        if rep == node:
            return f" Shortest fix: {fix_text(node)}."
        return (f" Everyone it serves is cut off too; the shortest fix is further along its chain:"
                f" {fix_text(node)}.")

    unreached_rows = []
    for node in sorted(cut_off, key=lambda n: (str(n))):
        rep, target = fixes[node]
        attrs = graph.nodes[node]
        sentence = f"{label(node)} ({level(node)}) does not serve anyone who reaches a customer."
        sentence += why_not(node)
        unreached_rows.append({
            "role_id": node, "name": cells.text(attrs.get("name")) or node, "level": cells.text(
                attrs.get("level")), "unit": cells.text(attrs.get("unit")),
            "fix_from": rep if target is not None else "", "fix_to": target or "",
            "fix": fix_text(node), "sentence": sentence,
        })

    # --- serving the boss
    down_rows = []
    for u, v in sorted(graph.edges, key=lambda e: (str(e[0]), str(e[1]))):
        ru, rv = _rank(graph, u), _rank(graph, v)
        if ru is not None and rv is not None and ru < rv:
            down_rows.append({
                "from_role": u, "to_role": v, "from_level": level(u), "to_level": level(v),
                "sentence": (
                    f"{label(u)} ({level(u)}) serves {label(v)} ({level(v)}), who sits below it "
                    f"in the upside-down pyramid: that is serving the boss. Turn it round: "
                    f"{label(v)} should serve {label(u)}."
                ),
            })

    # --- cycles
    tangles = [sorted(c, key=str) for c in nx.strongly_connected_components(graph)
               if len(c) > 1 or graph.has_edge(next(iter(c)), next(iter(c)))]
    tangles.sort(key=lambda c: str(c[0]))
    cycle_rows, cycle_edge_rows = [], []
    for number, members_ in enumerate(tangles, start=1):
        member_set = set(members_)
        start = members_[0]
        path = [u for u, _ in nx.find_cycle(graph.subgraph(members_), source=start)]
        # rotate so the cycle starts at its smallest id
        i = path.index(min(path, key=str))
        path = path[i:] + path[:i]
        ring = " → ".join(label(n) for n in [*path, path[0]])
        if len(path) == 1:
            sentence = f"{label(path[0])} serves itself; a chain of service should end at the customer."
        else:
            sentence = f"{ring} serve each other in a circle; a chain of service should end at the customer."
        if len(members_) > len(path):
            sentence += f" {len(members_) - len(path)} more role(s) are tangled in the same circle."
        cycle_rows.append({"cycle": number, "roles": tuple(path), "size": len(members_),
                           "sentence": sentence})
        for u, v in sorted(graph.subgraph(members_).edges, key=lambda e: (str(e[0]), str(e[1]))):
            if u in member_set and v in member_set:
                cycle_edge_rows.append({"cycle": number, "from_role": u, "to_role": v})

    # --- orphans
    orphan_rows = []
    for node in orphan_nodes:
        attrs = graph.nodes[node]
        if _rank(graph, node) == 0:
            sentence = f"Nobody serves the customer role {label(node)}: it has no serves edges."
        else:
            sentence = (f"{label(node)} ({level(node)}) has no serves edges at all: nobody serves "
                        f"it and it serves nobody.")
            if node in cut_set:
                sentence += why_not(node)
        orphan_rows.append({"role_id": node, "name": cells.text(attrs.get("name")) or node,
                            "level": cells.text(attrs.get("level")), "sentence": sentence})

    findings = (
        [{"kind": "unreached", "role_id": r["role_id"], "from_role": r["fix_from"],
          "to_role": r["fix_to"], "sentence": r["sentence"]}
         for r in unreached_rows if r["role_id"] not in orphan_set]
        + [{"kind": "serves_down", "role_id": "", "from_role": r["from_role"],
            "to_role": r["to_role"], "sentence": r["sentence"]} for r in down_rows]
        + [{"kind": "cycle", "role_id": "", "from_role": r["roles"][0],
            "to_role": r["roles"][1 % len(r["roles"])], "sentence": r["sentence"]}
           for r in cycle_rows]
        + [{"kind": "orphan", "role_id": r["role_id"], "from_role": "", "to_role": "",
            "sentence": r["sentence"]} for r in orphan_rows]
    )
    return ChainCheck(
        unreached=pd.DataFrame(unreached_rows, columns=_UNREACHED_COLUMNS),
        serves_down=pd.DataFrame(down_rows, columns=_DOWN_COLUMNS),
        cycles=pd.DataFrame(cycle_rows, columns=_CYCLE_COLUMNS),
        cycle_edges=pd.DataFrame(cycle_edge_rows, columns=_CYCLE_EDGE_COLUMNS),
        orphans=pd.DataFrame(orphan_rows, columns=_ORPHAN_COLUMNS),
        findings=pd.DataFrame(findings, columns=_FINDING_COLUMNS),
        reaching=frozenset(reaching),
    )


# ---------------------------------------------------------------------------------------------
# support chains and reach


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
        rank = _rank(graph, node)
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
    journey = cells.with_columns(journey, ["touchpoint_id", "role_id"])[["touchpoint_id", "role_id"]]
    pairs = []
    for touchpoint, role in journey.itertuples(index=False, name=None):
        touchpoint, role = cells.text(touchpoint), cells.text(role)
        if touchpoint and role and role in graph:
            pairs.append((touchpoint, role))
    return pairs


def support_chains(graph: nx.DiGraph, journey: pd.DataFrame, *,
                   max_paths: int = 50) -> pd.DataFrame:
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
                rows.append({"touchpoint_id": touchpoint, "chain": chain, "step": step,
                             "role_id": node, "name": cells.text(attrs.get("name")) or node,
                             "level": cells.text(attrs.get("level"))})
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


def role_reach(graph: nx.DiGraph, journey: pd.DataFrame, *,
               levels: Iterable[str] = ("support", "manager", "executive")) -> pd.DataFrame:
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
        rows.append({
            "role_id": node, "name": cells.text(attrs.get("name")) or node,
            "level": cells.text(attrs.get("level")), "headcount": cells.number(attrs.get("headcount")),
            "touchpoints": len(points),
            "share": len(points) / len(touch_role) if touch_role else 0.0,
            "served_headcount": math.fsum(cells.number(graph.nodes[r].get("headcount")) for r in served),
            "weighted_share": (math.fsum(weight[t] for t in points) / total_weight
                               if total_weight > 0 else 0.0),
        })
    frame = pd.DataFrame(rows, columns=_REACH_COLUMNS)
    if frame.empty:
        return frame
    frame["touchpoints"] = frame["touchpoints"].astype(int)
    frame = frame.sort_values(["touchpoints", "role_id"], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# drawing helpers: layout and aggregation


def band_width(rank: int) -> float:
    """Half-width of a level's band in the inverted pyramid: customer widest, executive narrowest.

    Examples
    --------
    >>> band_width(0), band_width(4)
    (1.0, 0.4)
    """
    return round(1.0 - 0.15 * rank, 10)


def layered_layout(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Positions for drawing the pyramid inverted: one horizontal band per level.

    ``y`` is minus the level's rank (customer at 0 on top, executive at -4 at the bottom; roles
    with an unknown level at -5). Within a band, roles are spread evenly over the band's width
    (:func:`band_width`, narrowing downwards) and ordered to keep lines short: top band by unit
    then name; each lower band by the mean ``x`` of the roles above it that it serves (a role
    serving nobody above sits by its unit, then its name); then two barycentre sweeps (bottom
    up by each role's servers, top down by whom it serves) untangle crossings. Deterministic
    and pure: the graph is not changed.

    Examples
    --------
    >>> g = nx.DiGraph([("fom", "desk"), ("desk", "guest"), ("fom", "bar"), ("bar", "guest")])
    >>> nx.set_node_attributes(g, {"guest": "customer", "desk": "frontline", "bar": "frontline",
    ...                            "fom": "manager"}, "level")
    >>> pos = layered_layout(g)
    >>> pos["guest"], pos["fom"]
    ((0.0, 0.0), (0.0, -3.0))
    >>> sorted(round(pos[n][0], 3) for n in ("bar", "desk"))
    [-0.425, 0.425]
    """
    bands: dict[int, list[str]] = {}
    for node in graph.nodes:
        rank = _rank(graph, node)
        bands.setdefault(len(LEVELS) if rank is None else rank, []).append(node)
    order = sorted(bands)
    pos: dict[str, tuple[float, float]] = {}

    def place(rank: int, ordered: list[str]) -> None:
        half = band_width(min(rank, len(LEVELS) - 1))
        count = len(ordered)
        for i, node in enumerate(ordered):
            x = 0.0 if count == 1 else -half + 2 * half * (i + 0.5) / count
            pos[node] = (x, float(-rank))

    # first pass, top down: by the mean x of the roles above that each role serves
    unit_x: dict[str, list[float]] = {}
    for rank in order:

        def first_key(node: str) -> tuple[float, str, str, str]:
            attrs = graph.nodes[node]
            unit = cells.text(attrs.get("unit"))
            above = [pos[v][0] for v in graph.successors(node) if v in pos]
            if above:
                anchor = sum(above) / len(above)
            elif unit in unit_x:
                anchor = sum(unit_x[unit]) / len(unit_x[unit])
            else:
                anchor = math.inf
            return (anchor, unit, cells.text(attrs.get("name")), str(node))

        place(rank, sorted(bands[rank], key=first_key))
        for node in bands[rank]:
            unit_x.setdefault(cells.text(graph.nodes[node].get("unit")), []).append(pos[node][0])

    # two barycentre sweeps (bottom up by servers, then top down by those served) to shorten
    # lines; a role with no neighbour in another band keeps its place
    def sweep(ranks: list[int], neighbours) -> None:
        for rank in ranks:
            def key(node: str, rank: int = rank) -> tuple[float, float, str]:
                xs = [pos[m][0] for m in neighbours(node) if m in pos and pos[m][1] != -rank]
                mean = sum(xs) / len(xs) if xs else pos[node][0]
                return (mean, pos[node][0], str(node))

            place(rank, sorted(bands[rank], key=key))

    sweep(order[::-1][1:], graph.predecessors)
    sweep(order[1:], graph.successors)
    return pos


_UNIT_SPLIT = re.compile(r"\s+[-–—/>|]\s+")


@dataclass(frozen=True, eq=False)
class Aggregated:
    """Roles grouped for drawing (see :func:`aggregate`).

    Attributes
    ----------
    roles : pandas.DataFrame
        One row per group, in the ``roles`` columns: ``role_id`` is the group id, ``name`` the
        unit (or grade; or the member's own name for a group of one), ``headcount`` the sum.
    serves : pandas.DataFrame
        Edges between groups (``from_role, to_role``), each once; edges inside a group dropped.
    members : pandas.DataFrame
        ``role_id, group_id``: which group every original role went to.
    """

    roles: pd.DataFrame
    serves: pd.DataFrame
    members: pd.DataFrame


def aggregate(roles: pd.DataFrame, serves: pd.DataFrame, *, by: str = "unit",
              max_nodes: int = 60, max_per_level: int = 16) -> Aggregated:
    """Group roles by level and unit (or grade) so a big organisation can be drawn readably.

    The full graph is still the one to analyse; this is for the picture only. Steps, stopping
    as soon as there are at most ``max_nodes`` groups and at most ``max_per_level`` in every
    level:

    1. each role its own group (names kept) — a small pyramid is drawn as it is;
    2. one group per (level, ``by`` value), named by the value; missing values form
       "(no unit)"/"(no grade)";
    3. for ``by="unit"``: unit names written as a hierarchy (``"Operations - Debt Centre"``,
       ``"Finance / Payroll"``) are cut to their first part (``"Operations"``);
    4. each level keeps its largest groups (by headcount), as many as its share of
       ``max_nodes`` (at least one, at most ``max_per_level``) less one, and lumps the rest into
       one "Other units (n)" group.

    A group of customers with one role keeps that role's name.

    Parameters
    ----------
    roles, serves : pandas.DataFrame
        The workbook tables.
    by : {"unit", "grade"}
    max_nodes : int
        The most groups to return (at least the number of levels present).
    max_per_level : int
        The most groups in one level (one band of the picture).

    Returns
    -------
    Aggregated

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["c", "a1", "a2", "b1", "m"],
    ...                       "name": ["Customers", "Agent", "Agent", "Clerk", "Boss"],
    ...                       "level": ["customer", "frontline", "frontline", "frontline",
    ...                                 "manager"],
    ...                       "headcount": [0, 2, 3, 4, 1],
    ...                       "unit": [None, "Sales - North", "Sales - South", "Billing", "Sales"]})
    >>> serves = pd.DataFrame({"from_role": ["m", "m", "m", "a1", "a2", "b1"],
    ...                        "to_role": ["a1", "a2", "b1", "c", "c", "c"]})
    >>> agg = aggregate(roles, serves, max_nodes=4)
    >>> agg.roles[["role_id", "name", "headcount"]].values.tolist()
    [['customer:(no unit)', 'Customers', 0.0], ['frontline:Billing', 'Billing', 4.0], ['frontline:Sales', 'Sales', 5.0], ['manager:Sales', 'Sales', 1.0]]
    >>> sorted(agg.serves.itertuples(index=False, name=None))
    [('frontline:Billing', 'customer:(no unit)'), ('frontline:Sales', 'customer:(no unit)'), ('manager:Sales', 'frontline:Billing'), ('manager:Sales', 'frontline:Sales')]
    >>> aggregate(roles, serves).roles["role_id"].tolist() == roles["role_id"].tolist()
    True
    """
    if by not in ("unit", "grade"):
        raise ValueError(f"by must be 'unit' or 'grade', not {by!r}")
    graph = build_graph(roles, serves)
    nodes = list(graph.nodes)
    attrs = graph.nodes

    def fits(group: Mapping[str, str]) -> bool:
        per_level: dict[str, set[str]] = {}
        for node, gid in group.items():
            per_level.setdefault(attrs[node]["level"], set()).add(gid)
        return (len(set(group.values())) <= max_nodes
                and all(len(g) <= max_per_level for g in per_level.values()))

    grouped = not fits({n: n for n in nodes})
    if not grouped:
        group = {n: n for n in nodes}
    else:
        missing = f"(no {by})"
        keys = {n: cells.text(attrs[n].get(by)) or missing for n in nodes}

        def groups_of(keys: Mapping[str, str]) -> dict[str, str]:
            return {n: f"{cells.text(attrs[n].get('level')) or 'unknown'}:{keys[n]}" for n in nodes}

        group = groups_of(keys)
        if not fits(group) and by == "unit":
            keys = {n: _UNIT_SPLIT.split(k, maxsplit=1)[0] for n, k in keys.items()}
            group = groups_of(keys)
        if not fits(group):
            group = _lump(graph, group, max_nodes, max_per_level, by)
    members: dict[str, list[str]] = {}
    for node in nodes:
        members.setdefault(group[node], []).append(node)
    rows = []
    for gid, inside in members.items():
        first = attrs[inside[0]]
        units = {attrs[n]["unit"] for n in inside}
        grades = {attrs[n]["grade"] for n in inside}
        key = gid.split(":", 1)[1] if grouped else ""
        if not grouped or (len(inside) == 1 and first["level"] == "customer"):
            name = first["name"]
        else:
            name = key
        unit = units.pop() if len(units) == 1 else (key if by == "unit" else "")
        grade = grades.pop() if len(grades) == 1 else (key if by == "grade" else "")
        rows.append({"role_id": gid, "name": name, "level": first["level"],
                     "headcount": math.fsum(attrs[n]["headcount"] for n in inside),
                     "unit": unit, "grade": grade})
    if grouped:
        order = {level: i for i, level in enumerate(LEVELS)}
        others = tuple(f"{lv}:Other " for lv in LEVELS)
        rows.sort(key=lambda r: (order.get(r["level"], len(LEVELS)),
                                 r["role_id"].startswith(others), str(r["role_id"])))
    edges = sorted({(group[u], group[v]) for u, v in graph.edges if group[u] != group[v]})
    return Aggregated(
        roles=pd.DataFrame(rows, columns=list(ROLE_COLUMNS)),
        serves=pd.DataFrame(edges, columns=list(SERVES_COLUMNS)),
        members=pd.DataFrame([(n, group[n]) for n in nodes], columns=["role_id", "group_id"]),
    )


def _lump(graph: nx.DiGraph, group: dict[str, str], max_nodes: int, max_per_level: int,
          by: str) -> dict[str, str]:
    """Keep each level's largest groups and lump the rest (step 4 of :func:`aggregate`)."""
    weight: dict[str, float] = {}
    level_of: dict[str, str] = {}
    for node, gid in group.items():
        weight[gid] = weight.get(gid, 0.0) + graph.nodes[node]["headcount"]
        level_of[gid] = gid.split(":", 1)[0]
    per_level: dict[str, list[str]] = {}
    for gid in weight:
        per_level.setdefault(level_of[gid], []).append(gid)
    total = len(weight)
    budget = max(max_nodes, len(per_level))
    cap = max(max_per_level, 1)
    allowed = {lv: min(cap, max(1, math.floor(budget * len(g) / total)))
               for lv, g in per_level.items()}
    while sum(allowed.values()) > budget:  # the max(1, …) floors can overshoot a little
        biggest = max(allowed, key=lambda lv: allowed[lv])
        allowed[biggest] -= 1
    renamed: dict[str, str] = {}
    for lv, gids in per_level.items():
        if len(gids) <= allowed[lv]:
            continue
        ranked = sorted(gids, key=lambda g: (-weight[g], g))
        rest = ranked[allowed[lv] - 1:]  # the largest allowed-1 groups stay as they are
        other = f"{lv}:Other {by}s ({len(rest)})"
        renamed.update({g: other for g in rest})
    return {node: renamed.get(gid, gid) for node, gid in group.items()}


# ---------------------------------------------------------------------------------------------
# export


def _graphml_value(value: Any) -> str | int | float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalar
        with contextlib.suppress(ValueError, AttributeError):
            value = value.item()
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) else value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _clean_attrs(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Make attribute dicts GraphML-safe with one type per key (str beats float beats int)."""
    cleaned = [{k: _graphml_value(v) for k, v in d.items()} for d in items]
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


def write_graphml(graph: nx.DiGraph, path: str | Path, *, check: ChainCheck | None = None) -> Path:
    """Write the graph as GraphML that opens in Gephi and yEd, atomically.

    Only ``str``, ``int`` and ``float`` attributes are written, one type per attribute name
    (missing values become ``""``/``0``; ``None`` and NaN never reach the file). With ``check``,
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
    for (node, _), d in zip(nodes, _clean_attrs(node_attrs), strict=True):
        clean.add_node(str(node), **d)
    for (u, v, _), d in zip(edges, _clean_attrs(edge_attrs), strict=True):
        clean.add_edge(str(u), str(v), **d)
    buffer = io.BytesIO()
    nx.write_graphml(clean, buffer, encoding="utf-8", prettyprint=True)
    atomic_write(path, buffer.getvalue())
    return path
