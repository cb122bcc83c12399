"""The one way the kit reads YAML: safe types only, no aliases, bounded size and depth.

Every YAML file the kit reads (``team.yaml``, ``reflections.yaml``, ``workshop.yaml``, a case's
``case.yaml``) goes through :func:`parse_yaml`. On top of :class:`yaml.SafeLoader` (no Python
objects) it refuses

- **aliases** (``*name``): a "billion laughs" file of a few hundred bytes expands to gigabytes
  when aliases are followed, so the kit never follows one (anchors alone are harmless);
- files larger than :data:`MAX_BYTES` (a team's YAML is a few hundred bytes);
- nesting deeper than :data:`MAX_DEPTH` (the kit's files are one or two levels deep; deep
  nesting only serves to exhaust the parser's recursion).

Problems come back as :class:`kit.store.problems.Problem` naming the file and line, never as an
exception, so ``validate``, ``status`` and the editors show one clear message.

Examples
--------
>>> parse_yaml(b"name: Blue\\nmembers: [Ann, Bo]\\n", "team.yaml")
({'name': 'Blue', 'members': ['Ann', 'Bo']}, [])
>>> data, problems = parse_yaml(b"a: &x [1]\\nb: *x\\n", "team.yaml")
>>> data, [str(p) for p in problems]
(None, ["team.yaml:2: refused: the file uses a YAML alias (*x); expected plain 'key: value' lines without anchors or aliases"])
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from kit.exceptions import InvalidData
from kit.store.problems import Problem, errors

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "load_yaml",
    "parse_yaml",
]

MAX_BYTES = 1_000_000
"""Largest YAML file the kit reads (bytes)."""

MAX_DEPTH = 20
"""Deepest nesting of lists and mappings the kit reads."""


class _Refused(yaml.YAMLError):
    def __init__(self, mark: Any, reason: str):
        super().__init__(reason)
        self.problem_mark = mark
        self.problem = reason


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses aliases and deep nesting while composing the document."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:  # noqa: D102 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(
                event.start_mark,
                f"refused: the file uses a YAML alias (*{event.anchor}); expected "
                f"plain 'key: value' lines without anchors or aliases",
            )
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    self.peek_event().start_mark,
                    f"refused: lists or mappings are nested more than {MAX_DEPTH} "
                    f"deep; expected plain 'key: value' lines",
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


_NOT_FAST = object()
_OPEN = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _fast(text: str) -> Any:
    """``text``'s document through libyaml (PyYAML's C parser, ten times the pure-Python one),
    or :data:`_NOT_FAST` when libyaml is missing or the file is anything but plain: an alias,
    nesting deeper than :data:`MAX_DEPTH` (counted node by node, as :class:`_Loader` does) or
    a syntax error. Those go through :class:`_Loader`, whose messages the kit gives."""
    loader = getattr(yaml, "CSafeLoader", None)
    if loader is None:
        return _NOT_FAST
    depth = 0
    try:
        for event in yaml.parse(text, Loader=loader):  # the events first: refuse before building
            if isinstance(event, yaml.AliasEvent):
                return _NOT_FAST
            if isinstance(event, _OPEN):
                depth += 1
                if depth > MAX_DEPTH:
                    return _NOT_FAST
            elif isinstance(event, _CLOSE):
                depth -= 1
            elif isinstance(event, yaml.ScalarEvent) and depth + 1 > MAX_DEPTH:
                return _NOT_FAST
        return yaml.load(text, Loader=loader)  # noqa: S506 - CSafeLoader: safe types only
    except (yaml.YAMLError, RecursionError):
        return _NOT_FAST


def parse_yaml(
    raw: bytes | str | None, shown: str, *, libyaml: bool = True
) -> tuple[Any, list[Problem]]:
    """Read YAML safely; return ``(data, problems)`` and never raise on bad content.

    Parameters
    ----------
    raw : bytes, str or None
        The file's content (``None`` or blank: no data).
    shown : str
        The path as shown in messages.
    libyaml : bool
        Read a plain file with libyaml when PyYAML has it (the default; a file it would refuse
        or cannot read goes through the pure-Python loader, whose messages the kit gives);
        ``False``: the pure-Python loader alone.

    Returns
    -------
    data : Any
        The parsed document, or ``None`` when blank or refused.
    problems : list of Problem
        One error saying what is wrong and where, when the file is refused.

    Examples
    --------
    >>> parse_yaml("[" * 50 + "]" * 50, "w.yaml")[1][0].message
    "refused: lists or mappings are nested more than 20 deep; expected plain 'key: value' lines"
    >>> parse_yaml(b"x" * (MAX_BYTES + 1), "w.yaml")[1][0].message
    'refused: the file is 1000001 bytes; expected a YAML file of at most 1000000 bytes'
    """
    if raw is None:
        return None, []
    size = len(raw.encode("utf-8") if isinstance(raw, str) else raw)
    if size > MAX_BYTES:
        return None, [
            Problem(
                shown,
                None,
                None,
                f"refused: the file is {size} bytes; expected "
                f"a YAML file of at most {MAX_BYTES} bytes",
            )
        ]
    text = raw.decode("utf-8-sig", errors="replace") if isinstance(raw, bytes) else raw
    if not text.strip():
        return None, []
    fast = _fast(text) if libyaml else _NOT_FAST
    if fast is not _NOT_FAST:
        return fast, []
    loader = _Loader(text)
    try:
        return loader.get_single_data(), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or "not valid YAML"
        if not isinstance(exc, _Refused):
            reason = f"{reason}; expected YAML such as 'key: text' (quote text with ':')"
        return None, [Problem(shown, row, None, reason)]
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops this first
        return None, [Problem(shown, None, None, "refused: nested too deeply")]
    finally:
        loader.dispose()


def load_yaml(path: Path, shown: str | None = None) -> Any:
    """Read a YAML file the kit ships or trusts, raising :class:`InvalidData` when refused.

    Examples
    --------
    >>> import tempfile
    >>> file = Path(tempfile.mkdtemp()) / "case.yaml"
    >>> _ = file.write_text("slug: demo\\n")
    >>> load_yaml(file)
    {'slug': 'demo'}
    """
    from kit.store.storage import read_bytes

    shown = shown or Path(path).as_posix()
    raw, problem = read_bytes(Path(path), shown)
    if problem is not None:
        raise InvalidData([problem])
    data, problems = parse_yaml(raw, shown)
    if errors(problems):
        raise InvalidData(problems)
    return data
