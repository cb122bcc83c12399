"""The facilitator guide: agendas as validated data, the run sheet, ``servekit guide``.

The guide must build for both agendas and every case the kit ships, its clock times must add up
to each agenda's length, bad agenda YAML must give one whole, clear message, and nothing the
facilitator says may copy the source texts (no run of 8 words).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from helpers import papermill_run

from kit.cli import main
from kit.exceptions import InvalidData
from kit.resources import cases, datasets_dir, workshop_notebook
from kit.room.agenda import AGENDA_NAMES, duration, load_agendas, parse_agendas, schedule
from kit.room.guide import Guide, write_guide
from kit.store.workshop import create_workshop, load_case
from kit.testing import external_references

SEEDS = Path("/work/shared/seeds")
CASES = cases()


def _text(page: str) -> str:
    """The page's visible text: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("agenda", AGENDA_NAMES)
def test_guide_builds_for_every_case_and_agenda(tmp_path: Path, case: str, agenda: str):
    ws = create_workshop(
        tmp_path / "w", case=case, teams=["Blue Team", "Green <Team>"], starter=agenda == "half-day"
    )
    [page] = write_guide(ws.path, agenda, "08:45")
    sheet = page.read_text(encoding="utf-8")
    assert page == ws.path / f"guide-{agenda}.html"
    assert external_references(sheet) == []
    plan = load_agendas(case).root[agenda]
    clock = dt.datetime(2000, 1, 1, 8, 45)
    for block in plan.blocks:  # every block with its own clock times, in order
        end = clock + dt.timedelta(minutes=block.minutes)
        assert f"{clock:%H:%M}–{end:%H:%M}</span> · " in sheet, block.id
        clock = end
    assert f"<b>08:45–{clock:%H:%M}</b> ({duration(plan.minutes)}, breaks included)" in sheet
    info = load_case(case)
    text = _text(sheet)
    for note in info.get("facilitator_notes") or []:
        assert _text(note) in text
    for flaw in info.get("flaws") or []:
        assert _text(flaw["what"]) in text
    for block in plan.blocks:
        for line in block.script:
            assert _text(line) in text
    assert "<code>notebooks/blue-team/</code>" in sheet
    assert "Green &lt;Team&gt;" in sheet
    assert (
        "<code>/lab/workspaces/blue-team/tree/notebooks/blue-team/01_journey.ipynb</code>" in sheet
    )  # the path servekit lab's team link opens
    assert "Green <Team>" not in sheet


@pytest.mark.parametrize("case", CASES)
def test_block_times_add_up_to_each_agenda(case: str):
    agendas = load_agendas(case)
    limits = {"half-day": (210, "starter"), "full-day": (390, "blank")}
    for name, (limit, workbooks) in limits.items():
        agenda = agendas.root[name]
        times = list(schedule(agenda, "09:00"))
        assert times[0][0] == "09:00"
        end = dt.datetime(2000, 1, 1, 9) + dt.timedelta(minutes=agenda.minutes)
        assert times[-1][1] == f"{end:%H:%M}"
        assert sum(b.minutes for b in agenda.blocks) == agenda.minutes <= limit
        assert agenda.workbooks == workbooks
        for (_, e, _), (s, _, _) in zip(times, times[1:], strict=False):
            assert e == s  # back to back: no gap, no overlap
        kinds = {b.kind for b in agenda.blocks}
        assert {"intro", "notebook", "break", "debrief"} <= kinds
        assert [b.notebook for b in agenda.blocks if b.notebook][:5] == [
            "01_journey",
            "02_pyramid",
            "03_needs",
            "04_scoring",
            "05_plan",
        ]


def test_half_day_says_it_needs_starter_workbooks(tmp_path: Path):
    ws = create_workshop(tmp_path / "w", teams=["A"], starter=True)
    half = Guide(ws.path, "half-day", "09:00").html()
    assert "<b>09:00–12:30</b> (3 h 30, breaks included)" in half
    assert "Made for <b>starter</b> workbooks" in half
    assert "--starter" in half
    full = Guide(ws.path, "full-day", "09:00").html()
    assert "<b>09:00–15:30</b> (6 h 30, breaks included)" in full
    assert "Made for <b>blank</b> workbooks" in full


