"""Serve the Servers workshop kit.

Logic for the workshop lives here; notebooks in ``workshops/`` only call it. Modules, one concern
each: :mod:`kit.store.schema` (what a table is), :mod:`kit.store.csvio` (reading and writing CSV safely),
:mod:`kit.store.workbook` (a team's tables, validated), :mod:`kit.store.workshop` (a workshop folder of teams),
:mod:`kit.analyses.journey`, :mod:`kit.analyses.pyramid`, :mod:`kit.analyses.scoring` (analyses), :mod:`kit.figures`
(plotly figures), :mod:`kit.analyses.orgchart` (importing real org charts), :mod:`kit.widgets`
(participant editors), :mod:`kit.report` (batch reports) and :mod:`kit.cli` (``servekit``).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
