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
[('09:00', '09:10'), ('09:10', '09:25')]
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kit.resources import exercises_dir, workshops_dir
from kit.room.agenda import (
    duration,
    load_agendas,
    parse_start,
    schedule,
)

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
</style>""")
PARTICIPANT = re.compile(r"^0[1-9]_.+\.ipynb$")


def _items(label: str, items: list[str]) -> Markup:
    if not items:
        return Markup("")
    lis = Markup("").join(Markup("<li>{}</li>").format(i) for i in items)
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
            "<li>Teams: {n}</li></ul></div>"
        ).format(
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
            note=Markup('<p class="sk-guide-note">{}</p>').format(a.note) if a.note else "",
            date=str(self.info.get("date") or ""),
            who=self.info.get("facilitator") or "—",
            n=len(self.workshop.teams()),
        )

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
            '<h2>Agenda</h2><table class="sk-table"><thead><tr><th>time</th>'
            '<th class="num">min</th><th>block</th><th>notebook / exercise</th></tr>'
            '</thead><tbody>{}</tbody><tfoot><tr><td colspan="4">Total {} '
            "(blocks add up to {} minutes).</td></tr></tfoot></table>"
        ).format(rows, duration(self.agenda.minutes), sum(b.minutes for _, _, b in self.times))

    def _flaws_html(self) -> Markup:
        flaws = self.case.get("flaws") or []
        if not flaws:
            return Markup("<p>This case has no planted flaws.</p>")
        items = Markup("").join(
            Markup("<li><b>{}</b><br><small>Where: {}</small><br>Why it matters: {}</li>").format(
                f.get("what", ""), f.get("where", ""), f.get("why", "")
            )
            for f in flaws
        )
        return Markup("<ol>{}</ol>").format(items)

    def _notes_html(self) -> Markup:
        notes = self.case.get("facilitator_notes") or []
        return _items("The case's facilitator notes (pick two or three)", [str(n) for n in notes])

    def blocks_html(self) -> Markup:
        """Every block: what to say, what to ask, the reveal, notes, dashboard, script, credits."""
        out = [Markup("<h2>Block by block</h2>")]
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
                found = sorted(exercises_dir().glob(f"{b.exercise}.*"))
                parts.append(
                    Markup(
                        "<p>Exercise: <code>exercises/{}</code> (solution in "
                        "<code>exercises/solutions/</code>).</p>"
                    ).format(found[0].name if found else b.exercise)
                )
            parts.append(_items("Say", b.say))
            parts.append(_items("Ask the room", b.prompts))
            if b.reveal:
                parts.append(
                    Markup(
                        '<p class="sk-guide-label">Reveal the planted flaws</p>'
                        '<p class="sk-guide-note">{}</p>{}'
                    ).format(b.reveal, self._flaws_html())
                )
            if b.notes:
                parts.append(self._notes_html())
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
            'choose Run All.</p>{}<table class="sk-table"><thead><tr><th>team</th>'
            "<th>folder</th><th>link path (after the server's address)</th><th>notebooks</th>"
            "</tr></thead>"
            "<tbody>{}</tbody></table>"
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
