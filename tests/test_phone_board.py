"""Scorers' progress and disagreement on the projector (issue 22): the analyses on hand-worked
tables, and the dashboard tile after phones saved."""

from __future__ import annotations

import pandas as pd
from helpers import UNESCAPED, XSS_NAME, make_workshop

from kit.analyses.scoring.scorers import scorer_progress, widest_spreads
from kit.room.dashboard import Board
from kit.room.phone.board import scoring_html
from kit.store.workbook import Workbook

JOURNEY = pd.DataFrame(
    {"touchpoint_id": ["T1", "T2", "T3"], "description": ["Desk", "Room", "Bill"]}
)


def frame(rows):
    return pd.DataFrame(rows, columns=["touchpoint_id", "scorer", "importance", "performance"])


def test_progress_counts_each_scorers_touchpoints_of_the_journey():
    scores = frame(
        [
            ("T1", "Bo", 3, 3),
            ("T2", "Bo", 3, 3),
            ("T3", "Bo", 3, 3),
            ("T1", "Ann", 3, 3),
            ("T9", "Cy", 3, 3),  # a touchpoint no longer in the journey does not count
        ]
    )
    assert scorer_progress(scores, JOURNEY).values.tolist() == [
        ["Bo", 3, 3],
        ["Ann", 1, 3],
        ["Cy", 0, 3],
    ]


def test_widest_spreads_rank_by_the_larger_of_importance_and_performance_spread():
    # T1: importance 1..5 (4), performance 2..2 (0) -> 4; T2: importance 3..4 (1),
    # performance 1..4 (3) -> 3; T3: everyone agrees -> left out; one scorer -> left out.
    scores = frame(
        [
            ("T1", "A", 1, 2),
            ("T1", "B", 5, 2),
            ("T1", "C", 3, 2),
            ("T2", "A", 3, 1),
            ("T2", "B", 4, 4),
            ("T3", "A", 2, 2),
            ("T3", "B", 2, 2),
        ]
    )
    got = widest_spreads(scores, JOURNEY)
    assert got[["touchpoint_id", "description", "scorers", "spread"]].values.tolist() == [
        ["T1", "Desk", 3, 4.0],
        ["T2", "Room", 2, 3.0],
    ]
    assert widest_spreads(scores, JOURNEY, k=1)["touchpoint_id"].tolist() == ["T1"]
    assert widest_spreads(frame([("T1", "A", 1, 1)]), JOURNEY).empty


def test_the_tile_names_scorers_as_text_and_says_when_they_agree():
    scores = frame([("T1", XSS_NAME, 4, 4), ("T1", "Bo", 4, 4)])
    html = str(scoring_html(scores, JOURNEY))
    assert not UNESCAPED.search(html) and "&lt;img src=x" in html
    assert "<b>2 scoring</b> · 2 of 6 scores (33%)" in html
    assert "No disagreement yet: the scorers give the same ratings." in html


def test_the_dashboard_shows_new_scorers_and_their_disagreement_within_one_refresh(tmp_path):
    ws = make_workshop(tmp_path / "ws", {"alpha": None, "beta": None})
    board = Board(ws)
    board.refresh()
    tile = board.html().split('data-team="alpha"')[1].split('data-team="beta"')[0]
    assert "<b>1 scoring</b> · 1 of 2 scores (50%) · Ann 1/2" in tile
    assert "disagreement" not in tile.lower()
    wb = Workbook.load(ws / "teams" / "alpha")  # what two phones' taps save
    more = frame([("T1", "Bo", 1, 3), ("T2", "Bo", 4, 4)])
    wb["scores"] = pd.concat([wb["scores"], more], ignore_index=True)
    wb.save()
    assert board.refresh() == ["alpha"]
    tile = board.html().split('data-team="alpha"')[1].split('data-team="beta"')[0]
    assert "<b>2 scoring</b> · 3 of 4 scores (75%) · Bo 2/2, Ann 1/2" in tile
    assert "Most disagreement: T1 Check-in at the desk (spread 4)" in tile
