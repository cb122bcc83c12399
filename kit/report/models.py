"""What a batch is made of: the report kind, one job, one team's result, the batch summary.

Every model is a keyword-only dataclass; a team's status is a :class:`Status` (a ``str`` enum,
so it compares equal to ``"ok"`` and writes to JSON as ``"ok"``).

Examples
--------
>>> r = TeamResult(slug="a", name="Team A", status=Status.UNCHANGED)
>>> r.ok, r.status == "unchanged"
(True, True)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from kit.resources import workshop_notebook

__all__ = [
    "Job",
    "ReportKind",
    "Status",
    "Summary",
    "TEAM_REPORT",
    "TeamResult",
]


class Status(StrEnum):
    """What happened to one team in a batch."""

    OK = "ok"
    FAILED = "failed"
    INVALID = "invalid data"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, kw_only=True)
class ReportKind:
    """A per-team notebook the batch engine runs for every team of a workshop.

    The engine gives every kind the same guarantees: warm kernels in parallel workers, a
    failure page for a team that cannot be built, offline HTML, an index page and
    ``summary.json``, and skipping teams whose inputs did not change. Each kind writes to its
    own output folder (the cache lives there).

    Parameters
    ----------
    name : str
        The ``servekit`` sub-command that builds it (used in messages: ``servekit <name> …``).
    notebook : Path
        The per-team notebook. papermill parameters: ``workshop_dir``, ``team``,
        ``embed_plotlyjs`` and the names in ``options``.
    synthesis : Path or None
        A whole-workshop notebook (parameters ``workshop_dir``, ``embed_plotlyjs``) run once
        per batch and linked from the index as ``_synthesis.html``; ``None``: none.
    index_title : str
        The index page's heading label ("Team reports").
    options : tuple of str
        Batch options passed to the notebook as parameters (``"crosshair"`` for the report).

    Examples
    --------
    >>> follow_up = ReportKind(name="followup",
    ...                        notebook=workshop_notebook("10_team_report.ipynb"),
    ...                        synthesis=None, index_title="Follow-up reports", options=())
    >>> follow_up.notebook.name, TEAM_REPORT.synthesis.name
    ('10_team_report.ipynb', '20_synthesis.ipynb')
    """

    name: str
    notebook: Path
    synthesis: Path | None = None
    index_title: str = "Team reports"
    options: tuple[str, ...] = ()
    strict: bool = True
    """False: a team with data errors is still built (its page lists them; the follow-up)."""
    summary: str | None = None
    """``"module:function"`` giving a team's index facts, called in the worker as
    ``f(team_dir, workshop_dir, parameters) -> {"name", "members", "lines": [text]}``
    (default: the team report's top priorities and to-do list)."""
    index_column: str = "Top priorities"
    synthesis_blurb: str = "where the teams agree on what to act on first, and where they differ."


TEAM_REPORT = ReportKind(
    name="report",
    notebook=workshop_notebook("10_team_report.ipynb"),
    synthesis=workshop_notebook("20_synthesis.ipynb"),
    index_title="Team reports",
    options=("crosshair",),
)
"""``servekit report``: ``workshops/10_team_report.ipynb`` per team, plus the synthesis."""


@dataclass(frozen=True, kw_only=True)
class Job:
    """One notebook run to do (picklable; sent to a worker).

    Examples
    --------
    >>> Job(slug="a", team_dir="t", workshop_dir="w", out="o", notebook="n.ipynb").kind
    'team'
    """

    slug: str
    team_dir: str
    workshop_dir: str
    out: str
    notebook: str
    parameters: dict[str, Any] = field(default_factory=dict)
    """Extra papermill parameters (the kind's options)."""
    pdf: bool = False
    plotlyjs: str = "inline"
    digest: str = ""
    title: str = ""
    command: str = "report"
    """The ``servekit`` sub-command that builds it (for fix hints)."""
    kind: str = "team"
    """``"team"`` (one team's page) or ``"synthesis"`` (the workshop's synthesis page)."""
    strict: bool = True
    """Refuse a team with data errors (a failure page) before running its notebook."""
    summary: str | None = None
    """The kind's index-facts function (:attr:`ReportKind.summary`)."""


@dataclass(kw_only=True)
class TeamResult:
    """What happened to one team.

    Attributes
    ----------
    slug, name : str
        Folder name and display name.
    status : Status
        ``ok``, ``unchanged`` (skipped: up to date), ``invalid data`` or ``failed``.
    seconds : float
        Time spent on this team (0 when skipped).
    html, ipynb, pdf : str or None
        Output file names inside ``OUT`` (``html`` is the failure page when it failed).
    problem : str
        What went wrong, in one sentence (empty when ok).
    details : list of str
        Validation messages (``path:row:column: message``) or the error's last lines.
    fix : str
        How to fix it.
    summary : dict
        Facts for the index (members, top priorities, what is still to do).
    digest : str
        The inputs' hash this result was built from.
    kernel : dict
        ``pid`` and ``runs`` of the kernel that ran it (shows kernel reuse), ``pid_after``,
        ``attempts`` (2 when the kernel died and the team was run again).
    timings : dict
        Seconds per phase: ``validate``, ``notebook``, ``export``, ``pdf``, ``write``.

    Examples
    --------
    >>> TeamResult(slug="b", name="B", status="invalid data").status is Status.INVALID
    True
    """

    slug: str
    name: str
    status: Status
    seconds: float = 0.0
    html: str | None = None
    ipynb: str | None = None
    pdf: str | None = None
    problem: str = ""
    details: list[str] = field(default_factory=list)
    fix: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    digest: str = ""
    kernel: dict[str, Any] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.status = Status(self.status)

    @property
    def ok(self) -> bool:
        """True for a report that exists and is current (built now or unchanged)."""
        return self.status in (Status.OK, Status.UNCHANGED)

    @classmethod
    def from_dict(cls, data: dict[str, Any], **changes: Any) -> TeamResult:
        """A result from its JSON form (a manifest), unknown keys dropped.

        Examples
        --------
        >>> TeamResult.from_dict({"slug": "a", "name": "A", "status": "ok", "x": 1}).status
        <Status.OK: 'ok'>
        """
        kept = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        kept.setdefault("status", Status.FAILED)
        return cls(**{**kept, **changes})


@dataclass(kw_only=True)
class Summary:
    """The outcome of a batch (what :func:`kit.report.build_reports` returns).

    Examples
    --------
    >>> s = Summary(workshop=Path("w"), out=Path("w/reports"), seconds=1.0,
    ...             results=[TeamResult(slug="a", name="A", status="failed")])
    >>> s.exit_code, [r.slug for r in s.failed]
    (1, ['a'])
    """

    workshop: Path
    out: Path
    results: list[TeamResult]
    seconds: float
    index: Path | None = None
    workshop_info: dict[str, Any] = field(default_factory=dict)
    synthesis: str | None = None
    synthesis_pdf: str | None = None
    synthesis_problem: str | None = None
    index_title: str = "Team reports"
    index_column: str = "Top priorities"
    synthesis_blurb: str = "where the teams agree on what to act on first, and where they differ."

    @property
    def failed(self) -> list[TeamResult]:
        """Teams without a current report."""
        return [r for r in self.results if not r.ok]

    @property
    def exit_code(self) -> int:
        """1 when any team (or the synthesis) failed, else 0."""
        return 1 if self.failed or self.synthesis_problem else 0

    def count(self, status: Status) -> int:
        """How many teams ended with ``status``."""
        return sum(r.status == status for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (what ``summary.json`` holds)."""
        return {
            "workshop": str(self.workshop),
            "out": str(self.out),
            "title": self.workshop_info.get("title", ""),
            "date": str(self.workshop_info.get("date", "") or ""),
            "seconds": round(self.seconds, 3),
            "built": self.count(Status.OK),
            "unchanged": self.count(Status.UNCHANGED),
            "failed": len(self.failed),
            "synthesis": self.synthesis,
            "synthesis_problem": self.synthesis_problem,
            "teams": [asdict(r) for r in self.results],
        }
