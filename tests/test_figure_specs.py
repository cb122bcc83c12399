"""Figures built as plain plotly specs are exactly what plotly's validation gives back.

A team report shows a figure's spec as it is (no ``go.Figure``), so the spec must hold nothing
that validation would change: the same data, the same layout, only plain lists, dicts, strings,
numbers, booleans and ``None``. Checked on every demo team, on a team with every table empty,
and on a large team.
"""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest
from plotly.utils import PlotlyJSONEncoder

from kit.figures.blueprint import blueprint_spec
from kit.figures.ipa import ipa_spec
from kit.figures.journey import journey_map_spec
from kit.figures.priorities import priority_spec
from kit.store.workbook import Workbook
from kit.store.workshop import create_demo

PLAIN = (str, int, float, bool, type(None))


def json_normal(value: object) -> object:
    """``value`` as JSON gives it back (numbers, lists and dicts only)."""
    return json.loads(json.dumps(value, cls=PlotlyJSONEncoder))


def not_plain(value: object, path: str = "") -> list[str]:
    """Paths in ``value`` of anything but a dict, a list or a plain leaf."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in not_plain(v, f"{path}/{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in not_plain(v, f"{path}[{i}]")]
    return [] if type(value) in PLAIN else [f"{path}: {type(value).__name__}"]


def assert_plain_and_valid(spec: dict) -> None:
    assert not_plain(spec) == []
    assert json_normal(go.Figure(spec).to_dict()) == json_normal(spec)


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> list[Workbook]:
    ws = create_demo(tmp_path_factory.mktemp("specs") / "demo").path
    books = [Workbook.load(team, root=ws) for team in sorted((ws / "teams").iterdir())]
    assert len(books) >= 4
    return books


def _empty(table: pd.DataFrame) -> pd.DataFrame:
    return table.iloc[0:0]


def test_the_ipa_spec_is_plain_and_valid(workbooks):
    for wb in workbooks:
        for crosshair in ("midpoint", "mean"):
            assert_plain_and_valid(ipa_spec(wb["scores"], wb["journey"], crosshair))
        assert_plain_and_valid(ipa_spec(_empty(wb["scores"]), wb["journey"]))


def test_the_journey_spec_is_plain_and_valid(workbooks):
    for wb in workbooks:
        assert_plain_and_valid(journey_map_spec(wb["journey"]))
        assert_plain_and_valid(journey_map_spec(_empty(wb["journey"])))


def test_the_blueprint_spec_is_plain_and_valid(workbooks):
    for wb in workbooks:
        assert_plain_and_valid(blueprint_spec(wb["journey"], wb["roles"], wb["serves"]))
        assert_plain_and_valid(blueprint_spec(wb["journey"]))
        assert_plain_and_valid(blueprint_spec(_empty(wb["journey"])))


def test_the_priority_spec_is_plain_and_valid(workbooks):
    for wb in workbooks:
        assert_plain_and_valid(priority_spec(wb["scores"], wb["journey"]))
        assert_plain_and_valid(priority_spec(wb["scores"], wb["journey"], top=3))
        assert_plain_and_valid(priority_spec(_empty(wb["scores"]), wb["journey"]))


def test_a_numpy_number_in_a_spec_is_caught():
    """The checks above can fail: a spec with a numpy integer, or one that validation changes."""
    import numpy as np

    assert not_plain({"data": [{"type": "bar", "y": [np.int64(1)]}]}) == ["/data[0]/y[0]: int64"]
    with pytest.raises(AssertionError):
        assert_plain_and_valid({"data": [{"type": "bar", "y": (1, 2)}], "layout": {}})


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Workbook:
    from kit.store.workshop import create_workshop
    from kit.testing import write_big_team

    ws = create_workshop(tmp_path_factory.mktemp("big") / "ws", teams=[])
    return Workbook.load(write_big_team(ws.teams_path / "big", touchpoints=60), root=ws.path)


def test_a_large_team_s_specs_are_plain_and_valid(big):
    assert len(big["journey"]) == 60
    assert_plain_and_valid(ipa_spec(big["scores"], big["journey"]))
    assert_plain_and_valid(journey_map_spec(big["journey"]))
    assert_plain_and_valid(blueprint_spec(big["journey"], big["roles"], big["serves"]))
    assert_plain_and_valid(priority_spec(big["scores"], big["journey"], top=24))
