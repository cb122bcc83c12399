"""The room's links page: one card per team with its notebook link and a QR code.

``servekit lab DIR --links`` writes ``DIR/links.html`` for the projector or a printout. Every card
holds the team's name, its URL as text and the URL as a QR code drawn by :mod:`segno` as inline
SVG, so the page is one file that opens with no network. Team names and URLs are escaped
(markupsafe); when printed, each card gets a page of its own to cut out and hand over.

The links carry the server's token (the key to the server): treat the page like a password list.

Examples
--------
>>> page = links_page("Demo <room>", [TeamLink("a", "Blue & <b>", "http://127.0.0.1:1/x?token=t")])
>>> "Blue &amp; &lt;b&gt;" in page and "<svg" in page and "Demo &lt;room&gt;" in page
True
>>> card = TeamLink("a", "A", "http://h/x", (("Exercise <03>", "http://h/e?a=1&b=2"),))
>>> '<li><a href="http://h/e?a=1&amp;b=2">Exercise &lt;03&gt;</a></li>' in links_page("W", [card])
True
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import segno
from markupsafe import Markup

from kit.store.csvio import atomic_write

__all__ = [
    "LINKS_FILE",
    "TeamLink",
    "links_page",
    "qr_svg",
    "write_links",
]

LINKS_FILE = "links.html"


@dataclass(frozen=True)
class TeamLink:
    """A team's slug, display name, the URL of its notebooks and of its phone page."""

    slug: str
    name: str
    url: str
    exercises: tuple[tuple[str, str], ...] = ()
    """The team's own exercise copies: ``(title, url)`` pairs, listed on its card."""
    phone: str = ""
    """The team's phone scoring page (kit.room.phone), with its token; empty for none."""


def qr_svg(url: str) -> Markup:
    """The URL as a QR code: an inline ``<svg>`` element (no scripts, no network).

    The element has a ``viewBox`` (one unit per module, quiet zone included) and no fixed
    size, so CSS scales it to any size on screen or paper without cropping.

    Parameters
    ----------
    url : str
        What the code encodes.

    Returns
    -------
    markupsafe.Markup

    Examples
    --------
    >>> svg = qr_svg("http://127.0.0.1:8888/lab?token=abc")
    >>> svg.startswith('<svg viewBox="0 0 37 37"') and svg.rstrip().endswith("</svg>")
    True
    """
    code = segno.make(url, error="m", micro=False)
    return Markup(
        code.svg_inline(
            scale=1,
            border=4,
            dark="#000",
            light="#fff",
            omitsize=True,
            svgclass="qr",
            lineclass=None,
        )
    )


_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 24px;
       color: #222; }
