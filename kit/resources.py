"""Where the kit's shipped files are: participant notebooks, case datasets, exercises.

Every module asks here instead of walking up from its own source file, so the kit finds its
notebooks and cases the same way from a clone (editable install) and from ``pip install .``.

The repository keeps them in ``workshops/``, ``datasets/`` and ``exercises/``; the package
installs them as ``kit._workshops``, ``kit._datasets`` and ``kit._exercises`` (see ``setup.py``),
found with :func:`importlib.resources.files`. A checkout that is not installed at all (no such
package importable) falls back to the repository folders.

Examples
--------
>>> (workshops_dir() / "01_journey.ipynb").is_file()
True
>>> "laurie-hospitality" in cases()
True
"""

from __future__ import annotations

import functools
import os
from importlib import resources
from pathlib import Path

__all__ = [
    "DATASETS_ENV",
    "cases",
    "datasets_dir",
    "exercises_dir",
    "workshop_notebook",
    "workshops_dir",
]

DATASETS_ENV = "SERVEKIT_DATASETS"
_CHECKOUT = Path(__file__).resolve().parent.parent
_FOLDERS = {
    "workshops": "kit._workshops",
    "datasets": "kit._datasets",
    "exercises": "kit._exercises",
}


@functools.cache
def _folder(name: str) -> Path:
    """The installed data folder ``name`` (``workshops``, ``datasets``, ``exercises``)."""
    try:
        # The data folders have no __init__.py: files() gives a namespace MultiplexedPath, whose
        # str() is not a path; a child's parent is the real folder.
        found = Path(str(resources.files(_FOLDERS[name]) / "_")).parent
    except (ModuleNotFoundError, TypeError):
        found = None
    if found is not None and found.is_dir():
        return found
    return _CHECKOUT / name  # a checkout used without installing it


def workshops_dir() -> Path:
    """The folder of the kit's notebooks (``01_journey.ipynb`` …, ``10_team_report.ipynb``).

    Examples
    --------
    >>> (workshops_dir() / "10_team_report.ipynb").is_file()
    True
    """
    return _folder("workshops")


def workshop_notebook(name: str) -> Path:
    """One of the kit's notebooks by file name, e.g. ``"10_team_report.ipynb"``.

    Examples
    --------
    >>> workshop_notebook("10_team_report.ipynb").is_file()
    True
    """
    return workshops_dir() / name


def datasets_dir() -> Path:
    """Where the case datasets live: ``$SERVEKIT_DATASETS`` or the kit's own datasets.

    Examples
    --------
    >>> (datasets_dir() / "laurie-hospitality" / "case.yaml").is_file()
    True
    """
    env = os.environ.get(DATASETS_ENV)
    return Path(env) if env else _folder("datasets")


def cases() -> list[str]:
    """The names of every case dataset (folders with a ``case.yaml``), sorted.

    Examples
    --------
    >>> cases()[:1] == sorted(cases())[:1]
    True
    """
    root = datasets_dir()
    return sorted(p.parent.name for p in root.glob("*/case.yaml")) if root.is_dir() else []


def exercises_dir() -> Path:
    """The folder of the participant exercises (and ``solutions/``).

    Examples
    --------
    >>> (exercises_dir() / "solutions").is_dir()
    True
    """
    return _folder("exercises")
