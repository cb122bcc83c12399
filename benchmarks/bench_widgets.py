"""Benchmarks of the participant editors; prints one JSON line per benchmark.

``widget_edit_to_figure``
    A participant's edit in the journey editor with 60 touchpoints: set a control's value on a
    picked touchpoint, exactly as the browser does, and return once the workbook has validated
    it, saved it to disk (atomic write, fsync, history copy) and the FigureWidget has been
    updated in place. Median of 25 edits (after 3 warm-up edits). Runs in this process: the
    widget messages go to ipywidgets' no-kernel comm, so the browser's drawing is not included.
``notebook_ready``
    From a started, idle ``python3`` kernel to notebook 01 ready for input: every code cell of
    ``workshops/01_journey.ipynb`` executed (imports, opening the team, building the editor and
    the live blueprint), on a sample team.

Run: ``python benchmarks/bench_widgets.py`` (``make bench`` runs every benchmark).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOUCHPOINTS = 60
EDITS = 25
WARMUP = 3
BUDGET_MS = 50
BUDGET_S = 3


def _team_with(folder: Path, n: int) -> Path:
    """A valid team folder with ``n`` touchpoints over 6 stages."""
    lines = [
        "touchpoint_id,stage,order,time,description,channel,contact,role_id,emotion,moment_of_truth"
    ]
    for i in range(n):
        lines.append(
            f"T{i + 1:02d},Stage {i * 6 // n + 1},{i + 1},{7 + i * 15 // n:02d}:"
            f"{(i * 7) % 60:02d},Touchpoint number {i + 1} of the guest's day,phone,"
            f"{'direct' if i % 3 else 'indirect'},desk,{(i % 5) - 2},"
            f"{'true' if i % 9 == 0 else 'false'}"
        )
    folder.mkdir(parents=True)
    (folder / "journey.csv").write_text("\n".join(lines) + "\n")
    (folder / "roles.csv").write_text(
        "role_id,name,level,headcount\nguest,Guest,customer,\ndesk,Front desk,frontline,6\n"
    )
    (folder / "serves.csv").write_text("from_role,to_role\ndesk,guest\n")
    (folder / "team.yaml").write_text("name: Bench team\nmembers: [A]\n")
    return folder


def bench_edit_to_figure() -> dict:
    from kit.figures.journey import journey_map
    from kit.store.workbook import Workbook
    from kit.widgets import JourneyEditor

    folder = _team_with(Path(tempfile.mkdtemp()) / "ws" / "teams" / "bench", TOUCHPOINTS)
    editor = JourneyEditor(Workbook.load(folder))
    figure = editor.figure
    timings = []
    last = ""
    for i in range(WARMUP + EDITS):
        editor.picker.value = f"T{(i % TOUCHPOINTS) + 1:02d}"
        started = time.perf_counter()
        if i % 2:
            editor.emotion.value = 2 if editor.emotion.value != 2 else -2  # moves a point
        else:
            last = editor.description.value = f"Edited description {i}"
        elapsed = time.perf_counter() - started
        assert editor.figure is figure and "saved" in editor.status.value
        if i >= WARMUP:
            timings.append(elapsed)
    on_disk = Workbook.load(folder)["journey"]
    assert (on_disk["description"] == last).any()  # the edits really reached the disk
    figure_only = []
    for _ in range(10):
        started = time.perf_counter()
        journey_map(on_disk)
        figure_only.append(time.perf_counter() - started)
    return {
        "bench": "widget_edit_to_figure",
        "touchpoints": TOUCHPOINTS,
        "edits": EDITS,
        "median_ms": round(statistics.median(timings) * 1000, 1),
        "p90_ms": round(sorted(timings)[int(0.9 * len(timings))] * 1000, 1),
        "journey_map_median_ms": round(statistics.median(figure_only) * 1000, 1),
        "budget_ms": BUDGET_MS,
    }


def bench_notebook_ready() -> dict:
    import nbformat
    from jupyter_client.manager import start_new_kernel

    from kit.store.workshop import create_demo

    demo = create_demo(Path(tempfile.mkdtemp()) / "demo").path
    nb = nbformat.read(ROOT / "workshops" / "01_journey.ipynb", as_version=4)
    cells = [c.source for c in nb.cells if c.cell_type == "code"]
    cells[0] = f"workshop_dir = {str(demo)!r}\nteam = 'front-desk-friends'"  # the parameters
    km, kc = start_new_kernel(kernel_name="python3", cwd=str(ROOT / "workshops"))
    try:
        kc.wait_for_ready(timeout=60)
        started = time.perf_counter()
        for source in cells:
            reply = kc.execute_interactive(source, timeout=120, output_hook=lambda msg: None)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"cell failed: {reply['content']}")
        seconds = time.perf_counter() - started
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return {
        "bench": "notebook_ready",
        "notebook": "01_journey.ipynb",
        "seconds": round(seconds, 2),
        "budget_s": BUDGET_S,
    }


def main() -> int:
    results = [bench_edit_to_figure(), bench_notebook_ready()]
    for result in results:
        print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
