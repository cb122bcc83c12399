"""A workshop folder: ``workshop.yaml`` plus one folder per team under ``teams/``.

The teams are simply the folders under ``teams/`` (one copied in by hand is picked up; there is
no list to keep in sync). Team names are display text; each folder's name is a *slug* derived
from it safely (:mod:`kit.store.teamnames`), and names that would escape the workshop folder or
clash with another team are refused there.

Examples
--------
>>> import tempfile
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue & Gold"], title="Demo")
>>> [t.slug for t in ws.teams()]
['blue-gold']
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kit.exceptions import WorkshopError
from kit.resources import cases as available_cases
from kit.resources import datasets_dir
from kit.store.clock import today
from kit.store.csvio import atomic_write
from kit.store.dates import due_date_warnings
from kit.store.problems import Problem, display_path
from kit.store.safeyaml import load_yaml, parse_yaml
from kit.store.schema import WorkshopFile
from kit.store.storage import read_bytes
from kit.store.teamnames import check_team_name, natural_key, reserved, slugify
from kit.store.terminal import CONTROL as _CONTROL
from kit.store.terminal import printable
from kit.store.workbook import TEAM_FILE, Workbook, team_name, validate_team

__all__ = [
    "TEAMS_DIR",
    "Team",
    "WORKSHOP_FILE",
    "Workshop",
    "case_dir",
    "check_new",
    "create_demo",
    "create_workshop",
    "is_workshop",
    "load_case",
]

WORKSHOP_FILE = "workshop.yaml"
TEAMS_DIR = "teams"


# --------------------------------------------------------------------------- cases (datasets)
def case_dir(case: str) -> Path:
    """The folder of a case dataset, or :class:`WorkshopError` naming the cases there are.

    Examples
    --------
    >>> case_dir("laurie-hospitality").name
    'laurie-hospitality'
    """
    root = datasets_dir()
    if "/" in case or "\\" in case or case in {"", ".", ".."}:
        raise WorkshopError(f"case {case!r} is not a case name")
    path = root / case
    if not (path / "case.yaml").is_file():
        cases = available_cases()
        raise WorkshopError(
            f"no case {case!r} in {root}; expected one of: {', '.join(cases) or '(none)'}"
        )
    return path


def load_case(case: str) -> dict[str, Any]:
    """Read a case's ``case.yaml`` (title, summary, stages, facilitator notes, flaws).

    Examples
    --------
    >>> load_case("laurie-hospitality")["slug"]
    'laurie-hospitality'
    """
    path = case_dir(case) / "case.yaml"
    stat = path.stat()
    # Parsed once per process and version of the file (a batch of reports reads it per team:
    # 40 ms each); each caller gets its own copy.
    return copy.deepcopy(_parsed_case(str(path), stat.st_mtime_ns, stat.st_size))


@functools.lru_cache(maxsize=8)
def _parsed_case(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    del mtime_ns, size  # the cache key: a changed file is read again
    return load_yaml(Path(path))


# --------------------------------------------------------------------------- workshops
@dataclass(frozen=True)
class Team:
    """A team folder inside a workshop."""

    slug: str
    path: Path

    def load(self, *, strict: bool = True) -> Workbook:
        """Open this team's workbook (messages show paths relative to the workshop)."""
        return Workbook.load(self.path, root=self.path.parent.parent, strict=strict)


