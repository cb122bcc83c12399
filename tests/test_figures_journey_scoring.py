"""Tests of the journey and scoring figures: traces, cues beyond colour, escaping, empty input."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from kit.analyses import scoring as S
from kit.figures import blueprint as FB
from kit.figures import ipa as FI
from kit.figures import journey as FJ
from kit.figures import priorities as FP
from kit.figures import readiness as FR
from kit.figures import text as FT
from kit.store.schema import TABLES

XSS = ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>"]
RAW = ["<img", "<script", "onerror=alert(1)>"]


def empty(name: str) -> pd.DataFrame:
    return pd.DataFrame(columns=TABLES[name].columns)


def make_journey(rows: list[dict]) -> pd.DataFrame:
    defaults = {
        "time": None,
        "description": "something happens",
        "channel": None,
        "contact": "direct",
        "role_id": None,
        "emotion": 0,
        "moment_of_truth": False,
    }
    return pd.DataFrame([defaults | row for row in rows], columns=TABLES["journey"].columns)


def make_scores(rows: list[tuple]) -> pd.DataFrame:
    full = [tuple(row) + (None,) * (7 - len(row)) for row in rows]
    return pd.DataFrame(full, columns=TABLES["scores"].columns)


def strings(node) -> list[str]:
    """Every string inside a figure's JSON (decoded, so ``\\u003c`` is ``<`` again)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for key, value in node.items() for s in strings(key) + strings(value)]
    if isinstance(node, list):
        return [s for item in node for s in strings(item)]
    return []


def figure_strings(fig: go.Figure) -> list[str]:
    return strings(json.loads(fig.to_json()))


def assert_escaped(fig: go.Figure) -> None:
    """No raw payload anywhere; the escaped payload is shown; no user text in a hovertemplate."""
    texts = figure_strings(fig)
    for raw in RAW:
        assert not [t for t in texts if raw in t], raw
    assert any("&lt;img src=x onerror=alert(1)&gt;" in t for t in texts)
    data = json.loads(fig.to_json())["data"]
    for trace in data:
        for template in strings(trace.get("hovertemplate", "")):
            assert "&lt;" not in template and "alert" not in template


@pytest.fixture
def day():
    """Four touchpoints over two stages; t2 and t4 are moments of truth (t4 indirect)."""
    journey = make_journey(
        [
            {"touchpoint_id": "t1", "stage": "Arrive", "order": 1, "time": "15:00",
             "description": "Doorman greets", "contact": "direct", "role_id": "door",
             "emotion": 1},
            {"touchpoint_id": "t2", "stage": "Arrive", "order": 2, "time": "15:10",
             "description": "Check in", "contact": "direct", "role_id": "desk", "emotion": -1,
             "moment_of_truth": True},
            {"touchpoint_id": "t3", "stage": "Stay", "order": 3, "description": "Wi-Fi works",
             "contact": "indirect", "role_id": "it", "emotion": -2},
            {"touchpoint_id": "t4", "stage": "Stay", "order": 4, "description": "Room ready",
             "contact": "indirect", "role_id": None, "emotion": 2, "moment_of_truth": True},
        ]
    )  # fmt: skip
    roles = pd.DataFrame(
        {
            "role_id": ["door", "desk", "it", "fom"],
            "name": ["Doorman", "Front desk", "IT", "Front office manager"],
            "level": ["frontline", "frontline", "support", "manager"],
        }
    )
    serves = pd.DataFrame({"from_role": ["fom", "fom", "it"], "to_role": ["door", "desk", "desk"]})
    scores = make_scores(
        [
            # medians: t1 (4, 4) keep up; t2 (5, 2) concentrate; t3 (2, 2) low; t4 (2, 5) overkill
            ("t1", "Ann", 4, 4, 4, 4, 4),
            ("t2", "Ann", 5, 2, 3, 2, 2),
            ("t3", "Ann", 2, 2, 1, 5, None),
            ("t4", "Ann", 2, 5, 5, 5, 5),
        ]
    )
    return journey, roles, serves, scores


# --------------------------------------------------------------------------- journey map


def trace(fig: go.Figure, name: str):
    matches = [t for t in fig.data if t.name == name]
    assert len(matches) == 1, name
    return matches[0]


