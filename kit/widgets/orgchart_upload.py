"""Your own organisation: upload an org chart export, see it flipped, save it as the pyramid.

The participant picks one file (a generic HR export: one row per post or person, with a
reports-to column) or two (the senior and junior CSV files of a UK government organogram) with a
file-upload button; nobody types a path. **Flip it** reads the upload with
:func:`kit.analyses.orgchart.read_generic` or :func:`kit.analyses.orgchart.read_uk_organogram`, exactly as
``servekit import-orgchart`` does, so a bad file gives the same ``file:row:column`` messages
(naming the uploaded file, never a temporary path). The result shows:

- the flipped chart as an upside-down pyramid (:func:`kit.figures.pyramid.pyramid_figure`);
- the chain check (:func:`kit.analyses.pyramid.chain_check`): roles that reach no customer, edges that
  serve the boss, circles;
- the roles behind the most touchpoints (:func:`kit.analyses.pyramid.role_reach`). When the team's journey
  names none of the imported roles yet, every front-line post counts as one touchpoint, so the
  table shows which roles stand behind the most customer-facing posts.

**Save as our pyramid** replaces the team's ``roles.csv`` and ``serves.csv`` through the
workbook (validated, atomic, previous version in ``.history/``, never over a file someone else
changed meanwhile). Roles still named by the team's journey, needs or plan are kept, so nothing
the team wrote is lost; the chain check then shows them as roles to re-connect.

The uploaded bytes are written to a hidden folder inside the team's folder while they are read,
and removed straight after: nothing is written outside the workshop folder.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets
import pandas as pd

from kit.analyses.orgchart import Flipped, read_generic, read_uk_organogram
from kit.analyses.pyramid import build_graph, chain_check, role_reach
from kit.exceptions import KitError, OrgChartError
from kit.figures.style import esc
from kit.formatting import plural
from kit.store import cells
from kit.store.problems import Problem
from kit.store.workbook import Workbook
from kit.widgets.base import Editor, Session, figure_widget, open_editor, sync_figure
from kit.widgets.forms import role_names

__all__ = [
    "FORMATS",
    "OrgChartUpload",
    "TOP_ROLES",
    "UPLOAD_DIR",
    "merged_pyramid",
    "orgchart_upload",
    "reach_table",
    "read_upload",
    "safe_name",
]

FORMATS: tuple[tuple[str, str], ...] = (
    ("Detect (1 file: HR export, 2 files: UK organogram)", "auto"),
    ("HR export (one CSV)", "generic"),
    ("UK organogram (senior + junior CSV)", "uk-organogram"),
)
UPLOAD_DIR = ".upload"
"""Hidden folder inside the team folder where an upload is read (removed afterwards)."""
TOP_ROLES = 10
"""Rows shown in the "roles behind the most touchpoints" table."""


def safe_name(name: str, taken: set[str] | None = None) -> str:
    """A plain file name for an uploaded file (no folders, no odd characters), unique in ``taken``.

    Parameters
    ----------
    name : str
        The name the browser sent.
    taken : set of str, optional
        Names already used in this upload; the result is added to it.

    Examples
    --------
    >>> safe_name("../../etc/passwd"), safe_name("C:\\\\HR\\\\staff list.csv")
    ('passwd', 'staff list.csv')
    >>> seen = set(); safe_name("a.csv", seen), safe_name("a.csv", seen)
    ('a.csv', 'a-2.csv')
    """
    base = re.split(r"[\\/]", str(name or ""))[-1]
    base = re.sub(r"[^\w .()+-]", "_", base).strip(" .") or "upload.csv"
    taken = taken if taken is not None else set()
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}.{ext}" if dot else f"{stem}-{n}"
    taken.add(candidate)
    return candidate


def _renamed(problems: list[Problem], names: Mapping[str, str]) -> list[Problem]:
    """Problems with temporary paths replaced by the uploaded file's own name."""
    return [dataclasses.replace(p, path=names.get(p.path, p.path)) for p in problems]


