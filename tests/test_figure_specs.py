"""Figures built as plain plotly specs (issue 25): each ``*_spec`` function returns plain Python
data (no numpy types) that plotly's validation leaves as it is, so a caller showing the raw
spec shows what the validated figure shows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import plotly
import plotly.graph_objects as go
import pytest

from kit.figures.pyramid import pyramid_figure, pyramid_spec
from kit.figures.readiness import readiness_heatmap, readiness_spec
from kit.store.workbook import Workbook

PLAIN_LEAVES = (str, int, float, bool, type(None))


def json_normal(value):
    """``value`` as plotly writes it to JSON and reads it back."""
    return json.loads(json.dumps(value, cls=plotly.utils.PlotlyJSONEncoder))


def not_plain(value, path="spec") -> list[str]:
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
    from kit.store.workshop import create_demo

    ws = create_demo(tmp_path_factory.mktemp("specs") / "demo").path
    teams = sorted(p for p in (ws / "teams").iterdir() if p.is_dir())
    assert len(teams) >= 4
    return [Workbook.load(team, root=ws) for team in teams]


def test_plain_check_catches_numpy_and_tuples():
    import numpy as np

    assert not_plain({"a": [1, 2.5, "x", None, True]}) == []
    assert not_plain({"a": [np.float64(1.0)]}) == ["spec.a[0]: float64"]
    assert not_plain({"a": (1, 2)}) == ["spec.a: tuple"]
    assert not_plain({"a": {"b": np.bool_(True)}}) == ["spec.a.b: bool"]


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


def test_spec_modules_need_no_plotly_objects():
    # The spec builders assemble dicts; the figure is made once, in the public function.
    for module in ("pyramid", "readiness"):
        source = (Path(__file__).parents[1] / "kit" / "figures" / f"{module}.py").read_text()
        assert "go.Scatter(" not in source and "go.Heatmap(" not in source, module
        assert "update_layout(" not in source and "add_trace" not in source, module
