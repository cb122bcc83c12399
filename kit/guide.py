"""The facilitator's run sheet: session agendas (data) turned into a timed, offline guide.

A case's agendas live in ``datasets/<case>/agendas.yaml``: one entry per agenda (``half-day``,
``full-day``), each a list of timed blocks saying what the facilitator says, what to ask the room,
when and how to reveal the case's planted flaws, and how to walk the room through the dashboard in
the debrief. :class:`AgendaFile` validates the file; every problem comes back at once as
``<case>/agendas.yaml:<line>:<where>: what is wrong``, e.g.
``laurie-hospitality/agendas.yaml:37:half-day.blocks[3].minutes: …``.

:class:`Guide` joins an agenda with a workshop (its teams, their notebook folders) and its case
(facilitator notes, planted flaws) and renders the run sheet as HTML sections; :func:`write_guide`
exports them through the kit's own offline report template (:mod:`kit.export`) and, optionally,
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

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, model_validator

from kit.problems import InvalidData, Problem
from kit.resources import datasets_dir, exercises_dir, workshops_dir
from kit.safeyaml import parse_yaml

AGENDAS_FILE = "agendas.yaml"
AGENDA_NAMES: tuple[str, ...] = ("half-day", "full-day")
LIMITS: dict[str, tuple[int, str]] = {"half-day": (210, "starter"), "full-day": (390, "blank")}
"""Each required agenda's longest length in minutes (breaks included) and its workbooks."""

BlockKind = Literal["intro", "case", "notebook", "exercise", "reveal", "break", "debrief"]
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class Block(BaseModel):
    """One timed block of a session (a notebook, an exercise, a break, the debrief …)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, pattern=r"^[a-z0-9][a-z0-9-]*$")
    kind: BlockKind
    title: str = Field(min_length=1)
    minutes: int = Field(gt=0, le=240)
    notebook: str | None = Field(default=None, pattern=r"^\d\d_[a-z0-9_]+$")
    exercise: str | None = Field(default=None, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
    """The stem of a participant exercise in ``exercises/`` (e.g. ``03_fix_the_chain``)."""
    say: list[str] = []
    prompts: list[str] = []
    reveal: str | None = None
    notes: bool = False
    dashboard: bool = False
    script: list[str] = []
    sources: list[str] = []

    @model_validator(mode="after")
    def _needs(self) -> Block:
        if self.kind == "notebook" and not self.notebook:
            raise ValueError("a notebook block needs 'notebook' (e.g. 01_journey)")
        if self.kind == "debrief" and not self.script:
            raise ValueError("the debrief block needs 'script' (how to walk through the dashboard)")
        return self


class Agenda(BaseModel):
    """One way to run the session: a title, a length and the blocks that fill it exactly."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=1)
    minutes: int = Field(gt=0)
    workbooks: Literal["starter", "blank"]
    note: str = ""
    blocks: list[Block] = Field(min_length=1)

    @model_validator(mode="after")
    def _adds_up(self) -> Agenda:
        total = sum(b.minutes for b in self.blocks)
        if total != self.minutes:
            raise ValueError(
                f"the blocks add up to {total} minutes; expected {self.minutes} "
                f"(the agenda's 'minutes'): change a block or the total"
            )
        ids = [b.id for b in self.blocks]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"block id {', '.join(twice)} is used twice; expected unique ids")
        if not any(b.reveal for b in self.blocks):
            raise ValueError(
                "no block says when to reveal the planted flaws; expected 'reveal' on one block"
            )
        return self


class AgendaFile(RootModel[dict[str, Agenda]]):
    """A case's ``agendas.yaml``: agenda name -> :class:`Agenda`; needs ``half-day`` and
    ``full-day`` within their limits (:data:`LIMITS`)."""

    @model_validator(mode="after")
    def _required(self) -> AgendaFile:
        missing = [n for n in AGENDA_NAMES if n not in self.root]
        if missing:
            raise ValueError(
                f"missing agenda {', '.join(missing)}; expected keys {', '.join(AGENDA_NAMES)}"
            )
        for name, (limit, workbooks) in LIMITS.items():
            agenda = self.root[name]
            if agenda.minutes > limit:
                raise ValueError(
                    f"{name} lasts {agenda.minutes} minutes; expected at most "
                    f"{limit} ({limit // 60} h {limit % 60:02d})"
                )
            if agenda.workbooks != workbooks:
                raise ValueError(f"{name} uses {agenda.workbooks} workbooks; expected {workbooks}")
        return self


