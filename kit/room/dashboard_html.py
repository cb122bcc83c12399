"""HTML for the projector dashboard (:mod:`kit.room.dashboard`): big type, inline SVG charts, escaped.

Everything here builds :class:`markupsafe.Markup` with ``Markup.format``, so every team name,
touchpoint id, description and validation message is escaped on the way in. The small charts are
plain SVG (a polyline and circles): a widget's HTML cannot run plotly's script, and 60 tiny SVGs
cost microseconds to draw and nothing to load.

Examples
--------
>>> svg = journey_svg([("T1", -2, False), ("T<2>", 2, True)])
>>> svg.count("<circle"), "T&lt;2&gt;" in svg
(2, True)
"""

from __future__ import annotations

import re
import time
from typing import Any

from markupsafe import Markup

from kit.analyses.progress import STEPS
from kit.formatting import shorten
from kit.store.teamnames import natural_key

__all__ = [
    "CSS",
    "MARKS",
    "QUADRANT_COLOURS",
    "ago",
    "board_html",
    "ipa_svg",
    "journey_svg",
    "name_html",
    "tile_html",
]

MARKS = {"done": "✓", "started": "…", "not started": "–"}
QUADRANT_COLOURS = {
    "Concentrate here": "#d1495b",
    "Keep up the good work": "#2e8b57",
    "On the line": "#1d2330",
    "Low priority": "#8a8f98",
    "Possible overkill": "#e0a100",
}
CSS = Markup("""<style>
.sk-dash { font-family: system-ui, "Segoe UI", Roboto, sans-serif; font-size: 22px;
  color: #1d2330; line-height: 1.35; width: 0; min-width: 100%; }
.sk-dash-head { display: flex; align-items: baseline; gap: 0 24px; margin: 4px 0 10px; }
.sk-dash h1 { font-size: 32px; margin: 0; min-width: 0; white-space: nowrap; overflow: hidden;
  text-overflow: ellipsis; }
.sk-dash h2 { font-size: 30px; margin: 28px 0 10px; border-bottom: 3px solid #e3e6ec; }
.sk-dash-sub { color: #5b6372; font-size: 22px; margin: 0; flex: none; }
.sk-dash-status { font-size: 22px; color: #5b6372; margin-left: 20px; }
.sk-dash-button button, button.sk-dash-button { font-size: 22px !important; }
.sk-dash-row { display: flex; gap: 36px; flex-wrap: wrap; align-items: flex-start; }
.sk-dash-row > div { flex: 1 1 520px; min-width: 0; }
.sk-dash-row > .sk-dash-progress { flex: 1 1 760px; }
.sk-dash-row > .sk-dash-edits { flex: 1 1 400px; }
.sk-dash table { border-collapse: collapse; width: 100%; }
.sk-dash th, .sk-dash td { padding: 6px 10px; border-bottom: 1px solid #e3e6ec; text-align: left;
  vertical-align: top; }
.sk-dash td { font-size: inherit; }
.sk-dash th { color: #5b6372; font-size: 20px; }
.sk-dash td.mark { text-align: center; font-size: 28px; font-weight: 700; }
.sk-dash .done { color: #2e8b57; } .sk-dash .started { color: #d08c00; }
.sk-dash .not-started { color: #a3a9b4; } .sk-dash td.broken { color: #d1495b; }
.sk-dash-edits ul { list-style: none; padding: 0; margin: 0; }
.sk-dash-edits li { padding: 6px 0; border-bottom: 1px solid #eef0f4; overflow-wrap: anywhere; }
.sk-dash-prio { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 300px), 1fr));
  gap: 18px; }
.sk-dash-prio > div { background: #f6f7fa; border-radius: 10px; padding: 10px 16px; min-width: 0;
  overflow-wrap: anywhere; }
.sk-dash td:first-child { overflow-wrap: anywhere; }
.sk-dash-prio ol { margin: 6px 0 0; padding-left: 30px; }
.sk-dash-bar { display: inline-block; height: 20px; background: #3b6fd8; border-radius: 4px;
  vertical-align: middle; margin-right: 8px; }
.sk-dash bdi { unicode-bidi: isolate; }
.sk-dash-name { overflow-wrap: normal; word-break: normal; hyphens: manual; }
.sk-dash-name .w { display: inline-block; max-width: 100%; overflow: hidden; white-space: nowrap;
  text-overflow: ellipsis; vertical-align: top; }
.sk-dash-scroll { overflow-x: auto; width: 0; min-width: 100%; }
.sk-dash-progress th, .sk-dash-progress td { padding: 6px 8px; }
.sk-dash-progress td:first-child { overflow-wrap: normal; }
.sk-dash-progress td:first-child .w { max-width: 10em; }
.sk-dash-tiles { display: grid; gap: 10px;
  grid-template-columns: repeat(var(--sk-cols, 4), minmax(0, 1fr)); }
.sk-dash-tiles.many { grid-template-columns: repeat(auto-fill, minmax(280px, 1fr)); }
.sk-dash-tile { border: 2px solid #e3e6ec; border-radius: 12px; padding: 6px 12px; min-width: 0;
  font-size: 18px; line-height: 1.3; }
.sk-dash-tile h3 { font-size: 22px; line-height: 1.15; margin: 0 0 4px; display: -webkit-box;
  -webkit-box-orient: vertical; -webkit-line-clamp: 2; overflow: hidden; }
.sk-dash-tile.broken { border-color: #d1495b; background: #fff3f4; }
.sk-dash-tile p { margin: 0; }
.sk-dash-msg { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 18px;
  color: #9b1c2c; white-space: pre-wrap; overflow-wrap: anywhere; margin: 4px 0 0;
  display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; overflow: hidden; }
.sk-dash-charts { display: flex; gap: 10px; align-items: flex-end; }
.sk-dash-charts figure { margin: 0; flex: none; }
.sk-dash-charts p { flex: 1 1 0; min-width: 0; margin: 0; }
.sk-dash-charts figure p { overflow-wrap: normal; }
.sk-dash-charts svg { display: block; }
.sk-dash-charts figcaption { font-size: 18px; color: #5b6372; white-space: nowrap; }
.sk-dash-steps b { display: block; font-size: 30px; line-height: 1.2; }
.sk-dash-steps b.done { color: #2e8b57; }
.sk-dash-last, .sk-dash-tile .sk-dash-scoring { font-size: 18px; margin-top: 2px;
  overflow: hidden; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 1;
  overflow-wrap: anywhere; }
.sk-dash-last { color: #5b6372; }
.sk-dash-scoring { font-size: 18px; margin-top: 8px; overflow-wrap: anywhere; }
.sk-dash-empty { color: #5b6372; font-style: italic; }
@media (min-width: 1800px) { .sk-dash-charts svg.journey { width: 220px; height: 94px; }
  .sk-dash-charts svg.ipa { width: 94px; height: 94px; } .sk-dash-tile h3 { font-size: 26px; } }
@media (max-width: 1000px) { .sk-dash-tiles { grid-template-columns: repeat(auto-fill,
  minmax(min(100%, 300px), 1fr)); } .sk-dash-head { flex-wrap: wrap; }
  .sk-dash h1 { white-space: normal; } .sk-dash-sub { flex: 1 1 100%; } }
</style>""")


