"""Benchmark of scoring from phones: thirty phones save taps at once; prints one JSON line.

``phone_scoring``
    One ``servekit lab`` server (:class:`kit.room.lab.LabServer`, the phone extension enabled as
    in the room) over a workshop of two sample teams. Thirty simulated phones (HTTP clients in
    threads, one connection each, not browsers) each read their team's cards and then score all
    18 touchpoints of the same team as fast as they can, one request after the other (importance,
    performance and be readiness in one tap). (The team's notebook saving at the same time is
    covered by ``tests/test_phone_http.py``.)

    ``save_p50_ms`` / ``save_p95_ms``: latency of a tap, request to answer (budget: p95 <= 300 ms);
    ``lost_rows``: phone rows missing from ``scores.csv`` or holding other values
    than the last tap sent (must be 0), and ``other_team_changed`` (must be false);
    ``extra_rss_mb``: the server's peak resident memory (``VmHWM``) during the run minus its
    resident memory before (budget: <= 300 MB), server and any child process;
    ``kernel_rss_mb``: what one Python kernel that imports the kit's scoring widgets holds (a
    Voilà page per phone starts one such kernel), and ``voila_30_kernels_mb`` thirty of them —
    a lower bound for the Voilà design (it leaves out Voilà's own per-page cost).
    ``server_cpu_s``: CPU time the server used for all the taps (``server_cpu_ms_per_tap`` per
    tap), which does not grow with other work on the machine;
    ``load_avg_1m``: the machine's load average when the phones finished (other work on a shared
    machine lengthens every latency).

Run: ``python benchmarks/bench_phone.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

from _common import sample_workshop

PHONES = 30
BUDGET_P95_MS = 300
BUDGET_RSS_MB = 300


def _rss_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu_s(pids: list[int]) -> float:
    """CPU time (user + system) the processes used so far, in seconds."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it."""
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(entry.name))
    found, todo = [pid], [pid]
    while todo:
        for kid in kids.get(todo.pop(), []):
            found.append(kid)
            todo.append(kid)
    return found


def _phone(port: int, token: str, slug: str, name: str, ids: list[str], out: dict) -> None:
    rng = random.Random(name)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}
    conn.request("GET", f"/servekit/phone/api/{slug}?scorer={quote(name)}", headers=headers)
    assert conn.getresponse().read() and True
    sent, times, failed = {}, [], []
    for tp in ids:
        row = {
            "touchpoint_id": tp,
            "scorer": name,
            "importance": rng.randint(1, 5),
            "performance": rng.randint(1, 5),
            "be": rng.randint(1, 5),
        }
        started = time.perf_counter()
        conn.request("POST", f"/servekit/phone/api/{slug}", json.dumps(row), headers)
        response = conn.getresponse()
        body = response.read()
        times.append(time.perf_counter() - started)
        if response.status == 200:
            sent[(tp, name)] = row
        else:
            failed.append((response.status, body[:200]))
    conn.close()
    out[name] = (sent, times, failed)


def kernel_rss_mb(kernels: int = 2) -> float:
    """Median resident memory of a Python kernel that has imported the scoring widgets."""
    from jupyter_client.manager import start_new_kernel

    sizes = []
    for _ in range(kernels):
        manager, client = start_new_kernel(kernel_name="python3")
        try:
            client.execute_interactive(
                "import kit.widgets.scoring, ipywidgets", timeout=120, output_hook=lambda m: None
            )
            pid = manager.provisioner.process.pid
            sizes.append(sum(_rss_kb(p, "VmRSS") for p in _tree(pid)) / 1024)
        finally:
            client.stop_channels()
            manager.shutdown_kernel(now=True)
    return statistics.median(sizes)


def _lost(scores, expected: dict) -> int:
    got = {
        (r.touchpoint_id, r.scorer): (int(r.importance), int(r.performance))
        for r in scores.itertuples(index=False)
    }
    return sum(
        got.get(key) != (row["importance"], row["performance"]) for key, row in expected.items()
    )


def main() -> int:  # noqa: C901 - one scenario, step by step
    from kit.room.lab import LabServer, stop
    from kit.store.workbook import Workbook

    with tempfile.TemporaryDirectory() as tmp:
        path = sample_workshop(Path(tmp), 2)
        slug, other = "team-01", "team-02"
        team = path / "teams" / slug
        other_before = {p.name: p.read_bytes() for p in (path / "teams" / other).glob("*.*")}
        ids = list(Workbook.load(team)["journey"]["touchpoint_id"])[:18]
        server = LabServer(path, port=0, token="bench-phone-token")
        process = server.start()
        try:
            server.wait_ready(process)
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
            conn.request("GET", f"/servekit/phone/{slug}?token={server.token}")
            assert conn.getresponse().status == 200
            conn.close()
            time.sleep(1)  # let the server settle after its first page
            pids = _tree(process.pid)
            before_kb = sum(_rss_kb(p, "VmRSS") for p in pids)
            cpu_before = _cpu_s(pids)
            out: dict = {}
            threads = [
                threading.Thread(
                    target=_phone,
                    args=(server.port, server.token, slug, f"Phone {n:02d}", ids, out),
                )
                for n in range(PHONES)
            ]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            wall = time.perf_counter() - started
            load = os.getloadavg()[0]
            cpu = _cpu_s(_tree(process.pid)) - cpu_before
            pids = _tree(process.pid)
            peak_kb = sum(_rss_kb(p, "VmHWM") for p in pids)
            children = len(pids) - 1
        finally:
            stop(process)
            server.cleanup()
        expected = {k: v for sent, _, _ in out.values() for k, v in sent.items()}
        failed = [f for _, _, fails in out.values() for f in fails]
        scores = Workbook.load(team)["scores"]
        other_after = {p.name: p.read_bytes() for p in (path / "teams" / other).glob("*.*")}
    times = sorted(t * 1000 for _, ts, _ in out.values() for t in ts)
    p95 = times[int(0.95 * (len(times) - 1))]
    extra_mb = (peak_kb - before_kb) / 1024
    kernel_mb = kernel_rss_mb()
    lost = _lost(scores, expected) + (PHONES * len(ids) - len(expected))
    result = {
        "bench": "phone_scoring",
        "phones": PHONES,
        "touchpoints": len(ids),
        "taps": len(times),
        "failed_taps": len(failed),
        "wall_s": round(wall, 2),
        "save_p50_ms": round(statistics.median(times), 1),
        "save_p95_ms": round(p95, 1),
        "save_max_ms": round(times[-1], 1),
        "server_cpu_s": round(cpu, 2),
        "server_cpu_ms_per_tap": round(1000 * cpu / max(len(times), 1), 1),
        "lost_rows": lost,
        "other_team_changed": other_before != other_after,
        "server_children": children,
        "server_rss_before_mb": round(before_kb / 1024, 1),
        "extra_rss_mb": round(extra_mb, 1),
        "kernel_rss_mb": round(kernel_mb, 1),
        "voila_30_kernels_mb": round(30 * kernel_mb),
        "load_avg_1m": round(load, 1),
        "budget_p95_ms": BUDGET_P95_MS,
        "budget_rss_mb": BUDGET_RSS_MB,
        "within_budget": p95 <= BUDGET_P95_MS and extra_mb <= BUDGET_RSS_MB and lost == 0,
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
