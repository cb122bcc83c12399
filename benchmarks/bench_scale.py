"""Benchmark of a 300-team workshop; prints one JSON line per figure, each with its budget.

``new_teams``
    ``servekit new DIR --teams 300 --quiet`` as a facilitator runs it (a fresh process: start-up,
    team folders, notebooks, exercises). ``seconds_100`` is the same for 100 teams; ``ratio`` =
    300 teams / 100 teams is at most 3 when the work grows linearly (less, as start-up is paid
    once; it would be about 9 if each new team re-read every team before it, as it once did:
    100 teams 89 s, 200 teams 15.5 min), and ``cpu_ms_per_team`` is the CPU time of the 200
    teams between the two runs, per team. Budget 60 s on a 2-core machine.
``status_cold``
    ``servekit status`` on 300 teams (the case's sample teams, copied round) with no status cache:
    every team read and validated. Budget 3 s.
``status_warm``
    The same command again, the cache in ``<workshop>/.servekit/status.json``: no team changed,
    none is read. Budget 3 s.
``watch_refresh``
    One refresh of ``status --watch`` (the reader kept, the table drawn) after one team saved a
    touchpoint: only that team is read. Median of 5 refreshes, a different team each
    time. Budget 1 s.

The team files are dated an hour back first, as files saved before the session are (the cache
never keeps a team saved in the last two seconds). ``seconds`` is wall-clock time, checked
against the budget; ``cpu_s`` the CPU time it took (on a busy machine the wall time is several
times that; on a quiet one it comes near it) and ``load_average`` the machine's 1-minute load.

Run: ``python benchmarks/bench_scale.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import sample_workshop

TEAMS = 300
ROUNDS = 5
SERVEKIT = [sys.executable, "-m", "kit"]
BUDGETS = {"new_teams": 60.0, "status_cold": 3.0, "status_warm": 3.0, "watch_refresh": 1.0}


def _timed(*args: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one ``servekit`` command in a fresh process (its output
    discarded)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(
        [*SERVEKIT, *args],
        check=True,
        stdout=subprocess.DEVNULL,
        env={**os.environ, "COLUMNS": "100"},
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _line(bench: str, timed: tuple[float, float | None], **extra: object) -> None:
    """One figure: wall seconds, CPU seconds (what a quiet machine's wall time comes near) and
    the load average while it ran, so that a figure from a busy machine says so."""
    seconds, cpu = timed
    budget = BUDGETS[bench]
    print(
        json.dumps(
            {
                "bench": bench,
                "teams": TEAMS,
                "seconds": round(seconds, 3),
                **({"cpu_s": round(cpu, 3)} if cpu is not None else {}),
                **extra,
                "load_average": round(os.getloadavg()[0], 2),
                "budget_s": budget,
                "within_budget": seconds <= budget,
            }
        ),
        flush=True,
    )


def _age(workshop: Path, seconds: int = 3600) -> None:
    for path in (workshop / "teams").rglob("*"):
        when = path.stat().st_mtime - seconds
        os.utime(path, (when, when))


def _edit(workshop: Path, n: int) -> str:
    """Append a touchpoint to one team's journey, as a save would; its time is then set a minute
    back (still newer than before), so that later refreshes need not read it again."""
    slug = f"team-{n * 37 % TEAMS + 1:02d}"
    journey = workshop / "teams" / slug / "journey.csv"
    with journey.open("a", encoding="utf-8") as f:
        f.write(f"B{n:03d},Departure,{100 + n},,Bench touchpoint {n},,direct,,1,no\n")
    when = time.time() - 60
    os.utime(journey, (when, when))
    return slug


def main() -> int:
    from kit.commands.status import progress_table
    from kit.room.status import CACHE_FILE, ProgressReader

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        small = _timed("new", str(root / "new100"), "--teams", "100", "--quiet")
        timed = _timed("new", str(root / "new300"), "--teams", str(TEAMS), "--quiet")
        _line(
            "new_teams",
            timed,
            seconds_100=round(small[0], 3),
            cpu_s_100=round(small[1], 3),
            ratio=round(timed[0] / small[0], 2),
            cpu_ratio=round(timed[1] / small[1], 2),
            cpu_ms_per_team=round((timed[1] - small[1]) / (TEAMS - 100) * 1000, 1),
        )
        shutil.rmtree(root / "new100")
        shutil.rmtree(root / "new300")

        workshop = sample_workshop(root, TEAMS)
        _age(workshop)
        _line("status_cold", _timed("status", str(workshop)))
        assert (workshop / CACHE_FILE).is_file()
        _line("status_warm", _timed("status", str(workshop)))

        reader = ProgressReader(workshop)
        progress_table(workshop, 100, reader.frame())
        times = []
        cpu_started = time.process_time()
        for n in range(ROUNDS):
            slug = _edit(workshop, n)
            started = time.perf_counter()
            progress_table(workshop, 100, reader.frame())
            times.append(time.perf_counter() - started)
            assert reader.read == [slug], reader.read  # that team alone was read
        cpu = (time.process_time() - cpu_started) / ROUNDS  # mean, the edits included
        _line("watch_refresh", (statistics.median(times), cpu), rounds=ROUNDS)
    return 0


if __name__ == "__main__":
    sys.exit(main())
