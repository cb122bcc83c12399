"""Serve the projector dashboard (``workshops/30_dashboard.ipynb``) with Voilà.

Voilà runs as a child process with the kit's own template (``kit/templates/jupyter``:
``servekit-present``, the stock "lab" template without its Font Awesome CDN links — Voilà's
bundle already carries the icons), sources stripped (no code on the page), on 127.0.0.1 with a
token unless told otherwise. Voilà preheats one kernel: it runs the dashboard before the page is
asked for, so a page (the first, a reload, another screen) shows a board already read, and
after a page takes it the next one starts :func:`preheat_delay` seconds later. The token
reaches Voilà through its environment
(``JUPYTER_TOKEN``, read by Jupyter Server's identity provider once ``Voila.auto_token`` is on),
never its command line, which every user of the machine can read with ``ps``. The workshop
folder reaches the notebook through ``$SERVEKIT_WORKSHOP_DIR``; nothing is written anywhere.

Examples
--------
>>> cmd, env = voila_command("demo", host="127.0.0.1", port=8866, token="t0k", base_url="/x")
>>> any("t0k" in a for a in cmd), env["JUPYTER_TOKEN"], "--Voila.base_url=/x/" in cmd
(False, 't0k', True)
>>> env["SERVEKIT_WORKSHOP_DIR"][-4:]
'demo'
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import webbrowser
from collections.abc import Callable
from pathlib import Path

from kit.exceptions import PresentError
from kit.resources import workshop_notebook
from kit.room.lab import free_port, is_loopback
from kit.room.lab import stop as stop_process
from kit.room.serverlog import kernel_args

__all__ = [
    "DASHBOARD",
    "PREHEAT_DELAY",
    "PREHEAT_DELAY_ENV",
    "TEMPLATE",
    "TEMPLATES",
    "normalise_base_url",
    "preheat_delay",
    "serve",
    "voila_command",
]

DASHBOARD = "30_dashboard.ipynb"
PREHEAT_DELAY = 20.0
"""Seconds before the next page's kernel starts, once a page took the preheated one: long
enough for that page to be drawn (at 300 teams a kernel's first refresh takes both cores for
some 5 s), short enough that a reload minutes later finds the next kernel ready."""
PREHEAT_DELAY_ENV = "SERVEKIT_PRESENT_PREHEAT_DELAY"
"""Sets :data:`PREHEAT_DELAY` (a slower machine may want more; the tests want less)."""
TEMPLATE = "servekit-present"
TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "jupyter"


def normalise_base_url(base_url: str) -> str:
    """``services/x`` -> ``/services/x/``.

    Examples
    --------
    >>> normalise_base_url("services/dash"), normalise_base_url("/")
    ('/services/dash/', '/')
    """
    return "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"


def voila_command(
    directory: Path | str,
    *,
    host: str,
    port: int,
    token: str,
    base_url: str = "/",
    interval: float = 10,
) -> tuple[list[str], dict[str, str]]:
    """The Voilà command line and environment that serve the dashboard of ``directory``."""
    env = dict(os.environ)
    env["SERVEKIT_WORKSHOP_DIR"] = str(Path(directory).resolve())
    env["SERVEKIT_DASHBOARD_INTERVAL"] = f"{interval:g}"
    env.pop("JUPYTER_TOKEN_FILE", None)
    env["JUPYTER_TOKEN"] = token  # not on the command line: see the module's docstring
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(TEMPLATES), env.get("JUPYTER_PATH", "")) if p
    )
    command = [
        sys.executable,
        "-m",
        "kit.room.voilarun",  # Voilà, with the kit's log filter (kit.room.serverlog)
        str(workshop_notebook(DASHBOARD)),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--port={port}",
        "--Voila.auto_token=True",  # token from the identity provider, i.e. $JUPYTER_TOKEN
        f"--Voila.base_url={normalise_base_url(base_url)}",
        f"--template={TEMPLATE}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--Voila.log_level=WARN",  # a line per kernel and websocket says nothing in a room
        # one kernel runs the dashboard before anyone asks: a page gets it at once, and the
        # next one is made PREHEAT_DELAY seconds later (once this page has settled)
        "--preheat_kernel=True",
        "--pool_size=1",
        f"--VoilaKernelManager.fill_delay={preheat_delay():g}",
        *kernel_args(),  # kernel traffic encrypted
    ]
    return command, env


def preheat_delay() -> float:
    """Seconds from a page taking the preheated kernel to the next kernel starting: ``$``
    :data:`PREHEAT_DELAY_ENV` when it is a number from 0 to 3600, else
    :data:`PREHEAT_DELAY`.

    Examples
    --------
    >>> os.environ.pop(PREHEAT_DELAY_ENV, None) and None
    >>> preheat_delay()
    20.0
    >>> os.environ[PREHEAT_DELAY_ENV] = "2.5"; preheat_delay()
    2.5
    >>> os.environ[PREHEAT_DELAY_ENV] = "soon"; preheat_delay()
    20.0
    >>> del os.environ[PREHEAT_DELAY_ENV]
    """
    try:
        value = float(os.environ.get(PREHEAT_DELAY_ENV, PREHEAT_DELAY))
    except ValueError:
        return PREHEAT_DELAY
    return value if 0 <= value <= 3600 else PREHEAT_DELAY


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except urllib.error.HTTPError:
            return True  # it answers: up
        except OSError:
            time.sleep(0.3)
    return False


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    directory: Path | str,
    *,
    host: str = "127.0.0.1",
    port: int = 8866,
    token: str | None = None,
    open_browser: bool = True,
    base_url: str = "/",
    interval: float = 10,
    echo: Callable[[str], None] = print,
) -> int:
    """Run the dashboard server until it stops (Ctrl+C); return its exit status.

    Raises
    ------
    PresentError
        ``directory`` is not a workshop, the port is taken, or Voilà did not start.
    """
    directory = Path(directory)
    if not (directory / "workshop.yaml").is_file():
        raise PresentError(
            f"{directory}: no workshop.yaml; expected a workshop folder made by 'servekit new'"
        )
    if port == 0:
        port = free_port(host)
    else:
        with socket.socket() as sock:
            try:
                sock.bind((host, port))
            except OSError as exc:
                raise PresentError(
                    f"{host}:{port} is not free ({exc.strerror}); choose "
                    f"another --port (or --port 0 for any free one)"
                ) from None
    token = token or secrets.token_urlsafe(18)
    command, env = voila_command(
        directory, host=host, port=port, token=token, base_url=base_url, interval=interval
    )
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host
    page = f"http://{shown_host}:{port}{normalise_base_url(base_url)}"
    url = f"{page}?token={token}"
    process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL)
    previous = signal.signal(signal.SIGTERM, _stop)  # a plain `kill` also stops Voilà
    try:
        # asked without the token: Voilà answers (403) without running the notebook, so the
        # check starts no kernel (with the token, it left one running for nobody)
        if not _wait_ready(page, process):
            process.terminate()
            raise PresentError(
                f"the dashboard server (Voilà) did not start on {host}:{port}; "
                f"see its messages above"
            )
        echo(
            f"Dashboard of {directory} for the projector:\n  {url}\n"
            f"(listening on {host}; Ctrl+C stops it)"
        )
        if not is_loopback(host):
            echo(
                f"Warning: listening on {host}: anyone on this network who has the link (with "
                f"its token) can open the dashboard and see every team's work."
            )
        if open_browser:
            webbrowser.open(url)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        stop_process(process, timeout=10)
