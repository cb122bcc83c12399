"""Helpers for the hub tests and benchmark: start ``servekit hub`` for real, log in, run code.

Not a test module: ``tests/test_hub.py``, ``tests/test_browser_hub.py`` and
``benchmarks/bench_hub.py`` import it. A hub needs root (it makes one system user per team) and
configurable-http-proxy (``make hub-proxy`` installs it into ``.node/``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import warnings
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PROXY_BIN = ROOT / ".node" / "node_modules" / ".bin"
SERVEKIT = [sys.executable, "-m", "kit"]


def missing_requirements() -> str | None:
    """Why a real hub cannot run here, or ``None``."""
    if os.geteuid() != 0:
        return "servekit hub needs root (it creates system users)"
    if not (PROXY_BIN / "configurable-http-proxy").exists() and not shutil.which(
        "configurable-http-proxy"
    ):
        return "configurable-http-proxy is not installed (make hub-proxy)"
    return None


def hub_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{PROXY_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def shared_workshop(teams: list[str]) -> Path:
    """A fresh workshop in a folder every user can enter (pytest's own tmp is root-only)."""
    from kit.store.workshop import create_workshop

    base = Path(tempfile.mkdtemp(prefix="servekit-hub-test-", dir="/tmp"))
    os.chmod(base, 0o755)
    return create_workshop(base / "ws", teams=teams, starter=True).path


@contextlib.contextmanager
def running_hub(teams: list[str], logs: Path, admin: str, extra: tuple[str, ...] = ()):
    """A started hub over a fresh workshop of ``teams`` for a test module; removed afterwards
    (``extra``: more options of ``servekit hub``; ``--self-signed`` makes it HTTPS).

    Skips the test (fails it under ``REQUIRE_BROWSER``) when a hub cannot run here.
    """
    import pytest
    from conftest import REQUIRE_BROWSER

    from kit.room.lab import free_port

    why = missing_requirements()
    if why:
        (pytest.fail if REQUIRE_BROWSER else pytest.skip)(why)
    workshop = shared_workshop(teams)
    running = Hub(
        workshop, free_port(), logs / "logins.json", logs / "hub.out", admin=admin, extra=extra
    )
    try:
        running.start()
        yield running
    finally:
        running.stop()
        running.remove()
        shutil.rmtree(workshop.parent, ignore_errors=True)


class Hub:
    """One running ``servekit hub`` (a subprocess in its own session)."""

    def __init__(
        self,
        workshop: Path,
        port: int,
        passwords: Path,
        log: Path,
        admin: str = "facilitator",
        extra: tuple[str, ...] = (),
    ):
        self.workshop, self.port, self.passwords_file, self.log_path = (
            workshop,
            port,
            passwords,
            log,
        )
        self.admin_name = admin
        self.extra = tuple(extra)
        tls = "--self-signed" in self.extra or "--ssl-cert" in self.extra
        self.base = f"{'https' if tls else 'http'}://127.0.0.1:{port}"
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 300) -> str:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                *SERVEKIT,
                "hub",
                str(self.workshop),
                "--port",
                str(self.port),
                "--passwords-out",
                str(self.passwords_file),
                "--admin",
                self.admin_name,
                *self.extra,
            ],
            env=hub_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("servekit hub exited:\n" + self.output())
            try:
                with warnings.catch_warnings():  # HTTPS: not checked while it starts
                    warnings.simplefilter("ignore")
                    up = requests.get(f"{self.base}/hub/api", timeout=2, verify=False).ok
                if up:
                    return self.output()
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError("servekit hub did not start:\n" + self.output())

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    @property
    def logins(self) -> dict[str, dict[str, str]]:
        return {row["login"]: row for row in json.loads(self.passwords_file.read_text())}

    def login_of(self, team: str) -> tuple[str, str]:
        row = next(r for r in self.logins.values() if r["team"] == team)
        return row["login"], row["password"]

    def admin(self) -> tuple[str, str]:
        row = next(r for r in self.logins.values() if not r["team"])
        return row["login"], row["password"]

    def stop(self, timeout: float = 60) -> int | None:
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(timeout=10)

    def remove(self) -> subprocess.CompletedProcess:
        return subprocess.run(
            [*SERVEKIT, "hub", str(self.workshop), "--remove", "--admin", self.admin_name],
            env=hub_env(),
            capture_output=True,
            text=True,
            timeout=120,
        )


def login(
    base: str, username: str, password: str, verify: bool | str = True
) -> tuple[requests.Session, requests.Response]:
    """Log in through the hub's own form (with its XSRF cookie); follows the redirects
    (``verify``: the CA file of an HTTPS hub)."""
    session = requests.Session()
    session.verify = verify
    if isinstance(verify, str):  # or REQUESTS_CA_BUNDLE, if set, would win over the file
        session.trust_env = False
    session.get(f"{base}/hub/login", timeout=30)
    response = session.post(
        f"{base}/hub/login",
        timeout=120,
        data={
            "username": username,
            "password": password,
            "_xsrf": xsrf_headers(session)["X-XSRFToken"],
        },
    )
    return session, response


