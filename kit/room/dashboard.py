"""The live projector dashboard: every team's progress, latest edits, priorities and agreement.

:class:`Board` reads a workshop from disk and keeps one :class:`TeamView` per team. A refresh
re-reads only the teams whose files changed (size or modification time), so refreshing a room of
30 teams where one team just saved costs one team's load (``benchmarks/bench_dashboard.py``).
A team whose data is invalid gets a tile with its validation messages; the other tiles render.

:meth:`Board.html` renders the whole board as one HTML fragment for a projector (big type): first
a tile per team with two small charts (the journey's emotion curve and the importance-performance
grid, drawn as inline SVG: no script, no network), 12 of them on one 1280 x 800 screen; then a
progress grid, the latest saved edits (":mod:`kit.room.edits`: Night Shift added touchpoint T19,
2 min ago"), all teams' top priorities side by side, and where the teams agree. Every piece of
user text goes through :mod:`markupsafe`.

:class:`Dashboard` wraps the board in widgets (a refresh button, a "last refreshed" line and a
timer) for the Voilà page ``workshops/30_dashboard.ipynb`` that ``servekit present`` serves.

Examples
--------
>>> import tempfile
>>> from kit.store.workshop import create_workshop
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["<i>Blue"], starter=True)
>>> board = Board(ws.path)
>>> board.refresh(), board.refresh()
(['i-blue'], [])
>>> page = board.html()
>>> "&lt;i&gt;Blue" in page and "<i>Blue" not in page
True
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import Any

import pandas as pd
from markupsafe import Markup

from kit.analyses.progress import STEPS, team_progress
from kit.room.edits import Edit, diff_table, named, row_words
from kit.store import cells, safefs
from kit.store.problems import errors
from kit.store.schema import TABLES
from kit.store.storage import MAX_FILE_BYTES
from kit.store.workbook import HISTORY_DIR
from kit.store.workshop import Workshop

__all__ = [
    "Board",
    "Dashboard",
    "Edit",
    "MAX_EDITS",
    "MAX_MESSAGES",
    "TOP_K",
    "TeamView",
    "build_view",
    "diff_table",
]

TOP_K = 3
MAX_MESSAGES = 4
MAX_EDITS = 8


def _signature(folder: Path) -> tuple:
    try:
        entries = sorted(
            (p.name, info.st_mtime_ns, info.st_size)
            for p in folder.iterdir()
            if (info := p.lstat()) and S_ISREG(info.st_mode)
        )
    except OSError:
        return ()
    return tuple(entries)


def _team_file(folder: Path, rel: str) -> bytes | None:
    """A team file's bytes, or ``None`` when missing, a link, special or over the size cap
    (read through :mod:`kit.store.safefs`: the board may run as root; the tile's message
    comes from the team's lenient load, which names the refused file)."""
    try:
        return safefs.read_bytes(folder, rel, limit=MAX_FILE_BYTES)
    except (OSError, safefs.UnsafePath):
        return None


@dataclass
class TeamView:
    """What the board shows for one team (rebuilt only when the team's files change)."""

    slug: str
    name: str
    signature: tuple = ()
    steps: dict[str, str] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    top: list[dict[str, Any]] = field(default_factory=list)
    curve: list[tuple[str, int, bool]] = field(default_factory=list)
    points: list[tuple[str, float, float, str]] = field(default_factory=list)
    ranks: pd.DataFrame | None = None
    raw: dict[str, bytes | None] = field(default_factory=dict)
    edits: list[Edit] = field(default_factory=list)
    charts: Markup | None = None
    scoring: Markup = field(default_factory=Markup)
    """Who scores, how far, where they disagree (:func:`kit.room.phone.board.scoring_html`)."""
    """The tile's two small charts, drawn once per load (see :func:`kit.room.dashboard_html.tile_html`)."""

    @property
    def broken(self) -> bool:
        return bool(self.messages)


def _history_baseline(folder: Path, filename: str) -> bytes | None:
    try:
        fd = safefs.open_dir(folder, HISTORY_DIR)
    except (OSError, safefs.UnsafePath):
        return None  # no history yet, or a link planted in its place: never followed
    try:
        versions = sorted(n for n in os.listdir(fd) if n.endswith(f".{filename}"))
    finally:
        os.close(fd)
    return _team_file(folder, f"{HISTORY_DIR}/{versions[-1]}") if versions else None


def build_view(
    team: Any, journey: pd.DataFrame | None, previous: TeamView | None = None
) -> TeamView:
    """Load one team leniently and compute its tile (see :class:`TeamView`)."""
    from kit.analyses.journey import emotion_curve
    from kit.analyses.scoring import shared_summaries

    view = TeamView(team.slug, team.slug, signature=_signature(team.path))
    for table in TABLES:
        view.raw[table] = _team_file(team.path, f"{table}.csv")
    view.edits = list(previous.edits) if previous else []
    for table, now in view.raw.items():
        before = (
            previous.raw.get(table) if previous else _history_baseline(team.path, f"{table}.csv")
        )
        if before == now or (previous is None and before is None):
            continue
        file = team.path / f"{table}.csv"
        when = file.lstat().st_mtime if now is not None else time.time()
        for verb, keys in diff_table(before, now, table):
            view.edits.append(Edit(team.slug, verb, keys, table, when))
    view.edits = sorted(view.edits, key=lambda e: e.when)[-MAX_EDITS:]
    try:
        wb = team.load(strict=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable folder becomes the tile's message
        view.messages = [f"{team.slug}: could not be read ({exc})"]
        return view
    view.name = wb.name or team.slug
    fresh = [edit for edit in view.edits if not edit.words]  # new since the last refresh
    if fresh:  # named with this team's words, old and new (a removed role keeps its name)

        def versions(table: str) -> list[bytes | None]:
            return [previous.raw.get(table) if previous else None, view.raw.get(table)]

        roles = named(versions("roles"), "roles", "name")
        touchpoints = named(versions("journey"), "journey", "description")
        for edit in fresh:
            edit.words = [row_words(edit.table, k, roles, touchpoints) for k in edit.keys]
    for edit in view.edits:
        edit.team = view.name
    row = team_progress({team.slug: wb}).iloc[0]
    view.steps = {s: row[s] for s in STEPS}
    view.counts = {
        k: int(row[k]) for k in ("touchpoints", "roles", "need_items", "scorers", "actions")
    }
    problems = errors(wb.problems)
    if problems:
        view.messages = [str(p) for p in problems[:MAX_MESSAGES]]
        if len(problems) > MAX_MESSAGES:
            view.messages.append(
                f"… and {len(problems) - MAX_MESSAGES} more (servekit validate shows them all)"
            )
        return view
    own_journey, scores = wb.tables["journey"], wb.tables["scores"]
    view.curve = (
        [
            (cells.text(r.touchpoint_id), int(r.emotion), bool(r.moment_of_truth))
            for r in emotion_curve(own_journey).itertuples()
        ]
        if len(own_journey)
        else []
    )
    if len(scores):
        # one touchpoint summary for the tile's four analyses, the case journey read once
        with shared_summaries(_case_summaries(journey)):
            _scored_tile(view, scores, own_journey, journey)
    return view


_CASE: list[Any] = [None, {}]
"""The case journey last seen here and its :func:`kit.analyses.scoring.journey_store`."""


def _case_summaries(journey: pd.DataFrame | None) -> dict[Any, Any]:
    """A new store of shared summaries that knows the case journey (read once a process)."""
    from kit.analyses.scoring import journey_store

    if _CASE[0] is not journey or not _CASE[1]:
        _CASE[:] = [journey, journey_store(journey)]
    return dict(_CASE[1])


def _build_view(pair: tuple[Any, TeamView | None], journey: pd.DataFrame | None) -> TeamView:
    """:func:`build_view` of one ``(team, its view before)`` (what a worker process runs)."""
    return build_view(pair[0], journey, pair[1])


def _scored_tile(
    view: TeamView, scores: pd.DataFrame, own_journey: pd.DataFrame, journey: pd.DataFrame | None
) -> None:
    """The parts of a team's tile that need scores: top priorities, IPA points, ranks, scoring."""
    from kit.analyses.scoring import ipa, priority_ranking, team_ranks, top_of_ranking
    from kit.room.phone.board import scoring_html

    ranking = priority_ranking(scores, own_journey)
    view.top = top_of_ranking(ranking, TOP_K)[["touchpoint_id", "description", "priority"]].to_dict(
        "records"
    )
    grid = ipa(scores, own_journey)
    view.points = [
        (
            cells.text(r.touchpoint_id),
            float(r.importance),
            float(r.performance),
            str(r.quadrant),
        )
        for r in grid.itertuples()
    ]
    view.ranks = team_ranks({view.name: scores}, journey, k=TOP_K)
    view.scoring = scoring_html(scores, own_journey)  # phones scoring live (issue 22)


class Board:
    """A workshop's dashboard data, refreshed incrementally from disk.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    """

    def __init__(self, workshop_dir: Path | str):
        self.workshop = Workshop(workshop_dir)
        self.views: dict[str, TeamView] = {}
        self.agreement = pd.DataFrame()
        self.refreshed: dt.datetime | None = None
        self.title = ""
        self._journey: pd.DataFrame | None = None
        self._journey_loaded = False

    def _case_journey(self) -> pd.DataFrame | None:
        if not self._journey_loaded:
            from kit.store.workbook import Workbook
            from kit.store.workshop import case_dir

            self._journey_loaded = True
            try:  # the case's reference journey, as the synthesis report uses
                case = str(self.workshop.info.get("case", ""))
                self._journey = Workbook.load(case_dir(case) / "reference")["journey"]
            except Exception:  # noqa: BLE001 - no case journey: agreement uses teams' own ids
                self._journey = None
        return self._journey

    def refresh(self) -> list[str]:
        """Re-read the teams whose files changed; return their slugs (removed teams included).

        Examples
        --------
        >>> import tempfile
        >>> from kit.store.workshop import create_workshop
        >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A", "B"])
        >>> board = Board(ws.path)
        >>> board.refresh()
        ['a', 'b']
        >>> _ = (ws.path / "teams" / "b" / "journey.csv").write_text("touchpoint_id\\n")
        >>> board.refresh()
        ['b']
        """
        from kit.room.workers import map_teams

        self.title = str(self.workshop.info.get("title") or self.workshop.path.name)
        teams = {t.slug: t for t in self.workshop.teams()}
        changed = [s for s in self.views if s not in teams]
        for slug in changed:
            del self.views[slug]
        stale = []  # (team, its view before) of each team whose files changed
        for slug, team in teams.items():
            old = self.views.get(slug)
            if old is None or old.signature != _signature(team.path):
                stale.append((team, old))
        # a first load of a big room reads the teams in one process per core
        build = functools.partial(_build_view, journey=self._case_journey())
        for (team, _old), view in zip(stale, map_teams(build, stale), strict=True):
            self.views[team.slug] = view
            changed.append(team.slug)
        if stale:  # the tiles in the teams' order, as the folders list them
            self.views = {s: self.views[s] for s in teams if s in self.views}
        if changed or self.refreshed is None:
            self._agree()
        self.refreshed = dt.datetime.now()
        return changed

    def _agree(self) -> None:
        from kit.analyses.scoring import agreement_from_ranks

        ranks = [v.ranks for v in self.views.values() if v.ranks is not None and len(v.ranks)]
        if len(ranks) < 2:
            self.agreement = pd.DataFrame()
            return
        self.agreement = agreement_from_ranks(
            pd.concat(ranks, ignore_index=True), self._case_journey(), n_teams=len(ranks)
        )

    def edits(self, limit: int = MAX_EDITS) -> list[Edit]:
        """The latest saved edits across all teams, newest first."""
        every = [e for v in self.views.values() for e in v.edits]
        return sorted(every, key=lambda e: e.when, reverse=True)[:limit]

    def html(self, now: float | None = None) -> str:
        """The whole board as an HTML fragment (see :mod:`kit.room.dashboard_html`)."""
        from kit.room.dashboard_html import board_html

        return board_html(self, now)


class Dashboard:
    """The board as widgets: a refresh button, the time of the last refresh, and a timer.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    interval : float
        Seconds between automatic refreshes (0: only the button).
    """

    def __init__(self, workshop_dir: Path | str, interval: float = 10):
        import ipywidgets as widgets

        from kit.room.dashboard_html import CSS

        self.board = Board(workshop_dir)
        self.interval = interval
        self.button = widgets.Button(
            description="Refresh now",
            icon="refresh",
            layout=widgets.Layout(width="220px", height="52px", flex="0 0 auto"),
        )
        self.button.add_class("sk-dash-button")
        self.button.on_click(lambda _: self.refresh())
        self.status = widgets.HTML()
        self.view = widgets.HTML()
        self.widget = widgets.VBox(
            [
                widgets.HTML(str(CSS)),
                widgets.HBox(  # on a phone the status goes under the button, never over it
                    [self.button, self.status],
                    layout=widgets.Layout(align_items="center", flex_flow="row wrap"),
                ),
                self.view,
            ]
        )
        self._task = None
        self.refresh()

    def refresh(self) -> list[str]:
        """Refresh from disk and update the page (no reload)."""
        try:
            changed = self.board.refresh()
            page = self.board.html()
            if page != self.view.value:
                self.view.value = page
            stamp = self.board.refreshed.strftime("%H:%M:%S")
            self.status.value = str(
                Markup(
                    '<span class="sk-dash-status">Last refreshed <b>{}</b> · {} team(s) re-read'
                    "{}</span>"
                ).format(
                    stamp, len(changed), f" · every {self.interval:g} s" if self.interval else ""
                )
            )
            return changed
        except Exception as exc:  # noqa: BLE001 - the page must survive a bad moment on disk
            self.status.value = str(
                Markup('<span class="sk-dash-status">Refresh failed: {}</span>').format(exc)
            )
            return []

    def start(self) -> None:
        """Refresh every ``interval`` seconds on the kernel's event loop."""
        import asyncio

        if not self.interval or self._task is not None:
            return

        async def tick() -> None:
            while True:
                await asyncio.sleep(self.interval)
                self.refresh()

        self._task = asyncio.get_event_loop().create_task(tick())

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        self.start()
        return self.widget._repr_mimebundle_(**kwargs)
