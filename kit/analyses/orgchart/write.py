"""Writing the flipped chart into a team folder, and turning a pyramid back into a chart."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pandas as pd

from kit.analyses.orgchart.model import CHART_COLUMNS
from kit.exceptions import OrgChartError
from kit.store import cells
from kit.store.csvio import csv_text
from kit.store.problems import Problem
from kit.store.schema import TABLES
from kit.store.teamsave import save_team_files

__all__ = ["unflip", "write_tables"]


def unflip(roles: pd.DataFrame, serves: pd.DataFrame) -> pd.DataFrame:
    """Turn the pyramid back into a reports-to chart (the inverse of :func:`flip`).

    Customer roles and the edges into them are dropped; each other role reports to the first
    non-customer role that serves it (blank when none does).

    Returns
    -------
    pandas.DataFrame
        ``id, title, reports_to, headcount, unit, grade`` in the order of ``roles``.

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["customer", "gm", "desk"],
    ...                       "name": ["Customers", "GM", "Desk"],
    ...                       "level": ["customer", "executive", "frontline"],
    ...                       "headcount": [0.0, 1.0, 6.0]})
    >>> serves = pd.DataFrame({"from_role": ["gm", "desk"], "to_role": ["desk", "customer"]})
    >>> unflip(roles, serves)[["id", "reports_to", "headcount"]].values.tolist()
    [['gm', '', 1.0], ['desk', 'gm', 6.0]]
    """
    roles = (
        roles.reindex(columns=TABLES["roles"].columns)
        if len(roles.columns)
        else pd.DataFrame(columns=TABLES["roles"].columns)
    )
    serves = (
        serves.reindex(columns=TABLES["serves"].columns)
        if len(serves.columns)
        else pd.DataFrame(columns=TABLES["serves"].columns)
    )
    customer_ids = {
        cells.text(r)
        for r, lv in zip(roles["role_id"], roles["level"], strict=True)
        if cells.text(lv).lower() == "customer"
    }
    manager: dict[str, str] = {}
    for source, target in serves.itertuples(index=False, name=None):
        source, target = cells.text(source), cells.text(target)
        if source in customer_ids or target in customer_ids:
            continue
        manager.setdefault(target, source)
    rows = []
    for rec in roles.to_dict("records"):
        rid = cells.text(rec["role_id"])
        if not rid or rid in customer_ids:
            continue
        headcount = rec["headcount"]
        rows.append(
            {
                "id": rid,
                "title": cells.text(rec["name"]),
                "reports_to": manager.get(rid, ""),
                "headcount": 0.0 if cells.text(headcount) == "" else float(headcount),
                "unit": cells.text(rec["unit"]) or None,
                "grade": cells.text(rec["grade"]) or None,
            }
        )
    frame = pd.DataFrame(rows, columns=list(CHART_COLUMNS))
    frame["headcount"] = frame["headcount"].astype(float)
    return frame


def _format_number(value: Any) -> str:
    """Headcount as short text: ``1``, ``0.5``, ``88895.37`` (rounded to 6 decimals)."""
    number = float(value) if cells.text(value) else 0.0
    text = f"{round(number, 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def write_tables(
    roles: pd.DataFrame, serves: pd.DataFrame, team_dir: str | Path, *, force: bool = False
) -> tuple[Path, Path]:
    """Write ``roles.csv`` and ``serves.csv`` into a team folder through the team's safe save.

    Both files are written as one change under the team's lock, after the whole team is
    checked with them (:func:`kit.store.teamsave.save_team_files`): new roles that the team's
    journey or needs no longer find are refused with every problem, nothing written; the
    replaced versions are kept in ``.history/``.

    Columns are written in the order of :mod:`kit.store.schema`; missing values as blank cells.

    Parameters
    ----------
    roles, serves : pandas.DataFrame
    team_dir : str or pathlib.Path
        Created if needed.
    force : bool
        Replace existing ``roles.csv``/``serves.csv``; without it they are left alone and
        :class:`OrgChartError` is raised.

    Returns
    -------
    tuple of pathlib.Path
        The two files written.

    Raises
    ------
    OrgChartError
        The files exist and ``force`` is not given.
    kit.exceptions.InvalidData
        The team would have errors with the new roles (nothing is written).

    Examples
    --------
    >>> import tempfile
    >>> roles = pd.DataFrame({"role_id": ["c", "a"], "name": ["Customers", "Agent"],
    ...                       "level": ["customer", "frontline"], "headcount": [0.0, 2.5]})
    >>> serves = pd.DataFrame({"from_role": ["a"], "to_role": ["c"]})
    >>> r, s = write_tables(roles, serves, tempfile.mkdtemp())
    >>> print(r.read_text(), end="")
    role_id,name,level,headcount,unit,grade
    c,Customers,customer,0,,
    a,Agent,frontline,2.5,,
    """
    team_dir = Path(team_dir)
    targets = (team_dir / TABLES["roles"].filename, team_dir / TABLES["serves"].filename)
    role_cols = TABLES["roles"].columns
    serve_cols = TABLES["serves"].columns
    roles = roles.reindex(columns=role_cols)
    serves = serves.reindex(columns=serve_cols)
    role_rows = [
        [
            _format_number(v) if c == "headcount" else cells.text(v)
            for c, v in zip(role_cols, rec, strict=True)
        ]
        for rec in roles.itertuples(index=False, name=None)
    ]
    serve_rows = [[cells.text(v) for v in rec] for rec in serves.itertuples(index=False, name=None)]
    new = {
        targets[0].name: csv_text(role_cols, role_rows).encode("utf-8"),
        targets[1].name: csv_text(serve_cols, serve_rows).encode("utf-8"),
    }

    def plan(disk: dict[str, bytes | None]) -> dict[str, bytes]:
        existing = [p for p in targets if disk.get(p.name) is not None]
        if existing and not force:  # checked under the team's lock
            raise OrgChartError(
                [
                    Problem(
                        os.fspath(p),
                        None,
                        None,
                        "already exists; refusing to overwrite it (use --force to replace it)",
                    )
                    for p in existing
                ]
            )
        return new

    save_team_files(team_dir, plan)
    return targets
