"""The phone page's server side over HTTP: token, 400s, the row merge, links (issue 22).

One real ``servekit lab`` server (tests/phonetools.py) for the module; each test uses its own
scorer names so the tests do not depend on their order.
"""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pytest
from helpers import BROKEN_ROLES, UNESCAPED, XSS_NAME
from phonetools import TOKEN, call, start_lab, team_files

from kit.room.lab import stop, team_links
from kit.room.links import TeamLink, links_page
from kit.room.phone import links_json, phone_url, write_links_json
from kit.room.phone.handlers import REFUSED
from kit.store.workbook import Workbook

pytestmark = pytest.mark.slow

API = "/servekit/phone/api/alpha"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    server, process = start_lab(tmp_path_factory.mktemp("phone"))
    yield server
    stop(process)
    server.cleanup()


def scores(lab, team: str = "alpha") -> pd.DataFrame:
    return Workbook.load(lab.workshop_dir / "teams" / team)["scores"]


def row_of(lab, scorer: str, touchpoint: str = "T1", team: str = "alpha") -> list:
    frame = scores(lab, team)
    hits = frame[(frame.scorer == scorer) & (frame.touchpoint_id == touchpoint)]
    return [
        [None if pd.isna(v) else int(v) for v in r]
        for r in hits[["importance", "performance", "be", "do", "have"]].itertuples(index=False)
    ]


def test_a_request_without_the_token_is_refused(lab):
    before = team_files(lab.workshop_dir / "teams" / "alpha")
    for token in (None, "wrong-token"):
        path = "/servekit/phone/alpha" + (f"?token={token}" if token else "")
        status, headers, text = call(lab.base, path, token=None)
        assert (status, text) == (403, REFUSED)  # a plain refusal, not Jupyter's login page
    for token in (None, "wrong-token"):
        status, _, text = call(lab.base, API + "?scorer=Ann", token=token)
        assert status == 403, text
        assert "Mini team" not in text and "T1" not in text
        tap = {"touchpoint_id": "T1", "scorer": "Eve", "importance": 5, "performance": 5}
        status, _, _ = call(lab.base, API, method="POST", body=tap, token=token)
        assert status == 403
    assert team_files(lab.workshop_dir / "teams" / "alpha") == before


def test_the_page_is_plain_html_with_no_jupyter_interface_and_nothing_from_the_internet(lab):
    status, headers, page = call(lab.base, f"/servekit/phone/alpha?token={TOKEN}", token=None)
    assert status == 200
    assert "jp-" not in page and "jupyter" not in page.lower()
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"
    for asset in ("phone.js", "phone.css"):
        status, _, text = call(lab.base, f"/servekit/phone/static/{asset}", token=None)
        assert status == 200 and "http://" not in text and "https://" not in text
        assert "jp-" not in text
    assert call(lab.base, "/servekit/phone/static/..%2Fservekit.css", token=None)[0] == 404
    assert call(lab.base, "/servekit/phone/nosuchteam")[0] == 404


def test_the_cards_list_the_touchpoints_in_journey_order_and_the_scorers_own_rows(lab):
    status, _, text = call(lab.base, API + "?scorer=Ann")
    assert status == 200
    data = json.loads(text)
    assert data == {
        "team": "Mini team",
        "touchpoints": [
            {"id": "T1", "stage": "Arrival", "description": "Check-in at the desk",
             "moment_of_truth": True},
            {"id": "T2", "stage": "Room", "description": "Room prepared before arrival",
             "moment_of_truth": False},
        ],
        "mine": {"T1": {"importance": 5, "performance": 3, "be": 4, "do": 3, "have": 2}},
        "fix": [],
    }  # fmt: skip


def test_a_tap_is_saved_as_the_scorers_row_and_a_second_tap_replaces_it(lab):
    tap = {"touchpoint_id": "T2", "scorer": "Tap Tester", "importance": 4, "performance": 2}
    status, _, text = call(lab.base, API, method="POST", body=tap)
    assert status == 200, text
    answer = json.loads(text)
    assert answer["message"] == "saved" and answer["touchpoints"] == ["T1", "T2"]
    assert row_of(lab, "Tap Tester", "T2") == [[4, 2, None, None, None]]
    tap.update(importance=1, be=5, have=3)
    assert call(lab.base, API, method="POST", body=tap)[0] == 200
    assert row_of(lab, "Tap Tester", "T2") == [[1, 2, 5, None, 3]]