# --------------------------------------------------------------------------- loading
def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "literal[")):
            out += ("." if out else "") + str(part)
    return out


def _line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (the deepest one found)."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if k.value == str(part)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def _message(error: dict[str, Any]) -> str:
    kind, msg, loc = error["type"], error["msg"], error["loc"]
    got = f", got {error['input']!r}" if "input" in error else ""
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "missing":
        return "missing; expected this field"
    if kind == "extra_forbidden":
        model = Block if "blocks" in loc[:-1] else Agenda
        return f"unknown field; expected one of: {', '.join(model.model_fields)}"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        model = Block if loc and isinstance(loc[-1], int) else Agenda
        return f"expected a mapping with {', '.join(model.model_fields)}{got}"
    if kind == "string_pattern_mismatch":
        field = loc[-1] if loc else ""
        examples = {
            "id": "lower-case letters, digits and '-'",
            "notebook": "e.g. 01_journey",
            "exercise": "a file name in exercises/ without its extension",
        }
        return f"expected {examples.get(field, msg)}{got}"
    if kind == "too_short":
        return f"expected at least one entry{got}"
    if kind in {"greater_than", "less_than_equal"}:
        return f"expected a whole number {msg.removeprefix('Input should be ')}{got}"
    if msg.startswith("Input should be "):
        return f"expected {msg.removeprefix('Input should be ')}{got}"
    return f"{msg[0].lower()}{msg[1:]}{got}"


def parse_agendas(text: str, shown: str = AGENDAS_FILE) -> AgendaFile:
    """Validate the text of an ``agendas.yaml``; raise :class:`InvalidData` with every problem.

    Parameters
    ----------
    text : str
        The file's text.
    shown : str
        How to name the file in messages.

    Examples
    --------
    >>> parse_agendas("half-day: 3", "a.yaml")
    Traceback (most recent call last):
    ...
    kit.problems.InvalidData: a.yaml:1:half-day: expected a mapping with title, minutes, workbooks, note, blocks, got 3
    """
    data, problems = parse_yaml(text, shown)  # the kit's one safe reader: no aliases, caps
    if problems:
        raise InvalidData(problems)
    node = yaml.compose(text)  # only for line numbers; parse_yaml already refused aliases
    if not isinstance(data, dict):
        raise InvalidData(
            [
                Problem(
                    shown,
                    None,
                    None,
                    f"expected a mapping of agenda names ({', '.join(AGENDA_NAMES)}) to agendas",
                )
            ]
        )
    try:
        return AgendaFile.model_validate(data)
    except ValidationError as exc:
        problems = [
            Problem(shown, _line(node, err["loc"]), _where(err["loc"]) or None, _message(err))
            for err in exc.errors()
        ]
        raise InvalidData(problems) from None


def agendas_path(case: str) -> Path:
    """Where a case's agendas live: ``<datasets>/<case>/agendas.yaml``.

    Examples
    --------
    >>> agendas_path("laurie-hospitality").name
    'agendas.yaml'
    """
    return datasets_dir() / case / AGENDAS_FILE


