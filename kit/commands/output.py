"""How every ``servekit`` command prints the kit's problems (one printer for all commands)."""

from __future__ import annotations

import click

from kit.problems import Problem, errors


def print_problems(problems: list[Problem], *, quiet_ok: bool = False) -> int:
    """Print problems (errors first) and a one-line summary; return the number of errors.

    The problems go to standard output (so ``servekit validate DIR > problems.txt`` keeps them)
    and the summary to standard error.

    Examples
    --------
    >>> from kit.problems import Problem
    >>> print_problems([Problem("journey.csv", 2, "order", "not a number")])
    journey.csv:2:order: not a number
    1
    """
    found = errors(problems)
    warnings = [p for p in problems if not p.is_error]
    for problem in found:
        click.secho(str(problem), fg="red")
    for problem in warnings:
        click.secho(str(problem), fg="yellow")
    if found or warnings or not quiet_ok:
        summary = f"{len(found)} error(s), {len(warnings)} warning(s)"
        click.secho(summary, fg="red" if found else "green", err=True)
    return len(found)