@pytest.mark.parametrize(
    ("tap", "message"),
    [
        (
            {"importance": 6},
            "importance must be a whole number from 1 to 5; got 6. Nothing was saved.",
        ),
        (
            {"performance": 0},
            "performance must be a whole number from 1 to 5; got 0. Nothing was saved.",
        ),
        (
            {"importance": "3"},
            "importance must be a whole number from 1 to 5; got '3'. Nothing was saved.",
        ),
        (
            {"importance": True},
            "importance must be a whole number from 1 to 5; got True. Nothing was saved.",
        ),
        (
            {"be": 2.5},
            "be must be a whole number from 1 to 5 (or null); got 2.5. Nothing was saved.",
        ),
        ({"scorer": "   "}, "Give your name or initials (1 to 40 characters)."),
        (
            {"scorer": "x" * 41},
            "Your name has 41 characters; use at most 40 (initials are fine).",
        ),
        ({"rating": 3}, "Unknown field(s): rating. Nothing was saved."),
    ],
)
def test_a_bad_tap_sent_by_hand_is_refused_with_400_and_nothing_is_written(lab, tap, message):
    before = team_files(lab.workshop_dir / "teams" / "alpha")
    body = {"touchpoint_id": "T1", "scorer": "Hand", "importance": 3, "performance": 3, **tap}
    status, _, text = call(lab.base, API, method="POST", body=body)
    assert (status, json.loads(text)) == (400, {"message": message})
    assert team_files(lab.workshop_dir / "teams" / "alpha") == before


def test_a_body_that_is_not_json_is_refused_with_400(lab):
    status, _, text = call(lab.base, API, method="POST", raw=b"importance=9")
    assert (status, json.loads(text)) == (
        400,
        {"message": "Expected a JSON object. Nothing was saved."},
    )


def test_the_notebook_and_a_phone_saving_in_the_same_second_both_keep_their_rows(lab):
    team = lab.workshop_dir / "teams" / "alpha"
    notebook = Workbook.load(team)  # the team's notebook has the team open
    tap = {"touchpoint_id": "T2", "scorer": "Phone Pat", "importance": 2, "performance": 5}
    assert call(lab.base, API, method="POST", body=tap)[0] == 200  # the phone saves first
    mine = pd.DataFrame(
        [{"touchpoint_id": "T2", "scorer": "Notebook Nia", "importance": 3, "performance": 1}]
    )
    notebook["scores"] = pd.concat([notebook["scores"], mine], ignore_index=True)
    notebook.save()  # then the notebook, with what it loaded before the phone's save
    assert notebook.merged == ["scores.csv"]
    tap = {"touchpoint_id": "T1", "scorer": "Phone Pat", "importance": 4, "performance": 4}
    assert call(lab.base, API, method="POST", body=tap)[0] == 200  # and the phone again
    assert row_of(lab, "Phone Pat", "T2") == [[2, 5, None, None, None]]
    assert row_of(lab, "Notebook Nia", "T2") == [[3, 1, None, None, None]]
    assert row_of(lab, "Phone Pat", "T1") == [[4, 4, None, None, None]]
    assert row_of(lab, "Ann", "T1") == [[5, 3, 4, 3, 2]]  # the team's earlier row too


def test_a_touchpoint_deleted_meanwhile_is_refused_with_409_and_nothing_is_written(lab):
    team = lab.workshop_dir / "teams" / "beta"
    wb = Workbook.load(team)
    wb.set_tables(
        {
            "journey": wb["journey"][wb["journey"].touchpoint_id != "T2"],
            "scores": wb["scores"][wb["scores"].touchpoint_id != "T2"],
        }
    )
    wb.save()
    before = team_files(team)
    tap = {"touchpoint_id": "T2", "scorer": "Late Lou", "importance": 3, "performance": 3}
    status, _, text = call(lab.base, "/servekit/phone/api/beta", method="POST", body=tap)
    assert (status, json.loads(text)) == (
        409,
        {
            "message": "Touchpoint T2 was deleted by your team meanwhile; its card is gone "
            "and nothing was saved for it.",
            "gone": "T2",
        },
    )
    assert team_files(team) == before
    cards = json.loads(call(lab.base, "/servekit/phone/api/beta")[2])
    assert [c["id"] for c in cards["touchpoints"]] == ["T1"]


