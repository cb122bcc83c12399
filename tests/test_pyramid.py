"""Tests of kit.analyses.pyramid (graph, chain check, chains, reach, layout, aggregation, GraphML) and of
kit.figures.pyramid. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kit.analyses import pyramid as P
from kit.figures import layout
from kit.figures.pyramid import EDGE_STYLES, UNREACHED_COLOUR, pyramid_figure
from kit.figures.style import LEVEL_COLOURS, LEVEL_SYMBOLS
from kit.readwrite import graphio
from kit.store.schema import LEVELS, TABLES

ROLE_COLUMNS = TABLES["roles"].columns
SERVES_COLUMNS = TABLES["serves"].columns


def roles_frame(rows: list[tuple]) -> pd.DataFrame:
    """rows of (role_id, name, level, headcount, unit) — grade left blank."""
    return pd.DataFrame([(*r, None) for r in rows], columns=ROLE_COLUMNS)


def serves_frame(edges: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(edges, columns=SERVES_COLUMNS)


# A small hotel: 12 roles, one flawed edge (the front desk "serves" its manager: serving the
# boss, and with fom -> desk a circle), one support role served by nobody and serving nobody
# (spa: an orphan), one support role that serves nobody above it (laundry -> nothing).
HOTEL_ROLES = roles_frame(
    [
        ("guest", "Hotel guest", "customer", None, None),
        ("desk", "Front desk agent", "frontline", 14, "Front office"),
        ("conc", "Concierge", "frontline", 2, "Front office"),
        ("server", "Restaurant server", "frontline", 16, "F&B"),
        ("hk", "Room attendant", "support", 28, "Housekeeping"),
        ("laundry", "Laundry attendant", "support", 7, "Housekeeping"),
        ("it", "IT support", "support", 3, "IT"),
        ("fom", "Front office manager", "manager", 1, "Front office"),
        ("exec_hk", "Executive housekeeper", "manager", 1, "Housekeeping"),
        ("fb", "F&B manager", "manager", 1, "F&B"),
        ("gm", "General manager", "executive", 1, "Hotel"),
        ("spa", "Spa therapist", "support", 2, "Spa"),
    ]
)
HOTEL_SERVES = serves_frame(
    [
        ("desk", "guest"),
        ("conc", "guest"),
        ("server", "guest"),
        ("hk", "desk"),
        ("it", "desk"),
        ("it", "server"),
        ("fom", "desk"),
        ("fom", "conc"),
        ("exec_hk", "hk"),
        ("exec_hk", "laundry"),
        ("fb", "server"),
        ("gm", "fom"),
        ("gm", "exec_hk"),
        ("gm", "fb"),
        ("gm", "it"),
        ("desk", "fom"),  # the flaw: serving the boss
    ]
)
HOTEL_JOURNEY = pd.DataFrame(
    {
        "touchpoint_id": ["T1", "T2", "T3", "T4", "T5"],
        "role_id": ["desk", "conc", "server", "hk", None],
    }
)


@pytest.fixture
def hotel() -> nx.DiGraph:
    return P.build_graph(HOTEL_ROLES, HOTEL_SERVES)


def empty_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.DataFrame(columns=ROLE_COLUMNS), pd.DataFrame(columns=SERVES_COLUMNS)


# --------------------------------------------------------------------------- build_graph


def test_build_graph_nodes_edges_and_attributes(hotel):
    assert hotel.number_of_nodes() == 12
    assert hotel.number_of_edges() == 16
    assert hotel.nodes["guest"] == {
        "name": "Hotel guest",
        "level": "customer",
        "headcount": 0.0,
        "unit": "",
        "grade": "",
    }
    assert hotel.nodes["desk"]["headcount"] == 14.0
    assert hotel.has_edge("desk", "fom")
    assert hotel.has_edge("fom", "desk")


def test_build_graph_does_not_mutate_inputs():
    roles, serves = HOTEL_ROLES.copy(), HOTEL_SERVES.copy()
    P.build_graph(roles, serves)
    pd.testing.assert_frame_equal(roles, HOTEL_ROLES)
    pd.testing.assert_frame_equal(serves, HOTEL_SERVES)


def test_build_graph_tolerates_missing_values_and_unknown_references():
    roles = pd.DataFrame(
        {
            "role_id": ["a", " b ", None, "a"],
            "name": [None, "B", "x", "dup"],
            "level": [" Frontline", "CUSTOMER", "support", "manager"],
            "headcount": [float("nan"), "2", 3, 4],
        }
    )
    serves = pd.DataFrame({"from_role": ["a", "ghost", None], "to_role": ["b", "a", "b"]})
    g = P.build_graph(roles, serves)
    assert sorted(g.nodes) == ["a", "b", "ghost"]
    assert g.nodes["a"]["name"] == "a"
    assert g.nodes["a"]["level"] == "frontline"
    assert g.nodes["a"]["headcount"] == 0.0  # NaN -> 0, and the duplicate row is ignored
    assert g.nodes["b"]["level"] == "customer"
    assert g.nodes["b"]["headcount"] == 2.0
    assert g.nodes["ghost"]["level"] == ""  # named only in serves: kept, level unknown
    assert sorted(g.edges) == [("a", "b"), ("ghost", "a")]


@pytest.mark.parametrize("frames", [empty_tables(), (pd.DataFrame(), pd.DataFrame())])
def test_everything_accepts_empty_tables(frames):
    roles, serves = frames
    g = P.build_graph(roles, serves)
    assert g.number_of_nodes() == 0
    check = P.chain_check(g)
    assert check.ok
    for table in (
        check.unreached,
        check.serves_down,
        check.cycles,
        check.cycle_edges,
        check.orphans,
        check.findings,
    ):
        assert table.empty
        assert len(table.columns) > 0
    assert P.support_chains(g, pd.DataFrame()).empty
    assert P.touchpoint_reach(g, pd.DataFrame()).empty
    assert P.role_reach(g, pd.DataFrame()).empty
    assert layout.layered_layout(g) == {}
    agg = layout.aggregate(roles, serves)
    assert agg.roles.empty
    assert list(agg.roles.columns) == ROLE_COLUMNS
    assert agg.serves.empty
    assert agg.members.empty


# --------------------------------------------------------------------------- chain check


def test_chain_check_on_the_hotel(hotel):
    check = P.chain_check(hotel)
    # laundry serves nobody -> cut off; spa has no edges -> cut off and orphan.
    assert check.unreached["role_id"].tolist() == ["laundry", "spa"]
    # laundry (support, Housekeeping, served by exec_hk): the roles that reach the guest and
    # share its unit are hk (support, also served by exec_hk) -> hk, not the biggest frontline
    # team of another department.
    laundry = check.unreached.set_index("role_id").loc["laundry"]
    assert (laundry["fix_from"], laundry["fix_to"]) == ("laundry", "hk")
    assert laundry["fix"] == "add: Laundry attendant serves Room attendant"
    assert laundry["reason"] == "both are in Housekeeping and work for Executive housekeeper"
    # spa (support, unit Spa, no edges): nothing ties it to anyone -> no edge suggested.
    spa = check.unreached.set_index("role_id").loc["spa"]
    assert spa[["fix_from", "fix_to", "fix", "reason"]].tolist() == ["", "", "", ""]
    assert check.serves_down[
        ["from_role", "to_role", "from_level", "to_level"]
    ].values.tolist() == [["desk", "fom", "frontline", "manager"]]
    assert check.cycles["roles"].tolist() == [("desk", "fom")]
    assert check.cycles["size"].tolist() == [2]
    assert sorted(map(tuple, check.cycle_edges[["from_role", "to_role"]].values)) == [
        ("desk", "fom"),
        ("fom", "desk"),
    ]
    assert check.orphans["role_id"].tolist() == ["spa"]
    # one finding each; the orphan is not repeated as "unreached"
    assert check.findings["kind"].tolist() == ["unreached", "serves_down", "cycle", "orphan"]
    assert check.flagged_edges() == {("desk", "fom"): "serves_down", ("fom", "desk"): "cycle"}
    assert "spa" not in check.reaching
    assert "gm" in check.reaching
    assert "guest" in check.reaching


def test_chain_check_sentences_are_plain_language(hotel):
    check = P.chain_check(hotel)
    text = dict(zip(check.findings["kind"], check.findings["sentence"], strict=True))
    assert text["unreached"] == (
        "Laundry attendant (support) does not serve anyone who reaches a customer. "
        "Suggested fix: add: Laundry attendant serves Room attendant, because both are in "
        "Housekeeping and work for Executive housekeeper."
    )
    assert text["serves_down"] == (
        "Front desk agent (frontline) serves Front office manager (manager), who sits below it "
        "in the upside-down pyramid: that is serving the boss. Turn it round: Front office "
        "manager should serve Front desk agent."
    )
    assert text["cycle"] == (
        "Front desk agent → Front office manager → Front desk agent serve each other in a "
        "circle; a chain of service should end at the customer."
    )
    assert text["orphan"] == (
        "Spa therapist (support) has no serves edges at all: nobody serves it and it serves "
        "nobody. Nothing in the data says whose work Spa therapist supports: no role that "
        "reaches a customer shares its unit or a manager with it. Decide which role it serves "
        "and add that edge."
    )


def graph(edges, levels, units=None, heads=None) -> nx.DiGraph:
    roles = roles_frame(
        [
            (n, n.upper(), lv, (heads or {}).get(n, 1), (units or {}).get(n))
            for n, lv in levels.items()
        ]
    )
    return P.build_graph(roles, serves_frame(edges))


def unreached_sentence(check, role_id: str) -> str:
    return check.unreached.set_index("role_id").loc[role_id, "sentence"]


# Issue 15: the suggested fix is an edge a person would draw, with the reason.
SHOP_LEVELS = {
    "c": "customer",
    "f1": "frontline",
    "f2": "frontline",
    "f3": "frontline",
    "s": "support",
    "m": "manager",
}
SHOP_EDGES = [("f1", "c"), ("f2", "c"), ("f3", "c"), ("m", "s"), ("m", "f2")]
SHOP_HEADS = {"f1": 50, "f2": 5, "f3": 9}


def test_fix_is_the_frontline_role_it_sits_beside_not_the_biggest_team():
    # f1 is the biggest team, but s and f2 both work for m: s supports f2's work.
    check = P.chain_check(graph(SHOP_EDGES, SHOP_LEVELS, heads=SHOP_HEADS))
    assert unreached_sentence(check, "s") == (
        "S (support) does not serve anyone who reaches a customer. Suggested fix: add: S serves "
        "F2, because both work for M."
    )


def test_fix_prefers_the_same_unit_and_says_so():
    check = P.chain_check(
        graph(SHOP_EDGES, SHOP_LEVELS, units={"s": "Kitchen", "f3": "Kitchen"}, heads=SHOP_HEADS)
    )
    assert unreached_sentence(check, "s") == (
        "S (support) does not serve anyone who reaches a customer. Suggested fix: add: S serves "
        "F3, because both are in Kitchen."
    )
    # same unit AND same manager beats the same unit alone
    check = P.chain_check(
        graph(
            SHOP_EDGES,
            SHOP_LEVELS,
            units={"s": "Kitchen", "f3": "Kitchen", "f2": "Kitchen"},
            heads=SHOP_HEADS,
        )
    )
    assert unreached_sentence(check, "s") == (
        "S (support) does not serve anyone who reaches a customer. Suggested fix: add: S serves "
        "F2, because both are in Kitchen and work for M."
    )


def test_fix_goes_to_a_support_role_of_its_own_level_when_that_is_whose_work_it_supports():
    levels = {"c": "customer", "f": "frontline", "hk": "support", "ln": "support", "xh": "manager"}
    edges = [("f", "c"), ("hk", "f"), ("xh", "hk"), ("xh", "ln")]
    check = P.chain_check(graph(edges, levels, units={"hk": "Rooms", "ln": "Rooms"}))
    assert unreached_sentence(check, "ln") == (
        "LN (support) does not serve anyone who reaches a customer. Suggested fix: add: LN "
        "serves HK, because both are in Rooms and work for XH."
    )


def test_fix_never_serves_the_boss_and_looks_under_the_managers_manager():
    # s works for x, whose other report m is a manager: serving m would be serving down the
    # pyramid. m's team (f) comes under x too and reaches the customer.
    levels = {"c": "customer", "f": "frontline", "s": "support", "m": "manager", "x": "executive"}
    edges = [("f", "c"), ("m", "f"), ("x", "m"), ("x", "s")]
    check = P.chain_check(graph(edges, levels))
    assert unreached_sentence(check, "s") == (
        "S (support) does not serve anyone who reaches a customer. Suggested fix: add: S serves "
        "F, because both come under X."
    )
    # a role two managers up: k works for j, who works for x; x also runs m -> f
    levels |= {"j": "manager", "k": "support"}
    edges = [("f", "c"), ("m", "f"), ("x", "m"), ("x", "j"), ("j", "k")]
    check = P.chain_check(graph(edges, levels))
    table = check.unreached.set_index("role_id")
    assert table.loc["k", "fix"] == "add: K serves F"
    assert table.loc["k", "reason"] == "both come under X"
    assert table.loc["j", "sentence"] == (
        "J (manager) does not serve anyone who reaches a customer. Everyone it serves is cut "
        "off too; the fix is further along its chain: add: K serves F, because both come "
        "under X."
    )


def test_fix_looks_at_the_nearest_level_towards_the_customer_first():
    levels = {"c": "customer", "f": "frontline", "s": "support", "m": "manager", "x": "executive"}
    # m and s both work for x; s reaches the customer through f. m (manager) could serve s
    # (support) or f (frontline, also under x): the nearer level, support, wins.
    edges = [("f", "c"), ("s", "f"), ("x", "s"), ("x", "m")]
    check = P.chain_check(graph(edges, levels))
    assert unreached_sentence(check, "m") == (
        "M (manager) does not serve anyone who reaches a customer. Suggested fix: add: M "
        "serves S, because both work for X."
    )


def test_no_fix_when_nothing_ties_the_role_to_the_chain():
    levels = {"c": "customer", "f": "frontline", "s": "support"}
    check = P.chain_check(graph([("f", "c")], levels, units={"s": "Spa", "f": "Bar"}))
    row = check.unreached.set_index("role_id").loc["s"]
    assert row[["fix_from", "fix_to", "fix", "reason"]].tolist() == ["", "", "", ""]


def test_fix_never_closes_a_circle():
    # s (support) serves nobody. The only frontline role, a, reaches the customer but already
    # serves s, so "s serves a" would close a circle: no fix is suggested.
    levels = {"c": "customer", "a": "frontline", "s": "support"}
    check = P.chain_check(graph([("a", "s"), ("a", "c")], levels))
    row = check.unreached.set_index("role_id").loc["s"]
    assert row["fix_to"] == ""
    assert row["fix"] == ""
    assert row["sentence"] == (
        "S (support) does not serve anyone who reaches a customer. No role above it reaches a "
        "customer yet: connect the front line first."
    )


def test_fix_of_a_role_whose_whole_chain_is_cut_off_is_at_the_chain_end():
    levels = {"c": "customer", "f": "frontline", "s": "support", "m": "manager", "x": "executive"}
    edges = [("f", "c"), ("x", "m"), ("m", "s")]  # x -> m -> s -> (nothing)
    check = P.chain_check(graph(edges, levels, units={"s": "Kitchen", "f": "Kitchen"}))
    table = check.unreached.set_index("role_id")
    assert table.loc["s", ["fix_from", "fix_to"]].tolist() == ["s", "f"]
    assert table.loc["m", ["fix_from", "fix_to"]].tolist() == ["s", "f"]
    assert table.loc["x", ["fix_from", "fix_to"]].tolist() == ["s", "f"]
    assert table.loc["x", "sentence"] == (
        "X (executive) does not serve anyone who reaches a customer. Everyone it serves is cut "
        "off too; the fix is further along its chain: add: S serves F, because both are in "
        "Kitchen."
    )
    # without the unit nothing ties s to f: the chain's sentence says where to start
    check = P.chain_check(graph(edges, levels))
    assert unreached_sentence(check, "m") == (
        "M (manager) does not serve anyone who reaches a customer. Everyone it serves is cut "
        "off too, so start at the end of its chain, S. Nothing in the data says whose work S "
        "supports: no role that reaches a customer shares its unit or a manager with it. "
        "Decide which role it serves and add that edge."
    )


def test_frontline_fix_is_the_customer_and_no_customer_means_no_fix():
    check = P.chain_check(graph([], {"c": "customer", "f": "frontline"}))
    assert unreached_sentence(check, "f") == (
        "F (frontline) does not serve anyone who reaches a customer. Suggested fix: add: F "
        "serves C, because front-line roles serve the customer directly."
    )
    check = P.chain_check(graph([], {"f": "frontline"}))
    row = check.unreached.set_index("role_id").loc["f"]
    assert row["fix"] == ""
    assert row["sentence"] == (
        "F (frontline) does not serve anyone who reaches a customer. There is no customer role "
        "yet: add one and have the front line serve it."
    )


def test_role_without_a_level_is_asked_for_one():
    check = P.chain_check(graph([("f", "c")], {"c": "customer", "f": "frontline", "q": ""}))
    assert unreached_sentence(check, "q") == (
        "Q (no level) does not serve anyone who reaches a customer. Give Q a level first, then "
        "connect it."
    )


def test_closed_circle_of_cut_off_roles_is_fixed_from_the_member_nearest_the_customer():
    levels = {"c": "customer", "f": "frontline", "g": "frontline", "m": "manager"}
    edges = [("g", "c"), ("f", "m"), ("m", "f")]
    check = P.chain_check(graph(edges, levels))
    table = check.unreached.set_index("role_id")
    assert table.loc["m", ["fix_from", "fix_to"]].tolist() == ["f", "c"]
    assert table.loc["f", ["fix_from", "fix_to"]].tolist() == ["f", "c"]


def test_cycles_self_loop_and_bigger_tangle():
    levels = {n: "manager" for n in "abcd"}
    check = P.chain_check(
        graph(
            [
                ("b", "c"),
                ("c", "a"),
                ("a", "b"),
                ("c", "d"),
                ("d", "c"),
            ],
            levels,
        )
    )
    # one tangle {a, b, c, d}; a concrete cycle from the smallest id
    assert check.cycles["size"].tolist() == [4]
    cycle = check.cycles["roles"].iloc[0]
    assert cycle[0] == "a"
    assert set(cycle) <= {"a", "b", "c", "d"}
    assert len(check.cycle_edges) == 5
    check = P.chain_check(graph([("a", "a")], {"a": "manager"}))
    assert check.cycles["roles"].tolist() == [("a",)]
    assert "serves itself" in check.cycles["sentence"].iloc[0]


def test_customer_orphan_sentence():
    check = P.chain_check(graph([], {"c": "customer"}))
    assert check.orphans["sentence"].iloc[0] == (
        "Nobody serves the customer role C: it has no serves edges."
    )
    assert check.unreached.empty


def test_shared_names_are_told_apart_by_id():
    roles = roles_frame(
        [
            ("c", "Customers", "customer", 0, None),
            ("a1", "Agent", "frontline", 1, None),
            ("a2", "Agent", "frontline", 1, None),
        ]
    )
    check = P.chain_check(P.build_graph(roles, serves_frame([("a1", "c")])))
    assert check.unreached["fix"].tolist() == ["add: Agent [a2] serves Customers"]


@st.composite
def random_dags(draw):
    n = draw(st.integers(1, 9))
    levels = draw(st.lists(st.sampled_from(LEVELS), min_size=n, max_size=n))
    nodes = [f"r{i}" for i in range(n)]
    pairs = [(nodes[i], nodes[j]) for i in range(n) for j in range(i + 1, n)]
    edges = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    return nodes, levels, edges


@given(random_dags())
@settings(max_examples=80, deadline=None)
def test_chain_check_equals_brute_force_reachability_on_random_dags(dag):
    nodes, levels, edges = dag
    g = graph(edges, dict(zip(nodes, levels, strict=True)))
    check = P.chain_check(g)
    customers = [n for n, lv in zip(nodes, levels, strict=True) if lv == "customer"]
    brute = sorted(
        n
        for n, lv in zip(nodes, levels, strict=True)
        if lv != "customer" and not any(nx.has_path(g, n, c) for c in customers)
    )
    assert check.unreached["role_id"].tolist() == brute
    down = sorted(
        (u, v)
        for u, v in edges
        if LEVELS.index(g.nodes[u]["level"]) < LEVELS.index(g.nodes[v]["level"])
    )
    assert list(map(tuple, check.serves_down[["from_role", "to_role"]].values)) == down
    assert check.cycles.empty  # a DAG has none
    assert check.orphans["role_id"].tolist() == sorted(n for n in nodes if g.degree(n) == 0)
    # every suggested fix is a role that reaches a customer, and adding it connects the role
    for row in check.unreached.itertuples():
        if row.fix_to:
            assert row.fix_to in check.reaching
            fixed = g.copy()
            fixed.add_edge(row.fix_from, row.fix_to)
            assert any(nx.has_path(fixed, row.role_id, c) for c in customers)
            assert nx.is_directed_acyclic_graph(fixed)
            # never serving the boss: the new edge adds no serves-down finding
            assert len(P.chain_check(fixed).serves_down) == len(check.serves_down)


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(0, 5)), max_size=14))
@settings(max_examples=60, deadline=None)
def test_cycle_edges_are_exactly_the_edges_on_some_cycle(pairs):
    edges = sorted({(f"r{a}", f"r{b}") for a, b in pairs})
    g = nx.DiGraph(edges)
    nx.set_node_attributes(g, "manager", "level")
    check = P.chain_check(g)
    on_cycle = sorted((u, v) for u, v in edges if u == v or nx.has_path(g, v, u))
    assert sorted(map(tuple, check.cycle_edges[["from_role", "to_role"]].values)) == on_cycle
    for roles in check.cycles["roles"]:  # each reported cycle is a real cycle
        ring = [*roles, roles[0]]
        assert all(g.has_edge(a, b) for a, b in itertools.pairwise(ring))


# --------------------------------------------------------------------------- chains and reach


def test_support_paths_hotel(hotel):
    # desk is served by fom (manager, rank 3), hk and it (support, rank 2): nearest level first
    assert P.support_paths(hotel, "desk") == [
        ["desk", "hk", "exec_hk", "gm"],
        ["desk", "it", "gm"],
        ["desk", "fom", "gm"],
    ]
    # fom is served by desk (the flaw) and gm; the circle is not walked twice
    assert P.support_paths(hotel, "fom") == [
        ["fom", "desk", "hk", "exec_hk", "gm"],
        ["fom", "desk", "it", "gm"],
        ["fom", "gm"],
    ]
    assert P.support_paths(hotel, "gm") == [["gm"]]
    assert P.support_paths(hotel, "nobody") == []
    assert len(P.support_paths(hotel, "desk", max_paths=2)) == 2


def test_support_chains_table(hotel):
    table = P.support_chains(hotel, HOTEL_JOURNEY)
    assert list(table.columns) == ["touchpoint_id", "chain", "step", "role_id", "name", "level"]
    t2 = table[table["touchpoint_id"] == "T2"]  # concierge <- fom <- gm; fom <- desk <- ...
    chains = t2.groupby("chain")["role_id"].apply(list).tolist()
    assert chains[0] == ["conc", "fom", "desk", "hk", "exec_hk", "gm"]
    assert chains[-1] == ["conc", "fom", "gm"]
    assert t2["step"].tolist()[:3] == [0, 1, 2]
    assert "T5" not in set(table["touchpoint_id"])  # no role: no chain
    assert table["touchpoint_id"].drop_duplicates().tolist() == ["T1", "T2", "T3", "T4"]


def test_role_reach_hotel(hotel):
    reach = P.role_reach(hotel, HOTEL_JOURNEY).set_index("role_id")
    # touchpoints with a role: T1 desk(14), T2 conc(2), T3 server(16), T4 hk(28): weight 60.
    # gm serves fom (-> desk, conc), exec_hk (-> hk -> desk), fb (-> server), it (-> desk,
    # server): all four.
    assert reach.loc["gm", "touchpoints"] == 4
    assert reach.loc["gm", "share"] == 1.0
    assert reach.loc["gm", "weighted_share"] == 1.0
    assert reach.loc["gm", "served_headcount"] == 60.0
    # it serves desk and server, and through the flawed desk -> fom edge, fom serves conc:
    # T1, T2, T3 -> weight (14 + 2 + 16) / 60
    assert reach.loc["it", "touchpoints"] == 3
    assert reach.loc["it", "weighted_share"] == pytest.approx(32 / 60)
    assert reach.loc["it", "served_headcount"] == 32.0
    # hk delivers T4 itself and serves desk (-> fom -> conc): T1, T2, T4 -> (14 + 2 + 28) / 60
    assert reach.loc["hk", "touchpoints"] == 3
    assert reach.loc["hk", "weighted_share"] == pytest.approx(44 / 60)
    # fom serves desk and conc: T1, T2
    assert reach.loc["fom", "touchpoints"] == 2
    assert reach.loc["fom", "share"] == 0.5
    # laundry and spa reach nothing but are listed
    assert reach.loc["laundry", "touchpoints"] == 0
    assert reach.loc["spa", "touchpoints"] == 0
    assert set(reach["level"]) == {"support", "manager", "executive"}
    assert reach.index[0] == "gm"  # sorted by touchpoints descending


def test_touchpoint_reach_includes_the_role_itself(hotel):
    pairs = set(map(tuple, P.touchpoint_reach(hotel, HOTEL_JOURNEY).values))
    assert ("desk", "T1") in pairs
    assert ("hk", "T4") in pairs
    assert ("hk", "T1") in pairs
    assert ("server", "T1") not in pairs


def test_role_reach_without_headcount_gives_zero_weighted_share():
    g = graph([("m", "f")], {"f": "frontline", "m": "manager"}, heads={"f": 0, "m": 0})
    reach = P.role_reach(g, pd.DataFrame({"touchpoint_id": ["t"], "role_id": ["f"]}))
    assert reach[["role_id", "touchpoints", "share", "weighted_share"]].values.tolist() == [
        ["m", 1, 1.0, 0.0]
    ]


# --------------------------------------------------------------------------- layout


def test_layered_layout_inverts_the_pyramid(hotel):
    pos = layout.layered_layout(hotel)
    for node, (x, y) in pos.items():
        rank = LEVELS.index(hotel.nodes[node]["level"])
        assert y == -rank
        assert abs(x) <= layout.band_width(rank)
    assert pos["guest"] == (0.0, 0.0)
    assert pos["gm"] == (0.0, -4.0)
    # deterministic and pure
    assert layout.layered_layout(hotel) == pos
    frontline = sorted(x for n, (x, y) in pos.items() if y == -1)
    assert frontline == pytest.approx([-0.85 + 1.7 * (i + 0.5) / 3 for i in range(3)])


def test_layered_layout_puts_unknown_levels_below_the_executives():
    g = graph([("ghost", "f")], {"f": "frontline"})
    assert layout.layered_layout(g)["ghost"][1] == -5.0


# --------------------------------------------------------------------------- aggregate


def big_org(units: int, per_unit: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [("c", "Customers", "customer", 0, None), ("ceo", "CEO", "executive", 1, "Board")]
    edges = []
    for u in range(units):
        unit = f"Division {u % 4} - Team {u}"
        rows.append((f"m{u}", f"Manager {u}", "manager", 1, unit))
        edges.append(("ceo", f"m{u}"))
        for k in range(per_unit):
            rows.append((f"s{u}_{k}", f"Staff {u}.{k}", "frontline", 1 + u, unit))
            edges += [(f"m{u}", f"s{u}_{k}"), (f"s{u}_{k}", "c")]
    return roles_frame(rows), serves_frame(edges)


def test_aggregate_keeps_a_small_pyramid_as_it_is():
    agg = layout.aggregate(HOTEL_ROLES, HOTEL_SERVES)
    assert agg.roles["role_id"].tolist() == HOTEL_ROLES["role_id"].tolist()
    assert agg.roles["name"].tolist() == HOTEL_ROLES["name"].tolist()
    assert len(agg.serves) == len(HOTEL_SERVES)


def test_aggregate_groups_by_unit_then_cuts_hierarchical_names():
    roles, serves = big_org(units=20, per_unit=3)  # 82 roles, 20 units
    agg = layout.aggregate(roles, serves, max_nodes=60, max_per_level=16)
    # 20 units per level > 16 -> cut "Division k - Team u" to "Division k": 4 per level
    assert sorted(agg.roles["role_id"]) == sorted(
        ["customer:(no unit)", "executive:Board"]
        + [f"{lv}:Division {k}" for lv in ("frontline", "manager") for k in range(4)]
    )
    fl = agg.roles.set_index("role_id").loc["frontline:Division 0"]
    # units 0, 4, 8, 12, 16: 3 staff each with headcount 1 + u -> 3 * (1+5+9+13+17) = 135
    assert fl["headcount"] == 135.0
    assert fl["name"] == "Division 0"
    assert agg.roles["headcount"].sum() == roles["headcount"].astype(float).sum()
    assert ("manager:Division 0", "frontline:Division 0") in set(map(tuple, agg.serves.values))
    assert len(agg.members) == len(roles)


def test_aggregate_lumps_the_smallest_groups():
    rows = [("c", "Customers", "customer", 0, None)]
    edges = []
    for u in range(30):
        rows.append((f"f{u}", f"F{u}", "frontline", u + 1, f"Unit {u:02d}"))
        edges.append((f"f{u}", "c"))
    roles, serves = roles_frame(rows), serves_frame(edges)
    agg = layout.aggregate(roles, serves, max_nodes=60, max_per_level=10)
    front = agg.roles[agg.roles["level"] == "frontline"]
    assert len(front) == 10
    # the 9 largest units (21..29) stay, the other 21 are lumped
    kept = sorted(r for r in front["role_id"] if "Other" not in r)
    assert kept == [f"frontline:Unit {u:02d}" for u in range(21, 30)]
    other = front.set_index("role_id").loc["frontline:Other units (21)"]
    assert other["headcount"] == sum(range(1, 22))
    assert agg.roles["role_id"].iloc[-1] == "frontline:Other units (21)"


@given(st.integers(1, 40), st.integers(1, 6), st.integers(4, 60), st.integers(1, 20))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_aggregate_always_fits_and_keeps_headcount(units, per_unit, max_nodes, per_level):
    roles, serves = big_org(units, per_unit)
    agg = layout.aggregate(roles, serves, max_nodes=max_nodes, max_per_level=per_level)
    levels_present = roles["level"].nunique()
    assert len(agg.roles) <= max(max_nodes, levels_present)
    assert agg.roles.groupby("level").size().max() <= max(per_level, 1) or len(agg.roles) == len(
        roles
    )
    assert math.isclose(agg.roles["headcount"].sum(), roles["headcount"].astype(float).sum())
    assert set(agg.members["group_id"]) == set(agg.roles["role_id"])
    assert set(agg.members["role_id"]) == set(roles["role_id"])
    assert not any(u == v for u, v in agg.serves.values)


def test_aggregate_by_grade():
    roles = roles_frame([(f"r{i}", f"R{i}", "frontline", 1, None) for i in range(20)])
    roles["grade"] = ["A" if i % 2 else "B" for i in range(20)]
    agg = layout.aggregate(roles, serves_frame([]), by="grade", max_nodes=60, max_per_level=5)
    assert agg.roles[["role_id", "headcount"]].values.tolist() == [
        ["frontline:A", 10.0],
        ["frontline:B", 10.0],
    ]
    with pytest.raises(ValueError, match="by must be"):
        layout.aggregate(roles, serves_frame([]), by="colour")


# --------------------------------------------------------------------------- GraphML


def test_write_graphml_round_trip_and_types(tmp_path: Path, hotel):
    check = P.chain_check(hotel)
    target = tmp_path / "hotel.graphml"
    assert graphio.write_graphml(hotel, target, check=check) == target
    back = nx.read_graphml(target)
    assert sorted(back.nodes) == sorted(hotel.nodes)
    assert sorted(back.edges) == sorted(hotel.edges)
    assert back.nodes["desk"]["headcount"] == 14.0
    assert back.nodes["guest"]["unit"] == ""
    assert back.nodes["spa"]["reaches_customer"] == 0
    assert back.nodes["gm"]["reaches_customer"] == 1
    assert back.edges["desk", "fom"]["flag"] == "serves_down"
    assert back.edges["fom", "desk"]["flag"] == "cycle"
    assert back.edges["gm", "fom"]["flag"] == ""
    text = target.read_text(encoding="utf-8")
    assert "None" not in text
    assert "nan" not in text.lower().replace("name", "")
    assert [p.name for p in tmp_path.iterdir()] == ["hotel.graphml"]  # no temp file left


def test_write_graphml_sanitises_odd_attributes(tmp_path: Path):
    g = nx.DiGraph()
    g.add_node("a", unit=None, score=float("nan"), flag=True, n=1)
    g.add_node("b", unit="x", score=2.5, flag=False, n=2.0)
    g.add_edge("a", "b", weight=None)
    target = graphio.write_graphml(g, tmp_path / "odd.graphml")
    back = nx.read_graphml(target)
    assert back.nodes["a"]["unit"] == ""
    assert back.nodes["b"]["unit"] == "x"
    assert back.nodes["a"]["score"] == 0.0
    assert back.nodes["b"]["score"] == 2.5
    assert back.nodes["a"]["flag"] == "true"
    assert back.nodes["b"]["n"] == 2.0  # int and float mixed -> float
    assert "weight" not in back.edges["a", "b"]


def test_write_graphml_control_characters_never_break_the_xml(tmp_path: Path):
    # Issue 16: control characters in names, units and ids (typed, or pasted from an HR export)
    # are not allowed in XML 1.0. Each becomes U+FFFD; tab and newline are kept.
    roles = roles_frame(
        [
            ("guest", "Guest\x00", "customer", 0, None),
            ("desk\x01", "Front\x1b[31mdesk", "frontline", 2, "Ro\x0boms"),
            ("desk\x02", "Night\tdesk\nteam", "frontline", 1, "Ro\x0c\x7f\ud800oms"),
        ]
    )
    serves = serves_frame([("desk\x01", "guest"), ("desk\x02", "guest")])
    g = P.build_graph(roles, serves)
    target = graphio.write_graphml(g, tmp_path / "ctrl.graphml", check=P.chain_check(g))
    raw = target.read_bytes()
    assert not any(b in raw for b in (b"\x00", b"\x01", b"\x02", b"\x0b", b"\x0c", b"\x1b"))
    back = nx.read_graphml(target)  # parses: the file is well-formed XML
    assert sorted(back.nodes) == ["desk\ufffd", "desk\ufffd~2", "guest"]
    assert back.nodes["guest"]["name"] == "Guest\ufffd"
    assert back.nodes["desk\ufffd"]["name"] == "Front\ufffd[31mdesk"
    assert back.nodes["desk\ufffd"]["unit"] == "Ro\ufffdoms"
    assert back.nodes["desk\ufffd~2"]["name"] == "Night\tdesk\nteam"
    assert back.nodes["desk\ufffd~2"]["unit"] == "Ro\ufffd\x7f\ufffdoms"  # DEL is legal XML
    assert sorted(back.edges) == [("desk\ufffd", "guest"), ("desk\ufffd~2", "guest")]
    assert back.nodes["desk\ufffd"]["reaches_customer"] == 1


FAULTY_WRITER = """
import pickle, resource, signal, sys
from kit.readwrite import graphio

