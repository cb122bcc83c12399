"""What each workbook table is: columns, types, allowed values, keys and references.

Each table of the team workbook is declared once here, as a pydantic model of one row plus a
:class:`TableSpec` that says its file name, key and which columns point at other tables. The
workbook loader (:mod:`kit.store.workbook`) validates every row against these models and reports every
problem; analyses and widgets read the column lists from here rather than spelling them again.

Spreadsheet habits are accepted: stray whitespace is stripped, blank cells are "missing", and
booleans may be written ``TRUE``/``yes``/``1``/``x``. Numbers must be ordinary numbers: ``inf``,
``nan`` and ``1e999`` are refused everywhere, and whole numbers beyond :data:`MAX_WHOLE` too.

The YAML files of a workshop are declared here as well (:class:`TeamFile`,
:class:`ReflectionsFile`, :class:`WorkshopFile`) and validated the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    field_validator,
)

from kit.store.clock import today

__all__ = [
    "Answer",
    "Bool",
    "CONTACTS",
    "FALSE_WORDS",
    "Happened",
    "JourneyRow",
    "KINDS",
    "KIND_LABELS",
    "LEVELS",
    "MAX_WHOLE",
    "Name",
    "NeedRow",
    "OptDate",
    "OptFloat",
    "OptScore",
    "OptText",
    "PlanRow",
    "REFLECTION_QUESTIONS",
    "Reference",
    "ReflectionsFile",
    "ResultRow",
    "RoleRow",
    "Row",
    "Score",
    "ScoreRow",
    "ServesRow",
    "TABLES",
    "TRUE_WORDS",
    "TableSpec",
    "TeamFile",
    "Text",
    "WorkshopFile",
    "YamlFile",
    "parse_bool",
]

LEVELS: tuple[str, ...] = ("customer", "frontline", "support", "manager", "executive")
"""Pyramid levels from the top of the upside-down pyramid (customers) to the bottom."""

CONTACTS: tuple[str, ...] = ("direct", "indirect")
KINDS: tuple[str, ...] = ("be", "do", "have")
"""What employees need: to BE (mindset), to DO (skills, processes), to HAVE (tools, authority)."""
KIND_LABELS: dict[str, str] = {
    "be": "be (mindset)",
    "do": "do (skills and processes)",
    "have": "have (tools, information, authority)",
}
"""The one wording of each need kind in reports, pages and exports (``KIND_LABELS["be"]``)."""

TRUE_WORDS = {"true", "t", "yes", "y", "1", "x", "✓", "vrai", "ja", "oui", "si", "sí"}
FALSE_WORDS = {"false", "f", "no", "n", "0", "", "non", "nein"}
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
MAX_WHOLE = 1_000_000_000
"""Largest whole number a cell may hold (orders, scores…); larger ones are typing slips."""
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
NAME_RULE = "it contains control characters; expected plain text"
"""Why a name is refused: the one rule for names at input (``new``, widgets, imports) and in
validation (:func:`name_problem`)."""


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a name (team, member, role), or ``None``: the one rule.

    Control characters (a terminal escape, a carriage return) are refused; bidi and other
    format characters are allowed and shown safely (escaped in terminals, isolated in pages).

    Examples
    --------
    >>> name_problem("Night" + chr(27) + "[2J"), name_problem("Équipe " + chr(0x202E) + "x")
    ('it contains control characters; expected plain text', None)
    """
    return NAME_RULE if _CONTROL.search(value) else None


def _name_rule(value: str) -> str:
    problem = name_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def parse_bool(value: Any) -> bool:
    """Read a spreadsheet boolean.

    Parameters
    ----------
    value : Any
        ``True``/``False``, or text such as ``TRUE``, ``yes``, ``1``, ``x`` or blank (false).

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        When the text is not a recognised yes/no word.

    Examples
    --------
    >>> parse_bool("TRUE"), parse_bool("no"), parse_bool(" x "), parse_bool("")
    (True, False, True, False)
    """
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValueError("expected yes/no (TRUE, FALSE, yes, no, 1, 0 or blank)")


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and value.strip() == "":
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas
        return None
    return value


def _strict_bool(value: Any) -> bool:
    return parse_bool(value)


def _whole_number(value: Any) -> Any:
    """Accept ``3`` and ``3.0`` (what a spreadsheet writes) but not ``3.5`` or ``three``."""
    value = _blank_to_none(value)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            return text
        if not number.is_integer():
            return text
        value = int(number)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and abs(value) > MAX_WHOLE:
        raise ValueError(f"the number is too large; expected a whole number of at most {MAX_WHOLE}")
    return value


def _neutral_if_blank(value: Any) -> Any:
    """A blank emotion is neutral (0): participants fill emotions in last."""
    value = _whole_number(value)
    return 0 if value is None else value