def journey_svg(curve: list[tuple[str, int, bool]], width: int = 140, height: int = 60) -> Markup:
    """The guest's emotion along the journey (-2..2), moments of truth as big orange dots."""
    if not curve:  # in the chart's place and size, so a tile's row keeps its layout
        return Markup('<p class="sk-dash-empty" style="width: {}px">no journey yet</p>').format(
            width
        )
    pad = 8
    step = (width - 2 * pad) / max(len(curve) - 1, 1)

    def y(emotion: int) -> float:
        return pad + (2 - max(-2, min(2, emotion))) / 4 * (height - 2 * pad)

    xy = [(pad + i * step, y(e)) for i, (_, e, _) in enumerate(curve)]
    line = " ".join(f"{x:.1f},{yy:.1f}" for x, yy in xy)
    dots = Markup("").join(
        Markup(
            '<circle cx="{:.1f}" cy="{:.1f}" r="{}" fill="{}"><title>{}: {}</title></circle>'
        ).format(x, yy, 7 if mot else 4, "#e07b00" if mot else "#3b6fd8", tp, e)
        for (x, yy), (tp, e, mot) in zip(xy, curve, strict=True)
    )
    return Markup(
        '<svg class="sk-dash-svg journey" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'role="img" aria-label="journey curve"><rect width="{w}" height="{h}" fill="#fafbfc"/>'
        '<line x1="0" x2="{w}" y1="{z:.1f}" y2="{z:.1f}" stroke="#c9ced8" stroke-dasharray="4 3"/>'
        '<polyline points="{line}" fill="none" stroke="#3b6fd8" stroke-width="3"/>{dots}</svg>'
    ).format(w=width, h=height, z=y(0), line=line, dots=dots)


