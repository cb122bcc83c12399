"""Hostile text through every output: each payload in every text column of a team stays inert.

One team per payload (a copy of the sample team ``front-desk-friends`` with the payload written
through :class:`kit.store.workbook.Workbook` into the first row of every text column, the team name,
the members and every reflection). Then every output the kit makes from it is read back the way
a browser, a spreadsheet, a calendar, a graph tool or a terminal would: HTML with
:mod:`html.parser` (and one page in Chromium), xlsx with openpyxl, ICS with icalendar, GraphML
with networkx, terminal text as printed. Each must show the payload as the characters typed and
never act on it (issue 16).
"""

from __future__ import annotations

import html
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import launch_chromium

PAYLOADS = {
    "attr-break": "\"'><img src=x onerror=alert(1)>",
    "attr-event": "' onmouseover='alert(1)' x='",
    "js-url": "javascript:alert(1)",
    "script-end": "</script><script>alert(1)</script>",
    "jinja": "{{7*7}}",
    "template": "${7*7}",
    "jinja-raw": "{% raw %}",
    "formula": '=HYPERLINK("http://evil.example","x")',
    "plus": "+1",
    "minus": "-1+1",
    "at": "@SUM(A1:A2)",
    "esc": "\x1b[31mred",
    "cr": "a\rb",
    "tab": "a\tb",
}
"""Payload id -> text (attribute break-out, URL, script end, templates, formulas, controls)."""

TEAM = "front-desk-friends"
TEXT_COLUMNS = {
    "roles": ["name", "unit", "grade"],
    "journey": ["stage", "description", "channel"],
    "needs": ["need"],
    "scores": ["scorer"],
    "plan": ["action", "metric"],
}
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def value(payload: str, where: str) -> str:
    """The text stored in one field: the payload first (formulas start a cell), then a tag."""
    return f"{payload} {where}"


def _plain(payload: str) -> bool:
    """Team names, members and role names refuse control characters (one name rule, issue 27;
    a clear message, tested in test_faults.py)."""
    return not CONTROL.search(payload)


def _inject(team_dir: Path, payload: str) -> None:
    from kit.store.workbook import Workbook

    wb = Workbook.load(team_dir)
    changes = {}
    for table, columns in TEXT_COLUMNS.items():
        frame = wb[table].copy()
        row = 1 if table == "roles" else 0  # roles row 0 is the customer
        for column in columns:
            frame[column] = frame[column].astype(object)
            text = value(payload, f"{table}.{column}")
            if (table, column) == ("roles", "name") and not _plain(payload):
                text = "Plain role name"  # names follow one rule (issue 27): no control chars
            frame.at[frame.index[row], column] = text
        changes[table] = frame
    wb.set_tables(changes)
    name = value(payload, "team") if _plain(payload) else "Plain team name"
    members = [value(payload, "member")] if _plain(payload) else ["Plain member"]
    wb.set_team(name, members + wb.members[1:])
    for key in list(wb.reflections):
        wb.set_reflection(key, value(payload, f"reflection.{key}"))
    wb.save()


def _stored(payload: str, where: str) -> str:
    """What the kit reads back for a field (surrounding whitespace is stripped by design)."""
    return value(payload, where).strip()


@pytest.fixture(scope="module")
def workshop(tmp_path_factory) -> Path:
    """A workshop with the plain sample team and one payload team per payload."""
    from kit.store.workshop import create_demo

    root = tmp_path_factory.mktemp("payloads") / "ws"
    create_demo(root)
    for slug in [p.name for p in (root / "teams").iterdir()]:
        if slug != TEAM:
            shutil.rmtree(root / "teams" / slug)
    for key, payload in PAYLOADS.items():
        target = root / "teams" / f"p-{key}"
        shutil.copytree(root / "teams" / TEAM, target)
        _inject(target, payload)
    return root


def test_every_payload_is_read_back_exactly(workshop):
    from kit.store.workbook import Workbook

    for key, payload in PAYLOADS.items():
        wb = Workbook.load(workshop / "teams" / f"p-{key}")
        assert wb["journey"]["description"].iloc[0] == _stored(payload, "journey.description")
        assert wb["plan"]["action"].iloc[0] == _stored(payload, "plan.action")
        if _plain(payload):
            assert wb["roles"]["name"].iloc[1] == _stored(payload, "roles.name")
            assert wb.name == _stored(payload, "team")


def test_nul_byte_is_refused_with_one_message(tmp_path):
    from kit.exceptions import InvalidData
    from kit.store.workbook import Workbook

    team = shutil.copytree(
        Path(__file__).parent.parent / "datasets" / "laurie-hospitality" / "teams" / TEAM,
        tmp_path / "t",
    )
    raw = (team / "journey.csv").read_bytes().replace(b"Compares", b"Com\x00pares", 1)
    (team / "journey.csv").write_bytes(raw)
    with pytest.raises(InvalidData) as caught:
        Workbook.load(team, root=tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        "t/journey.csv: not a CSV file: it holds binary data, not text; expected a table saved "
        "as CSV (comma-separated values) from a spreadsheet"
    ]


