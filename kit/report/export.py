"""Executed notebook → self-contained, offline HTML report; HTML → A4 PDF with headless Chromium.

The HTML comes from nbconvert's in-process :class:`~nbconvert.HTMLExporter` (a fraction of the
cost of the ``jupyter nbconvert`` command) with servekit's own template
(``kit/templates/servekit``): code, prompts, warnings and errors are left out, and nothing is
loaded from the network — nbconvert's stock templates fetch require.js and MathJax from a CDN,
this one has no external ``<script>`` or ``<link>`` at all (:func:`kit.testing.external_references`
checks).

plotly.js: inline, once per file (the default)
----------------------------------------------
Every report needs plotly.js (``plotly.min.js``, 4.8 MB, bundled with the ``plotly`` package). Two
ways were measured on the four sample teams:

* **inline** — each ``<slug>.html`` carries its own copy: ≈ 5.0 MB per report (1.5 MB
  gzipped); 24 teams ≈ 119 MB.
* **shared** — one ``assets/plotly.min.js`` (4.8 MB) per batch and 0.14–0.16 MB per report;
  24 teams ≈ 8.5 MB.

Inline is the default because a report is something a coach *sends*: as an e-mail attachment or
on a USB stick it must open on its own, offline, with nothing next to it. Shared
(``plotlyjs="shared"``) suits a batch published as one folder (an intranet share); the index
and every report then point at the one local copy.

Examples
--------
>>> import nbformat
>>> nb = nbformat.v4.new_notebook()
>>> nb.cells = [nbformat.v4.new_markdown_cell("# Hello <b>team</b>")]
>>> page = notebook_html(nb, title="A & B", plotlyjs="none")
>>> "<title>A &amp; B</title>" in page, "https://" in page
(True, False)
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Literal

from kit.exceptions import PdfError
from kit.report.display import PLOTLYJS_MARK, plotlyjs_html
from kit.store.clock import today

__all__ = [
    "CHROMIUM_FLAGS",
    "CHROMIUM_QUIET",
    "EXPORTER_OPTIONS",
    "PLOTLYJS_ASSET",
    "PlotlyJs",
    "REPORT_TEMPLATE",
    "TEMPLATES",
    "find_chromium",
    "has_figures",
    "html_exporter",
    "notebook_html",
    "notebook_json",
    "print_pdf",
    "report_css",
    "version",
    "write_file",
    "write_plotlyjs_asset",
]

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
REPORT_TEMPLATE = "servekit"
PLOTLYJS_ASSET = "assets/plotly.min.js"
PlotlyJs = Literal["inline", "shared", "none"]

CHROMIUM_QUIET = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
"""Debian's Chromium, headless and quiet: no sandbox (containers), no GPU, no network chatter of
its own (updates, sync, first-run pages). Also what the browser tests and benchmarks launch."""
CHROMIUM_FLAGS = (*CHROMIUM_QUIET, "--no-pdf-header-footer", "--window-size=1280,1024")
"""Flags for printing: :data:`CHROMIUM_QUIET`, no header/footer, and a window wide enough that
charts are drawn at the report's full screen width (then scaled to A4)."""


def version() -> str:
    """The installed servekit version (``"dev"`` when not installed).

    Examples
    --------
    >>> bool(version())
    True
    """
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as _version

    try:
        return _version("servekit")
    except PackageNotFoundError:  # pragma: no cover - running from a checkout
        return "dev"


@functools.cache
def report_css() -> str:
    """The report stylesheet (screen and A4 print).

    Examples
    --------
    >>> "@page" in report_css()
    True
    """
    return (TEMPLATES / REPORT_TEMPLATE / "report.css").read_text(encoding="utf-8")


_PLOTLYJS_SLOT = "<!--servekit:plotly.js-->"
"""Where the page's inline plotly.js goes (:func:`notebook_html`)."""


@functools.cache
def _plotlyjs_inline() -> str:
    return plotlyjs_html()


@functools.cache
def html_exporter() -> Any:
    """The HTML exporter with servekit's template (created once per process, then reused).

    Examples
    --------
    >>> html_exporter().template_name
    'servekit'
    """
    return _report_exporter_class()(**EXPORTER_OPTIONS)


EXPORTER_OPTIONS: dict[str, Any] = {
    "template_name": REPORT_TEMPLATE,
    "extra_template_basedirs": [str(TEMPLATES)],
    "exclude_input": True,
    "exclude_input_prompt": True,
    "exclude_output_prompt": True,
    "anchor_link_text": "",
    # no empty '<a class="anchor-link" … />' after each heading: a browser reads '<a />' as an
    # opening tag and puts the rest of the section, charts included, inside the link
    "exclude_anchor_links": True,
}
"""How :func:`html_exporter` configures nbconvert's HTML exporter."""


