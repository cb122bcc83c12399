"""The projector dashboard's data and page (kit.room.dashboard), and ``servekit present``'s refusals.

The browser test (tests/test_browser_present.py) drives the real server; these check the board
against the kit's own analyses on the sample teams, on hand-made edits and on bad data.
"""

from __future__ import annotations

import re
import socket
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from kit.analyses.progress import STEPS, load_all, team_progress
from kit.analyses.scoring import team_agreement, top_priorities
from kit.cli import main
from kit.room.dashboard import Board, Dashboard
from kit.room.dashboard_html import ipa_svg, journey_svg
from kit.room.edits import diff_table
from kit.store.workbook import Workbook
from kit.store.workshop import Workshop, case_dir, create_workshop


def test_refresh_rereads_only_changed_teams(demo_workshop: Path):
    board = Board(demo_workshop)
    assert board.refresh() == [
        "equipe-etoile",
        "front-desk-friends",
        "team-4-half-finished",
        "the-night-shift",
    ]
    assert board.refresh() == []
    first = board.views["equipe-etoile"]
    journey = demo_workshop / "teams" / "the-night-shift" / "journey.csv"
    journey.write_text(
        journey.read_text(encoding="utf-8") + "T98,Departure,98,,Late taxi,,direct,,-1,no\n",
        encoding="utf-8",
    )
    assert board.refresh() == ["the-night-shift"]
    assert board.views["equipe-etoile"] is first  # untouched team: same object, not re-read
    import shutil

    shutil.rmtree(demo_workshop / "teams" / "team-4-half-finished")
    assert board.refresh() == ["team-4-half-finished"]
    assert "team-4-half-finished" not in board.views


def test_board_agrees_with_the_kits_analyses(demo_workshop: Path):
    board = Board(demo_workshop)
    board.refresh()
    workbooks = load_all(Workshop(demo_workshop).teams())
    progress = team_progress(workbooks).set_index("team")
    usable = {}
    for slug, wb in workbooks.items():
        view = board.views[slug]
        assert view.steps == {s: progress.loc[slug, s] for s in STEPS}
        if view.broken:
            continue
        usable[wb.name] = wb.tables["scores"]
        expected = top_priorities(wb.tables["scores"], wb.tables["journey"], k=3)
        assert [t["touchpoint_id"] for t in view.top] == list(expected["touchpoint_id"])
        assert len(view.curve) == len(wb.tables["journey"])
    case_journey = Workbook.load(case_dir("laurie-hospitality") / "reference")["journey"]
    expected = team_agreement(usable, case_journey, k=3)
    assert list(board.agreement["touchpoint_id"]) == list(expected["touchpoint_id"])
    assert list(board.agreement["teams_top_k"]) == list(expected["teams_top_k"])


def test_diff_table_by_key():
    old = b"touchpoint_id,scorer,importance\nT1,Ann,5\nT1,Bo,4\nT2,Ann,3\n"
    new = b"touchpoint_id,scorer,importance\nT1,Ann,4\nT2,Ann,3\nT3,Cy,2\n"
    assert diff_table(old, new, "scores") == [
        ("added", ["T3 / Cy"]),
        ("removed", ["T1 / Bo"]),
        ("changed", ["T1 / Ann"]),
    ]
    assert diff_table(None, b"touchpoint_id\nT1\n", "journey") == [("added", ["T1"])]
    assert diff_table(old, old, "scores") == []


def test_latest_edits_come_from_history_and_from_disk(demo_workshop: Path):
    team = Workshop(demo_workshop).team("front-desk-friends")
    wb = team.load()
    journey = wb["journey"]
    extra = journey.iloc[[0]].copy()
    extra["touchpoint_id"], extra["order"] = "T42", 99
    wb.set_table("journey", pd.concat([journey, extra], ignore_index=True))
    wb.save()
    board = Board(demo_workshop)  # a fresh board: the saved edit is found through .history/
    board.refresh()
    texts = [str(e.text()) for e in board.edits()]
    assert texts == [  # the description, shortened at a word to 40 characters
        "<b>Front Desk &amp; Friends</b> added touchpoint T42 (Compares rates and books two "
        "nights on…), just now"
    ]
    plan = demo_workshop / "teams" / "the-night-shift" / "plan.csv"
    lines = plan.read_text(encoding="utf-8").splitlines()
    plan.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # an edit made on disk
    board.refresh()
    removed = lines[-1].split(",")[0]
    assert str(board.edits()[0].text()) == (
        f"<b>The Night Shift</b> removed action {removed}, just now"
    )
    assert "Night Shift</b> removed" in board.html()