graph = pickle.loads(open(sys.argv[1], "rb").read())
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails with EFBIG instead
limit = int(sys.argv[3])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
try:
    graphio.write_graphml(graph, sys.argv[2])
except OSError as exc:
    print(f"fault errno {exc.errno}")
else:
    print("written")
"""


def test_write_graphml_replaces_atomically(tmp_path: Path, hotel):
    """A write that fails half-way (the file-size limit hit: a full disk, as far as the writer
    can tell) leaves the old file whole, byte for byte, and no temp file behind."""
    import errno
    import pickle
    import subprocess
    import sys

    new = tmp_path / "new.graphml"
    graphio.write_graphml(hotel, new)
    expected = new.read_bytes()
    smaller = hotel.copy()
    smaller.remove_node("fom")
    target = tmp_path / "p.graphml"
    graphio.write_graphml(smaller, target)
    old = target.read_bytes()
    assert old != expected
    graph = tmp_path / "graph.pickle"
    graph.write_bytes(pickle.dumps(hotel))
    done = subprocess.run(
        [sys.executable, "-c", FAULTY_WRITER, graph, target, str(len(expected) // 2)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"fault errno {errno.EFBIG}\n"  # the write really failed mid-way
    assert target.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "graph.pickle",
        "new.graphml",
        "p.graphml",
    ]
    graphio.write_graphml(hotel, target)  # without the fault, the whole new file
    assert target.read_bytes() == expected


# --------------------------------------------------------------------------- figure


def traces(fig, name_start: str):
    return [t for t in fig.data if t.name and t.name.startswith(name_start)]


def test_figure_draws_levels_with_colour_and_symbol():
    fig = pyramid_figure(HOTEL_ROLES, HOTEL_SERVES, title="Hotel")
    front = traces(fig, "Front line")[0]
    assert front.marker.color == LEVEL_COLOURS["frontline"]
    assert front.marker.symbol == LEVEL_SYMBOLS["frontline"]
    assert len(front.x) == 3
    assert set(front.y) == {-1.0}
    exec_ = traces(fig, "Executives")[0]
    assert exec_.marker.symbol == LEVEL_SYMBOLS["executive"]
    # bands: the customer band is the widest, the executive band the narrowest
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    widths = [s.x1 - s.x0 for s in sorted(rects, key=lambda s: -s.y0)]
    assert widths == sorted(widths, reverse=True)
    assert len(rects) == 5


def test_figure_highlights_flagged_edges_with_colour_and_dash():
    fig = pyramid_figure(HOTEL_ROLES, HOTEL_SERVES)
    ok = traces(fig, EDGE_STYLES["ok"]["name"])[0]
    down = traces(fig, EDGE_STYLES["serves_down"]["name"])[0]
    cycle = traces(fig, EDGE_STYLES["cycle"]["name"])[0]
    styles = {(t.line.color, t.line.dash) for t in (ok, down, cycle)}
    assert len(styles) == 3  # three distinct colour+dash pairs
    assert down.line.color != ok.line.color
    assert down.line.dash != ok.line.dash
    assert cycle.line.color != ok.line.color
    assert cycle.line.dash != ok.line.dash
    assert len([x for x in down.x if x is None]) == 1  # desk -> fom
    assert len([x for x in cycle.x if x is None]) == 1  # fom -> desk
    assert len([x for x in ok.x if x is None]) == 14


def test_figure_rings_roles_that_do_not_reach_a_customer():
    fig = pyramid_figure(HOTEL_ROLES, HOTEL_SERVES)
    ring = traces(fig, "does not reach a customer")[0]
    assert len(ring.x) == 2  # laundry and spa
    assert ring.marker.color == UNREACHED_COLOUR
    assert ring.marker.symbol == "circle-open"
    assert ring.showlegend is not False


def test_figure_escapes_user_text_and_keeps_it_out_of_hovertemplates():
    roles = roles_frame(
        [
            ("c", "<b>Guests</b>", "customer", 0, None),
            ("f", "Desk <img src=x onerror=alert(1)>", "frontline", 2, "<i>Front</i>"),
        ]
    )
    fig = pyramid_figure(roles, serves_frame([("f", "c")]), title="<script>x</script>")
    html = fig.to_json()
    assert "<img" not in html
    assert "<script>" not in html
    assert "<i>Front" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html.replace("\\u003c", "<") or "&lt;img" in html
    for trace in fig.data:
        template = trace.hovertemplate or ""
        assert "Desk" not in template
        assert "Guests" not in template
        assert "Front" not in template
    front = traces(fig, "Front line")[0]
    assert front.customdata[0][0] == "Desk &lt;img src=x onerror=alert(1)&gt;"
    assert front.customdata[0][2] == "&lt;i&gt;Front&lt;/i&gt;"
    assert fig.layout.title.text == "&lt;script&gt;x&lt;/script&gt;"


def test_figure_empty_input_has_a_friendly_message():
    fig = pyramid_figure(*empty_tables())
    assert len(fig.data) == 0
    assert fig.layout.annotations[0].text.startswith("No roles yet")


def test_big_figure_is_aggregated_but_flags_come_from_the_full_graph():
    roles, serves = big_org(units=40, per_unit=4)  # 202 roles
    # one staff member serves its manager (down the pyramid), one manager serves nobody
    serves = pd.concat([serves, serves_frame([("s3_0", "m3")])], ignore_index=True)
    serves = serves[serves["from_role"] != "m7"]
    fig = pyramid_figure(roles, serves, max_nodes=60)
    points = sum(len(t.x) for t in fig.data if t.mode == "markers+text")
    assert points <= 60
    down = traces(fig, EDGE_STYLES["serves_down"]["name"])
    assert down
    assert len([x for x in down[0].x if x is None]) == 1
    ring = traces(fig, "does not reach a customer")[0]
    assert len(ring.x) >= 1
    hover = [row for t in fig.data if t.mode == "markers+text" for row in t.customdata]
    assert any(row[4].endswith(" roles") for row in hover)  # "12 roles", plural right
    assert any(str(row[5]).startswith("1 of ") for row in hover)


def test_full_workbook_tables_with_extra_columns_are_accepted(demo_workshop):
    """Regression: analyses take whole workbook tables (all columns, plus unknown ones)."""
    from kit.analyses.pyramid import build_graph, role_reach, support_chains, touchpoint_reach
    from kit.store.workshop import Workshop

    wb = Workshop(demo_workshop).team("front-desk-friends").load()
    roles = wb["roles"].assign(notes="kept")
    graph = build_graph(roles, wb["serves"].assign(since="2026"))
    assert graph.number_of_nodes() == len(roles)
    journey = wb["journey"]
    assert len(support_chains(graph, journey)) > 0
    reach = touchpoint_reach(graph, journey)
    assert set(reach["touchpoint_id"]) <= set(journey["touchpoint_id"])
    assert role_reach(graph, journey)["touchpoints"].max() > 0