Text = Annotated[str, Field(min_length=1)]
OptText = Annotated[str | None, BeforeValidator(_blank_to_none)]
Bool = Annotated[bool, BeforeValidator(_strict_bool)]
Score = Annotated[int, BeforeValidator(_whole_number), Field(ge=1, le=5)]
OptScore = Annotated[Annotated[int, Field(ge=1, le=5)] | None, BeforeValidator(_whole_number)]
OptFloat = Annotated[float | None, BeforeValidator(_blank_to_none)]
LAST_YEAR = 2100
"""Latest year a date may have: later is a typo (and past what calendars handle)."""


def _sane_year(value: dt.date | None) -> dt.date | None:
    if value is not None and value.year > LAST_YEAR:
        raise ValueError(
            f"the year {value.year} is past {LAST_YEAR}; expected a date written YYYY-MM-DD "
            f"up to {LAST_YEAR}-12-31 (a typo in the year?)"
        )
    return value


def _not_after_today(value: dt.date) -> dt.date:
    day = today()
    if value > day:
        raise ValueError(f"it is after today ({day.isoformat()}): a typo?")
    return value


OptDate = Annotated[dt.date | None, BeforeValidator(_blank_to_none), AfterValidator(_sane_year)]
Happened = Annotated[dt.date, AfterValidator(_sane_year), AfterValidator(_not_after_today)]
"""The date something was measured or happened: never after :func:`kit.store.clock.today`
(a due date, :data:`OptDate`, may be in the future)."""


