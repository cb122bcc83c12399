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
