"""Flip a real organisation chart into the upside-down pyramid.

A conventional org chart says who *reports to* whom. The workshop turns it upside down: a
manager *serves* the people who report to them, the people at the ends of the chart (nobody
reports to them) serve the customer, and a customer role is added on top. :func:`flip` does that
on a tidy chart table; :func:`read_generic` and :func:`read_uk_organogram` read the two supported
file formats into that table, and :func:`write_tables` writes the result into a team folder as
the workbook's ``roles.csv`` and ``serves.csv``.

The chart table (``CHART_COLUMNS``) has one row per post: ``id``, ``title``, ``reports_to``
(blank or a top marker such as ``XX`` for the top post), ``headcount``, ``unit``, ``grade``, and
optionally ``file`` and ``row`` (the spreadsheet row, header = row 1) used in messages.

How posts become roles (:func:`flip`):

- every post becomes one role with the same id, its title as name and its headcount;
- a post with nobody above it (the top) is ``executive``; a post that others report to is
  ``manager``; a post that nobody reports to is ``frontline`` — or ``support`` when
  ``customer_facing_units`` is given and its unit matches none of them (a lone top post with
  nobody reporting to it counts as one of these ends);
- each reporting line ``report -> manager`` becomes the edge ``manager serves report``;
- a role ``customer`` ("Customers") is added, and every frontline role serves it.

What stops an import (:class:`OrgChartError`, every problem listed with file, row and column): a
missing column, a blank id, an id used twice (generic format), a headcount that is not a
non-negative number, a reports-to id that is not in the file (unless ``attach_unknown``), and
reporting lines that go round in a circle.

What is imported with a warning (never silently): zero or blank headcount (kept as 0), posts
whose manager is not in the file (with ``attach_unknown``: placed under a 0-FTE placeholder role
that reports to the top post), several top posts, blank titles, and for UK organograms also
vacant or eliminated posts (kept with their published FTE, "(vacant)" added to the name), FTE
published as ``N/D`` (counted as 0), and repeated post ids (see :func:`read_uk_organogram`).

People's names are never imported: the pyramid is made of roles.

Where each part lives: :mod:`kit.analyses.orgchart.model` (the chart table, :class:`Flipped`,
:class:`OrgChartError`, shared helpers), :mod:`kit.analyses.orgchart.flip` (:func:`flip`, one function per
phase), :mod:`kit.analyses.orgchart.read` (the generic HR export, and CSV reading shared by both
formats), :mod:`kit.analyses.orgchart.uk` (the UK government organogram pair), :mod:`kit.analyses.orgchart.write`
(:func:`write_tables`, :func:`unflip`). Import everything from :mod:`kit.analyses.orgchart`.

Examples
--------
>>> import pandas as pd
>>> chart = pd.DataFrame({"id": ["boss", "clerk"], "title": ["Owner", "Clerk"],
...                       "reports_to": ["", "boss"], "headcount": [1, 2]})
>>> flip(chart).serves.values.tolist()
[['boss', 'clerk'], ['clerk', 'customer']]
"""

from kit.analyses.orgchart.flip import flip
from kit.analyses.orgchart.model import (
    CHART_COLUMNS,
    CUSTOMER_ID,
    CUSTOMER_NAME,
    NOT_DISCLOSED,
    TOP_MARKERS,
    Flipped,
    matches_units,
    unique_id,
)
from kit.analyses.orgchart.read import GENERIC_HEADERS, detect_columns, read_generic
from kit.analyses.orgchart.uk import UK_JUNIOR, UK_SENIOR, read_uk_organogram
from kit.analyses.orgchart.write import unflip, write_tables

__all__ = [
    "CHART_COLUMNS",
    "CUSTOMER_ID",
    "CUSTOMER_NAME",
    "GENERIC_HEADERS",
    "NOT_DISCLOSED",
    "TOP_MARKERS",
    "UK_JUNIOR",
    "UK_SENIOR",
    "Flipped",
    "detect_columns",
    "flip",
    "matches_units",
    "read_generic",
    "read_uk_organogram",
    "unflip",
    "unique_id",
    "write_tables",
]