# --------------------------------------------------------------------------- HTML
class _Page(HTMLParser):
    """Every element, attribute and text node of a page (script/style bodies kept apart)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.texts: list[str] = []
        self.scripts: list[str] = []
        self._in: str | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag in ("script", "style"):
            self._in = tag

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        (self.scripts if self._in == "script" else self.texts).append(data)


def assert_inert_html(text: str, payload: str, shown: str) -> _Page:
    """No element or attribute made by the payload; the payload shown as text (or JSON data)."""
    page = _Page(text)
    bad = []
    for tag, attrs in page.elements:
        names = {name for name, _ in attrs}
        if tag == "img" and ("src", "x") in attrs:
            bad.append(f"<img src=x> created ({attrs})")
        if names & {"onerror", "onmouseover"} or '"' in names or "'" in names:
            bad.append(f"attribute break-out in <{tag} {attrs}>")
        for name, val in attrs:
            if (
                name in ("href", "src", "action", "formaction", "xlink:href")
                and val
                and val.strip().lower().startswith("javascript:")
            ):
                bad.append(f"script URL in <{tag} {name}={val!r}>")
    if any(body.strip() == "alert(1)" for body in page.scripts):
        bad.append("a <script>alert(1)</script> element was created")
    assert bad == [], f"{shown}: {bad}"
    visible = CONTROL.sub("", payload).strip()
    # as a browser shows it: runs of white space are one (a name may be set word by word)
    body = " ".join(" ".join(page.texts).split())
    in_json = any(_json_text(visible) in s for s in page.scripts)
    shown_as_text = " ".join(visible.split()) in body
    assert shown_as_text or in_json, f"{shown}: {visible!r} not shown as text"
    return page


def _json_text(text: str) -> str:
    """``text`` as plotly writes it in a JSON string (``<``, ``>``, ``&`` escaped)."""
    import json

    dumped = json.dumps(text)[1:-1]
    return (
        dumped.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        if "<" in text or ">" in text or "&" in text
        else dumped
    )


@pytest.fixture(scope="module")
def reports(workshop) -> Path:
    from kit.report import build_reports

    summary = build_reports(workshop, jobs=2, progress=False)
    assert summary.exit_code == 0, [(r.slug, r.problem) for r in summary.results if r.problem]
    return workshop / "reports"


@pytest.mark.slow
@pytest.mark.parametrize("key", PAYLOADS)
def test_team_report_html_is_inert(reports, key):
    text = (reports / f"p-{key}.html").read_text(encoding="utf-8")
    payload = PAYLOADS[key]
    assert_inert_html(text, payload, f"report p-{key}")
    if "{{7*7}}" in payload or "${7*7}" in payload:
        assert "49 journey.description" not in text


@pytest.mark.slow
def test_index_and_synthesis_are_inert(reports):
    index = (reports / "index.html").read_text(encoding="utf-8")
    synthesis = (reports / "_synthesis.html").read_text(encoding="utf-8")
    for payload in PAYLOADS.values():
        if _plain(payload):
            assert_inert_html(index, payload, "index")
            assert_inert_html(synthesis, payload, "synthesis")
    for _tag, attrs in _Page(index).elements:
        for name, val in attrs:
            if name == "href":
                assert not val.lower().startswith("javascript:"), val


@pytest.mark.browser
@pytest.mark.slow
def test_report_in_chromium_runs_no_payload(reports, chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch_chromium(p, chromium)
        try:
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            for key in ("attr-break", "script-end", "attr-event"):
                page.goto((reports / f"p-{key}.html").as_uri())
                page.wait_for_selector(".js-plotly-plot .main-svg")
                page.wait_for_timeout(300)
                assert page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
                assert page.evaluate("document.querySelectorAll('[onmouseover]').length") == 0
                assert _stored(PAYLOADS[key], "team") in page.inner_text("body")  # as typed
            assert dialogs == []
        finally:
            browser.close()


@pytest.mark.parametrize("key", PAYLOADS)
def test_dashboard_html_is_inert(workshop, key):
    from kit.room.dashboard import Board
    from kit.room.dashboard_html import board_html

    board = Board(workshop)
    board.refresh()
    text = board_html(board)
    if _plain(PAYLOADS[key]):
        assert_inert_html(text, PAYLOADS[key], "dashboard")
    else:
        assert_inert_html(text, "Plain team name", "dashboard")
        assert "\x1b" not in text


@pytest.mark.parametrize("key", [k for k, p in PAYLOADS.items() if _plain(p)])
def test_links_page_is_inert(key):
    from kit.room.links import TeamLink, links_page

    payload = PAYLOADS[key]
    text = links_page(
        value(payload, "title"),
        [TeamLink("team-a", value(payload, "team"), f"http://127.0.0.1:8888/{key}")],
        note=value(payload, "note"),
    )
    page = assert_inert_html(text, payload, "links")
    body = " ".join(page.texts)
    for where in ("title", "team", "note"):
        assert _stored(payload, where) in body or html.escape(_stored(payload, where)) in text


@pytest.mark.parametrize("key", [k for k, p in PAYLOADS.items() if _plain(p)])
def test_guide_is_inert(workshop, tmp_path, key):
    from kit.room.guide import write_guide

    ws = tmp_path / "ws"
    ws.mkdir()
    shutil.copy(workshop / "workshop.yaml", ws / "workshop.yaml")
    shutil.copytree(workshop / "teams" / f"p-{key}", ws / "teams" / f"p-{key}")
    (ws / "workshop.yaml").write_text(
        (ws / "workshop.yaml").read_text(encoding="utf-8")
        + f"facilitator: {_yaml(value(PAYLOADS[key], 'facilitator'))}\n",
        encoding="utf-8",
    )
    [page] = write_guide(ws, "half-day")
    text = page.read_text(encoding="utf-8")
    assert_inert_html(text, PAYLOADS[key], "guide")


def _yaml(text: str) -> str:
    import json

    return json.dumps(text)


# --------------------------------------------------------------------------- files
@pytest.mark.parametrize("key", PAYLOADS)
def test_xlsx_has_no_formula_and_reads_back(workshop, tmp_path, key):
    import openpyxl

    from kit.readwrite.xlsx import export_xlsx, import_xlsx, plain_text
    from kit.store.workbook import Workbook

    team = workshop / "teams" / f"p-{key}"
    out = tmp_path / "team.xlsx"
    export_xlsx(team, out, root=workshop)
    book = openpyxl.load_workbook(out)
    formulas = [
        f"{ws.title}!{c.coordinate}"
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []
    texts = {
        plain_text(c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }  # _xHHHH_ is how Excel stores controls
    assert _stored(PAYLOADS[key], "journey.description") in texts
    copy = shutil.copytree(team, tmp_path / "copy")
    import_xlsx(out, copy, force=True)
    before, after = Workbook.load(team), Workbook.load(copy)
    for table, columns in TEXT_COLUMNS.items():
        assert list(after[table][columns[0]]) == list(before[table][columns[0]]), table


@pytest.mark.parametrize("key", PAYLOADS)
def test_ics_parses_back_to_the_same_text(workshop, key):
    import icalendar

    from kit.readwrite.ics import plan_calendar

    calendar = plan_calendar(workshop / "teams" / f"p-{key}")
    again = icalendar.Calendar.from_ical(calendar.to_ical())
    texts = " ".join(
        str(e.get("summary", "")) + " " + str(e.get("description", ""))
        for e in again.walk("VEVENT")
    )
    # iCalendar (like XML) has no bare carriage return: it comes back as a line break
    assert _stored(PAYLOADS[key], "plan.action").replace("\r", "\n") in texts


@pytest.mark.parametrize("key", PAYLOADS)
def test_graphml_parses_back(workshop, tmp_path, key):
    import networkx as nx

    from kit.analyses.pyramid import build_graph
    from kit.readwrite.graphio import write_graphml
    from kit.store.workbook import Workbook

    wb = Workbook.load(workshop / "teams" / f"p-{key}")
    path = write_graphml(build_graph(wb["roles"], wb["serves"]), tmp_path / "g.graphml")
    graph = nx.read_graphml(path)
    names = [str(d.get("name", "")) for _, d in graph.nodes(data=True)]
    stored = _stored(PAYLOADS[key], "roles.name") if _plain(PAYLOADS[key]) else "Plain role name"
    # XML cannot hold ESC (written as U+FFFD) and reads a bare CR as a line break
    shown = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", "\ufffd", stored).replace("\r", "\n")
    assert shown in names, names


# --------------------------------------------------------------------------- terminal
@pytest.mark.parametrize("command", ["validate", "status"])
def test_terminal_output_has_no_control_characters(workshop, command):
    from click.testing import CliRunner

    from kit.cli import main

    result = CliRunner().invoke(main, [command, str(workshop)], catch_exceptions=False)
    assert CONTROL.sub("", result.output) == result.output, repr(result.output[:400])
    assert "\r" not in result.output


@pytest.mark.parametrize("key", ["attr-break", "attr-event", "js-url", "script-end"])
def test_the_html_check_fails_on_an_unescaped_payload(key):
    payload = PAYLOADS[key]
    pages = {
        "attr-break": f'<p title="{payload}">x</p>',
        "attr-event": f"<p title='{payload}'>x</p>",
        "js-url": f'<a href="{payload}">link</a>',
        "script-end": f'<script>var d = "{payload}";</script>',
    }
    with pytest.raises(AssertionError):
        assert_inert_html(pages[key], payload, "unescaped")
    assert_inert_html(f"<p>{html.escape(payload)}</p>", payload, "escaped")
