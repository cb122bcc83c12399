"""Benchmark of the synthesis across 200 teams; prints one JSON line.

``synthesis_200``
    A workshop of 200 teams (the case's sample teams, copied round). The synthesis notebook
    (``workshops/20_synthesis.ipynb``) run by plain papermill, as a coach runs it by hand:
    a kernel started, every team read, each ranked against its own journey and the case's,
    the sections shown. ``seconds`` is papermill's whole run (budget 10 s on a 2-core
    machine), ``cells_s`` the executed cells alone (the kernel's start left out: ``servekit
    report`` runs the synthesis in a warm kernel).

Run: ``python benchmarks/bench_synthesis.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from _common import budget_line, sample_workshop

TEAMS = 200
BUDGET_S = 10.0


def main() -> int:
    import papermill

    from kit.resources import workshop_notebook

    notebook = workshop_notebook("20_synthesis.ipynb")
    with tempfile.TemporaryDirectory() as tmp:
        workshop = sample_workshop(Path(tmp), TEAMS)
        out = Path(tmp) / "synthesis.ipynb"
        started = time.perf_counter()
        papermill.execute_notebook(
            str(notebook),
            str(out),
            parameters={"workshop_dir": str(workshop)},
            progress_bar=False,
            log_output=False,
            cwd=str(notebook.parent),
        )
        seconds = time.perf_counter() - started
        cells = json.loads(out.read_text(encoding="utf-8"))["cells"]
    cells_s = sum(c["metadata"].get("papermill", {}).get("duration") or 0 for c in cells)
    within = budget_line("synthesis_200", TEAMS, seconds, BUDGET_S, cells_s=round(cells_s, 2))
    return 0 if within else 1


if __name__ == "__main__":
    sys.exit(main())
