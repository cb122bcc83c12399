"""Checking ``team.yaml`` and ``reflections.yaml``: keep what is valid, name what is not.

The YAML half of a team folder (the CSV tables are checked by :mod:`kit.store.validation`, which
calls these). Each problem names the file and the key.

Examples
--------
>>> print(*check_team({"name": "Blue", "members": {"a": 1}}, "team.yaml")[1])
team.yaml:members: expected a list of names
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from kit.store.problems import Problem
from kit.store.schema import REFLECTION_QUESTIONS, ReflectionsFile, TeamFile

__all__ = ["check_reflections", "check_team", "empty_of"]


def _yaml_problems(exc: ValidationError, shown: str, messages: Mapping[str, str]) -> list[Problem]:
    problems = []
    for error in exc.errors():
        column = str(error["loc"][0]) if error["loc"] else None
        detail = error.get("msg", "").removeprefix("Value error, ")
        text = (
            messages.get(column or "", detail)
            if error.get("type") != "value_error"
            else f"got {error.get('input')!r}; {detail}"
        )
        problems.append(Problem(shown, None, column, text))
    return problems


def check_team(data: Any, shown: str) -> tuple[dict[str, Any], list[Problem]]:
    """Validate ``team.yaml`` (:class:`kit.store.schema.TeamFile`); keep what is valid.

    Examples
    --------
    >>> check_team({"name": "Blue", "members": ["Ann", 2]}, "team.yaml")
    ({'name': 'Blue', 'members': ['Ann', '2']}, [])
    >>> print(*check_team({"name": "Bad" + chr(27) + "[31m"}, "team.yaml")[1])
    team.yaml:name: got 'Bad\\x1b[31m'; it contains control characters; expected plain text
    """
    empty = {"name": "", "members": []}
    if data is None:
        return empty, []
    if not isinstance(data, dict):
        return empty, [Problem(shown, 1, None, "expected keys 'name' and 'members'")]
    data = {str(k): v for k, v in data.items()}
    try:
        return TeamFile.model_validate(data).model_dump(), []
    except ValidationError as exc:
        problems = _yaml_problems(
            exc,
            shown,
            {"name": "expected the team's name as text", "members": "expected a list of names"},
        )
    bad = {p.column for p in problems}
    kept = {k: v for k, v in data.items() if k not in bad}
    return {**TeamFile.model_validate(kept).model_dump(), **empty_of(bad)}, problems


def empty_of(keys: Iterable[str | None]) -> dict[str, Any]:
    defaults = {"name": "", "members": []}
    return {k: defaults[k] for k in keys if k in defaults}


def check_reflections(data: Any, shown: str) -> tuple[dict[str, str], list[Problem]]:
    """Validate ``reflections.yaml`` (:class:`kit.store.schema.ReflectionsFile`); keep valid answers.

    Examples
    --------
    >>> answers, problems = check_reflections({"first_step": "Book", "odd": "x"}, "r.yaml")
    >>> answers, [str(p) for p in problems]
    ({'first_step': 'Book', 'odd': 'x'}, ["r.yaml:odd: warning: not one of the kit's questions; kept as it is"])
    """
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [Problem(shown, 1, None, "expected 'question_key: answer' lines")]
    problems, answers = [], {}
    for key, value in data.items():
        try:
            answer = ReflectionsFile.model_validate({str(key): value}).root[str(key)]
        except ValidationError:
            problems.append(Problem(shown, None, str(key), "expected the answer as text"))
            continue
        if key not in REFLECTION_QUESTIONS:
            problems.append(
                Problem(
                    shown,
                    None,
                    str(key),
                    "not one of the kit's questions; kept as it is",
                    "warning",
                )
            )
        answers[str(key)] = answer
    return answers, problems
