"""Team names and their folder names (*slugs*): made safe, sorted naturally, some refused.

A team's name is display text; its folder's name is a slug derived from it (:func:`slugify`),
and a name that would escape the workshop folder, clash with another team or take a name the
kit or Windows keeps is refused (:func:`check_team_name`, :func:`reserved`).

Examples
--------
>>> slugify("Blue & Gold"), reserved("index"), sorted(["Team 10", "Team 2"], key=natural_key)
('blue-gold', True, ['Team 2', 'Team 10'])
"""

from __future__ import annotations

import re
import unicodedata

from kit.exceptions import WorkshopError
from kit.store.schema import name_problem
from kit.store.terminal import printable

__all__ = ["RESERVED_SLUGS", "check_team_name", "natural_key", "reserved", "slugify"]

RESERVED_SLUGS = frozenset(
    {
        "index",
        "con",
        "prn",
        "aux",
        "nul",
        *(f"com{n}" for n in range(1, 10)),
        *(f"lpt{n}" for n in range(1, 10)),
    }
)
"""Folder names a team may not have: the report's index page, and names Windows refuses."""


def reserved(name: str) -> bool:
    """True for a folder name that a team may not have (``index``, ``_…``, ``.…``, ``nul``…).

    Examples
    --------
    >>> reserved("index"), reserved("_synthesis"), reserved("Index"), reserved("night-shift")
    (True, True, True, False)
    """
    return name.startswith(("_", ".")) or name.lower() in RESERVED_SLUGS


# --------------------------------------------------------------------------- names
def natural_key(text: object) -> tuple:
    """Sort key putting "Team 2" before "Team 10" (numbers compared as numbers, case ignored).

    Examples
    --------
    >>> sorted(["Team 10", "team 2", "Team 1", "Team 100"], key=natural_key)
    ['Team 1', 'team 2', 'Team 10', 'Team 100']
    """
    parts = re.split(r"(\d+)", str(text).casefold())
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts if p)


def slugify(name: str, fallback: str | None = None) -> str:
    """Turn a display name into a safe folder name or id.

    Accents are folded to ASCII, anything but letters and digits becomes ``-``. Names with no
    Latin letters or digits at all get ``fallback``, or a stable ``team-<hex>`` slug.

    Examples
    --------
    >>> slugify("Front Desk & Friends"), slugify("Équipe Étoile"), slugify("夜班")
    ('front-desk-friends', 'equipe-etoile', 'team-e5a49c')
    >>> slugify("!!", fallback="fig")
    'fig'
    """
    folded = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:60].strip("-")
    if not slug:
        slug = fallback or "team-" + str(name).strip().encode("utf-8").hex()[:6]
    return slug


def check_team_name(name: str, taken: dict[str, str] | None = None) -> str:
    """Check a new team name and return its slug, or raise :class:`WorkshopError` saying why.

    Parameters
    ----------
    name : str
        The display name typed by the facilitator.
    taken : dict, optional
        Existing slug -> display name, to refuse clashes.

    Returns
    -------
    str
        The slug to use as the team's folder name.

    Examples
    --------
    >>> check_team_name("Night Shift"), check_team_name("Index")
    ('night-shift', 'index-team')
    >>> check_team_name("../etc")
    Traceback (most recent call last):
    ...
    kit.exceptions.WorkshopError: team name '../etc' is refused: it contains a path separator ...
    """
    text = (name or "").strip()
    if not text or text in {".", ".."}:
        raise WorkshopError(
            f"team name {name!r} is refused: expected a name with letters or digits"
        )
    if "/" in text or "\\" in text or "\x00" in text:
        raise WorkshopError(
            f"team name {name!r} is refused: it contains a path separator "
            f"('/' or '\\'); expected a plain name such as 'Night Shift'"
        )
    if name_problem(text):  # the one name rule, as validate applies it to team.yaml
        raise WorkshopError(f"team name {printable(repr(name))} is refused: {name_problem(text)}")
    if len(text) > 120:
        raise WorkshopError(f"team name {name[:40]!r}… is refused: expected at most 120 characters")
    slug = slugify(text)
    if reserved(slug):  # the report batch writes index.html beside the teams' pages
        slug += "-team"
    taken = taken or {}
    if slug in taken:
        raise WorkshopError(
            f"team name {name!r} is refused: its folder name {slug!r} is already "
            f"used by team {taken[slug]!r}; expected a different name"
        )
    return slug
