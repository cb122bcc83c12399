"""Navigation lines between the workshop notebooks: "← previous | next →".

Every session notebook in ``workshops/`` (``01_journey.ipynb``, ``02_pyramid.ipynb`` …, in file
name order, which is session order; see :data:`PATTERN`) gets one line at the top of its first markdown cell and at
the bottom of its last markdown cell, linking to the notebooks before and after it:

    ← [01 · The customer's day in the life](01_journey.ipynb) | [03 · …](03_needs.ipynb) →

The line ends with an invisible marker (an HTML comment) so stamping again replaces it instead of
adding another: :func:`stamp_nav` is idempotent and writes only notebooks whose line changed (a
notebook's outputs, metadata and other cells are left exactly as they are). :func:`check_nav`
reports notebooks whose lines are missing or out of date, e.g. after a notebook was added or
renamed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat

from kit.store.csvio import atomic_write
from kit.store.problems import Problem, display_path

__all__ = [
    "MARKER",
    "PATTERN",
    "check_nav",
    "nav_line",
    "notebook_title",
    "stamp_nav",
    "nav_stamped",
    "strip_nav",
    "workshop_notebooks",
]

MARKER = "<!-- servekit:nav -->"
"""Ends every navigation line (invisible when the markdown is rendered)."""

PATTERN = "0[1-9]_*.ipynb"
"""Which notebooks of a folder are session notebooks: ``01_`` to ``09_``, in session order.

``00_facilitator_guide.ipynb`` is the facilitator's, not a step of the session: not stamped.