h1 { font-size: 1.5rem; margin: 0 0 4px; }
p.lead { margin: 0 0 20px; color: #444; max-width: 60em; }
.cards { display: flex; flex-wrap: wrap; gap: 20px; }
.card { border: 2px solid #0072B2; border-radius: 10px; padding: 16px 18px; width: 330px;
        display: flex; flex-direction: column; align-items: center; break-inside: avoid; }
.card h2 { font-size: 1.3rem; margin: 0 0 10px; text-align: center; overflow-wrap: anywhere; }
.card svg { width: 240px; height: 240px; shape-rendering: crispEdges; }
.card .url { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.72rem;
             overflow-wrap: anywhere; word-break: break-all; margin-top: 8px; }
.card .step { font-size: 0.9rem; margin-top: 8px; text-align: center; }
.card h3 { font-size: 1rem; margin: 14px 0 6px; text-align: center; }
.card .ex { font-size: 0.85rem; margin-top: 8px; align-self: stretch; }
.card .ex ul { margin: 4px 0 0; padding-left: 1.2em; }
.foot { margin-top: 24px; font-size: 0.8rem; color: #555; }
.local { background: #fff4d6; border: 2px solid #b36b00; border-radius: 8px; padding: 8px 12px;
         color: #5c3700; max-width: 60em; margin: 0 0 20px; }
.card .local { margin: 10px 0 0; font-size: 0.85rem; text-align: center; }
@media print {
  body { margin: 0; }
  .lead, .foot { display: none; }
  .cards { display: block; }
  .card { width: auto; border: none; page-break-after: always; break-after: page;
          padding-top: 30mm; }
  .card:last-child { page-break-after: auto; break-after: auto; }
  .card h2 { font-size: 2rem; }
  .card svg { width: 90mm; height: 90mm; }
  .card .url { font-size: 0.9rem; max-width: 150mm; }
}
"""


def _phone_part(url: str) -> Markup:
    """The second code of a card: every person scores from their own phone (kit.room.phone)."""
    if not url:
        return Markup("")
    return Markup(
        '<h3 class="phone">Score on your phone</h3>{svg}<div class="url">{url}</div>'
        '<div class="step">Each person scans this code and scores the touchpoints; '
        "every tap is saved as their own row.</div>"
    ).format(svg=qr_svg(url), url=url)


def _exercises(link: TeamLink) -> Markup:
    """The team's exercises as a list of links (nothing when the agenda schedules none)."""
    if not link.exercises:
        return Markup("")
    items = Markup("").join(
        Markup('<li><a href="{}">{}</a></li>').format(url, title) for title, url in link.exercises
    )
    return Markup(
        '<div class="ex">Exercises (your own copies, in <code>exercises/</code> beside your '
        "notebooks):<ul>{}</ul></div>"
    ).format(items)


LOCAL_ONLY = (
    "Only on this computer: these links and codes point at {host}, which is this machine "
    "itself. A laptop or phone in the room cannot open them. Start the server with "
    "<code>servekit lab --host 0.0.0.0</code> on the room's network (or give "
    "<code>--url-host</code> the name the room uses for this machine), then print this page again."
)
"""The page's warning when the links use a loopback address (``{host}`` is filled in)."""


def links_page(title: str, links: list[TeamLink], *, note: str = "", local_only: str = "") -> str:
    """The links page as one HTML document (inline CSS and SVG; no scripts; escaped text).

    Parameters
    ----------
    title : str
        The workshop's title.
    links : list of TeamLink
        One card per team, in this order.
    note : str, optional
        An extra line under the title (e.g. where the server runs).
    local_only : str, optional
        The loopback address the links use, when they use one: the page and every card then
        say that they work only on this computer (see :data:`LOCAL_ONLY`).

    Returns
    -------
    str

    See Also
    --------
    kit.hub.links.hub_links_page : the hub's page (logins and passwords, admin only).

    Examples
    --------
    >>> page = links_page("W", [TeamLink("a", "A", "http://h/a"), TeamLink("b", "B", "http://h/b")])
    >>> page.count('class="card"'), "<script" in page
    (2, False)
    >>> local = links_page("W", [TeamLink("a", "A", "http://127.0.0.1:1/a")], local_only="127.0.0.1")
    >>> local.count("Only on this computer")
    2
    """
    warning = Markup("")
    card_warning = Markup("")
    if local_only:
        warning = Markup('<p class="local" role="alert">{}</p>').format(
            Markup(LOCAL_ONLY).format(host=local_only)
        )
        card_warning = Markup(
            '<p class="local">Only on this computer ({}): not for phones or other laptops.</p>'
        ).format(local_only)
    cards = []
    for link in links:
        cards.append(
            Markup(
                '<section class="card" id="team-{slug}">'
                "<h2>{name}</h2>{heading}{svg}"
                '<div class="url">{url}</div>'
                '<div class="step">Open the link (or scan the code), then choose '
                "<b>Run ▸ Run All Cells</b>.</div>{local}{exercises}{phone}</section>"
            ).format(
                slug=link.slug,
                name=link.name,
                heading=Markup("<h3>Open your notebooks</h3>") if link.phone else "",
                svg=qr_svg(link.url),
                url=link.url,
                local=card_warning,
                exercises=_exercises(link),
                phone=_phone_part(link.phone),
            )
        )
    made = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    return str(
        Markup(
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Team links · {title}</title><style>{css}</style></head><body>"
            "<h1>{title}: your team's notebooks</h1>"
            '<p class="lead">Find your team, open its link in a browser on this room\'s network (or '
            "scan the code with a phone to copy it), then choose <b>Run ▸ Run All Cells</b> — there "
            "is nothing to type. {note}</p>{warning}"
            '<div class="cards">{cards}</div>'
            '<p class="foot">Made {made} by servekit. The links hold the server\'s token: share '
            "them only with the room. They stop working when the server is stopped or started "
            "with another token.</p></body></html>\n"
        ).format(
            title=title,
            css=Markup(_CSS),
            note=note,
            warning=warning,
            cards=Markup("").join(cards),
            made=made,
        )
    )


def write_links(
    workshop_dir: Path | str,
    title: str,
    links: list[TeamLink],
    *,
    note: str = "",
    local_only: str = "",
) -> Path:
    """Write ``links.html`` into the workshop folder (atomically, owner-only) and return its path.

    Examples
    --------
    >>> import tempfile
    >>> path = write_links(tempfile.mkdtemp(), "W", [TeamLink("a", "A", "http://h/a")])
    >>> path.name, path.read_text().count("<svg")
    ('links.html', 1)
    """
    path = Path(workshop_dir) / LINKS_FILE
    atomic_write(path, links_page(title, links, note=note, local_only=local_only))
    os.chmod(path, 0o600)  # the links hold the server's token
    return path
