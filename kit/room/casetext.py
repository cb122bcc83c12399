"""A case's text as data: what ``datasets/<case>/case.yaml`` must say, and stamping it into notebooks.

A case is a folder of data and needs no code. Its ``case.yaml`` names the **customer noun**
(guest, patient, customer), the **protagonist**, the words that belong to this case alone, and
for each participant notebook the paragraph told under **The case.** and the discussion prompts
(one per ``**Discuss with your team:**`` of the notebook, in order). :func:`load_case_file`
validates it with :class:`CaseFile`; every problem comes back at once as
``<case>/case.yaml:<line>:<where>: what is wrong``. :func:`stamp_case` writes the case's text
into a notebook, which is how ``servekit new`` and ``servekit notebooks`` make each team's copies
speak the case.

Examples
--------
>>> case = load_case_file("riverside-clinic")
>>> case.customer.singular, case.protagonist.name
('patient', 'Amara')
>>> parse_case_file("title: x", "my-case/case.yaml")
Traceback (most recent call last):
...
kit.exceptions.InvalidData: my-case/case.yaml:1:slug: missing; expected this field
my-case/case.yaml:1:summary: missing; expected this field
my-case/case.yaml:1:customer: missing; expected this field
my-case/case.yaml:1:protagonist: missing; expected this field
my-case/case.yaml:1:stages: missing; expected this field
my-case/case.yaml:1:notebooks: missing; expected this field
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kit.exceptions import InvalidData
from kit.resources import datasets_dir, workshops_dir
from kit.room.agenda import loc_path, yaml_line
from kit.store.problems import Problem
from kit.store.safeyaml import parse_yaml

__all__ = [
    "CASE_FILE",
    "CASE_MARK",
    "DISCUSS_MARK",
    "CaseFile",
    "Customer",
    "Flaw",
    "NotebookText",
    "Protagonist",
    "Quote",
    "case_words",
    "discuss_count",
    "load_case_file",
    "parse_case_file",
    "stamp_case",
]

CASE_FILE = "case.yaml"
CASE_MARK = "**The case.**"
"""The paragraph of a notebook's first cell that :func:`stamp_case` replaces."""
DISCUSS_MARK = "**Discuss with your team:**"
"""Each step's prompt; the text after it (to the end of its paragraph) is replaced in order."""

_STRICT = ConfigDict(extra="forbid", str_strip_whitespace=True)
_NOTEBOOK = r"^0[1-9]_[a-z0-9_]+$"


class Customer(BaseModel):
    """The noun the case uses for its customer, e.g. ``guest`` / ``guests``."""

    model_config = _STRICT
    singular: str = Field(min_length=1, pattern=r"^[a-z][a-z -]*$")
    plural: str = Field(min_length=1, pattern=r"^[a-z][a-z -]*$")


class Protagonist(BaseModel):
    """Who the story follows: a first name and the post they hold."""

    model_config = _STRICT
    name: str = Field(min_length=1)
    role: str = Field(min_length=1)


class Quote(BaseModel):
    """A line the facilitator may quote, with its credit (short, and marked as a quotation)."""

    model_config = _STRICT
    text: str = Field(min_length=1, max_length=200)
    credit: str = Field(min_length=1)


class NotebookText(BaseModel):
    """What one participant notebook says about the case."""

    model_config = _STRICT
    case: str = Field(min_length=1)
    """The paragraph after **The case.** (markdown)."""
    prompts: list[str] = []
    """One per ``**Discuss with your team:**`` of the notebook, in order; empty keeps the kit's."""


class Flaw(BaseModel):
    """A flaw planted in the case's reference data (revealed in the run sheet)."""

    model_config = _STRICT
    what: str = Field(min_length=1)
    where: str = Field(min_length=1)
    why: str = Field(min_length=1)
    kind: Literal["orphan", "unreached", "serves_down", "cycle", "needs_gap", "unowned_touchpoint"]
    role_id: str | None = None
    touchpoint_id: str | None = None
    edge: dict[str, str] | None = None


