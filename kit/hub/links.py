"""The facilitator's team links page: each team's login, password, address and QR code.

The page is served through the hub as an admin-only service (``/services/team-links/``): the
service signs in with the hub (OAuth) and JupyterHub gives the ``access:services`` scope to the
admin role only, so a team that tries the address is refused by the hub itself. The passwords
come from the hub's state folder (root only, outside the workshop folder); they are never in
the workshop folder or on a command line. Everything shown is escaped; QR codes are inline SVG
made offline by segno.

Examples
--------
>>> html = hub_links_page("Demo <b>", [("sk-a", "A & co", "abcd-efgh-jkmn")], "http://localhost:8000/")
>>> "A &amp; co" in html and "Demo &lt;b&gt;" in html and "<svg" in html
True
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import segno
from markupsafe import Markup

__all__ = ["hub_links_page", "main", "phone_links", "read_passwords", "watch_parent"]

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1f2933; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
p.lead { color: #52606d; margin-top: 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(17rem, 1fr)); gap: 1rem; }
.card { border: 1px solid #cbd2d9; border-radius: .6rem; padding: 1rem; break-inside: avoid; }
.card h2 { font-size: 1.15rem; margin: 0 0 .5rem; }
.card dl { display: grid; grid-template-columns: auto 1fr; gap: .2rem .6rem; margin: 0 0 .5rem; }
.card dt { color: #52606d; }
.card dd { margin: 0; font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.qr svg { width: 8rem; height: 8rem; }
"""