def read_upload(
    files: Mapping[str, bytes],
    folder: str | Path,
    *,
    fmt: str = "auto",
    reports_to: str | None = None,
    frontline_units: list[str] | None = None,
    attach_unknown: bool = False,
) -> Flipped:
    """Flip uploaded org chart files (name -> bytes), as ``servekit import-orgchart`` would.

    Parameters
    ----------
    files : mapping of str to bytes
        One generic HR export, or the two files of a UK organogram (either order).
    folder : path-like
        The team folder: the bytes are written to a hidden ``.upload`` folder in it while they
        are read, then removed.
    fmt : {"auto", "generic", "uk-organogram"}
        ``auto``: two files are a UK organogram, one file a generic export.
    reports_to : str, optional
        Generic format: the header of the reports-to column, when it is not detected.
    frontline_units : list of str, optional
        Units whose end posts face customers (wildcards ``*``/``?``); others become support.
    attach_unknown : bool
        Import posts whose manager is not in the file under a placeholder role.

    Returns
    -------
    kit.analyses.orgchart.Flipped

    Raises
    ------
    kit.exceptions.OrgChartError
        Every problem, as ``name:row:column: what is wrong; expected …`` with the uploaded name.

    Examples
    --------
    >>> import tempfile
    >>> csv = b"Employee ID,Job Title,Manager ID\\n1,Owner,\\n2,Barista,1\\n"
    >>> out = read_upload({"cafe.csv": csv}, tempfile.mkdtemp())
    >>> out.roles[["role_id", "level"]].values.tolist()
    [['customer', 'customer'], ['1', 'executive'], ['2', 'frontline']]
    >>> try:
    ...     read_upload({"cafe.csv": b"Employee ID,Job Title,Manager ID\\n1,Owner,\\n2,Barista,9\\n"},
    ...                 tempfile.mkdtemp())
    ... except OrgChartError as exc:
    ...     print(exc.problems[0])
    cafe.csv:3:Manager ID: '9' is not the id of any post in the file; expected an id from the 'Employee ID' column (or blank/XX for the top post). To import it anyway, attach unknown managers (--attach-unknown)
    """
    if not files:
        raise OrgChartError(
            [
                Problem(
                    "(upload)",
                    None,
                    None,
                    "no file chosen; expected one HR export (CSV) or the two "
                    "CSV files of a UK organogram",
                )
            ]
        )
    if len(files) > 2:
        raise OrgChartError(
            [
                Problem(
                    "(upload)",
                    None,
                    None,
                    f"{len(files)} files chosen; expected one (HR export) or two "
                    f"(UK organogram senior and junior)",
                )
            ]
        )
    fmt = fmt if fmt != "auto" else ("uk-organogram" if len(files) == 2 else "generic")
    if fmt == "generic" and len(files) != 1:
        raise OrgChartError(
            [
                Problem(
                    "(upload)",
                    None,
                    None,
                    "the HR export format takes one file; choose one file or "
                    "the UK organogram format",
                )
            ]
        )
    area = Path(folder) / UPLOAD_DIR / uuid.uuid4().hex[:12]
    area.mkdir(parents=True)
    try:
        names: dict[str, str] = {}
        paths: list[Path] = []
        taken: set[str] = set()
        for name, data in files.items():
            plain = safe_name(name, taken)
            path = area / plain
            path.write_bytes(bytes(data))
            names[str(path)] = plain
            paths.append(path)
        try:
            if fmt == "generic":
                flipped = read_generic(
                    paths[0],
                    reports_to=reports_to or None,
                    customer_facing_units=frontline_units or None,
                    attach_unknown=attach_unknown,
                )
            else:
                flipped = read_uk_organogram(
                    paths[0],
                    paths[1] if len(paths) > 1 else None,
                    customer_facing_units=frontline_units or None,
                    attach_unknown=attach_unknown,
                )
        except OrgChartError as exc:
            raise OrgChartError(_renamed(list(exc.problems), names)) from None
        return dataclasses.replace(flipped, warnings=tuple(_renamed(list(flipped.warnings), names)))
    finally:
        shutil.rmtree(area, ignore_errors=True)
        parent = area.parent
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()