def test_a_removed_edge_is_named_by_its_roles(demo_workshop: Path):
    team = demo_workshop / "teams" / "the-night-shift"
    board = Board(demo_workshop)
    board.refresh()
    serves = (team / "serves.csv").read_text(encoding="utf-8").splitlines()
    roles = (team / "roles.csv").read_text(encoding="utf-8").splitlines()
    from_role, to_role = serves[1].split(",")[:2]
    names = {line.split(",")[0]: line.split(",")[1] for line in roles[1:]}
    (team / "serves.csv").write_text("\n".join([serves[0], *serves[2:]]) + "\n", "utf-8")
    board.refresh()
    assert str(board.edits()[0].text()) == (
        f"<b>The Night Shift</b> removed the edge {names[from_role]} → {names[to_role]}, just now"
    )


def test_broken_team_gets_its_message_others_render(demo_workshop: Path):
    scores = demo_workshop / "teams" / "equipe-etoile" / "scores.csv"
    text = scores.read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    row = text[1].split(",")
    row[header.index("importance")] = "9"
    scores.write_text("\n".join([text[0], ",".join(row), *text[2:]]) + "\n", encoding="utf-8")
    board = Board(demo_workshop)
    board.refresh()
    view = board.views["equipe-etoile"]
    assert view.broken
    assert view.messages[0].startswith("teams/equipe-etoile/scores.csv:2:importance: ")
    page = board.html()
    tile = re.search(
        r'<div class="sk-dash-tile broken" data-team="equipe-etoile">.*?</div></div>', page, re.S
    ).group(0)
    assert "teams/equipe-etoile/scores.csv:2:importance: " in tile
    assert "<svg" not in tile
    for slug in ("front-desk-friends", "the-night-shift"):
        assert f'<div class="sk-dash-tile" data-team="{slug}">' in page
    assert page.count('class="sk-dash-svg journey"') == 3


def test_user_text_is_escaped_everywhere(tmp_path: Path):
    ws = create_workshop(tmp_path / "w", teams=["Blue"], starter=True)
    payload = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    (ws.path / "teams" / "blue" / "team.yaml").write_text(
        f"name: '{payload}'\nmembers: []\n", encoding="utf-8"
    )
    journey = ws.path / "teams" / "blue" / "journey.csv"
    journey.write_text(
        journey.read_text(encoding="utf-8") + 'T77,Arrival,77,,"<b>bold</b> desk",,direct,,0,yes\n',
        encoding="utf-8",
    )
    board = Board(ws.path)
    board.refresh()
    page = board.html()
    assert "<script" not in page
    assert "<img" not in page
    assert "<b>bold" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img" in page


def test_small_charts_draw_every_point():
    curve = [("T1", -2, False), ("T2", 0, True), ("T3", 2, False)]
    svg = journey_svg(curve)
    assert svg.count("<circle") == 3
    assert svg.count('r="7"') == 1
    # -2 at the bottom, +2 at the top (y grows downwards): the first dot is lowest
    ys = [float(y) for y in re.findall(r'cy="([\d.]+)"', svg)]
    assert ys[0] > ys[1] > ys[2]
    grid = ipa_svg([("T1", 5, 1, "Concentrate here"), ("T2", 1, 5, "Possible overkill")])
    xs = [float(x) for x in re.findall(r'cx="([\d.]+)"', grid)]
    assert xs[0] < xs[1]  # performance 1 left of performance 5
    assert "#d1495b" in grid
    assert "#e0a100" in grid
    assert "no journey yet" in journey_svg([])


