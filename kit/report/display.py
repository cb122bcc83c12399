"""How the report notebooks show figures, tables and text — in JupyterLab and when run headless.

Under papermill, plotly's default renderer emits only ``application/vnd.plotly.v1+json``, which
JupyterLab draws but nbconvert's HTML export drops, so a report built with ``papermill`` and
``jupyter nbconvert --to html`` would have no charts. :func:`setup` installs the ``servekit``
renderer, which emits **both** the plotly JSON (JupyterLab draws it natively) and an HTML
``<div>`` + ``Plotly.newPlot`` script (what nbconvert keeps). The div ids are deterministic
(``<prefix>-fig-1``, ``-2`` …), so the same data gives byte-identical reports.

The HTML needs plotly.js on the page. ``setup(embed_plotlyjs=True)`` (the default, for the plain
``papermill`` + ``nbconvert`` route) displays plotly.js once at the top of the notebook;
``servekit report`` passes ``embed_plotlyjs=False`` and its own template adds plotly.js instead
(:mod:`kit.report.export`), which keeps the executed notebooks small.

Text: :func:`say` shows HTML built by :mod:`kit.report.story` (a :class:`markupsafe.Markup`, whose
user text is already escaped); anything else given to it is escaped as plain text. :func:`table`
escapes every cell.

Examples
--------
>>> import plotly.graph_objects as go
>>> setup(embed_plotlyjs=False, figure_prefix="Blue & Gold")
>>> bundle = figure_bundle(go.Figure(go.Bar(y=[1, 2])))
>>> sorted(bundle)
['application/vnd.plotly.v1+json', 'text/html']
>>> 'id="blue-gold-fig-1"' in bundle["text/html"]
True
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from kit.store.teamnames import slugify

PLOTLY_MIME = "application/vnd.plotly.v1+json"
RENDERER = "servekit"
PLOTLYJS_MARK = "servekit-plotlyjs"
"""Output metadata key marking the output that carries plotly.js (the exporter drops it)."""

FIGURE_CONFIG: dict[str, Any] = {
    "displaylogo": False,
    "responsive": True,
    "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
    "toImageButtonOptions": {"format": "png", "scale": 2},
}
"""plotly config of every report figure: no logo, resizes with the page, PNG download."""


_PLOTLY_BOX = re.compile(
    r'^<div style="height:(?P<height>[^;"]*); width:(?P<width>[^;"]*);">(?P<inside>.*?)'
    r'class="plotly-graph-div" style="height:100%; width:100%;"',
    re.S,
)


def chart_box(html: str) -> str:
    """plotly's HTML for a chart with the chart's own box carrying its size.

    :func:`plotly.io.to_html` puts the chart in a wrapper of fixed height (the figure's
    ``layout.height``) and makes the chart fill it. When the page gives the chart another height
    (the phone variant of :mod:`kit.figures.responsive`, set by the report template's script),
    the chart grew out of that wrapper and drew over the text below it. Here the wrapper has no
    size of its own and the chart's box has the figure's: whatever height the chart is given, the
    figure box (``.sk-figure``) follows it. HTML of another shape is returned as it is.

    Examples
    --------
    >>> import plotly.io as pio
    >>> html = pio.to_html({"data": [], "layout": {"height": 680}}, include_plotlyjs=False,
    ...                    full_html=False, div_id="c")
    >>> boxed = chart_box(html)
    >>> boxed.startswith("<div>")
    True
    >>> 'id="c" class="plotly-graph-div" style="height:680px; width:100%;"' in boxed
    True
    >>> chart_box("<p>not a chart</p>")
    '<p>not a chart</p>'
    """
    return _PLOTLY_BOX.sub(
        lambda m: (
            f'<div>{m["inside"]}class="plotly-graph-div" '
            f'style="height:{m["height"]}; width:{m["width"]};"'
        ),
        html,
        count=1,
    )


class _State:
    prefix = "fig"
    count = 0


def figure_bundle(fig: Any) -> dict[str, Any]:
    """The MIME bundle of one figure: plotly JSON for JupyterLab plus HTML for nbconvert.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure or dict
        The figure.

    Returns
    -------
    dict
        ``{"application/vnd.plotly.v1+json": …, "text/html": "<div …>…</div>"}``.

    Examples
    --------
    >>> import plotly.graph_objects as go
    >>> setup(embed_plotlyjs=False, figure_prefix="t")
    >>> b = figure_bundle(go.Figure())
    >>> b["text/html"].startswith('<div class="sk-figure">')
    True
    """
    import plotly.io as pio

    fig_dict = fig.to_dict() if hasattr(fig, "to_dict") else dict(fig)
    _State.count += 1
    div_id = f"{_State.prefix}-fig-{_State.count}"
    body = chart_box(
        pio.to_html(
            fig_dict,
            config=FIGURE_CONFIG,
            include_plotlyjs=False,
            include_mathjax=False,
            full_html=False,
            div_id=div_id,
            validate=False,
        )
    )
    plotly_json = {
        "data": fig_dict.get("data", []),
        "layout": fig_dict.get("layout", {}),
        "config": FIGURE_CONFIG,
    }
    if fig_dict.get("frames"):
        plotly_json["frames"] = fig_dict["frames"]
    return {PLOTLY_MIME: plotly_json, "text/html": f'<div class="sk-figure">{body}</div>'}


def _register() -> None:
    import plotly.io as pio
    from plotly.io._base_renderers import MimetypeRenderer

    if RENDERER in pio.renderers:
        return

    class ServekitRenderer(MimetypeRenderer):
        """plotly renderer emitting the plotly JSON *and* an HTML div (see module doc)."""

        def to_mimebundle(self, fig_dict: dict[str, Any]) -> dict[str, Any]:
            return figure_bundle(fig_dict)

    pio.renderers[RENDERER] = ServekitRenderer()


def plotlyjs_html() -> str:
    """``<script>`` elements carrying the bundled plotly.js (≈ 4.8 MB), for offline pages.

    Examples
    --------
    >>> len(plotlyjs_html()) > 1_000_000
    True
    """
    from plotly.offline import get_plotlyjs

    return (
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
        f'<script charset="utf-8">{get_plotlyjs()}</script>'
    )


def setup(*, embed_plotlyjs: bool = True, figure_prefix: str = "fig", quiet: bool = True) -> None:
    """Prepare a notebook for report output (call once, in the first code cell).

    Parameters
    ----------
    embed_plotlyjs : bool
        Display plotly.js once, so that ``jupyter nbconvert --to html`` output draws the charts
        with no network. ``servekit report`` passes False (its template adds plotly.js).
    figure_prefix : str
        Start of the figures' div ids (slugified), e.g. the team's slug.
    quiet : bool
        Hide Python warnings: a report goes to a client as it is.

    Examples
    --------
    >>> setup(embed_plotlyjs=False)
    >>> import plotly.io as pio
    >>> pio.renderers.default
    'servekit'
    """
    import plotly.io as pio

    _register()
    pio.renderers.default = RENDERER
    _State.prefix = slugify(figure_prefix, fallback="fig")
    _State.count = 0
    if quiet:
        warnings.simplefilter("ignore")
    if embed_plotlyjs:
        from IPython.display import display

        display({"text/html": plotlyjs_html()}, raw=True, metadata={PLOTLYJS_MARK: True})


def show(*figures: Any) -> None:
    """Display figures (each as plotly JSON + HTML; see :func:`figure_bundle`).

    ``None`` entries are skipped, so ``show(maybe_figure)`` needs no ``if``.

    Examples
    --------
    >>> show(None)   # nothing to show
    """
    from IPython.display import display

    for fig in figures:
        if fig is not None:
            display(figure_bundle(fig), raw=True)


def say(*parts: Any) -> None:
    """Display text: :class:`markupsafe.Markup` as HTML, anything else escaped.

    Examples
    --------
    >>> say()   # nothing to show
    """
    from IPython.display import display

    markup = Markup("").join(
        p if isinstance(p, Markup) else Markup("<p>{}</p>").format(p)
        for p in parts
        if p is not None and p != ""
    )
    if markup:
        display({"text/html": str(markup)}, raw=True)


def table(
    rows: Iterable[Mapping[str, Any]] | Any,
    columns: Mapping[str, str] | None = None,
    *,
    caption: str | None = None,
    numeric: Iterable[str] = (),
    empty: str = "Nothing here yet.",
) -> Markup:
    """An HTML table with every cell escaped, in a box that scrolls sideways when it is too wide.

    A table wider than the page (a phone, a long word) scrolls inside its box
    (``.sk-table-wrap``); the page itself never scrolls sideways.

    Parameters
    ----------
    rows : iterable of mappings, or pandas.DataFrame
        The rows.
    columns : mapping, optional
        ``{key: heading}`` in display order (default: every key of the first row).
    caption : str, optional
        Plain-text caption.
    numeric : iterable of str
        Keys right-aligned as numbers.
    empty : str
        Text shown when there are no rows.

    Returns
    -------
    markupsafe.Markup

    Examples
    --------
    >>> print(table([{"a": "<b>", "n": 2}], {"a": "Text", "n": "N"}, numeric=["n"]))
    <div class="sk-table-wrap"><table class="sk-table"><thead><tr><th>Text</th><th class="num">N</th></tr></thead><tbody><tr><td>&lt;b&gt;</td><td class="num">2</td></tr></tbody></table></div>
    """
    if hasattr(rows, "to_dict"):
        rows = rows.to_dict("records")
    rows = list(rows)
    if not rows:
        return Markup('<p class="sk-empty">{}</p>').format(empty)
    columns = dict(columns or {key: key for key in rows[0]})
    numeric = set(numeric)

    def cls(key: str) -> Markup:
        return Markup(' class="num"') if key in numeric else Markup("")

    head = Markup("").join(Markup("<th{}>{}</th>").format(cls(k), v) for k, v in columns.items())
    body = Markup("").join(
        Markup("<tr>{}</tr>").format(
            Markup("").join(
                Markup("<td{}>{}</td>").format(cls(k), table_cell(row.get(k))) for k in columns
            )
        )
        for row in rows
    )
    cap = Markup("<caption>{}</caption>").format(caption) if caption else Markup("")
    return Markup(
        '<div class="sk-table-wrap"><table class="sk-table">{}<thead><tr>{}</tr></thead>'
        "<tbody>{}</tbody></table></div>"
    ).format(cap, head, body)


def progress_bar(share: Any) -> Markup:
    """A small bar for the share of the way to a target (CSS ``.sk-bar``), empty when unknown.

    The one bar of the team report's results and the follow-up page; the width is clamped to
    0–100 %, the title says the unclamped share.

    Examples
    --------
    >>> print(progress_bar(0.456))
    <div class="sk-bar" title="46% of the way"><span style="width:46%"></span></div>
    >>> print(progress_bar(1.5))
    <div class="sk-bar" title="150% of the way"><span style="width:100%"></span></div>
    >>> str(progress_bar(float("nan"))), str(progress_bar(None))
    ('', '')
    """
    try:
        if share is None or share != share:  # NaN, NA
            return Markup("")
    except (TypeError, ValueError):
        return Markup("")
    return Markup('<div class="sk-bar" title="{}"><span style="width:{}%"></span></div>').format(
        f"{round(100 * share)}% of the way", max(0, min(100, round(100 * share)))
    )


def table_cell(value: Any) -> str | Markup:
    """Text of one table cell: blanks for missing values, numbers tidied, markup kept.

    See Also
    --------
    kit.store.validation.cell_text : the text a CSV cell or form field holds.
    kit.formatting.cell_text : stripped text, ``""`` when missing.

    Examples
    --------
    >>> [table_cell(v) for v in (None, float("nan"), 2.0, 2.25, "x")]
    ['', '', '2', '2.25', 'x']
    """
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    try:
        if value != value:  # NaN, NA
            return ""
    except (TypeError, ValueError):
        return ""
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value)


__all__ = [
    "FIGURE_CONFIG",
    "Markup",
    "chart_box",
    "escape",
    "figure_bundle",
    "plotlyjs_html",
    "progress_bar",
    "say",
    "setup",
    "show",
    "table",
    "table_cell",
]
