"""Label text for plotly figures: user text escaped and wrapped into ``<br>``-joined lines.

:func:`wrap` escapes raw user text and wraps it onto at most N lines (the line breaking is
:func:`kit.formatting.wrap_lines`); :func:`wrap_plain` breaks text that is already escaped. Every
figure module wraps its labels, hovers and notes with these two.
"""

from __future__ import annotations

from typing import Any

from kit.figures.style import esc
from kit.formatting import wrap_lines

__all__ = ["wrap", "wrap_plain"]


def wrap(value: Any, width: int = 14, lines: int = 3) -> str:
    """Wrap user text into at most ``lines`` escaped lines joined by ``<br>``.

    Parameters
    ----------
    value : Any
        User text (missing becomes ``""``).
    width : int
        Characters per line.
    lines : int
        Maximum number of lines; longer text ends with an ellipsis.

    Returns
    -------
    str
        Escaped text, safe for a plotly label.

    Examples
    --------
    >>> wrap("Check-in at the <b>desk</b>", width=16)
    'Check-in at the<br>&lt;b&gt;desk&lt;/b&gt;'
    >>> wrap("Guest books a room on the website", width=12, lines=2)
    'Guest books<br>a room on…'
    >>> wrap("Zimmerreservierungsbestätigung bei Ankunft", width=12)
    'Zimmerreser…<br>bei Ankunft'
    """
    return "<br>".join(esc(part) for part in wrap_lines(value, width, lines))


def wrap_plain(text: str, width: int) -> str:
    """Break already-escaped text into ``<br>``-joined lines of at most ``width`` characters.

    Examples
    --------
    >>> wrap_plain("one two three four", 9)
    'one two<br>three<br>four'
    """
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)
