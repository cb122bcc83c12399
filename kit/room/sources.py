"""The *Sources* section every notebook ends with: one shared text, stamped by a tool.

The texts the case and its ideas come from and the references of the methods the kit uses are
kept here once, as data (:data:`TEXTS`, :data:`METHODS`, :data:`NOTE`). :func:`section` renders
them as one markdown cell; :func:`stamp` puts that cell at the end of every notebook of a folder
(``servekit stamp-sources``), and :func:`check` lists notebooks whose section is missing, out of
date or not at the end (``servekit stamp-sources --check``, run by ``make lint``). Editing the
credits means editing this module and stamping again; nobody edits the cells by hand.

The cell starts with an invisible marker (an HTML comment), so stamping again replaces it instead
of adding another. A navigation line (:mod:`kit.room.navigation`) at the bottom of the cell is kept:
the two stamps live side by side in any order.

Examples
--------
>>> text = section()
>>> text.splitlines()[:2]
['<!-- servekit:sources -->', '## Sources']
>>> "Martilla" in text and "Bitner" in text and "Normann" in text
True
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from kit.room.navigation import MARKER as NAV_MARKER
from kit.room.navigation import nav_stamped, strip_nav
from kit.store.csvio import atomic_write
from kit.store.problems import Problem, display_path

__all__ = [
    "EXTRA",
    "MARKER",
    "METHODS",
    "NOTE",
    "Source",
    "TEXTS",
    "check",
    "notebooks",
    "section_text",
    "section",
    "stamp",
    "stamped",
]

MARKER = "<!-- servekit:sources -->"
"""Opens every stamped *Sources* cell (invisible when the markdown is rendered)."""


@dataclass(frozen=True)
class Source:
    """One credited work: who, what, where, and what the kit takes from it.

    Examples
    --------
    >>> Source("A. Author", "A title", "a blog, 2020", "the idea").markdown()
    '- A. Author, *A title*, a blog, 2020. Used for: the idea.'
    """

    author: str
    title: str
    where: str
    used_for: str

    def markdown(self) -> str:
        """One bullet line of markdown."""
        return f"- {self.author}, *{self.title}*, {self.where}. Used for: {self.used_for}."


TEXTS: tuple[Source, ...] = (
    Source(
        "Sonya Shelton",
        "Executive Leaders Serve Others",
        "article on the Red Thread Leadership website (Shelton is its CEO and founder)",
        "Laurie's case (a day in the life, direct and indirect touchpoints, be/do/have, the "
        'internal service plan; its "more than double the target" is her account, not '
        "verified by the kit), the Datong CEO's upside-down pyramid, and her quotation of "
        "Robert K. Greenleaf",
    ),
    Source(
        "Jim Clemmer (attributed: the post announces his newsletter The Leader Letter)",
        "Leaders serve employees",
        "blog post, The Clemmer Group",
        'the upside-down chart, serving the boss instead of the customer, "who is serving whom?"',
    ),
    Source(
        "Jim Clemmer",
        "excerpts of blog posts on serving the servers",
        "The Clemmer Group blog, including his Globe and Mail column "
        "*Bridging the Credibility Gap*",
        'the Customer Service Chain, "who hired the servers, and who trains them?", the '
        "credibility gap, the imagined clinic notice (a clinic run for its own convenience), "
        "systems that serve the servers, and the Zenger Folkman 360° research he cites; a "
        "separate, unnamed quotation there links a 1-point lead in customer journeys to a "
        "2-point lead in revenue growth (not verified by the kit)",
    ),
    Source(
        "author not named in the copy the kit was built from",
        "an article on leading through service",
        "business press",
        "leaders on frontline shifts, recurring issues, being equipped and empowered, Bill "
        "Gates's customer-service shift, the questions boards should ask, expectations that "
        "keep changing (its survey figure, that 54% of employees see a focus on motivating "
        "and engaging people as the best route to better service, is not verified by the kit)",
    ),
)
"""The source texts of the case and its ideas (paraphrased everywhere, never copied)."""

METHODS: tuple[Source, ...] = (
    Source(
        "John A. Martilla and John C. James",
        "Importance-Performance Analysis",
        "Journal of Marketing 41(1), 77-79, 1977",
        "the importance-performance quadrants of the scoring step",
    ),
    Source(
        "Mary Jo Bitner, Amy L. Ostrom and Felicitas N. Morgan",
        "Service Blueprinting: A Practical Technique for Service Innovation",
        "California Management Review 50(3), 66-94, 2008",
        "the blueprint lanes (customer, frontstage, backstage, support)",
    ),
    Source(
        "Richard Normann",
        "Service Management: Strategy and Leadership in Service Business",
        "Wiley, 1984",
        "the moment of truth: a contact where the customer judges the whole service",
    ),
    Source(
        "Jan Carlzon",
        "Moments of Truth",
        "Ballinger, 1987",
        "the same idea, told from an airline chief executive's practice",
    ),
)
"""The references of the methods the kit applies."""

NOTE = (
    "The moment-of-truth weight, the priority formula, the crosshair of the quadrants and the "
    "readiness scale are the kit's own choices, not the sources'. The case data are invented "
    "by the servekit contributors (CC BY 4.0); each case's datasheet "
    "(`datasets/<case>/README.md`) says which parts come from which text."
)
"""What the kit adds on its own account."""

EXTRA: dict[str, tuple[Source, ...]] = {
    "06_your_organisation": (
        Source(
            "UK government departments",
            "staff organograms (senior and junior posts)",
            "published on data.gov.uk under the Open Government Licence v3.0",
            "the organogram format this notebook imports",
        ),
    ),
}
"""Sources only one notebook needs, by file stem (shown under the shared list)."""


def section(name: str | None = None) -> str:
    """The *Sources* cell's markdown (starting with :data:`MARKER`) for notebook ``name``.

    Parameters
    ----------
    name : str, optional
        The notebook's file stem; a notebook listed in :data:`EXTRA` gets its own sources too.

    Examples
    --------
    >>> section().count("\\n- ") == len(TEXTS) + len(METHODS)
    True
    >>> "data.gov.uk" in section("06_your_organisation"), "data.gov.uk" in section("01_journey")
    (True, False)
    """
    lines = [
        MARKER,
        "## Sources",
        "",
        "**The case and its ideas** (paraphrased, never copied)",
        "",
        *(s.markdown() for s in TEXTS),
        "",
        "**Methods**",
        "",
        *(s.markdown() for s in METHODS),
    ]
    extra = EXTRA.get(name or "", ())
    if extra:
        lines += ["", "**For this notebook**", "", *(s.markdown() for s in extra)]
    return "\n".join([*lines, "", NOTE])


def section_text() -> str:
    """The section as plain text (no marker), e.g. for a report page.

    Examples
    --------
    >>> section_text().startswith("## Sources")
    True
    """
    return section().split("\n", 1)[1]


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _index(nb: Any) -> int | None:
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") == "markdown" and MARKER in _source(cell):
            return i
    return None


def _nav_line(nb: Any) -> str | None:
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in _source(cell).splitlines():
                if NAV_MARKER in line:
                    return line
    return None


def stamped(nb: Any, text: str | None = None) -> bool:
    """Make ``nb`` end with the *Sources* cell; True when ``nb`` changed.

    The cell is replaced where it is out of date and moved to the end where cells were added
    after it. A navigation line the notebook had stays at the top of its first and the bottom of
    its last markdown cell (now the *Sources* cell).

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A")])
    >>> stamped(nb, "<!-- servekit:sources -->\\nS"), stamped(nb, "<!-- servekit:sources -->\\nS")
    (True, False)
    >>> [c.source for c in nb.cells]
    ['# A', '<!-- servekit:sources -->\\nS']
    """
    text = section() if text is None else text
    cells = nb.cells
    index = _index(nb)
    nav = _nav_line(nb)
    changed = False
    if index is None:
        cells.append(nbformat.v4.new_markdown_cell(text))
        changed = True
    else:
        if index != len(cells) - 1:
            cells.append(cells.pop(index))
            changed = True
        cell = cells[-1]
        if strip_nav(_source(cell)) != text.strip("\n"):
            kept = [line for line in _source(cell).splitlines() if NAV_MARKER in line]
            cell["source"] = "\n\n".join([text.strip("\n"), *kept])
            changed = True
    if nav is not None and nav_stamped(nb, nav):
        changed = True
    return changed


def notebooks(folder: Path | str) -> list[Path]:
    """Every notebook directly inside ``folder``, by name.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("b.ipynb", "a.ipynb", "c.md"):
    ...     _ = (folder / name).write_text("{}")
    >>> [p.name for p in notebooks(folder)]
    ['a.ipynb', 'b.ipynb']
    """
    return sorted(Path(folder).glob("*.ipynb"))


def stamp(folder: Path | str) -> list[Path]:
    """Stamp the *Sources* cell into every notebook of ``folder``; return those rewritten.

    Each notebook is read, changed and written in one go (atomically, keeping its permissions),
    and only when its section was missing or stale.

    See Also
    --------
    kit.room.navigation.stamp_nav : the previous/next lines at the top and bottom.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A")]),
    ...                folder / "a.ipynb")
    >>> [p.name for p in stamp(folder)], stamp(folder), check(folder)
    (['a.ipynb'], [], [])
    """
    written = []
    for path in notebooks(folder):
        nb = nbformat.read(path, as_version=4)
        if stamped(nb, section(path.stem)):
            out = nbformat.writes(nb)
            mode = path.stat().st_mode & 0o777
            atomic_write(path, out if out.endswith("\n") else out + "\n")
            os.chmod(path, mode)
            written.append(path)
    return written


def check(folder: Path | str) -> list[Problem]:
    """Notebooks of ``folder`` whose *Sources* cell is missing, out of date or not last.

    See Also
    --------
    kit.room.navigation.check_nav : the same check for the previous/next lines.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A")]),
    ...                folder / "a.ipynb")
    >>> [p.message[:45] for p in check(folder)]
    ['the Sources section is missing; expected the ']
    """
    folder = Path(folder)
    problems = []
    for path in notebooks(folder):
        nb = nbformat.read(path, as_version=4)
        index = _index(nb)
        if index is None:
            what = "missing"
        elif index != len(nb.cells) - 1:
            what = "not the last cell"
        elif strip_nav(_source(nb.cells[index])) != section(path.stem):
            what = "out of date"
        else:
            continue
        problems.append(
            Problem(
                display_path(path, folder.parent),
                None,
                None,
                f"the Sources section is {what}; expected the shared text of kit/room/sources.py as the "
                f"notebook's last cell (run: servekit stamp-sources {folder})",
            )
        )
    return problems