def test_journey_map_traces_and_cues(day):
    journey, *_ = day
    fig = FJ.journey_map(journey)
    line = trace(fig, "Emotion")
    assert list(line.x) == [0, 1, 2, 3]
    assert list(line.y) == [1, -1, -2, 2]
    assert line.line.dash == "dash"
    direct, indirect = trace(fig, "Direct contact"), trace(fig, "Indirect contact")
    assert (list(direct.x), direct.marker.symbol) == ([0], "circle")
    assert (list(indirect.x), indirect.marker.symbol) == ([2], "circle-open")
    mot = trace(fig, "Moment of truth")
    assert list(mot.x) == [1, 3]
    assert list(mot.marker.symbol) == ["star", "star-open"]  # filled = direct, open = indirect
    # Both stars are in the legend, each with its own symbol.
    legend = {t.name: t.marker.symbol for t in fig.data if t.showlegend is not False}
    assert legend["Moment of truth (direct contact)"] == "star"
    assert legend["Moment of truth (indirect contact)"] == "star-open"
    assert "Moment of truth" not in legend
    notes = [a for a in fig.layout.annotations if "moment" in (a.text or "")]
    assert sorted(a.x for a in notes) == [1, 3]
    stage_names = [a.text for a in fig.layout.annotations if a.yref == "paper"]
    assert "<b>Arrive</b>" in stage_names and "<b>Stay</b>" in stage_names
    ticks = list(fig.layout.xaxis.ticktext)
    assert ticks[0].startswith("<b>t1</b><br>15:00")


def test_journey_map_escapes_user_text(day):
    journey, *_ = day
    journey = journey.copy()
    journey.loc[0, "description"] = XSS[0]
    journey.loc[1, "stage"] = XSS[1]
    journey.loc[2, "touchpoint_id"] = XSS[0]
    journey.loc[3, "role_id"] = XSS[1]
    assert_escaped(FJ.journey_map(journey))


# --------------------------------------------------------------------------- blueprint


def test_blueprint_figure_lanes_lines_and_cells(day):
    journey, roles, serves, _ = day
    fig = FB.blueprint_figure(journey, roles, serves)
    assert [t.name for t in fig.data] == [
        "Customer actions",
        "Frontstage",
        "Backstage",
        "Support processes",
    ]
    front, back, support = fig.data[1], fig.data[2], fig.data[3]
    assert list(front.x) == [0, 1] and list(front.text) == ["Doorman", "Front desk"]
    assert list(back.x) == [2, 3]
    assert "no role" in back.text[1]
    # t1 is served by fom; t2 by fom and it (a bullet per name); t3/t4 have no support.
    assert list(support.x) == [0, 1]
    assert "Front office" in support.text[0]
    assert support.text[1].count("• ") == 2
    assert fig.data[0].text[1].startswith("★ ")  # t2 is a moment of truth
    lines = [s for s in fig.layout.shapes if s.type == "line" and s.xref == "paper"]
    assert sorted(s.line.dash for s in lines) == ["dash", "dot", "solid"]
    labels = {a.text for a in fig.layout.annotations}
    assert {"<i>line of interaction</i>", "<i>line of visibility</i>"} <= labels


def test_blueprint_figure_escapes_user_text(day):
    journey, roles, serves, _ = day
    journey, roles = journey.copy(), roles.copy()
    journey.loc[0, "description"] = XSS[0]
    journey.loc[2, "stage"] = XSS[1]
    roles.loc[3, "name"] = XSS[0]  # the support role's name
    roles.loc[1, "name"] = XSS[1]
    assert_escaped(FB.blueprint_figure(journey, roles, serves))


# --------------------------------------------------------------------------- IPA


