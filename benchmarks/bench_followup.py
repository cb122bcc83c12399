"""Benchmark of ``servekit followup``; prints two JSON lines.

``followup_batch``
    A workshop of 8 teams (the case's sample teams, copied round). ``first_s``: every team's
    follow-up page, the cross-team page, the index and ``summary.json`` built through the report
    engine (warm kernels, 2 workers). ``unchanged_s``: the same command again, nothing changed
    (every page skipped; only ``summary.json`` is recomputed). ``new_date_s``: a later
    ``--as-of`` (an input of every page: all rebuilt). ``summary_s``: computing ``summary.json``'s
    actions alone. ``skip_speedup`` = first / unchanged, a ratio within this one run.

``followup_200``
    The same first build for a workshop of 200 teams (``seconds``; budget 10 s on a 2-core
    machine) and the unchanged one after it (``unchanged_s``).

Run: ``python benchmarks/bench_followup.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from _common import budget_line, sample_workshop

TEAMS = 8
BIG = 200
BIG_BUDGET_S = 10.0


def _workshop(root: Path) -> Path:
    return sample_workshop(root, TEAMS)


def main() -> None:
    from kit.report.followup_batch import build_followup, followup_summary

    with tempfile.TemporaryDirectory() as tmp:
        ws = _workshop(Path(tmp))
        timings = {}
        for name, as_of in (
            ("first_s", "2026-04-15"),
            ("unchanged_s", "2026-04-15"),
            ("new_date_s", "2026-06-30"),
        ):
            start = time.perf_counter()
            summary = build_followup(ws, as_of=as_of, jobs=2, progress=False)
            timings[name] = round(time.perf_counter() - start, 3)
            assert summary.exit_code == 0
        start = time.perf_counter()
        actions = followup_summary(ws, "2026-06-30")["actions"]
        timings["summary_s"] = round(time.perf_counter() - start, 3)
    print(
        json.dumps(
            {
                "benchmark": "followup_batch",
                "teams": TEAMS,
                "actions": len(actions),
                **timings,
                "skip_speedup": round(timings["first_s"] / timings["unchanged_s"], 1),
            }
        )
    )


def big() -> bool:
    """The 200-team line; True when within its budget."""
    from kit.report.followup_batch import build_followup

    with tempfile.TemporaryDirectory() as tmp:
        ws = sample_workshop(Path(tmp), BIG)
        times = []
        for _ in range(2):
            start = time.perf_counter()
            summary = build_followup(ws, as_of="2026-04-15", jobs=2, progress=False)
            times.append(time.perf_counter() - start)
            assert summary.exit_code == 0
    return budget_line("followup_200", BIG, times[0], BIG_BUDGET_S, unchanged_s=round(times[1], 2))


if __name__ == "__main__":
    main()
    sys.exit(0 if big() else 1)