class Row(BaseModel):
    """Base of all row models: strip whitespace, refuse infinite numbers and ``nan``."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", allow_inf_nan=False)


class JourneyRow(Row):
    """One touchpoint of the customer's day in the life."""

    touchpoint_id: Text
    stage: Text
    order: Annotated[int, BeforeValidator(_whole_number), Field(ge=0)]
    time: OptText = None
    description: Text
    channel: OptText = None
    contact: Literal["direct", "indirect"]
    role_id: OptText = None
    emotion: Annotated[int, BeforeValidator(_neutral_if_blank), Field(ge=-2, le=2)] = 0
    moment_of_truth: Bool = False

    @field_validator("time")
    @classmethod
    def _hh_mm(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = _TIME.match(value)
        if not match:
            raise ValueError("expected a time as HH:MM (24-hour), e.g. 07:30")
        return f"{int(match.group(1)):02d}:{match.group(2)}"

    @field_validator("contact", mode="before")
    @classmethod
    def _lower_contact(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class RoleRow(Row):
    """A role in the upside-down pyramid."""

    role_id: Text
    name: Annotated[str, Field(min_length=1), AfterValidator(_name_rule)]
    level: Literal["customer", "frontline", "support", "manager", "executive"]
    headcount: Annotated[Annotated[float, Field(ge=0)] | None, BeforeValidator(_blank_to_none)] = (
        None
    )
    unit: OptText = None
    grade: OptText = None

    @field_validator("level", mode="before")
    @classmethod
    def _lower_level(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class ServesRow(Row):
    """An edge of the pyramid: ``from_role`` serves ``to_role``."""

    from_role: Text
    to_role: Text


class NeedRow(Row):
    """What employees at a touchpoint need to BE, DO or HAVE, and who provides it."""

    touchpoint_id: Text
    kind: Literal["be", "do", "have"]
    need: Text
    provider_role: OptText = None

    @field_validator("kind", mode="before")
    @classmethod
    def _lower_kind(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class ScoreRow(Row):
    """One scorer's view of one touchpoint (all on 1-5 scales)."""

    touchpoint_id: Text
    scorer: Text
    importance: Score
    performance: Score
    be: OptScore = None
    do: OptScore = None
    have: OptScore = None


class PlanRow(Row):
    """One action of the internal service plan."""

    action_id: Text
    touchpoint_id: Text
    kind: Literal["be", "do", "have"]
    action: Text
    owner_role: OptText = None
    due: OptDate = None
    metric: OptText = None
    baseline: OptFloat = None
    target: OptFloat = None

    @field_validator("kind", mode="before")
    @classmethod
    def _lower_kind(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value


class ResultRow(Row):
    """A measured value of an action's metric on a date (not after today: a typo otherwise).

    Examples
    --------
    >>> import os
    >>> from pydantic import ValidationError
    >>> os.environ["SERVEKIT_TODAY"] = "2026-12-07"
    >>> try:
    ...     ResultRow.model_validate({"action_id": "A1", "date": "2027-12-01", "value": 3})
    ... except ValidationError as exc:
    ...     print(exc.errors()[0]["msg"])
    Value error, it is after today (2026-12-07): a typo?
    >>> del os.environ["SERVEKIT_TODAY"]
    """

    action_id: Text
    date: Happened
    value: float


@dataclass(frozen=True)
class Reference:
    """``column`` of this table must name an existing ``key`` of ``table``."""

    column: str
    table: str
    key: str
    optional: bool = False


@dataclass(frozen=True)
class TableSpec:
    """How one workbook table is stored and checked."""

    name: str
    model: type[Row]
    key: tuple[str, ...]
    references: tuple[Reference, ...] = ()
    required: tuple[str, ...] = field(default=())

    @property
    def filename(self) -> str:
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        """Declared columns, in file order."""
        return list(self.model.model_fields)

    @property
    def required_columns(self) -> list[str]:
        """Columns that must be present in the header (the others may be left out)."""
        return [n for n, f in self.model.model_fields.items() if f.is_required()]


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "journey",
            JourneyRow,
            key=("touchpoint_id",),
            references=(Reference("role_id", "roles", "role_id", optional=True),),
        ),
        TableSpec("roles", RoleRow, key=("role_id",)),
        TableSpec(
            "serves",
            ServesRow,
            key=("from_role", "to_role"),
            references=(
                Reference("from_role", "roles", "role_id"),
                Reference("to_role", "roles", "role_id"),
            ),
        ),
        TableSpec(
            "needs",
            NeedRow,
            key=(),
            references=(
                Reference("touchpoint_id", "journey", "touchpoint_id"),
                Reference("provider_role", "roles", "role_id", optional=True),
            ),
        ),
        TableSpec(
            "scores",
            ScoreRow,
            key=("touchpoint_id", "scorer"),
            references=(Reference("touchpoint_id", "journey", "touchpoint_id"),),
        ),
        TableSpec(
            "plan",
            PlanRow,
            key=("action_id",),
            references=(
                Reference("touchpoint_id", "journey", "touchpoint_id"),
                Reference("owner_role", "roles", "role_id", optional=True),
            ),
        ),
        TableSpec(
            "results",
            ResultRow,
            key=("action_id", "date"),
            references=(Reference("action_id", "plan", "action_id"),),
        ),
    )
}
"""The workbook tables, in the order a team fills them in."""

REFLECTION_QUESTIONS: dict[str, str] = {
    "serve_your_people": "How will you serve, and add value for, the people who report to you?",
    "culture_of_service": "What will you do to grow a culture of service across the organisation?",
    "frontline_time": "When will leaders work alongside the front line, and what will they look for?",
    "first_step": "What is the first step your team takes on Monday, and who owns it?",
}
"""The action-plan questions a team answers in ``reflections.yaml`` (key -> question)."""


# --------------------------------------------------------------------------- YAML files
def _plain_text(value: Any) -> Any:
    """Names are text: numbers become text, control characters are refused."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _name_rule(value)
    return value


def _name_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [m.strip() for m in value.split(",") if m.strip()]
    return value


Name = Annotated[str, BeforeValidator(_plain_text)]


class YamlFile(BaseModel):
    """Base of the YAML file models: unknown keys are kept as they are."""

    model_config = ConfigDict(extra="allow", str_strip_whitespace=True)


class TeamFile(YamlFile):
    """``team.yaml``: the team's display name and its members.

    Examples
    --------
    >>> TeamFile.model_validate({"name": 7, "members": "Ann, Bo"}).model_dump()
    {'name': '7', 'members': ['Ann', 'Bo']}
    """

    name: Annotated[str, BeforeValidator(lambda v: "" if v is None else _plain_text(v))] = ""
    members: Annotated[list[Name], BeforeValidator(_name_list)] = []


Answer = Annotated[
    str,
    BeforeValidator(
        lambda v: (
            ""
            if v is None
            else str(v)
            if isinstance(v, int | float) and not isinstance(v, bool)
            else v
        )
    ),
]


class ReflectionsFile(RootModel[dict[str, Answer]]):
    """``reflections.yaml``: question key -> the team's answer (see :data:`REFLECTION_QUESTIONS`).

    Examples
    --------
    >>> ReflectionsFile.model_validate({"first_step": "Book the room", "x": 3}).root
    {'first_step': 'Book the room', 'x': '3'}
    """


class WorkshopFile(YamlFile):
    """``workshop.yaml``: title, case, date and facilitator of a workshop.

    Examples
    --------
    >>> WorkshopFile.model_validate({"title": "Demo", "date": "2026-03-01"}).date
    datetime.date(2026, 3, 1)
    """

    title: Annotated[str, BeforeValidator(lambda v: "" if v is None else _plain_text(v))] = ""
    case: Annotated[str, BeforeValidator(lambda v: "" if v is None else _plain_text(v))] = ""
    date: Annotated[dt.date | None, BeforeValidator(_blank_to_none)] = None
    facilitator: Annotated[str, BeforeValidator(lambda v: "" if v is None else _plain_text(v))] = ""
