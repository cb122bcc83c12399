"""The phone page's HTTP handlers, inside Jupyter Server (its token or hub login guards them).

=========================================  ==========================================================
``GET  /servekit/phone/<slug>``            the page (HTML; no Jupyter interface, no code)
``GET  /servekit/phone/static/<file>``     its script and style sheet (package data, no CDN)
``GET  /servekit/phone/api/<slug>``        the team's cards; ``?scorer=NAME`` adds that scorer's rows
``POST /servekit/phone/api/<slug>``        save one tap (JSON); 400 bad tap, 409 gone or blocked
=========================================  ==========================================================

Every handler but the static files needs the server's token (``?token=`` once, then the
``Authorization: token`` header the script sends) or, under JupyterHub, the team's login.
"""

from __future__ import annotations

import asyncio
import json
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jupyter_server.base.handlers import APIHandler, JupyterHandler
from markupsafe import Markup
from tornado import web

from kit.exceptions import PhoneError, TeamBlocked, TouchpointGone
from kit.room.phone.service import TeamDesk, check_tap
from kit.store.workshop import Workshop

__all__ = ["PREFIX", "REFUSED", "STATIC", "Desks", "handlers"]

PREFIX = "servekit/phone"
"""The page's path under the server's base URL."""
STATIC = ("phone.js", "phone.css")
REFUSED = (
    "Refused: this page opens only from your team's link, which carries the server's key. "
    "Scan your team's code again (ask the facilitator for it).\n"
)
_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _asset(name: str) -> str:
    return files("kit").joinpath("templates", "phone", name).read_text(encoding="utf-8")


class Desks:
    """One :class:`TeamDesk` per team folder of the server's workshop.

    Under JupyterHub (``team`` is the slug the hub gave this server in ``SERVEKIT_TEAM``; an
    empty string for the facilitator's server) only that team is served: a team's server never
    opens another team's page. ``team=None`` (``servekit lab``) serves every team.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Alpha", "Beta"])
    >>> desks = Desks(ws.path, team="alpha")
    >>> type(desks.get("alpha")).__name__
    'TeamDesk'
    >>> desks.get("beta")
    Traceback (most recent call last):
    ...
    tornado.web.HTTPError: HTTP 404: no such team
    """

    def __init__(self, root: Path, team: str | None = None):
        self.workshop = Workshop(root)
        self.team = team
        self.desks: dict[str, TeamDesk] = {}

    def _allowed(self, slug: str) -> bool:
        return self.team is None or slug == self.team

    def get(self, slug: str) -> TeamDesk:
        team = next((t for t in self.workshop.teams() if t.slug == slug), None)
        if team is None or not self._allowed(slug):
            raise web.HTTPError(404, reason="no such team")
        if slug not in self.desks:
            self.desks[slug] = TeamDesk(lambda: team.load(strict=False))
        return self.desks[slug]


class _Base:
    """Mixin: the settings every handler shares."""

    def desks(self) -> Desks:
        return self.settings["servekit_phone_desks"]  # type: ignore[attr-defined]


class PageHandler(_Base, JupyterHandler):
    """The page: a shell whose script reads the cards from the JSON endpoint."""

    def get(self, slug: str) -> None:
        if self.current_user is None and self.desks().team is None:
            # ``servekit lab``: a plain refusal rather than Jupyter's login page (under the hub,
            # the hub's own login comes instead, through web.authenticated)
            self.set_status(403)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.finish(REFUSED)
            return
        self._page(slug)

    @web.authenticated
    def _page(self, slug: str) -> None:
        self.desks().get(slug)  # 404 for an unknown team
        page = Markup(_asset("phone.html")).format(
            slug=slug,
            api=self.base_url + f"{PREFIX}/api/{quote(slug)}",
            static=self.base_url + f"{PREFIX}/static/",
            xsrf=self.xsrf_token.decode()
            if isinstance(self.xsrf_token, bytes)
            else self.xsrf_token,
        )
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Security-Policy", _CSP)
        self.set_header("Referrer-Policy", "no-referrer")
        self.finish(str(page))


class StaticHandler(JupyterHandler):
    """The page's script and style sheet (no user data in them)."""

    def get(self, name: str) -> None:
        if name not in STATIC:
            raise web.HTTPError(404)
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        self.set_header("Content-Type", f"{kind}; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.finish(_asset(name))


class ApiHandler(_Base, APIHandler):
    """Read the cards (GET) or save one tap (POST)."""

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))

    @web.authenticated
    async def get(self, slug: str) -> None:
        scorer = self.get_query_argument("scorer", "") or None
        data = await asyncio.wrap_future(self.desks().get(slug).read(scorer))
        self._answer(200, data)

    @web.authenticated
    async def post(self, slug: str) -> None:
        desk = self.desks().get(slug)
        try:
            row = check_tap(json.loads(self.request.body or b"null"))
        except json.JSONDecodeError:
            return self._answer(400, {"message": "Expected a JSON object. Nothing was saved."})
        except PhoneError as exc:
            return self._answer(400, {"message": str(exc)})
        try:
            order = await asyncio.wrap_future(desk.save(row))
        except TouchpointGone as exc:
            return self._answer(409, {"message": str(exc), "gone": exc.touchpoint_id})
        except TeamBlocked as exc:
            return self._answer(409, {"message": str(exc), "fix": exc.problems})
        except OSError as exc:
            return self._answer(
                500, {"message": f"Not saved: the server could not write ({exc.strerror})."}
            )
        self._answer(200, {"message": "saved", "row": row, "touchpoints": order})


def handlers(base_url: str) -> list[tuple[str, type, dict[str, Any]]]:
    """Tornado routes of the page under ``base_url``.

    Examples
    --------
    >>> [route for route, _, _ in handlers("/")]
    ['/servekit/phone/static/([a-z.]+)', '/servekit/phone/api/([^/]+)', '/servekit/phone/([^/]+)']
    """
    prefix = base_url.rstrip("/") + "/" + PREFIX
    return [
        (prefix + "/static/([a-z.]+)", StaticHandler, {}),
        (prefix + "/api/([^/]+)", ApiHandler, {}),
        (prefix + "/([^/]+)", PageHandler, {}),
    ]
