"""``servekit status``: how far every team has got, for the facilitator.

Only the teams whose files changed since the last look are read again
(:class:`kit.room.status.ProgressReader`, its cache in ``<workshop>/.servekit/status.json``).

The table fits an 80-column terminal: one column per step, each cell the step's mark and the
count that step is about (touchpoints, roles, needs, scorers, actions). Under it, each team with a
started ("…") step gets a line naming what is missing ("score 3 more touchpoints"). ``--watch`` redraws it
in place every few seconds (or prints a fresh table each time when the output is not a terminal,
so it can be logged).
"""

from __future__ import annotations

import signal
import time
from pathlib import Path
from typing import Any

import click

__all__ = ["status"]

MARKS = {"done": ("✓", "green"), "started": ("…", "yellow"), "not started": ("–", "dim")}
# step -> the count shown beside its mark
COUNTS = {
    "journey": "touchpoints",
    "pyramid": "roles",
    "needs": "need_items",
    "scores": "scorers",
    "plan": "actions",
}
CAPTION = "✓ done  … started  – to do · counts: touchpoints/roles/needs/scorers/actions"


def _frame(directory: Path, reader: Any = None) -> Any:
    from kit.room.status import ProgressReader

    frame = (reader or ProgressReader(directory)).frame()
    if frame.empty:
        raise click.ClickException(
            f"no teams in {directory}/teams; create some with 'servekit new'"
        )
    return frame


def progress_table(directory: Path, width: int = 80, frame: Any = None) -> Any:
    """The status table of the workshop in ``directory`` as a :class:`rich.table.Table`.

    Parameters
    ----------
    directory : pathlib.Path
        A workshop folder, shown as given (never made absolute).
    width : int
        The terminal's width: team names longer than what is left beside the step columns end
        in "…" (at least 24 characters are always shown).
    frame : pandas.DataFrame, optional
        The workshop's :func:`kit.analyses.progress.team_progress` (default: read through a
        new :class:`kit.room.status.ProgressReader`, which reads only the teams changed since
        the workshop's status cache was written).

    Returns
    -------
    rich.table.Table
        One row per team; raises :class:`click.ClickException` when there are no teams.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue"])
    >>> table = progress_table(ws.path)
    >>> [c.header for c in table.columns][:3], table.row_count
    (['team', 'journey', 'pyramid'], 1)
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text  # team names are data: Text() never reads them as markup

    from kit.analyses.progress import STEPS
    from kit.store.terminal import printable

    frame = _frame(directory) if frame is None else frame
    when = time.strftime("%H:%M:%S")
    view = Table(
        title=f"{directory} · {len(frame)} team(s) · {when}",
        caption=CAPTION,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        title_justify="left",
        caption_justify="left",
    )
    view.add_column("team", overflow="ellipsis", no_wrap=True, max_width=max(24, width - 56))
    for step in STEPS:
        view.add_column(step, justify="left", no_wrap=True, min_width=len(step))
    view.add_column("errors", justify="right", no_wrap=True, min_width=6)
    for row in frame.to_dict("records"):
        cells = []
        for step in STEPS:
            mark, style = MARKS[row[step]]
            cells.append(Text(f"{mark} {row[COUNTS[step]]}", style=style))
        errors = row["errors"]
        cells.append(Text(str(errors), style="red" if errors else ""))
        view.add_row(Text(printable(row["name"])), *cells)  # no bidi or control reaches the screen
    return view


def still_to_do(frame: Any, width: int = 80) -> Any:
    """What each team's started ("…") steps still lack, one team a line, wrapped to ``width``.

    Returns
    -------
    rich.console.RenderableType or None
        A heading and one line per team with a started step (``None`` when there is none).

    Examples
    --------
    >>> import pandas as pd
    >>> from rich.console import Console
    >>> frame = pd.DataFrame({"name": ["Blue", "Red"],
    ...                       "unfinished": [["score 3 more touchpoints"], []]})
    >>> Console(width=60).print(still_to_do(frame, 60))
    Still to do in the steps marked …:
      Blue  score 3 more touchpoints
    """
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from kit.store.terminal import printable

    rows = [(r["name"], r["unfinished"]) for r in frame.to_dict("records") if r["unfinished"]]
    if not rows:
        return None
    grid = Table.grid(padding=(0, 2), pad_edge=False)
    grid.add_column(overflow="ellipsis", no_wrap=True, max_width=max(12, width // 4))
    grid.add_column(overflow="fold")
    for name, todo in rows:
        grid.add_row(Text("  " + printable(name)), Text("; ".join(todo)))
    return Group(Text("Still to do in the steps marked …:"), grid)


def _view(directory: Path, width: int, reader: Any = None) -> Any:
    """The table, then what the started steps still lack (``--watch`` keeps one ``reader``)."""
    from rich.console import Group

    frame = _frame(directory, reader)
    todo = still_to_do(frame, width)
    table = progress_table(directory, width, frame)
    return table if todo is None else Group(table, "", todo)


@click.command("status")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--watch", is_flag=True, help="Keep the table on screen, refreshed from disk.")
@click.option(
    "--interval",
    type=click.FloatRange(0.2, 3600),
    default=5.0,
    show_default=True,
    metavar="SECONDS",
    help="With --watch: seconds between refreshes.",
)
def status(directory: Path, watch: bool, interval: float) -> None:
    """Show how far every team in a workshop has got (for the facilitator).

    \b
    Examples:
      servekit status my-workshop
      servekit status my-workshop --watch --interval 10     (Ctrl-C to stop)
    """
    from rich.console import Console

    from kit.room.status import ProgressReader

    console = Console(highlight=False)
    reader = ProgressReader(directory)  # each refresh reads only the teams saved since the last
    if not watch:
        console.print(_view(directory, console.width, reader))
        return
    stopping: list[int] = []

    def _term(signum: int, frame: object) -> None:  # a flag, never an exception mid-redraw
        stopping.append(signum)

    def _wait() -> bool:
        """Sleep ``interval`` in short steps; ``True`` once SIGTERM asked to stop."""
        end = time.monotonic() + interval
        while not stopping and time.monotonic() < end:
            time.sleep(min(0.05, max(end - time.monotonic(), 0)))
        return bool(stopping)

    # SIGTERM raised as an exception could land inside rich's redraw and leave the cursor
    # hidden (its output buffered for ever): the loop ends at the next step instead, and the
    # screen is put back by Live's own exit.
    previous = signal.signal(signal.SIGTERM, _term)
    try:
        if console.is_terminal:
            from rich.live import Live

            table = _view(directory, console.width, reader)
            with Live(table, console=console, auto_refresh=False) as live:
                while not _wait():
                    live.update(_view(directory, console.width, reader), refresh=True)
        else:
            while True:
                console.print(_view(directory, console.width, reader))
                console.file.flush()
                if _wait():
                    break
    except KeyboardInterrupt:
        console.print("stopped watching")
    finally:
        signal.signal(signal.SIGTERM, previous)
    if stopping:
        raise SystemExit(128 + stopping[0])
