"""Helpers for the tests and benchmarks (as ``pandas._testing`` is for pandas); the kit never
imports this module.

* :func:`write_big_team` — a large synthetic team (hundreds of touchpoints) for load tests;
* :func:`team_parameters` — the parameters papermill injected into a team notebook;
* :func:`external_references` — what a page would fetch from the network (offline checks);
* :func:`copied_runs` — phrases a text copies from the source texts (it must paraphrase them).

The big team is built from the sample team ``front-desk-friends`` of the Laurie Hospitality case
(its roles and serves are kept) with ``touchpoints`` touchpoints spread over the case's stages,
scores from four scorers, needs, and a plan, all drawn from a :class:`random.Random` with a fixed
seed, so the same call always writes the same files. It is what a facilitator meets when a team
maps a whole hotel stay in detail (issue 16: a 500-touchpoint team).

Examples
--------
>>> import tempfile
>>> from kit.store.workbook import Workbook
>>> team = write_big_team(Path(tempfile.mkdtemp()) / "big", touchpoints=120)
>>> wb = Workbook.load(team)
>>> len(wb["journey"]), wb["journey"]["stage"].nunique(), len(wb["scores"]) == 4 * 120
(120, 8, True)
"""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import nbformat

from kit.resources import datasets_dir
from kit.store.csvio import atomic_write, csv_text, read_csv
from kit.store.schema import TABLES

__all__ = [
    "RUN_WORDS",
    "copied_runs",
    "external_references",
    "runs",
    "stop_group",
    "team_parameters",
    "words",
    "write_big_team",
]

STAGES = [
    "Planning & booking",
    "Arrival",
    "Check-in",
    "Room",
    "Restaurant",
    "Spa & leisure",
    "Check-out",
    "After the stay",
]
VERBS = [
    "Asks",
    "Waits",
    "Checks",
    "Finds",
    "Books",
    "Calls",
    "Receives",
    "Reads",
    "Pays",
    "Complains",
    "Thanks",
    "Looks for",
]
THINGS = [
    "the room key",
    "the wifi code",
    "a late checkout",
    "the invoice",
    "a taxi",
    "breakfast times",
    "a quiet room",
    "the parking",
    "extra towels",
    "the spa menu",
]
SCORERS = ["Priya", "Marco", "Aisha", "Tom"]
SOURCE_TEAM = "front-desk-friends"


