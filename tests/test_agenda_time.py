"""Time that fits (issue 21, point 3): agendas are checked against what they schedule.

An exercise block is at least the exercise's own time box; the scoring block grows with
touchpoints x scorers (unless scoring happens on phones); the half-day opens with 10 minutes of
first logins; ``servekit guide`` warns when the workshop does not match the agenda.
"""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from kit.cli import main
from kit.exceptions import InvalidData
from kit.resources import cases, datasets_dir
from kit.room.agenda import (
    LOGIN_MINUTES,
    load_agendas,
    parse_agendas,
    scoring_minutes,
    time_box,
)

CASES = cases()


def test_scoring_minutes_by_hand():
    # 18 touchpoints x 5 sliders x 8 s x 4 scorers = 2880 s = 48 min, + 10 min of talk
    assert scoring_minutes(18, 4) == 58
    # 6 x 5 x 8 x 3 = 720 s = 12 min, + 10
    assert scoring_minutes(6, 3) == 22
    # on phones the scorers work at once: 18 x 5 x 8 = 720 s
    assert scoring_minutes(18, 4, "phones") == 22
    # 7 x 5 x 8 = 280 s = 4 min 40 s, rounded up to 5, + 10
    assert scoring_minutes(7, 1) == 15


@pytest.mark.parametrize("case", CASES)
def test_every_agenda_of_every_case_fits_what_it_schedules(case):
    for name, agenda in load_agendas(case).root.items():
        for block in agenda.blocks:
            box = time_box(block.exercise)
            if box:
                assert block.minutes >= box, (name, block.id)
            if block.notebook == "04_scoring":
                plan = agenda.scoring
                assert block.minutes >= scoring_minutes(plan.touchpoints, plan.scorers, plan.device)
        if name == "half-day":
            logins = [b for b in agenda.blocks if b.kind == "logins"]
            assert logins and logins[0].minutes >= LOGIN_MINUTES


HALF = """\
half-day:
  title: Short
  minutes: 40
  workbooks: starter
  scoring: {touchpoints: 18, scorers: 4}
  blocks:
    - {id: welcome, kind: intro, title: Welcome, minutes: 10, reveal: now}
    - {id: scoring, kind: notebook, notebook: 04_scoring, title: Score, minutes: 30}
full-day:
  title: Long
  minutes: 390
  workbooks: blank
  blocks:
    - {id: am, kind: intro, title: Morning, minutes: 195, reveal: now}
    - {id: pm, kind: intro, title: Afternoon, minutes: 195}
"""


def test_a_scoring_block_too_short_and_no_logins_give_whole_messages():
    with pytest.raises(InvalidData) as caught:
        parse_agendas(HALF, "agendas.yaml")
    assert str(caught.value) == (
        "agendas.yaml:2:half-day: block scoring gives 30 minutes to score; expected at least 58 "
        "for 18 touchpoints x 4 scorers on one laptop (5 sliders of 8 s each, then 10 minutes "
        "of talk)"
    )
    phones = HALF.replace("scorers: 4}", "scorers: 4, device: phones}")
    with pytest.raises(InvalidData) as caught:
        parse_agendas(phones, "agendas.yaml")
    assert str(caught.value) == (
        "agendas.yaml:1: half-day has no 'logins' block of 10 minutes or more before its first "
        "notebook; expected one (every team opens its link for the first time)"
    )


def test_an_exercise_block_shorter_than_its_time_box_names_file_line_and_block(
    tmp_path, monkeypatch
):
    root = tmp_path / "datasets"
    shutil.copytree(datasets_dir() / "laurie-hospitality", root / "laurie-hospitality")
    path = root / "laurie-hospitality" / "agendas.yaml"
    text = path.read_text(encoding="utf-8")
    old = '      title: "Exercise: the top gaps by hand"\n      minutes: 20\n'
    assert old in text
    text = text.replace(old, old.replace("20", "15")).replace(
        '      title: "Welcome and the upside-down pyramid"\n      minutes: 15\n',
        '      title: "Welcome and the upside-down pyramid"\n      minutes: 20\n',
    )
    path.write_text(text, encoding="utf-8")
    line = text.splitlines().index('      title: "Exercise: the top gaps by hand"') + 2
    monkeypatch.setenv("SERVEKIT_DATASETS", str(root))
    with pytest.raises(InvalidData) as caught:
        load_agendas("laurie-hospitality")
    block = [b.id for b in parse_agendas(text).root["full-day"].blocks].index("gap")
    assert str(caught.value) == (
        f"laurie-hospitality/agendas.yaml:{line}:full-day.blocks[{block}].minutes: 15 minutes "
        f"for exercise 04_top_gaps; expected at least its own time box of 20 minutes"
    )


def test_guide_warns_when_the_workshop_does_not_match_the_agenda(tmp_path):
    runner = CliRunner()
    ws = tmp_path / "ws"
    runner.invoke(main, ["new", str(ws), "--team", "Blue"], catch_exceptions=False)
    result = runner.invoke(main, ["guide", str(ws)], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr == (
        "warning: the half-day agenda is made for starter workbooks, but team(s) blue start "
        "blank: its times will not fit. Use --agenda full-day, or create the workshop with "
        "'servekit new … --starter'.\n"
    )
    page = (ws / "guide-half-day.html").read_text(encoding="utf-8")
    assert "Warning: the half-day agenda is made for starter workbooks" in page
    assert runner.invoke(main, ["guide", str(ws), "--agenda", "full-day"]).stderr == ""

    starter = tmp_path / "starter"
    runner.invoke(main, ["new", str(starter), "--team", "Red", "--starter"], catch_exceptions=False)
    assert runner.invoke(main, ["guide", str(starter)]).stderr == ""
    full = runner.invoke(main, ["guide", str(starter), "--agenda", "full-day"]).stderr
    assert full == (
        "warning: the full-day agenda is made for blank workbooks, but team(s) red start from "
        "the case's reference journey (--starter): the journey and pyramid blocks will run "
        "short. Use --agenda half-day, or let teams rebuild the journey in their own words.\n"
        "warning: the scoring block is sized for 12 touchpoints x 3 scorers; team(s) red (18) "
        "have more. Score the first 12 only, or lengthen the scoring block.\n"
    )
