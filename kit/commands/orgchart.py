"""``servekit import-orgchart``: flip a real org chart into a team's roles and serves tables.

Only :mod:`click` is imported up front; the kit's modules (pandas, networkx) load when the
command runs, and plotly never does, so the command starts fast.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

__all__ = ["import_orgchart"]

MAX_WARNINGS = 20


@dataclass(frozen=True)
class ImportOptions:
    """What ``servekit import-orgchart`` was asked to do (its options, by their click names)."""

    files: tuple[Path, ...]
    fmt: str | None
    out: Path
    force: bool
    id_col: str | None
    title_col: str | None
    reports_col: str | None
    headcount_col: str | None
    unit_col: str | None
    grade_col: str | None
    frontline_units: tuple[str, ...]
    attach_unknown: bool
    graphml: Path | None


def _fte(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


@click.command("import-orgchart")
@click.argument(
    "files",
    nargs=-1,
    required=True,
    metavar="FILE [FILE2]",
    type=click.Path(dir_okay=False, path_type=Path),
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["generic", "uk-organogram"]),
    default=None,
    help="File format. Default: uk-organogram for two files, else generic.",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="TEAM_DIR",
    help="Team folder to write roles.csv and serves.csv into.",
)
@click.option("--force", is_flag=True, help="Replace existing roles.csv / serves.csv.")
@click.option("--id", "id_col", metavar="COLUMN", help="Generic: the post/employee id column.")
@click.option("--title", "title_col", metavar="COLUMN", help="Generic: the job title column.")
@click.option(
    "--reports-to",
    "reports_col",
    metavar="COLUMN",
    help="Generic: the column holding the manager's id.",
)
@click.option(
    "--headcount",
    "headcount_col",
    metavar="COLUMN",
    help="Generic: headcount/FTE column (without one, each row counts 1).",
)
@click.option("--unit", "unit_col", metavar="COLUMN", help="Generic: the unit/department column.")
@click.option("--grade", "grade_col", metavar="COLUMN", help="Generic: the grade/band column.")
@click.option(
    "--frontline-unit",
    "--customer-facing-unit",
    "frontline_units",
    multiple=True,
    metavar="UNIT",
    help="A unit whose end posts face customers (wildcards * ?; repeatable). Without "
    "it every end post is frontline; with it, end posts elsewhere are support.",
)
@click.option(
    "--attach-unknown",
    is_flag=True,
    help="Import posts whose manager id is not in the file under a placeholder role "
    "instead of stopping.",
)
@click.option(
    "--graphml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the flipped pyramid as GraphML (Gephi, yEd) to this path.",
)
def import_orgchart(**options: Any) -> None:
    """Flip an org chart (reports-to) into TEAM_DIR's roles.csv and serves.csv.

    FILE is a CSV with an id, a title and a reports-to column (generic), or FILE and FILE2 are
    the senior and junior CSV files of a UK government organogram (either order). Managers
    serve their reports, the ends of the chart serve a new customer role on top.

    \b
    Examples:
      servekit import-orgchart hr.csv --out teams/a --reports-to "Line manager"
      servekit import-orgchart senior.csv junior.csv --out teams/dwp --frontline-unit "Operations*"
    """
    try:
        code = _run(ImportOptions(**options))
    except OSError:  # the machine's problem: the CLI's one handler names the file
        raise
    except Exception as exc:  # noqa: BLE001 - the CLI promise: a message, never a traceback
        from kit.exceptions import KitError

        if isinstance(exc, KitError):
            problems = getattr(exc, "problems", None)
            if problems:
                _print_problems(problems)
            else:
                click.secho(f"error: {exc}", fg="red", err=True)
        else:
            click.secho(
                f"error: import-orgchart failed unexpectedly ({type(exc).__name__}: "
                f"{exc}); please report this with the file that caused it",
                fg="red",
                err=True,
            )
        raise SystemExit(1) from None
    if code:
        raise SystemExit(code)


def _print_problems(problems) -> None:
    from kit.commands.output import print_problems

    print_problems(
        problems, tag=True, most=MAX_WARNINGS, summary="{errors} error(s): nothing was written"
    )


def _run(o: ImportOptions) -> int:
    files, out, graphml = o.files, o.out, o.graphml
    if len(files) > 2:
        click.secho(
            f"error: expected one file (generic) or two (UK organogram senior and "
            f"junior), got {len(files)}",
            fg="red",
            err=True,
        )
        return 1
    missing = [f for f in files if not f.is_file()]
    if missing:
        for f in missing:
            click.secho(f"error: {os.fspath(f)}: file not found", fg="red", err=True)
        return 1
    fmt = o.fmt or ("uk-organogram" if len(files) == 2 else "generic")
    if fmt == "generic" and len(files) != 1:
        click.secho("error: the generic format takes one file", fg="red", err=True)
        return 1
    given = [
        o
        for o, v in (
            ("--id", o.id_col),
            ("--title", o.title_col),
            ("--reports-to", o.reports_col),
            ("--headcount", o.headcount_col),
            ("--unit", o.unit_col),
            ("--grade", o.grade_col),
        )
        if v
    ]
    if fmt == "uk-organogram" and given:
        click.secho(
            f"error: {', '.join(given)} {'applies' if len(given) == 1 else 'apply'} to --format "
            f"generic only; UK organogram "
            f"columns are fixed",
            fg="red",
            err=True,
        )
        return 1
    existing = [out / name for name in ("roles.csv", "serves.csv") if (out / name).exists()]
    if existing and not o.force:
        for path in existing:
            click.secho(
                f"error: {os.fspath(path)}: already exists; refusing to overwrite it "
                f"(use --force to replace it)",
                fg="red",
                err=True,
            )
        return 1

    from kit.analyses.orgchart import read_generic, read_uk_organogram, write_tables
    from kit.analyses.pyramid import build_graph, chain_check
    from kit.readwrite.graphio import write_graphml
    from kit.store.terminal import printable

    if fmt == "generic":
        flipped = read_generic(
            files[0],
            id=o.id_col,
            title=o.title_col,
            reports_to=o.reports_col,
            headcount=o.headcount_col,
            unit=o.unit_col,
            grade=o.grade_col,
            customer_facing_units=o.frontline_units or None,
            attach_unknown=o.attach_unknown,
        )
    else:
        flipped = read_uk_organogram(
            files[0],
            files[1] if len(files) > 1 else None,
            customer_facing_units=o.frontline_units or None,
            attach_unknown=o.attach_unknown,
        )
    graph = build_graph(flipped.roles, flipped.serves)
    check = chain_check(graph)
    roles_path, serves_path = write_tables(flipped.roles, flipped.serves, out, force=o.force)
    if graphml is not None:
        write_graphml(graph, graphml, check=check)

    levels = flipped.roles["level"].value_counts()
    by_level = ", ".join(
        f"{levels[lv]:,} {lv}"
        for lv in ("customer", "executive", "manager", "support", "frontline")
        if lv in levels
    )
    click.echo(f"Read {flipped.source_rows:,} row(s) from {', '.join(map(os.fspath, files))}")
    click.echo(f"Roles: {len(flipped.roles):,} ({by_level})")
    click.echo(f"Serves edges: {len(flipped.serves):,}")
    same = math.isclose(flipped.total_fte, flipped.source_fte, abs_tol=0.005)
    click.echo(
        f"Total FTE: {_fte(flipped.total_fte)}"
        + ("" if same else f" (files: {_fte(flipped.source_fte)})")
    )
    kinds = check.findings["kind"].value_counts()
    detail = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.items())
    click.echo(
        f"Chain check: {len(check.findings)} finding(s)" + (f" ({detail})" if detail else "")
    )
    for sentence in check.findings["sentence"].head(5):
        click.echo(f"  - {printable(sentence)}")
    if len(check.findings) > 5:
        click.echo(f"  … and {len(check.findings) - 5} more")
    click.echo(
        f"Wrote {os.fspath(roles_path)} and {os.fspath(serves_path)}"
        + (f" and {os.fspath(graphml)}" if graphml is not None else "")
    )
    if flipped.warnings:
        click.secho(f"{len(flipped.warnings)} warning(s):", fg="yellow", err=True)
        for p in flipped.warnings[:MAX_WARNINGS]:
            click.secho(f"  {printable(str(p))}", fg="yellow", err=True)
        if len(flipped.warnings) > MAX_WARNINGS:
            click.secho(f"  … and {len(flipped.warnings) - MAX_WARNINGS} more", err=True)
    return 0


if __name__ == "__main__":  # ``python -m kit.commands.orgchart`` works before kit.cli exists
    import_orgchart()
