"""Case text is data: every case's team notebooks speak its own case (issue 21, point 1).

For every case, ``servekit new`` (starter and blank) writes team notebooks whose prose uses the
case's customer noun and protagonist and none of another case's words, outside the shared
Sources section. ``case.yaml`` is validated with ``file:line`` messages, and a new case is a
folder of data that needs no code change.
"""

from __future__ import annotations

import html
import re
import shutil

import nbformat
import pytest
from click.testing import CliRunner
from conftest import ROOT

from kit.cli import main
from kit.exceptions import InvalidData
from kit.resources import cases, datasets_dir
from kit.room.casetext import (
    CASE_MARK,
    DISCUSS_MARK,
    case_words,
    discuss_count,
    load_case_file,
    parse_case_file,
    stamp_case,
)

CASES = cases()
SOURCES_MARK = "<!-- servekit:sources -->"


def _prose(path) -> str:
    """A notebook's markdown, the shared Sources section left out."""
    nb = nbformat.read(str(path), as_version=4)
    return "\n\n".join(
        c.source for c in nb.cells if c.cell_type == "markdown" and SOURCES_MARK not in c.source
    )


def _found(words, text):
    return sorted(w for w in words if re.search(rf"(?i)\b{re.escape(w)}\b", text))


@pytest.mark.parametrize("starter", [True, False], ids=["starter", "blank"])
@pytest.mark.parametrize("case", CASES)
def test_team_notebooks_speak_the_case_and_no_other(case, starter, tmp_path):
    own = load_case_file(case)
    foreign = set().union(*(case_words(load_case_file(c)) for c in CASES if c != case))
    foreign -= case_words(own)  # a word two cases share is nobody's give-away
    args = ["new", str(tmp_path / "ws"), "--case", case, "--team", "Blue"]
    result = CliRunner().invoke(main, args + (["--starter"] if starter else []))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "ws" / "notebooks" / "blue"
    noun = re.compile(rf"(?i)\b{own.customer.singular}s?\b")
    for stem, text in own.notebooks.items():
        prose = _prose(folder / f"{stem}.ipynb")
        assert f"{CASE_MARK} {text.case.strip()}" in prose, stem  # the case's own paragraph
        assert noun.search(prose), f"{stem}: never says {own.customer.singular!r}"
        for prompt in text.prompts:
            assert f"{DISCUSS_MARK} {prompt}" in prose, (stem, prompt)
    assert own.protagonist.name in _prose(folder / "01_journey.ipynb")
    for path in sorted(folder.glob("0*.ipynb")):
        assert _found(foreign, _prose(path)) == [], path.name


@pytest.mark.parametrize("case", CASES)
def test_every_case_gives_one_prompt_per_discussion_and_a_paragraph_per_notebook(case):
    own = load_case_file(case)
    for stem in ("01_journey", "02_pyramid", "03_needs", "04_scoring", "05_plan"):
        nb = nbformat.read(str(ROOT / "workshops" / f"{stem}.ipynb"), as_version=4)
        text = own.notebooks[stem]  # KeyError: the case says nothing for this notebook
        assert not text.prompts or len(text.prompts) == discuss_count(nb), stem


