"""The Customer Service Chain check: does every role's service reach a customer?

:func:`chain_check` runs one row builder per kind of finding — unreached roles (each with the
edge a person would draw to connect it, and why), serving the boss, cycles, orphans — over the
graph of :func:`kit.analyses.pyramid.build_graph`, and collects them in a :class:`ChainCheck`. Every
finding has a plain-language sentence for reports (plain text: escape it where it is shown).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import networkx as nx
import pandas as pd

from kit.analyses.pyramid.graph import (
    build_graph,  # noqa: F401 - used in the doctests
    customers,
    label,
    rank_of,
    reaching_customer,
    shared_names,
)
from kit.store import cells

__all__ = ["ChainCheck", "chain_check"]

_UNREACHED_COLUMNS = [
    "role_id",
    "name",
    "level",
    "unit",
    "fix_from",
    "fix_to",
    "fix",
    "reason",
    "sentence",
]
_DOWN_COLUMNS = ["from_role", "to_role", "from_level", "to_level", "sentence"]
_CYCLE_COLUMNS = ["cycle", "roles", "size", "sentence"]
_CYCLE_EDGE_COLUMNS = ["cycle", "from_role", "to_role"]
_ORPHAN_COLUMNS = ["role_id", "name", "level", "sentence"]
_FINDING_COLUMNS = ["kind", "role_id", "from_role", "to_role", "sentence"]
_NO_RANK = 99


@dataclass(frozen=True, eq=False)
class ChainCheck:
    """What :func:`chain_check` found. Every table has a ``sentence`` column for reports.

    Sentences are plain text built from role names: escape them where they are rendered.

    Attributes
    ----------
    unreached : pandas.DataFrame
        ``role_id, name, level, unit, fix_from, fix_to, fix, reason, sentence`` — every role
        (customers excepted) that does not reach a customer, orphans included. ``fix`` reads
        ``"add: X serves Y"`` for the one edge that connects it (``fix_from``/``fix_to`` are the
        ids) and ``reason`` says why a person would draw it ("both are in Housekeeping and work
        for Executive housekeeper"); all three are empty when the data suggests no edge.
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
        flags = {
            (u, v): "cycle"
            for u, v in self.cycle_edges[["from_role", "to_role"]].itertuples(
                index=False, name=None
            )
        }
        for u, v in self.serves_down[["from_role", "to_role"]].itertuples(index=False, name=None):
            flags[(u, v)] = "serves_down"
        return flags


@dataclass(frozen=True)
class _Fix:
    """The edge suggested for a cut-off role: ``source`` (the end of its cut-off chain) should
    serve ``target``. ``reason`` says why (with a target) or what to do instead (without)."""

    source: str
    target: str | None
    reason: str


class _Pyramid:
    """The graph with what every row builder asks of it, computed once."""

    def __init__(self, graph: nx.DiGraph) -> None:
        self.graph = graph
        self.shared = shared_names(graph)
        self.customers = customers(graph)
        self.reaching = reaching_customer(graph)
        self.ranks = {n: rank_of(graph, n) for n in graph.nodes}
        self.units = {n: cells.text(u) for n, u in graph.nodes(data="unit")}
        self._around: dict[frozenset[str], tuple[dict[str, tuple[int, str]], set[str]]] = {}

    def label(self, node: str) -> str:
        return label(self.graph, node, self.shared)

    def level(self, node: str) -> str:
        return cells.text(self.graph.nodes[node].get("level")) or "no level"

    def rank(self, node: str) -> int | None:
        return self.ranks[node]

    def unit(self, node: str) -> str:
        return self.units[node]

    @cached_property
    def reaching_by_unit(self) -> dict[str, list[str]]:
        """Roles below the customer that reach one, by unit (sorted by id)."""
        units: dict[str, list[str]] = {}
        for node in sorted(self.reaching, key=str):
            if self.units[node] and (self.ranks[node] or 0) >= 1:
                units.setdefault(self.units[node], []).append(node)
        return units

    @cached_property
    def cut_off(self) -> list[str]:
        """Roles (customers excepted) that reach no customer, sorted by id."""
        return sorted(
            (n for n in self.graph.nodes if n not in self.reaching and self.rank(n) != 0), key=str
        )

    def around(self, node: str) -> tuple[dict[str, tuple[int, str]], set[str]]:
        """:func:`_managers_around` of the role's managers and every role above it (cached:
        roles with the same managers share them)."""
        servers = frozenset(self.graph.predecessors(node))
        if servers not in self._around:
            self._around[servers] = _managers_around(self.graph, servers)
        return self._around[servers]


# ---------------------------------------------------------------------------------------------
# the fix for a cut-off role


def _managers_around(
    graph: nx.DiGraph, servers: frozenset[str]
) -> tuple[dict[str, tuple[int, str]], set[str]]:
    """Roles under the same managers: ``role -> (steps up, that manager)``, and all managers.

    Walks up from ``servers`` (the managers of a role: 1 step) through the roles serving them
    (2 = the managers' managers …); every role served, directly or further on, by a manager
    ``k`` steps up is ``k`` steps away (the nearest manager counts; listed nearest first). The
    second value is every role above (serving one would close a circle). Linear in the graph.
    """
    up: dict[str, int] = dict.fromkeys(servers, 1)
    queue = deque(sorted(servers, key=str))
    while queue:
        current = queue.popleft()
        for server in sorted(graph.predecessors(current), key=str):
            if server not in up:
                up[server] = up[current] + 1
                queue.append(server)
    kin: dict[str, tuple[int, str]] = {}
    for manager in sorted(up, key=lambda m: (up[m], str(m))):
        todo = deque([manager])
        while todo:
            for served in graph.successors(todo.popleft()):
                if served not in kin and served not in up:
                    kin[served] = (up[manager], manager)
                    todo.append(served)
    return kin, set(up)


def _frontline_fix(pyr: _Pyramid, node: str) -> _Fix:
    """A front-line role serves the customer (the customer role with most servers, then id)."""
    if not pyr.customers:
        return _Fix(
            node, None, "There is no customer role yet: add one and have the front line serve it."
        )
    blocked = nx.ancestors(pyr.graph, node)
    pool = [c for c in pyr.customers if c != node and c not in blocked]
    if not pool:
        return _Fix(node, None, "Every customer role already serves it: turn those edges round.")
    target = min(pool, key=lambda c: (-pyr.graph.in_degree(c), str(c)))
    return _Fix(node, target, "front-line roles serve the customer directly")


def _relation(pyr: _Pyramid, node: str, target: str, kin: dict[str, tuple[int, str]]) -> str:
    """Why ``node`` would serve ``target``: the unit and/or manager they share."""
    unit = pyr.unit(node)
    same_unit = bool(unit) and pyr.unit(target) == unit
    steps, manager = kin.get(target, (0, ""))
    who = ""
    if manager:
        verb = "work for" if steps == 1 and pyr.graph.has_edge(manager, target) else "come under"
        who = f"{verb} {pyr.label(manager)}"
    if same_unit and steps == 1:
        return f"both are in {unit} and {who}"
    if same_unit:
        return f"both are in {unit}"
    return f"both {who}"


def _no_related_fix(pyr: _Pyramid, node: str, allowed: Any) -> _Fix:
    if any(allowed(c) for c in pyr.reaching):
        return _Fix(
            node,
            None,
            f"Nothing in the data says whose work {pyr.label(node)} "
            f"supports: no role that reaches a customer shares its unit or a "
            f"manager with it. Decide which role it serves and add that "
            f"edge.",
        )
    return _Fix(
        node, None, "No role above it reaches a customer yet: connect the front line first."
    )


def _related_fix(pyr: _Pyramid, node: str, rank: int) -> _Fix:
    """A role below the front line serves a role it works with that reaches a customer.

    Candidates reach a customer, sit at the role's own level or nearer the customer (never
    below: that would be serving the boss) but not at the customer level, and do not already
    serve it (that would close a circle). A person would draw the edge to a role whose work it
    supports, so a candidate must share the role's unit or come under one of its managers. The
    best shares both with the nearest manager, then the unit, then the nearest manager; then the
    level one step towards the customer first (then the next, its own level last), the largest
    headcount, the most servers, the id.
    """
    graph = pyr.graph
    kin, blocked = pyr.around(node)
    position = {r: i for i, r in enumerate([*range(rank - 1, 0, -1), rank])}

    def allowed(c: str) -> bool:
        return c != node and c not in blocked and pyr.ranks[c] in position

    def key(c: str) -> tuple[Any, ...]:
        steps = kin.get(c, (math.inf, ""))[0]
        return (
            steps != 1,
            steps,
            position[pyr.ranks[c]],
            -cells.number(graph.nodes[c].get("headcount")),
            -graph.in_degree(c),
            str(c),
        )

    unit = pyr.unit(node)
    pool = [c for c in pyr.reaching_by_unit.get(unit, []) if allowed(c)] if unit else []
    if not pool:  # no one in its unit: the roles under its nearest manager
        nearest = math.inf
        for c, (steps, _) in kin.items():  # nearest managers first
            if steps > nearest:
                break
            if c in pyr.reaching and allowed(c):
                nearest = steps
                pool.append(c)
    if not pool:
        return _no_related_fix(pyr, node, allowed)
    target = min(pool, key=key)
    return _Fix(node, target, _relation(pyr, node, target, kin))


def _fix_for(pyr: _Pyramid, node: str) -> _Fix:
    """The edge that connects ``node``, a role at the end of a cut-off chain (see chain_check)."""
    rank = pyr.rank(node)
    if rank is None:
        return _Fix(node, None, f"Give {pyr.label(node)} a level first, then connect it.")
    if rank <= 1:
        return _frontline_fix(pyr, node)
    if not pyr.customers:
        return _Fix(
            node, None, "There is no customer role yet: add one and have the front line serve it."
        )
    return _related_fix(pyr, node, rank)


def _fixes(pyr: _Pyramid) -> dict[str, _Fix]:
    """The fix of every cut-off role: the fix of the nearest end of its cut-off chain.

    Cut-off roles that serve each other in a circle count as one, fixed from the member nearest
    the customer (then by id). Ends are reached in the fewest hops, ties by id.
    """
    if not pyr.cut_off:
        return {}
    condensed = nx.condensation(pyr.graph.subgraph(pyr.cut_off))
    component = condensed.graph["mapping"]
    best: dict[int, tuple[int, str, _Fix]] = {}
    for comp in reversed(list(nx.topological_sort(condensed))):
        if condensed.out_degree(comp) == 0:
            members = condensed.nodes[comp]["members"]
            end = min(
                members, key=lambda n: (_NO_RANK if pyr.rank(n) is None else pyr.rank(n), str(n))
            )
            best[comp] = (0, str(end), _fix_for(pyr, end))
        else:
            hops, key, fix = min((best[s] for s in condensed.successors(comp)), key=lambda b: b[:2])
            best[comp] = (hops + 1, key, fix)
    return {node: best[component[node]][2] for node in pyr.cut_off}


def _fix_text(pyr: _Pyramid, fix: _Fix) -> str:
    return f"add: {pyr.label(fix.source)} serves {pyr.label(fix.target)}" if fix.target else ""


def _advice(pyr: _Pyramid, node: str, fix: _Fix) -> str:
    """What to do about a cut-off role, as the end of its sentence (leading space)."""
    if fix.target is not None:
        where = (
            "Suggested fix:"
            if fix.source == node
            else "Everyone it serves is cut off too; the fix is further along its chain:"
        )
        return f" {where} {_fix_text(pyr, fix)}, because {fix.reason}."
    if fix.source == node:
        return f" {fix.reason}"
    return (
        f" Everyone it serves is cut off too, so start at the end of its chain, "
        f"{pyr.label(fix.source)}. {fix.reason}"
    )


# ---------------------------------------------------------------------------------------------
# one row builder per kind of finding


def _unreached_rows(pyr: _Pyramid, fixes: dict[str, _Fix]) -> list[dict[str, Any]]:
    rows = []
    for node in pyr.cut_off:
        fix = fixes[node]
        attrs = pyr.graph.nodes[node]
        rows.append(
            {
                "role_id": node,
                "name": cells.text(attrs.get("name")) or node,
                "level": cells.text(attrs.get("level")),
                "unit": cells.text(attrs.get("unit")),
                "fix_from": fix.source if fix.target is not None else "",
                "fix_to": fix.target or "",
                "fix": _fix_text(pyr, fix),
                "reason": fix.reason if fix.target is not None else "",
                "sentence": (
                    f"{pyr.label(node)} ({pyr.level(node)}) does not serve anyone who "
                    f"reaches a customer.{_advice(pyr, node, fix)}"
                ),
            }
        )
    return rows


def _serves_down_rows(pyr: _Pyramid) -> list[dict[str, Any]]:
    rows = []
    for u, v in sorted(pyr.graph.edges, key=lambda e: (str(e[0]), str(e[1]))):
        ru, rv = pyr.rank(u), pyr.rank(v)
        if ru is None or rv is None or ru >= rv:
            continue
        rows.append(
            {
                "from_role": u,
                "to_role": v,
                "from_level": pyr.level(u),
                "to_level": pyr.level(v),
                "sentence": (
                    f"{pyr.label(u)} ({pyr.level(u)}) serves {pyr.label(v)} ({pyr.level(v)}), who "
                    f"sits below it in the upside-down pyramid: that is serving the boss. Turn it "
                    f"round: {pyr.label(v)} should serve {pyr.label(u)}."
                ),
            }
        )
    return rows


def _cycle_rows(pyr: _Pyramid) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """One row per tangle (strongly connected component) with one concrete cycle from
    :func:`networkx.find_cycle`, and every edge inside the tangle."""
    graph = pyr.graph
    tangles = [
        sorted(c, key=str)
        for c in nx.strongly_connected_components(graph)
        if len(c) > 1 or graph.has_edge(next(iter(c)), next(iter(c)))
    ]
    tangles.sort(key=lambda c: str(c[0]))
    rows, edge_rows = [], []
    for number, members in enumerate(tangles, start=1):
        inside = graph.subgraph(members)
        path = [u for u, _ in nx.find_cycle(inside, source=members[0])]
        i = path.index(min(path, key=str))  # start the cycle at its smallest id
        path = path[i:] + path[:i]
        end = "a chain of service should end at the customer."
        if len(path) == 1:
            sentence = f"{pyr.label(path[0])} serves itself; {end}"
        else:
            ring = " → ".join(pyr.label(n) for n in [*path, path[0]])
            sentence = f"{ring} serve each other in a circle; {end}"
        if len(members) > len(path):
            sentence += f" {len(members) - len(path)} more role(s) are tangled in the same circle."
        rows.append(
            {"cycle": number, "roles": tuple(path), "size": len(members), "sentence": sentence}
        )
        edge_rows += [
            {"cycle": number, "from_role": u, "to_role": v}
            for u, v in sorted(inside.edges, key=lambda e: (str(e[0]), str(e[1])))
        ]
    return rows, edge_rows


def _orphan_rows(pyr: _Pyramid, fixes: dict[str, _Fix]) -> list[dict[str, Any]]:
    rows = []
    for node in sorted((n for n in pyr.graph.nodes if pyr.graph.degree(n) == 0), key=str):
        attrs = pyr.graph.nodes[node]
        if pyr.rank(node) == 0:
            sentence = f"Nobody serves the customer role {pyr.label(node)}: it has no serves edges."
        else:
            sentence = (
                f"{pyr.label(node)} ({pyr.level(node)}) has no serves edges at all: "
                f"nobody serves it and it serves nobody."
            )
            if node in fixes:
                sentence += _advice(pyr, node, fixes[node])
        rows.append(
            {
                "role_id": node,
                "name": cells.text(attrs.get("name")) or node,
                "level": cells.text(attrs.get("level")),
                "sentence": sentence,
            }
        )
    return rows


def _finding_rows(
    unreached: Iterable[dict], down: Iterable[dict], cycles: Iterable[dict], orphans: list[dict]
) -> list[dict[str, Any]]:
    orphan_ids = {r["role_id"] for r in orphans}
    return (
        [
            {
                "kind": "unreached",
                "role_id": r["role_id"],
                "from_role": r["fix_from"],
                "to_role": r["fix_to"],
                "sentence": r["sentence"],
            }
            for r in unreached
            if r["role_id"] not in orphan_ids
        ]
        + [
            {
                "kind": "serves_down",
                "role_id": "",
                "from_role": r["from_role"],
                "to_role": r["to_role"],
                "sentence": r["sentence"],
            }
            for r in down
        ]
        + [
            {
                "kind": "cycle",
                "role_id": "",
                "from_role": r["roles"][0],
                "to_role": r["roles"][1 % len(r["roles"])],
                "sentence": r["sentence"],
            }
            for r in cycles
        ]
        + [
            {
                "kind": "orphan",
                "role_id": r["role_id"],
                "from_role": "",
                "to_role": "",
                "sentence": r["sentence"],
            }
            for r in orphans
        ]
    )


def chain_check(graph: nx.DiGraph) -> ChainCheck:
    """Check the Customer Service Chain: does every role's service reach a customer?

    Findings:

    **Unreached roles.** A role (other than a customer) from which no customer can be reached
    along ``serves`` edges. Each gets the edge a person would draw to connect it, and why:

    1. If the role serves other cut-off roles, fixing those fixes it too, so its fix is the fix
       of the nearest cut-off role at the end of its chain (fewest hops; ties by id). A closed
       circle of cut-off roles is fixed by one edge from its member nearest the customer.
    2. A *frontline* role serves a customer role (the one with most servers, then by id).
    3. A role below the front line (support, manager, executive) serves a role whose work it
       supports: one that reaches a customer, at its own level or nearer the customer (never
       below it — that would be serving the boss — and never one that already serves it — that
       would close a circle), and that shares its ``unit`` or comes under one of its managers.
       Best is a role in the same unit under the same manager, then the same unit, then under
       the same manager (e.g. the front-line role it sits beside), then under its manager's
       manager and so on; ties go to the level one step above it (then the next, its own level
       last), the largest ``headcount``, the most servers, the id. The sentence gives the
       reason ("because both are in Housekeeping and work for Executive housekeeper").
    4. No edge is suggested when nothing in the data ties the role to one that reaches a
       customer, when there is no customer role, or when the role's level is unknown; the
       sentence then says what to decide.

    **Serving the boss.** An edge ``u -> v`` where ``u`` ranks above ``v`` in the upside-down
    pyramid (:data:`kit.analyses.pyramid.RANK`, customer 0 … executive 4), e.g. a frontline role serving
    a manager. Edges within a level are fine (a director serving a head of unit, both managers).

    **Cycles.** Roles that serve each other in a circle (strongly connected components of two
    or more roles, and self-edges).

    **Orphans.** Roles with no ``serves`` edge in or out.

    Parameters
    ----------
    graph : networkx.DiGraph
        As built by :func:`kit.analyses.pyramid.build_graph`.

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
    >>> check.unreached["reason"].iloc[0]
    'both come under General manager'
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
    pyr = _Pyramid(graph)
    fixes = _fixes(pyr)
    unreached = _unreached_rows(pyr, fixes)
    down = _serves_down_rows(pyr)
    cycles, cycle_edges = _cycle_rows(pyr)
    orphans = _orphan_rows(pyr, fixes)
    return ChainCheck(
        unreached=pd.DataFrame(unreached, columns=_UNREACHED_COLUMNS),
        serves_down=pd.DataFrame(down, columns=_DOWN_COLUMNS),
        cycles=pd.DataFrame(cycles, columns=_CYCLE_COLUMNS),
        cycle_edges=pd.DataFrame(cycle_edges, columns=_CYCLE_EDGE_COLUMNS),
        orphans=pd.DataFrame(orphans, columns=_ORPHAN_COLUMNS),
        findings=pd.DataFrame(
            _finding_rows(unreached, down, cycles, orphans), columns=_FINDING_COLUMNS
        ),
        reaching=frozenset(pyr.reaching),
    )