class CaseFile(BaseModel):
    """A case's ``case.yaml``."""

    model_config = _STRICT
    title: str = Field(min_length=1)
    slug: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    workshop_date: dt.date | None = None
    """The sample teams' session date: their plans are due after it (``servekit demo``)."""
    summary: str = Field(min_length=1)
    summary_use: Literal["read aloud", "paraphrase"] = "read aloud"
    """Whether the facilitator reads the summary aloud or tells it in their own words."""
    customer: Customer
    protagonist: Protagonist
    words: list[str] = Field(default=[], description="words that belong to this case alone")
    story: list[str] = []
    """The source story behind the method, for the run sheet (paragraphs, paraphrased)."""
    quotes: list[Quote] = []
    stages: list[str] = Field(min_length=1)
    facilitator_notes: list[str] = []
    flaws: list[Flaw] = []
    notebooks: dict[Annotated[str, Field(pattern=_NOTEBOOK)], NotebookText]


def _message(error: dict[str, Any]) -> str:
    kind, msg = error["type"], error["msg"]
    got = f", got {error['input']!r}" if "input" in error and kind != "missing" else ""
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "missing":
        return "missing; expected this field"
    if kind == "extra_forbidden":
        return "unknown field; see the schema in kit/room/casetext.py (class CaseFile)"
    if kind == "string_pattern_mismatch" and error["loc"][-1] == "[key]":
        return f"expected a participant notebook's name such as 01_journey{got}"
    if kind == "string_pattern_mismatch":
        return f"expected lower-case words (or a slug such as my-case){got}"
    if msg.startswith("Input should be "):
        return f"expected {msg.removeprefix('Input should be ')}{got}"
    return f"{msg[0].lower()}{msg[1:]}{got}"


def parse_case_file(text: str, shown: str = CASE_FILE) -> CaseFile:
    """Validate the text of a ``case.yaml``; raise :class:`InvalidData` with every problem.

    Examples
    --------
    >>> parse_case_file("- a list", "c/case.yaml")
    Traceback (most recent call last):
    ...
    kit.exceptions.InvalidData: c/case.yaml: expected a mapping (title, slug, summary, …)
    """
    data, problems = parse_yaml(text, shown)  # the kit's one safe reader: no aliases, caps
    if problems:
        raise InvalidData(problems)
    if not isinstance(data, dict):
        raise InvalidData(
            [Problem(shown, None, None, "expected a mapping (title, slug, summary, …)")]
        )
    node = yaml.compose(text)  # only for line numbers
    try:
        return CaseFile.model_validate(data)
    except ValidationError as exc:
        raise InvalidData(
            Problem(shown, yaml_line(node, err["loc"]), loc_path(err["loc"]) or None, _message(err))
            for err in exc.errors()
        ) from None


def load_case_file(case: str, root: Path | str | None = None) -> CaseFile:
    """Read and validate ``<root>/<case>/case.yaml`` (root: the kit's ``datasets/``).

    Examples
    --------
    >>> load_case_file("laurie-hospitality").customer.plural
    'guests'
    """
    path = Path(root or datasets_dir()) / case / CASE_FILE
    shown = f"{case}/{CASE_FILE}"
    if not path.is_file():
        raise InvalidData([Problem(shown, None, None, "file not found; expected the case's data")])
    text = path.read_text(encoding="utf-8")
    parsed = parse_case_file(text, shown)
    problems = _against_notebooks(parsed, yaml.compose(text), shown)
    if problems:
        raise InvalidData(problems)
    return parsed


