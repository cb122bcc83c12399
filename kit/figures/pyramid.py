"""The upside-down pyramid figure: customers on top, executives at the narrow bottom.

:func:`pyramid_figure` draws the ``roles`` and ``serves`` tables as horizontal level bands
(widest at the top), roles as markers in the level's colour *and* symbol, and "serves" edges as
lines with an arrowhead pointing the way service flows. What the chain check flags stands out
twice over — colour and dash for edges, a ring and a legend entry for roles that do not reach a
customer — so it still reads in greyscale. A big organisation is drawn grouped by unit (or
grade) and level (:func:`kit.figures.layout.aggregate`), while the flags come from the full graph.

User text (role names, units) is escaped with :func:`~kit.figures.style.esc` and reaches hovers
only through ``customdata``.
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from kit.analyses.pyramid import ChainCheck, build_graph, chain_check
from kit.figures.labels import place_labels, text_size
from kit.figures.layout import aggregate, band_width, layered_layout
from kit.figures.responsive import NARROWEST_WIDE, with_compact
from kit.figures.stages import add_layout_items
from kit.figures.style import (
    LEVEL_COLOURS,
    LEVEL_SYMBOLS,
    PALETTE,
    empty_spec,
    esc,
    layout_defaults,
    plain_copy,
)
from kit.figures.text import wrap, wrap_plain
from kit.formatting import number_text, plural
from kit.store.schema import LEVELS

__all__ = [
    "EDGE_STYLES",
    "LEVEL_LABELS",
    "UNREACHED_COLOUR",
    "pyramid_figure",
    "pyramid_spec",
]

LEVEL_LABELS: dict[str, str] = {
    "customer": "Customers",
    "frontline": "Front line",
    "support": "Support",
    "manager": "Managers",
    "executive": "Executives",
}
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "ok": {"color": "#8C8C8C", "dash": "solid", "width": 1.2, "name": "serves"},
    "serves_down": {
        "color": PALETTE["vermillion"],
        "dash": "dash",
        "width": 2.6,
        "name": "serves the boss (down the pyramid)",
    },
    "cycle": {
        "color": PALETTE["black"],
        "dash": "dot",
        "width": 2.6,
        "name": "in a circle of serving",
    },
}
UNREACHED_COLOUR = PALETTE["vermillion"]
_MIN_SPACING = 0.26  # x units between roles (≈110 px) below which a band is staggered
_EDGE_ARROW_AT = 0.6  # where along an edge its arrowhead sits
_X_RANGE = (-1.32, 1.08)
_Y_RANGE = (-len(LEVELS) + 0.45, 0.55)


def pyramid_figure(
    roles: pd.DataFrame,
    serves: pd.DataFrame,
    *,
    title: str | None = "The upside-down pyramid",
    check: ChainCheck | None = None,
    max_nodes: int = 60,
    max_per_level: int = 16,
    by: str = "unit",
    height: int | None = None,
) -> go.Figure:
    """Draw the inverted pyramid with the chain check's findings highlighted.

    Parameters
    ----------
    roles, serves : pandas.DataFrame
        The workbook tables (not changed).
    title : str, optional
        Plain text; escaped.
    check : ChainCheck, optional
        The chain check of the *full* graph; computed when not given.
    max_nodes, max_per_level : int
        Above this many roles (in all, or in one level) the figure groups them by ``by`` and
        level (:func:`kit.figures.layout.aggregate`); marker area then shows the summed headcount, a
        hover names the group's largest role, and a group is ringed when any of its roles does
        not reach a customer.
    by : {"unit", "grade"}
        How to group a big organisation.
    height : int, optional
        Pixels (default grows with the number of roles in the busiest band).

    Returns
    -------
    plotly.graph_objects.Figure

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["g", "d", "m"], "name": ["Guest", "Desk", "Boss"],
    ...                       "level": ["customer", "frontline", "manager"],
    ...                       "headcount": [0, 4, 1]})
    >>> serves = pd.DataFrame({"from_role": ["d", "d"], "to_role": ["g", "m"]})
    >>> fig = pyramid_figure(roles, serves)
    >>> sorted(t.name for t in fig.data if t.name)[:2]
    ['Customers', 'Front line']
    >>> any(t.name.startswith("serves the boss") for t in fig.data if t.name)
    True
    >>> pyramid_figure(pd.DataFrame(), pd.DataFrame()).layout.annotations[0].text[:12]
    'No roles yet'
    """
    return go.Figure(
        pyramid_spec(
            roles,
            serves,
            title=title,
            check=check,
            max_nodes=max_nodes,
            max_per_level=max_per_level,
            by=by,
            height=height,
        )
    )


def pyramid_spec(
    roles: pd.DataFrame,
    serves: pd.DataFrame,
    *,
    title: str | None = "The upside-down pyramid",
    check: ChainCheck | None = None,
    max_nodes: int = 60,
    max_per_level: int = 16,
    by: str = "unit",
    height: int | None = None,
) -> dict:
    """:func:`pyramid_figure` as a plain plotly spec (``{"data": [...], "layout": {...}}``).

    Plain Python lists, dicts, strings and numbers only (no numpy types), equal to what plotly's
    validation makes of it: ``go.Figure(pyramid_spec(...))`` is :func:`pyramid_figure`. The
    compact (phone) variant is in ``layout.meta`` (:func:`kit.figures.responsive.with_compact`).

    Parameters
    ----------
    roles, serves, title, check, max_nodes, max_per_level, by, height
        As for :func:`pyramid_figure`.

    Returns
    -------
    dict
        The figure's spec.

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["g", "d", "m"], "name": ["Guest", "Desk", "Boss"],
    ...                       "level": ["customer", "frontline", "manager"],
    ...                       "headcount": [0, 4, 1]})
    >>> serves = pd.DataFrame({"from_role": ["d", "d"], "to_role": ["g", "m"]})
    >>> spec = pyramid_spec(roles, serves)
    >>> [t["name"] for t in spec["data"]][:3]
    ['serves', 'serves the boss (down the pyramid)', 'Customers']
    >>> spec["layout"]["meta"]["servekit"]["compact"]["layout"]["margin"]["l"]
    4
    >>> pyramid_spec(pd.DataFrame(), pd.DataFrame())["layout"]["annotations"][0]["text"][:12]
    'No roles yet'
    """
    full = build_graph(roles, serves)
    if full.number_of_nodes() == 0:
        return empty_spec("No roles yet: add roles and who serves whom to see the pyramid.", title)
    check = check if check is not None else chain_check(full)
    flags = check.flagged_edges()
    reaching = check.reaching

    agg = aggregate(roles, serves, by=by, max_nodes=max_nodes, max_per_level=max_per_level)
    group_of = dict(zip(agg.members["role_id"], agg.members["group_id"], strict=True))
    grouped = any(r != g for r, g in group_of.items())
    graph = build_graph(agg.roles, agg.serves) if grouped else full
    members: dict[str, list[str]] = {}
    for node, gid in group_of.items():
        members.setdefault(gid, []).append(node)
    cut_off = {
        gid: sum(1 for n in inside if n not in reaching and full.nodes[n]["level"] != "customer")
        for gid, inside in members.items()
    }
    edge_flag: dict[tuple[str, str], str] = {}
    for (u, v), kind in flags.items():
        key = (group_of[u], group_of[v])
        if key[0] != key[1] and edge_flag.get(key) != "serves_down":
            edge_flag[key] = kind

    # positions, with crowded bands staggered up and down
    pos = {node: (float(x), float(y)) for node, (x, y) in layered_layout(graph).items()}
    bands: dict[float, list[str]] = {}
    for node, (_, y) in pos.items():
        bands.setdefault(y, []).append(node)
    any_crowded = False
    for y, nodes in bands.items():
        nodes.sort(key=lambda n: pos[n][0])
        half = band_width(min(int(-y), len(LEVELS) - 1))
        crowded = len(nodes) > 1 and 2 * half / len(nodes) < _MIN_SPACING
        any_crowded |= crowded
        for i, node in enumerate(nodes):
            x, y = pos[node]
            if crowded:
                pos[node] = (x, y + (0.16 if i % 2 == 0 else -0.16))

    fig = {
        "data": [],
        "layout": layout_defaults(title, height=height or (700 if any_crowded else 620)),
    }
    layout = fig["layout"]
    _add_bands(fig)
    _add_edges(fig, graph, pos, edge_flag)
    sizes = _sizes(graph)
    _add_nodes(fig, graph, full, pos, sizes, members, cut_off, grouped, crowded=any_crowded)
    # Names go where they touch no other name, marker or level name, at the narrowest width
    # this variant shows (NARROWEST_WIDE); a name with no room is in the note and the hover.
    top, bottom = (60 if title else 20), 125  # room for a note of two lines (see below)
    left_out = _place_names(
        fig,
        plot=(NARROWEST_WIDE - 40, layout["height"] - top - bottom),
        x_range=_X_RANGE,
        font_size=10 if any_crowded else 11,
        band_font=12,
    )
    ringed = [n for n in graph.nodes if cut_off.get(n, 0)]
    if ringed:
        fig["data"].append(
            {
                "type": "scatter",
                "x": [pos[n][0] for n in ringed],
                "y": [pos[n][1] for n in ringed],
                "mode": "markers",
                "name": "does not reach a customer",
                "marker": {
                    "symbol": "circle-open",
                    "size": [sizes[n] + 12 for n in ringed],
                    "color": UNREACHED_COLOUR,
                    "line": {"width": 3, "color": UNREACHED_COLOUR},
                },
                "hoverinfo": "skip",
                "legendrank": 900,
            }
        )

    if grouped:
        note = (
            f"{full.number_of_nodes():,} roles shown as {graph.number_of_nodes()} groups by "
            f"{by} and level; marker area = headcount. Hover for details."
        )
    else:
        note = "Arrows point the way service flows: each role serves the one the arrow reaches."
    findings = len(check.findings)
    note += (
        f"  Chain check: {plural(findings, 'finding')}."
        if findings
        else "  Chain check: every role reaches a customer."
    )
    phone_note = note
    if left_out:
        note += "  No room to name here: " + ", ".join(left_out) + " (hover over a marker)."
    note = wrap_plain(esc(note), 120)  # fits the narrowest wide chart
    lines = note.count("<br>") + 1
    layout["annotations"].append(  # after the five level names
        {
            "text": note,
            "x": 0,
            "y": -0.02,
            "xref": "paper",
            "yref": "paper",
            "xanchor": "left",
            "yanchor": "top",
            "showarrow": False,
            "font": {"size": 11, "color": "#555555"},
        }
    )
    top, bottom = (60 if title else 20), 110 + 15 * (lines - 1)
    plot_h = layout["height"] - top - bottom
    _merge(
        layout,
        {
            "showlegend": True,
            "legend": {
                "orientation": "h",
                "yanchor": "top",
                "y": -0.07 - 15 * (lines - 1) / plot_h,  # under the note, however many lines
                "x": 0,
                "font": {"size": 11},
            },
            "margin": {"l": 20, "r": 20, "t": top, "b": bottom},
            "hoverlabel": {"align": "left"},
            "xaxis": {"visible": False, "range": list(_X_RANGE), "fixedrange": False},
            "yaxis": {"visible": False, "range": list(_Y_RANGE)},
        },
    )
    return with_compact(fig, _compact(fig, phone_note, crowded=any_crowded))


def _merge(dst: dict, src: dict) -> dict:
    """Update ``dst`` with ``src`` as plotly's ``update_layout`` does: nested dicts are merged
    (a ``margin`` with only ``l`` keeps the other sides), anything else is replaced."""
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dst.get(key), dict):
            _merge(dst[key], value)
        else:
            dst[key] = value
    return dst


def _compact(wide: dict, note: str, *, crowded: bool) -> dict:
    """The phone variant: short name labels placed where they touch no other label or marker
    (a name with no room is listed in the note; every full name is in the hover), wrapped
    note, room on the left for the level names."""
    # A copy of the wide spec (the template is only read, so it is shared, not copied).
    fig = {
        "data": plain_copy(wide["data"]),
        "layout": {
            key: value if key == "template" else plain_copy(value)
            for key, value in wide["layout"].items()
        },
    }
    layout = fig["layout"]
    height = (layout.get("height") or 620) + 140
    top = layout.get("margin", {}).get("t") or 20
    x_range = (-1.62, 1.12)
    plot_h = height - top - 220
    left_out = _place_names(
        fig,
        plot=(322, plot_h),
        x_range=x_range,
        font_size=10,
        band_font=10,
        label=lambda name: wrap(name, width=11, lines=2),
    )
    if left_out:
        note += "  No room to name here: " + ", ".join(left_out) + " (tap a marker)."
    notes = layout["annotations"]  # the spec's own annotations, changed in place
    wrapped = wrap_plain(esc(note), 52)
    _merge(notes[-1], {"text": wrapped, "font": {"size": 10}})
    for band in notes[:-1]:
        _merge(band, {"font": {"size": 10}})
    # The legend goes under the note, however many lines the note takes.
    below = (wrapped.count("<br>") + 1) * 14 + 14
    _merge(
        layout,
        {
            "height": height - 220 + below + 150,
            "legend": {"font": {"size": 10}, "y": -below / plot_h},
            "margin": {"l": 4, "r": 4, "b": below + 150},
            "xaxis": {"range": list(x_range)},
        },
    )
    return fig


def _place_names(
    fig: dict,
    *,
    plot: tuple[float, float],
    x_range: tuple[float, float],
    font_size: float,
    band_font: float,
    label: Any = None,
) -> list[str]:
    """Give every role marker a name position that touches no other name, marker or level
    name, for a plot area of ``plot`` pixels; return the full names that found no room.

    ``label(name)`` makes a marker's text from its full name (default: keep the text it has).
    """
    plot_w, plot_h = plot

    def px(x: float, y: float) -> tuple[float, float]:
        return (
            (x - x_range[0]) / (x_range[1] - x_range[0]) * plot_w,
            (_Y_RANGE[1] - y) / (_Y_RANGE[1] - _Y_RANGE[0]) * plot_h,
        )

    reserved = []  # the level names written left of each band
    for note in fig["layout"].get("annotations", ()):
        if note.get("xref") in (None, "x") and note.get("xanchor") == "right":
            w, h = text_size(note["text"], band_font)
            x, y = px(note["x"], note["y"])
            reserved.append((x - w, y - h / 2, x, y + h / 2))
    named = [
        t
        for t in fig["data"]
        if t.get("mode") == "markers+text" and t.get("customdata") is not None
    ]
    points, owners = [], []
    for ti, trace in enumerate(named):
        sizes = trace.get("marker", {}).get("size")
        sizes = sizes if isinstance(sizes, list | tuple) else [sizes or 10] * len(trace["x"])
        for i, (x, y) in enumerate(zip(trace["x"], trace["y"], strict=True)):
            full = html.unescape(trace["customdata"][i][0])
            text = label(full) if label else trace["text"][i]
            points.append((*px(x, y), float(sizes[i]) / 2, text))
            owners.append((ti, i, full))
    spots = place_labels(
        points, width=plot_w, height=plot_h, font_size=font_size, reserved=reserved, pad=2
    )
    texts = [[""] * len(t["x"]) for t in named]
    where = [["bottom center"] * len(t["x"]) for t in named]
    left_out = []
    for (ti, i, full), point, spot in zip(owners, points, spots, strict=True):
        if spot:
            texts[ti][i], where[ti][i] = point[3], spot
        else:
            left_out.append(full)
    for ti, trace in enumerate(named):
        trace["text"], trace["textposition"] = texts[ti], where[ti]
        trace["textfont"] = {"size": font_size, "color": "#222222"}
    return left_out


def _add_bands(fig: dict) -> None:
    shapes, notes = [], []
    for rank, level in enumerate(LEVELS):
        half = band_width(rank) + 0.06
        shapes.append(
            dict(
                type="rect",
                x0=-half,
                x1=half,
                y0=-rank - 0.45,
                y1=-rank + 0.45,
                fillcolor=LEVEL_COLOURS[level],
                opacity=0.10,
                line={"width": 0},
                layer="below",
            )
        )
        notes.append(
            dict(
                text=f"<b>{LEVEL_LABELS[level]}</b>",
                x=-half - 0.02,
                y=-rank,
                xanchor="right",
                showarrow=False,
                font={"size": 12, "color": "#333333"},
            )
        )
    add_layout_items(fig, shapes, notes)


def _add_edges(fig: dict, graph, pos, edge_flag) -> None:
    traces = []
    for kind, style in EDGE_STYLES.items():
        xs: list[float | None] = []
        ys: list[float | None] = []
        arrow_sizes: list[int] = []
        arrows = 0
        for u, v in graph.edges:
            if u == v or edge_flag.get((u, v), "ok") != kind:
                continue
            (x0, y0), (x1, y1) = pos[u], pos[v]
            if graph.has_edge(v, u):  # a pair serving each other: draw two parallel lines
                x0, y0, x1, y1 = _side_step(x0, y0, x1, y1)
            xm, ym = x0 + (x1 - x0) * _EDGE_ARROW_AT, y0 + (y1 - y0) * _EDGE_ARROW_AT
            xs += [x0, xm, x1, None]
            ys += [y0, ym, y1, None]
            arrow_sizes += [0, 15 if kind != "ok" else 11, 0, 0]
            arrows += 1
        if not arrows:
            continue
        traces.append(
            {
                "type": "scatter",
                "x": xs,
                "y": ys,
                "mode": "lines+markers",
                "name": style["name"],
                "line": {"color": style["color"], "dash": style["dash"], "width": style["width"]},
                "marker": {
                    "symbol": "arrow",
                    "angleref": "previous",
                    "size": arrow_sizes,
                    "color": style["color"],
                },
                "hoverinfo": "skip",
                "legendrank": 800 if kind != "ok" else 700,
            }
        )
    fig["data"].extend(traces)


def _side_step(x0: float, y0: float, x1: float, y1: float) -> tuple[float, ...]:
    """Shift a line sideways (to its left, in screen proportions) so a reverse twin is apart."""
    sx, sy = 2.4, 5.0  # data units across the plot, roughly the aspect of the drawing area
    dx, dy = (x1 - x0) / sx, (y1 - y0) / sy
    length = math.hypot(dx, dy) or 1.0
    off = 0.012
    ox, oy = -dy / length * off * sx, dx / length * off * sy
    return x0 + ox, y0 + oy, x1 + ox, y1 + oy


def _sizes(graph) -> dict[str, float]:
    heads = {n: max(float(graph.nodes[n]["headcount"]), 0.0) for n in graph.nodes}
    top = max(heads.values(), default=0.0)
    sizes = {}
    for node, head in heads.items():
        if graph.nodes[node]["level"] == "customer":
            sizes[node] = 26.0
        elif top <= 0:
            sizes[node] = 16.0
        else:
            sizes[node] = 10.0 + 30.0 * math.sqrt(head / top)
    return sizes


def _largest(full, inside: list[str]) -> str:
    biggest = max(inside, key=lambda n: (full.nodes[n]["headcount"], str(n)))
    name = full.nodes[biggest]["name"]
    if len(inside) == 1:
        return f"role: {esc(name)}"
    return (
        f"largest role: {esc(name)} ({number_text(full.nodes[biggest]['headcount'], grouped=True)})"
    )


def _add_nodes(fig, graph, full, pos, sizes, members, cut_off, grouped, crowded) -> None:
    by_level: dict[str, list[str]] = {}
    for node in graph.nodes:
        by_level.setdefault(graph.nodes[node]["level"] or "", []).append(node)
    levels = [lv for lv in LEVELS if lv in by_level] + [lv for lv in by_level if lv not in LEVELS]
    width = 14 if crowded else 18
    traces = []
    for level in levels:
        nodes = by_level[level]
        custom = []
        labels = []
        for node in nodes:
            attrs = graph.nodes[node]
            count = len(members.get(node, [node]))
            off = cut_off.get(node, 0)
            status = (
                "reaches a customer"
                if not off
                else (
                    f"{off} of {count} roles do not reach a customer"
                    if count > 1
                    else "does not reach a customer"
                )
            )
            where = attrs["unit"] or attrs["grade"] or ""
            custom.append(
                [
                    esc(attrs["name"]),
                    LEVEL_LABELS.get(level, esc(level) or "no level"),
                    esc(where),
                    number_text(attrs["headcount"], grouped=True),
                    plural(count, "role") if grouped else esc(node),
                    status,
                    _largest(full, members.get(node, [node])) if grouped else f"id {esc(node)}",
                ]
            )
            label = wrap(attrs["name"], width=width, lines=2)
            if grouped and level != "customer":
                label += f"<br><i>{number_text(attrs['headcount'], grouped=True)}</i>"
            labels.append(label)
        traces.append(
            {
                "type": "scatter",
                "x": [pos[n][0] for n in nodes],
                "y": [pos[n][1] for n in nodes],
                "mode": "markers+text",
                "name": LEVEL_LABELS.get(level, esc(level) or "no level"),
                "text": labels,
                "textposition": "bottom center",  # moved clear of the others by _place_names
                "textfont": {"size": 10 if crowded else 11, "color": "#222222"},
                "marker": {
                    "symbol": LEVEL_SYMBOLS.get(level, "circle-x"),
                    "color": LEVEL_COLOURS.get(level, PALETTE["grey"]),
                    "size": [sizes[n] for n in nodes],
                    "line": {"width": 1, "color": "white"},
                },
                "customdata": custom,
                "hovertemplate": (
                    "<b>%{customdata[0]}</b><br>%{customdata[1]} · %{customdata[2]}"
                    "<br>headcount %{customdata[3]} · %{customdata[4]}"
                    "<br>%{customdata[6]}<br>%{customdata[5]}<extra></extra>"
                ),
                "legendrank": 100 + (LEVELS.index(level) if level in LEVELS else 9),
            }
        )
    fig["data"].extend(traces)
