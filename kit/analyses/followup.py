"""Follow-up: how far each action of the plan has come, in numbers and in one word.

Months after the workshop, teams record results (``results.csv``: action, date, value) against
the plan (``plan.csv``: metric, baseline, target, due date). This module turns the two tables into

* **progress** — the share of the way from the baseline to the target, whichever way the metric
  runs: 0 at the baseline, 1 (100%) at the target, above 1 beyond it, below 0 when the result
  moved away from the target (:func:`progress_share`);
* **status** — one of the words in :data:`STATUSES`, each defined there once (the follow-up page
  shows these definitions);
* **notes** — plain sentences about missing, late or partial data (no due date, a result that
  is not a number, a last measurement months old, results dated after the as-of date). Nothing
  here raises on incomplete data: a half-measured plan is the normal case.

Across teams, :func:`across_teams` gives the share of actions on track, overdue actions by owner
role and which kind of action (be/do/have) works best.

Pure functions over tables, except :func:`read_team`, which reads a team folder leniently.

Examples
--------
>>> plan = pd.DataFrame({"action_id": ["A1"], "baseline": [14.0], "target": [5.0],
...                      "due": ["2026-03-31"]})
>>> results = pd.DataFrame({"action_id": ["A1"], "date": ["2026-03-01"], "value": [8.0]})
>>> row = plan_progress(plan, results, as_of="2026-03-15").iloc[0]
>>> round(float(row["progress"]), 3), row["status"], row["direction"]
(0.667, 'on the way', 'lower is better')
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from kit.store import safefs
from kit.store.clock import today
from kit.store.csvio import parse_csv
from kit.store.problems import Problem, display_path
from kit.store.schema import KINDS, TABLES, PlanRow
from kit.store.storage import MAX_FILE_BYTES
from kit.store.validation import validate_rows
from kit.store.workbook import Workbook, cell_text

__all__ = [
    "FollowupData",
    "LATE_DAYS",
    "ON_TRACK",
    "STATUSES",
    "across_teams",
    "action_records",
    "as_date",
    "date_or_none",
    "direction",
    "number_or_nan",
    "plan_progress",
    "progress_share",
    "read_team",
    "status_counts",
    "status_of",
]

STATUSES: dict[str, str] = {
    "target met": "The latest result has reached the target or gone beyond it (in the metric's "
    "direction: up when the target is above the baseline, down when below).",
    "on the way": "The latest result has moved from the baseline towards the target but has not "
    "reached it, and the due date has not passed.",
    "off track": "The latest result is no better than the baseline (it has not moved, or it has "
    "moved away from the target), and the due date has not passed.",
    "not measured yet": "No result has been recorded yet, and the due date has not passed (or "
    "the action has no due date).",
    "overdue": "The due date has passed and the target is not met, whether or not results were "
    "recorded.",
    "no target set": "Results are recorded, but the baseline or the target is missing, not a "
    "number, or the two are equal, so progress cannot be computed.",
}
"""Every status an action can have, with its definition (in the order the page lists them)."""

ON_TRACK = ("target met", "on the way")
"""The statuses counted as "on track" across teams."""

LATE_DAYS = 60
"""A latest result older than this many days before the as-of date is called out as stale."""

_NO_OWNER = "(no owner named)"


# --------------------------------------------------------------------------- one number
def number_or_nan(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return math.nan
    return number


def direction(baseline: Any, target: Any) -> str | None:
    """Which way the metric should move: ``"higher is better"``, ``"lower is better"`` or None.

    Examples
    --------
    >>> direction(68, 95), direction(14, 5), direction(5, 5), direction(None, 5)
    ('higher is better', 'lower is better', None, None)
    """
    base, goal = number_or_nan(baseline), number_or_nan(target)
    if math.isnan(base) or math.isnan(goal) or base == goal:
        return None
    return "higher is better" if goal > base else "lower is better"


def progress_share(baseline: Any, target: Any, value: Any) -> float:
    """Share of the way from ``baseline`` to ``target`` that ``value`` has come (NaN if unknown).

    ``(value - baseline) / (target - baseline)``: the sign of the denominator makes it
    direction-aware, so a waiting time falling from 14 to 8 minutes against a target of 5 is
    two thirds of the way, just as a score rising from 68 to 86 against 95 is.

    Examples
    --------
    >>> progress_share(14, 5, 8), progress_share(68, 95, 86)
    (0.6666666666666666, 0.6666666666666666)
    >>> progress_share(10, 20, 8), progress_share(5, 5, 6), progress_share(1, 2, None)
    (-0.2, nan, nan)
    """
    base, goal, got = number_or_nan(baseline), number_or_nan(target), number_or_nan(value)
    if any(math.isnan(x) for x in (base, goal, got)) or base == goal:
        return math.nan
    return (got - base) / (goal - base)


def status_of(progress: float, measurements: int, due: dt.date | None, as_of: dt.date) -> str:
    """The status word for one action (see :data:`STATUSES` for the definitions).

    The order of the tests is the definition: met beats overdue (a target met late is met);
    overdue beats every other state; then not measured, no target, on the way, off track.

    Examples
    --------
    >>> day = dt.date(2026, 4, 1)
    >>> status_of(1.0, 1, dt.date(2026, 3, 1), day), status_of(0.5, 2, dt.date(2026, 3, 1), day)
    ('target met', 'overdue')
    >>> status_of(math.nan, 0, None, day), status_of(math.nan, 2, None, day)
    ('not measured yet', 'no target set')
    >>> status_of(0.5, 1, None, day), status_of(0.0, 1, None, day), status_of(-0.2, 1, None, day)
    ('on the way', 'off track', 'off track')
    """
    if not math.isnan(progress) and progress >= 1:
        return "target met"
    if due is not None and due < as_of:
        return "overdue"
    if measurements == 0:
        return "not measured yet"
    if math.isnan(progress):
        return "no target set"
    return "on the way" if progress > 0 else "off track"


def date_or_none(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp | dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def as_date(value: Any = None) -> dt.date:
    """The as-of date: a date, ``YYYY-MM-DD`` text, or today when ``None``/blank.

    Examples
    --------
    >>> as_date("2026-06-30")
    datetime.date(2026, 6, 30)
    >>> as_date() == today()
    True
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return today()
    day = date_or_none(value)
    if day is None:
        raise ValueError(f"got {value!r}; expected a date written YYYY-MM-DD, e.g. 2026-06-30")
    return day


