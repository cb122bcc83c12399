"""The team-links service (``python -m kit.hub.links``) as a real process: it ends on SIGTERM,
also when the signal comes during its start-up, and by itself when the hub that started it is
gone (issue 20, item 11: it outlived a stopped hub and ignored SIGTERM)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kit.room.lab import free_port

pytestmark = pytest.mark.xdist_group("hub")


def _env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "passwords.json").write_text("{}")
    port = free_port()
    return {
        **os.environ,
        "SERVEKIT_HUB_WORKSHOP": str(tmp_path),
        "SERVEKIT_HUB_PASSWORDS": str(tmp_path / "passwords.json"),
        "SERVEKIT_HUB_PUBLIC_URL": "http://localhost:8000/",
        "JUPYTERHUB_SERVICE_PREFIX": "/services/team-links/",
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}",
        "JUPYTERHUB_API_TOKEN": "not-used-before-a-request",
        "JUPYTERHUB_API_URL": f"http://127.0.0.1:{free_port()}/hub/api",
        "JUPYTERHUB_CLIENT_ID": "service-team-links",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": "/services/team-links/oauth_callback",
    }


def _gone(pid: int) -> bool:
    """True when ``pid`` has ended (a zombie waiting for init counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "\nState:\tZ" in status


def _wait(condition, what: str, ceiling: float = 30.0) -> float:
    """Poll ``condition`` until true; returns the seconds it took, fails naming ``what``."""
    start = time.monotonic()
    while time.monotonic() - start < ceiling:
        if condition():
            return time.monotonic() - start
        time.sleep(0.05)
    pytest.fail(f"{what}: still not true after {ceiling:.0f} s")


def test_sigterm_once_serving_ends_it(tmp_path):
    log = tmp_path / "links.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "kit.hub.links"], env=_env(tmp_path), stdout=out, stderr=out
        )
    try:
        _wait(lambda: "team links on" in log.read_text(), f"serving ({log.read_text()!r})")
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()


@pytest.mark.parametrize("after", [0.0, 0.3, 0.8, 1.5])
def test_sigterm_during_start_up_ends_it(tmp_path, after):
    process = subprocess.Popen(
        [sys.executable, "-m", "kit.hub.links"],
        env=_env(tmp_path),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(  # the interpreter is running the service (exec done), then a while longer
            lambda: b"kit.hub.links" in Path(f"/proc/{process.pid}/cmdline").read_bytes(),
            "the service's process started",
        )
        deadline = time.monotonic() + after
        while time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()


def test_it_ends_when_the_hub_that_started_it_is_gone(tmp_path):
    pid_file, log = tmp_path / "pid", tmp_path / "links.log"
    # a stand-in for the hub: starts the service, waits until it serves, then dies by SIGKILL
    hub = subprocess.Popen(
        [
            "sh",
            "-c",
            f"{sys.executable} -m kit.hub.links >{log} 2>&1 & echo $! >{pid_file}; "
            "while ! grep -q 'team links on' " + str(log) + "; do sleep 0.1; done; kill -9 $$",
        ],
        env=_env(tmp_path),
    )
    hub.wait(timeout=60)
    pid = int(pid_file.read_text())
    try:
        assert hub.returncode == -signal.SIGKILL
        took = _wait(lambda: _gone(pid), f"service {pid} gone after its hub died")
        assert took < 10
    finally:
        if not _gone(pid):
            os.kill(pid, signal.SIGKILL)
