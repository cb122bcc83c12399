"""What the phone page reads and writes: a team's cards, and scores saved through the workbook.

A phone sends one *tap* at a time: one scorer's importance and performance (and optionally
be/do/have readiness) for one touchpoint. :func:`check_tap` refuses anything else with one
message in words. Taps are saved as the scorer's row of the team's ``scores.csv`` (key
``touchpoint_id, scorer``) by :meth:`kit.store.workbook.Workbook.save`, so they merge row by row
with what the team's notebook (or anyone else) saved meanwhile.

Thirty phones tapping at once would make thirty saves of one file. :class:`TeamDesk` keeps one
workbook per team in one worker thread and saves the taps that arrived while the previous save
ran *together*, as one change (group commit): each tap still gets its own answer, and a tap
that cannot be saved (a touchpoint deleted meanwhile) is refused alone.

Examples
--------
>>> check_tap({"touchpoint_id": "T1", "scorer": " Ann ", "importance": 5, "performance": 2})
{'touchpoint_id': 'T1', 'scorer': 'Ann', 'importance': 5, 'performance': 2, 'be': None, 'do': None, 'have': None}
>>> check_name("")
Traceback (most recent call last):
...
kit.exceptions.PhoneError: Give your name or initials (1 to 40 characters).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pandas as pd

from kit.exceptions import InvalidData, PhoneError, TeamBlocked, TeamWouldBreak, TouchpointGone
from kit.store.problems import errors
from kit.store.workbook import Workbook

__all__ = [
    "NAME_MAX",
    "READINESS",
    "SCALES",
    "TeamDesk",
    "cards",
    "check_name",
    "check_tap",
]

NAME_MAX = 40
"""Longest scorer name (characters); initials are enough."""
SCALES = ("importance", "performance")
READINESS = ("be", "do", "have")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def check_name(name: Any) -> str:
    """The scorer's name, trimmed; :class:`PhoneError` when empty, too long or not text.

    Examples
    --------
    >>> check_name("  Bo  ")
    'Bo'
    >>> check_name("x" * 41)
    Traceback (most recent call last):
    ...
    kit.exceptions.PhoneError: Your name has 41 characters; use at most 40 (initials are fine).
    """
    if not isinstance(name, str) or not name.strip():
        raise PhoneError(f"Give your name or initials (1 to {NAME_MAX} characters).")
    name = " ".join(name.split())
    if _CONTROL.search(name):
        raise PhoneError("Your name has control characters; use letters, digits and spaces.")
    if len(name) > NAME_MAX:
        raise PhoneError(
            f"Your name has {len(name)} characters; use at most {NAME_MAX} (initials are fine)."
        )
    return name


def _scale(tap: dict[str, Any], field: str, required: bool) -> int | None:
    value = tap.get(field)
    if value is None and not required:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise PhoneError(
            f"{field} must be a whole number from 1 to 5"
            f"{'' if required else ' (or null)'}; got {value!r}. Nothing was saved."
        )
    return value


def check_tap(tap: Any) -> dict[str, Any]:
    """A tap as a row of ``scores.csv``; :class:`PhoneError` names what is wrong.

    Examples
    --------
    >>> check_tap({"touchpoint_id": "T1", "scorer": "Ann", "importance": 6, "performance": 2})
    Traceback (most recent call last):
    ...
    kit.exceptions.PhoneError: importance must be a whole number from 1 to 5; got 6. Nothing was saved.
    """
    if not isinstance(tap, dict):
        raise PhoneError("Expected a JSON object with touchpoint_id, scorer and scores.")
    unknown = sorted(set(tap) - {"touchpoint_id", "scorer", *SCALES, *READINESS})
    if unknown:
        raise PhoneError(f"Unknown field(s): {', '.join(unknown)}. Nothing was saved.")
    touchpoint = tap.get("touchpoint_id")
    if not isinstance(touchpoint, str) or not touchpoint.strip():
        raise PhoneError("touchpoint_id must be a touchpoint's id. Nothing was saved.")
    row: dict[str, Any] = {
        "touchpoint_id": touchpoint.strip(),
        "scorer": check_name(tap.get("scorer")),
    }
    for field in SCALES:
        row[field] = _scale(tap, field, required=True)
    for field in READINESS:
        row[field] = _scale(tap, field, required=False)
    return row


def cards(workbook: Workbook, scorer: str | None = None) -> dict[str, Any]:
    """The page's data: the team's touchpoints in journey order and ``scorer``'s rows.

    Examples
    --------
    >>> import tempfile
    >>> wb = Workbook.load(tempfile.mkdtemp())
    >>> cards(wb, "Ann")
    {'team': '', 'touchpoints': [], 'mine': {}, 'fix': []}
    """
    problems = [str(p) for p in errors(workbook.problems)]
    journey = workbook["journey"]
    if "order" in journey:
        journey = journey.sort_values("order", kind="stable", na_position="last")
    touchpoints = [
        {
            "id": str(row.touchpoint_id),
            "stage": "" if pd.isna(row.stage) else str(row.stage),
            "description": "" if pd.isna(row.description) else str(row.description),
            "moment_of_truth": bool(row.moment_of_truth),
        }
        for row in journey.itertuples(index=False)
    ]
    mine: dict[str, dict[str, int | None]] = {}
    if scorer:
        scores = workbook["scores"]
        for row in scores[scores["scorer"] == scorer].itertuples(index=False):
            mine[str(row.touchpoint_id)] = {
                f: (None if pd.isna(getattr(row, f)) else int(getattr(row, f)))
                for f in (*SCALES, *READINESS)
            }
    return {"team": workbook.name, "touchpoints": touchpoints, "mine": mine, "fix": problems}


@dataclass
class _Tap:
    row: dict[str, Any]
    done: Future


class TeamDesk:
    """One team's workbook behind the phones: reads and group-committed saves, one thread.

    Parameters
    ----------
    load : callable
        Returns the team's workbook read from disk (``strict=False``).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> head = "touchpoint_id,stage,order,description,contact"
    >>> _ = (folder / "journey.csv").write_text(head + "\\nT1,Arrival,1,Desk,direct\\n")
    >>> desk = TeamDesk(lambda: Workbook.load(folder, strict=False))
    >>> tap = check_tap({"touchpoint_id": "T1", "scorer": "Ann", "importance": 4, "performance": 2})
    >>> desk.save(tap).result(timeout=30)
    ['T1']
    >>> print((folder / "scores.csv").read_text().strip())
    touchpoint_id,scorer,importance,performance,be,do,have
    T1,Ann,4,2,,,
    >>> desk.close()
    """

    def __init__(self, load: Callable[[], Workbook]):
        self._load = load
        self._workbook: Workbook | None = None
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="servekit-phone")
        self._lock = threading.Lock()
        self._pending: list[_Tap] = []
        self._queued = False
        self.saves = 0
        """How many times the workbook was saved (each save may hold many taps)."""

    def _current(self) -> Workbook:
        """The workbook as on disk now (read again only when someone else saved)."""
        if self._workbook is None or self._workbook.stale():
            self._workbook = self._load()
        return self._workbook

    def read(self, scorer: str | None = None) -> Future:
        """A future of :func:`cards` for ``scorer``."""
        return self._pool.submit(lambda: cards(self._current(), scorer))

    def save(self, row: dict[str, Any]) -> Future:
        """Queue one checked tap (:func:`check_tap`); a future of the team's touchpoint ids."""
        tap = _Tap(row, Future())
        with self._lock:
            self._pending.append(tap)
            if not self._queued:
                self._queued = True
                self._pool.submit(self._drain)
        return tap.done

    def queued(self) -> int:
        """How many taps wait for the next save."""
        with self._lock:
            return len(self._pending)

    def _drain(self) -> None:
        with self._lock:
            batch, self._pending, self._queued = self._pending, [], False
        try:
            self._commit(batch)
        except Exception as exc:  # noqa: BLE001 - every waiting phone gets the answer
            self._workbook = None
            for tap in batch:
                if not tap.done.done():
                    tap.done.set_exception(exc)

    def _commit(self, batch: list[_Tap], retry: bool = True) -> None:
        wb = self._current()
        bad = errors(wb.problems)
        if bad:
            raise TeamBlocked([str(p) for p in bad])
        ids = set(wb["journey"]["touchpoint_id"])
        live = []
        for tap in batch:
            if tap.row["touchpoint_id"] in ids:
                live.append(tap)
            else:
                tap.done.set_exception(TouchpointGone(tap.row["touchpoint_id"]))
        if not live:
            return
        scores = wb["scores"]
        newest = {(t.row["touchpoint_id"], t.row["scorer"]): t.row for t in live}  # last tap wins
        keys = list(zip(scores["touchpoint_id"], scores["scorer"], strict=True))
        keep = [k not in newest for k in keys]
        frame = pd.concat(
            [scores[keep], pd.DataFrame(list(newest.values()), columns=list(scores.columns))],
            ignore_index=True,
        )
        wb.set_tables({"scores": frame})
        try:
            wb.save(force=True)  # a clash can only be this scorer's own row: the newest tap wins
        except TeamWouldBreak as exc:  # a touchpoint was deleted between reading and saving
            self._workbook = None
            if not retry:
                raise TeamBlocked([str(p) for p in exc.errors]) from None
            self._commit(live, retry=False)
            return
        except InvalidData as exc:
            self._workbook = None
            raise TeamBlocked([str(p) for p in exc.problems]) from None
        self.saves += 1
        order = list(wb["journey"]["touchpoint_id"])
        for tap in live:
            tap.done.set_result(order)

    def close(self) -> None:
        """Stop the worker thread (after the queued work)."""
        self._pool.shutdown(wait=True)