def test_dashboard_widget_refreshes_on_the_button(demo_workshop: Path):
    dashboard = Dashboard(demo_workshop, interval=0)
    assert "Front Desk &amp; Friends" in dashboard.view.value
    assert "Last refreshed" in dashboard.status.value
    (demo_workshop / "teams" / "front-desk-friends" / "team.yaml").write_text(
        "name: Renamed Desk\nmembers: []\n", encoding="utf-8"
    )
    dashboard.button.click()
    assert "Renamed Desk" in dashboard.view.value
    assert "1 team(s) re-read" in dashboard.status.value


def test_present_refuses_a_folder_that_is_not_a_workshop(tmp_path: Path):
    result = CliRunner().invoke(main, ["present", str(tmp_path), "--no-browser"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path}: no workshop.yaml; expected a workshop folder made by 'servekit new'\n"
    )


def test_present_refuses_a_taken_port(demo_workshop: Path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        result = CliRunner().invoke(
            main, ["present", str(demo_workshop), "--port", str(port), "--no-browser"]
        )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: 127.0.0.1:{port} is not free (Address already in use); "
        "choose another --port (or --port 0 for any free one)\n"
    )


def test_where_the_teams_disagree_lists_split_touchpoints_widest_first(demo_workshop: Path):
    board = Board(demo_workshop)
    board.refresh()
    page = board.html()
    section = re.search(r"<h2>Where the teams disagree</h2>(.*?)</div>", page, re.S).group(1)
    listed = re.findall(r"<tr><td><b>(T\d+)</b>", section)
    table = board.agreement.set_index("touchpoint_id")
    assert listed, section
    for tp in listed:  # some teams have it in their top 3, and not all of them
        row = table.loc[tp]
        assert 1 <= row["teams_top_k"] < row["teams"], (tp, row.to_dict())
    spreads = [int(table.loc[tp, "rank_spread"]) for tp in listed]
    assert spreads == sorted(spreads, reverse=True)
    split = table[(table["teams_top_k"] >= 1) & (table["teams_top_k"] < table["teams"])]
    assert spreads[0] == int(split["rank_spread"].max())
    everyone = table.index[table["all_top_k"].astype(bool)].tolist()
    assert everyone and not set(everyone) & set(listed)  # agreement is not a split


def test_a_big_room_s_first_load_is_read_in_worker_processes_and_shows_the_same_board(
    tmp_path: Path,
):
    """From PARALLEL_FROM teams to read, the board's tiles come from one process per core (a
    fork server here: this process runs threads, as a kernel does); the page is the one the
    tiles built one at a time give, the tiles in the teams' order; then a save re-reads that
    team alone, here."""
    import multiprocessing
    import shutil
    import threading

    from kit.resources import datasets_dir
    from kit.room import dashboard
    from kit.room.workers import PARALLEL_FROM

    ws = create_workshop(tmp_path / "w", teams=[])
    samples = sorted(p for p in (datasets_dir() / "laurie-hospitality/teams").iterdir())
    count = PARALLEL_FROM + 2
    for n in range(count):  # a different sample team in turn, named backwards to the folders
        target = ws.path / "teams" / f"t{n:02d}"
        shutil.copytree(samples[n % len(samples)], target)
        (target / "team.yaml").write_text(f"name: Team {count - n}\nmembers: []\n")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)  # a kernel runs threads: no plain fork
    thread.start()
    try:
        children_before = {p.pid for p in multiprocessing.active_children()}
        board = Board(ws.path)
        assert board.refresh() == [f"t{n:02d}" for n in range(count)]
        assert {p.pid for p in multiprocessing.active_children()} == children_before  # joined
    finally:
        stop.set()
        thread.join()
    alone = Board(ws.path)
    journey = alone._case_journey()
    for team in Workshop(ws.path).teams():
        alone.views[team.slug] = dashboard.build_view(team, journey)
    alone._agree()
    alone.title = board.title
    assert list(board.views) == [f"t{n:02d}" for n in range(count)]
    assert board.html(now=0) == alone.html(now=0)
    journey_csv = ws.path / "teams" / "t03" / "journey.csv"
    journey_csv.write_text(journey_csv.read_text().replace("Arrival", "Arriving", 1))
    assert board.refresh() == ["t03"]
