"""The upside-down pyramid as a graph: who serves whom, and whether service reaches the customer.

The pyramid is two workbook tables — ``roles`` (one row per role, with its level) and ``serves``
(an edge ``from_role -> to_role`` meaning *from_role serves to_role*). The analyses are plain
functions over the :class:`networkx.DiGraph` of :func:`build_graph`, in the style of networkx
itself, one module per question:

- :mod:`kit.analyses.pyramid.graph` — :func:`build_graph`, :func:`customers`, :func:`reaching_customer`,
  level ranks (:data:`RANK`, :func:`level_rank`);
- :mod:`kit.analyses.pyramid.chain` — :func:`chain_check`, the Customer Service Chain check: every role
  must reach a customer through ``serves`` edges; roles that do not are named with the edge a
  person would draw to connect them and why; edges that serve *down* the pyramid ("serving the
  boss"), cycles and orphans are flagged, each with a plain-language sentence for reports;
- :mod:`kit.analyses.pyramid.reach` — :func:`support_paths` / :func:`support_chains` (for each
  touchpoint, who serves the person serving the customer, on to the bottom of the pyramid) and
  :func:`touchpoint_reach` / :func:`role_reach` (for each role, the touchpoints it ultimately
  serves, plain and headcount-weighted).

Nothing here draws or writes files: the layout and grouping for pictures live in
:mod:`kit.figures.layout`, the GraphML export in :mod:`kit.readwrite.graphio`.

Examples
--------
>>> import pandas as pd
>>> roles = pd.DataFrame({"role_id": ["guest", "desk"], "name": ["Guest", "Desk"],
...                       "level": ["customer", "frontline"]})
>>> chain_check(build_graph(roles, pd.DataFrame({"from_role": ["desk"], "to_role": ["guest"]}))).ok
True
"""

from kit.analyses.pyramid.chain import ChainCheck, chain_check
from kit.analyses.pyramid.graph import (
    RANK,
    ROLE_COLUMNS,
    SERVES_COLUMNS,
    build_graph,
    customers,
    level_rank,
    reaching_customer,
)
from kit.analyses.pyramid.reach import role_reach, support_chains, support_paths, touchpoint_reach

__all__ = [
    "RANK",
    "ROLE_COLUMNS",
    "SERVES_COLUMNS",
    "ChainCheck",
    "build_graph",
    "chain_check",
    "customers",
    "level_rank",
    "reaching_customer",
    "role_reach",
    "support_chains",
    "support_paths",
    "touchpoint_reach",
]
