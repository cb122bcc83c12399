"""Issue 20, "root never follows a team's path", on the projector dashboard (``servekit present``
may run as root): a team links ``journey.csv`` to a root-only file, links ``.history`` to a
root-only folder holding a crafted old version, or plants a 60 GB sparse file.

The board (the real :class:`kit.room.dashboard.Board` over real files) must read none of them:
no decoy text on the page, the linked file named in the team's message, the others drawn.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kit.room.dashboard import Board
from kit.store.workshop import create_demo

SECRET = "decoy-secret-9f2"
pytestmark = pytest.mark.xdist_group("hostile")  # the hostile-team suite, on one worker


@pytest.fixture
def demo(tmp_path: Path) -> Path:
    return create_demo(tmp_path / "demo").path


@pytest.fixture
def decoy(tmp_path: Path) -> Path:
    folder = tmp_path / "root-only"
    folder.mkdir(mode=0o700)
    # shaped like the team's tables, so a reader that followed the link would show its rows
    (folder / "shadow").write_text(
        f"touchpoint_id,stage,description\n{SECRET},before,{SECRET}\n", encoding="utf-8"
    )
    (folder / "20990101T000000000000.plan.csv").write_text(
        f"action_id,action\n{SECRET},{SECRET}\n", encoding="utf-8"
    )
    for path in folder.iterdir():
        path.chmod(0o600)
    return folder


def test_the_board_never_reads_through_a_teams_links_or_a_sparse_giant(demo, decoy):
    teams = demo / "teams"
    linked = teams / "front-desk-friends" / "journey.csv"
    linked.unlink()
    linked.symlink_to(decoy / "shadow")
    (teams / "the-night-shift" / ".history").symlink_to(decoy, target_is_directory=True)
    with (teams / "equipe-etoile" / "scores.csv").open("r+b") as handle:
        handle.truncate(60 * 10**9)

    board = Board(demo)
    board.refresh()
    page = board.html()

    assert SECRET not in page
    assert [str(e.text()) for e in board.edits() if SECRET in str(e.text())] == []
    messages = board.views["front-desk-friends"].messages
    assert (
        "teams/front-desk-friends/journey.csv: refused: this is a symbolic link; expected the "
        "file itself inside the team folder (links are never followed)"
    ) in messages
    assert board.views["equipe-etoile"].messages[0] == (
        "teams/equipe-etoile/scores.csv: refused: the file is 60000000000 bytes; expected at "
        "most 50000000"
    )
    assert not board.views["the-night-shift"].broken  # its data is fine; its link is ignored
    assert sorted(p.name for p in decoy.iterdir()) == ["20990101T000000000000.plan.csv", "shadow"]
