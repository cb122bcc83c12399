"""The projector's view of phone scoring: per team, who is scoring, how far, and where they
disagree most (drawn into each team's dashboard tile by :mod:`kit.room.dashboard`).

The dashboard re-reads a team when its files change, so a tap saved from a phone shows on the
projector at the next refresh. Scorer names are user text: escaped (markupsafe).

Examples
--------
>>> journey = pd.DataFrame({"touchpoint_id": ["T1", "T2"], "description": ["Desk", "Room"]})
>>> scores = pd.DataFrame({"touchpoint_id": ["T1", "T2", "T1"], "scorer": ["Ann", "Ann", "<b>"],
...                        "importance": [5, 4, 1], "performance": [2, 2, 2]})
>>> print(scoring_html(scores, journey))
<div class="sk-dash-scoring"><b>2 scoring</b> · 3 of 4 scores (75%) · Ann 2/2, &lt;b&gt; 1/2<br>Most disagreement: T1 Desk (spread 4)</div>
"""

from __future__ import annotations

import pandas as pd
from markupsafe import Markup

from kit.analyses.scoring.scorers import scorer_progress, widest_spreads
from kit.formatting import shorten
from kit.store.terminal import printable

__all__ = ["MAX_NAMES", "scoring_html"]

MAX_NAMES = 8
"""Scorers named on a tile; the rest are counted."""


def scoring_html(scores: pd.DataFrame, journey: pd.DataFrame) -> Markup:
    """One tile line: scorers, scores given of those expected, each scorer's count, and (with
    two scorers or more) the touchpoints with the widest spread.

    Examples
    --------
    >>> one = pd.DataFrame({"touchpoint_id": ["T1"], "scorer": ["Ann"], "importance": [3],
    ...                     "performance": [3]})
    >>> print(scoring_html(one, pd.DataFrame({"touchpoint_id": ["T1"], "description": ["D"]})))
    <div class="sk-dash-scoring"><b>1 scoring</b> · 1 of 1 scores (100%) · Ann 1/1</div>
    >>> scoring_html(one.iloc[:0], pd.DataFrame({"touchpoint_id": ["T1"]}))
    Markup('')
    """
    progress = scorer_progress(scores, journey)
    if progress.empty:
        return Markup("")
    of = int(progress["of"].iloc[0])
    done, total = int(progress["scored"].sum()), of * len(progress)
    names = ", ".join(
        f"{printable(shorten(r.scorer, 24))} {r.scored}/{r.of}"
        for r in progress.head(MAX_NAMES).itertuples()
    )
    if len(progress) > MAX_NAMES:
        names += f" and {len(progress) - MAX_NAMES} more"
    line = Markup("<b>{} scoring</b> · {} of {} scores ({}%) · {}").format(
        len(progress), done, total, round(100 * done / total) if total else 0, names
    )
    if len(progress) >= 2:
        spreads = widest_spreads(scores, journey)
        if spreads.empty:
            line += Markup("<br>No disagreement yet: the scorers give the same ratings.")
        else:
            parts = [
                f"{r.touchpoint_id} {printable(shorten(r.description, 40))} (spread {int(r.spread)})".replace(
                    "  ", " "
                )
                for r in spreads.itertuples()
            ]
            line += Markup("<br>Most disagreement: {}").format(" · ".join(parts))
    return Markup('<div class="sk-dash-scoring">{}</div>').format(line)
