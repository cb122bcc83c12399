"""The facilitator's run sheet: session agendas (data) turned into a timed, offline guide.

A case's agendas live in ``datasets/<case>/agendas.yaml``: one entry per agenda (``half-day``,
``full-day``), each a list of timed blocks saying what the facilitator says, what to ask the room,
when and how to reveal the case's planted flaws, and how to walk the room through the dashboard in
the debrief. :class:`AgendaFile` validates the file; every problem comes back at once as
``<case>/agendas.yaml:<line>:<where>: what is wrong``, e.g.
``laurie-hospitality/agendas.yaml:37:half-day.blocks[3].minutes: …``.

:class:`Guide` joins an agenda with a workshop (its teams, their notebook folders) and its case
(facilitator notes, planted flaws) and renders the run sheet as HTML sections; :func:`write_guide`
exports them through the kit's own offline report template (:mod:`kit.report.export`) and, optionally,
prints an A4 PDF with headless Chromium.

Examples
--------
>>> agendas = load_agendas("laurie-hospitality")
>>> half = agendas.root["half-day"]
>>> half.minutes, sum(b.minutes for b in half.blocks), half.workbooks
(210, 210, 'starter')
>>> [(s, e) for s, e, _ in schedule(half, "09:00")][:2]
[('09:00', '09:10'), ('09:10', '09:20')]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kit.resources import workshops_dir
from kit.room import brief
from kit.room.agenda import (
    duration,
    load_agendas,
    parse_start,
    schedule,
)
from kit.room.brief import inline

__all__ = [
    "Guide",
    "PARTICIPANT",
    "SEEDS",
    "write_guide",
]

# --------------------------------------------------------------------------- the run sheet
SEEDS: dict[str, str] = {
    "seed 000": "“Leaders serve employees” (seed 000)",
    "seed 002": "“Executive Leaders Serve Others”, Sonya Shelton (seed 002)",
    "seed 003": "the Customer Service Chain article (seed 003)",
    "seed 004": "the article on leaders working front-line shifts (seed 004)",
}
"""How the guide credits the source texts its paraphrases come from."""

_CSS = Markup("""<style>
.sk-guide-time { font-variant-numeric: tabular-nums; white-space: nowrap; font-weight: 650; }
.sk-guide-block { border-left: 4px solid var(--line, #ddd); padding: 2px 0 2px 14px;
  margin: 1.2em 0; break-inside: avoid; }
.sk-guide-block.kind-break { opacity: .75; }
.sk-guide-block.kind-reveal { border-color: #c0392b; }
.sk-guide-block.kind-debrief { border-color: #1f6feb; }
.sk-guide-block h3 { margin-top: .2em; }
.sk-guide-label { font-weight: 650; margin: .5em 0 .1em; }
.sk-guide-note { background: #fff7e0; border-radius: 6px; padding: 8px 12px; }
.sk-guide-warn { background: #fde8e8; border-left: 4px solid #c0392b; padding: 8px 12px; }
.sk-guide-brief { break-after: page; }
</style>""")
PARTICIPANT = re.compile(r"^0[1-9]_.+\.ipynb$")


def _items(label: str, items: list[str]) -> Markup:
    if not items:
        return Markup("")
    lis = Markup("").join(Markup("<li>{}</li>").format(inline(i)) for i in items)
    return Markup('<p class="sk-guide-label">{}</p><ul>{}</ul>').format(label, lis)


class Guide:
    """A workshop's run sheet for one agenda and start time.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder (its ``workshop.yaml`` names the case).
    agenda : str
        ``half-day`` or ``full-day`` (any agenda of the case's ``agendas.yaml``).
    start : str
        Start time, ``HH:MM``.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A <b>"], starter=True)
    >>> guide = Guide(ws.path, "half-day", "13:30")
    >>> guide.end
    '17:00'
    >>> "A &lt;b&gt;" in guide.html() and "<b>" not in guide.teams_html()
    True
    """

    def __init__(self, workshop_dir: Path | str, agenda: str = "half-day", start: str = "09:00"):
        from kit.exceptions import WorkshopError
        from kit.store.workshop import Workshop, load_case

        self.workshop = Workshop(workshop_dir)
        info = self.workshop.info
        if not info:
            raise WorkshopError(
                f"{self.workshop.path}: no workshop.yaml; expected a workshop "
                f"folder made by 'servekit new'"
            )
        self.info = info
        self.case_name = str(info.get("case") or "laurie-hospitality")
        self.case = load_case(self.case_name)
        from kit.room.casetext import load_case_file

        self.case_text = load_case_file(self.case_name)  # validated: noun, story, quotes
        agendas = load_agendas(self.case_name)
        if agenda not in agendas.root:
            raise WorkshopError(
                f"no agenda {agenda!r} for case {self.case_name}; expected one "
                f"of: {', '.join(agendas.root)}"
            )
        self.agenda_name = agenda
        self.agenda = agendas.root[agenda]
        self.start = parse_start(start).strftime("%H:%M")
        self.times = list(schedule(self.agenda, self.start))
        self.end = self.times[-1][1]

    # ---- checks ------------------------------------------------------------------------
    def warnings(self) -> list[str]:
        """Where the workshop does not match the agenda: starter vs blank, touchpoints to score.

        Examples
        --------
        >>> import tempfile
        >>> from kit.store.workshop import create_workshop
        >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
        >>> Guide(ws.path, "half-day").warnings()[0].split(":")[0]
        'the half-day agenda is made for starter workbooks, but team(s) a start blank'
        """
        from kit.store.workbook import Workbook
        from kit.store.workshop import case_dir

        reference = set(
            Workbook.load(case_dir(self.case_name) / "reference")["journey"]["touchpoint_id"]
        )
        blank, starter, over = [], [], []
        plan = self.agenda.scoring
        for team in self.workshop.teams():
            journey = team.load(strict=False)["journey"]
            ids = set(journey["touchpoint_id"]) if len(journey) else set()
            (blank if not ids else starter if reference <= ids else []).append(team.slug)
            if plan is not None and len(journey):
                mot = (
                    journey["moment_of_truth"].astype(bool)
                    if "moment_of_truth" in journey
                    else None
                )
                count = (
                    int(mot.sum())
                    if plan.scope == "moments_of_truth" and mot is not None
                    else len(journey)
                )
                if count > plan.touchpoints:
                    over.append(f"{team.slug} ({count})")
        out = []
        if self.agenda.workbooks == "starter" and blank:
            out.append(
                f"the {self.agenda_name} agenda is made for starter workbooks, but team(s) "
                f"{', '.join(blank)} start blank: its times will not fit. Use --agenda full-day, "
                f"or create the workshop with 'servekit new … --starter'."
            )
        if self.agenda.workbooks == "blank" and starter:
            out.append(
                f"the {self.agenda_name} agenda is made for blank workbooks, but team(s) "
                f"{', '.join(starter)} start from the case's reference journey (--starter): "
                f"the journey and pyramid blocks will run short. Use --agenda half-day, or let "
                f"teams rebuild the journey in their own words."
            )
        if over and plan is not None:
            what = "moments of truth" if plan.scope == "moments_of_truth" else "touchpoints"
            out.append(
                f"the scoring block is sized for {plan.touchpoints} {what} x {plan.scorers} "
                f"scorers; team(s) {', '.join(over)} have more. Score the first "
                f"{plan.touchpoints} only, or lengthen the scoring block."
            )
        return out

    # ---- sections ----------------------------------------------------------------------
    def header_html(self) -> Markup:
        """Title, the session's times, and which workbooks the agenda is made for."""
        a = self.agenda
        title = str(self.info.get("title") or self.case.get("title", ""))
        case = str(self.case.get("title", self.case_name))
        starter = (
            (
                "Made for <b>starter</b> workbooks: create the workshop with "
                "<code>servekit new … --starter</code>."
            )
            if a.workbooks == "starter"
            else (
                "Made for <b>blank</b> workbooks (<code>servekit new</code> without "
                "<code>--starter</code>)."
            )
        )
        return Markup(
            '{css}<div class="sk-cover"><p class="sk-eyebrow">Facilitator guide</p>'
            "<h1>{title}</h1>{case}"
            '<p class="sk-lead">{agenda}: <b>{start}–{end}</b> ({length}, breaks included). '
            "{starter}</p>{note}"
            '<ul class="sk-meta"><li>Date: {date}</li><li>Facilitator: {who}</li>'
            "<li>Teams: {n}</li></ul>{warnings}</div>"
        ).format(
            warnings=Markup("").join(
                Markup('<p class="sk-guide-warn">Warning: {}</p>').format(w)
                for w in self.warnings()
            ),
            css=_CSS,
            title=title,
            case=Markup('<p class="sk-subtitle">Case: {}</p>').format(case)
            if case != title
            else "",
            agenda=a.title,
            start=self.start,
            end=self.end,
            length=duration(a.minutes),
            starter=Markup(starter),
            note=Markup('<p class="sk-guide-note">{}</p>').format(inline(a.note)) if a.note else "",
            date=str(self.info.get("date") or ""),
            who=self.info.get("facilitator") or "—",
            n=len(self.workshop.teams()),
        )

    def brief_html(self) -> Markup:
        """The one-page "before you start" brief (:func:`kit.room.brief.brief_html`)."""
        return brief.brief_html(self.case_text)

    def story_html(self) -> Markup:
        """The case summary, the source story and the quotes (:func:`kit.room.brief.story_html`)."""
        return brief.story_html(self.case_text)

    def agenda_html(self) -> Markup:
        """The timetable: one row per block with its clock times and what it uses."""
        rows = Markup("").join(
            Markup(
                '<tr><td class="sk-guide-time">{}–{}</td><td class="num">{}</td>'
                "<td>{}</td><td>{}</td></tr>"
            ).format(s, e, b.minutes, b.title, b.notebook or b.exercise or b.kind)
            for s, e, b in self.times
        )
        return Markup(
            '<h2>Agenda</h2><div class="sk-table-wrap"><table class="sk-table"><thead><tr>'
            '<th>time</th><th class="num">min</th><th>block</th><th>notebook / exercise</th></tr>'
            '</thead><tbody>{}</tbody><tfoot><tr><td colspan="4">Total {} '
            "(blocks add up to {} minutes).</td></tr></tfoot></table></div>"
        ).format(rows, duration(self.agenda.minutes), sum(b.minutes for _, _, b in self.times))

    def _flaws_html(self) -> Markup:
        flaws = self.case.get("flaws") or []
        if not flaws:
            return Markup("<p>This case has no planted flaws.</p>")
        items = Markup("").join(
            Markup("<li><b>{}</b><br><small>Where: {}</small><br>Why it matters: {}</li>").format(
                inline(f.get("what", "")), inline(f.get("where", "")), inline(f.get("why", ""))
            )
            for f in flaws
        )
        return Markup("<ol>{}</ol>").format(items)

    def _notes_html(self) -> Markup:
        notes = self.case.get("facilitator_notes") or []
        return _items("The case's facilitator notes (pick two or three)", [str(n) for n in notes])

    def _exercise_html(self, stem: str) -> Markup:
        """Which file each team opens for an exercise, and whether the workshop holds it."""
        from kit.room.exercises import EXERCISES_DIR, team_exercise_dir

        name = f"{stem}.ipynb"
        teams = self.workshop.teams()
        missing = [
            t.slug
            for t in teams
            if not (team_exercise_dir(self.workshop.path, t.slug) / name).is_file()
        ]
        state = (
            Markup(
                '<p class="sk-guide-note">Not in the workshop yet for: {}. Run '
                "<code>servekit notebooks DIR</code> to copy it.</p>"
            ).format(", ".join(missing))
            if missing
            else Markup("")
        )
        return Markup(
            "<p>Exercise: each team opens <code>notebooks/&lt;team&gt;/{}/{}</code>, its own "
            "copy (e.g. <code>notebooks/{}/{}/{}</code>). Read-only reference: "
            "<code>{}/{}</code>; worked solution: <code>{}/solutions/{}</code>.</p>{}"
        ).format(
            EXERCISES_DIR,
            name,
            teams[0].slug if teams else "team",
            EXERCISES_DIR,
            name,
            EXERCISES_DIR,
            name,
            EXERCISES_DIR,
            name,
            state,
        )

    def blocks_html(self) -> Markup:
        """Every block: what to say, what to ask, the reveal, notes, dashboard, script, credits."""
        out = [Markup("<h2>Block by block</h2>")]
        notes_at = next((b.title for _, _, b in self.times if b.notes), None)
        for s, e, b in self.times:
            parts = [
                Markup(
                    '<div class="sk-guide-block kind-{}"><h3><span class="sk-guide-time">'
                    "{}–{}</span> · {}</h3>"
                ).format(b.kind, s, e, b.title)
            ]
            if b.notebook:
                parts.append(
                    Markup(
                        "<p>Teams open <code>{}.ipynb</code> in their own folder "
                        "and choose <b>Run All</b>.</p>"
                    ).format(b.notebook)
                )
            if b.exercise:
                parts.append(self._exercise_html(b.exercise))
            parts.append(_items("Say", b.say))
            parts.append(_items("Ask the room", b.prompts))
            if b.reveal:
                parts.append(
                    Markup(
                        '<p class="sk-guide-label">Reveal the planted flaws</p>'
                        '<p class="sk-guide-note">{}</p>{}'
                    ).format(inline(b.reveal), self._flaws_html())
                )
            if b.notes and b.title == notes_at:
                parts.append(self._notes_html())
            elif b.notes:  # printed once, where first asked for
                parts.append(
                    Markup("<p><small>Facilitator notes: see the block “{}”.</small></p>").format(
                        notes_at
                    )
                )
            if b.script:
                parts.append(
                    _items(
                        "Debrief script: walk the room through the dashboard (servekit present)",
                        b.script,
                    )
                )
            elif b.dashboard:
                parts.append(
                    Markup(
                        "<p><small>Dashboard on the projector "
                        "(<code>servekit present</code>).</small></p>"
                    )
                )
            if b.sources:
                parts.append(
                    Markup("<p><small>Paraphrased from {}.</small></p>").format(
                        "; ".join(SEEDS.get(x, x) for x in b.sources)
                    )
                )
            parts.append(Markup("</div>"))
            out.append(Markup("").join(parts))
        return Markup("").join(out)

    def teams_html(self) -> Markup:
        """Each team's notebook folder (``notebooks/<slug>/``) and link."""
        from kit.room.lab import team_url

        notebooks = sorted(
            p.name for p in workshops_dir().glob("*.ipynb") if PARTICIPANT.match(p.name)
        )
        first = notebooks[0] if notebooks else "01_journey.ipynb"
        rows = []
        for team in self.workshop.teams():
            wb = team.load(strict=False)
            folder = self.workshop.path / "notebooks" / team.slug
            ready = (
                "ready"
                if (folder / first).is_file()
                else Markup("not written yet: run <code>servekit notebooks DIR</code>")
            )
            link = team_url("", team.slug, first, "").split("?")[0]
            rows.append(
                Markup(
                    "<tr><td>{}</td><td><code>notebooks/{}/</code></td>"
                    "<td><code>{}</code></td><td>{}</td></tr>"
                ).format(wb.name or team.slug, team.slug, link, ready)
            )
        links = (
            Markup(
                "<p>Print or project <code>links.html</code> (one card and QR code per team).</p>"
            )
            if (self.workshop.path / "links.html").is_file()
            else Markup(
                "<p>For cards with QR codes, run <code>servekit lab DIR --links</code>.</p>"
            )
        )
        body = Markup("").join(rows) or Markup(
            '<tr><td colspan="4">No teams yet: add them with <code>servekit new</code>.</td></tr>'
        )
        return Markup(
            "<h2>Teams and their links</h2><p>Start the room's server with "
            "<code>servekit lab DIR</code>: it prints one URL per team (with the token) "
            "that opens the team's own folder. Nobody types code: open the link, "
            'choose Run All.</p>{}<div class="sk-table-wrap"><table class="sk-table"><thead><tr>'
            "<th>team</th><th>folder</th><th>link path (after the server's address)</th>"
            "<th>notebooks</th></tr></thead>"
            "<tbody>{}</tbody></table></div>"
        ).format(links, body)

    def sources_html(self) -> Markup:
        """Credits for the paraphrased source texts."""
        used = sorted({x for _, _, b in self.times for x in b.sources})
        return Markup(
            "<h2>Sources</h2><p>What to say is paraphrased, not quoted, from: {}. "
            "Figures from those texts are the authors' claims, not checked by the kit."
            "</p>"
        ).format("; ".join(SEEDS.get(x, x) for x in used) or "—")

    def sections(self) -> list[Markup]:
        """The run sheet's sections, in order.

        Examples
        --------
        >>> len(Guide.__init__.__doc__ or "") >= 0
        True
        """
        return [
            self.header_html(),
            self.brief_html(),
            self.story_html(),
            self.agenda_html(),
            self.teams_html(),
            self.blocks_html(),
            self.sources_html(),
        ]

    def show(self) -> None:
        """Display the run sheet in a notebook (one HTML output per section)."""
        from IPython.display import HTML, display

        for section in self.sections():
            display(HTML(str(section)))

    def notebook(self) -> Any:
        """The run sheet as a notebook of HTML outputs (what the exporter renders)."""
        import nbformat

        nb = nbformat.v4.new_notebook()
        for section in self.sections():
            cell = nbformat.v4.new_code_cell("")
            cell.outputs = [
                nbformat.v4.new_output("display_data", data={"text/html": str(section)})
            ]
            nb.cells.append(cell)
        return nb

    @property
    def title(self) -> str:
        return f"Facilitator guide: {self.info.get('title') or self.case_name} ({self.agenda_name})"

    def html(self) -> str:
        """The whole run sheet as one offline HTML page (the kit's report template)."""
        from kit.report.export import notebook_html

        return notebook_html(
            self.notebook(),
            title=self.title,
            plotlyjs="none",
            footer=f"Run sheet made by servekit for the {self.agenda_name} "
            f"agenda, starting {self.start}.",
        )


def write_guide(
    workshop_dir: Path | str,
    agenda: str = "half-day",
    start: str = "09:00",
    out: Path | str | None = None,
    pdf: bool = False,
) -> list[Path]:
    """Write the run sheet (HTML, and an A4 PDF with ``pdf``); return the files written.

    ``out`` defaults to ``<workshop>/guide-<agenda>.html``; the PDF goes next to it.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> [p.name for p in write_guide(ws.path, "full-day")]
    ['guide-full-day.html']
    """
    from kit.report.export import print_pdf, write_file

    guide = Guide(workshop_dir, agenda, start)
    target = Path(out) if out else Path(workshop_dir) / f"guide-{agenda}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    written = [write_file(target, guide.html())]
    if pdf:
        written.append(print_pdf(target, target.with_suffix(".pdf")))
    return written