def test_a_team_whose_data_is_invalid_says_what_to_fix_and_saves_nothing(lab):
    team = lab.workshop_dir / "teams" / "beta"
    (team / "roles.csv").write_text(BROKEN_ROLES, encoding="utf-8")
    before = team_files(team)
    fix = [
        "teams/beta/roles.csv:3:level: got 'boss'; expected one of: customer, frontline, "
        "support, manager, executive"
    ]
    cards = json.loads(call(lab.base, "/servekit/phone/api/beta?scorer=Ann")[2])
    assert cards["fix"] == fix
    tap = {"touchpoint_id": "T1", "scorer": "Blocked Bea", "importance": 3, "performance": 3}
    status, _, text = call(lab.base, "/servekit/phone/api/beta", method="POST", body=tap)
    assert (status, json.loads(text)) == (
        409,
        {
            "message": "Scores cannot be saved until the facilitator fixes the team's data: "
            + fix[0],
            "fix": fix,
        },
    )
    assert team_files(team) == before


def test_links_json_has_one_object_per_team_with_both_links_and_is_private(tmp_path):
    from kit.store.workshop import create_workshop

    ws = create_workshop(tmp_path / "w", teams=["Blue & Gold", XSS_NAME])
    links = team_links(ws.path, "http://10.0.0.5:8888", "s3cret")
    path = write_links_json(ws.path, links)
    assert path == ws.path / "links.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data[0] == {
        "team": "blue-gold",
        "name": "Blue & Gold",
        "notebooks": "http://10.0.0.5:8888/lab/workspaces/blue-gold/tree/notebooks/blue-gold/"
        "01_journey.ipynb?reset=&token=s3cret",
        "phone": "http://10.0.0.5:8888/servekit/phone/blue-gold?token=s3cret",
    }
    assert data[1]["name"] == XSS_NAME  # JSON holds the text as it is; pages escape it
    assert json.loads(links_json([])) == []


def test_links_page_shows_both_codes_per_team_and_escapes_the_names():
    link = TeamLink(
        "a", XSS_NAME, "http://h:1/lab?token=t", phone=phone_url("http://h:1", "a", "t")
    )
    page = links_page("W", [link])
    assert page.count("<svg") == 2
    assert "Open your notebooks" in page and "Score on your phone" in page
    assert "http://h:1/servekit/phone/a?token=t" in page
    assert not UNESCAPED.search(page)
    old = links_page("W", [TeamLink("a", "A", "http://h:1/lab?token=t")])
    assert old.count("<svg") == 1 and "Score on your phone" not in old


def test_the_projector_shows_a_phones_tap_at_the_next_refresh(lab):
    from kit.room.dashboard import Board

    board = Board(lab.workshop_dir)
    board.refresh()
    assert "Live Lee" not in board.html()
    tap = {"touchpoint_id": "T1", "scorer": "Live Lee", "importance": 1, "performance": 5}
    assert call(lab.base, API, method="POST", body=tap)[0] == 200
    assert "alpha" in board.refresh()
    tile = board.html().split('data-team="alpha"')[1].split('data-team="beta"')[0]
    assert "Live Lee 1/2" in tile
    assert "Most disagreement: T1 Check-in at the desk (spread " in tile


def test_the_hub_links_page_adds_each_teams_phone_code(tmp_path):
    from kit.hub.links import hub_links_page, phone_links
    from kit.store.workshop import create_workshop

    ws = create_workshop(tmp_path / "w", teams=["Alpha", "Beta"])
    phones = phone_links(ws.path, "http://h:8000/")
    assert phones == {
        "sk-alpha": "http://h:8000/hub/login?next=%2Fhub%2Fuser-redirect%2Fservekit%2Fphone%2Falpha",
        "sk-beta": "http://h:8000/hub/login?next=%2Fhub%2Fuser-redirect%2Fservekit%2Fphone%2Fbeta",
    }
    teams = [("sk-alpha", XSS_NAME, "pw-a"), ("sk-beta", "Beta", "pw-b")]
    page = hub_links_page("W", teams, "http://h:8000/", phones=phones)
    assert page.count("<svg") == 4 and page.count("Score on your phone") == 2
    assert phones["sk-alpha"] in page and not UNESCAPED.search(page)
    assert hub_links_page("W", teams, "http://h:8000/").count("<svg") == 2
