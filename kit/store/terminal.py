"""User text on a terminal: nothing a team typed may move the cursor, clear or reorder the screen.

:func:`safe_text` shows control characters (C0, C1 — ``ESC[2J`` clears a screen) and Unicode
format characters (category ``Cf``: the bidi controls U+202A–U+202E and U+2066–U+2069 that
reverse what follows, zero-width joiners, soft hyphens…) as visible ``\\xNN`` / ``\\uNNNN``
escapes, and cuts very long text with its length.

Examples
--------
>>> print(safe_text("Night" + chr(0x202E) + "tfihs"))
Night\\u202etfihs
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata

from kit.store.problems import Problem

__all__ = [
    "CONTROL",
    "clean",
    "printable",
    "safe_text",
]

_LONG = 120


def safe_text(text: str, limit: int | None = _LONG) -> str:
    r"""User text safe for a terminal: control and format characters escaped, long text cut.

    Format characters include the bidi controls (U+202A–U+202E, U+2066–U+2069) that reorder
    what follows them.

    Examples
    --------
    >>> safe_text("a" + chr(27) + "[2J" + chr(0x202E) + "b")
    'a\\x1b[2J\\u202eb'
    >>> safe_text("x" * 300)[-25:]
    '… (300 characters in all)'
    """
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cc":
            out.append(f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")
        elif category in ("Cf", "Zl", "Zp"):
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    shown = "".join(out)
    if limit is not None and len(text) > limit:
        shown = shown[:limit] + f"… ({len(text)} characters in all)"
    return shown


CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
"""Control characters: never printed raw (a team's text could hold terminal escapes)."""


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters shown as ``\\xNN`` escapes, and
    format characters (the bidi controls that reverse what follows) as ``\\uNNNN``.

    Examples
    --------
    >>> print(printable("Night" + chr(27) + "[31m shift"))
    Night\\x1b[31m shift
    """
    return safe_text(text, limit=None)


def clean(problem: Problem) -> Problem:
    """The problem with every control character in its path, column and message escaped.

    Examples
    --------
    >>> print(clean(Problem("f.csv", 1, "n" + chr(7), "unknown column")))
    f.csv:1:n\\x07: unknown column
    """
    return dataclasses.replace(
        problem,
        path=printable(problem.path),
        column=None if problem.column is None else printable(problem.column),
        message=printable(problem.message),
    )