# --------------------------------------------------------------------------- the plan
def plan_progress(
    plan: pd.DataFrame,
    results: pd.DataFrame,
    as_of: Any = None,
    notes: dict[str, list[str]] | None = None,
) -> pd.DataFrame:
    """Each action of the plan with its results, progress, status and notes on its data.

    Parameters
    ----------
    plan : pandas.DataFrame
        The workbook's ``plan`` table (``action_id``, ``baseline``, ``target``, ``due`` …).
    results : pandas.DataFrame
        The workbook's ``results`` table (``action_id, date, value``).
    as_of : date or str, optional
        The day the follow-up looks from (default today). Results dated after it are left out
        (and counted in the notes); due dates before it make unmet actions overdue.
    notes : dict of str to list of str, optional
        Notes already known per action (e.g. from :func:`read_team`), added to the computed ones.

    Returns
    -------
    pandas.DataFrame
        The plan's columns plus ``measurements`` (results up to ``as_of``), ``first``,
        ``first_date``, ``latest``, ``latest_date``, ``direction``, ``progress`` (share of the
        way, see :func:`progress_share`), ``status`` (a key of :data:`STATUSES`) and ``notes``
        (a list of sentences).

    Examples
    --------
    >>> plan = pd.DataFrame({"action_id": ["A1", "A2", "A3"], "baseline": [14, 68, 1.0],
    ...                      "target": [5, 95, 2.0], "due": [None, None, "2026-01-31"]})
    >>> results = pd.DataFrame({"action_id": ["A1", "A1", "A2"],
    ...                         "date": ["2026-03-01", "2026-04-01", "2026-04-01"],
    ...                         "value": [11, 5, 60]})
    >>> plan_progress(plan, results, as_of="2026-04-15")[["action_id", "latest", "progress",
    ...                                                  "status"]]
      action_id  latest  progress      status
    0        A1     5.0  1.000000  target met
    1        A2    60.0 -0.296296   off track
    2        A3     NaN       NaN     overdue
    """
    day = as_date(as_of)
    out = plan.copy().reset_index(drop=True)
    if results is None or results.empty or "action_id" not in results:
        results = pd.DataFrame(
            {
                "action_id": pd.Series(dtype=str),
                "date": pd.Series(dtype=str),
                "value": pd.Series(dtype=float),
            }
        )
    res = results.copy()
    res["action_id"] = res["action_id"].astype(str)
    res["_date"] = [date_or_none(d) for d in res["date"]]
    res["_value"] = [number_or_nan(v) for v in res["value"]]
    res = res[res["_date"].notna() & res["_value"].notna()]
    later = res[[d > day for d in res["_date"]]] if len(res) else res
    res = res[[d <= day for d in res["_date"]]] if len(res) else res
    res = res.sort_values(["action_id", "_date"], kind="stable")
    groups = {a: g for a, g in res.groupby("action_id")} if len(res) else {}
    later_counts = later["action_id"].value_counts().to_dict() if len(later) else {}
    columns: dict[str, list[Any]] = {
        c: []
        for c in (
            "measurements",
            "first",
            "first_date",
            "latest",
            "latest_date",
            "direction",
            "progress",
            "status",
            "notes",
        )
    }
    for row in out.to_dict("records"):
        aid = str(row.get("action_id"))
        group = groups.get(aid)
        n = 0 if group is None else len(group)
        first = latest = math.nan
        first_date = latest_date = None
        if n:
            first, latest = float(group["_value"].iloc[0]), float(group["_value"].iloc[-1])
            first_date = group["_date"].iloc[0].isoformat()
            latest_date = group["_date"].iloc[-1].isoformat()
        base, goal = row.get("baseline"), row.get("target")
        share = progress_share(base, goal, latest)
        due = date_or_none(row.get("due"))
        status = status_of(share, n, due, day)
        said = list((notes or {}).get(aid, []))
        if math.isnan(number_or_nan(base)) or math.isnan(number_or_nan(goal)):
            missing = [
                w for w, v in (("baseline", base), ("target", goal)) if math.isnan(number_or_nan(v))
            ]
            said.append(
                f"No {' or '.join(missing)} is set, so progress cannot be computed; "
                f"add it to the plan."
            )
        elif number_or_nan(base) == number_or_nan(goal):
            said.append(
                "The baseline and the target are the same number, so progress cannot be computed."
            )
        if due is None:
            said.append("No due date: this action can never be called overdue.")
        if n == 1:
            said.append("Only one result so far: no trend yet.")
        if n and (day - group["_date"].iloc[-1]).days > LATE_DAYS:
            said.append(
                f"The latest result is {(day - group['_date'].iloc[-1]).days} days old "
                f"(measured {latest_date})."
            )
        if later_counts.get(aid):
            k = later_counts[aid]
            said.append(f"{k} result{'s' if k > 1 else ''} dated after {day.isoformat()} left out.")
        for column, value in (
            ("measurements", n),
            ("first", first),
            ("first_date", first_date),
            ("latest", latest),
            ("latest_date", latest_date),
            ("direction", direction(base, goal)),
            ("progress", share),
            ("status", status),
            ("notes", said),
        ):
            columns[column].append(value)
    for column, values in columns.items():
        out[column] = pd.Series(
            values,
            dtype="float64"
            if column in ("first", "latest", "progress")
            else "Int64"
            if column == "measurements"
            else object,
            index=out.index,
        )
    return out