def ipa_svg(points: list[tuple[str, float, float, str]], size: int = 60) -> Markup:
    """Importance (up) against performance (across), 1-5, split at 3; 'concentrate here' shaded."""
    if not points:
        return Markup('<p class="sk-dash-empty" style="width: {}px">not scored</p>').format(size)
    pad = 8

    def pos(value: float) -> float:
        return pad + (max(1.0, min(5.0, value)) - 1) / 4 * (size - 2 * pad)

    mid = pos(3)
    dots = Markup("").join(
        Markup(
            '<circle cx="{:.1f}" cy="{:.1f}" r="5" fill="{}"><title>{}: importance {:g}, '
            "performance {:g}</title></circle>"
        ).format(pos(perf), size - pos(imp), QUADRANT_COLOURS.get(quad, "#3b6fd8"), tp, imp, perf)
        for tp, imp, perf, quad in points
    )
    return Markup(
        '<svg class="sk-dash-svg ipa" width="{s}" height="{s}" viewBox="0 0 {s} {s}" role="img" '
        'aria-label="importance-performance grid"><rect width="{s}" height="{s}" fill="#fafbfc"/>'
        '<rect x="0" y="0" width="{m:.1f}" height="{m2:.1f}" fill="#fbe3e6"/>'
        '<line x1="{m:.1f}" x2="{m:.1f}" y1="0" y2="{s}" stroke="#c9ced8"/>'
        '<line x1="0" x2="{s}" y1="{m2:.1f}" y2="{m2:.1f}" stroke="#c9ced8"/>{dots}</svg>'
    ).format(s=size, m=mid, m2=size - mid, dots=dots)


def _steps(view: Any) -> Markup:
    """The tile's steps at a glance: a big "3/5" (green when all are done), every step's state
    in its tooltip."""
    states = [view.steps.get(s, "not started") for s in STEPS]
    done = states.count("done")
    return Markup(
        '<figure class="sk-dash-steps" title="{}"><b class="{}">{}/{}</b>'
        "<figcaption>steps</figcaption></figure>"
    ).format(
        ", ".join(f"{s}: {state}" for s, state in zip(STEPS, states, strict=True)),
        "done" if done == len(STEPS) else "",
        done,
        len(STEPS),
    )


def name_html(name: str) -> Markup:
    """A team's name for the projector: wrapped between words only, never inside one.

    Each word is its own box, so a line breaks only at a space; a word wider than its box is
    cut with an ellipsis by the browser (CSS ``.sk-dash-name .w``), and the whole name stays
    in the tooltip. The name is escaped.

    Examples
    --------
    >>> print(name_html("Night <Shift>"))
    <bdi class="sk-dash-name" title="Night &lt;Shift&gt;"><span class="w">Night</span> <span class="w">&lt;Shift&gt;</span></bdi>
    """
    parts = re.split(r"(\s+)", name)
    words = Markup("").join(
        Markup('<span class="w">{}</span>').format(part)
        if i % 2 == 0
        else Markup("{}").format(part)
        for i, part in enumerate(parts)
        if part
    )
    return Markup('<bdi class="sk-dash-name" title="{}">{}</bdi>').format(name, words)


def ago(when: float, now: float | None = None) -> str:
    """How long ago, in words a room reads at a glance.

    Examples
    --------
    >>> ago(0, 20), ago(0, 150), ago(0, 7300)
    ('just now', '2 min ago', '2 h ago')
    """
    seconds = max(0.0, (time.time() if now is None else now) - when)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    return f"{int(seconds // 3600)} h ago"


