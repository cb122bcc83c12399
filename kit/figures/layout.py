"""Where the pyramid's roles go in a picture: the inverted layered layout and aggregation.

Drawing helpers for :mod:`kit.figures.pyramid`, kept apart from the analyses in
:mod:`kit.analyses.pyramid` (which never draw):

- :func:`band_width` — how wide each level's band is (customer widest, executive narrowest);
- :func:`layered_layout` — positions for drawing the pyramid inverted (customer on top);
- :func:`aggregate` — roles grouped by unit (or grade) and level to at most ~60 nodes, for
  drawing a big organisation; the full graph stays the one analysed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import pandas as pd

from kit.analyses.pyramid import ROLE_COLUMNS, SERVES_COLUMNS, build_graph, level_rank
from kit.store import cells
from kit.store.schema import LEVELS

__all__ = [
    "Aggregated",
    "aggregate",
    "band_width",
    "layered_layout",
]


def _rank(graph: nx.DiGraph, node: object) -> int | None:
    return level_rank(graph.nodes[node].get("level"))


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


def aggregate(
    roles: pd.DataFrame,
    serves: pd.DataFrame,
    *,
    by: str = "unit",
    max_nodes: int = 60,
    max_per_level: int = 16,
) -> Aggregated:
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
        return len(set(group.values())) <= max_nodes and all(
            len(g) <= max_per_level for g in per_level.values()
        )

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
        rows.append(
            {
                "role_id": gid,
                "name": name,
                "level": first["level"],
                "headcount": math.fsum(attrs[n]["headcount"] for n in inside),
                "unit": unit,
                "grade": grade,
            }
        )
    if grouped:
        order = {level: i for i, level in enumerate(LEVELS)}
        others = tuple(f"{lv}:Other " for lv in LEVELS)
        rows.sort(
            key=lambda r: (
                order.get(r["level"], len(LEVELS)),
                r["role_id"].startswith(others),
                str(r["role_id"]),
            )
        )
    edges = sorted({(group[u], group[v]) for u, v in graph.edges if group[u] != group[v]})
    return Aggregated(
        roles=pd.DataFrame(rows, columns=list(ROLE_COLUMNS)),
        serves=pd.DataFrame(edges, columns=list(SERVES_COLUMNS)),
        members=pd.DataFrame([(n, group[n]) for n in nodes], columns=["role_id", "group_id"]),
    )


def _lump(
    graph: nx.DiGraph, group: dict[str, str], max_nodes: int, max_per_level: int, by: str
) -> dict[str, str]:
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
    allowed = {
        lv: min(cap, max(1, math.floor(budget * len(g) / total))) for lv, g in per_level.items()
    }
    while sum(allowed.values()) > budget:  # the max(1, …) floors can overshoot a little
        biggest = max(allowed, key=lambda lv: allowed[lv])
        allowed[biggest] -= 1
    renamed: dict[str, str] = {}
    for lv, gids in per_level.items():
        if len(gids) <= allowed[lv]:
            continue
        ranked = sorted(gids, key=lambda g: (-weight[g], g))
        rest = ranked[allowed[lv] - 1 :]  # the largest allowed-1 groups stay as they are
        other = f"{lv}:Other {by}s ({len(rest)})"
        renamed.update({g: other for g in rest})
    return {node: renamed.get(gid, gid) for node, gid in group.items()}
