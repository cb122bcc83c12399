"""Figures: pure functions from workbook tables to plotly ``go.Figure`` objects.

One function returns one figure, like ``plotly.express``. Every piece of user text that reaches a
label or hover passes through :func:`kit.figures.style.esc` (plotly renders a subset of HTML in
text, so ``<b>`` typed by a participant would otherwise become markup). Colours come from
:data:`kit.figures.style.PALETTE` (Okabe-Ito: colour-blind safe) and are always paired with a
second cue (marker symbol, dash or text) so a greyscale print still reads.
"""

__all__: list[str] = []
