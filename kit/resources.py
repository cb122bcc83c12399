"""Where the kit's shipped files are: participant notebooks, case datasets, exercises.

Every module asks here instead of walking up from its own source file, so the kit finds its
notebooks and cases the same way from a clone (editable install) and from ``pip install .``.

Examples
--------
>>> (workshops_dir() / "01_journey.ipynb").is_file()
True
>>> "laurie-hospitality" in cases()
True
"""

from __future__ import annotations

import os
from pathlib import Path

DATASETS_ENV = "SERVEKIT_DATASETS"
_REPO = Path(__file__).resolve().parent.parent


def workshops_dir() -> Path:
    """The folder of the kit's notebooks (``01_journey.ipynb`` …, ``10_team_report.ipynb``).

    Examples
    --------
    >>> workshops_dir().name
    'workshops'
    """
    return _REPO / "workshops"


def workshop_notebook(name: str) -> Path:
    """One of the kit's notebooks by file name, e.g. ``"10_team_report.ipynb"``.

    Examples
    --------
    >>> workshop_notebook("10_team_report.ipynb").is_file()
    True
    """
    return workshops_dir() / name


def datasets_dir() -> Path:
    """Where the case datasets live: ``$SERVEKIT_DATASETS`` or the kit's own ``datasets/``.

    Examples
    --------
    >>> (datasets_dir() / "laurie-hospitality" / "case.yaml").is_file()
    True
    """
    env = os.environ.get(DATASETS_ENV)
    return Path(env) if env else _REPO / "datasets"


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
    >>> exercises_dir().name
    'exercises'
    """
    return _REPO / "exercises"