def test_the_kits_notebooks_hold_the_default_case_text():
    """workshops/ shows the Laurie case (the demo's); stamping it again changes nothing."""
    laurie = load_case_file("laurie-hospitality")
    for path in sorted((ROOT / "workshops").glob("0[1-7]_*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        before = [c.source for c in nb.cells]
        assert [c.source for c in stamp_case(nb, laurie, path.stem).cells] == before, path.name


def test_too_few_prompts_is_one_clear_message():
    clinic = load_case_file("riverside-clinic")
    clinic.notebooks["01_journey"].prompts = ["Only one?"]
    nb = nbformat.read(str(ROOT / "workshops" / "01_journey.ipynb"), as_version=4)
    with pytest.raises(InvalidData) as err:
        stamp_case(nb, clinic, "01_journey")
    assert str(err.value) == (
        "riverside-clinic/case.yaml:notebooks.01_journey.prompts: 1 prompts; expected 2, "
        "one per '**Discuss with your team:**' of 01_journey.ipynb"
    )


def test_servekit_new_refuses_a_case_whose_prompts_do_not_fit_and_writes_nothing(
    tmp_path, monkeypatch
):
    root = tmp_path / "datasets"
    shutil.copytree(datasets_dir() / "riverside-clinic", root / "riverside-clinic")
    path = root / "riverside-clinic" / "case.yaml"
    text = path.read_text(encoding="utf-8")
    old = '      - "Do the moments of truth have more needs than the rest? Should they?"\n'
    assert text.count(old) == 1
    path.write_text(text.replace(old, ""), encoding="utf-8")
    lines = text.splitlines()
    line = lines.index("    prompts:", lines.index("  03_needs:")) + 2  # the list's first line
    monkeypatch.setenv("SERVEKIT_DATASETS", str(root))
    result = CliRunner().invoke(
        main, ["new", str(tmp_path / "ws"), "--case", "riverside-clinic", "--team", "A"]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: riverside-clinic/case.yaml:{line}:notebooks.03_needs.prompts: 1 prompts; "
        "expected 2, one per '**Discuss with your team:**' of 03_needs.ipynb\n"
    )
    assert not (tmp_path / "ws").exists()


def test_a_bad_case_file_names_file_line_and_field():
    text = (datasets_dir() / "riverside-clinic" / "case.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "customer: {singular: patient, plural: patients}", "customer: {singular: Patient}"
    )
    text = text.replace("  02_pyramid:\n", "  2_pyramid:\n")
    lines = text.splitlines()
    customer = next(i for i, line in enumerate(lines, 1) if line.startswith("customer:"))
    pyramid = lines.index("  2_pyramid:") + 2  # the line of its value, the first under the key
    with pytest.raises(InvalidData) as err:
        parse_case_file(text, "riverside-clinic/case.yaml")
    assert str(err.value) == (
        f"riverside-clinic/case.yaml:{customer}:customer.singular: expected lower-case words "
        f"(or a slug such as my-case), got 'Patient'\n"
        f"riverside-clinic/case.yaml:{customer}:customer.plural: missing; expected this field\n"
        f"riverside-clinic/case.yaml:{pyramid}:notebooks.2_pyramid.[key]: expected a participant "
        f"notebook's name such as 01_journey, got '2_pyramid'"
    )


def test_a_new_case_is_a_folder_of_data(tmp_path, monkeypatch):
    """Copy a case under another name, change its words: `servekit new` speaks it, no code."""
    root = tmp_path / "datasets"
    shutil.copytree(datasets_dir() / "riverside-clinic", root / "harbour-vets")
    yaml_file = root / "harbour-vets" / "case.yaml"
    text = yaml_file.read_text(encoding="utf-8").replace(
        "slug: riverside-clinic", "slug: harbour-vets"
    )
    text = text.replace(
        "{singular: patient, plural: patients}", "{singular: pet owner, plural: pet owners}"
    )
    text = text.replace(
        "Which touchpoints does the patient never see?",
        "Which touchpoints does the pet owner never see?",
    )
    yaml_file.write_text(text, encoding="utf-8")
    monkeypatch.setenv("SERVEKIT_DATASETS", str(root))
    result = CliRunner().invoke(
        main, ["new", str(tmp_path / "ws"), "--case", "harbour-vets", "--team", "Blue"]
    )
    assert result.exit_code == 0, result.output
    prose = _prose(tmp_path / "ws" / "notebooks" / "blue" / "01_journey.ipynb")
    assert f"{DISCUSS_MARK} Which touchpoints does the pet owner never see?" in prose


@pytest.mark.parametrize("agenda", ["half-day", "full-day"])
@pytest.mark.parametrize("case", CASES)
def test_the_run_sheet_tells_the_case_and_its_source_story(case, agenda, tmp_path):
    from kit.room.guide import Guide

    own = load_case_file(case)
    ws = tmp_path / "ws"
    starter = ["--starter"] if agenda == "half-day" else []
    CliRunner().invoke(main, ["new", str(ws), "--case", case, "--team", "Blue", *starter])
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", Guide(ws, agenda).html())))
    assert "Before you start" in text and "The method in five sentences" in text
    assert f"Read aloud (it is written to be read as it stands): the case {own.summary}" in text
    for paragraph in own.story:
        assert paragraph in text
    for quote in own.quotes:
        assert f"“{quote.text}” — {quote.credit}" in text
    assert own.customer.plural in text and own.protagonist.name in text
    assert "`" not in text  # code spans are rendered, never shown as backticks
    assert text.count("The case's facilitator notes") == 1


def test_laurie_run_sheet_names_the_datong_ceo_greenleaf_and_the_claim(tmp_path):
    from kit.room.guide import Guide

    ws = tmp_path / "ws"
    CliRunner().invoke(main, ["new", str(ws), "--team", "Blue", "--starter"])
    text = html.unescape(re.sub(r"<[^>]+>", " ", Guide(ws, "half-day").html()))
    for needle in ("Datong", "Greenleaf", "be, to do and to have", "not a verified study"):
        assert needle in text, needle
