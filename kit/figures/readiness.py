"""The be/do/have readiness heatmap: how ready employees are at each touchpoint.

:func:`readiness_heatmap` takes the ``scores`` (and optionally ``journey``) tables and returns
one ``go.Figure`` with a phone variant; :func:`readiness_spec` is the same figure as a plain spec. User text is escaped with
:func:`~kit.figures.style.esc` and reaches hovers only through ``customdata``; the numbers are
written in the cells and each row's weakest kind is marked, so it reads without colour.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from kit.analyses.scoring import touchpoint_summary
from kit.figures.responsive import with_compact
from kit.figures.style import KIND_COLOURS, empty_spec, esc, layout_defaults
from kit.figures.text import wrap
from kit.formatting import number_text

__all__ = ["KIND_LABELS", "readiness_heatmap", "readiness_spec"]

KIND_LABELS: dict[str, str] = {
    kind: f"<b><span style='color:{KIND_COLOURS[kind]}'>{kind.upper()}</span></b><br>{words}"
    for kind, words in (
        ("be", "(mindset)"),
        ("do", "(skills, processes)"),
        ("have", "(tools, info, authority)"),
    )
}
_READINESS_SCALE = [[0.0, "#E3EEF9"], [0.5, "#8DBCE0"], [1.0, "#08306B"]]
"""Light to dark blue (monotone in greyscale); the lightest is still tinted, so a score of 1 is
not mistaken for an unscored (white) cell."""


def readiness_heatmap(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    title: str | None = "Readiness: what employees are, do and have",
) -> go.Figure:
    """Be/do/have readiness per touchpoint (mean of scorers, 1-5), numbers written in the cells.

    Rows follow the journey; darker is readier; each row's weakest kind is marked ``▼`` (ties:
    be before do before have), so the figure reads in greyscale.

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table (order and descriptions).
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    go.Figure
        One heatmap trace named "Readiness"; no readiness scores give a figure saying "No
        readiness scores yet".

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a"], "scorer": ["Ann"], "importance": [4],
    ...                   "performance": [3], "be": [4], "do": [2], "have": [None]})
    >>> list(readiness_heatmap(s).data[0].text[0])
    ['4', '▼ 2', '–']
    """
    return go.Figure(readiness_spec(scores, journey, title))


def readiness_spec(
    scores: pd.DataFrame,
    journey: pd.DataFrame | None = None,
    title: str | None = "Readiness: what employees are, do and have",
) -> dict:
    """:func:`readiness_heatmap` as a plain plotly spec (``{"data": [...], "layout": {...}}``).

    Plain Python lists, dicts, strings and numbers only (no numpy types), equal to what plotly's
    validation makes of it: ``go.Figure(readiness_spec(...))`` is :func:`readiness_heatmap`.
    The compact (phone) variant is in ``layout.meta``
    (:func:`kit.figures.responsive.with_compact`).

    Parameters
    ----------
    scores : pandas.DataFrame
        The ``scores`` table.
    journey : pandas.DataFrame, optional
        The ``journey`` table (order and descriptions).
    title : str, optional
        Figure title (escaped).

    Returns
    -------
    dict
        The figure's spec: one heatmap trace named "Readiness", or no trace and a note saying
        "No readiness scores yet".

    Examples
    --------
    >>> s = pd.DataFrame({"touchpoint_id": ["a"], "scorer": ["Ann"], "importance": [4],
    ...                   "performance": [3], "be": [4], "do": [2], "have": [None]})
    >>> spec = readiness_spec(s)
    >>> spec["data"][0]["type"], spec["data"][0]["z"], spec["data"][0]["text"]
    ('heatmap', [[4.0, 2.0, None]], [['4', '▼ 2', '–']])
    >>> readiness_spec(s.iloc[:0])["layout"]["annotations"][0]["text"]
    'No readiness scores yet'
    """
    summary = touchpoint_summary(scores, journey)
    summary = summary[summary["readiness"].notna()].reset_index(drop=True)
    if summary.empty:
        return empty_spec("No readiness scores yet", title)
    kinds = ["be", "do", "have"]
    z, text, custom = [], [], []
    for row in summary.itertuples(index=False):
        values = [getattr(row, kind) for kind in kinds]
        z.append([None if pd.isna(v) else float(v) for v in values])
        text.append(
            [
                "–"
                if pd.isna(v)
                else ("▼ " if kind == row.weakest else "") + number_text(round(float(v), 1), 2)
                for kind, v in zip(kinds, values, strict=True)
            ]
        )
        custom.append(
            [
                [
                    esc(row.touchpoint_id),
                    wrap(row.description, 50, 2),
                    kind.upper(),
                    "not scored" if pd.isna(v) else f"{float(v):.2f}",
                    str(int(row.scorers)),
                ]
                for kind, v in zip(kinds, values, strict=True)
            ]
        )
    wide = _readiness_build(summary, z, text, custom, title, compact=False)
    return with_compact(wide, _readiness_build(summary, z, text, custom, title, compact=True))


def _readiness_build(
    summary: pd.DataFrame, z: list, text: list, custom: list, title: str | None, *, compact: bool
) -> dict:
    kinds = ["be", "do", "have"]
    labels = [
        f"<b>{esc(row.touchpoint_id)}</b> "
        + (wrap(row.description, 12, 1) if compact else wrap(row.description, 34, 1))
        for row in summary.itertuples(index=False)
    ]
    # On a phone the three columns keep their words short: BE / DO / HAVE, key in the note.
    columns = (
        [f"<b><span style='color:{KIND_COLOURS[k]}'>{k.upper()}</span></b>" for k in kinds]
        if compact
        else [KIND_LABELS[k] for k in kinds]
    )
    # z, text and customdata are only read, so both variants share them.
    heatmap = {
        "type": "heatmap",
        "name": "Readiness",
        "z": z,
        "x": columns,
        "y": list(range(len(summary))),
        "zmin": 1,
        "zmax": 5,
        "colorscale": [list(step) for step in _READINESS_SCALE],
        "text": text,
        "texttemplate": "%{text}",
        "textfont": {"size": 12 if compact else 13},
        "customdata": custom,
        "hovertemplate": (
            "<b>%{customdata[0]}</b> %{customdata[1]}<br>%{customdata[2]}: "
            "%{customdata[3]} (mean of %{customdata[4]} scorers)<extra></extra>"
        ),
        "xgap": 3,
        "ygap": 3,
        "showscale": not compact,
        "colorbar": {"title": {"text": "ready<br>(1–5)"}, "tickvals": [1, 2, 3, 4, 5]},
    }
    layout = layout_defaults(title, height=max(300, (170 if compact else 130) + 34 * len(summary)))
    layout["xaxis"] = {"side": "top", "showline": False, "ticks": "", "tickfont": {"size": 12}}
    layout["yaxis"] = {
        "tickmode": "array",
        "tickvals": list(range(len(summary))),
        "ticktext": labels,
        "autorange": "reversed",
        "showline": False,
        "ticks": "",
    }
    # layout_defaults sets all four sides, so this replaces them as update_layout's merge did
    layout["margin"].update(
        t=(110 if compact else 130) if title else 90,
        l=130 if compact else 260,
        r=10 if compact else 30,
        b=70 if compact else 40,
    )
    note = "▼ weakest of be / do / have · – not scored"
    if compact:
        note = (
            "▼ weakest · – not scored · darker = readier<br>be = mindset, do = skills, have = tools"
        )
    layout["annotations"] = [
        {
            "text": note,
            "xref": "paper",
            "yref": "paper",
            "x": 0,
            "y": -0.02,
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 11 if not compact else 10},
        }
    ]
    return {"data": [heatmap], "layout": layout}