def reach_table(
    roles: pd.DataFrame, serves: pd.DataFrame, journey: pd.DataFrame | None = None
) -> tuple[pd.DataFrame, str]:
    """The roles behind the most touchpoints, and what counted as a touchpoint.

    Uses the team's journey when it names at least one of the roles; otherwise each front-line
    role counts as one touchpoint (an imported chart has no journey yet).

    Returns
    -------
    (pandas.DataFrame, str)
        :func:`kit.analyses.pyramid.role_reach` (support, manager and executive roles, most first) and
        ``"journey"`` or ``"frontline"``.

    Examples
    --------
    >>> roles = pd.DataFrame({"role_id": ["c", "a", "b", "m", "x"],
    ...                       "name": ["Customers", "Agent", "Clerk", "Boss", "Loner"],
    ...                       "level": ["customer", "frontline", "frontline", "executive", "support"],
    ...                       "headcount": [0, 3, 1, 1, 1]})
    >>> serves = pd.DataFrame({"from_role": ["a", "b", "m", "m"], "to_role": ["c", "c", "a", "b"]})
    >>> table, basis = reach_table(roles, serves)
    >>> basis, table[["role_id", "touchpoints"]].values.tolist()
    ('frontline', [['m', 2], ['x', 0]])
    """
    graph = build_graph(roles, serves)
    journey = journey if journey is not None else pd.DataFrame()
    ids = {cells.text(v) for v in journey.get("role_id", pd.Series(dtype=object))}
    if ids & set(graph.nodes):
        return role_reach(graph, journey), "journey"
    front = [n for n, a in graph.nodes(data=True) if cells.text(a.get("level")) == "frontline"]
    pseudo = pd.DataFrame({"touchpoint_id": [f"post:{n}" for n in front], "role_id": front})
    return role_reach(graph, pseudo), "frontline"


def merged_pyramid(flipped_roles: pd.DataFrame, wb: Workbook) -> tuple[pd.DataFrame, list[str]]:
    """The imported roles plus the team's roles that its journey, needs or plan still name.

    Returns
    -------
    (pandas.DataFrame, list of str)
        The roles table to save, and the ids kept from the team's old pyramid.

    Examples
    --------
    >>> import tempfile
    >>> wb = Workbook.load(tempfile.mkdtemp())
    >>> new = pd.DataFrame({"role_id": ["customer"], "name": ["Customers"], "level": ["customer"]})
    >>> merged_pyramid(new, wb)[1]
    []
    """
    used: list[str] = []
    for table, column in (
        ("journey", "role_id"),
        ("needs", "provider_role"),
        ("plan", "owner_role"),
    ):
        frame = wb[table]
        if column in frame:
            used += [cells.text(v) for v in frame[column] if cells.text(v)]
    new_ids = {cells.text(v) for v in flipped_roles["role_id"]}
    old = wb["roles"]
    keep_ids = [r for r in dict.fromkeys(used) if r not in new_ids]
    kept = old[old["role_id"].astype(str).isin(keep_ids)]
    frame = pd.concat([flipped_roles, kept], ignore_index=True) if len(kept) else flipped_roles
    return frame.reset_index(drop=True), [cells.text(v) for v in kept["role_id"]]


def _count(n: int, one: str) -> str:
    """``1 row``, ``1,234 rows`` (thousands separated).

    Examples
    --------
    >>> _count(1, "row"), _count(1234, "serves edge")
    ('1 row', '1,234 serves edges')
    """
    return f"{n:,} {one if n == 1 else one + 's'}"


def _problem_list(problems: list[Problem], limit: int = 30) -> str:
    items = "".join(f"<li><code>{esc(p)}</code></li>" for p in problems[:limit])
    more = f"<li>… and {len(problems) - limit} more</li>" if len(problems) > limit else ""
    return f"<ul style='margin:4px 0'>{items}{more}</ul>"