Notebooks numbered ``10`` and up (the coach's team report, ``10_team_report.ipynb``) are run
after the session and exported as reports, where a link to the previous notebook would be
broken, so they are not stamped.
"""

_HEADING = re.compile(r"^\s*#\s+(.+?)\s*#*\s*$")


def workshop_notebooks(folder: Path | str) -> list[Path]:
    """The session notebooks of ``folder`` (:data:`PATTERN`) in session (file name) order.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("02_b.ipynb", "01_a.ipynb", "notes.ipynb", "10_report.ipynb"):
    ...     _ = (folder / name).write_text("{}")
    >>> [p.name for p in workshop_notebooks(folder)]
    ['01_a.ipynb', '02_b.ipynb']
    """
    return sorted(Path(folder).glob(PATTERN))


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _markdown(nb: Any) -> list[Any]:
    return [cell for cell in nb.get("cells", []) if cell.get("cell_type") == "markdown"]


def strip_nav(text: str) -> str:
    """Remove navigation lines (and the blank lines they leave at either end) from markdown.

    Examples
    --------
    >>> strip_nav("← a | b → <!-- servekit:nav -->\\n\\n# Title\\n")
    '# Title'
    """
    lines = [line for line in text.splitlines() if MARKER not in line]
    return "\n".join(lines).strip("\n")


def notebook_title(path: Path | str, nb: Any | None = None) -> str:
    """A notebook's title: the first ``# heading`` of its first markdown cell, else its name.

    Examples
    --------
    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "01_journey.ipynb"
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Day in the life")])
    >>> notebook_title(path, nb)
    'Day in the life'
    """
    path = Path(path)
    if nb is None:
        nb = nbformat.read(path, as_version=4)
    for cell in _markdown(nb)[:1]:
        for line in strip_nav(_source(cell)).splitlines():
            match = _HEADING.match(line)
            if match:
                return match.group(1)
    return path.stem


def _link(path: Path, title: str) -> str:
    number = path.name.split("_", 1)[0]
    label = title.replace("[", "(").replace("]", ")")
    return f"[{number} · {label}]({path.name})"


def nav_line(previous: tuple[Path, str] | None, following: tuple[Path, str] | None) -> str:
    """The navigation line for a notebook between ``previous`` and ``following``.

    Parameters
    ----------
    previous, following : (path, title) or None
        The neighbouring notebooks (``None`` at either end of the session).

    Returns
    -------
    str
        Markdown ending with :data:`MARKER`.

    Examples
    --------
    >>> nav_line(None, (Path("02_pyramid.ipynb"), "Pyramid"))
    '← *start of the workshop* | [02 · Pyramid](02_pyramid.ipynb) → <!-- servekit:nav -->'
    """
    left = "← " + (_link(*previous) if previous else "*start of the workshop*")
    right = (_link(*following) if following else "*end of the workshop*") + " →"
    return f"{left} | {right} {MARKER}"


def nav_stamped(nb: Any, line: str) -> bool:
    """Put ``line`` at the top of the first and the bottom of the last markdown cell of ``nb``.

    Returns True when ``nb`` changed. A notebook without markdown cells gets one at the top.

    Examples
    --------
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A")])
    >>> nav_stamped(nb, "← x | y → " + MARKER), nav_stamped(nb, "← x | y → " + MARKER)
    (True, False)
    >>> nb.cells[0].source.splitlines()
    ['← x | y → <!-- servekit:nav -->', '', '# A', '', '← x | y → <!-- servekit:nav -->']
    """
    cells = _markdown(nb)
    if not cells:
        nb.cells.insert(0, nbformat.v4.new_markdown_cell(""))
        cells = _markdown(nb)
    changed = False
    first, last = cells[0], cells[-1]
    for cell in cells:
        body = strip_nav(_source(cell))
        parts = [body] if body else []
        if cell is first:
            parts.insert(0, line)
        if cell is last:
            parts.append(line)
        text = "\n\n".join(parts)
        if text != _source(cell):
            cell["source"] = text
            changed = True
    return changed


def _plan(folder: Path) -> list[tuple[Path, Any, str]]:
    paths = workshop_notebooks(folder)
    books = [nbformat.read(p, as_version=4) for p in paths]
    titles = [notebook_title(p, nb) for p, nb in zip(paths, books, strict=True)]
    plan = []
    for i, (path, nb) in enumerate(zip(paths, books, strict=True)):
        previous = (paths[i - 1], titles[i - 1]) if i > 0 else None
        following = (paths[i + 1], titles[i + 1]) if i + 1 < len(paths) else None
        plan.append((path, nb, nav_line(previous, following)))
    return plan


def stamp_nav(folder: Path | str = "workshops") -> list[Path]:
    """Stamp the navigation lines into every workshop notebook of ``folder``.

    Parameters
    ----------
    folder : path-like
        The folder of numbered notebooks (default ``workshops``).

    Returns
    -------
    list of Path
        The notebooks rewritten (none when all were up to date).

    See Also
    --------
    kit.room.sources.stamp : the shared Sources section at the end of each notebook.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("01_a.ipynb", "02_b.ipynb"):
    ...     nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# " + name)])
    ...     nbformat.write(nb, folder / name)
    >>> [p.name for p in stamp_nav(folder)], stamp_nav(folder)
    (['01_a.ipynb', '02_b.ipynb'], [])
    >>> check_nav(folder)
    []
    """
    written = []
    for path, nb, line in _plan(Path(folder)):
        if nav_stamped(nb, line):
            text = nbformat.writes(nb)
            # atomic_write keeps the file's permissions (its temporary file gets the old mode)
            atomic_write(path, text if text.endswith("\n") else text + "\n")
            written.append(path)
    return written


def check_nav(folder: Path | str = "workshops") -> list[Problem]:
    """Notebooks of ``folder`` whose navigation lines are missing or out of date.

    Parameters
    ----------
    folder : path-like
        The folder of numbered notebooks.

    Returns
    -------
    list of Problem
        One per notebook to re-stamp (``servekit stamp-nav`` fixes them); empty when all fit.

    See Also
    --------
    kit.room.sources.check : the same check for the Sources section.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A")]),
    ...                folder / "01_a.ipynb")
    >>> [p.message[:40] for p in check_nav(folder)]
    ['the navigation line is missing or out of']
    """
    folder = Path(folder)
    problems = []
    for path, nb, line in _plan(folder):
        if nav_stamped(nb, line):
            problems.append(
                Problem(
                    display_path(path, folder.parent),
                    None,
                    None,
                    f"the navigation line is missing or out of date; expected {line!r} at the top "
                    f"of the first and the bottom of the last markdown cell (run: servekit "
                    f"stamp-nav {folder})",
                )
            )
    return problems