@functools.cache
def _report_exporter_class() -> type:
    """nbconvert's HTML exporter without its last pass over the page.

    :meth:`nbconvert.HTMLExporter.from_notebook_node` ends by parsing the rendered page with
    BeautifulSoup to give ``<img>`` elements without one an ``alt`` and the cells of a
    ``.jp-Notebook`` a ``tabindex``, then writes the page out again. The report template has
    neither (``tests/test_report.py`` checks that the pass changes nothing), and the
    pass was two thirds of a team's export: this class renders the template the same way and
    stops there.
    """
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        def from_notebook_node(self, nb: Any, resources: Any = None, **kw: Any) -> Any:
            info = nb.metadata.get("language_info", {})
            lexer = info.get("pygments_lexer", info.get("name"))
            highlight = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            data_types = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight)
            self.register_filter("filter_data_type", data_types)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


_NOT_SHOWN = ("application/vnd.plotly.v1+json", "application/vnd.jupyter.widget-view+json")


def _for_export(nb: Any) -> Any:
    """A light copy of ``nb`` holding only what the page shows.

    Outputs that carry plotly.js (the template adds it once) and plotly's JSON (the page uses
    the HTML next to it) are left out, so nbconvert's own deep copy of the notebook is cheap.
    The original notebook is not changed; strings are shared, not copied.
    """
    from nbformat import NotebookNode

    cells = []
    for cell in nb.cells:
        copy_ = NotebookNode({k: v for k, v in cell.items() if k != "outputs"})
        if "outputs" in cell:
            outputs = []
            for out in cell.outputs:
                if PLOTLYJS_MARK in out.get("metadata", {}):
                    continue
                out = NotebookNode(dict(out))
                if "data" in out:
                    out["data"] = NotebookNode(
                        {k: v for k, v in out["data"].items() if k not in _NOT_SHOWN}
                    )
                outputs.append(out)
            copy_["outputs"] = outputs
        cells.append(copy_)
    return NotebookNode(
        {
            "nbformat": nb.nbformat,
            "nbformat_minor": nb.nbformat_minor,
            "metadata": nb.metadata,
            "cells": cells,
        }
    )


def has_figures(nb: Any) -> bool:
    """True when some output of ``nb`` is a plotly figure.

    Examples
    --------
    >>> import nbformat
    >>> has_figures(nbformat.v4.new_notebook())
    False
    """
    return any(
        "application/vnd.plotly.v1+json" in out.get("data", {})
        for cell in nb.cells
        for out in cell.get("outputs", [])
    )


def notebook_html(
    nb: Any,
    *,
    title: str,
    plotlyjs: PlotlyJs = "inline",
    plotlyjs_src: str = PLOTLYJS_ASSET,
    language: str = "en",
    footer: str | None = None,
) -> str:
    """Render an executed notebook as one report page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed report notebook.
    title : str
        Plain-text page title (escaped here).
    plotlyjs : {"inline", "shared", "none"}
        Put plotly.js in the page, refer to ``plotlyjs_src`` next to it, or leave it out (a
        page with no figures never gets it).
    plotlyjs_src : str
        Relative URL of the shared copy (``plotlyjs="shared"``).
    language : str
        ``lang`` of the page.
    footer : str, optional
        Plain-text footer (default: "Report generated by servekit … on <date>").

    Returns
    -------
    str
        The HTML page.

    Examples
    --------
    >>> import nbformat
    >>> page = notebook_html(nbformat.v4.new_notebook(), title="T")
    >>> "plotly.js v" in page   # no figures: no plotly.js
    False
    """
    figures = has_figures(nb)
    nb = _for_export(nb)
    if footer is None:
        footer = f"Report generated by servekit {version()} on {today().isoformat()}."
    resources = {
        "servekit": {
            "title": title,
            "css": report_css(),
            "version": version(),
            "language": language,
            "footer": footer,
            "plotlyjs": _PLOTLYJS_SLOT if figures and plotlyjs == "inline" else "",
            "plotlyjs_src": plotlyjs_src if figures and plotlyjs == "shared" else "",
        }
    }
    body, _ = html_exporter().from_notebook_node(nb, resources=resources)
    # plotly.js (4.8 MB) goes in after nbconvert, which parses and rewrites the whole page
    # with BeautifulSoup (two thirds of the export's time when the page held plotly.js). User
    # text cannot hold the slot: every '<' of it is escaped.
    return body.replace(_PLOTLYJS_SLOT, _plotlyjs_inline(), 1) if figures else body