class OrgChartUpload(Editor):
    """Upload an org chart, see it flipped and checked, save it as the team's pyramid.

    Parameters
    ----------
    workbook : Workbook or Session
        The team's workbook.

    Attributes
    ----------
    upload : ipywidgets.FileUpload
        One HR export or the two UK organogram files.
    fmt : ipywidgets.Dropdown
        ``auto``, ``generic`` or ``uk-organogram``.
    reports_to, frontline_units : ipywidgets.Text
        Optional: the reports-to column's header (HR export); customer-facing units, comma
        separated (wildcards allowed).
    attach_unknown : ipywidgets.Checkbox
    flip_button, save_button : ipywidgets.Button
    result : ipywidgets.HTML
        Summary, problems or warnings, chain check and the reach table (all escaped).
    figure : plotly.graph_objects.FigureWidget
        The flipped pyramid.
    flipped : kit.analyses.orgchart.Flipped or None
        The last successful flip.

    Examples
    --------
    >>> import tempfile
    >>> editor = OrgChartUpload(Workbook.load(tempfile.mkdtemp()))
    >>> editor.load_files({"hr.csv": b"id,title,reports to\\n1,Owner,\\n2,Barista,1\\n"})
    True
    >>> editor.save_button.click()
    >>> editor.wb["roles"]["role_id"].tolist(), editor.wb["serves"].values.tolist()
    (['customer', '1', '2'], [['1', '2'], ['2', 'customer']])
    """

    title = "Your own organisation, upside down"

    def __init__(self, workbook: Workbook | Session):
        super().__init__(workbook)
        self.upload = widgets.FileUpload(
            accept=".csv,text/csv", multiple=True, description="Choose files"
        )
        self.fmt = widgets.Dropdown(
            options=FORMATS,
            value="auto",
            description="Format:",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="520px"),
        )
        self.reports_to = widgets.Text(
            placeholder="detected, e.g. Manager ID",
            description="Reports-to column (HR export):",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="520px"),
        )
        self.frontline_units = widgets.Text(
            placeholder="optional, e.g. Operations*, Contact centre",
            description="Customer-facing units:",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="520px"),
        )
        self.attach_unknown = widgets.Checkbox(
            description="Keep posts whose manager is not in the file (under a placeholder)",
            indent=False,
        )
        self.flip_button = widgets.Button(
            description="Flip it",
            icon="retweet",
            button_style="primary",
            layout=widgets.Layout(width="auto"),
        )
        self.save_button = widgets.Button(
            description="Save as our pyramid",
            icon="save",
            button_style="success",
            disabled=True,
            layout=widgets.Layout(width="auto"),
            tooltip="Replace the team's roles and serves with the "
            "flipped chart (the old version stays in .history/)",
        )
        self.flip_button.on_click(lambda _: self.flip())
        self.save_button.on_click(lambda _: self.save_pyramid())
        self.result = widgets.HTML("<i>Choose your file (or files), then click <b>Flip it</b>.</i>")
        self.flipped: Flipped | None = None
        self.figure = figure_widget(self._figure(None))
        self.layout_parts(
            self.upload,
            self.fmt,
            self.reports_to,
            self.frontline_units,
            self.attach_unknown,
            widgets.HBox([self.flip_button, self.save_button]),
            self.result,
            self.figure,
        )

    # -- reading ------------------------------------------------------------------------------
    def files(self) -> dict[str, bytes]:
        """The uploaded files as name -> bytes (what the upload button holds)."""
        out: dict[str, bytes] = {}
        for item in self.upload.value or ():
            name = item.get("name") if isinstance(item, Mapping) else getattr(item, "name", "")
            content = item.get("content") if isinstance(item, Mapping) else item.content
            out[str(name)] = bytes(content)
        return out

    def flip(self) -> bool:
        """Read the uploaded files and show the result; True when it could be flipped."""
        return self.load_files(self.files())

    def load_files(self, files: Mapping[str, bytes]) -> bool:
        """Flip ``files`` (name -> bytes) and show the pyramid, the chain check and the reach.

        Returns False (with every problem listed as ``file:row:column``) when the file(s)
        cannot be imported; nothing is saved either way.
        """
        units = [u.strip() for u in self.frontline_units.value.split(",") if u.strip()]
        self.flipped = None
        self.save_button.disabled = True
        try:
            flipped = read_upload(
                files,
                self.wb.path,
                fmt=self.fmt.value,
                reports_to=self.reports_to.value.strip() or None,
                frontline_units=units,
                attach_unknown=self.attach_unknown.value,
            )
        except KitError as exc:
            problems = list(getattr(exc, "problems", []) or [])
            errors = [p for p in problems if p.is_error]
            listed = _problem_list(errors or problems) if problems else f"<p>{esc(exc)}</p>"
            self.result.value = (
                f"<p style='color:#b8471b'><b>Not imported:</b> "
                f"{plural(len(errors), 'problem')} to fix in the file, then upload it "
                f"again. Nothing was saved.</p>{listed}"
            )
            sync_figure(self.figure, self._figure(None))
            return False
        except OSError as exc:
            self.result.value = f"<p style='color:#b8471b'><b>Not imported:</b> {esc(exc)}</p>"
            return False
        self.flipped = flipped
        sync_figure(self.figure, self._figure(flipped))  # first, so the summary shows last
        self.save_button.disabled = False
        self.result.value = self._summary(flipped)
        return True

    # -- showing ------------------------------------------------------------------------------
    def _figure(self, flipped: Flipped | None) -> Any:
        from kit.figures.pyramid import pyramid_figure

        if flipped is None:
            return pyramid_figure(pd.DataFrame(), pd.DataFrame(), title="Your organisation")
        return pyramid_figure(flipped.roles, flipped.serves, title="Your organisation, upside down")

    def _summary(self, flipped: Flipped) -> str:
        roles = flipped.roles
        levels = roles["level"].value_counts()
        by_level = ", ".join(
            f"{levels[lv]:,} {lv}"
            for lv in ("customer", "frontline", "support", "manager", "executive")
            if lv in levels
        )
        parts = [
            f"<p><b>Flipped:</b> {_count(flipped.source_rows, 'row')} read; "
            f"{_count(len(roles), 'role')} ({esc(by_level)}), "
            f"{_count(len(flipped.serves), 'serves edge')}, "
            f"{flipped.total_fte:,.1f} FTE.</p>"
        ]
        if flipped.warnings:
            parts.append(
                f"<details><summary>{plural(len(flipped.warnings), 'warning')}: imported, but "
                f"worth a look</summary>{_problem_list(list(flipped.warnings))}"
                f"</details>"
            )
        check = chain_check(build_graph(roles, flipped.serves))
        if check.findings.empty:
            parts.append("<p><b>Chain check:</b> every role's service reaches a customer.</p>")
        else:
            kinds = check.findings["kind"].value_counts()
            detail = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in kinds.items())
            items = "".join(f"<li>{esc(s)}</li>" for s in check.findings["sentence"].head(8))
            more = len(check.findings) - 8
            parts.append(
                f"<p><b>Chain check:</b> {plural(len(check.findings), 'finding')} "
                f"({esc(detail)}).</p><ul style='margin:4px 0'>{items}"
                + (f"<li>… and {more} more</li>" if more > 0 else "")
                + "</ul>"
            )
        reach, basis = reach_table(roles, flipped.serves, self.wb["journey"])
        what = (
            "touchpoints of your journey"
            if basis == "journey"
            else "front-line roles (your journey names none of these roles yet, so each "
            "customer-facing role counts as one touchpoint)"
        )
        rows = "".join(
            f"<tr><td>{esc(r.name)}</td><td>{esc(r.level)}</td>"
            f"<td style='text-align:right'>{int(r.touchpoints)}</td>"
            f"<td style='text-align:right'>{r.served_headcount:,.1f}</td></tr>"
            for r in reach.head(TOP_ROLES).itertuples(index=False)
        )
        parts.append(
            f"<p><b>The roles behind the most {what}:</b></p>"
            f"<table><tr><th>role</th><th>level</th><th>reaches</th>"
            f"<th>people served (FTE)</th></tr>{rows}</table>"
        )
        return "".join(parts)

    def refresh(self) -> None:
        """Nothing to fill from the workbook: the upload is shown until saved."""

    # -- saving -------------------------------------------------------------------------------
    def save_pyramid(self) -> bool:
        """Replace the team's roles and serves with the flipped chart (two undoable steps).

        Roles still named by the journey, needs or plan are kept. Returns True when saved.
        """
        if self.flipped is None:
            self.message.value = "<i>Flip a file first.</i>"
            return False
        new_roles, kept = merged_pyramid(self.flipped.roles, self.wb)
        old = self.wb["roles"]
        new_ids = set(new_roles["role_id"].astype(str))
        both = pd.concat(
            [new_roles, old[~old["role_id"].astype(str).isin(new_ids)]], ignore_index=True
        )
        # step 1: old and new roles side by side, new serves (valid whatever the old serves were)
        if not self.commit(
            {"roles": both, "serves": self.flipped.serves}, what="import of the org chart"
        ):
            return False
        # step 2: drop the old roles nothing names any more (only those this upload replaced:
        # a role someone else added meanwhile, merged in by the save, stays)
        drop = set(old["role_id"].astype(str)) - new_ids
        now = self.wb["roles"]
        if not self.commit(
            {"roles": now[~now["role_id"].astype(str).isin(drop)]}, what="removal of the old roles"
        ):
            return False
        known = role_names(self.wb["roles"])
        names = [known.get(str(k), str(k)) for k in kept]
        note = (
            f" Kept {plural(len(kept), 'role')} your journey, needs or plan still name: "
            f"{esc(', '.join(names))}; connect them in 02 · The upside-down pyramid."
            if kept
            else ""
        )
        self.result.value += (
            f"<p style='color:#1b7a3d'><b>Saved</b> as your team's pyramid "
            f"(roles.csv, serves.csv).{note}</p>"
        )
        self.save_button.disabled = True
        return True


def orgchart_upload(workshop_dir: str | Path, team: str) -> OrgChartUpload | widgets.Widget:
    """Open the org chart upload on a team of a workshop (or a message saying what to fix).

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
    >>> type(orgchart_upload(ws.path, "A")).__name__
    'OrgChartUpload'
    """
    return open_editor(OrgChartUpload, workshop_dir, team)
