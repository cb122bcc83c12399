"""Cross-team agreement figure: ranks by hand, escaping, empty input."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from kit.figures.teams import agreement_figure

XSS = "<img src=x onerror=alert(1)>"


def scores(rows):
    return pd.DataFrame(rows, columns=["touchpoint_id", "scorer", "importance", "performance"])


def test_ranks_by_hand_and_star_for_shared_top():
    # Blue: T1 priority (5-2)*5=15, T2 (4-3)*4=4  -> ranks 1, 2
    # Green: T1 (4-3)*4=4, T2 (5-1)*5=20          -> ranks 2, 1
    blue = scores([("T1", "a", 5, 2), ("T2", "a", 4, 3)])
    green = scores([("T1", "b", 4, 3), ("T2", "b", 5, 1)])
    fig = agreement_figure({"Blue": blue, "Green": green}, k=2)
    heat = fig.data[0]
    assert list(heat.x) == ["Blue", "Green"]
    cells = dict(zip([y.split()[1] for y in heat.y], [list(r) for r in heat.text], strict=True))
    assert cells == {"T1": ["1", "2"], "T2": ["2", "1"]}
    assert all(y.startswith("★") for y in heat.y)  # both in both top-2 lists
    one = agreement_figure({"Blue": blue, "Green": green}, k=1)
    assert not any(y.startswith("★") for y in one.data[0].y)


def test_user_text_is_escaped():
    journey = pd.DataFrame(
        {
            "touchpoint_id": ["T1"],
            "stage": ["<script>alert(1)</script>"],
            "order": [1],
            "description": [XSS],
            "contact": ["direct"],
        }
    )
    fig = agreement_figure({XSS: scores([("T1", "a", 5, 1)])}, journey)
    parsed = json.dumps(json.loads(fig.to_json()))
    assert "<img" not in parsed and "&lt;img" in parsed
    assert XSS not in fig.data[0].hovertemplate


def test_no_scores_gives_a_message():
    fig = agreement_figure({"Blue": scores([])})
    assert "No team has scored" in fig.layout.annotations[0].text


# --------------------------------------------------------------------------- 40 and 200 teams


@pytest.mark.parametrize("n_teams", [40, 200])
def test_top_k_chart_stays_one_bar_per_touchpoint_however_many_teams(n_teams):
    from kit.analyses.scoring import team_agreement
    from kit.figures.teams import top_k_figure

    # Team i rates T1 as its biggest gap when i is even, T2 when odd; T3 never has a gap.
    teams = {}
    for i in range(n_teams):
        first, second = ("T1", "T2") if i % 2 == 0 else ("T2", "T1")
        teams[f"Team {i}"] = pd.DataFrame(
            {
                "touchpoint_id": [first, second, "T3"],
                "scorer": ["A"] * 3,
                "importance": [5, 4, 3],
                "performance": [1, 3, 4],
            }
        )
    agreement = team_agreement(teams, k=1)
    fig = top_k_figure(agreement, n_teams, k=1)
    bars = fig.data[0]
    half = n_teams // 2
    assert list(bars.x) == [half, half]  # T3 is in nobody's top list: no bar
    assert list(bars.text) == [f"{half} of {n_teams}"] * 2
    assert len(fig.data) == 1 and fig.layout.height < 400  # size does not grow with teams
    assert fig.layout.xaxis.title.text == f"Teams with it in their top 1 (of {n_teams})"
    compact = fig.layout.meta["servekit"]["compact"]
    assert compact["layout"]["margin"]["l"] < fig.layout.margin.l
