"""Benchmark of ``servekit hub``: from login to a ready ``01_journey`` notebook, 10 teams at once.

``hub_login_to_ready_notebook``
    A real hub (``servekit hub`` on 127.0.0.1, a 10-team workshop, one system user per team).
    For each team: log in through the hub's form, wait for the team's own server (spawned as its
    system user), open a session on ``notebooks/<slug>/01_journey.ipynb`` and execute every code
    cell of it (imports, opening the team, building the editor and the live blueprint): ready
    for input. First one team alone (the reference), then ten other teams logging in at the
    same moment (threads); the figures are seconds and the ratio of the crowd's median to the
    lone team's time, within one run. Needs root and configurable-http-proxy (``make hub-proxy``);
    prints a JSON line with ``"skipped"`` otherwise.

Run: ``sudo python benchmarks/bench_hub.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
TEAMS = 10  # logging in at once, plus one reference team alone before them


def _ready(hub, slug: str) -> float:
    """Seconds from the login form's POST to the team's notebook executed."""
    import nbformat
    from hubtools import api_token, login, run_code, wait_for_server

    user, password = hub.login_of(slug)
    notebook = hub.workshop / "notebooks" / slug / "01_journey.ipynb"
    code = "\n".join(
        c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"
    )
    start = time.perf_counter()
    session, response = login(hub.base, user, password)
    response.raise_for_status()
    wait_for_server(session, hub.base, user, timeout=600)
    token = api_token(session, hub.base, user)
    result = run_code(
        hub.base, user, token, code, path=f"notebooks/{slug}/01_journey.ipynb", timeout=600
    )
    if result["status"] != "ok":
        raise RuntimeError(f"{slug}: {result}")
    return time.perf_counter() - start


def main() -> None:
    from hubtools import Hub, missing_requirements

    from kit.hub.runner import free_port
    from kit.room.teamnotebooks import write_team_notebooks
    from kit.store.workshop import create_workshop

    name = "hub_login_to_ready_notebook"
    why = missing_requirements()
    if why:
        print(json.dumps({"benchmark": name, "skipped": why}))
        return
    base = Path(tempfile.mkdtemp(prefix="servekit-bench-hub-", dir="/tmp"))
    os.chmod(base, 0o755)
    ws = create_workshop(
        base / "ws", teams=[f"Bench Team {i:02d}" for i in range(TEAMS + 1)], starter=True
    )
    write_team_notebooks(ws.path)  # as `servekit new` does; not part of the hub's start
    hub = Hub(ws.path, free_port(), base / "logins.json", base / "hub.out", admin="bench-admin")
    try:
        started = time.perf_counter()
        hub.start(timeout=900)
        hub_start = time.perf_counter() - started
        slugs = [t.slug for t in ws.teams()]
        alone = _ready(hub, slugs[0])
        crowd = slugs[1:]
        begin = time.perf_counter()
        with ThreadPoolExecutor(len(crowd)) as pool:
            times = list(pool.map(lambda s: _ready(hub, s), crowd))
        wall = time.perf_counter() - begin
        print(
            json.dumps(
                {
                    "benchmark": name,
                    "cores": os.cpu_count(),
                    "load_average_1min": round(os.getloadavg()[0], 1),
                    "hub_start_seconds": round(hub_start, 2),
                    "one_team_alone_seconds": round(alone, 2),
                    "crowd_teams": len(crowd),
                    "crowd_median_seconds": round(statistics.median(times), 2),
                    "crowd_max_seconds": round(max(times), 2),
                    "crowd_all_ready_seconds": round(wall, 2),
                    "crowd_median_over_alone": round(statistics.median(times) / alone, 2),
                    "crowd_seconds_sorted": [round(t, 2) for t in sorted(times)],
                }
            )
        )
    finally:
        hub.stop()
        hub.remove()
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
