"""Every error the kit raises, in one place: all derive from :class:`KitError`.

The command line turns a :class:`KitError` into its message and exit status 1, never a traceback
(:mod:`kit.cli`); editors show one in the notebook (:func:`kit.widgets.session.problems_panel`).
This module is the bottom of the layers (see the README's map of modules): it imports nothing
else of the kit, so any layer may raise these.

=====================  ==========================================================================
error                  raised when
=====================  ==========================================================================
:class:`KitError`      (the base; not raised itself)
:class:`InvalidData`   a team's files, a workshop file or an agenda fail validation
:class:`TeamWouldBreak`  a save would leave a team invalid across its files
:class:`OrgChartError` an org chart cannot be imported
:class:`ConflictError` a file changed on disk since it was read
:class:`RowConflict`   a save met rows someone else changed differently
:class:`FolderError`   a team folder is a link, busy, or not a folder
:class:`WorkshopError` a workshop or team cannot be created or used as asked
:class:`XlsxError`     an Excel file cannot be read, or its import would overwrite newer work
:class:`ReportError`   a report batch cannot run as asked
:class:`KernelProblem` a report's kernel died, hung or could not be reset
:class:`PdfError`      Chromium is missing or could not print a page
:class:`LabError`      JupyterLab cannot be started as asked
:class:`PresentError`  the dashboard cannot be started
:class:`PackError`     a team cannot be packed, or a zip cannot be collected
:class:`HubSetupError` the hub's users or permissions cannot be set up
:class:`HubEnvError`   the teams' shared environment on a hub cannot be built
:class:`ExerciseError` an exercise's answer is blank (:class:`BlankAnswer`) or wrong
                       (:class:`WrongAnswer`)
=====================  ==========================================================================

Examples
--------
>>> issubclass(PdfError, KitError) and issubclass(WrongAnswer, KitError)
True
>>> try:
...     raise WorkshopError("w is not a workshop folder")
... except KitError as exc:
...     print(exc)
w is not a workshop folder
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

__all__ = [
    "BlankAnswer",
    "ConflictError",
    "ExerciseError",
    "FolderError",
    "HubEnvError",
    "HubSetupError",
    "InvalidData",
    "KernelProblem",
    "KitError",
    "LabError",
    "OrgChartError",
    "PackError",
    "PdfError",
    "PhoneError",
    "PresentError",
    "ReportError",
    "RowConflict",
    "TeamBlocked",
    "TeamWouldBreak",
    "TouchpointGone",
    "UnsafePath",
    "WorkshopError",
    "WrongAnswer",
    "XlsxError",
]


class KitError(Exception):
    """Base of every error the kit raises (shown as a message, without a traceback)."""


# --------------------------------------------------------------------------- the store
class InvalidData(KitError):
    """Data failed validation; ``problems`` lists every error and warning found.

    ``problems`` are :class:`kit.store.problems.Problem` objects, each naming the file, row and
    column. Raised when a team's workbook, ``workshop.yaml``, a case or an agenda is loaded
    (:mod:`kit.store.workbook`, :mod:`kit.store.safeyaml`, :mod:`kit.room.agenda`) or a
    spreadsheet is imported (:mod:`kit.readwrite.xlsx`).

    Examples
    --------
    >>> from kit.store.problems import Problem
    >>> err = InvalidData([Problem("f.csv", 2, "a", "expected a number")])
    >>> print(err)
    f.csv:2:a: expected a number
    """

    def __init__(self, problems: Iterable[Any]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Any]:
        """Only the problems that are errors (see :func:`kit.store.problems.errors`)."""
        return [p for p in self.problems if p.is_error]


class TeamWouldBreak(InvalidData):
    """A save would leave the team invalid across files; nothing was written.

    Raised by :meth:`kit.store.workbook.Workbook.save`. ``offer`` maps table name -> the rows a
    cascade would delete (the rows that point at ids this change removes); save again with
    ``cascade=True`` to delete them too.

    Examples
    --------
    >>> from kit.store.problems import Problem
    >>> err = TeamWouldBreak([Problem("needs.csv", 2, "touchpoint_id", "'T1' is unknown")],
    ...                      {"needs": 1})
    >>> err.offer_text()
    'delete the 1 dependent row of needs.csv too'
    """

    def __init__(self, problems: list[Any], offer: Mapping[str, int]):
        super().__init__(problems)
        self.offer = dict(offer)

    def offer_text(self) -> str:
        """The offer in words ("" when no cascade would make the team valid)."""
        if not self.offer:
            return ""
        parts = [  # a table's file is <name>.csv (kit.store.schema.TableSpec.filename)
            f"{n} dependent row{'s' if n != 1 else ''} of {t}.csv" for t, n in self.offer.items()
        ]
        return "delete the " + ", ".join(parts) + " too"


class OrgChartError(InvalidData):
    """An org chart that cannot be imported (:mod:`kit.analyses.orgchart`).

    ``problems`` lists every error (and any warnings found on the way), each naming the file,
    the spreadsheet row (header = row 1) and the column, and saying what is expected.

    Examples
    --------
    >>> from kit.store.problems import Problem
    >>> err = OrgChartError([Problem("hr.csv", 3, "manager", "'Q9' is not an id in the file")])
    >>> print(err)
    hr.csv:3:manager: 'Q9' is not an id in the file
    """


class ConflictError(KitError):
    """A file changed on disk since it was read: saving would overwrite someone else's edit.

    Raised as :class:`RowConflict` by :meth:`kit.store.workbook.Workbook.save`; editors catch
    this base to offer *Reload theirs* or *Keep mine*.
    """

    def __init__(self, path: Path | str, table: str):
        self.path = Path(path)
        self.table = table
        super().__init__(
            f"{self.path}: changed on disk since it was opened (another notebook or person saved "
            f"it). Reload to see their version, or save again choosing to keep yours."
        )


class RowConflict(ConflictError):
    """A save met rows that someone else changed differently; ``clashes`` lists them.

    Raised by :meth:`kit.store.workbook.Workbook.save`; ``clashes`` are
    :class:`kit.store.merge.Clash` objects.

    Examples
    --------
    >>> from kit.store.merge import Clash
    >>> err = RowConflict("w/journey.csv", [Clash("journey.csv", "touchpoint_id=T1", "stage",
    ...                                           "Arrival", "Check-in")])
    >>> print(err)
    journey.csv, row touchpoint_id=T1, stage: theirs 'Arrival', yours 'Check-in'
    """

    def __init__(self, path: Path | str, clashes: list[Any]):
        super().__init__(path, clashes[0].filename)
        self.clashes = list(clashes)
        self.args = ("\n".join(str(c) for c in self.clashes),)

    def __str__(self) -> str:
        return self.args[0]


class FolderError(KitError):
    """A team folder cannot be used safely (a link, busy, or not a folder).

    Raised by :mod:`kit.store.storage` before anything is read or written.
    """


class WorkshopError(KitError):
    """A workshop or team folder cannot be created or used as asked.

    Raised by :mod:`kit.store.workshop` (refused or clashing team names, unknown case, a folder
    that is not a workshop) and by the room's modules that open a workshop.
    """


# --------------------------------------------------------------------------- other formats
class XlsxError(KitError):
    """An Excel file that cannot be read, or an import that would overwrite newer work.

    Raised by :mod:`kit.readwrite.xlsx`.
    """


# --------------------------------------------------------------------------- reports
class ReportError(KitError):
    """The batch cannot run as asked (no such workshop, no such team, bad options).

    Raised by :mod:`kit.report.build` before any team is run.
    """


class KernelProblem(KitError, RuntimeError):
    """The kernel died, hung or could not be put back into its baseline state.

    Raised by :mod:`kit.report.kernels` while a report runs; the batch records it against the
    team and goes on. ``died`` is True when the kernel process stopped while running a notebook
    (the notebook may then be run again on a fresh kernel).

    Examples
    --------
    >>> KernelProblem("gone", died=True).died, KernelProblem("slow").died
    (True, False)
    """

    def __init__(self, message: str, *, died: bool = False):
        super().__init__(message)
        self.died = died
        self.timed_out = False
        """True when a cell ran longer than the time limit (``seconds``, cell ``cell_index``)."""
        self.seconds: float | None = None
        self.cell_index: int | None = None
        self.nb: Any = None


class PdfError(KitError, RuntimeError):
    """Chromium is missing or could not print the page.

    Raised by :func:`kit.report.export.print_pdf` (reports, the facilitator's guide).
    """


# --------------------------------------------------------------------------- the room and the hub
class LabError(KitError):
    """JupyterLab cannot be started as asked (:mod:`kit.room.lab`)."""


class PresentError(KitError):
    """The dashboard could not be started (no workshop, port taken, Voilà failed).

    Raised by :mod:`kit.room.present`.
    """


class PackError(KitError):
    """A team cannot be packed, or a zip cannot be collected (nothing was written).

    Raised by :mod:`kit.room.pack`.
    """


class HubSetupError(KitError):
    """The hub's users or permissions could not be set up (:mod:`kit.hub.accounts`)."""


class HubEnvError(KitError):
    """The shared environment for the teams' servers could not be built (:mod:`kit.hub.env`)."""


# --------------------------------------------------------------------------- exercises
class ExerciseError(KitError, AssertionError):
    """A blank or wrong answer. Shown in a notebook as one line, without a traceback.

    Raised by :func:`kit.exercises.check`; still an :class:`AssertionError`, as a check is.
    """

    def _render_traceback_(self) -> list[str]:  # IPython hook: no traceback for participants
        return [f"{type(self).__name__}: {self}"]


class BlankAnswer(ExerciseError):
    """The answer cell has not been filled in yet."""


class WrongAnswer(ExerciseError):
    """The answer is filled in but not right yet."""


class UnsafePath(KitError):
    """A path inside a team folder that is refused: a link, a special file, or too big.

    Raised by :mod:`kit.store.safefs` (and everything that reads or writes a team's folder
    through it), so that a command run as root never follows a path a team planted.
    """


class PhoneError(KitError):
    """A tap the phone page sent cannot be saved as it is (answered with 400 and this message).

    Raised by :mod:`kit.room.phone.service`.
    """


class TouchpointGone(KitError):
    """The team deleted the touchpoint meanwhile (answered with 409; the card disappears).

    Raised by :mod:`kit.room.phone.service`.
    """

    def __init__(self, touchpoint_id: str):
        super().__init__(
            f"Touchpoint {touchpoint_id} was deleted by your team meanwhile; "
            f"its card is gone and nothing was saved for it."
        )
        self.touchpoint_id = touchpoint_id


class TeamBlocked(KitError):
    """The team's data is invalid: the facilitator must fix it first; nothing is saved.

    Raised by :mod:`kit.room.phone.service` when a phone saves for a team that does not
    validate.
    """

    def __init__(self, problems: list[str]):
        shown = "; ".join(problems[:5]) + (
            f"; and {len(problems) - 5} more" if len(problems) > 5 else ""
        )
        super().__init__(
            f"Scores cannot be saved until the facilitator fixes the team's data: {shown}"
        )
        self.problems = problems