def _against_notebooks(case: CaseFile, node: Any, shown: str) -> list[Problem]:
    """Each notebook the case writes for exists in the kit and gets one prompt per discussion."""
    import nbformat

    problems = []
    for stem, text in case.notebooks.items():
        path = workshops_dir() / f"{stem}.ipynb"
        loc = ("notebooks", stem)
        if not path.is_file():
            names = sorted(p.stem for p in workshops_dir().glob("0[1-9]_*.ipynb"))
            problems.append(
                Problem(
                    shown,
                    yaml_line(node, loc),
                    loc_path(loc),
                    f"no participant notebook {stem!r} in the kit; expected one of: "
                    f"{', '.join(names)}",
                )
            )
            continue
        count = discuss_count(nbformat.read(str(path), as_version=4))
        if text.prompts and len(text.prompts) != count:
            loc = (*loc, "prompts")
            problems.append(
                Problem(
                    shown,
                    yaml_line(node, loc),
                    loc_path(loc),
                    f"{len(text.prompts)} prompts; expected {count}, one per "
                    f"'{DISCUSS_MARK}' of {stem}.ipynb",
                )
            )
    return problems


def case_words(case: CaseFile) -> set[str]:
    """The words no other case's notebooks may use: the protagonist, the nouns, ``words``.

    Examples
    --------
    >>> sorted(case_words(load_case_file("riverside-clinic")))[:3]
    ['Amara', 'Riverside', 'clinic']
    """
    words = {case.protagonist.name, *case.words}
    if case.customer.singular != "customer":
        words |= {case.customer.singular, case.customer.plural}
    return words


def discuss_count(nb: Any) -> int:
    """How many discussion prompts a notebook has (its ``**Discuss with your team:**`` marks).

    Examples
    --------
    >>> from kit.resources import workshop_notebook
    >>> import nbformat
    >>> discuss_count(nbformat.read(workshop_notebook("01_journey.ipynb"), as_version=4))
    2
    """
    return sum(c.source.count(DISCUSS_MARK) for c in nb.cells if c.cell_type == "markdown")


def _replace_paragraph(source: str, mark: str, text: str, start: int = 0) -> tuple[str, int]:
    """Replace the paragraph text after ``mark`` (from ``start``); return it and where it ends."""
    at = source.index(mark, start) + len(mark)
    end = source.find("\n\n", at)
    end = len(source) if end < 0 else end
    new = source[:at] + " " + text.strip() + source[end:]
    return new, at + len(text.strip()) + 1


def stamp_case(nb: Any, case: CaseFile, stem: str) -> Any:
    """Write the case's paragraph and prompts for notebook ``stem`` into ``nb`` (in place).

    A notebook the case says nothing about is left alone; so is a notebook without the marks.

    Raises
    ------
    InvalidData
        The case gives a different number of prompts than the notebook has.

    Examples
    --------
    >>> import nbformat
    >>> from kit.resources import workshop_notebook
    >>> nb = nbformat.read(workshop_notebook("01_journey.ipynb"), as_version=4)
    >>> nb = stamp_case(nb, load_case_file("riverside-clinic"), "01_journey")
    >>> "Amara" in nb.cells[0].source and "Laurie" not in nb.cells[0].source
    True
    """
    text = case.notebooks.get(stem)
    if text is None:
        return nb
    count = discuss_count(nb)
    if text.prompts and len(text.prompts) != count:
        raise InvalidData(
            [
                Problem(
                    f"{case.slug}/{CASE_FILE}",
                    None,
                    f"notebooks.{stem}.prompts",
                    f"{len(text.prompts)} prompts; expected {count}, one per "
                    f"'{DISCUSS_MARK}' of {stem}.ipynb",
                )
            ]
        )
    prompts = iter(text.prompts)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        if CASE_MARK in cell.source:
            cell.source, _ = _replace_paragraph(cell.source, CASE_MARK, text.case)
        at = 0
        while text.prompts and DISCUSS_MARK in cell.source[at:]:
            cell.source, at = _replace_paragraph(cell.source, DISCUSS_MARK, next(prompts), at)
    return nb
