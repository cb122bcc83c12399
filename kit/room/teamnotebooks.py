"""Each team's own copies of the participant notebooks: nothing to type, just *Run All*.

A workshop folder gets ``notebooks/<slug>/01_journey.ipynb … 05_plan.ipynb`` (every numbered
participant notebook the kit ships, see :func:`participant_notebooks`) for every team. Each copy
has ``workshop_dir`` and ``team`` set by papermill's own parameter injection (an
``injected-parameters`` cell after the ``parameters`` cell, exactly what ``papermill -p`` does),
so a participant opens the folder and chooses *Run ▸ Run All Cells*.

``workshop_dir`` is injected as the *relative* path ``../..`` (from ``notebooks/<slug>/`` back to
the workshop folder): the same files work on a shared server, on a JupyterHub and on a laptop
after unzipping a pack. The notebooks' previous/next lines are stamped again over the copied set,
so they link between the team's own copies. The case's own text (its paragraph under
**The case.** and its discussion prompts, from ``case.yaml``) is stamped in by
:func:`kit.room.casetext.stamp_case`, so a clinic's teams read about patients, not guests.

Writing never touches team data (``teams/``); a copy that changed (a kit update, or outputs a
participant saved) is replaced atomically and its previous version kept in
``notebooks/<slug>/.history/``. Every read and write goes through :mod:`kit.store.safefs` from
the workshop folder: a link planted anywhere on the path (``02_pyramid.ipynb -> /etc/shadow``,
``.history -> /root-only``) or a FIFO named like a notebook is refused with a message naming the
path, and the other notebooks and teams are still written. What is written belongs to the owner
of the team's folder, so a facilitator running this as root never locks a team out.

Examples
--------
>>> import tempfile
>>> from kit.store.workshop import create_workshop
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue & Gold"])
>>> paths = write_team_notebooks(ws.path)
>>> [p.relative_to(ws.path).as_posix() for p in paths][:2]
['notebooks/blue-gold/01_journey.ipynb', 'notebooks/blue-gold/02_pyramid.ipynb']
>>> import nbformat
>>> nbformat.read(paths[0], as_version=4).metadata["papermill"]["parameters"]
{'team': 'blue-gold', 'workshop_dir': '../..'}
"""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from kit.exceptions import WorkshopError
from kit.resources import workshops_dir
from kit.room.casetext import load_case_file, stamp_case
from kit.room.navigation import nav_line, nav_stamped, notebook_title
from kit.store import safefs
from kit.store.workshop import Workshop, is_workshop

__all__ = [
    "HISTORY_DIR",
    "INJECTED_ID",
    "MAX_NOTEBOOK_BYTES",
    "NOTEBOOKS_DIR",
    "PARTICIPANT_PATTERN",
    "RELATIVE_WORKSHOP",
    "Written",
    "inject",
    "participant_notebooks",
    "sync_team_notebooks",
    "team_notebook_dir",
    "write_team_notebooks",
    "team_owner",
]

NOTEBOOKS_DIR = "notebooks"
PARTICIPANT_PATTERN = "0[1-9]_*.ipynb"
"""Participant notebooks: ``01_`` to ``09_`` (``00_`` is the facilitator's, ``10+`` reports)."""
RELATIVE_WORKSHOP = "../.."
"""``workshop_dir`` as seen from ``notebooks/<slug>/``."""
INJECTED_ID = "injected-parameters"
HISTORY_DIR = ".history"
MAX_NOTEBOOK_BYTES = 200_000_000
"""Largest team notebook read back (to compare and keep in history)."""


def participant_notebooks(folder: Path | str | None = None) -> list[Path]:
    """The participant notebooks (``01_…`` to ``09_…``) in session order.

    Parameters
    ----------
    folder : path-like, optional
        Where to look (default: the kit's ``workshops/``).

    Examples
    --------
    >>> [p.name for p in participant_notebooks()][:2]
    ['01_journey.ipynb', '02_pyramid.ipynb']
    """
    return sorted(Path(folder or workshops_dir()).glob(PARTICIPANT_PATTERN))


