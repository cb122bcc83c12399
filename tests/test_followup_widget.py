"""The results editor without a browser: add, refuse, correct, undo, delete, other editors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kit.store.workbook import Workbook
from kit.widgets.results import ResultsEditor, results_editor

TEAM = "front-desk-friends"


@pytest.fixture
def editor(demo_workshop: Path) -> ResultsEditor:
    made = results_editor(demo_workshop, TEAM, as_of="2026-05-20")
    assert isinstance(made, ResultsEditor)
    return made


def _csv(editor: ResultsEditor) -> str:
    return (editor.wb.path / "results.csv").read_text()


def test_add_refuse_correct_undo_delete(editor):
    before = _csv(editor)
    editor.action.value = "A7"
    assert (
        "Wi-Fi complaints per week" in editor.info.value and "Baseline:</b> 21" in editor.info.value
    )
    assert editor.picker.options[0][0] == "+ new result" and len(editor.picker.options) == 1

    editor.date.value, editor.value.value = dt.date(2026, 5, 1), "ten"
    editor.add_button.click()
    assert "got &#x27;ten&#x27;; expected a number" in editor.fields["value"].error.value
    assert _csv(editor) == before  # refused, nothing saved

    editor.value.value = "13"
    editor.add_button.click()
    assert _csv(editor) == before + "A7,2026-05-01,13\n"
    # (13 - 21) / (5 - 21) = 0.5, due 2026-05-29 not passed on 2026-05-20: on the way
    assert "50% of the way" in editor.info.value and "on the way" in editor.info.value

    editor.picker.value = editor.picker.options[1][1]  # correct it in place
    editor.value.value = "9"
    assert _csv(editor) == before + "A7,2026-05-01,9\n"
    assert "75% of the way" in editor.info.value

    editor.date.value = dt.date(2026, 3, 16)  # a change of date
    assert _csv(editor) == before + "A7,2026-03-16,9\n"

    assert editor.undo() and _csv(editor) == before + "A7,2026-05-01,9\n"
    assert editor.delete_button.disabled is False
    editor.delete_button.click()
    assert _csv(editor) == before


def test_the_same_date_twice_is_refused_next_to_the_date(editor):
    editor.action.value = "A1"  # has 2026-03-16 already
    editor.date.value, editor.value.value = dt.date(2026, 3, 16), "10"
    before = _csv(editor)
    editor.add_button.click()
    assert "duplicate" in editor.fields["date"].error.value
    assert _csv(editor) == before


def test_a_result_saved_meanwhile_by_someone_else_is_kept(editor):
    other = Workbook.load(editor.wb.path)
    results = other["results"]
    results.loc[len(results)] = {"action_id": "A6", "date": dt.date(2026, 5, 18), "value": 8.1}
    other["results"] = results
    other.save()
    editor.action.value = "A7"
    editor.date.value, editor.value.value = dt.date(2026, 5, 19), "12"
    editor.add_button.click()
    text = _csv(editor)
    assert "A6,2026-05-18,8.1\n" in text and "A7,2026-05-19,12\n" in text


def test_team_with_no_plan_says_where_to_plan(tmp_path: Path):
    from kit.store.workshop import create_workshop

    ws = create_workshop(tmp_path / "w", teams=["Blue"])
    made = results_editor(ws.path, "Blue")
    assert "No actions in the plan yet" in made.info.value and "05_plan.ipynb" in made.info.value
    assert made.add_button.disabled and made.value.disabled