BAD = """\
half-day:
  title: Short
  minutes: 210
  workbooks: starter
  blocks:
    - id: welcome
      kind: intro
      title: Welcome
      minutes: 200
      reveal: now
    - id: oops
      kind: lecture
      title: Talk
      minutes: -5
      colour: red
full-day:
  title: Long
  minutes: 390
  workbooks: empty
  blocks: []
"""


def test_bad_agenda_yaml_gives_the_whole_clear_message():
    with pytest.raises(InvalidData) as caught:
        parse_agendas(BAD, "agendas.yaml")
    assert str(caught.value) == (
        "agendas.yaml:12:half-day.blocks[1].kind: expected 'intro', 'logins', 'case', 'notebook', "
        "'exercise', 'reveal', 'break' or 'debrief', got 'lecture'\n"
        "agendas.yaml:14:half-day.blocks[1].minutes: expected a whole number greater than 0, "
        "got -5\n"
        "agendas.yaml:15:half-day.blocks[1].colour: unknown field; expected one of: id, kind, "
        "title, minutes, notebook, exercise, say, prompts, reveal, notes, dashboard, script, "
        "sources\n"
        "agendas.yaml:19:full-day.workbooks: expected 'starter' or 'blank', got 'empty'\n"
        "agendas.yaml:20:full-day.blocks: expected at least one entry, got []"
    )


def test_agenda_rules_beyond_field_types():
    good = yaml.safe_load((datasets_dir() / "laurie-hospitality" / "agendas.yaml").read_text())
    good["half-day"]["blocks"][3]["minutes"] += 5
    with pytest.raises(InvalidData) as caught:
        parse_agendas(yaml.safe_dump(good, sort_keys=False), "agendas.yaml")
    assert str(caught.value) == (
        "agendas.yaml:2:half-day: the blocks add up to 215 minutes; expected 210 (the agenda's "
        "'minutes'): change a block or the total"
    )
    good["half-day"]["blocks"][3]["minutes"] -= 5
    good["half-day"]["minutes"] = 240
    good["half-day"]["blocks"][-1]["minutes"] += 30
    with pytest.raises(InvalidData) as caught:
        parse_agendas(yaml.safe_dump(good, sort_keys=False), "agendas.yaml")
    assert str(caught.value) == (
        "agendas.yaml:1: half-day lasts 240 minutes; expected at most 210 (3 h 30)"
    )
    del good["full-day"]
    with pytest.raises(InvalidData) as caught:
        parse_agendas(yaml.safe_dump(good, sort_keys=False), "agendas.yaml")
    assert str(caught.value) == (
        "agendas.yaml:1: missing agenda full-day; expected keys half-day, full-day"
    )
    with pytest.raises(InvalidData) as caught:
        parse_agendas("half-day: [1\n", "agendas.yaml")
    assert str(caught.value) == (
        "agendas.yaml:2: expected ',' or ']', but got '<stream end>'; "
        "expected YAML such as 'key: text' (quote text with ':')"
    )
    with pytest.raises(InvalidData) as caught:  # aliases are refused like in every YAML file
        parse_agendas("a: &x [1]\nhalf-day: *x\n", "agendas.yaml")
    assert str(caught.value) == (
        "agendas.yaml:2: refused: the file uses a YAML alias (*x); "
        "expected plain 'key: value' lines without anchors or aliases"
    )


