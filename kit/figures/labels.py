"""Point labels that never sit on a line, a marker or each other.

Plotly writes a scatter point's text at a fixed position around its marker and does not move
it out of the way. :func:`place_labels` picks, for every point, the first of eight positions
around it whose estimated box (in pixels, for a given plot size) stays inside the plot and
clear of the given lines, every marker, the boxes already placed and any reserved box (such as a
corner title). A point with no free position gets no label (``None``): its text stays in the
hover and the caller lists it in a note. Text sizes are estimated on the generous side (a
character 0.62 of the font size wide, a line 1.3 of it high), so real text fits in its box.

Examples
--------
Two points 20 px apart on a row: the first label goes above, the second cannot go above
(it would touch the first), so it goes below.

>>> spots = place_labels([(100, 100, 6, "T01"), (120, 100, 6, "T02")],
...                      width=300, height=200, font_size=11)
>>> spots
['top center', 'bottom center']
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "Box",
    "CHAR_WIDTH",
    "GAP",
    "LINE_HEIGHT",
    "POSITIONS",
    "label_box",
    "overlaps",
    "place_labels",
    "text_size",
]

POSITIONS: tuple[str, ...] = (
    "top center",
    "bottom center",
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
)
CHAR_WIDTH = 0.62
LINE_HEIGHT = 1.3
GAP = 3.0
"""Pixels between a marker's edge and its label."""

Box = tuple[float, float, float, float]
"""(left, top, right, bottom) in pixels, y downwards."""


def text_size(text: str, font_size: float) -> tuple[float, float]:
    """Estimated (width, height) in pixels of plotly text with ``<br>`` line breaks.

    Examples
    --------
    >>> text_size("T01, T02<br>T03", 10)
    (49.6, 26.0)
    """
    lines = text.replace("<b>", "").replace("</b>", "").split("<br>")
    longest = max(len(line) for line in lines)
    return (
        round(longest * CHAR_WIDTH * font_size, 2),
        round(len(lines) * LINE_HEIGHT * font_size, 2),
    )


def label_box(x: float, y: float, radius: float, size: tuple[float, float], where: str) -> Box:
    """The box a label of ``size`` takes at position ``where`` around a marker at (x, y).

    Examples
    --------
    >>> label_box(100, 100, 5, (20, 10), "top center")
    (90.0, 82.0, 110.0, 92.0)
    """
    w, h = size
    d = radius + GAP
    vertical, horizontal = where.split()
    if vertical == "top":
        top = y - d - h if horizontal == "center" else y - h - d / 2
    elif vertical == "bottom":
        top = y + d if horizontal == "center" else y + d / 2
    else:
        top = y - h / 2
    if horizontal == "center":
        left = x - w / 2
    elif horizontal == "right":
        left = x + d
    else:
        left = x - d - w
    return (float(left), float(top), float(left + w), float(top + h))


def overlaps(a: Box, b: Box) -> bool:
    """Do two boxes share any area?

    Examples
    --------
    >>> overlaps((0, 0, 10, 10), (5, 5, 15, 15)), overlaps((0, 0, 10, 10), (10, 0, 20, 10))
    (True, False)
    """
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(
    points: Sequence[tuple[float, float, float, str]],
    *,
    width: float,
    height: float,
    font_size: float,
    vertical_lines: Sequence[float] = (),
    horizontal_lines: Sequence[float] = (),
    reserved: Sequence[Box] = (),
    pad: float = 0.0,
) -> list[str | None]:
    """A text position for every point, or ``None`` where no position is free.

    Parameters
    ----------
    points : sequence of (x, y, radius, text)
        Marker centres in plot pixels (origin top left, y down), marker radius and label text.
    width, height : float
        Size of the plot area in pixels; labels must stay inside it.
    font_size : float
        Label font size in pixels.
    vertical_lines, horizontal_lines : sequence of float
        Pixel positions of lines no label may cross (a crosshair).
    reserved : sequence of Box
        Boxes no label may touch (titles written in the plot).
    pad : float
        Extra pixels kept clear around every label (for charts whose labels sit close to
        each other above and below, where plotly's line spacing adds a little to the estimate).

    Returns
    -------
    list of str or None
        Plotly ``textposition`` values (see :data:`POSITIONS`), in the order of ``points``.

    Examples
    --------
    A point on a vertical line cannot be labelled above or below it (the label would sit on
    the line), so its label goes to the right.

    >>> place_labels([(100, 100, 6, "T03")], width=300, height=200, font_size=11,
    ...              vertical_lines=[100])
    ['middle right']

    With ``pad`` the labels keep a distance: two labels 24 px apart no longer both fit above.

    >>> place_labels([(100, 100, 6, "T01"), (124, 100, 6, "T02")], width=300, height=200,
    ...              font_size=11)
    ['top center', 'top center']
    >>> place_labels([(100, 100, 6, "T01"), (124, 100, 6, "T02")], width=300, height=200,
    ...              font_size=11, pad=2)
    ['top center', 'bottom center']
    """
    blocked: list[Box] = list(reserved)
    for x in vertical_lines:
        blocked.append((x - 2, -1e9, x + 2, 1e9))
    for y in horizontal_lines:
        blocked.append((-1e9, y - 2, 1e9, y + 2))
    for x, y, radius, _ in points:
        blocked.append((x - radius, y - radius, x + radius, y + radius))
    # Crowded points first: a label with fewer free spots should choose before its neighbours.
    order = sorted(
        range(len(points)), key=lambda i: (-len(points[i][3]), points[i][1], points[i][0])
    )
    spots: list[str | None] = [None] * len(points)
    for i in order:
        x, y, radius, text = points[i]
        size = text_size(text, font_size)
        for where in POSITIONS:
            box = label_box(x, y, radius, size, where)
            box = (box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad)
            inside = box[0] >= -pad and box[1] >= -pad and box[2] <= width + pad
            inside = inside and box[3] <= height + pad
            if inside and not any(overlaps(box, other) for other in blocked):
                spots[i] = where
                blocked.append(box)
                break
    return spots
