"""The exercises a case's agendas schedule, copied into the workshop so every team can open them.

JupyterLab is rooted at the workshop folder, so an exercise the run sheet names must be inside
it. :func:`write_exercises` puts

- the kit's exercise and its worked solution in ``exercises/`` and ``exercises/solutions/`` of the
  workshop, **read-only** (mode 0444): the facilitator's reference, which no team can change;
- each team's own working copy in ``notebooks/<slug>/exercises/``, beside the team's notebooks
  (so a pack carries it and ``collect`` brings it back). A team's copy holds its answers and is
  never overwritten: it is written only when it is missing.

The exercises import the kit (``from kit.exercises import check, data``) and find their data
there, so they run from any folder. Which exercises: every ``exercise`` named by any agenda of
the workshop's case (:func:`scheduled_exercises`).

Examples
--------
>>> scheduled_exercises("laurie-hospitality")
['03_fix_the_chain', '05_be_do_have', '04_top_gaps']
>>> import tempfile
>>> from kit.store.workshop import create_workshop
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue"])
>>> paths = [p.relative_to(ws.path).as_posix() for p in write_exercises(ws.path)]
>>> paths[:2], paths[-3:]  # the reference copies, then each team's own
(['exercises/03_fix_the_chain.ipynb', 'exercises/solutions/03_fix_the_chain.ipynb'], ['notebooks/blue/exercises/03_fix_the_chain.ipynb', 'notebooks/blue/exercises/05_be_do_have.ipynb', 'notebooks/blue/exercises/04_top_gaps.ipynb'])
>>> write_exercises(ws.path)  # everything already there: nothing written
[]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

from kit.exceptions import WorkshopError
from kit.resources import exercises_dir
from kit.room.agenda import load_agendas
from kit.room.navigation import notebook_title
from kit.room.teamnotebooks import NOTEBOOKS_DIR, team_owner
from kit.store import safefs
from kit.store.csvio import atomic_write
from kit.store.workshop import Workshop, is_workshop

__all__ = [
    "EXERCISES_DIR",
    "READ_ONLY",
    "exercise_titles",
    "scheduled_exercises",
    "team_exercise_dir",
    "write_exercises",
]

EXERCISES_DIR = "exercises"
SOLUTIONS_DIR = "solutions"
READ_ONLY = 0o444
"""Mode of the workshop's reference copies (teams work in their own copies)."""


def scheduled_exercises(case: str) -> list[str]:
    """The exercise stems any agenda of ``case`` schedules, in order of first appearance.

    Examples
    --------
    >>> scheduled_exercises("laurie-hospitality")[:1]
    ['03_fix_the_chain']
    """
    seen: list[str] = []
    for agenda in load_agendas(case).root.values():
        for block in agenda.blocks:
            if block.exercise and block.exercise not in seen:
                seen.append(block.exercise)
    return seen


def exercise_titles(stems: Iterable[str]) -> dict[str, str]:
    """Each exercise's title (its first heading), by stem.

    Examples
    --------
    >>> exercise_titles(["03_fix_the_chain"])
    {'03_fix_the_chain': 'Exercise 03: Fix a broken service chain'}
    """
    return {s: notebook_title(exercises_dir() / f"{s}.ipynb") for s in stems}


def team_exercise_dir(workshop_dir: Path | str, slug: str) -> Path:
    """Where a team's own exercise copies live: ``notebooks/<slug>/exercises``.

    Examples
    --------
    >>> team_exercise_dir("w", "blue").as_posix()
    'w/notebooks/blue/exercises'
    """
    return Path(workshop_dir) / "notebooks" / slug / EXERCISES_DIR


def _reference(source: Path, target: Path) -> bool:
    """Write a read-only reference copy unless it already holds the kit's text."""
    data = source.read_bytes()
    if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
        return False
    if target.is_symlink():
        target.unlink()
    atomic_write(target, data)
    os.chmod(target, READ_ONLY)
    return True


def write_exercises(
    workshop_dir: Path | str,
    slugs: Iterable[str] | None = None,
    on_team: Callable[[str], None] | None = None,
) -> list[Path]:
    """Copy the scheduled exercises into the workshop; return the files written now.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder (its ``workshop.yaml`` names the case).
    slugs : iterable of str, optional
        Teams whose own copies to write (default every team).
    on_team : callable, optional
        Called with each team's slug once its copies are written (a progress bar).

    Raises
    ------
    kit.exceptions.WorkshopError
        Not a workshop folder, or an unknown team.
    kit.exceptions.UnsafePath
        A team's copy would go through a link or onto a special file: refused and named, after
        every other copy is written.
    """
    root = Path(workshop_dir)
    if not is_workshop(root):
        raise WorkshopError(
            f"{root} is not a workshop folder (no workshop.yaml and no teams/ "
            f"folder); expected a folder made by 'servekit new'"
        )
    workshop = Workshop(root)
    case = str(workshop.info.get("case") or "laurie-hospitality")
    teams = (
        [t.slug for t in workshop.teams()]
        if slugs is None
        else [workshop.team(s).slug for s in slugs]
    )
    written: list[Path] = []
    refused: list[str] = []
    stems = scheduled_exercises(case)
    for stem in stems:
        name = f"{stem}.ipynb"
        for src, target in (
            (exercises_dir() / name, root / EXERCISES_DIR / name),
            (exercises_dir() / SOLUTIONS_DIR / name, root / EXERCISES_DIR / SOLUTIONS_DIR / name),
        ):
            if src.is_file() and _reference(src, target):
                written.append(target)
    sources = {stem: (exercises_dir() / f"{stem}.ipynb").read_bytes() for stem in stems}
    for slug in teams:
        for stem, data in sources.items():
            rel = Path(NOTEBOOKS_DIR) / slug / EXERCISES_DIR / f"{stem}.ipynb"
            if safefs.is_regular(root, rel):  # a team's answers stay
                continue
            try:  # a team's folder: never through a link or into a FIFO (root may run this)
                owner, mode = team_owner(root, slug) or (None, None)
                safefs.write_bytes(root, rel, data, owner=owner, dir_mode=mode)
            except safefs.UnsafePath as exc:
                refused.append(str(exc))
                continue
            written.append(root / rel)
        if on_team is not None:
            on_team(slug)
    if refused:
        raise safefs.UnsafePath("\n".join(dict.fromkeys(refused)))  # one line per path
    return written
