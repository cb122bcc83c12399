"""Cross-team agreement figure: ranks by hand, escaping, empty input."""

from __future__ import annotations

import json

import pandas as pd

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
    journey = pd.DataFrame({"touchpoint_id": ["T1"], "stage": ["<script>alert(1)</script>"],
                            "order": [1], "description": [XSS], "contact": ["direct"]})
    fig = agreement_figure({XSS: scores([("T1", "a", 5, 1)])}, journey)
    parsed = json.dumps(json.loads(fig.to_json()))
    assert "<img" not in parsed and "&lt;img" in parsed
    assert XSS not in fig.data[0].hovertemplate


def test_no_scores_gives_a_message():
    fig = agreement_figure({"Blue": scores([])})
    assert "No team has scored" in fig.layout.annotations[0].text
