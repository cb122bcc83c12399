"""``servekit lab`` does not keep a kernel for every tab a team ever closed.

A real JupyterLab on 127.0.0.1: a kernel that no browser shows and that runs nothing is shut
down after ``--cull-idle`` minutes; one with a tab connected is not (Jupyter Server's
``cull_connected`` is off), which the room's browser tests show by running their notebooks.
"""

from __future__ import annotations

import json
import time
import urllib.request

import pytest

from kit.room.lab import LabServer, stop
from kit.store.workshop import create_workshop

pytestmark = pytest.mark.slow


def _api(server: LabServer, path: str, method: str = "GET") -> object:
    request = urllib.request.Request(
        f"{server.local_base}{path}",
        method=method,
        headers={"Authorization": f"token {server.token}"},
        data=b"{}" if method == "POST" else None,
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)


def test_a_kernel_no_tab_shows_is_culled_after_the_idle_time(tmp_path):
    ws = create_workshop(tmp_path / "ws", teams=["Blue"]).path
    server = LabServer(ws, port=0, cull_idle=0.1)  # 6 s
    process = server.start()
    try:
        server.wait_ready(process)
        kernel = _api(server, "/api/kernels", method="POST")
        assert [k["id"] for k in _api(server, "/api/kernels")] == [kernel["id"]]
        deadline, seen = time.monotonic() + 120, None
        while time.monotonic() < deadline:
            seen = _api(server, "/api/kernels")
            if not seen:
                break
            time.sleep(1)
        assert seen == [], f"still running after 120 s: {seen}"
    finally:
        stop(process)
        server.cleanup()


def _run(server: LabServer, kernel_id: str, code: str) -> str:
    """Run ``code`` on a kernel over its websocket; what it printed."""
    import uuid

    import websocket

    url = f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels"
    socket = websocket.create_connection(
        url, header=[f"Authorization: token {server.token}"], timeout=120
    )
    msg_id, printed = uuid.uuid4().hex, []
    header = {"msg_id": msg_id, "msg_type": "execute_request", "session": msg_id}
    content = {"code": code, "silent": False, "allow_stdin": False}
    try:
        socket.send(
            json.dumps(
                {
                    "header": {**header, "username": "t", "version": "5.3"},
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                    "buffers": [],
                }
            )
        )
        while True:
            msg = json.loads(socket.recv())
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                printed.append(msg["content"]["text"])
            idle = msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle"
            if idle:  # the last message of the request on iopub: every print came before it
                return "".join(printed)
    finally:
        socket.close()


def test_a_room_kernel_has_the_editors_loaded_before_the_first_cell(tmp_path):
    """JupyterLab starts a notebook's kernel when it opens; the room's kernel imports the
    editors then (kit.widgets.preload), so Run All does not wait for pandas and plotly. The
    participant's namespace gets none of it."""
    ws = create_workshop(tmp_path / "ws", teams=["Blue"]).path
    server = LabServer(ws, port=0, cull_idle=0)
    process = server.start()
    try:
        server.wait_ready(process)
        kernel = _api(server, "/api/kernels", method="POST")
        loaded = _run(
            server,
            kernel["id"],
            "import sys\nprint(sorted(m for m in sys.modules if m.startswith('kit.widgets.')))",
        )
        assert "'kit.widgets.journey'" in loaded
        assert "'kit.widgets.plan'" in loaded
        names = _run(
            server,
            kernel["id"],
            "print(sorted(n for n in get_ipython().user_ns if 'kit' in n or 'import' in n))",
        )
        assert names == "[]\n"
    finally:
        stop(process)
        server.cleanup()


def test_a_kernel_that_keeps_a_core_busy_yields_and_the_others_do_not(tmp_path):
    """Three kernels on the room's server (kit.room.kernelnice): one runs a loop, one waits in
    a sleep, one does nothing. The loop's kernel gets niceness 10 (it runs until it has: the
    test lasts as long as the server takes to notice, about BUSY_SECONDS), its session's
    scheduling group too where Linux has them; the sleeper and the idle one keep 0."""
    import threading
    from pathlib import Path

    from kit.room.kernelnice import BUSY_SECONDS, NICE

    ws = create_workshop(tmp_path / "ws", teams=["Blue"]).path
    server = LabServer(ws, port=0, cull_idle=0)
    process = server.start()
    try:
        server.wait_ready(process)
        loop, sleeper, idle = (_api(server, "/api/kernels", method="POST")["id"] for _ in "abc")
        slept: list[str] = []
        waiting = threading.Thread(
            target=lambda: slept.append(
                _run(server, sleeper, f"import time\ntime.sleep({BUSY_SECONDS + 6})\nprint('ok')")
            )
        )
        waiting.start()
        started = time.monotonic()
        told = _run(
            server,
            loop,
            "import os, time\n"
            "end = time.time() + 240\n"
            f"while os.nice(0) < {NICE} and time.time() < end:\n"
            "    pass\n"
            "print(os.nice(0))",
        )
        took = time.monotonic() - started
        waiting.join(timeout=120)
        assert told == f"{NICE}\n"
        assert took >= BUSY_SECONDS  # not before it had been busy that long
        assert slept == ["ok\n"]
        assert _run(server, sleeper, "import os\nprint(os.nice(0))") == "0\n"
        assert _run(server, idle, "import os\nprint(os.nice(0))") == "0\n"
        if Path("/proc/self/autogroup").exists():
            group = _run(server, loop, "print(open('/proc/self/autogroup').read().split()[-1])")
            assert group == f"{NICE}\n"
    finally:
        stop(process)
        server.cleanup()