def tile_html(view: Any, now: float | None = None) -> Markup:
    """One team's tile: name, its steps and two small charts, or its validation messages.

    Every text is at least 18 px, for a room reading the projector from 8 m; the charts keep
    their drawn size (their text is HTML, never scaled).
    """
    head = Markup("<h3>{}</h3>").format(name_html(view.name))
    if view.broken:
        body = Markup(
            '<div class="sk-dash-charts">{}<p><b>Data to fix</b> (the other teams are not '
            'affected)</p></div><div class="sk-dash-msg">{}</div>'
        ).format(_steps(view), "\n".join(view.messages))
        return Markup('<div class="sk-dash-tile broken" data-team="{}">{}{}</div>').format(
            view.slug, head, body
        )
    if view.charts is None:  # drawn once per load of the team, not on every refresh
        view.charts = Markup(
            '<figure title="journey: how the guest feels, touchpoint by touchpoint">{}'
            '<figcaption>journey</figcaption></figure><figure title="importance × performance: '
            'top left, concentrate here">{}<figcaption>IPA</figcaption></figure>'
        ).format(journey_svg(view.curve), ipa_svg(view.points))
    charts = Markup('<div class="sk-dash-charts">{}{}</div>').format(view.charts, _steps(view))
    last = (
        Markup('<div class="sk-dash-last">last edit: {} {} in {}, {}</div>').format(
            view.edits[-1].verb,
            ", ".join(view.edits[-1].keys[:3]),
            view.edits[-1].table,
            ago(view.edits[-1].when, now),
        )
        if view.edits
        else Markup("")
    )
    return Markup('<div class="sk-dash-tile" data-team="{}">{}{}{}{}</div>').format(
        view.slug, head, charts, getattr(view, "scoring", Markup("")), last
    )


def _columns(teams: int) -> int:
    """Tile columns on the projector: the room on one screen up to 12 teams (4 x 3 at most)."""
    return {1: 1, 2: 2, 3: 3, 4: 4, 5: 3, 6: 3, 9: 3}.get(teams, 4)


def _progress(views: list[Any]) -> Markup:
    rows = Markup("").join(
        Markup("<tr><td>{}</td>{}{}</tr>").format(
            name_html(v.name),
            Markup("").join(
                Markup('<td class="mark {}">{}</td>').format(
                    v.steps.get(s, "not started").replace(" ", "-"),
                    MARKS[v.steps.get(s, "not started")],
                )
                for s in STEPS
            ),
            Markup('<td class="mark broken">fix</td>')
            if v.broken
            else Markup('<td class="mark done">✓</td>'),
        )
        for v in views
    )
    head = Markup("").join(Markup("<th>{}</th>").format(s) for s in (*STEPS, "data"))
    return Markup(
        '<div class="sk-dash-progress"><h2>Progress</h2><div class="sk-dash-scroll"><table>'
        "<thead><tr><th>team</th>{}</tr></thead><tbody>{}</tbody></table></div></div>"
    ).format(head, rows)


def _edits(board: Any, now: float | None) -> Markup:
    edits = board.edits()
    items = Markup("").join(Markup("<li>{}</li>").format(e.text(now)) for e in edits) or Markup(
        '<li class="sk-dash-empty">no saved edits yet</li>'
    )
    return Markup('<div class="sk-dash-edits"><h2>Latest edits</h2><ul>{}</ul></div>').format(items)


def _priorities(views: list[Any]) -> Markup:
    cards = []
    for v in views:
        if v.broken:
            inner = Markup('<p class="sk-dash-empty">data to fix first</p>')
        elif not v.top:
            inner = Markup('<p class="sk-dash-empty">not scored yet</p>')
        else:
            inner = Markup("<ol>{}</ol>").format(
                Markup("").join(
                    Markup("<li><b>{}</b> {}</li>").format(
                        t["touchpoint_id"], shorten(t["description"], 60, at_word=True)
                    )
                    for t in v.top
                )
            )
        cards.append(Markup("<div><b>{}</b>{}</div>").format(name_html(v.name), inner))
    return Markup('<h2>Top priorities, side by side</h2><div class="sk-dash-prio">{}</div>').format(
        Markup("").join(cards)
    )


