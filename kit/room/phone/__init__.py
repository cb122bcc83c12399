"""Score from your phone: a small page per team inside the room's own Jupyter server.

Every person in the room scores their team's touchpoints from their own phone at once. The
page is served by a Jupyter Server extension (this package): a static page and a JSON endpoint
on top of the team's workbook (:mod:`kit.room.phone.service`), guarded by the server's token
or, under JupyterHub, by the team's login. No kernel runs per phone (see the README for the
measurements behind this choice).

``servekit lab`` enables the extension in its private config folder
(:func:`write_server_config`); :func:`phone_url` is the link its links page turns into a QR
code; :func:`hub_phone_url` is the same page behind a hub login.

Examples
--------
>>> phone_url("http://127.0.0.1:8888", "night-shift", "t0k")
'http://127.0.0.1:8888/servekit/phone/night-shift?token=t0k'
>>> _jupyter_server_extension_points()
[{'module': 'kit.room.phone'}]
"""

from __future__ import annotations

import json
import os
import urllib.parse
from pathlib import Path
from typing import Any

from kit.room.serverconfig import enable, write_config

__all__ = [
    "EXTENSION",
    "LINKS_JSON",
    "SERVER_ARG",
    "hub_phone_url",
    "links_json",
    "phone_url",
    "write_links_json",
    "write_server_config",
]

EXTENSION = "kit.room.phone"
"""The extension's module name (what ``ServerApp.jpserver_extensions`` enables)."""
_PATH = "servekit/phone/"
SERVER_ARG = f"--ServerApp.jpserver_extensions={EXTENSION}=True"
"""The command-line switch that enables the page on a Jupyter server (a hub's team servers)."""
LINKS_JSON = "links.json"


def phone_url(base: str, slug: str, token: str) -> str:
    """A team's phone page on a ``servekit lab`` server, token included.

    Examples
    --------
    >>> phone_url("http://h:1/", "a b", "x&y")
    'http://h:1/servekit/phone/a%20b?token=x%26y'
    """
    path = base.rstrip("/") + "/" + _PATH + urllib.parse.quote(slug)
    return path + "?" + urllib.parse.urlencode({"token": token})


def hub_phone_url(public_url: str, slug: str) -> str:
    """A team's phone page behind the hub: the login page, then the team's own server.

    Examples
    --------
    >>> hub_phone_url("http://h:8000/", "a")
    'http://h:8000/hub/login?next=%2Fhub%2Fuser-redirect%2Fservekit%2Fphone%2Fa'
    """
    target = "/hub/user-redirect/" + _PATH + urllib.parse.quote(slug)
    return public_url.rstrip("/") + "/hub/login?" + urllib.parse.urlencode({"next": target})


def write_server_config(folder: Path) -> Path:
    """Enable the extension for a server whose ``JUPYTER_CONFIG_PATH`` includes ``folder``.

    Writes ``jupyter_server_config.d/servekit-phone.json`` (a file of its own, beside any other
    config the caller writes there).

    Examples
    --------
    >>> import tempfile
    >>> path = write_server_config(Path(tempfile.mkdtemp()))
    >>> json.loads(path.read_text())["ServerApp"]["jpserver_extensions"]
    {'kit.room.phone': True}
    """
    return write_config(folder, "phone", enable(EXTENSION))


def links_json(links: list[Any]) -> str:
    """The links as JSON: one object per team with ``team``, ``name``, ``notebooks``, ``phone``.

    Parameters
    ----------
    links : list of kit.room.links.TeamLink

    Examples
    --------
    >>> from kit.room.links import TeamLink
    >>> print(links_json([TeamLink("a", "A <b>", "http://h/lab?token=t", phone="http://h/p?token=t")]))
    [
      {
        "team": "a",
        "name": "A <b>",
        "notebooks": "http://h/lab?token=t",
        "phone": "http://h/p?token=t"
      }
    ]
    """
    rows = [
        {"team": link.slug, "name": link.name, "notebooks": link.url, "phone": link.phone}
        for link in links
    ]
    return json.dumps(rows, indent=2, ensure_ascii=False)


def write_links_json(workshop_dir: Path | str, links: list[Any]) -> Path:
    """Write ``links.json`` beside ``links.html`` (atomically, mode 0600: it holds the token).

    Examples
    --------
    >>> import os, tempfile
    >>> from kit.room.links import TeamLink
    >>> path = write_links_json(tempfile.mkdtemp(), [TeamLink("a", "A", "http://h/n", phone="http://h/p")])
    >>> oct(os.stat(path).st_mode & 0o777), json.loads(path.read_text())[0]["phone"]
    ('0o600', 'http://h/p')
    """
    from kit.store.csvio import atomic_write

    path = Path(workshop_dir) / LINKS_JSON
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # never readable by others
    os.chmod(path, 0o600)
    atomic_write(path, links_json(links) + "\n")
    os.chmod(path, 0o600)
    return path


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    """Jupyter Server's entry point: this package is a server extension."""
    return [{"module": EXTENSION}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Add the page's routes to the server (called by Jupyter Server at start)."""
    from kit.room.phone.handlers import Desks, handlers

    web_app = serverapp.web_app
    # on a hub, the spawner names the server's team (kit.hub.config); none for the facilitator
    team = os.environ.get("SERVEKIT_TEAM", "") if os.environ.get("SERVEKIT_HUB") else None
    web_app.settings["servekit_phone_desks"] = Desks(Path(serverapp.root_dir), team)
    web_app.add_handlers(".*$", handlers(web_app.settings["base_url"]))