def load_agendas(case: str) -> AgendaFile:
    """Read and validate a case's agendas; also checks that notebooks and exercises exist.

    Raises
    ------
    InvalidData
        Every problem, as ``<case>/agendas.yaml:<line>:<where>: …``.

    Examples
    --------
    >>> sorted(load_agendas("laurie-hospitality").root)
    ['full-day', 'half-day']
    """
    path = agendas_path(case)
    shown = f"{case}/{AGENDAS_FILE}"
    if not path.is_file():
        raise InvalidData(
            [
                Problem(
                    shown,
                    None,
                    None,
                    "file not found; expected the case's "
                    "session agendas (see datasets/laurie-hospitality/agendas.yaml)",
                )
            ]
        )
    text = path.read_text(encoding="utf-8")
    agendas = parse_agendas(text, shown)
    node = yaml.compose(text)
    problems = []
    notebooks = {p.stem for p in workshops_dir().glob("*.ipynb")}
    exercises = {
        p.stem
        for p in exercises_dir().glob("*.*")
        if p.suffix in {".ipynb", ".md"} and p.stem.lower() != "readme"
    }
    for name, agenda in agendas.root.items():
        for i, block in enumerate(agenda.blocks):
            if block.notebook and block.notebook not in notebooks:
                loc = (name, "blocks", i, "notebook")
                problems.append(
                    Problem(
                        shown,
                        _line(node, loc),
                        _where(loc),
                        f"no notebook {block.notebook!r} in the kit; expected one "
                        f"of: {', '.join(sorted(notebooks))}",
                    )
                )
            if block.exercise and block.exercise not in exercises:
                loc = (name, "blocks", i, "exercise")
                problems.append(
                    Problem(
                        shown,
                        _line(node, loc),
                        _where(loc),
                        f"no exercise {block.exercise!r}; expected one of: "
                        f"{', '.join(sorted(exercises))}",
                    )
                )
    if problems:
        raise InvalidData(problems)
    return agendas


def parse_start(start: str) -> dt.datetime:
    """Read a start time ``HH:MM`` (24-hour).

    Examples
    --------
    >>> parse_start("9:05").strftime("%H:%M")
    '09:05'
    >>> parse_start("25:00")
    Traceback (most recent call last):
    ...
    ValueError: start time '25:00': expected HH:MM (24-hour), e.g. 09:00
    """
    match = _TIME.match(start.strip())
    if not match:
        raise ValueError(f"start time {start!r}: expected HH:MM (24-hour), e.g. 09:00")
    return dt.datetime(2000, 1, 1, int(match.group(1)), int(match.group(2)))


def schedule(agenda: Agenda, start: str = "09:00") -> Iterator[tuple[str, str, Block]]:
    """Clock times of every block: ``(start, end, block)``, back to back from ``start``.

    Examples
    --------
    >>> a = Agenda(title="t", minutes=30, workbooks="blank", blocks=[
    ...     Block(id="a", kind="intro", title="A", minutes=20, reveal="now"),
    ...     Block(id="b", kind="break", title="B", minutes=10)])
    >>> [(s, e, b.id) for s, e, b in schedule(a, "23:50")]
    [('23:50', '00:10', 'a'), ('00:10', '00:20', 'b')]
    """
    clock = parse_start(start)
    for block in agenda.blocks:
        end = clock + dt.timedelta(minutes=block.minutes)
        yield clock.strftime("%H:%M"), end.strftime("%H:%M"), block
        clock = end


def duration(minutes: int) -> str:
    """``210`` -> ``'3 h 30'``.

    Examples
    --------
    >>> duration(210), duration(45), duration(120)
    ('3 h 30', '45 min', '2 h 00')
    """
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


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
    >>> from kit.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A <b>"], starter=True)
    >>> guide = Guide(ws.path, "half-day", "13:30")
    >>> guide.end
    '17:00'
    >>> "A &lt;b&gt;" in guide.html() and "<b>" not in guide.teams_html()
    True
    """

    def __init__(self, workshop_dir: Path | str, agenda: str = "half-day", start: str = "09:00"):
        from kit.workshop import Workshop, WorkshopError, load_case

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
        from kit.lab import team_url

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
        from kit.export import notebook_html

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
    >>> from kit.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> [p.name for p in write_guide(ws.path, "full-day")]
    ['guide-full-day.html']
    """
    from kit.export import print_pdf, write_file

    guide = Guide(workshop_dir, agenda, start)
    target = Path(out) if out else Path(workshop_dir) / f"guide-{agenda}.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    written = [write_file(target, guide.html())]
    if pdf:
        written.append(print_pdf(target, target.with_suffix(".pdf")))
    return written
