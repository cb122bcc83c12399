"""Benchmark: the whole ``servekit import-orgchart`` call on the DWP organogram (≈2.4k rows).

Times the command as a user runs it — a fresh process that imports the kit, reads both CSV
files, flips the chart, runs the chain check and writes ``roles.csv``/``serves.csv`` — and
prints one JSON line::

    {"bench": "orgchart_dwp", "seconds": 1.3, "rows": 2384, "fte": 89118.31, "budget_s": 3.0, ...}

``seconds`` is the median of ``--repeat`` runs (default 3). Uses ``.venv/bin/servekit`` when
installed, else ``python -m kit``. Prints a JSON note and exits 0 when the real data (the
``shared/realdata`` folder beside the repository) is absent; exits 1 when the command fails or,
with ``--strict``, when the median is over budget.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "realdata" / "organograms"
STEM = "clean-version-of-DWP-September-2013"
BUDGET_S = 3.0


def command() -> list[str]:
    script = ROOT / ".venv" / "bin" / "servekit"
    if script.exists():
        return [str(script)]
    python = ROOT / ".venv" / "bin" / "python"
    return [str(python if python.exists() else Path(sys.executable)), "-m", "kit"]


def file_totals(senior: Path, junior: Path) -> tuple[int, float]:
    """Data rows and FTE of the two files, read with the csv module (independent of the kit)."""
    rows, fte = 0, 0.0
    for path, column in ((senior, "FTE"), (junior, "Number of Posts in FTE")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for record in csv.DictReader(handle):
                rows += 1
                fte += float(record[column] or 0)
    return rows, round(fte, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--strict", action="store_true", help="exit 1 when over budget")
    args = parser.parse_args()

    senior, junior = DATA / f"{STEM}-senior.csv", DATA / f"{STEM}-junior.csv"
    if not (senior.exists() and junior.exists()):
        print(
            json.dumps(
                {
                    "bench": "orgchart_dwp",
                    "skipped": True,
                    "note": f"real data not found at {DATA}",
                    "budget_s": BUDGET_S,
                }
            )
        )
        return 0
    rows, fte = file_totals(senior, junior)
    out = Path(tempfile.mkdtemp(prefix="bench_orgchart_"))
    cmd = [
        *command(),
        "import-orgchart",
        str(senior),
        str(junior),
        "--out",
        str(out / "dwp"),
        "--force",
    ]
    times = []
    try:
        for _ in range(max(args.repeat, 1)):
            start = time.perf_counter()
            result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            times.append(time.perf_counter() - start)
            if result.returncode != 0:
                print(
                    json.dumps(
                        {"bench": "orgchart_dwp", "error": result.stderr[-2000:], "command": cmd}
                    )
                )
                return 1
    finally:
        shutil.rmtree(out, ignore_errors=True)
    seconds = statistics.median(times)
    print(
        json.dumps(
            {
                "bench": "orgchart_dwp",
                "seconds": round(seconds, 3),
                "rows": rows,
                "fte": fte,
                "budget_s": BUDGET_S,
                "within_budget": seconds <= BUDGET_S,
                "runs": [round(t, 3) for t in times],
                "command": " ".join(command()),
            }
        )
    )
    return 1 if args.strict and seconds > BUDGET_S else 0


if __name__ == "__main__":
    sys.exit(main())
