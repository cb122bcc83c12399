"""A large synthetic team (hundreds of touchpoints) for load tests and benchmarks.

The team is built from the sample team ``front-desk-friends`` of the Laurie Hospitality case
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

import random
import shutil
from pathlib import Path

from kit.resources import datasets_dir
from kit.store.csvio import atomic_write, csv_text, read_csv
from kit.store.schema import TABLES

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
