"""Tests of kit.analyses.journey: ordering, shares, emotion, moments of truth, blueprint lanes."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kit.analyses import journey as J
from kit.store.schema import TABLES

JOURNEY_COLUMNS = TABLES["journey"].columns


def make_journey(rows: list[dict]) -> pd.DataFrame:
    """A journey table with every schema column (defaults for the ones a row leaves out)."""
    defaults = {
        "time": None,
        "description": "something happens",
        "channel": None,
        "contact": "direct",
        "role_id": None,
        "emotion": 0,
        "moment_of_truth": False,
    }
    return pd.DataFrame([defaults | row for row in rows], columns=JOURNEY_COLUMNS)


def empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=TABLES[name].columns)


def tp(tid: str, stage: str, order: int, **extra) -> dict:
    return {"touchpoint_id": tid, "stage": stage, "order": order} | extra


# --------------------------------------------------------------------------- ordering


def test_stage_order_is_its_smallest_order_not_first_appearance():
    # "Stay" appears last in the file but holds order 1, so it comes first (min order 1 < 2).
    journey = make_journey(
        [tp("a1", "Arrive", 2), tp("a2", "Arrive", 3), tp("s1", "Stay", 4), tp("s0", "Stay", 1)]
    )
    ordered = J.ordered_touchpoints(journey)
    assert ordered["touchpoint_id"].tolist() == ["s0", "s1", "a1", "a2"]
    assert ordered["stage_order"].tolist() == [0, 0, 1, 1]
    assert ordered["position"].tolist() == [0, 1, 2, 3]
    assert J.stages(journey) == ["Stay", "Arrive"]


def test_ties_broken_by_time_missing_last_then_id():
    # Same stage and order 1: 07:05 before 7:30 (minutes 425 < 450) before missing times;
    # the two without time are ordered by id ("b" < "c").
    journey = make_journey(
        [
            tp("c", "Day", 1),
            tp("x", "Day", 1, time="7:30"),
            tp("b", "Day", 1),
            tp("y", "Day", 1, time="07:05"),
        ]
    )
    assert J.ordered_touchpoints(journey)["touchpoint_id"].tolist() == ["y", "x", "b", "c"]


def test_stages_with_the_same_first_order_go_by_name():
    journey = make_journey([tp("z", "Zebra", 1), tp("a", "Apple", 1), tp("m", "Apple", 5)])
    ordered = J.ordered_touchpoints(journey)
    assert J.stages(journey) == ["Apple", "Zebra"]
    # A stage stays contiguous even when its touchpoints interleave in order with another's.
    assert ordered["touchpoint_id"].tolist() == ["a", "m", "z"]


journey_rows = st.lists(
    st.fixed_dictionaries(
        {
            "stage": st.sampled_from(["Arrive", "Stay", "Eat", "Leave"]),
            "order": st.integers(0, 6),
            "time": st.one_of(st.none(), st.sampled_from(["07:00", "09:30", "12:00", "23:59"])),
            "contact": st.sampled_from(["direct", "indirect"]),
            "emotion": st.integers(-2, 2),
            "moment_of_truth": st.booleans(),
        }
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(rows=journey_rows, data=st.data())
def test_ordering_is_deterministic_and_stage_contiguous(rows, data):
    journey = make_journey([{"touchpoint_id": f"t{i:02d}"} | row for i, row in enumerate(rows)])
    shuffled = journey.sample(frac=1, random_state=data.draw(st.integers(0, 10_000)))
    first = J.ordered_touchpoints(journey)
    second = J.ordered_touchpoints(shuffled)
    assert first["touchpoint_id"].tolist() == second["touchpoint_id"].tolist()
    assert first["position"].tolist() == list(range(len(journey)))
    # stage_order never decreases along the journey, and each stage is one run.
    assert first["stage_order"].is_monotonic_increasing
    runs = [s for i, s in enumerate(first["stage"]) if i == 0 or s != first["stage"].iat[i - 1]]
    assert len(runs) == len(set(runs)) == first["stage"].nunique()
    # inside a stage, order never decreases
    for _, group in first.groupby("stage_order"):
        assert group["order"].astype(int).is_monotonic_increasing


@settings(max_examples=60, deadline=None)
@given(rows=journey_rows)
def test_contact_shares_sum_to_one(rows):
    journey = make_journey([{"touchpoint_id": f"t{i}"} | row for i, row in enumerate(rows)])
    shares = J.contact_share(journey)
    assert math.isclose(shares["share"].sum(), 1.0)
    assert shares["touchpoints"].sum() == len(journey)
    summary = J.stage_summary(journey)
    assert summary["touchpoints"].sum() == len(journey)
    assert ((summary["direct"] + summary["indirect"]) == summary["touchpoints"]).all()


# --------------------------------------------------------------------------- measures


def test_contact_share_hand_worked():
    # 1 direct of 4 -> 0.25 / 0.75
    journey = make_journey(
        [
            tp("a", "S", 1, contact="direct"),
            tp("b", "S", 2, contact="indirect"),
            tp("c", "S", 3, contact="indirect"),
            tp("d", "S", 4, contact="indirect"),
        ]
    )
    shares = J.contact_share(journey).set_index("contact")
    assert shares.loc["direct", "touchpoints"] == 1
    assert shares.loc["direct", "share"] == pytest.approx(0.25)
    assert shares.loc["indirect", "share"] == pytest.approx(0.75)


def test_stage_summary_hand_worked():
    # Arrive: emotions 2, -1, -2 -> mean -1/3, min -2; 2 direct of 3; one moment of truth.
    # Leave: emotion 1, indirect only.
    journey = make_journey(
        [
            tp("a", "Arrive", 1, emotion=2, contact="direct", moment_of_truth=True),
            tp("b", "Arrive", 2, emotion=-1, contact="indirect"),
            tp("c", "Arrive", 3, emotion=-2, contact="direct"),
            tp("d", "Leave", 4, emotion=1, contact="indirect"),
        ]
    )
    summary = J.stage_summary(journey)
    assert summary["stage"].tolist() == ["Arrive", "Leave"]
    arrive, leave = summary.iloc[0], summary.iloc[1]
    assert arrive["mean_emotion"] == pytest.approx(-1 / 3)
    assert arrive["min_emotion"] == -2
    assert arrive["direct_share"] == pytest.approx(2 / 3)
    assert arrive["moments_of_truth"] == 1
    assert leave["direct_share"] == 0
    assert leave["mean_emotion"] == 1


def test_emotion_curve_follows_journey_order():
    journey = make_journey(
        [tp("late", "S", 9, emotion=-2), tp("early", "S", 1, emotion=2), tp("mid", "S", 5)]
    )
    curve = J.emotion_curve(journey)
    assert curve["touchpoint_id"].tolist() == ["early", "mid", "late"]
    assert curve["emotion"].tolist() == [2, 0, -2]


def test_moments_of_truth_read_spreadsheet_booleans():
    journey = make_journey(
        [
            tp("a", "S", 1, moment_of_truth="yes"),
            tp("b", "S", 2, moment_of_truth=float("nan")),
            tp("c", "S", 3, moment_of_truth=True),
            tp("d", "S", 4, moment_of_truth="no"),
            tp("e", "S", 5, moment_of_truth=None),
        ]
    )
    mot = J.moments_of_truth(journey)
    assert mot["touchpoint_id"].tolist() == ["a", "c"]
    assert mot["position"].tolist() == [0, 2]


def test_unserved_touchpoints_name_the_reason():
    journey = make_journey(
        [
            tp("ok", "S", 1, role_id="desk"),
            tp("none", "S", 2, role_id=None),
            tp("nan", "S", 3, role_id=float("nan")),
            tp("blank", "S", 4, role_id="  "),
            tp("ghost", "S", 5, role_id="nobody"),
        ]
    )
    roles = pd.DataFrame({"role_id": ["desk"], "name": ["Desk"], "level": ["frontline"]})
    without_roles = J.unserved_touchpoints(journey)
    assert without_roles["touchpoint_id"].tolist() == ["none", "nan", "blank"]
    with_roles = J.unserved_touchpoints(journey, roles)
    assert dict(zip(with_roles["touchpoint_id"], with_roles["reason"], strict=True)) == {
        "none": "no role named",
        "nan": "no role named",
        "blank": "no role named",
        "ghost": "role not in roles",
    }


# --------------------------------------------------------------------------- blueprint


@pytest.fixture
def hotel():
    journey = make_journey(
        [
            tp("t1", "Arrive", 1, contact="direct", role_id="desk", description="Check in"),
            tp("t2", "Stay", 2, contact="indirect", role_id="hk", description="Room ready"),
            tp("t3", "Stay", 3, contact="direct", role_id=None, description="Lost and found"),
            tp("t4", "Stay", 4, contact="indirect", role_id="temp", description="Laundry"),
        ]
    )
    roles = pd.DataFrame(
        {
            "role_id": ["guest", "desk", "hk", "it", "fom", "gm", "peer", "hkm"],
            "name": [
                "Guest",
                "Front desk",
                "Housekeeping",
                "IT",
                "Front office mgr",
                "General mgr",
                "Bellhop",
                "Head of housekeeping",
            ],
            "level": [
                "customer",
                "frontline",
                "frontline",
                "support",
                "manager",
                "executive",
                "frontline",
                "manager",
            ],
            "headcount": [100.0, 5, 10, 2, 1, 1, 3, 1],
        }
    )
    serves = pd.DataFrame(
        {
            "from_role": ["desk", "it", "fom", "gm", "peer", "it", "desk", "hkm", "fom", "hk"],
            "to_role": ["guest", "desk", "desk", "desk", "desk", "desk", "desk", "hk", "it", "hk"],
        }
    )
    return journey, roles, serves


def test_blueprint_lanes_hand_worked(hotel):
    journey, roles, serves = hotel
    bp = J.blueprint(journey, roles, serves)
    cells = [
        (r.touchpoint_id, r.lane, None if pd.isna(r.role_id) else r.role_id)
        for r in bp.itertuples()
    ]
    assert cells == [
        # t1 direct -> frontstage; desk is served by it (support), fom (manager), gm (executive:
        # not support lane), peer (frontline: no), and a duplicate it edge and a self edge.
        ("t1", "customer", None),
        ("t1", "frontstage", "desk"),
        ("t1", "support", "fom"),
        ("t1", "support", "it"),
        # t2 indirect -> backstage; hk is served by hkm (manager); the hk->hk self edge is ignored.
        ("t2", "customer", None),
        ("t2", "backstage", "hk"),
        ("t2", "support", "hkm"),
        # t3 names no role: one frontstage row without an actor, no support.
        ("t3", "customer", None),
        ("t3", "frontstage", None),
        # t4's role is not in roles: the id stands in for the name, nobody serves it.
        ("t4", "customer", None),
        ("t4", "backstage", "temp"),
    ]
    assert bp.loc[1, "actor"] == "Front desk"
    assert bp.loc[2, "actor"] == "Front office mgr"
    assert bp.loc[2, "via_role_id"] == "desk"
    assert bp.loc[2, "text"] == "serves Front desk"
    assert bp.loc[0, "text"] == "Check in"
    assert pd.isna(bp.loc[8, "actor"])
    assert bp.loc[10, "actor"] == "temp"
    assert bp["lane_order"].tolist() == [J.LANES.index(lane) for lane in bp["lane"]]


def test_blueprint_support_is_one_hop_only(hotel):
    journey, roles, serves = hotel
    bp = J.blueprint(journey, roles, serves)
    # gm serves fom serves desk: gm is two hops from t1 and executive, so it is absent.
    assert "gm" not in set(bp["role_id"].dropna())
    # fom serves it, but it is not a touchpoint's role: no support row via "it".
    assert "it" not in set(bp["via_role_id"].dropna())


def test_blueprint_without_roles_or_serves():
    journey = make_journey([tp("a", "S", 1, contact="direct", role_id="desk")])
    bp = J.blueprint(journey)
    assert bp["lane"].tolist() == ["customer", "frontstage"]
    assert bp["actor"].tolist() == ["Customer", "desk"]


def test_blueprint_lines_separate_adjacent_lanes():
    assert [(a, b) for _, a, b in J.BLUEPRINT_LINES] == list(
        zip(J.LANES, J.LANES[1:], strict=False)
    )
    assert [name for name, _, _ in J.BLUEPRINT_LINES] == [
        "line of interaction",
        "line of visibility",
        "line of internal interaction",
    ]


# --------------------------------------------------------------------------- robustness


def test_every_function_accepts_empty_tables():
    journey, roles, serves = empty("journey"), empty("roles"), empty("serves")
    assert J.ordered_touchpoints(journey).empty
    assert J.stages(journey) == []
    assert J.stage_summary(journey).columns.tolist() == J.STAGE_COLUMNS
    shares = J.contact_share(journey)
    assert shares["touchpoints"].tolist() == [0, 0]
    assert shares["share"].tolist() == [0.0, 0.0]
    assert J.emotion_curve(journey).empty
    assert J.moments_of_truth(journey).empty
    assert "reason" in J.unserved_touchpoints(journey, roles).columns
    bp = J.blueprint(journey, roles, serves)
    assert bp.empty
    assert bp.columns.tolist() == J.BLUEPRINT_COLUMNS


def test_required_columns_only_is_enough():
    journey = pd.DataFrame(
        {
            "touchpoint_id": ["a", "b"],
            "stage": ["S", "S"],
            "order": [2, 1],
            "description": ["x", "y"],
            "contact": ["direct", "indirect"],
        }
    )
    assert J.ordered_touchpoints(journey)["touchpoint_id"].tolist() == ["b", "a"]
    assert J.moments_of_truth(journey).empty
    assert len(J.blueprint(journey)) == 4


def test_inputs_are_not_mutated(hotel):
    journey, roles, serves = hotel
    before = [journey.copy(deep=True), roles.copy(deep=True), serves.copy(deep=True)]
    J.ordered_touchpoints(journey)
    J.stage_summary(journey)
    J.unserved_touchpoints(journey, roles)
    J.blueprint(journey, roles, serves)
    for original, now in zip(before, (journey, roles, serves), strict=True):
        pd.testing.assert_frame_equal(original, now)


def test_nullable_integer_columns():
    journey = make_journey([tp("a", "S", 1), tp("b", "S", 2)])
    journey["order"] = pd.array([2, None], dtype="Int64")
    journey["emotion"] = pd.array([1, None], dtype="Int64")
    ordered = J.ordered_touchpoints(journey)
    # missing order sorts last
    assert ordered["touchpoint_id"].tolist() == ["a", "b"]
    assert J.stage_summary(journey)["mean_emotion"].iloc[0] == 1