def test_guide_command_prints_a_broken_agenda_without_traceback(tmp_path: Path, monkeypatch):
    root = tmp_path / "datasets"
    shutil.copytree(datasets_dir() / "laurie-hospitality", root / "laurie-hospitality")
    agendas = root / "laurie-hospitality" / "agendas.yaml"
    agendas.write_text(agendas.read_text().replace("notebook: 03_needs", "notebook: 03_nedes"))
    monkeypatch.setenv("SERVEKIT_DATASETS", str(root))
    ws = create_workshop(tmp_path / "w", teams=["A"])
    result = CliRunner().invoke(main, ["guide", str(ws.path)], catch_exceptions=False)
    assert result.exit_code == 1
    line = next(i + 1 for i, t in enumerate(agendas.read_text().splitlines()) if "03_nedes" in t)
    assert result.output.startswith(
        f"Error: laurie-hospitality/agendas.yaml:{line}:half-day.blocks[7].notebook: no "
        f"notebook '03_nedes' in the kit; expected one of: 00_facilitator_guide, 01_journey, "
    )
    assert "Traceback" not in result.output
    assert not (ws.path / "guide-half-day.html").exists()


def test_guide_command_options(tmp_path: Path):
    ws = create_workshop(tmp_path / "w", teams=["A"])
    runner = CliRunner()
    result = runner.invoke(main, ["guide", str(ws.path), "--start", "9h"], catch_exceptions=False)
    assert result.exit_code == 2
    assert result.output.endswith(
        "Error: Invalid value for --start: start time '9h': expected HH:MM (24-hour), e.g. 09:00\n"
    )
    out = tmp_path / "sheet.html"
    result = runner.invoke(
        main,
        ["guide", str(ws.path), "--agenda", "full-day", "--start", "13:00", "--out", str(out)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert result.output == f"wrote {out}\n"
    assert "<b>13:00–19:30</b>" in out.read_text()
    result = runner.invoke(main, ["guide", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path}: no workshop.yaml; expected a workshop folder made by 'servekit new'\n"
    )


@pytest.mark.browser
def test_guide_pdf(tmp_path: Path, chromium: str):
    ws = create_workshop(tmp_path / "w", teams=["A"], starter=True)
    written = write_guide(ws.path, "half-day", "09:00", pdf=True)
    assert [p.name for p in written] == ["guide-half-day.html", "guide-half-day.pdf"]
    assert written[1].read_bytes()[:5] == b"%PDF-"
    assert written[1].stat().st_size > 20_000


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", text.lower().replace("’", "'"))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.skipif(not SEEDS.is_dir(), reason="the seed texts are not on this machine")
@pytest.mark.parametrize("case", CASES)
def test_agendas_paraphrase_never_copy_eight_words(case: str):
    seeds = [
        _words(p.read_text(encoding="utf-8", errors="replace")) for p in sorted(SEEDS.glob("*.txt"))
    ]
    runs = {tuple(words[i : i + 8]) for words in seeds for i in range(len(words) - 7)}
    data = yaml.safe_load((datasets_dir() / case / "agendas.yaml").read_text(encoding="utf-8"))
    copied = []
    for text in _strings(data):
        words = _words(text)
        copied += [
            " ".join(words[i : i + 8])
            for i in range(len(words) - 7)
            if tuple(words[i : i + 8]) in runs
        ]
    assert copied == []
    # the check itself can fail: a sentence lifted from a seed is caught
    lifted = " ".join(seeds[0][10:20])
    assert any(tuple(_words(lifted)[i : i + 8]) in runs for i in range(3))


def test_facilitator_notebook_runs_under_papermill(tmp_path: Path, python3_kernel):
    import nbformat

    ws = create_workshop(tmp_path / "w", teams=["Night <b>Shift"], starter=True)
    out = tmp_path / "out.ipynb"
    papermill_run(
        str(workshop_notebook("00_facilitator_guide.ipynb")),
        str(out),
        parameters={"workshop_dir": str(ws.path), "agenda": "full-day", "start": "10:00"},
        cwd=str(tmp_path),
        kernel_name=python3_kernel,
    )
    nb = nbformat.read(out, as_version=4)
    shown = "".join(
        o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", [])
    )
    assert "<b>10:00–16:30</b> (6 h 30, breaks included)" in shown
    assert "Night &lt;b&gt;Shift" in shown
    assert "<b>Shift" not in shown
    assert shown.count('class="sk-guide-block') == len(
        load_agendas("laurie-hospitality").root["full-day"].blocks
    )
