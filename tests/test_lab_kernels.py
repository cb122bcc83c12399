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
