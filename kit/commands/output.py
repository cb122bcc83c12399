"""How every ``servekit`` command prints the kit's problems (one printer for all commands).

Problems go to standard output (so ``servekit validate DIR > problems.txt`` keeps them), the
one-line summary to standard error, and no control character of the user's text ever reaches
the terminal raw (:func:`kit.store.terminal.printable`).
"""

from __future__ import annotations

import click

from kit.store.problems import Problem, errors
from kit.store.terminal import printable

__all__ = ["print_problems", "problem_line"]


def problem_line(problem: Problem, *, tag: bool = False) -> str:
    """One problem as a terminal line: ``path:row:column: message``, control characters escaped.

    Parameters
    ----------
    problem : Problem
        The problem to show.
    tag : bool
        Start error lines with ``error:`` (commands that also print other output use it).

    Examples
    --------
    >>> problem_line(Problem("roles.csv", 3, "name", "Bad" + chr(27) + "[31m"), tag=True)
    'error: roles.csv:3:name: Bad\\\\x1b[31m'
    """
    text = printable(str(problem))
    return f"error: {text}" if tag and problem.is_error else text


def print_problems(
    problems: list[Problem],
    *,
    quiet_ok: bool = False,
    tag: bool = False,
    most: int | None = None,
    summary: str | None = None,
    most_errors: int | None = None,
) -> int:
    """Print problems (errors first, then at most ``most`` warnings) and a one-line summary.

    Parameters
    ----------
    problems : list of Problem
        What a check found.
    quiet_ok : bool
        Print no summary when there is nothing to report.
    tag : bool
        Start error lines with ``error:``.
    most : int, optional
        Show at most this many warnings, then "… and N more warning(s)".
    summary : str, optional
        The summary line instead of "N error(s), M warning(s)"; ``{errors}`` is replaced by the
        number of errors.
    most_errors : int, optional
        Show at most this many errors, then "… and N more error(s)" (a million-row sheet must
        not print a million lines).

    Returns
    -------
    int
        The number of errors.

    Examples
    --------
    >>> print_problems([Problem("journey.csv", 2, "order", "not a number")])
    journey.csv:2:order: not a number
    1
    """
    found = errors(problems)
    warnings = [p for p in problems if not p.is_error]
    for problem in found if most_errors is None else found[:most_errors]:
        click.secho(problem_line(problem, tag=tag), fg="red")
    if most_errors is not None and len(found) > most_errors:
        click.secho(f"… and {len(found) - most_errors} more error(s)", fg="red")
    shown = warnings if most is None else warnings[:most]
    for problem in shown:
        click.secho(problem_line(problem), fg="yellow")
    if len(shown) < len(warnings):
        click.secho(f"… and {len(warnings) - len(shown)} more warning(s)")
    if found or warnings or not quiet_ok:
        line = (
            summary.format(errors=len(found))
            if summary
            else f"{len(found)} error(s), {len(warnings)} warning(s)"
        )
        click.secho(line, fg="red" if found else "green", err=True)
    return len(found)