def test_ipa_figure_quadrants_points_and_crosshair(day):
    journey, _, _, scores = day
    fig = FI.ipa_figure(scores, journey)
    points = {
        t.name: list(zip(t.x, t.y, t.text, strict=True)) for t in fig.data if t.showlegend is False
    }
    assert points == {
        "Concentrate here": [(2.0, 5.0, "t2")],
        "Keep up the good work": [(4.0, 4.0, "t1")],
        "Low priority": [(2.0, 2.0, "t3")],
        "Possible overkill": [(5.0, 2.0, "t4")],
        "On the line": [],
    }
    concentrate = next(t for t in fig.data if t.name == "Concentrate here" and len(t.x))
    assert list(concentrate.marker.symbol) == ["star"]  # t2 is a moment of truth
    names = " ".join(a.text for a in fig.layout.annotations)
    for quadrant in S.QUADRANTS:
        assert f"<b>{quadrant}</b> (1)" in names
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 4
    crosshair = [s for s in fig.layout.shapes if s.type == "line"]
    assert {(s.x0, s.x1) for s in crosshair} == {(3.0, 3.0), (0.5, 5.5)}
    # The vertical line spans the grid plus the bands where the quadrant names sit.
    assert {(round(s.y0, 6), s.y1) for s in crosshair} == {(0.15, 5.85), (3.0, 3.0)}
    # No text sits on the crosshair: nothing is anchored at x = 3 or y = 3.
    assert all(a.x != 3.0 and a.y != 3.0 for a in fig.layout.annotations)
    # Every marker kind is in the legend; the on-the-line rule is written under the chart.
    legend = [t.name for t in fig.data if t.showlegend is not False]
    assert legend == [*S.QUADRANTS, "On the line", "Moment of truth"]
    assert "in no quadrant" in fig.layout.legend.title.text


def test_ipa_figure_on_the_line_points_are_their_own_kind(day):
    journey, _, _, scores = day
    scores = scores.copy()
    scores.loc[scores["touchpoint_id"] == "t1", ["importance", "performance"]] = [5, 3]
    fig = FI.ipa_figure(scores, journey)
    on_line = next(t for t in fig.data if t.name == "On the line" and t.showlegend is False)
    assert list(on_line.text) == ["t1"] and on_line.marker.color == "white"
    assert on_line.textposition[0] in ("middle right", "middle left")  # off the vertical line
    names = " ".join(a.text for a in fig.layout.annotations)
    assert "<b>Keep up the good work</b> (0)" in names


def test_ipa_figure_mean_crosshair_moves_the_lines(day):
    journey, _, _, scores = day
    # importance medians 4, 5, 2, 2 -> mean 3.25; performance 4, 2, 2, 5 -> mean 3.25
    fig = FI.ipa_figure(scores, journey, crosshair="mean")
    crosshair = [s for s in fig.layout.shapes if s.type == "line"]
    assert {s.x0 for s in crosshair if s.x0 == s.x1} == {3.25}
    assert {s.y0 for s in crosshair if s.y0 == s.y1} == {3.25}


def test_ipa_figure_groups_identical_points_and_flags_disagreement():
    scores = make_scores([("a", "Ann", 5, 1), ("b", "Ann", 5, 1), ("b", "Bo", 5, 1),
                          ("c", "Ann", 4, 1), ("c", "Bo", 2, 1)])  # fmt: skip
    # a and b both at (1, 5); c: importance 4 and 2 -> median 3, spread 2 -> disagreement
    fig = FI.ipa_figure(scores)
    labelled = [
        (x, y, text)
        for t in fig.data
        if t.text
        for x, y, text in zip(t.x, t.y, t.text, strict=True)
    ]
    assert (1.0, 5.0, "a, b") in labelled
    assert (1.0, 3.0, "c ?") in labelled


def test_ipa_figure_escapes_user_text(day):
    journey, _, _, scores = day
    journey, scores = journey.copy(), scores.copy()
    journey.loc[1, "touchpoint_id"] = XSS[0]
    scores.loc[1, "touchpoint_id"] = XSS[0]
    journey.loc[0, "description"] = XSS[1]
    scores["scorer"] = XSS[1]
    assert_escaped(FI.ipa_figure(scores, journey))


# --------------------------------------------------------------------------- readiness


def test_readiness_heatmap_numbers_and_weakest(day):
    journey, _, _, scores = day
    fig = FR.readiness_heatmap(scores, journey)
    heat = fig.data[0]
    assert [list(row) for row in heat.z] == [
        [4, 4, 4],
        [3, 2, 2],
        [1, 5, None],
        [5, 5, 5],
    ]
    # weakest: t1 three-way tie -> be; t2 do/have tie -> do; t3 be; t4 tie -> be
    assert [list(row) for row in heat.text] == [
        ["▼ 4", "4", "4"],
        ["3", "▼ 2", "2"],
        ["▼ 1", "5", "–"],
        ["▼ 5", "5", "5"],
    ]
    assert heat.texttemplate == "%{text}"
    assert (heat.zmin, heat.zmax) == (1, 5)
    assert list(fig.layout.yaxis.ticktext)[0].startswith("<b>t1</b> Doorman")