def write_big_team(
    folder: Path | str, touchpoints: int = 500, seed: int = 16, case: str = "laurie-hospitality"
) -> Path:
    """Write a valid team with ``touchpoints`` touchpoints into ``folder`` (made if missing).

    Parameters
    ----------
    folder : path-like
        The team folder to write (files in it are replaced).
    touchpoints : int
        How many touchpoints (at least 1).
    seed : int
        Seed of the random choices: the same seed gives the same files.
    case : str
        The case whose sample team gives the roles and serves.

    Returns
    -------
    Path
        ``folder``.
    """
    rng = random.Random(seed)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    source = datasets_dir() / case / "teams" / SOURCE_TEAM
    for name in ("roles.csv", "serves.csv"):
        shutil.copyfile(source / name, folder / name)
    roles = read_csv(source / "roles.csv")
    staff = [r[0] for r in roles.records if r[2] != "customer"]
    atomic_write(
        folder / "team.yaml",
        f"name: Big team ({touchpoints} touchpoints)\nmembers: [{', '.join(SCORERS)}]\n",
    )
    journey, scores, needs, plan = [], [], [], []
    per_stage = max(1, -(-touchpoints // len(STAGES)))
    for n in range(1, touchpoints + 1):
        tid = f"T{n:03d}"
        stage = STAGES[min((n - 1) // per_stage, len(STAGES) - 1)]
        contact = rng.choice(["direct", "direct", "indirect"])
        journey.append(
            [
                tid,
                stage,
                str(n),
                f"{7 + n * 14 // touchpoints:02d}:{rng.randrange(60):02d}",
                f"{rng.choice(VERBS)} {rng.choice(THINGS)} ({tid})",
                rng.choice(["face to face", "phone", "web", "app"]),
                contact,
                rng.choice(staff),
                str(rng.randint(-2, 2)),
                "true" if rng.random() < 0.05 else "false",
            ]
        )
        for scorer in SCORERS:
            scores.append(
                [
                    tid,
                    scorer,
                    str(rng.randint(1, 5)),
                    str(rng.randint(1, 5)),
                    str(rng.randint(1, 5)),
                    str(rng.randint(1, 5)),
                    str(rng.randint(1, 5)),
                ]
            )
        if rng.random() < 0.5:
            needs.append(
                [
                    tid,
                    rng.choice(["be", "do", "have"]),
                    f"Support to handle {rng.choice(THINGS)}",
                    rng.choice(staff),
                ]
            )
    for a, tid in enumerate(rng.sample([j[0] for j in journey], min(12, touchpoints)), start=1):
        plan.append(
            [
                f"A{a}",
                tid,
                rng.choice(["be", "do", "have"]),
                f"Fix {rng.choice(THINGS)} at {tid}",
                rng.choice(staff),
                f"2026-0{rng.randint(3, 9)}-15",
                "complaints per week",
                str(rng.randint(10, 20)),
                str(rng.randint(1, 9)),
            ]
        )
    tables = {"journey": journey, "scores": scores, "needs": needs, "plan": plan}
    for name, records in tables.items():  # records in the schema's column order
        atomic_write(folder / TABLES[name].filename, csv_text(TABLES[name].columns, records))
    return folder


def team_parameters(path: Path | str) -> dict[str, Any]:
    """The parameters papermill injected into a team notebook (``{}`` when none).

    Examples
    --------
    >>> from kit.resources import workshop_notebook
    >>> team_parameters(workshop_notebook("01_journey.ipynb"))
    {}
    """
    nb = nbformat.read(str(path), as_version=4)
    return dict(nb.metadata.get("papermill", {}).get("parameters", {}))


# ---------------------------------------------------------------------------------------------
# offline pages

_EXTERNAL = re.compile(
    r"""<(?:script|link|img|iframe|source|embed)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*((?:https?:)?//[^"'\s>]+)""",
    re.IGNORECASE,
)
_CSS_IMPORT = re.compile(r"""@import\s+(?:url\()?["']?((?:https?:)?//[^"')\s]+)""", re.IGNORECASE)


def external_references(page: str) -> list[str]:
    """URLs a page would fetch from the network (script, link, img … sources; CSS imports).

    Examples
    --------
    >>> external_references('<script src="https://cdn.example/x.js"></script><p>https://ok</p>')
    ['https://cdn.example/x.js']
    """
    return _EXTERNAL.findall(page) + _CSS_IMPORT.findall(page)


# ---------------------------------------------------------------------------------------------
# copied runs: the kit paraphrases its sources and never copies 8 words in a row

RUN_WORDS = 8
"""A run of this many words in a row, found in a source text, counts as copied."""

_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc`]")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def words(text: str) -> list[str]:
    """The words of ``text`` with case, accents, apostrophes, punctuation and spacing ignored.

    Examples
    --------
    >>> words("You’re  NOT serving—customers, directly!")
    ['youre', 'not', 'serving', 'customers', 'directly']
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return [w for w in _NOT_WORD.split(_APOSTROPHES.sub("", text)) if w]


def runs(text: str, n: int = RUN_WORDS) -> set[tuple[str, ...]]:
    """Every run of ``n`` consecutive words of ``text`` (see :func:`words`).

    Examples
    --------
    >>> sorted(runs("a b c d", 3))
    [('a', 'b', 'c'), ('b', 'c', 'd')]
    """
    w = words(text)
    return {tuple(w[i : i + n]) for i in range(len(w) - n + 1)}


def copied_runs(text: str, sources: Iterable[str], n: int = RUN_WORDS) -> list[str]:
    """The runs of ``n`` words that ``text`` shares with any of ``sources``, as phrases.

    Overlapping runs are merged, so one copied sentence is reported once, whole.

    Examples
    --------
    >>> seed = "The quick brown fox jumps over the lazy dog near the river bank today."
    >>> copied_runs("Look: the QUICK brown fox jumps over the lazy dog, twice.", [seed])
    ['the quick brown fox jumps over the lazy dog']
    >>> copied_runs("A quick brown fox leapt over a lazy dog.", [seed])
    []
    """
    known: set[tuple[str, ...]] = set()
    for source in sources:
        known |= runs(source, n)
    w = words(text)
    hits = [i for i in range(len(w) - n + 1) if tuple(w[i : i + n]) in known]
    phrases, start, end = [], None, -1
    for i in hits:
        if start is not None and i <= end:
            end = i + n
            continue
        if start is not None:
            phrases.append(" ".join(w[start:end]))
        start, end = i, i + n
    if start is not None:
        phrases.append(" ".join(w[start:end]))
    return phrases


def stop_group(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a server started with ``start_new_session=True`` and everything it started (its
    kernels): ``SIGTERM`` to the process group, ``SIGKILL`` after ``timeout`` seconds.

    Examples
    --------
    >>> import sys
    >>> server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
    ...                           start_new_session=True)
    >>> stop_group(server)
    >>> server.returncode == -signal.SIGTERM
    True
    """
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
