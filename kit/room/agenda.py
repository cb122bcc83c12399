"""Session agendas as data: the models of ``datasets/<case>/agendas.yaml``, loading with
``<case>/agendas.yaml:<line>:<where>`` messages, and the clock times of an agenda.

The run sheet built from them is :mod:`kit.room.guide`.

Examples
--------
>>> half = load_agendas("laurie-hospitality").root["half-day"]
>>> [(s, e) for s, e, _ in schedule(half, "09:00")][:2]
[('09:00', '09:10'), ('09:10', '09:20')]
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError, model_validator

from kit.exceptions import InvalidData
from kit.resources import datasets_dir, exercises_dir, workshops_dir
from kit.store.problems import Problem
from kit.store.safeyaml import parse_yaml

__all__ = [
    "AGENDAS_FILE",
    "AGENDA_NAMES",
    "Agenda",
    "AgendaFile",
    "Block",
    "BlockKind",
    "LIMITS",
    "agendas_path",
    "duration",
    "load_agendas",
    "parse_agendas",
    "parse_start",
    "schedule",
]

AGENDAS_FILE = "agendas.yaml"
AGENDA_NAMES: tuple[str, ...] = ("half-day", "full-day")
LIMITS: dict[str, tuple[int, str]] = {"half-day": (210, "starter"), "full-day": (390, "blank")}
"""Each required agenda's longest length in minutes (breaks included) and its workbooks."""

BlockKind = Literal["intro", "logins", "case", "notebook", "exercise", "reveal", "break", "debrief"]
SLIDERS_PER_TOUCHPOINT = 5
"""Importance, performance, be, do and have: what one scorer sets for one touchpoint."""
SECONDS_PER_SLIDER = 8
"""The kit's estimate of one slider setting, reading the touchpoint included."""
SCORING_TALK = 10
"""Minutes the team needs after scoring to compare and discuss (notebook 04, step 2)."""
LOGIN_MINUTES = 10
"""First logins in the half-day: every team opens its link and runs its first notebook."""
SCORING_NOTEBOOK = "04_scoring"
_TIME_BOX = re.compile(r"Time box:\**\s*(\d+)\s*minutes")


def scoring_minutes(touchpoints: int, scorers: int, on: str = "laptop") -> int:
    """Minutes a team needs to score: every slider of every scorer, then the talk.

    On one laptop the scorers take turns (their time adds up); on phones they score at once.

    Examples
    --------
    >>> scoring_minutes(18, 4)   # the issue's arithmetic: 18 touchpoints x 5 sliders x 4 scorers
    58
    >>> scoring_minutes(6, 3), scoring_minutes(18, 4, on="phones")
    (22, 22)
    """
    turns = 1 if on == "phones" else scorers
    seconds = touchpoints * SLIDERS_PER_TOUCHPOINT * SECONDS_PER_SLIDER * turns
    return -(-seconds // 60) + SCORING_TALK


class ScoringPlan(BaseModel):
    """What the scoring block is sized for: how many touchpoints, scorers and devices."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    touchpoints: int = Field(gt=0, le=100)
    """The most touchpoints a team scores in the block (of ``scope``)."""
    scope: Literal["all", "moments_of_truth"] = "all"
    scorers: int = Field(gt=0, le=20)
    device: Literal["laptop", "phones"] = "laptop"


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
    scoring: ScoringPlan | None = None
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
        for block in self.blocks:
            if block.notebook != SCORING_NOTEBOOK:
                continue
            if self.scoring is None:
                raise ValueError(
                    f"block {block.id} scores ({SCORING_NOTEBOOK}) but the agenda has no "
                    f"'scoring' (touchpoints, scope, scorers, device); expected one to size it"
                )
            plan = self.scoring
            need = scoring_minutes(plan.touchpoints, plan.scorers, plan.device)
            if block.minutes < need:
                raise ValueError(
                    f"block {block.id} gives {block.minutes} minutes to score; expected at "
                    f"least {need} for {plan.touchpoints} touchpoints x {plan.scorers} "
                    f"scorers on {'phones' if plan.device == 'phones' else 'one laptop'} "
                    f"({SLIDERS_PER_TOUCHPOINT} sliders of {SECONDS_PER_SLIDER} s each, then "
                    f"{SCORING_TALK} minutes of talk)"
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
        half = self.root["half-day"].blocks
        first = next((i for i, b in enumerate(half) if b.notebook or b.exercise), len(half))
        if not any(b.kind == "logins" and b.minutes >= LOGIN_MINUTES for b in half[:first]):
            raise ValueError(
                f"half-day has no 'logins' block of {LOGIN_MINUTES} minutes or more before its "
                f"first notebook; expected one (every team opens its link for the first time)"
            )
        return self


# --------------------------------------------------------------------------- loading
def loc_path(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as the dotted path a message shows.

    Examples
    --------
    >>> loc_path(("half-day", "blocks", 3, "minutes"))
    'half-day.blocks[3].minutes'
    """
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not str(part).startswith(("function-", "literal[")):
            out += ("." if out else "") + str(part)
    return out


def yaml_line(node: yaml.Node | None, loc: tuple[Any, ...]) -> int | None:
    """The 1-based line of the YAML node at ``loc`` (the deepest one found).

    Examples
    --------
    >>> yaml_line(yaml.compose("a:\\n  b: [1, 2]\\n"), ("a", "b"))
    2
    """
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


_where = loc_path  # the names guide.py has always re-exported
_line = yaml_line


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
    kit.exceptions.InvalidData: a.yaml:1:half-day: expected a mapping with title, minutes, workbooks, note, scoring, blocks, got 3
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
            Problem(shown, yaml_line(node, err["loc"]), loc_path(err["loc"]) or None, _message(err))
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
                        yaml_line(node, loc),
                        loc_path(loc),
                        f"no notebook {block.notebook!r} in the kit; expected one "
                        f"of: {', '.join(sorted(notebooks))}",
                    )
                )
            box = time_box(block.exercise) if block.exercise in exercises else None
            if box and block.minutes < box:
                loc = (name, "blocks", i, "minutes")
                problems.append(
                    Problem(
                        shown,
                        yaml_line(node, loc),
                        loc_path(loc),
                        f"{block.minutes} minutes for exercise {block.exercise}; expected at "
                        f"least its own time box of {box} minutes",
                    )
                )
            if block.exercise and block.exercise not in exercises:
                loc = (name, "blocks", i, "exercise")
                problems.append(
                    Problem(
                        shown,
                        yaml_line(node, loc),
                        loc_path(loc),
                        f"no exercise {block.exercise!r}; expected one of: "
                        f"{', '.join(sorted(exercises))}",
                    )
                )
    if problems:
        raise InvalidData(problems)
    return agendas


def time_box(exercise: str | None) -> int | None:
    """The minutes an exercise sets itself (its ``Time box: N minutes`` line), if any.

    Examples
    --------
    >>> time_box("04_top_gaps"), time_box(None)
    (20, None)
    """
    if not exercise:
        return None
    path = exercises_dir() / f"{exercise}.ipynb"
    match = _TIME_BOX.search(path.read_text(encoding="utf-8")) if path.is_file() else None
    return int(match.group(1)) if match else None


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
