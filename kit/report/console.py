"""The batch on the terminal: a progress bar while it runs, a table and what failed after.

Every piece of user text (team names, problems) goes through :func:`rich.markup.escape`.

Examples
--------
>>> shown(None)
'—'
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from kit.report.models import Status, Summary, TeamResult

__all__ = [
    "COLOURS",
    "make_console",
    "print_summary",
    "progress_bar",
    "shown",
    "steps_bar",
]

COLOURS = {
    Status.OK: "green",
    Status.UNCHANGED: "cyan",
    Status.INVALID: "red",
    Status.FAILED: "red",
}


def _shown_text(text: object) -> str:
    """User text for the terminal: control characters escaped, then rich markup escaped."""
    from rich.markup import escape

    from kit.store.terminal import printable

    return escape(printable(str(text)))


def make_console() -> Any:
    """A rich console on standard error."""
    from rich.console import Console

    return Console(stderr=True)


@contextlib.contextmanager
def steps_bar(
    enabled: bool, total: int, console: Any, label: str, start: str = ""
) -> Iterator[Callable[..., None]]:
    """A rich progress bar of ``total`` steps; yields ``advance(text, ok=None)``: one step done.

    ``text`` (user text: escaped here) is shown beside the bar, after a green ✓ when ``ok`` is
    true, a red ✗ when it is false and nothing when it is ``None``. ``start`` is shown until the
    first step. ``servekit new`` counts teams with it, the report batch finished reports.

    Examples
    --------
    >>> from rich.console import Console
    >>> with steps_bar(True, 2, Console(width=60), "Teams") as advance:  # doctest: +ELLIPSIS
    ...     advance("Blue")
    ...     advance("[b]Gold", ok=True)
      Teams ━...━ 2/2 0:00:0... ✓ [b]Gold
    >>> with steps_bar(False, 3, None, "Teams") as advance:   # disabled: advance does nothing
    ...     advance("Blue")
    """
    if not enabled:
        yield lambda text, ok=None: None
        return
    from rich.markup import escape as rich_escape
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    with Progress(
        SpinnerColumn(),
        TextColumn(f"[bold]{rich_escape(label)}[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(rich_escape(start), total=total)

        def advance(text: object, ok: bool | None = None) -> None:
            mark = "" if ok is None else "[green]✓[/] " if ok else "[red]✗[/] "
            bar.update(task, advance=1, description=f"{mark}{_shown_text(text)}")

        yield advance


@contextlib.contextmanager
def progress_bar(
    enabled: bool, total: int, console: Any, label: str = "Reports"
) -> Iterator[Callable[[TeamResult], None]]:
    """A rich progress bar; yields a callback that advances it by one finished team.

    Examples
    --------
    >>> with progress_bar(False, 3, None) as advance:
    ...     advance(TeamResult(slug="a", name="A", status="ok"))
    """
    with steps_bar(enabled, total, console, label, start="starting kernels…") as step:
        yield lambda result: step(result.name, result.ok)


def shown(path: Path | None) -> str:
    """``path`` relative to the working directory when inside it, else absolute."""
    if path is None:
        return "—"
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def print_summary(summary: Summary, console: Any, command: str = "report") -> None:
    """Print the final table: team, status, time, output; then the index and what failed.

    Examples
    --------
    >>> from rich.console import Console
    >>> s = Summary(workshop=Path("w"), out=Path("o"), seconds=2.0, results=[
    ...     TeamResult(slug="a", name="A", status="ok", seconds=1.5, html="a.html")])
    >>> print_summary(s, Console(width=60, color_system=None))   # doctest: +NORMALIZE_WHITESPACE
    servekit report
    ┏━━━━━━┳━━━━━━━━┳━━━━━━━┳━━━━━━━━━━┓
    ┃ Team ┃ Status ┃  Time ┃ Output   ┃
    ┡━━━━━━╇━━━━━━━━╇━━━━━━━╇━━━━━━━━━━┩
    │ A    │ ok     │ 1.5 s │ o/a.html │
    └──────┴────────┴───────┴──────────┘
    1 built, 0 unchanged, 0 failed in 2.0 s. Index: —
    """
    from rich.markup import escape as rich_escape
    from rich.table import Table

    table = Table(title=f"servekit {command}", title_justify="left", show_lines=False)
    table.add_column("Team")
    table.add_column("Status")
    table.add_column("Time", justify="right")
    table.add_column("Output")
    for r in summary.results:
        files = [shown(summary.out / f) for f in (r.html, r.pdf) if f]
        table.add_row(
            _shown_text(r.name),
            f"[{COLOURS.get(r.status, 'red')}]{rich_escape(str(r.status))}[/]",
            f"{r.seconds:.1f} s" if r.status != Status.UNCHANGED else "—",
            rich_escape(", ".join(files) or "—"),
        )
    console.print(table)
    console.print(
        f"{summary.count(Status.OK)} built, {summary.count(Status.UNCHANGED)} "
        f"unchanged, {len(summary.failed)} failed in {summary.seconds:.1f} s. "
        f"Index: {rich_escape(shown(summary.index))}"
    )
    for r in summary.failed:
        console.print(f"[red]✗ {_shown_text(r.name)}[/]: {_shown_text(r.problem)}")
        for line in r.details[:10]:
            console.print(f"    {_shown_text(line)}")
        if r.fix:
            console.print(f"  [bold]Fix:[/] {_shown_text(r.fix)}")