def notebook_json(nb: Any) -> str:
    """An executed notebook as the text of an ``.ipynb`` file, in one line.

    :func:`nbformat.writes` indents the JSON (which takes Python's slow encoder: 40 ms for a
    team report's 0.7 MB of figures) and validates the notebook it was just given; this writes
    the same notebook, unindented, with keys sorted as nbformat does. JupyterLab and
    :func:`nbformat.read` open it as they open any notebook.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("é")])
    >>> nbformat.reads(notebook_json(nb), as_version=4) == nb
    True
    >>> notebook_json(nb).count("\\n")
    0
    """
    import json

    return json.dumps(nb, ensure_ascii=False, sort_keys=True)


def write_file(path: Path | str, data: str | bytes) -> Path:
    """Write ``path`` atomically (temporary file beside it, then ``os.replace``).

    A reader — or a run killed half-way — sees the old file or the new one, never a torn one.
    Unlike :func:`tempfile.mkstemp`'s private 0600 files, the result gets the usual permissions
    (0666 minus the umask): reports are meant to be shared. (See :func:`kit.store.csvio.atomic_write`.)

    Examples
    --------
    >>> import tempfile
    >>> target = write_file(Path(tempfile.mkdtemp()) / "a.html", "<p>hi</p>")
    >>> target.read_text(), oct(target.stat().st_mode & 0o777) in {"0o644", "0o664", "0o666"}
    ('<p>hi</p>', True)
    """
    from kit.store.csvio import atomic_write

    path = Path(path)
    atomic_write(path, data)
    return path


def write_plotlyjs_asset(out: Path) -> Path:
    """Write the shared plotly.js copy (``OUT/assets/plotly.min.js``) unless it is current.

    Examples
    --------
    >>> import tempfile
    >>> write_plotlyjs_asset(Path(tempfile.mkdtemp())).name
    'plotly.min.js'
    """
    from plotly.offline import get_plotlyjs

    target = Path(out) / PLOTLYJS_ASSET
    text = get_plotlyjs()
    if not target.is_file() or target.stat().st_size != len(text.encode("utf-8")):
        target.parent.mkdir(parents=True, exist_ok=True)
        write_file(target, text)
    return target


def find_chromium() -> str | None:
    """Path of a Chromium (or Chrome) binary, or ``None``.

    ``$SERVEKIT_CHROMIUM`` wins; then ``chromium``, ``chromium-browser``, ``google-chrome``.

    Examples
    --------
    >>> find_chromium() is None or Path(find_chromium()).exists()
    True
    """
    env = os.environ.get("SERVEKIT_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(
    html_path: Path | str,
    pdf_path: Path | str,
    *,
    chromium: str | None = None,
    timeout: float = 120,
    budget_ms: int = 5000,
) -> Path:
    """Print an HTML file to an A4 PDF with headless Chromium (written atomically).

    The page size comes from the report's CSS (``@page { size: A4 }``). A fresh, throw-away
    Chromium profile is used for every page, so no state or lock is shared between workers.

    Parameters
    ----------
    html_path : path-like
        The page (opened as ``file://``; relative assets next to it work).
    pdf_path : path-like
        Where the PDF goes.
    chromium : str, optional
        The browser binary (default: :func:`find_chromium`).
    timeout : float
        Seconds before giving up.
    budget_ms : int
        Virtual time the page gets to run its scripts (charts) before printing.

    Returns
    -------
    Path
        ``pdf_path``.

    Raises
    ------
    PdfError
        No Chromium, or it failed or produced an empty file.

    Examples
    --------
    >>> print_pdf("report.html", "report.pdf")   # doctest: +SKIP
    PosixPath('report.pdf')
    """
    chromium = chromium or find_chromium()
    if chromium is None:
        raise PdfError(
            "no Chromium found for --pdf; install it (apt-get install chromium) or "
            "set SERVEKIT_CHROMIUM to the browser's path"
        )
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path)
    tmp_pdf = pdf_path.with_name(f".{pdf_path.name}.{os.getpid()}.tmp")
    with tempfile.TemporaryDirectory(prefix="sk-chromium-") as profile:
        command = [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--virtual-time-budget={budget_ms}",
            f"--print-to-pdf={tmp_pdf}",
            html_path.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as exc:
            tmp_pdf.unlink(missing_ok=True)
            raise PdfError(
                f"Chromium did not finish printing {html_path.name} in {timeout:g} s"
            ) from exc
    if done.returncode != 0 or not tmp_pdf.is_file() or tmp_pdf.stat().st_size == 0:
        tmp_pdf.unlink(missing_ok=True)
        detail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
        raise PdfError(
            f"Chromium could not print {html_path.name} (exit {done.returncode}: {detail[0]})"
        )
    os.replace(tmp_pdf, pdf_path)
    return pdf_path
