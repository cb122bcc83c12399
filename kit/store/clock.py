"""Today's date, from one place: the computer's calendar, or ``SERVEKIT_TODAY`` when it is set.

Everything in the kit that asks "what day is it?" (a result dated after today is refused, the
follow-up looks from today, a new workshop is dated today, a calendar starts today) calls
:func:`today`. Setting ``SERVEKIT_TODAY=YYYY-MM-DD`` pins the day for a whole process and the
kernels it starts: tests use it, and so can a facilitator replaying a session.

Examples
--------
>>> import os
>>> os.environ[TODAY_ENV] = "2026-12-07"
>>> today()
datetime.date(2026, 12, 7)
>>> del os.environ[TODAY_ENV]
>>> today() == dt.date.today()
True
"""

from __future__ import annotations

import datetime as dt
import os

from kit.exceptions import InvalidData
from kit.store.problems import Problem

__all__ = ["TODAY_ENV", "today"]

TODAY_ENV = "SERVEKIT_TODAY"
"""The environment variable that pins today's date (``YYYY-MM-DD``); unset or blank: the clock."""


def today() -> dt.date:
    """Today's date: ``SERVEKIT_TODAY`` when it is set, else the computer's date.

    Returns
    -------
    datetime.date

    Raises
    ------
    kit.exceptions.InvalidData
        When ``SERVEKIT_TODAY`` is set to something that is not a date.

    Examples
    --------
    >>> import os
    >>> os.environ[TODAY_ENV] = "next week"
    >>> today()
    Traceback (most recent call last):
    ...
    kit.exceptions.InvalidData: SERVEKIT_TODAY: got 'next week'; expected a date written YYYY-MM-DD
    >>> del os.environ[TODAY_ENV]
    """
    text = os.environ.get(TODAY_ENV, "").strip()
    if not text:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidData(
            [Problem(TODAY_ENV, None, None, f"got {text!r}; expected a date written YYYY-MM-DD")]
        ) from None
