"""Serve the Servers workshop kit.

Logic for the workshop lives here; notebooks in ``workshops/`` only call it. Modules, one concern
each: :mod:`kit.schema` (what a table is), :mod:`kit.csvio` (reading and writing CSV safely),
:mod:`kit.workbook` (a team's tables, validated), :mod:`kit.workshop` (a workshop folder of teams),
:mod:`kit.journey`, :mod:`kit.pyramid`, :mod:`kit.scoring` (analyses), :mod:`kit.figures`
(plotly figures), :mod:`kit.orgchart` (importing real org charts), :mod:`kit.widgets`
(participant editors), :mod:`kit.report` (batch reports) and :mod:`kit.cli` (``servekit``).
"""

__version__ = "0.1.0"