# --------------------------------------------------------------------------- reading a team
@dataclass
class FollowupData:
    """A team's plan and results as the follow-up reads them, with what it could not read."""

    name: str
    plan: pd.DataFrame
    results: pd.DataFrame
    roles: pd.DataFrame
    notes: dict[str, list[str]] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    members: list[str] = field(default_factory=list)


_SOFT = {"baseline", "target", "due"}


def _read_again(folder: Path, name: str) -> bytes | None:
    """A table read a second time (for its soft errors): through :mod:`kit.store.safefs`, so a
    file swapped for a link or a FIFO since the load is never read (``None``)."""
    try:
        return safefs.read_bytes(folder, name, limit=MAX_FILE_BYTES)
    except (OSError, safefs.UnsafePath):
        return None


def read_team(path: Path | str, root: Path | str | None = None) -> FollowupData:
    """Read a team folder for the follow-up, keeping every action that can be kept.

    Unlike a strict load, an action whose baseline, target or due date cannot be read stays in
    the plan with that cell blank and a note saying what was written; a result whose date or
    value cannot be read is left out with a note on its action. Other problems in the team's
    files are returned in ``problems`` (the page lists them); nothing raises.

    See Also
    --------
    kit.store.validation.parse_team : a team's raw file *bytes*, checked strictly.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "journey.csv").write_text(
    ...     "touchpoint_id,stage,order,description,contact\\nT1,A,1,Desk,direct\\n")
    >>> _ = (folder / "plan.csv").write_text(
    ...     "action_id,touchpoint_id,kind,action,baseline,target\\nA1,T1,do,Faster,about 10,5\\n")
    >>> data = read_team(folder)
    >>> list(data.plan["action_id"]), data.notes["A1"]
    (['A1'], ["The baseline 'about 10' is not a number; it is left blank here."])
    """
    path = Path(path)
    wb = Workbook.load(path, root=root, strict=False)
    plan, results = wb["plan"], wb["results"]
    notes: dict[str, list[str]] = {}
    problems = list(wb.problems)
    plan_file = display_path(path / "plan.csv", wb.root)
    refused = any(p.path == plan_file and p.row and p.row > 1 and p.is_error for p in problems)
    raw = _read_again(path, "plan.csv") if refused else None
    kept: list[Problem] = []
    if raw is not None:
        table = parse_csv(raw, plan_file)
        # The rows' own format problems decide whether a row is kept; a problem across files
        # (an unknown owner) stays listed but never costs the action its place.
        by_row: dict[int, list[Problem]] = {}
        for p in validate_rows(TABLES["plan"], table, plan_file)[1]:
            if p.row and p.row > 1 and p.is_error:
                by_row.setdefault(p.row, []).append(p)
        extra_rows = []
        for cells, number in zip(table.records, table.rows, strict=True):
            found = by_row.get(number)
            if not found or not {p.column for p in found} <= _SOFT:
                continue
            values = dict(zip(table.header, cells, strict=False))
            bad = {p.column: values.get(p.column, "") for p in found}
            try:
                row = PlanRow.model_validate({**values, **dict.fromkeys(bad, "")}).model_dump()
            except ValidationError:
                continue
            aid = str(row["action_id"])
            if aid in set(plan["action_id"].astype(str)):
                continue
            what = {"baseline": "a number", "target": "a number", "due": "a date (YYYY-MM-DD)"}
            for column, text in bad.items():
                notes.setdefault(aid, []).append(
                    f"The {column} {text!r} is not {what[column]}; it is left blank here."
                )
            extra_rows.append(row)
            kept += [
                p
                for p in problems
                if p.path == plan_file and (p.row, p.column) in {(number, c) for c in bad}
            ]
        if extra_rows:
            plan = pd.concat(
                [plan.astype(object), pd.DataFrame(extra_rows).astype(object)], ignore_index=True
            )
    results_file = display_path(path / "results.csv", wb.root)
    if any(
        p.path == results_file and p.is_error and p.column in ("date", "value") for p in problems
    ) and (raw := _read_again(path, "results.csv")):
        table = parse_csv(raw, results_file)
        rows = dict(zip(table.rows, table.records, strict=True))
        for p in problems:
            if p.path != results_file or not p.is_error or p.column not in ("date", "value"):
                continue
            values = dict(zip(table.header, rows.get(p.row, []), strict=False))
            aid = values.get("action_id", "")
            if aid:
                written = values.get(p.column, "")
                what = "a number" if p.column == "value" else "a date (YYYY-MM-DD)"
                said = f"which is not {what}; it is left out."
                if p.column == "date" and date_or_none(written) is not None:
                    said = f"which is after today ({today().isoformat()}): a typo? It is left out."
                notes.setdefault(aid, []).append(
                    f"A result on row {p.row} of results.csv has {p.column} {written!r}, {said}"
                )
                kept.append(p)
    rest = [p for p in problems if p not in kept]
    return FollowupData(wb.name or path.name, plan, results, wb["roles"], notes, rest, wb.members)