def _agreement(board: Any) -> Markup:
    table = board.agreement
    if table is None or table.empty:
        return Markup(
            '<h2>Where the teams agree</h2><p class="sk-dash-empty">Needs two teams '
            "with scores.</p>"
        )
    n = max(int(table["teams"].max()), 1)
    rows = Markup("").join(
        Markup(
            '<tr><td><b>{}</b> {}</td><td><span class="sk-dash-bar" style="width:{}px">'
            "</span>{} of {}</td><td>{}</td></tr>"
        ).format(
            r.touchpoint_id,
            shorten(r.description, 90, at_word=True),
            int(round(160 * r.teams_top_k / n)),
            int(r.teams_top_k),
            int(r.teams),
            f"{int(r.rank_spread)}" if r.rank_spread == r.rank_spread else "–",
        )
        for r in table.head(6).itertuples()
    )
    return Markup(
        '<h2>Where the teams agree</h2><div class="sk-dash-scroll"><table><thead><tr>'
        f"<th>touchpoint</th><th>teams with it in their top {3}</th><th>rank spread</th></tr>"
        "</thead><tbody>{}</tbody></table></div>"
    ).format(rows)


def _disagreement(board: Any) -> Markup:
    """Touchpoints some teams put in their top 3 and others rank far down, widest spread first."""
    table = board.agreement
    if table is None or table.empty:
        return Markup("")
    split = table[
        (table["teams"] >= 2)
        & (table["teams_top_k"] >= 1)
        & (table["teams_top_k"] < table["teams"])
        & (table["rank_spread"] >= 2)
    ].sort_values(["rank_spread", "position"], ascending=[False, True], kind="stable")
    if split.empty:
        body = Markup(
            '<p class="sk-dash-empty">No split yet: where a touchpoint is in a team\'s top 3, '
            "the other teams rank it close behind.</p>"
        )
    else:
        body = Markup(
            '<div class="sk-dash-scroll"><table><thead><tr><th>touchpoint</th>'
            "<th>in the top 3 of</th><th>ranks</th></tr></thead><tbody>{}</tbody></table></div>"
        ).format(
            Markup("").join(
                Markup("<tr><td><b>{}</b> {}</td><td>{}</td><td>{} to {}</td></tr>").format(
                    r.touchpoint_id,
                    shorten(r.description, 60, at_word=True),
                    shorten(r.top_k_teams, 60, at_word=True),
                    int(r.best_rank),
                    int(r.worst_rank),
                )
                for r in split.head(4).itertuples()
            )
        )
    return Markup('<div class="sk-dash-split"><h2>Where the teams disagree</h2>{}</div>').format(
        body
    )


def board_html(board: Any, now: float | None = None) -> str:
    """The whole board (see :meth:`kit.room.dashboard.Board.html`)."""
    now = time.time() if now is None else now
    views = sorted(board.views.values(), key=lambda v: natural_key(v.name))
    finished = sum(1 for v in views if v.steps and all(x == "done" for x in v.steps.values()))
    broken = sum(1 for v in views if v.broken)
    sub = Markup("{} teams · {} finished every step{}").format(
        len(views), finished, f" · {broken} with data to fix" if broken else ""
    )
    if not views:
        body = Markup('<p class="sk-dash-empty">No teams yet: add them with servekit new.</p>')
    else:  # the teams first: every tile on the projector's first screen (up to 12 teams)
        body = Markup("").join(
            [
                Markup('<div class="sk-dash-tiles{}" style="--sk-cols: {}">{}</div>').format(
                    " many" if len(views) > 12 else "",
                    _columns(len(views)),
                    Markup("").join(tile_html(v, now) for v in views),
                ),
                Markup('<div class="sk-dash-row">{}{}</div>').format(
                    _progress(views), _edits(board, now)
                ),
                _priorities(views),
                Markup('<div class="sk-dash-row"><div>{}</div>{}</div>').format(
                    _agreement(board), _disagreement(board)
                ),
            ]
        )
    return str(
        Markup(
            '<div class="sk-dash"><div class="sk-dash-head"><h1 title="{}">{}</h1>'
            '<p class="sk-dash-sub">{}</p></div>{}</div>'
        ).format(board.title, board.title, sub, body)
    )