def team_notebook_dir(workshop_dir: Path | str, slug: str) -> Path:
    """Where a team's notebooks live: ``<workshop>/notebooks/<slug>``.

    Examples
    --------
    >>> team_notebook_dir("w", "blue").as_posix()
    'w/notebooks/blue'
    """
    return Path(workshop_dir) / NOTEBOOKS_DIR / slug


def inject(source: Path | str, parameters: dict[str, Any]) -> Any:
    """Read a notebook and inject ``parameters`` with papermill (no outputs, stable cell ids).

    Parameters
    ----------
    source : path-like
        A notebook with a cell tagged ``parameters``.
    parameters : dict
        Names and values, as ``papermill -p`` would pass them.

    Returns
    -------
    nbformat.NotebookNode

    Examples
    --------
    >>> from kit.resources import workshop_notebook
    >>> nb = inject(workshop_notebook("01_journey.ipynb"), {"team": "a"})
    >>> [c.source for c in nb.cells if c.id == INJECTED_ID]
    ['# Parameters (set for this team by servekit)\\nteam = "a"\\n']
    >>> [c.metadata for c in nb.cells if c.id == INJECTED_ID]  # shown in full, never collapsed
    [{'tags': ['injected-parameters']}]
    """
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    nb = load_notebook_node(str(source))
    nb = parameterize_notebook(nb, parameters, comment="Parameters (set for this team by servekit)")
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = INJECTED_ID  # stable, so writing again gives the same file
        # every code cell shown in full, like the notebook's own: JupyterLab draws a collapsed
        # input as its first line and "•••", which reads as a broken line of code
        cell.metadata.get("jupyter", {}).pop("source_hidden", None)
        cell.metadata.pop("collapsed", None)
        if not cell.metadata.get("jupyter", True):
            del cell.metadata["jupyter"]
        for key in ("tags", "papermill"):  # the empty keys papermill's loader adds
            if not cell.metadata.get(key, True):
                del cell.metadata[key]
    return nb


@dataclass(frozen=True)
class Written:
    """One team notebook, whether this run (re)wrote it, and why it was refused (if it was)."""

    path: Path
    changed: bool
    refused: str | None = None


def sync_team_notebooks(
    workshop_dir: Path | str,
    slugs: Iterable[str] | None = None,
    source: Path | str | None = None,
    on_team: Callable[[str], None] | None = None,
) -> list[Written]:
    """Write every team's notebooks; report which ones changed (see :func:`write_team_notebooks`).

    ``on_team`` is called with each team's slug once its notebooks are written.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> any(w.changed for w in sync_team_notebooks(ws.path))   # written now
    True
    >>> any(w.changed for w in sync_team_notebooks(ws.path))   # already up to date
    False
    """
    root = Path(workshop_dir)
    if not is_workshop(root):
        raise WorkshopError(
            f"{root} is not a workshop folder (no workshop.yaml and no teams/ "
            f"folder); expected a folder made by 'servekit new'"
        )
    workshop = Workshop(root)
    if slugs is None:
        chosen = [t.slug for t in workshop.teams()]
    else:
        chosen = [workshop.team(s).slug for s in slugs]  # refuses unknown teams
    sources = participant_notebooks(source)
    if not sources:
        raise WorkshopError(
            f"no participant notebooks ({PARTICIPANT_PATTERN}) in {source or workshops_dir()}"
        )
    titles = [notebook_title(p) for p in sources]
    case = load_case_file(str(workshop.info.get("case") or "laurie-hospitality"))
    results = []
    for slug in chosen:
        folder = team_notebook_dir(root, slug)
        team = team_owner(root, slug)
        for i, path in enumerate(sources):
            nb = inject(path, {"workshop_dir": RELATIVE_WORKSHOP, "team": slug})
            nb.metadata["servekit"] = {"team": slug, "source": path.name}
            stamp_case(nb, case, path.stem)  # the case's paragraph, noun and prompts
            previous = (sources[i - 1], titles[i - 1]) if i > 0 else None
            following = (sources[i + 1], titles[i + 1]) if i + 1 < len(sources) else None
            nav_stamped(nb, nav_line(previous, following))  # links between the team's own copies
            text = nbformat.writes(nb)
            text = text if text.endswith("\n") else text + "\n"
            target = folder / path.name
            try:
                changed = _write(root, target.relative_to(root), text, team)
            except safefs.UnsafePath as exc:
                results.append(Written(target, False, str(exc)))
            else:
                results.append(Written(target, changed))
        if on_team is not None:
            on_team(slug)
    return results