def test_readiness_heatmap_escapes_user_text(day):
    journey, _, _, scores = day
    journey = journey.copy()
    journey.loc[0, "description"] = XSS[0]
    journey.loc[1, "description"] = XSS[1]
    assert_escaped(FR.readiness_heatmap(scores, journey))


# --------------------------------------------------------------------------- priorities


def test_priority_chart_bars_in_rank_order(day):
    journey, _, _, scores = day
    # t2: gap 3 * importance 5 * 1.5 (moment of truth) = 22.5; everything else 0.
    # Ties at 0: importance t1 4 > t3 2 = t4 2, then journey order t3 before t4.
    fig = FP.priority_chart(scores, journey)
    mot, other = trace(fig, "Moment of truth"), trace(fig, "Other touchpoint")
    assert list(mot.x) == [22.5] and list(mot.y) == [1]
    assert list(other.x) == [] and list(other.y) == []
    # Moments of truth stand out: solid, heavy outline, a star in the label.
    assert mot.marker.line.width > other.marker.line.width
    ticks = list(fig.layout.yaxis.ticktext)
    assert ticks[0].startswith("<b>★ 1. t2")  # top-k with a gap in bold
    # The three touchpoints with no gap share one row, in rank order.
    assert ticks[1:] == ["no gap (3)"] and list(fig.layout.yaxis.tickvals) == [1, 2]
    assert list(trace(fig, "No gap").text) == ["t1, t3, t4"]
    cut = [s for s in fig.layout.shapes if s.type == "line"]
    assert [s.y0 for s in cut] == [1.5]  # only one touchpoint to act on
    # Plain-language axis title, note and hover: teams read this chart, so no formula.
    assert fig.layout.xaxis.title.text == "How urgently to act (higher = sooner)"
    assert fig.layout.annotations[-1].text == (
        "<i>longer bar: a bigger gap on what matters more to the customer · ★ a moment of truth "
        "counts half as much again</i>"
    )
    assert mot.hovertemplate == (
        "<b>%{customdata[0]}</b> %{customdata[1]}<br>importance %{customdata[2]}, performance "
        "%{customdata[3]}: a gap of %{customdata[4]}<br>★ a moment of truth: counts half as much "
        "again<extra></extra>"
    )


def test_priority_chart_top_limits_rows(day):
    journey, _, _, scores = day
    fig = FP.priority_chart(scores, journey, top=2)
    assert list(fig.layout.yaxis.tickvals) == [1, 2]
    assert list(fig.layout.yaxis.ticktext)[1] == "no gap (1)"


def test_priority_chart_escapes_user_text(day):
    journey, _, _, scores = day
    journey, scores = journey.copy(), scores.copy()
    journey.loc[1, "description"] = XSS[0]
    journey.loc[0, "touchpoint_id"] = XSS[1]
    scores.loc[0, "touchpoint_id"] = XSS[1]
    assert_escaped(FP.priority_chart(scores, journey))


# --------------------------------------------------------------------------- empty input


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: FJ.journey_map(empty("journey")), "No touchpoints yet"),
        (
            lambda: FB.blueprint_figure(empty("journey"), empty("roles"), empty("serves")),
            "No touchpoints yet",
        ),
        (lambda: FI.ipa_figure(empty("scores"), empty("journey")), "No scores yet"),
        (lambda: FI.ipa_figure(empty("scores"), crosshair="mean"), "No scores yet"),
        (lambda: FR.readiness_heatmap(empty("scores"), empty("journey")), "No readiness"),
        (lambda: FP.priority_chart(empty("scores"), empty("journey")), "No scores yet"),
    ],
)
def test_empty_input_gives_a_friendly_figure(build, message):
    fig = build()
    assert isinstance(fig, go.Figure)
    assert len(fig.data) == 0
    assert message in fig.layout.annotations[0].text
    fig.to_json()