# --------------------------------------------------------------------------- summaries
def _plain(value: Any) -> Any:
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dt.date | pd.Timestamp):
        return cell_text(value)
    if hasattr(value, "item"):
        return _plain(value.item())
    return value


def action_records(
    progress: pd.DataFrame, team: str = "", team_name: str = "", roles: pd.DataFrame | None = None
) -> list[dict[str, Any]]:
    """The rows of :func:`plan_progress` as JSON-ready dicts (what ``summary.json`` lists).

    Examples
    --------
    >>> plan = pd.DataFrame({"action_id": ["A1"], "kind": ["do"], "baseline": [0.0],
    ...                      "target": [4.0]})
    >>> res = pd.DataFrame({"action_id": ["A1"], "date": ["2026-01-05"], "value": [1.0]})
    >>> rec = action_records(plan_progress(plan, res, as_of="2026-02-01"), "t")[0]
    >>> rec["progress"], rec["status"], rec["latest_date"]
    (0.25, 'on the way', '2026-01-05')
    """
    names = {}
    if roles is not None and len(roles):
        names = dict(zip(roles["role_id"].astype(str), roles["name"].astype(str), strict=True))
    keep = [
        *TABLES["plan"].columns,
        "measurements",
        "first_date",
        "first",
        "latest_date",
        "latest",
        "direction",
        "progress",
        "status",
        "notes",
    ]
    out = []
    for row in progress.to_dict("records"):
        record = {"team": team, "team_name": team_name}
        record.update({k: _plain(row.get(k)) for k in keep if k != "notes"})
        owner = record.get("owner_role")
        record["owner_name"] = names.get(str(owner), owner) if owner else None
        record["notes"] = list(row.get("notes") or [])
        out.append(record)
    return out


