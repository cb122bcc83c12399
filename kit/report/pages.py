"""The batch's own pages: a team's failure page and the index (``index.html`` + JSON).

Templates live in ``kit/templates/pages`` (jinja2, autoescape on). Every link to a file the
batch wrote goes through :func:`href`, which percent-encodes the whole file name: a team folder
named ``javascript:alert(1)`` links to ``javascript%3Aalert%281%29.html`` (a relative file, not
a script), and ``a#b``, ``a?b``, ``50%`` link to the files that carry those names.

Examples
--------
>>> href("javascript:alert(1).html"), href("a#b.html"), href("50%.html")
('javascript%3Aalert%281%29.html', 'a%23b.html', '50%25.html')
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kit.formatting import isolate, shorten
from kit.report.cache import MANIFEST_DIR, read_manifest
from kit.report.export import write_file
from kit.report.models import Job, Summary, TeamResult

__all__ = [
    "SYNTHESIS_PAGE",
    "SYNTHESIS_SLUG",
    "TITLE_PART",
    "failure_page",
    "href",
    "index_page",
    "page_title",
    "write_index",
]

SYNTHESIS_PAGE = "_synthesis.html"  # team slugs never start with "_", so it cannot clash
SYNTHESIS_PDF = "_synthesis.pdf"
SYNTHESIS_SLUG = "_synthesis"


def page_title(name: str, workshop: str | None) -> str:
    """The title of a team's page, which Chromium also prints at the top of each PDF page.

    The team's name and the workshop's are each isolated, so a bidi control in one cannot
    reorder the other, and each is cut at :data:`TITLE_PART` characters, so the printed header
    keeps to one line (its box clips a second one). The page itself shows the whole name.

    Examples
    --------
    >>> page_title("Night Shift", "Demo") == "\u2068Night Shift\u2069 — \u2068Demo\u2069"
    True
    >>> page_title("W" * 120, None) == "\u2068" + "W" * 39 + "…\u2069"
    True
    """
    part = [isolate(shorten(text, TITLE_PART)) for text in (name, workshop) if text]
    return " — ".join(part)


TITLE_PART = 40
"""Characters of the team's name (and of the workshop's) in a page's title."""


def href(name: str) -> str:
    """A relative link to the file ``name`` in the same folder, safe in any ``href``.

    Every character but letters, digits and ``_.-~`` is percent-encoded, so no name can become
    a scheme (``javascript:``), a fragment (``#``), a query (``?``) or a broken escape (``%``).

    Examples
    --------
    >>> href("front-desk.html"), href("a?b.html"), href("x/../y.html")
    ('front-desk.html', 'a%3Fb.html', 'x%2F..%2Fy.html')
    """
    return quote(str(name), safe="")


@functools.cache
def _pages() -> Any:
    import jinja2

    from kit.report.export import TEMPLATES

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "pages")),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["href"] = href
    return env


def _now() -> str:
    return dt.datetime.now().strftime("%Y-%m-%d %H:%M")


def failure_page(result: TeamResult, job: Job) -> str:
    """The page that takes a team's slot when its report could not be built.

    Examples
    --------
    >>> r = TeamResult(slug="a", name="<b>A</b>", status="failed", problem="it broke", fix="rerun")
    >>> job = Job(slug="a", team_dir="t", workshop_dir="w", out="o", notebook="n", title="W")
    >>> page = failure_page(r, job)
    >>> "&lt;b&gt;A&lt;/b&gt;" in page and "<b>A</b>" not in page
    True
    """
    from kit.report.export import report_css, version

    return (
        _pages()
        .get_template("failure.html.j2")
        .render(r=result, job=job, css=report_css(), version=version(), when=_now())
    )


def index_page(summary: Summary) -> str:
    """The batch's ``index.html``: the workshop, then every team with status and links.

    Examples
    --------
    >>> s = Summary(workshop=Path("w"), out=Path("o"), seconds=1.0,
    ...             results=[TeamResult(slug="a", name="<i>A</i>", status="ok", html="a.html")],
    ...             workshop_info={"title": "T & T"})
    >>> page = index_page(s)
    >>> "T &amp; T" in page and "&lt;i&gt;A&lt;/i&gt;" in page
    True
    """
    from kit.report.export import report_css, version

    return (
        _pages()
        .get_template("index.html.j2")
        .render(
            s=summary, info=summary.workshop_info, css=report_css(), version=version(), when=_now()
        )
    )


def _earlier_results(summary: Summary) -> list[TeamResult]:
    """Teams built by an earlier run (still in the workshop) that this run did not touch."""
    listed = {r.slug for r in summary.results}
    earlier = []
    for path in sorted((summary.out / MANIFEST_DIR).glob("*.json")):
        slug = path.stem
        if slug in listed or not (summary.workshop / "teams" / slug).is_dir():
            continue
        manifest = read_manifest(summary.out, slug)
        if manifest:
            earlier.append(TeamResult.from_dict(manifest))
    return earlier


def write_index(summary: Summary) -> Path:
    """Write ``index.html`` and ``summary.json`` (every team of this run, and earlier ones)."""
    out = summary.out
    shown = Summary(
        workshop=summary.workshop,
        out=out,
        results=sorted(summary.results + _earlier_results(summary), key=lambda r: r.slug),
        seconds=summary.seconds,
        workshop_info=summary.workshop_info,
        synthesis=summary.synthesis,
        synthesis_pdf=summary.synthesis_pdf,
        synthesis_problem=summary.synthesis_problem,
        index_title=summary.index_title,
        index_column=summary.index_column,
        synthesis_blurb=summary.synthesis_blurb,
    )
    write_file(out / "summary.json", json.dumps(shown.to_dict(), indent=1, default=str))
    write_file(out / "index.html", index_page(shown))
    summary.index = out / "index.html"
    return summary.index