def read_passwords(path: Path | str) -> dict[str, str]:
    """The ``user -> password`` table the runner keeps in its state folder."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.items()}


def phone_links(workshop: Path | str, public_url: str) -> dict[str, str]:
    """login -> the team's phone page (issue 22): the hub's login page, then the team's server.

    A phone signs in with the team's login and lands on the page, which writes as the team's
    own user (the page is a server extension of the team's server: :mod:`kit.room.phone`).

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Night Shift"])
    >>> phone_links(ws.path, "http://h:8000/")
    {'sk-night-shift': 'http://h:8000/hub/login?next=%2Fhub%2Fuser-redirect%2Fservekit%2Fphone%2Fnight-shift'}
    """
    from kit.hub.accounts import system_username
    from kit.room.phone import hub_phone_url
    from kit.store.workshop import Workshop

    return {
        system_username(slug): hub_phone_url(public_url, slug)
        for slug in Workshop(workshop).team_names()
    }


def _phone_card(url: str | None) -> Markup:
    if not url:
        return Markup("")
    return Markup(
        '<div class="phone"><b>Score on your phone</b> (same login)'
        '<div class="qr">{qr}</div><dd>{url}</dd></div>'
    ).format(qr=Markup(segno.make(url).svg_inline(scale=3)), url=url)


def hub_links_page(
    title: str,
    teams: list[tuple[str, str, str]],
    public_url: str,
    dashboard_url: str | None = None,
    phones: dict[str, str] | None = None,
) -> str:
    """One card per team: display name, login, password, the hub's address and its QR code.

    Parameters
    ----------
    title : str
        The workshop's title.
    teams : list of (login, display name, password)
    public_url : str
        The address teams type (the proxy's public URL).
    dashboard_url : str, optional
        Where the facilitator's live dashboard is served.
    phones : dict, optional
        login -> the team's phone page (:func:`phone_links`); a second code on its card.

    See Also
    --------
    kit.room.links.links_page : a laptop room's page (one tokened link per team).

    Examples
    --------
    >>> page = hub_links_page("W", [("sk-a", "<script>x</script>", "p")], "http://h:1/")
    >>> "<script>x" in page
    False
    """
    login_url = public_url.rstrip("/") + "/hub/login"
    qr = Markup(segno.make(login_url).svg_inline(scale=3))
    cards = []
    for login, name, password in teams:
        cards.append(
            Markup(
                '<section class="card"><h2>{name}</h2><dl><dt>address</dt><dd>{url}</dd>'
                '<dt>login</dt><dd class="login">{login}</dd><dt>password</dt>'
                '<dd class="password">{password}</dd></dl><div class="qr">{qr}</div>{phone}'
                "</section>"
            ).format(
                name=name,
                url=login_url,
                login=login,
                password=password,
                qr=qr,
                phone=_phone_card((phones or {}).get(login)),
            )
        )
    dashboard = (
        Markup('<p><a href="{0}">Open the live dashboard</a></p>').format(dashboard_url)
        if dashboard_url
        else Markup("")
    )
    return str(
        Markup(
            '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Team links · {title}'
            "</title><style>{style}</style></head><body><h1>Team logins · {title}</h1>"
            '<p class="lead">Hand each team its card: each login opens that team\'s own notebooks '
            "and nobody else's. Keep this page to yourself.</p>{dashboard}"
            '<div class="cards">{cards}</div></body></html>'
        ).format(
            title=title, style=Markup(_STYLE), dashboard=dashboard, cards=Markup("").join(cards)
        )
    )


def _team_cards(workshop: Path, passwords: dict[str, str]) -> tuple[str, list]:
    from kit.hub.accounts import system_username
    from kit.store.workshop import Workshop

    ws = Workshop(workshop)
    names = ws.team_names()
    cards = []
    for slug, name in names.items():
        login = system_username(slug)
        if login in passwords:
            cards.append((login, name, passwords[login]))
    return str(ws.info.get("title") or workshop.name), cards


def _exit_on_signal(signum, frame):
    raise SystemExit(0)


def watch_parent(parent: int, stop) -> None:
    """Call ``stop()`` when this process's parent is no longer ``parent`` (the hub ended,
    even by SIGKILL, and the service was handed to init).

    Examples
    --------
    >>> stopped = []
    >>> watch_parent(os.getppid(), lambda: stopped.append(1)); stopped
    []
    >>> watch_parent(-1, lambda: stopped.append(1)); stopped
    [1]
    """
    if os.getppid() != parent:
        stop()


def main() -> None:  # pragma: no cover - runs as a hub service (tested as a process)
    """Serve the page as a JupyterHub-managed service (settings come from the environment).

    Ends on SIGTERM or SIGINT at any moment (even during its start-up), and by itself when the
    hub that started it is gone."""
    parent = os.getppid()
    for sig in (signal.SIGINT, signal.SIGTERM):  # first thing: no window where they are lost
        signal.signal(sig, _exit_on_signal)
    from urllib.parse import urlparse

    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
    from jupyterhub.utils import url_path_join
    from tornado import ioloop, web

    workshop = Path(os.environ["SERVEKIT_HUB_WORKSHOP"])
    passwords_file = Path(os.environ["SERVEKIT_HUB_PASSWORDS"])
    public_url = os.environ["SERVEKIT_HUB_PUBLIC_URL"]
    dashboard = os.environ.get("SERVEKIT_HUB_DASHBOARD_URL") or None
    prefix = os.environ["JUPYTERHUB_SERVICE_PREFIX"]

    class LinksHandler(HubOAuthenticated, web.RequestHandler):
        @web.authenticated
        def get(self):
            title, cards = _team_cards(workshop, read_passwords(passwords_file))
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Cache-Control", "no-store")
            self.set_header(
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
            )
            phones = phone_links(workshop, public_url)
            self.write(hub_links_page(title, cards, public_url, dashboard, phones))

    app = web.Application(
        [
            (prefix, LinksHandler),
            (url_path_join(prefix, "oauth_callback"), HubOAuthCallbackHandler),
        ],
        cookie_secret=os.urandom(32),
    )
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app.listen(url.port, url.hostname)
    loop = ioloop.IOLoop.current()
    ioloop.PeriodicCallback(lambda: watch_parent(parent, loop.stop), 1000).start()
    print(f"team links on {url.hostname}:{url.port}{prefix}", file=sys.stderr, flush=True)
    loop.start()


if __name__ == "__main__":  # pragma: no cover
    main()