class Workshop:
    """A workshop folder.

    Examples
    --------
    >>> import tempfile
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A", "B"])
    >>> ws.team("a").slug, ws.info["case"]
    ('a', 'laurie-hospitality')
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)

    @property
    def info(self) -> dict[str, Any]:
        """The contents of ``workshop.yaml`` (empty when absent)."""
        raw, problem = read_bytes(self.path / WORKSHOP_FILE, WORKSHOP_FILE)
        data, problems = parse_yaml(raw, WORKSHOP_FILE)
        return data if isinstance(data, dict) and problem is None and not problems else {}

    @property
    def teams_path(self) -> Path:
        return self.path / TEAMS_DIR

    def teams(self) -> list[Team]:
        """Team folders under ``teams/``, sorted naturally by slug (``team-2`` before ``team-10``).

        Hidden folders are skipped; folders that cannot be a team (a symbolic link, a reserved
        name such as ``index`` or ``_…``, control characters in the name) are left out and
        named by :meth:`refused`.
        """
        return [Team(p.name, p) for p in self._folders() if self._refusal(p) is None]

    def _folders(self) -> list[Path]:
        if not self.teams_path.is_dir() or self.teams_path.is_symlink():
            return []
        return [
            p
            for p in sorted(self.teams_path.iterdir(), key=lambda p: natural_key(p.name))
            if not p.name.startswith(".") and (p.is_dir() or p.is_symlink())
        ]

    def _refusal(self, path: Path) -> str | None:
        name = path.name
        if path.is_symlink():
            return (
                "refused: the team folder is a symbolic link; expected a real folder "
                "(links are never followed)"
            )
        if _CONTROL.search(name):
            return (
                "refused: the folder name contains control characters; expected a plain "
                "name such as 'night-shift' (rename the folder)"
            )
        if reserved(name):
            why = (
                "names starting with '_' are kept for the kit's own pages"
                if name.startswith("_")
                else f"{name!r} is reserved (the reports' index page, or a name Windows refuses)"
            )
            return (
                f"refused: {why}; expected another folder name, e.g. "
                f"{(name.strip('_') or 'team') + '-team'!r} (rename the folder)"
            )
        return None

    def refused(self) -> list[Problem]:
        """A problem for every folder under ``teams/`` that is not used as a team, and why.

        Examples
        --------
        >>> import tempfile
        >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
        >>> (ws.teams_path / "index").mkdir()
        >>> [t.slug for t in ws.teams()], [str(p) for p in ws.refused()]
        (['a'], ["teams/index: refused: 'index' is reserved (the reports' index page, or a name Windows refuses); expected another folder name, e.g. 'index-team' (rename the folder)"])
        """
        problems = []
        if self.teams_path.is_symlink():
            problems.append(
                Problem(
                    TEAMS_DIR,
                    None,
                    None,
                    "refused: the teams folder is a symbolic link; expected a real folder",
                )
            )
        for path in self._folders():
            why = self._refusal(path)
            if why is not None:
                shown = printable(display_path(path, self.path))
                problems.append(Problem(shown, None, None, why))
        return problems

    def team(self, slug_or_name: str) -> Team:
        """Find a team by slug or display name; never returns a path outside ``teams/``.

        A slug is found without listing ``teams/`` (one team of a big workshop is opened in the
        time of a small one's); a display name, or a name that two folders answer to, is looked
        up among every team.

        Examples
        --------
        >>> import tempfile
        >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Night Shift", "Day"])
        >>> ws.team("night-shift").slug, ws.team("Night Shift").slug
        ('night-shift', 'night-shift')
        >>> ws.team("../night-shift").path == ws.teams_path / "night-shift"  # a slug, made safe
        True
        >>> ws.team("Nobody")
        Traceback (most recent call last):
        ...
        kit.exceptions.WorkshopError: no team 'Nobody' in ... expected one of: day, night-shift
        """
        named = {t.slug: t for n in {slug_or_name, slugify(slug_or_name)} if (t := self._named(n))}
        if len(named) == 1:
            return next(iter(named.values()))
        teams = self.teams()
        for team in teams:
            if team.slug in (slug_or_name, slugify(slug_or_name)):
                return team
        for team in teams:  # a display name whose slug differs from the folder's name
            raw, problem = read_bytes(team.path / TEAM_FILE, TEAM_FILE)
            data, problems = parse_yaml(raw, TEAM_FILE)
            if isinstance(data, dict) and str(data.get("name", "")).strip() == slug_or_name.strip():
                return team
        known = ", ".join(t.slug for t in self.teams()) or "(none)"
        raise WorkshopError(
            f"no team {printable(repr(slug_or_name))} in {self.teams_path}; expected one of: {known}"
        )

    def _named(self, name: str) -> Team | None:
        """The team whose folder is called ``name`` (a plain folder name, not hidden, not refused),
        found without listing ``teams/``; None otherwise."""
        if not name or name != Path(name).name or name.startswith(".") or "\\" in name:
            return None
        if "\x00" in name or not self.teams_path.is_dir() or self.teams_path.is_symlink():
            return None
        path = self.teams_path / name
        if path.is_symlink() or not path.is_dir() or self._refusal(path) is not None:
            return None
        return Team(name, path)

    def team_names(self) -> dict[str, str]:
        """slug -> display name for every team (the slug when ``team.yaml`` has no name)."""
        return {team.slug: team_name(team.path) or team.slug for team in self.teams()}

    def add_team(
        self,
        name: str,
        members: list[str] | None = None,
        starter: Path | None = None,
        *,
        taken: dict[str, str] | None = None,
    ) -> Team:
        """Create a team folder for ``name`` (refusing unsafe or clashing names).

        Parameters
        ----------
        name : str
            Display name.
        members : list of str, optional
        starter : Path, optional
            A folder of tables copied in as the team's starting point.
        taken : dict, optional
            slug -> display name of the teams already there, kept up to date by the caller
            (default: :meth:`team_names`, which reads every team). :func:`create_workshop` reads
            the teams once and passes this, so adding N teams reads N folders, not N²/2.

        Examples
        --------
        >>> import tempfile
        >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue"])
        >>> ws.add_team("Green").slug
        'green'
        >>> ws.add_team("blue!", taken={"blue": "Blue"})
        Traceback (most recent call last):
        ...
        kit.exceptions.WorkshopError: team name 'blue!' is refused: its folder name 'blue' is already used by team 'Blue'; expected a different name
        """
        slug = check_team_name(name, self.team_names() if taken is None else taken)
        path = self.teams_path / slug
        path.mkdir(parents=True, exist_ok=False)
        if starter is not None:
            for file in sorted(starter.glob("*.csv")):
                shutil.copyfile(file, path / file.name)
        data = {"name": name.strip(), "members": list(members or [])}
        atomic_write(path / TEAM_FILE, yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
        return Team(slug, path)

    def validate(self) -> list[Problem]:
        """Every problem in ``workshop.yaml`` and in every team folder."""
        problems = []
        file = self.path / WORKSHOP_FILE
        raw, problem = read_bytes(file, WORKSHOP_FILE)
        if problem is not None:
            problems.append(problem)
        elif raw is None:
            problems.append(
                Problem(
                    display_path(file, self.path),
                    None,
                    None,
                    "missing; expected a workshop folder made by 'servekit new'",
                )
            )
        else:
            data, found = parse_yaml(raw, WORKSHOP_FILE)
            problems += found
            if data is not None and not isinstance(data, dict):
                problems.append(
                    Problem(WORKSHOP_FILE, 1, None, "expected keys title, case, date, facilitator")
                )
            elif data is not None:
                problems += _workshop_problems(data)
        problems += self.refused()
        for team in self.teams():
            problems += validate_team(team.path, root=self.path)
            plan = team.path / "plan.csv"
            raw, _ = read_bytes(plan, plan.name)
            shown = display_path(plan, self.path)
            problems += due_date_warnings(raw, self.info.get("date"), shown)
        return problems


def _workshop_problems(data: dict[str, Any]) -> list[Problem]:
    """Check ``workshop.yaml`` against :class:`kit.store.schema.WorkshopFile`."""
    try:
        WorkshopFile.model_validate({str(k): v for k, v in data.items()})
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            column = str(error["loc"][0]) if error["loc"] else None
            detail = error.get("msg", "").removeprefix("Value error, ")
            if column == "date":
                detail = "expected a date written YYYY-MM-DD, e.g. 2026-03-31"
            elif error.get("type") != "value_error":
                detail = "expected text"
            problems.append(
                Problem(
                    WORKSHOP_FILE,
                    None,
                    column,
                    f"got {printable(repr(error.get('input')))[:80]}; {detail}",
                )
            )
        return problems
    return []


def is_workshop(path: Path) -> bool:
    """True when ``path`` holds a ``workshop.yaml`` or a ``teams/`` folder."""
    return (path / WORKSHOP_FILE).is_file() or (path / TEAMS_DIR).is_dir()


def _prepare_empty(path: Path, force: bool) -> None:
    if path.exists() and not path.is_dir():
        raise WorkshopError(f"{path} is a file; expected a folder for the workshop")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise WorkshopError(
            f"{path} is not empty; choose a new folder, or pass --force to "
            f"add to it (existing files are kept)"
        )


def check_new(path: Path, teams: list[str], *, force: bool = False) -> None:
    """Refuse, before anything is written, what :func:`create_workshop` would refuse: a folder
    that is a file or not empty (without ``force``), an unsafe name, two names with one slug.

    Examples
    --------
    >>> import tempfile
    >>> check_new(Path(tempfile.mkdtemp()) / "w", ["Blue", "Gold"])
    >>> check_new(Path(tempfile.mkdtemp()) / "w", ["Blue", "blue!"])
    Traceback (most recent call last):
    ...
    kit.exceptions.WorkshopError: team name 'blue!' is refused: its folder name 'blue' is already used by team 'Blue'; expected a different name
    """
    _prepare_empty(path, force)
    slugs: dict[str, str] = {}
    for name in teams:
        slugs[check_team_name(name, slugs)] = name.strip()


def create_workshop(
    path: Path | str,
    *,
    case: str = "laurie-hospitality",
    teams: list[str] | None = None,
    title: str | None = None,
    date: str | None = None,
    facilitator: str = "",
    starter: bool = False,
    force: bool = False,
    on_team: Callable[[str], None] | None = None,
) -> Workshop:
    """Create a workshop folder ready for a session.

    Only the data: the teams' notebooks belong to the room
    (:func:`kit.room.teamnotebooks.write_team_notebooks`, which ``servekit new`` calls next).

    Parameters
    ----------
    path : path-like
        New (or empty) folder.
    case : str
        Case dataset under ``datasets/``.
    teams : list of str
        Display names of the teams.
    title, date, facilitator : str, optional
        Written to ``workshop.yaml`` (date defaults to today).
    starter : bool
        Start every team from the case's reference journey and pyramid instead of blank tables.
    force : bool
        Allow a non-empty folder (existing files are kept, never overwritten).
    on_team : callable, optional
        Called with each team's name once its folder is written (``servekit new``'s progress bar).

    Returns
    -------
    Workshop

    Raises
    ------
    WorkshopError
        Non-empty folder without ``force``, unknown case, refused or clashing team names.
    """
    path = Path(path)
    check_new(path, teams or [], force=force)
    case_info = load_case(case)
    path.mkdir(parents=True, exist_ok=True)
    workshop = Workshop(path)
    if not (path / WORKSHOP_FILE).exists():
        data = {
            "title": title or case_info.get("title", case),
            "case": case,
            "date": date or today().isoformat(),
            "facilitator": facilitator,
        }
        atomic_write(
            path / WORKSHOP_FILE, yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        )
    workshop.teams_path.mkdir(exist_ok=True)
    reference = case_dir(case) / "reference"
    taken = workshop.team_names() if teams else {}  # the teams already there (--force), read once
    for name in teams or []:
        team = workshop.add_team(name, starter=reference if starter else None, taken=taken)
        taken[team.slug] = name.strip()
        if on_team is not None:
            on_team(name.strip())
    return workshop


def _iso(value: Any) -> str | None:
    """A date from YAML (a date or its text) as ``YYYY-MM-DD``, or ``None``."""
    return value.isoformat() if isinstance(value, dt.date) else (str(value) if value else None)


def create_demo(
    path: Path | str, *, case: str = "laurie-hospitality", force: bool = False
) -> Workshop:
    """Create a workshop holding the case's sample teams (what ``make demo`` builds).

    Examples
    --------
    >>> import tempfile
    >>> ws = create_demo(Path(tempfile.mkdtemp()) / "demo")
    >>> len(ws.teams())
    4
    """
    path = Path(path)
    source = case_dir(case) / TEAMS_DIR
    ws = create_workshop(
        path,
        case=case,
        teams=[],
        title=f"Demo: {load_case(case)['title']}",
        date=_iso(load_case(case).get("workshop_date")),  # the sample plans are due after it
        facilitator="Demo facilitator",
        force=force,
    )
    for team in sorted(p for p in source.iterdir() if p.is_dir()):
        target = ws.teams_path / team.name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(team, target)
    return ws
