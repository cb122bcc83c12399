"""A team's report in plain language: the :class:`Story` facade and one module per section.

:class:`Story` loads one team of a workshop and, section by section, returns

* HTML fragments (:class:`markupsafe.Markup`) that explain the team's results in plain words —
  every piece of user text goes through :func:`kit.formatting.markup`, which escapes it;
* the section's figures from :mod:`kit.figures` (``None`` when the data is not there yet).

Nothing here computes an analysis (that is :mod:`kit.analyses.journey`, :mod:`kit.analyses.pyramid`,
:mod:`kit.analyses.scoring`, :mod:`kit.analyses.followup`); a half-finished team gets a report that says what is
missing and how to add it, never an error.

Where each section lives
------------------------
* :mod:`kit.report.story.cover` — cover and at-a-glance numbers;
* :mod:`kit.report.story.journey` — journey and blueprint;
* :mod:`kit.report.story.pyramid` — the upside-down pyramid and its chain check;
* :mod:`kit.report.story.scores` — importance-performance, priorities, be/do/have readiness;
* :mod:`kit.report.story.plan` — the internal service plan and results against target;
* :mod:`kit.report.story.reflections` — action-plan answers and notes on the data;
* :mod:`kit.report.story.blocks` — callouts, "not there yet" notes, touchpoint labels;
* :mod:`kit.report.story.story` — the facade (how to add a section is written there).

Examples
--------
>>> import tempfile, pathlib
>>> ws = pathlib.Path(tempfile.mkdtemp())
>>> team = ws / "teams" / "x"; team.mkdir(parents=True)
>>> _ = (team / "team.yaml").write_text("name: '<b>X</b>'\\nmembers: [Ann]\\n")
>>> story = Story.load(ws, "x")
>>> "&lt;b&gt;X&lt;/b&gt;" in story.cover()
True
>>> story.journey_figure() is None          # nothing mapped yet: no empty chart
True
"""

from __future__ import annotations

from kit.report.story.blocks import LEVEL_WORDS, WHERE, callout, missing, tp_label
from kit.report.story.story import Story, section

__all__ = ["LEVEL_WORDS", "WHERE", "Story", "callout", "missing", "section", "tp_label"]