def test_readiness_heatmap_without_readiness_scores():
    fig = FR.readiness_heatmap(make_scores([("a", "Ann", 4, 2)]))
    assert "No readiness" in fig.layout.annotations[0].text


def test_titles_are_escaped(day):
    journey, roles, serves, scores = day
    for fig in (
        FJ.journey_map(journey, title=XSS[0]),
        FB.blueprint_figure(journey, roles, serves, title=XSS[0]),
        FI.ipa_figure(scores, journey, title=XSS[0]),
        FR.readiness_heatmap(scores, journey, title=XSS[0]),
        FP.priority_chart(scores, journey, title=XSS[0]),
        FJ.journey_map(empty("journey"), title=XSS[0]),
    ):
        assert fig.layout.title.text == "&lt;img src=x onerror=alert(1)&gt;"
        assert not [t for t in figure_strings(fig) if "<img" in t]


# --------------------------------------------------------------------------- label wrapping
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(text=st.text(max_size=200), width=st.integers(1, 40), lines=st.integers(1, 4))
def test_wrap_never_overflows_its_box(text, width, lines):
    import html

    wrapped = FT.wrap(text, width=width, lines=lines)
    parts = [html.unescape(part) for part in wrapped.split("<br>")]
    assert len(parts) <= lines
    assert all(len(part) <= width for part in parts)  # long words are cut, never overflow
    words = " ".join(text.split())
    for part in parts:  # every line is the text's own words, at most shortened with "…"
        assert part.removesuffix("…") in words


def test_wrap_shortens_long_words_and_escapes_what_it_cuts():
    assert FT.wrap("Phones reservations desk", width=8) == "Phones<br>reserva…<br>desk"
    wrapped = FT.wrap("<script>alert(1)</script> <img src=x>", width=8, lines=4)
    assert wrapped == "&lt;script…<br>&lt;img<br>src=x&gt;"


def test_blueprint_text_is_never_below_10_px():
    n = 24  # a long journey: narrow columns used to shrink the text to 9 px
    journey = pd.DataFrame(
        {
            "touchpoint_id": [f"t{i}" for i in range(n)],
            "stage": ["S"] * n,
            "order": list(range(n)),
            "description": ["A long description of the step"] * n,
            "contact": ["direct"] * n,
            "role_id": ["desk"] * n,
        }
    )
    fig = FB.blueprint_figure(journey)
    sizes = [t.textfont.size for t in fig.data if t.textfont and t.textfont.size]
    sizes += [a.font.size for a in fig.layout.annotations if a.font and a.font.size]
    assert sizes and min(sizes) >= 10
    journey_fig = FJ.journey_map(journey.assign(emotion=0))
    assert journey_fig.layout.xaxis.tickfont.size >= 10


def test_blueprint_on_a_phone_is_turned_on_its_side():
    n = 6
    journey = pd.DataFrame(
        {
            "touchpoint_id": [f"t{i}" for i in range(n)],
            "stage": ["S"] * 3 + ["T"] * 3,
            "order": list(range(n)),
            "description": ["Waits at the desk <br> for a key"] * n,
            "contact": ["direct"] * n,
            "role_id": ["desk"] * n,
        }
    )
    fig = FB.blueprint_figure(journey)
    compact = fig.layout.meta["servekit"]["compact"]
    # One row per touchpoint, the four lanes as columns 0-3, text never below 10 px.
    assert compact["layout"]["yaxis"]["tickvals"] == list(range(n))
    assert compact["layout"]["xaxis"]["tickvals"] == [0, 1, 2, 3]
    assert all(set(xs) <= {0, 1, 2, 3} for xs in compact["data"]["x"])
    assert all(font["size"] >= 10 for font in compact["data"]["textfont"])
    customer = compact["data"]["text"][0]
    assert len(customer) == n and "&lt;br&gt;" in customer[0]  # user text stays escaped
    # The three lines are vertical rules between the columns, named in the note.
    rules = [s for s in compact["layout"]["shapes"] if s["type"] == "line"]
    assert sorted(s["x0"] for s in rules) == [0.5, 1.5, 2.5]
    assert "line of visibility" in compact["layout"]["annotations"][0]["text"]
