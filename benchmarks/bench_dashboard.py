"""Benchmark of the projector dashboard's refresh; prints one JSON line.

``dashboard_refresh``
    A workshop of 30 teams (the case's four sample teams, copied round). The dashboard has shown
    the room once (``cold_s``: every team read). Then, as during a session, one team saves an
    edit and the dashboard refreshes: re-read what changed (only that team), recompute the
    cross-team agreement and render the page. ``refresh_one_changed_s`` is the median of 7 such
    refreshes (budget 1 s on a 2-core machine); ``refresh_unchanged_s`` a refresh where nothing
    changed; ``naive_s`` re-reads all 30 teams every time (what a non-incremental refresh costs)
    and ``speedup`` = naive / incremental, a ratio within this one run.

Run: ``python benchmarks/bench_dashboard.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import sample_workshop

TEAMS = 30
ROUNDS = 7
BUDGET_S = 1.0


def _workshop(root: Path) -> Path:
    return sample_workshop(root, TEAMS)


def _edit(path: Path, n: int) -> None:
    """Append a touchpoint to one team's journey, as a save would."""
    journey = path / "teams" / f"team-{n % TEAMS + 1:02d}" / "journey.csv"
    with journey.open("a", encoding="utf-8") as f:
        f.write(f"B{n:03d},Departure,{100 + n},,Bench touchpoint {n},,direct,,1,no\n")


def main() -> int:
    from kit.room.dashboard import Board

    with tempfile.TemporaryDirectory() as tmp:
        path = _workshop(Path(tmp))
        board = Board(path)
        started = time.perf_counter()
        board.refresh()
        board.html()
        cold = time.perf_counter() - started

        started = time.perf_counter()
        assert board.refresh() == []
        board.html()
        unchanged = time.perf_counter() - started

        times = []
        for n in range(ROUNDS):
            _edit(path, n)
            started = time.perf_counter()
            changed = board.refresh()
            board.html()
            times.append(time.perf_counter() - started)
            assert len(changed) == 1, changed

        naive = []
        for _ in range(3):
            started = time.perf_counter()
            fresh = Board(path)
            fresh.refresh()
            fresh.html()
            naive.append(time.perf_counter() - started)
    incremental = statistics.median(times)
    result = {
        "bench": "dashboard_refresh",
        "teams": TEAMS,
        "cold_s": round(cold, 3),
        "refresh_unchanged_s": round(unchanged, 4),
        "refresh_one_changed_s": round(incremental, 3),
        "naive_s": round(statistics.median(naive), 3),
        "speedup": round(statistics.median(naive) / incremental, 1),
        "budget_s": BUDGET_S,
        "within_budget": incremental <= BUDGET_S,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