def status_counts(statuses: Iterable[str]) -> dict[str, int]:
    """How many actions have each status (every status listed, zeros included).

    Examples
    --------
    >>> status_counts(["overdue", "target met", "overdue"])["overdue"]
    2
    """
    counts = dict.fromkeys(STATUSES, 0)
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    return counts


def across_teams(actions: list[dict[str, Any]]) -> dict[str, Any]:
    """The cross-team picture from :func:`action_records` rows of every team.

    Returns
    -------
    dict
        ``actions`` (count), ``on_track`` (count of :data:`ON_TRACK` statuses) and
        ``on_track_share`` (of all actions; None when there are none), ``statuses`` (count per
        status), ``overdue_by_owner`` (owner name -> overdue count, largest first) and
        ``kinds``: per be/do/have, ``actions``, ``measured`` (with a computable progress),
        ``met``, ``met_share`` (of measured), ``median_progress`` (of measured), plus
        ``best_kind``: the kind with the highest share of measured actions that met their
        target (ties broken by median progress; None when nothing is measured).

    Examples
    --------
    >>> rows = [{"kind": "do", "status": "target met", "progress": 1.2, "owner_name": "GM"},
    ...         {"kind": "do", "status": "overdue", "progress": 0.1, "owner_name": "GM"},
    ...         {"kind": "be", "status": "on the way", "progress": 0.5, "owner_name": None}]
    >>> out = across_teams(rows)
    >>> out["on_track"], round(out["on_track_share"], 3), out["overdue_by_owner"]
    (2, 0.667, {'GM': 1})
    >>> out["best_kind"], out["kinds"]["do"]["met_share"]
    ('do', 0.5)
    """
    statuses = status_counts(a["status"] for a in actions)
    on_track = sum(statuses[s] for s in ON_TRACK)
    overdue: dict[str, int] = {}
    for a in actions:
        if a["status"] == "overdue":
            owner = a.get("owner_name") or _NO_OWNER
            overdue[owner] = overdue.get(owner, 0) + 1
    kinds = {}
    for kind in KINDS:
        mine = [a for a in actions if a.get("kind") == kind]
        measured = [
            a["progress"]
            for a in mine
            if a.get("progress") is not None
            and not (isinstance(a["progress"], float) and math.isnan(a["progress"]))
        ]
        met = sum(1 for a in mine if a["status"] == "target met")
        kinds[kind] = {
            "actions": len(mine),
            "measured": len(measured),
            "met": met,
            "met_share": met / len(measured) if measured else None,
            "median_progress": float(pd.Series(measured).median()) if measured else None,
        }
    ranked = sorted(
        (k for k in KINDS if kinds[k]["measured"]),
        key=lambda k: (-kinds[k]["met_share"], -kinds[k]["median_progress"]),
    )
    return {
        "actions": len(actions),
        "on_track": on_track,
        "on_track_share": on_track / len(actions) if actions else None,
        "statuses": statuses,
        "overdue_by_owner": dict(sorted(overdue.items(), key=lambda kv: (-kv[1], kv[0]))),
        "kinds": kinds,
        "best_kind": ranked[0] if ranked else None,
    }
