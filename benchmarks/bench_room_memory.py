"""Benchmark: the memory of a 30-team room on one ``servekit lab`` server.

``servekit lab`` (the kit's own command, 127.0.0.1, token through ``$SERVEKIT_TOKEN``) runs on a
workshop of 30 teams (the case's sample teams copied round). Each simulated team opens its
first notebook as its link does, through the server's APIs, not a browser: a session for
``notebooks/<team>/01_journey.ipynb`` (``POST /api/sessions``, which starts the team's kernel),
then every code cell of that notebook executed over the kernel's websocket, so the editors'
imports and the team's data really load. Teams arrive ``ARRIVING`` at a time.

The resident memory (RSS) of the server's whole process tree (the command, JupyterLab and every
kernel) is sampled every half second while the teams open their notebooks and after.

``room_memory``
    ``baseline_mb``: the server before any team; ``peak_total_gb``: the largest sum of RSS
    (budget 8 GB); ``per_team_mb``: (peak - baseline) / teams; ``kernel_mb``: median RSS of
    one team's kernel once its notebook ran; ``pss_total_gb``: the proportional set size of
    the tree with every notebook run (shared pages counted once, so below the RSS sum).
``room_memory_after_cull``
    The server started with ``--cull-idle 0.5``: once the teams close their connections (the
    tabs closed), the culler shuts their idle kernels down; the tree's RSS when no kernel is
    left, and how long that took.

Run: ``python benchmarks/bench_room_memory.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
from _common import api, execute, kernel_socket, room_lab, sample_workshop

TEAMS = 30
ARRIVING = 3
NOTEBOOK = "01_journey.ipynb"
BUDGET_GB = 8.0
CULL_MINUTES = 0.5
MB = 1024 * 1024


def tree(pid: int) -> list[psutil.Process]:
    """The process and every process it started (JupyterLab, the kernels)."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def rss(processes: list[psutil.Process]) -> int:
    """The sum of the processes' resident sets, in bytes (gone processes count 0)."""
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total


class Sampler(threading.Thread):
    """Samples the RSS of a process tree every half second; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak, self.last, self.samples = pid, 0, 0, 0
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            self.last = rss(tree(self.pid))
            self.peak = max(self.peak, self.last)
            self.samples += 1
            self.stopped.wait(0.5)


def code_cells(path: Path) -> list[str]:
    """The code cells of a notebook, in order."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def open_notebook(base: str, token: str, workshop: Path, slug: str):
    """One team: a session (and kernel) for its notebook, every code cell run; its socket."""
    path = f"notebooks/{slug}/{NOTEBOOK}"
    session = api(
        base,
        token,
        "POST",
        "/api/sessions",
        {"path": path, "name": NOTEBOOK, "type": "notebook", "kernel": {"name": "python3"}},
    )
    socket = kernel_socket(base, token, session["kernel"]["id"])
    for source in code_cells(workshop / path):
        execute(socket, source)
    threading.Thread(target=_listen, args=(socket,), daemon=True).start()
    return session["kernel"]["id"], socket


def _listen(socket) -> None:
    """Read the socket until it closes, as an open tab does: reading answers the server's pings
    (a socket no one reads is closed by the server after its ping timeout, and its kernel
    culled)."""
    with contextlib.suppress(Exception):
        while True:
            socket.recv()


def kernel_pids(server_pid: int) -> dict[str, int]:
    """Each kernel's process id, by kernel id (read from the kernel's connection file name)."""
    found = {}
    for process in tree(server_pid):
        try:
            args = process.cmdline()
        except psutil.NoSuchProcess:
            continue
        for arg in args:
            name = Path(arg).name
            if name.startswith("kernel-") and name.endswith(".json"):
                found[name[len("kernel-") : -len(".json")]] = process.pid
    return found


def pss(processes: list[psutil.Process]) -> int:
    """The sum of the processes' proportional set sizes, in bytes."""
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess, AttributeError):
            total += process.memory_full_info().pss
    return total


def main() -> int:
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        workshop = sample_workshop(Path(tmp), TEAMS)
        slugs = sorted(p.name for p in (workshop / "teams").iterdir())
        with room_lab(workshop, cull_idle=CULL_MINUTES, log=Path(tmp) / "lab.log") as (
            process,
            base,
            token,
        ):
            baseline = rss(tree(process.pid))
            sampler = Sampler(process.pid)
            sampler.start()
            started = time.perf_counter()
            with ThreadPoolExecutor(ARRIVING) as pool:
                opened = list(pool.map(lambda s: open_notebook(base, token, workshop, s), slugs))
            seconds = time.perf_counter() - started
            pids = kernel_pids(process.pid)
            kernels = [psutil.Process(pids[kernel_id]) for kernel_id, _ in opened]
            kernel_mb = statistics.median(rss([k]) / MB for k in kernels)
            all_loaded = rss(tree(process.pid))
            proportional = pss(tree(process.pid))
            peak = max(sampler.peak, all_loaded)
            results.append(
                {
                    "bench": "room_memory",
                    "teams": TEAMS,
                    "notebook": NOTEBOOK,
                    "kernels": len(pids),
                    "open_s": round(seconds, 1),
                    "baseline_mb": round(baseline / MB),
                    "peak_total_gb": round(peak / 1024**3, 2),
                    "per_team_mb": round((peak - baseline) / TEAMS / MB),
                    "kernel_mb": round(kernel_mb),
                    "pss_total_gb": round(proportional / 1024**3, 2),
                    "samples": sampler.samples,
                    "budget_gb": BUDGET_GB,
                    "within_budget": peak / 1024**3 <= BUDGET_GB,
                    "load_avg": [round(x, 2) for x in os.getloadavg()],
                }
            )
            for _, socket in opened:  # the tabs close
                socket.close()
            closed = time.perf_counter()
            deadline = time.monotonic() + 10 * CULL_MINUTES * 60
            while api(base, token, "GET", "/api/kernels") and time.monotonic() < deadline:
                time.sleep(1)
            left = len(api(base, token, "GET", "/api/kernels"))
            sampler.stopped.set()
            sampler.join()
            after = rss(tree(process.pid))
            results.append(
                {
                    "bench": "room_memory_after_cull",
                    "teams": TEAMS,
                    "cull_idle_min": CULL_MINUTES,
                    "kernels_left": left,
                    "culled_after_s": round(time.perf_counter() - closed, 1),
                    "total_mb": round(after / MB),
                    "baseline_mb": round(baseline / MB),
                    "budget_gb": BUDGET_GB,
                    "within_budget": left == 0,
                }
            )
    for result in results:
        print(json.dumps(result))
    return 0 if all(r["within_budget"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
