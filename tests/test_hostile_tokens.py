"""Issue 20, item 7: the token of ``servekit lab`` and ``servekit present`` is never on a command
line, where every user of the machine reads it (``ps``, ``/proc/<pid>/cmdline``).

Each test starts the real command (real JupyterLab / Voilà on 127.0.0.1), reads the command line
of the command and of every process below it, and checks that the token is in none of them
while the server does accept it (and refuses a request without it).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import descendants

from kit.store.workshop import create_workshop

SERVEKIT = str(Path(sys.executable).with_name("servekit"))
pytestmark = pytest.mark.xdist_group("hostile")  # the hostile-team suite, on one worker


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect (to a login page) is the answer itself


def status_of(url: str, headers: dict[str, str] | None = None) -> int:
    """The HTTP status of ``url`` (redirects not followed)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


class Started:
    """A servekit server command, its output collected by a thread; stopped by :meth:`stop`."""

    def __init__(self, args: list[str], token: str, home: Path):
        home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "SERVEKIT_TOKEN": token,
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_DATA_DIR": str(home / "data"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
        }
        self.process = subprocess.Popen(
            [SERVEKIT, *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def wait_for_line(self, text: str, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            if self.process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"no line with {text!r}; the command said:\n{''.join(self.lines)}")
            time.sleep(0.2)

    def command_lines(self) -> dict[int, str]:
        found = {}
        for pid in {self.process.pid, *descendants(self.process.pid)}:
            try:
                raw = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            found[pid] = raw.replace(b"\0", b" ").decode(errors="replace")
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


@pytest.fixture
def workshop(tmp_path: Path) -> Path:
    return create_workshop(tmp_path / "ws", teams=["A"]).path


def test_lab_token_is_not_on_any_command_line(workshop, tmp_path):
    token = secrets.token_urlsafe(24)
    port = free_port()
    server = Started(
        ["lab", str(workshop), "--port", str(port), "--no-browser"], token, tmp_path / "home"
    )
    try:
        server.wait_for_line("is running:")
        lines = server.command_lines()
        assert any("--ServerApp.root_dir=" in line for line in lines.values()), lines
        assert {pid: line for pid, line in lines.items() if token in line} == {}
        base = f"http://127.0.0.1:{port}/api/status"
        assert status_of(base, {"Authorization": f"token {token}"}) == 200
        assert status_of(base) == 403
    finally:
        server.stop()


def test_present_token_is_not_on_any_command_line(workshop, tmp_path):
    token = secrets.token_urlsafe(24)
    port = free_port()
    server = Started(
        ["present", str(workshop), "--port", str(port), "--no-browser", "--interval", "0"],
        token,
        tmp_path / "home",
    )
    try:
        server.wait_for_line("for the projector")
        lines = server.command_lines()
        assert any("-m kit.room.voilarun" in line for line in lines.values()), lines
        assert {pid: line for pid, line in lines.items() if token in line} == {}
        base = f"http://127.0.0.1:{port}/"
        assert status_of(base, {"Authorization": f"token {token}"}) == 200
        assert status_of(base) == 302  # to the login page
    finally:
        server.stop()
