"""A real ``servekit lab`` server with the phone page, for the phone tests (HTTP and browser).

The server is :class:`kit.room.lab.LabServer` itself (so the extension is enabled exactly as in
the room), on 127.0.0.1 with a free port and a token, its Jupyter folders under the test's
temporary folder. Two teams, ``alpha`` and ``beta``, from the mini team (touchpoints T1, T2).
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import make_workshop

TOKEN = "phone-test-token"


def start_lab(root: Path):
    """Start ``servekit lab``'s server over a workshop of teams alpha and beta under ``root``."""
    from kit.room.lab import LabServer

    workshop = make_workshop(root / "ws", {"alpha": None, "beta": None})
    home = root / ".home"
    extra = {
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTER_DATA_DIR": str(home / "data"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        "IPYTHONDIR": str(home / "ipython"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "workspaces"),
    }
    server = LabServer(workshop, port=0, token=TOKEN)
    with pytest.MonkeyPatch.context() as patch:
        for key, value in extra.items():
            patch.setenv(key, value)
        process = server.start()
    try:
        server.wait_ready(process, timeout=180)
    except BaseException:
        from kit.room.lab import stop

        stop(process)
        server.cleanup()
        raise
    return server, process


def call(
    base: str,
    path: str,
    *,
    method: str = "GET",
    body: object = None,
    token: str | None = TOKEN,
    raw: bytes | None = None,
) -> tuple[int, dict, str]:
    """One HTTP request: (status, headers, text). Never follows a redirect."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(base + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"token {token}")
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def team_files(folder: Path) -> dict[str, bytes]:
    """Every file of a team folder (history included), as bytes."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and os.access(p, os.R_OK)
    }
