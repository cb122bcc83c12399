"""Figures built as plain plotly specs (issue 25) are exactly what plotly's validation gives back.

A team report shows a figure's spec as it is (no ``go.Figure``), so the spec must hold nothing
that validation would change: the same data, the same layout, only plain lists, dicts, strings,
numbers, booleans and ``None``. Checked on every demo team, on empty tables and on a large team.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.utils import PlotlyJSONEncoder

from kit.figures.blueprint import blueprint_spec
from kit.figures.ipa import ipa_spec
from kit.figures.journey import journey_map_spec
from kit.figures.priorities import priority_spec
from kit.figures.pyramid import pyramid_figure, pyramid_spec
from kit.figures.readiness import readiness_heatmap, readiness_spec
from kit.store.workbook import Workbook
from kit.store.workshop import create_demo

PLAIN_LEAVES = (str, int, float, bool, type(None))
SPEC_MODULES = ("blueprint", "followup", "ipa", "journey", "priorities", "pyramid", "readiness")


def json_normal(value: object) -> object:
    """``value`` as plotly writes it to JSON and reads it back."""
    return json.loads(json.dumps(value, cls=PlotlyJSONEncoder))


def not_plain(value: object, path: str = "spec") -> list[str]:
    """Where ``value`` holds anything but dicts with str keys, lists and plain leaves."""
    if isinstance(value, dict):
        return [
            problem
            for key, item in value.items()
            for problem in (
                [f"{path}: key {key!r}"]
                if not isinstance(key, str)
                else not_plain(item, f"{path}.{key}")
            )
        ]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) for p in not_plain(item, f"{path}[{i}]")]
    # type(...) in, not isinstance: numpy.float64 is a float subclass, numpy.bool_ is not a bool
    return [] if type(value) in PLAIN_LEAVES else [f"{path}: {type(value).__name__}"]


def assert_plain_and_normal(spec: dict) -> None:
    assert set(spec) == {"data", "layout"}
    assert not_plain(spec) == []
    validated = go.Figure(spec)  # raises on anything plotly does not accept
    assert json_normal(validated.to_dict()) == json_normal(spec)


@pytest.fixture(scope="module")
def demo_teams(tmp_path_factory) -> list[Workbook]:
    ws = create_demo(tmp_path_factory.mktemp("specs") / "demo").path
    teams = sorted(p for p in (ws / "teams").iterdir() if p.is_dir())
    assert len(teams) >= 4
    return [Workbook.load(team, root=ws) for team in teams]


def _empty(table: pd.DataFrame) -> pd.DataFrame:
    return table.iloc[0:0]


def test_plain_check_catches_numpy_tuples_and_what_validation_changes():
    import numpy as np

    assert not_plain({"a": [1, 2.5, "x", None, True]}) == []
    assert not_plain({"a": [np.float64(1.0)]}) == ["spec.a[0]: float64"]
    assert not_plain({"a": (1, 2)}) == ["spec.a: tuple"]
    assert not_plain({"a": {"b": np.bool_(True)}}) == ["spec.a.b: bool"]
    with pytest.raises(AssertionError):  # plotly drops a property set to None
        assert_plain_and_normal({"data": [], "layout": {"yaxis": {"range": None}}})


def test_the_ipa_spec_is_plain_and_what_plotly_makes_of_it(demo_teams):
    for wb in demo_teams:
        for crosshair in ("midpoint", "mean"):
            assert_plain_and_normal(ipa_spec(wb["scores"], wb["journey"], crosshair))
        assert_plain_and_normal(ipa_spec(_empty(wb["scores"]), wb["journey"]))


def test_the_journey_spec_is_plain_and_what_plotly_makes_of_it(demo_teams):
    for wb in demo_teams:
        for phone in (False, True):
            assert_plain_and_normal(journey_map_spec(wb["journey"], phone=phone))
        assert_plain_and_normal(journey_map_spec(_empty(wb["journey"])))


def test_the_blueprint_spec_is_plain_and_what_plotly_makes_of_it(demo_teams):
    for wb in demo_teams:
        assert_plain_and_normal(blueprint_spec(wb["journey"], wb["roles"], wb["serves"]))
        assert_plain_and_normal(blueprint_spec(wb["journey"]))
        assert_plain_and_normal(blueprint_spec(_empty(wb["journey"])))


def test_the_priority_spec_is_plain_and_what_plotly_makes_of_it(demo_teams):
    for wb in demo_teams:
        assert_plain_and_normal(priority_spec(wb["scores"], wb["journey"]))
        assert_plain_and_normal(priority_spec(wb["scores"], wb["journey"], top=3))
        assert_plain_and_normal(priority_spec(_empty(wb["scores"]), wb["journey"]))


def test_a_note_under_the_title_is_added_once_to_each_variant(demo_teams):
    """The phone variant is a copy: a spec shared its title with the wide chart's, and the
    note went under it twice."""
    from kit.figures.large import note_title

    spec = note_title(blueprint_spec(demo_teams[0]["journey"]), "10 of 90 touchpoints")
    variants = spec["layout"]["meta"]["servekit"]
    assert spec["layout"]["title"]["text"] == "Service blueprint<br><sup>10 of 90 touchpoints</sup>"
    assert variants["wide"]["layout"]["title"]["text"] == spec["layout"]["title"]["text"]
    assert variants["compact"]["layout"]["title"]["text"].count("10 of 90") == 1


def test_pyramid_spec_is_plain_and_what_plotly_makes_of_it(demo_teams):
    for wb in demo_teams:
        roles, serves = wb["roles"], wb["serves"]
        assert not roles.empty, wb.name
        for kw in ({}, {"title": None}, {"max_nodes": 8}, {"max_per_level": 3, "by": "grade"}):
            spec = pyramid_spec(roles, serves, **kw)
            assert len(spec["data"]) >= 5, (wb.name, kw)
            assert "servekit" in spec["layout"]["meta"]
            assert_plain_and_normal(spec)
        assert (
            pyramid_figure(roles, serves).to_dict()
            == go.Figure(pyramid_spec(roles, serves)).to_dict()
        )
    assert_plain_and_normal(pyramid_spec(pd.DataFrame(), pd.DataFrame(), title="Your organisation"))


def test_pyramid_spec_compact_variant_merges_like_update_layout(demo_teams):
    spec = pyramid_spec(demo_teams[0]["roles"], demo_teams[0]["serves"])
    compact = spec["layout"]["meta"]["servekit"]["compact"]["layout"]
    # The phone margin sets l, r and b and keeps the wide variant's top margin.
    assert compact["margin"]["t"] == spec["layout"]["margin"]["t"] == 60
    assert (compact["margin"]["l"], compact["margin"]["r"]) == (4, 4)
    # The legend keeps its orientation and gets the smaller font.
    assert compact["legend"]["orientation"] == "h"
    assert compact["legend"]["font"] == {"size": 10}
    # The notes keep their colours with the smaller font.
    assert compact["annotations"][-1]["font"] == {"size": 10, "color": "#555555"}
    assert compact["annotations"][0]["font"] == {"size": 10, "color": "#333333"}
    assert spec["layout"]["annotations"][-1]["font"] == {"size": 11, "color": "#555555"}


def test_readiness_spec_is_plain_and_what_plotly_makes_of_it(demo_teams):
    for wb in demo_teams:
        scores, journey = wb["scores"], wb["journey"]
        for args, kw in (
            ((scores, journey), {}),
            ((scores,), {}),
            ((scores, journey), {"title": None}),
        ):
            spec = readiness_spec(*args, **kw)
            assert [t["type"] for t in spec["data"]] == ["heatmap"], wb.name
            assert "servekit" in spec["layout"]["meta"]
            assert_plain_and_normal(spec)
        assert (
            readiness_heatmap(scores, journey).to_dict()
            == go.Figure(readiness_spec(scores, journey)).to_dict()
        )
    unscored = pd.DataFrame(
        {"touchpoint_id": ["a"], "scorer": ["Ann"], "importance": [4], "performance": [3]}
        | {kind: [None] for kind in ("be", "do", "have")}
    )
    assert_plain_and_normal(readiness_spec(unscored))


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Workbook:
    from kit.store.workshop import create_workshop
    from kit.testing import write_big_team

    ws = create_workshop(tmp_path_factory.mktemp("big") / "ws", teams=[])
    return Workbook.load(write_big_team(ws.teams_path / "big", touchpoints=60), root=ws.path)


def test_a_large_team_s_specs_are_plain_and_valid(big):
    assert len(big["journey"]) == 60
    assert_plain_and_normal(ipa_spec(big["scores"], big["journey"]))
    assert_plain_and_normal(journey_map_spec(big["journey"]))
    assert_plain_and_normal(blueprint_spec(big["journey"], big["roles"], big["serves"]))
    assert_plain_and_normal(priority_spec(big["scores"], big["journey"], top=24))
    assert_plain_and_normal(pyramid_spec(big["roles"], big["serves"]))
    assert_plain_and_normal(readiness_spec(big["scores"], big["journey"]))


FOLLOW_UP_DAYS = ("2026-02-01", "2026-04-15", "2026-09-30")
"""Before any result, part-way, and after every due date of the demo's plans."""


