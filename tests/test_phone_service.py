"""The phone's saving desk without a server: taps saved together, each answered alone."""

from __future__ import annotations

import threading
import time

import pytest
from helpers import make_workshop

from kit.exceptions import TouchpointGone
from kit.room.phone.service import TeamDesk, check_tap
from kit.store.workbook import Workbook


@pytest.fixture
def desk(tmp_path):
    team = make_workshop(tmp_path / "ws", {"alpha": None}) / "teams" / "alpha"
    desk = TeamDesk(lambda: Workbook.load(team, strict=False))
    desk.team = team
    yield desk
    desk.close()


def tap(touchpoint: str, scorer: str, importance: int = 3, performance: int = 3) -> dict:
    return check_tap(
        {
            "touchpoint_id": touchpoint,
            "scorer": scorer,
            "importance": importance,
            "performance": performance,
        }
    )


def test_taps_arriving_together_are_saved_together_and_all_land(desk):
    desk.read().result(timeout=60)  # the workbook is loaded before the rush
    gate = threading.Barrier(40)
    futures = []

    def phone(n: int) -> None:
        gate.wait()
        futures.append(desk.save(tap("T1" if n % 2 else "T2", f"P{n:02d}", 1 + n % 5, 5 - n % 5)))

    threads = [threading.Thread(target=phone, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [f.result(timeout=60) for f in futures] == [["T1", "T2"]] * 40
    assert desk.saves < 40  # taps that waited for a save were written as one change
    scores = Workbook.load(desk.team)["scores"]
    got = {(r.touchpoint_id, r.scorer): (r.importance, r.performance) for r in scores.itertuples()}
    for n in range(40):
        assert got[("T1" if n % 2 else "T2", f"P{n:02d}")] == (1 + n % 5, 5 - n % 5)
    assert got[("T1", "Ann")] == (5, 3)  # the team's own row is kept


def test_in_one_save_the_last_tap_of_a_scorer_wins_and_a_gone_touchpoint_is_refused_alone(desk):
    from kit.store.storage import team_lock

    desk.read().result(timeout=60)
    with team_lock(desk.team):  # the notebook is saving: the desk's first save waits for it
        opener = desk.save(tap("T1", "Lee"))
        deadline = time.monotonic() + 60
        while desk.saves == 0 and not opener.done() and time.monotonic() < deadline:
            time.sleep(0.05)  # wait until the worker has taken the opener (it holds no lock)
            if not desk.queued():
                break
        first = desk.save(tap("T2", "Kim", 1, 1))  # these three queue behind it
        gone = desk.save(tap("T7", "Kim", 2, 2))
        last = desk.save(tap("T2", "Kim", 4, 2))
        assert not opener.done() and desk.queued() == 3
    assert opener.result(timeout=60) == ["T1", "T2"]
    assert first.result(timeout=60) == last.result(timeout=60) == ["T1", "T2"]
    with pytest.raises(TouchpointGone) as err:
        gone.result(timeout=60)
    assert str(err.value) == (
        "Touchpoint T7 was deleted by your team meanwhile; its card is gone and nothing was "
        "saved for it."
    )
    assert desk.saves == 2  # the opener, then the three queued taps as one change
    scores = Workbook.load(desk.team)["scores"]
    kim = scores[scores.scorer == "Kim"]
    assert kim[["touchpoint_id", "importance", "performance"]].values.tolist() == [["T2", 4, 2]]
