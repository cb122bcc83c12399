"""The kit's one vocabulary for turning values into text.

Every module that shows a value asks here (or :mod:`kit.store.cells` for reading cells):

=====================  =====================================================================
is this cell missing   :func:`kit.store.cells.is_missing` (re-exported here)
cell → text            :func:`cell_text` (stripped text, ``""`` when missing); two uses
                       need more: the text a CSV cell or a form field holds
                       (:func:`kit.store.validation.cell_text`: ``true``, ``4``, ISO dates) and a
                       report table cell (:func:`kit.report.display.table_cell`: markup kept,
                       numbers tidied)
number → text          :func:`number_text` (``4`` not ``4.0``, ``—`` when missing)
shorten a label        :func:`shorten` (one line, ellipsis)
wrap a label           :func:`wrap_lines` (at most N lines; :func:`kit.figures.text.wrap`
                       escapes and joins them for plotly)
slug                   :func:`kit.store.teamnames.slugify` (a team's folder name)
escape                 :func:`escape` (markupsafe) and :func:`markup` (a template of ours,
                       every argument escaped)
isolate plain text     :func:`isolate` (a name inside a longer plain-text line, where no
                       ``<bdi>`` can go: a page title, a printed header)
be/do/have labels      :data:`kit.store.schema.KIND_LABELS`
=====================  =====================================================================

plus small prose helpers for reports: :func:`plural`, :func:`percent`, :func:`list_words`,
:func:`join`.

Examples
--------
>>> number_text(4.0), shorten("Check-in at the front desk", 12)
('4', 'Check-in at…')
>>> str(markup("<b>{}</b>", "<i>x</i>"))
'<b>&lt;i&gt;x&lt;/i&gt;</b>'
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup, escape

from kit.store.cells import is_missing
from kit.store.cells import text as cell_text

__all__ = [
    "Markup",
    "cell_text",
    "escape",
    "is_missing",
    "isolate",
    "join",
    "list_words",
    "markup",
    "number_text",
    "percent",
    "plural",
    "shorten",
    "wrap_lines",
]


def markup(template: str, *args: Any, **kwargs: Any) -> Markup:
    """``Markup(template).format(...)``: the template is ours, every argument is escaped.

    Examples
    --------
    >>> str(markup("<p>{}</p>", "a & b"))
    '<p>a &amp; b</p>'
    """
    return Markup(template).format(*args, **kwargs)


def join(parts: Iterable[Any], sep: str = "") -> Markup:
    """Join fragments (text is escaped, Markup kept).

    Examples
    --------
    >>> str(join(["<a>", Markup("<br>")], " "))
    '&lt;a&gt; <br>'
    """
    return Markup(sep).join(parts)


def number_text(value: Any, digits: int = 1, *, grouped: bool = False) -> str:
    """A number for prose: ``4`` not ``4.0``; ``—`` when missing; ``1,250`` when ``grouped``.

    Examples
    --------
    >>> number_text(4.0), number_text(3.25), number_text(7.8, 2), number_text(float("nan"))
    ('4', '3.2', '7.8', '—')
    >>> number_text(11.254, 2), number_text(-0.001, 2)
    ('11.25', '0')
    >>> number_text(1250.0, grouped=True), number_text(12345.67, grouped=True)
    ('1,250', '12,345.7')
    """
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "—"
    if math.isnan(number) or math.isinf(number):
        return "—"
    comma = "," if grouped else ""
    if number.is_integer():
        return f"{int(number):{comma}}"
    text = f"{number:{comma}.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def percent(part: float, whole: float) -> str:
    """``part`` of ``whole`` as a whole percentage (``—`` when ``whole`` is 0).

    Examples
    --------
    >>> percent(1, 3), percent(1, 0)
    ('33%', '—')
    """
    return f"{round(100 * part / whole)}%" if whole else "—"


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 stage``, ``2 stages`` (or the given plural).

    Examples
    --------
    >>> plural(1, "stage"), plural(3, "moment of truth", "moments of truth")
    ('1 stage', '3 moments of truth')
    """
    return f"{n} {one if n == 1 else (many or one + 's')}"


def list_words(items: list[Any]) -> Markup:
    """``a``, ``a and b``, ``a, b and c`` — items escaped unless already Markup.

    Examples
    --------
    >>> str(list_words(["a", "<b>", "c"]))
    'a, &lt;b&gt; and c'
    """
    items = [i if isinstance(i, Markup) else escape(i) for i in items]
    if not items:
        return Markup("")
    if len(items) == 1:
        return items[0]
    return join(items[:-1], ", ") + Markup(" and ") + items[-1]


def shorten(value: Any, width: int = 48, *, at_word: bool = False) -> str:
    """Plain one-line text cut to ``width`` characters with an ellipsis (``""`` when missing).

    The one way the kit shortens a label: dropdown entries, chart notes, the projector. A whole
    number reads ``4``, not ``4.0``. With ``at_word`` the cut falls between words (and drops a
    trailing comma or colon), for text read from afar.

    Examples
    --------
    >>> shorten("Check-in at the front desk with a smile", 20), shorten(None), shorten(4.0)
    ('Check-in at the fro…', '', '4')
    >>> shorten("Check-in queue at the desk", 12, at_word=True)
    'Check-in…'
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(cell_text(value).split())
    if len(text) <= width:
        return text
    cut = text[: max(width - 1, 0)]
    if at_word:
        cut = cut.rsplit(" ", 1)[0].rstrip(",;:")
    return cut.rstrip() + "…"


def wrap_lines(value: Any, width: int = 14, lines: int = 3) -> list[str]:
    """Plain text wrapped into at most ``lines`` lines of ``width`` (ellipsis where cut).

    A word longer than the line is shortened with an ellipsis rather than broken mid-word.

    Examples
    --------
    >>> wrap_lines("Guest books a room on the website", width=12, lines=2)
    ['Guest books', 'a room on…']
    >>> wrap_lines(None)
    ['']
    """
    text = " ".join(cell_text(value).split())
    width = max(width, 1)
    parts = textwrap.wrap(text, width=width, break_long_words=False) or [""]
    cut = len(parts) > lines
    parts = parts[:lines]
    for i, part in enumerate(parts):
        if len(part) > width or (cut and i == len(parts) - 1):
            parts[i] = part[: width - 1].rstrip() + "…"
    return parts


def isolate(text: str) -> str:
    """``text`` between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE (U+2068 … U+2069).

    A right-to-left override in a team's name then reverses only the name, not the rest of the
    line it is joined into (a page's title, the header printed on every PDF page). HTML keeps
    using ``<bdi>``; this is for plain text, where there are no elements.

    Examples
    --------
    >>> isolate("Night\u202etfihs") + " — Demo"
    '\u2068Night\u202etfihs\u2069 — Demo'
    """
    return f"\u2068{text}\u2069"