def write_team_notebooks(
    workshop_dir: Path | str,
    slugs: Iterable[str] | None = None,
    on_team: Callable[[str], None] | None = None,
) -> list[Path]:
    """Write ``notebooks/<slug>/NN_name.ipynb`` for every team (or the teams in ``slugs``).

    Each copy is a participant notebook from the kit with ``workshop_dir = "../.."`` and
    ``team = "<slug>"`` injected by papermill. Files already up to date are left alone; a copy
    that differs is replaced atomically and its old version kept in ``.history/``. Team data
    (``teams/``) is never touched.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    slugs : iterable of str, optional
        Teams (slugs or display names) to write; default every team.
    on_team : callable, optional
        Called with each team's slug once its notebooks are written (a progress bar).

    Returns
    -------
    list of Path
        Every team notebook, written now or already up to date, team by team in session order.

    Raises
    ------
    kit.exceptions.WorkshopError
        Not a workshop folder, or an unknown team.
    kit.exceptions.UnsafePath
        After writing every other notebook: a link or special file planted where a notebook
        or its history goes (one line per refused path).

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A", "B"])
    >>> sorted({p.parent.name for p in write_team_notebooks(ws.path, ["B"])})
    ['b']
    """
    written = sync_team_notebooks(workshop_dir, slugs, on_team=on_team)
    refused = [w.refused for w in written if w.refused]
    if refused:
        raise safefs.UnsafePath("\n".join(refused))
    return [w.path for w in written]


def team_owner(root: Path, slug: str) -> tuple[tuple[int, int], int] | None:
    """Owner and folder mode of what is written for a team: those of its notebooks folder,
    else of its data folder (a new ``notebooks/<slug>`` on a hub is as closed as ``teams/<slug>``
    from its creation); ``None`` when neither can be opened without following a link.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp()); (root / "teams" / "a").mkdir(parents=True)
    >>> team_owner(root, "a")[0] == (os.getuid(), os.getgid())
    True
    """
    for rel in (Path(NOTEBOOKS_DIR) / slug, Path("teams") / slug):
        try:
            fd = safefs.open_dir(root, rel)
        except (OSError, safefs.UnsafePath):
            continue
        try:
            info = os.fstat(fd)
        finally:
            os.close(fd)
        return (info.st_uid, info.st_gid), stat.S_IMODE(info.st_mode)
    return None


def _write(root: Path, rel: Path, text: str, team: tuple[tuple[int, int], int] | None) -> bool:
    """Write ``root/rel`` unless it already holds ``text``; keep a differing old version."""
    old = safefs.read_bytes(root, rel, limit=MAX_NOTEBOOK_BYTES)
    if old == text.encode("utf-8"):
        return False
    owner, mode = team if team else (None, None)
    if old is not None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
        history = rel.parent / HISTORY_DIR / f"{stamp}.{rel.name}"
        safefs.write_bytes(root, history, old, owner=owner, dir_mode=mode)
    safefs.write_bytes(root, rel, text, owner=owner, dir_mode=mode)
    return True