def wait_for_server(session: requests.Session, base: str, user: str, timeout: float = 180) -> None:
    """Wait until ``user``'s single-user server answers through the proxy."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = session.get(f"{base}/hub/api/users/{user}", timeout=30, headers=xsrf_headers(session))
        if r.ok and r.json().get("server") and not r.json().get("pending"):
            return
        time.sleep(0.3)
    raise TimeoutError(f"the server of {user} did not start")


def xsrf_headers(session: requests.Session) -> dict[str, str]:
    """The hub's XSRF header (each server sets its own ``_xsrf`` cookie; take the hub's)."""
    hub = [c.value for c in session.cookies if c.name == "_xsrf" and c.path.startswith("/hub")]
    return {"X-XSRFToken": hub[0] if hub else ""}


def api_token(session: requests.Session, base: str, user: str) -> str:
    """A hub API token for ``user`` (asked for with the user's own login session)."""
    r = session.post(
        f"{base}/hub/api/users/{user}/tokens",
        headers=xsrf_headers(session),
        json={"note": "servekit hub test", "expires_in": 3600},
        timeout=30,
    )
    r.raise_for_status()
    return r.json()["token"]


def run_code(
    base: str, user: str, token: str, code: str, path: str | None = None, timeout: float = 120
) -> dict:
    """Start a kernel in ``user``'s server (a session for notebook ``path`` when given), run
    ``code`` and return ``{"status", "stdout", "error"}``; the kernel is shut down after."""
    return asyncio.run(_run_code(base, user, token, code, path, timeout))


async def _run_code(base, user, token, code, path, timeout):
    from tornado.httpclient import HTTPRequest
    from tornado.websocket import websocket_connect

    headers = {"Authorization": f"token {token}"}
    server = f"{base}/user/{user}"
    if path:
        r = requests.post(
            f"{server}/api/sessions",
            headers=headers,
            timeout=60,
            json={"path": path, "type": "notebook", "name": "", "kernel": {"name": "python3"}},
        )
        r.raise_for_status()
        kernel = r.json()["kernel"]["id"]
        session_id = r.json()["id"]
    else:
        r = requests.post(
            f"{server}/api/kernels", headers=headers, json={"name": "python3"}, timeout=60
        )
        r.raise_for_status()
        kernel, session_id = r.json()["id"], None
    url = server.replace("http://", "ws://") + f"/api/kernels/{kernel}/channels"
    conn = await websocket_connect(
        HTTPRequest(url, headers=headers), max_message_size=256 * 1024 * 1024
    )
    msg_id = uuid.uuid4().hex
    await conn.write_message(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "username": user,
                    "session": uuid.uuid4().hex,
                    "msg_type": "execute_request",
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "buffers": [],
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": False,
                    "user_expressions": {},
                    "allow_stdin": False,
                    "stop_on_error": True,
                },
            }
        )
    )
    result = {"status": None, "stdout": "", "error": ""}
    idle = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            raw = await asyncio.wait_for(conn.read_message(), deadline - time.monotonic())
            if raw is None:
                break
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "stream":
                result["stdout"] += msg["content"]["text"]
            elif kind == "error":
                result["error"] = f"{msg['content']['ename']}: {msg['content']['evalue']}"
            elif kind == "execute_reply":
                result["status"] = msg["content"]["status"]
            elif kind == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            if idle and result["status"] is not None:  # the reply and every output are in
                break
    finally:
        conn.close()
        if session_id:
            requests.delete(f"{server}/api/sessions/{session_id}", headers=headers, timeout=30)
        requests.delete(f"{server}/api/kernels/{kernel}", headers=headers, timeout=30)
    return result


def processes_of(users: list[str]) -> list[str]:
    """``pid user command`` of every process owned by ``users`` (from ``ps``)."""
    uids = set()
    for user in users:
        with contextlib.suppress(KeyError):
            uids.add(str(pwd.getpwnam(user).pw_uid))
    out = subprocess.run(["ps", "-eo", "pid=,uid=,args="], capture_output=True, text=True).stdout
    return [
        line
        for line in out.splitlines()
        if line.split(None, 2)[1:2] and line.split(None, 2)[1] in uids
    ]


def listening(port: int) -> list[str]:
    """The local addresses listening on TCP ``port`` (from ``/proc/net/tcp`` and ``tcp6``)."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                if len(address) == 8:
                    found.append(".".join(str(int(address[i : i + 2], 16)) for i in (6, 4, 2, 0)))
                else:
                    found.append(address)
    return found