def test_the_follow_up_specs_are_plain_and_what_plotly_makes_of_them(tmp_path):
    """Every follow-up chart of every team of every case, at three dates: the page shows the
    spec as it is. (When they became specs, all 239 charts of this set were checked equal,
    after validation, to the figures plotly's own calls had built.)"""
    from kit.figures.followup import (
        action_chart_spec,
        kinds_chart_spec,
        progress_bars_spec,
        progress_over_time_spec,
    )
    from kit.report.followup_page import FollowUpSynthesis
    from kit.resources import cases

    checked = 0
    for case in cases():
        ws = create_demo(tmp_path / case, case=case).path
        for day in FOLLOW_UP_DAYS:
            synthesis = FollowUpSynthesis.load(ws, as_of=day)
            assert_plain_and_normal(kinds_chart_spec(synthesis.overview["kinds"]))
            for page in synthesis.teams:
                plan, results = page.data.plan, page.data.results
                specs = [
                    progress_bars_spec(page.progress),
                    progress_over_time_spec(plan, results, day),
                    *(action_chart_spec(row, results) for row in plan.to_dict("records")),
                ]
                for spec in specs:
                    assert_plain_and_normal(spec)
                checked += len(specs)
    assert checked > 150
    no_plan = pd.DataFrame({"action_id": [], "action": [], "progress": [], "status": []})
    assert_plain_and_normal(progress_bars_spec(no_plan))
    undated = {"action_id": "A1", "action": "x", "baseline": float("nan"), "target": 5.0}
    assert_plain_and_normal(action_chart_spec(undated, pd.DataFrame()))


def test_spec_modules_need_no_plotly_objects():
    # The spec builders assemble dicts; the figure is made once, in the public function.
    for module in SPEC_MODULES:
        source = (Path(__file__).parents[1] / "kit" / "figures" / f"{module}.py").read_text()
        assert "go.Scatter(" not in source and "go.Heatmap(" not in source, module
        assert "go.Bar(" not in source and "new_figure(" not in source, module
        assert ".update_layout(" not in source and ".add_trace" not in source, module
