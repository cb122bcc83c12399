"""What several benchmarks share: a workshop of many teams made from the case's sample teams,
and ``servekit lab`` started on it with its REST API at hand.

Not a benchmark itself (``make bench`` runs ``bench_*.py`` only); the scripts import it as
``from _common import sample_workshop`` (a script's own folder is on ``sys.path``).
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path


def sample_workshop(root: Path, teams: int) -> Path:
    """A workshop under ``root`` with ``teams`` teams, the case's sample teams copied round."""
    from kit.resources import datasets_dir
    from kit.store.workshop import create_workshop

    ws = create_workshop(root / "ws", teams=[])
    samples = sorted(
        p for p in (datasets_dir() / "laurie-hospitality" / "teams").iterdir() if p.is_dir()
    )
    for i in range(teams):
        target = ws.teams_path / f"team-{i + 1:02d}"
        shutil.copytree(samples[i % len(samples)], target)
        (target / "team.yaml").write_text(f"name: Team {i + 1}\nmembers: []\n", encoding="utf-8")
    return ws.path


@contextlib.contextmanager
def room_lab(workshop: Path, cull_idle: float = 0.0, log: Path | None = None):
    """``servekit lab`` on ``workshop`` exactly as a facilitator starts it (the kit's own command,
    127.0.0.1, a free port, the token through ``$SERVEKIT_TOKEN``), in its own process group.

    Yields ``(process, base, token)`` once the server answers an authenticated request; stops
    the command, JupyterLab and every kernel afterwards.
    """
    from kit.room.lab import free_port

    token = secrets.token_urlsafe(24)
    port = free_port()
    out = open(log or os.devnull, "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "kit", "lab", str(workshop), "--port", str(port), "--no-browser"]
        + ["--cull-idle", str(cull_idle)],
        env={**os.environ, "SERVEKIT_TOKEN": token},
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                api(base, token, "GET", "/api/status")
                break
            except OSError as exc:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"servekit lab did not start: {exc}") from None
                time.sleep(0.3)
        yield process, base, token
    finally:
        from kit.testing import stop_group

        stop_group(process, timeout=30)  # servekit, the server and its kernels
        out.close()


def api(base: str, token: str, method: str, path: str, body: dict | None = None):
    """One authenticated request to the Jupyter server's REST API; the decoded JSON answer."""
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        text = response.read()
    return json.loads(text) if text else None


def kernel_socket(base: str, token: str, kernel_id: str):
    """A websocket on a kernel's channels (Jupyter's JSON protocol), from ``websocket-client``."""
    import websocket

    url = base.replace("http://", "ws://") + f"/api/kernels/{kernel_id}/channels"
    return websocket.create_connection(url, header=[f"Authorization: token {token}"], timeout=600)


def send_execute(socket, code: str) -> str:
    """Send ``code`` to the kernel on ``socket``; the request's message id."""
    msg_id = uuid.uuid4().hex
    socket.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": "bench",
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": True,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
                "channel": "shell",
                "buffers": [],
            }
        )
    )
    return msg_id


def execute(socket, code: str) -> dict:
    """Run ``code`` on the kernel and wait for its reply; raise when it failed."""
    msg_id = send_execute(socket, code)
    while True:
        msg = _decode(socket.recv())
        if msg.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "execute_reply":
            if msg["content"]["status"] != "ok":
                content = msg["content"]
                raise RuntimeError(f"cell failed: {content.get('ename')}: {content.get('evalue')}")
            return msg["content"]


def _decode(frame: str | bytes) -> dict:
    """A kernel message from a websocket frame: JSON text, or Jupyter's binary framing (a count
    of offsets, the offsets, then the JSON message and its buffers) when it carries buffers."""
    if isinstance(frame, str):
        return json.loads(frame)
    count = int.from_bytes(frame[:4], "big")
    offsets = [int.from_bytes(frame[4 * (i + 1) : 4 * (i + 2)], "big") for i in range(count)]
    end = offsets[1] if count > 1 else len(frame)
    return json.loads(frame[offsets[0] : end])


def budget_line(bench: str, teams: int, seconds: float, budget: float, **extra: object) -> bool:
    """Print one benchmark's JSON line (its figure, what else it measured, the machine's load
    average, the budget and whether the figure is within it); return whether it is."""
    within = seconds <= budget
    print(
        json.dumps(
            {
                "bench": bench,
                "teams": teams,
                "seconds": round(seconds, 2),
                **extra,
                "load_average": round(os.getloadavg()[0], 2),
                "budget_s": budget,
                "within_budget": within,
            }
        )
    )
    return within
