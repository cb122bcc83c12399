"""Tests of kit.analyses.scoring: medians, gaps, IPA quadrants, priorities, readiness, team agreement."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from kit.analyses import scoring as S
from kit.store.schema import TABLES

SCORE_COLUMNS = TABLES["scores"].columns


def make_scores(rows: list[tuple]) -> pd.DataFrame:
    """Rows of (touchpoint_id, scorer, importance, performance[, be, do, have])."""
    full = [tuple(row) + (None,) * (7 - len(row)) for row in rows]
    table = pd.DataFrame(full, columns=SCORE_COLUMNS)
    for kind in ("be", "do", "have"):
        table[kind] = table[kind].astype("Int64")
    return table


def make_journey(ids: list[str], mot: set[str] = frozenset()) -> pd.DataFrame:
    """A journey with touchpoints in the given order (order 1, 2, …)."""
    return pd.DataFrame(
        {
            "touchpoint_id": ids,
            "stage": ["Stay"] * len(ids),
            "order": list(range(1, len(ids) + 1)),
            "time": [None] * len(ids),
            "description": [f"what happens at {i}" for i in ids],
            "channel": [None] * len(ids),
            "contact": ["direct"] * len(ids),
            "role_id": [None] * len(ids),
            "emotion": [0] * len(ids),
            "moment_of_truth": [i in mot for i in ids],
        }
    )


def empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=TABLES[name].columns)


# --------------------------------------------------------------------------- summary


def test_summary_hand_worked_three_scorers():
    # t1: importance 5, 4, 2 -> median 4, spread 3; performance 1, 2, 2 -> median 2, spread 1;
    #     gap 4 - 2 = 2. be 3, 3, 3 -> 3; do 2, 4, missing -> 3; have 1, 2, 3 -> 2;
    #     readiness (3 + 3 + 2) / 3 = 8/3; weakest: have (2). Spreads: importance 3, do 2,
    #     have 2 -> disagreement on those three; performance 1 and be 0 are not.
    scores = make_scores(
        [
            ("t1", "Ann", 5, 1, 3, 2, 1),
            ("t1", "Bo", 4, 2, 3, 4, 2),
            ("t1", "Cy", 2, 2, 3, None, 3),
        ]
    )
    row = S.touchpoint_summary(scores).iloc[0]
    assert row["scorers"] == 3
    assert row["importance"] == 4
    assert row["performance"] == 2
    assert row["gap"] == 2
    assert row["importance_spread"] == 3
    assert row["performance_spread"] == 1
    assert (row["be"], row["do"], row["have"]) == (3, 3, 2)
    assert row["readiness"] == pytest.approx(8 / 3)
    assert row["weakest"] == "have"
    assert bool(row["disagreement"]) is True
    assert row["disagree_on"] == "importance, do, have"


def test_median_of_two_scorers_is_half_way():
    # importance 5 and 4 -> 4.5; performance 1 and 2 -> 1.5; gap 3.0; spreads 1 -> no disagreement
    scores = make_scores([("t", "A", 5, 1), ("t", "B", 4, 2)])
    row = S.touchpoint_summary(scores).iloc[0]
    assert (row["importance"], row["performance"], row["gap"]) == (4.5, 1.5, 3.0)
    assert bool(row["disagreement"]) is False
    assert row["disagree_on"] == ""


@pytest.mark.parametrize(
    ("be", "do", "have", "expected"),
    [
        (2, 2, 2, "be"),  # three-way tie: be first
        (3, 2, 2, "do"),  # do/have tie: do before have
        (2, 3, 2, "be"),  # be/have tie: be before have
        (4, 3, 1, "have"),
        (None, 3, 3, "do"),  # be not scored: do/have tie -> do
        (None, None, None, None),
    ],
)
def test_weakest_tie_break_be_do_have(be, do, have, expected):
    scores = make_scores([("t", "A", 3, 3, be, do, have)])
    weakest = S.touchpoint_summary(scores)["weakest"].iloc[0]
    assert (None if pd.isna(weakest) else weakest) == expected


def test_disagreement_threshold_is_two_points():
    # performance 2 vs 4 differs by exactly 2 -> flagged; 2 vs 3 -> not flagged
    scores = make_scores([("a", "A", 3, 2), ("a", "B", 3, 4), ("b", "A", 3, 2), ("b", "B", 3, 3)])
    summary = S.touchpoint_summary(scores).set_index("touchpoint_id")
    assert bool(summary.loc["a", "disagreement"]) is True
    assert summary.loc["a", "disagree_on"] == "performance"
    assert bool(summary.loc["b", "disagreement"]) is False


def test_summary_follows_journey_and_puts_unknown_touchpoints_last():
    scores = make_scores([("zz", "A", 3, 3), ("late", "A", 3, 3), ("early", "A", 3, 3)])
    journey = make_journey(["early", "late"], mot={"late"})
    summary = S.touchpoint_summary(scores, journey)
    assert summary["touchpoint_id"].tolist() == ["early", "late", "zz"]
    assert summary["moment_of_truth"].tolist() == [False, True, False]
    assert summary["description"].iloc[0] == "what happens at early"
    assert summary["position"].iloc[:2].tolist() == [0, 1]
    assert pd.isna(summary["position"].iloc[2])


def test_unscored_touchpoints():
    journey = make_journey(["a", "b", "c"])
    scores = make_scores([("b", "A", 3, 3)])
    assert S.unscored_touchpoints(scores, journey) == ["a", "c"]


# --------------------------------------------------------------------------- IPA


def test_ipa_quadrants_at_the_midpoint_including_the_lines():
    scores = make_scores(
        [
            ("conc", "A", 5, 1),  # high importance, low performance
            ("keep", "A", 4, 5),
            ("low", "A", 1, 2),
            ("over", "A", 2, 5),
            ("centre", "A", 3, 3),  # on both lines: in no quadrant
            ("imp_line", "A", 3, 4),  # importance on the line
            ("perf_line", "A", 5, 3),  # performance exactly 3 is not "below par"
        ]
    )
    result = S.ipa(scores).set_index("touchpoint_id")
    assert result["quadrant"].to_dict() == {
        "centre": "On the line",
        "conc": "Concentrate here",
        "imp_line": "On the line",
        "keep": "Keep up the good work",
        "low": "Low priority",
        "over": "Possible overkill",
        "perf_line": "On the line",
    }
    assert result["on_line"].to_dict() == {
        "centre": True,
        "conc": False,
        "imp_line": True,
        "keep": False,
        "low": False,
        "over": False,
        "perf_line": True,
    }
    assert (result["crosshair_importance"] == 3).all()
    # Being on the line does not hide a gap from the priorities: 5 - 3 = 2, x 5 = 10 < 20.
    assert S.top_priorities(scores, k=2)["touchpoint_id"].tolist() == ["conc", "perf_line"]


def test_the_on_line_rule_is_stated_in_words():
    assert S.ON_LINE_RULE == (
        "On the line: importance or performance exactly at the crosshair. Such a touchpoint is "
        "in no quadrant (one rating more would tip it either way), so it is neither "
        "“performing below par” nor “keep up”: talk it through."
    )
    assert (*S.QUADRANTS, "On the line") == S.CATEGORIES


def test_ipa_mean_crosshair_hand_worked():
    # importance medians 5, 4, 3 -> mean 4; performance 2, 4, 3 -> mean 3.
    # a (5, 2): high/low -> Concentrate. b (4, 4): importance on the line -> On the line.
    # c (3, 3): performance 3 on the line -> On the line.
    scores = make_scores([("a", "A", 5, 2), ("b", "A", 4, 4), ("c", "A", 3, 3)])
    result = S.ipa(scores, crosshair="mean").set_index("touchpoint_id")
    assert result["crosshair_importance"].iloc[0] == 4
    assert result["crosshair_performance"].iloc[0] == 3
    assert result["quadrant"].to_dict() == {
        "a": "Concentrate here",
        "b": "On the line",
        "c": "On the line",
    }


def test_ipa_rejects_an_unknown_crosshair():
    with pytest.raises(ValueError, match="midpoint"):
        S.ipa(make_scores([("a", "A", 3, 3)]), crosshair="median")


score_rows = st.lists(
    st.tuples(
        st.sampled_from(["t1", "t2", "t3", "t4", "t5", "t6"]),
        st.sampled_from(["Ann", "Bo", "Cy", "Di"]),
        st.integers(1, 5),
        st.integers(1, 5),
        st.one_of(st.none(), st.integers(1, 5)),
        st.one_of(st.none(), st.integers(1, 5)),
        st.one_of(st.none(), st.integers(1, 5)),
    ),
    min_size=1,
    max_size=24,
    unique_by=lambda row: (row[0], row[1]),
)


@settings(max_examples=60, deadline=None)
@given(rows=score_rows, crosshair=st.sampled_from(["midpoint", "mean"]))
def test_quadrant_agrees_with_crosshair(rows, crosshair):
    result = S.ipa(make_scores(rows), crosshair=crosshair)
    for row in result.itertuples():
        high_i = row.importance > row.crosshair_importance
        high_p = row.performance > row.crosshair_performance
        on_line = (
            row.importance == row.crosshair_importance
            or row.performance == row.crosshair_performance
        )
        expected = (
            "On the line"
            if on_line
            else {
                (True, False): "Concentrate here",
                (True, True): "Keep up the good work",
                (False, False): "Low priority",
                (False, True): "Possible overkill",
            }[(high_i, high_p)]
        )
        assert row.quadrant == expected
        assert row.on_line == on_line
        assert row.high_importance == high_i and row.high_performance == high_p


@settings(max_examples=60, deadline=None)
@given(rows=score_rows)
def test_gap_bounds_and_definition(rows):
    summary = S.touchpoint_summary(make_scores(rows))
    assert summary["gap"].between(-4, 4).all()
    assert (summary["gap"] == summary["importance"] - summary["performance"]).all()
    assert summary["importance"].between(1, 5).all()
    assert summary["scorers"].sum() == len(rows)
    assert set(summary["touchpoint_id"]) == {r[0] for r in rows}


# --------------------------------------------------------------------------- priorities


def test_priority_formula_and_tie_breaks_hand_worked():
    # mot_weight 2:
    #   a: importance 4, performance 1, gap 3 -> 3 * 4 = 12
    #   b: importance 3, performance 1, gap 2, moment of truth -> 2 * 3 * 2 = 12 (tie with a;
    #      a has the higher importance so a first)
    #   c: 4, 2 -> 2 * 4 = 8; d: 4, 2 -> 8, d comes earlier in the journey, so d before c
    #   e and f: gap -1 -> 0; neither in the journey, same importance 2 -> by id
    #   g: importance 5, performance 5 -> 0, importance 5 beats e/f on the tie
    scores = make_scores(
        [
            ("a", "A", 4, 1),
            ("b", "A", 3, 1),
            ("c", "A", 4, 2),
            ("d", "A", 4, 2),
            ("f", "A", 2, 3),
            ("e", "A", 2, 3),
            ("g", "A", 5, 5),
        ]
    )
    journey = make_journey(["a", "d", "b", "g", "c"], mot={"b"})
    ranking = S.priority_ranking(scores, journey, mot_weight=2)
    assert ranking["touchpoint_id"].tolist() == ["a", "b", "d", "c", "g", "e", "f"]
    assert ranking["priority"].tolist() == [12, 12, 8, 8, 0, 0, 0]
    assert ranking["rank"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert ranking.set_index("touchpoint_id").loc["b", "weight"] == 2


def test_default_moment_of_truth_weight_is_one_and_a_half():
    # gap 2 * importance 4 * 1.5 = 12
    scores = make_scores([("a", "A", 4, 2)])
    assert S.priority_ranking(scores, make_journey(["a"], mot={"a"}))["priority"].iloc[0] == 12


def test_top_priorities_skip_touchpoints_without_a_gap():
    scores = make_scores(
        [("a", "A", 5, 1), ("b", "A", 5, 4), ("c", "A", 3, 3), ("d", "A", 4, 2), ("e", "A", 5, 2)]
    )
    # priorities: a 4*5 = 20, e 3*5 = 15, d 2*4 = 8, b 1*5 = 5, c 0
    assert S.top_priorities(scores)["touchpoint_id"].tolist() == ["a", "e", "d"]
    assert S.top_priorities(scores, k=10)["touchpoint_id"].tolist() == ["a", "e", "d", "b"]
    assert S.top_priorities(make_scores([("c", "A", 3, 3)])).empty


@pytest.mark.parametrize("weight", [0, -1, float("nan"), float("inf"), "2", True])
def test_priority_rejects_a_bad_weight(weight):
    with pytest.raises(ValueError, match="mot_weight"):
        S.priority_ranking(make_scores([("a", "A", 4, 2)]), mot_weight=weight)


@settings(max_examples=60, deadline=None)
@given(rows=score_rows, mot=st.sets(st.sampled_from(["t1", "t2", "t3"])), data=st.data())
def test_priority_ranking_is_a_deterministic_permutation(rows, mot, data):
    scores = make_scores(rows)
    journey = make_journey(["t3", "t1", "t2", "t6"], mot=mot)
    ranking = S.priority_ranking(scores, journey)
    ids = sorted({r[0] for r in rows})
    assert sorted(ranking["touchpoint_id"]) == ids
    assert ranking["rank"].tolist() == list(range(1, len(ids) + 1))
    assert ranking["priority"].is_monotonic_decreasing
    assert ranking["priority"].between(0, 30).all()
    expected = (
        ranking["gap"].clip(lower=0)
        * ranking["importance"]
        * ranking["moment_of_truth"].map({True: 1.5, False: 1.0})
    )
    assert (ranking["priority"] == expected).all()
    seed = data.draw(st.integers(0, 10_000))
    shuffled = S.priority_ranking(
        scores.sample(frac=1, random_state=seed), journey.sample(frac=1, random_state=seed)
    )
    assert shuffled["touchpoint_id"].tolist() == ranking["touchpoint_id"].tolist()


# --------------------------------------------------------------------------- readiness


def test_spearman_hand_worked_with_ties():
    # x ranks 1..5; y = 5, 6, 7, 8, 7 -> ranks 1, 2, 3.5, 5, 3.5 (the two 7s share 3 and 4).
    # dx = -2, -1, 0, 1, 2; dy = -2, -1, 0.5, 2, 0.5 -> sum dx*dy = 4 + 1 + 0 + 2 + 1 = 8;
    # sum dx^2 = 10; sum dy^2 = 4 + 1 + 0.25 + 4 + 0.25 = 9.5 -> rho = 8 / sqrt(95)
    rho = S.spearman(pd.Series([1, 2, 3, 4, 5]), pd.Series([5, 6, 7, 8, 7]))
    assert rho == pytest.approx(8 / math.sqrt(95))


def test_spearman_degenerate_cases():
    assert math.isnan(S.spearman(pd.Series([1]), pd.Series([2])))
    assert math.isnan(S.spearman(pd.Series([1, 2, 3]), pd.Series([4, 4, 4])))
    # the pair with a missing value is dropped: (1, 3), (3, 1) remain -> perfectly reversed
    assert S.spearman(pd.Series([1, None, 3]), pd.Series([3, 2, 1])) == -1


@settings(max_examples=80, deadline=None)
@given(pairs=st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=2, max_size=15))
def test_spearman_properties(pairs):
    x = pd.Series([p[0] for p in pairs])
    y = pd.Series([p[1] for p in pairs])
    assume(x.nunique() > 1 and y.nunique() > 1)
    rho = S.spearman(x, y)
    assert -1 <= rho <= 1
    assert rho == pytest.approx(S.spearman(y, x))
    assert S.spearman(x, -y) == pytest.approx(-rho)
    assert S.spearman(x**3 + 7, y) == pytest.approx(rho)  # unchanged by a monotone transform


def _readiness_scores(readiness: list[int], performance: list[int]) -> pd.DataFrame:
    return make_scores(
        [
            (f"t{i}", "A", 5, p, r, r, r)
            for i, (r, p) in enumerate(zip(readiness, performance, strict=True))
        ]
    )


def test_readiness_vs_performance_strong_negative():
    # readiness 1..5 against performance 5..1: ranks exactly reversed, rho = -1
    result = S.readiness_vs_performance(_readiness_scores([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]))
    assert result.n == 5
    assert result.rho == pytest.approx(-1)
    assert "negative" in result.reading and "worse" in result.reading
    assert result.warning is None


def test_readiness_vs_performance_warns_on_small_n():
    result = S.readiness_vs_performance(_readiness_scores([1, 2, 3], [1, 2, 3]))
    assert result.n == 3
    assert result.rho == pytest.approx(1)
    assert result.warning is not None and "Only 3" in result.warning


def test_readiness_vs_performance_zero_variance():
    result = S.readiness_vs_performance(_readiness_scores([3] * 6, [1, 2, 3, 4, 5, 5]))
    assert result.n == 6
    assert math.isnan(result.rho)
    assert result.warning is not None and "readiness" in result.warning


def test_readiness_vs_performance_leaves_out_touchpoints_without_readiness():
    scores = _readiness_scores([1, 2, 3, 4, 5], [1, 2, 3, 4, 5])
    scores = pd.concat([scores, make_scores([("x", "A", 5, 1)])], ignore_index=True)
    assert S.readiness_vs_performance(scores).n == 5


# --------------------------------------------------------------------------- across teams


def test_team_agreement_hand_worked():
    # Priorities (no moments of truth): gap * importance.
    #   Blue:  a 3*5 = 15, b 1*4 = 4,  c 2*4 = 8  -> ranks a1 c2 b3
    #   Green: a 2*5 = 10, b 2*4 = 8,  c 0        -> ranks a1 b2 c3
    #   Red:   a 1*5 = 5 (only a scored)          -> rank a1
    # k = 2: a is in every top 2; c only Blue's; b only Green's.
    blue = make_scores([("a", "x", 5, 2), ("b", "x", 4, 3), ("c", "x", 4, 2)])
    green = make_scores([("a", "y", 5, 3), ("b", "y", 4, 2), ("c", "y", 3, 4)])
    red = make_scores([("a", "z", 5, 4)])
    teams = {"Blue": blue, "Green": green, "Red": red}
    ranks = S.team_ranks(teams, k=2)
    assert ranks[ranks["team"] == "Blue"]["touchpoint_id"].tolist() == ["a", "c", "b"]
    agreement = S.team_agreement(teams, make_journey(["c", "b", "a"]), k=2).set_index(
        "touchpoint_id"
    )
    # a is in all top-2 lists; b and c are each in one, with mean ranks (3 + 2) / 2 and
    # (2 + 3) / 2 = 2.5: tied, so journey order decides (the journey runs c, b, a).
    assert agreement.index.tolist() == ["a", "c", "b"]
    assert bool(agreement.loc["a", "all_top_k"]) is True
    assert agreement.loc["a", "teams"] == 3
    assert agreement.loc["a", "teams_top_k"] == 3
    assert agreement.loc["a", "priority_spread"] == 10  # 15 - 5
    assert agreement.loc["a", "rank_spread"] == 0
    assert agreement.loc["c", "top_k_teams"] == "Blue"
    assert agreement.loc["b", "top_k_teams"] == "Green"
    assert agreement.loc["c", "rank_spread"] == 1
    assert agreement.loc["c", "mean_priority"] == 4  # (8 + 0) / 2


def test_team_agreement_counts_every_team_for_all_top_k():
    scores = make_scores([("a", "x", 5, 1)])
    agreement = S.team_agreement({"One": scores, "Empty": empty("scores")}, k=3)
    assert agreement["teams"].tolist() == [1]
    assert agreement["all_top_k"].tolist() == [False]


# --------------------------------------------------------------------------- robustness


def test_empty_tables_everywhere():
    scores, journey = empty("scores"), empty("journey")
    assert S.touchpoint_summary(scores, journey).columns.tolist() == S.SUMMARY_COLUMNS
    assert S.ipa(scores, journey).columns.tolist() == S.IPA_COLUMNS
    assert S.ipa(scores, journey, crosshair="mean").empty
    assert S.priority_ranking(scores, journey).columns.tolist() == S.PRIORITY_COLUMNS
    assert S.top_priorities(scores, journey).empty
    result = S.readiness_vs_performance(scores, journey)
    assert result.n == 0 and math.isnan(result.rho) and result.warning
    assert S.team_ranks({}).columns.tolist() == S.TEAM_RANK_COLUMNS
    assert S.team_agreement({}).columns.tolist() == S.AGREEMENT_COLUMNS
    assert S.team_agreement({"A": scores}, journey).empty
    assert S.unscored_touchpoints(scores, journey) == []
    assert S.crosshair_point(S.touchpoint_summary(scores), "mean") == (3.0, 3.0)


def test_scores_without_journey_rows():
    scores = make_scores([("a", "A", 4, 2)])
    assert S.priority_ranking(scores, empty("journey"))["priority"].tolist() == [8]


def test_inputs_are_not_mutated():
    scores = make_scores([("a", "A", 4, 2, 3, None, 1), ("a", "B", 2, 2, 4, 4, 4)])
    journey = make_journey(["a"], mot={"a"})
    before_scores, before_journey = scores.copy(deep=True), journey.copy(deep=True)
    S.touchpoint_summary(scores, journey)
    S.ipa(scores, journey, crosshair="mean")
    S.priority_ranking(scores, journey)
    S.readiness_vs_performance(scores, journey)
    S.team_agreement({"A": scores}, journey)
    pd.testing.assert_frame_equal(scores, before_scores)
    pd.testing.assert_frame_equal(journey, before_journey)


def _pandas_summary(scores: pd.DataFrame) -> pd.DataFrame:
    """The summary of ``scores`` without a journey, made with pandas' group-by reductions: the
    oracle the kit's own loop (written for speed: a projector tile of 300 teams) must agree
    with. Without a journey, rows are by id, stage and description missing, position NaN."""
    from kit.analyses.scoring.model import DISAGREEMENT_POINTS, RATINGS, SUMMARY_COLUMNS
    from kit.store import cells

    kinds = ["be", "do", "have"]
    table = cells.with_columns(scores, "scores")
    for rating in RATINGS:
        table[rating] = pd.to_numeric(table[rating], errors="coerce").astype(float)
    table = table[table["touchpoint_id"].notna()].copy()
    table["touchpoint_id"] = table["touchpoint_id"].map(cells.text_or_none)
    grouped = table.groupby("touchpoint_id", sort=True)[list(RATINGS)]
    spreads = grouped.max() - grouped.min()
    medians, means = grouped.median(), grouped.mean()
    out = pd.DataFrame({"scorers": grouped.size()})
    out["importance"], out["performance"] = medians["importance"], medians["performance"]
    out["gap"] = out["importance"] - out["performance"]
    out["importance_spread"] = spreads["importance"]
    out["performance_spread"] = spreads["performance"]
    for kind in kinds:
        out[kind] = means[kind]
    out["readiness"] = out[kinds].mean(axis=1, skipna=True)

    def weakest(tp):  # the lowest mean; ties to the earlier of be, do, have
        given = [(out.at[tp, k], n, k) for n, k in enumerate(kinds) if not pd.isna(out.at[tp, k])]
        return min(given)[2] if given else None

    out["weakest"] = [weakest(tp) for tp in out.index]
    out["disagree_on"] = [
        ", ".join(r for r in RATINGS if spreads.at[tp, r] >= DISAGREEMENT_POINTS)
        for tp in out.index
    ]
    out["disagreement"] = out["disagree_on"] != ""
    out["stage"] = [None] * len(out)
    out["description"] = [None] * len(out)
    out["position"] = [float("nan")] * len(out)
    out["moment_of_truth"] = [False] * len(out)
    return out.rename_axis("touchpoint_id").reset_index()[SUMMARY_COLUMNS]


@settings(max_examples=120, deadline=None)
@given(
    rows=score_rows,
    blank=st.sets(st.integers(0, 23)),
    spaced=st.booleans(),
)
def test_the_summary_statistics_are_pandas_group_by_reductions(rows, blank, spaced):
    """Medians (an even count: the mean of the middle two), means of what was rated, spreads,
    readiness, weakest and disagreement, per touchpoint in id order, as pandas' groupby gives
    them, to the last bit and the dtype; blank ids and unrated cells left out alike."""
    scores = make_scores([r[:4] for r in rows])
    for kind, column in zip(("be", "do", "have"), (4, 5, 6), strict=True):
        scores[kind] = pd.array([r[column] for r in rows], dtype="Int64")
    ids = [
        ("  " if n in blank else f" {tp} " if spaced else tp)
        for n, tp in enumerate(scores["touchpoint_id"])
    ]
    scores["touchpoint_id"] = ids
    expected = _pandas_summary(scores)
    got = S.touchpoint_summary(scores)
    if expected.empty:
        assert got.empty
        assert list(got.columns) == list(expected.columns)
        return
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


@settings(max_examples=80, deadline=None)
@given(
    rows=score_rows,
    k=st.integers(1, 6),
    journey_ids=st.sets(st.sampled_from(["t1", "t2", "t3", "t4", "t5", "t6"])),
)
def test_the_widest_spreads_are_the_summary_s_filtered_and_sorted(rows, k, journey_ids):
    """Touchpoints of the journey scored twice or more whose wider spread is above 0, widest
    first (journey order among equals), the first k: what pandas' filter, max and stable sort
    make of the summary, value for value."""
    from kit.analyses.scoring.scorers import SPREAD_COLUMNS, widest_spreads

    scores = make_scores([r[:4] for r in rows])
    journey = make_journey(sorted(journey_ids))
    summary = S.touchpoint_summary(scores, journey)
    expected = summary[(summary["scorers"] >= 2) & summary["touchpoint_id"].isin(journey_ids)]
    expected = expected.assign(
        spread=expected[["importance_spread", "performance_spread"]].max(axis=1)
    )
    expected = expected[expected["spread"] > 0].sort_values(
        "spread", ascending=False, kind="mergesort"
    )
    got = widest_spreads(scores, journey, k)
    assert got.to_dict("records") == expected[SPREAD_COLUMNS].head(k).to_dict("records")
