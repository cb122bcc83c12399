"""The self-checking exercises: checkers, data, statistics, notebook shape and papermill runs.

Every exercise runs under papermill twice: as shipped (blank) it must stop at its check cell
with ``BlankAnswer``; its solution must run to the end. Checkers are also driven directly with
right, alternative-right, wrong and malformed answers.
"""

from __future__ import annotations

import copy
import json
import math

import nbformat
import numpy as np
import pandas as pd
import pytest
from helpers import papermill_run

from kit.exceptions import BlankAnswer, WrongAnswer
from kit.exercises import NAMES, REGISTRY, check, data, is_blank
from kit.exercises.checks import credibility_score, widest
from kit.exercises.stats import bootstrap_ci, correlation_ci, pareto, vital_few
from kit.resources import exercises_dir

EXERCISES = sorted(exercises_dir().glob("[0-9][0-9]_*.ipynb"))
STEMS = [p.name for p in EXERCISES]
ANSWER_MARK = "# ✏️ YOUR ANSWER"


def _read(path):
    return nbformat.read(path, as_version=4)


def _answer_cell(nb):
    cells = [c for c in nb.cells if c.cell_type == "code" and c.source.startswith(ANSWER_MARK)]
    assert len(cells) == 1, "exactly one answer cell"
    return cells[0]


def _check_name(nb):
    calls = [c.source for c in nb.cells if c.cell_type == "code" and c.source.startswith("check(")]
    assert len(calls) == 1, "exactly one check cell"
    return calls[0].split('"')[1]


def _solution_answer(stem):
    namespace: dict = {}
    exec(_answer_cell(_read(exercises_dir() / "solutions" / stem)).source, namespace)
    return namespace["answer"]


SOLUTIONS = {_check_name(_read(p)): _solution_answer(p.name) for p in EXERCISES}


# --------------------------------------------------------------------------- the notebooks


def test_there_are_at_least_eight_exercises_each_with_a_solution():
    assert len(EXERCISES) >= 8
    assert sorted(p.name for p in (exercises_dir() / "solutions").glob("*.ipynb")) == STEMS
    assert (
        sorted(SOLUTIONS)
        == sorted(NAMES)
        == sorted(k for k in REGISTRY if not k.startswith("demo"))
    )


@pytest.mark.parametrize("stem", STEMS)
def test_exercise_shape(stem):
    blank, solution = _read(exercises_dir() / stem), _read(exercises_dir() / "solutions" / stem)
    first = blank.cells[0].source
    assert first.startswith("# Exercise ")
    assert "⏱ **Time box:" in first
    assert "minutes**" in first
    assert "**After this exercise you can:**" in first
    assert _check_name(blank) == _check_name(solution)
    for nb in (blank, solution):
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert all(
            not c.get("outputs") and not c.get("execution_count")
            for c in nb.cells
            if c.cell_type == "code"
        ), "committed without outputs"
        assert "## Sources" in nb.cells[-1].source
    assert is_blank(_eval_answer(blank)), "the shipped exercise starts blank"
    # the solution is the exercise with the answer filled in and a "Why" cell added
    code = [c.source for c in blank.cells if c.cell_type == "code"]
    solved = [c.source for c in solution.cells if c.cell_type == "code"]
    assert [s for s in code if not s.startswith(ANSWER_MARK)] == [
        s for s in solved if not s.startswith(ANSWER_MARK)
    ]
    assert any(
        c.source.startswith("**Why.**") or c.source.startswith("**A sample answer.**")
        for c in solution.cells
        if c.cell_type == "markdown"
    )


def _eval_answer(nb):
    namespace: dict = {}
    exec(_answer_cell(nb).source, namespace)
    return namespace["answer"]


def _papermill(source, tmp_path, kernel):
    import papermill

    output = tmp_path / source.name
    try:
        papermill_run(
            str(source),
            str(output),
            kernel_name=kernel,
            cwd=str(tmp_path),
            execution_timeout=120,
        )
        error = None
    except papermill.PapermillExecutionError as exc:
        error = exc
    return error, json.loads(output.read_text())


def _texts(result):
    return [
        "".join(o.get("text", ""))
        for c in result["cells"]
        if c["cell_type"] == "code"
        for o in c.get("outputs", [])
    ]


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_blank_exercise_fails_under_papermill_at_its_check(stem, tmp_path, python3_kernel):
    error, result = _papermill(exercises_dir() / stem, tmp_path, python3_kernel)
    assert error is not None, "a blank exercise must fail"
    name = _check_name(_read(exercises_dir() / stem))
    assert error.ename == "BlankAnswer"
    assert error.evalue == f"{name}: the answer is still blank"
    code = [c for c in result["cells"] if c["cell_type"] == "code"]
    failing = [c for c in code if any(o["output_type"] == "error" for o in c["outputs"])]
    assert ["".join(c["source"]) for c in failing] == [f'check("{name}", answer)']
    assert any("not answered yet" in t for t in _texts(result))


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_solution_runs_to_the_end_under_papermill(stem, tmp_path, python3_kernel):
    error, result = _papermill(exercises_dir() / "solutions" / stem, tmp_path, python3_kernel)
    assert error is None, error
    code = [c for c in result["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] for c in code), "every cell ran"
    assert any(line.startswith("✅") for t in _texts(result) for line in t.splitlines())


# --------------------------------------------------------------------------- check()


def test_check_passes_every_solution(capsys):
    for name, answer in SOLUTIONS.items():
        assert check(name, answer) is True
        assert capsys.readouterr().out.splitlines()[-1].startswith(f"✅ {REGISTRY[name].title}")


@pytest.mark.parametrize("blank", [None, ..., "", {}, [], {"a": [], "b": {}}, {"x": ("", None)}])
def test_blank_answers_raise_blank_answer_with_the_whole_message(blank, capsys):
    with pytest.raises(BlankAnswer) as info:
        check("day", blank)
    assert str(info.value) == "day: the answer is still blank"
    assert capsys.readouterr().out == (
        "✏️  A day in the life: not answered yet. Fill in the cell marked ✏️ YOUR ANSWER above, "
        "run it, then run this cell again.\n"
    )


def test_unknown_exercise_names_every_exercise():
    with pytest.raises(KeyError) as info:
        check("nope", 1)
    assert info.value.args[0] == (
        "no exercise is called 'nope'; the exercises are: " + ", ".join(sorted(REGISTRY))
    )


def test_a_wrong_answer_prints_hints_and_raises(capsys):
    answer = copy.deepcopy(SOLUTIONS["day"])
    answer["indirect"].remove("D9")
    answer["indirect"].append("D3")
    with pytest.raises(WrongAnswer) as info:
        check("day", answer)
    assert str(info.value) == "day: 2 things to look at again (the hints are printed above)"
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "🔎 A day in the life: not quite yet. Hints:"
    assert out[1:] == [
        "  • D3: the guest talks to a Concierge here, face to face or on the phone. That makes "
        "it direct.",
        "  • D9 ('The air conditioning runs quietly; it was serviced last week.'): does the guest "
        "see the person who did this? If not, someone served her out of sight.",
    ]


def test_the_ipython_view_of_a_wrong_answer_is_one_line():
    error = WrongAnswer("day: 1 thing to look at again (the hints are printed above)")
    assert error._render_traceback_() == [
        "WrongAnswer: day: 1 thing to look at again (the hints are printed above)"
    ]


def _hints(name, answer):
    return REGISTRY[name].checker(answer)


def test_not_a_dictionary_gets_one_plain_hint():
    assert _hints("hired", ["hr_partner"]) == [
        "The answer should be a dictionary (cause id -> role id), like the template in the "
        "answer cell; got list."
    ]


# --------------------------------------------------------------------------- each checker


def test_day_accepts_either_role_behind_the_made_up_room():
    answer = copy.deepcopy(SOLUTIONS["day"])
    answer["behind"]["D4"] = "laundry_attendant"
    assert _hints("day", answer) == []
    answer["behind"]["D4"] = "concierge"
    assert _hints("day", answer) == [
        "D4: would a Concierge really have done that? Think about who prepares it before the "
        "guest arrives."
    ]
    answer["behind"]["D4"] = "butler"
    assert _hints("day", answer)[0] == (
        "'butler' is not a role in this exercise; choose from: " + ", ".join(data.ROLES_HOTEL) + "."
    )


def test_flip_is_judged_against_the_kits_own_flip_and_chain_check():
    from kit.analyses.orgchart import flip
    from kit.analyses.pyramid import build_graph, chain_check

    flipped = flip(data.shop_org_chart(), customer_facing_units=data.SHOP_FACING_UNITS)
    frontline = flipped.roles.query("level == 'frontline'")["role_id"].tolist()
    cut = chain_check(build_graph(flipped.roles, flipped.serves)).unreached["role_id"].tolist()
    assert sorted(frontline) == sorted(SOLUTIONS["flip"]["frontline"]) == ["counter", "tour_guide"]
    assert sorted(cut) == sorted(SOLUTIONS["flip"]["cut_off"])
    hints = _hints("flip", {"frontline": ["counter", "mechanic"], "cut_off": cut})
    assert hints == [
        "mechanic: either people report to this post (then it is a manager) or its unit "
        "'Workshop' does not meet customers (then it supports).",
        "tour_guide works in 'Tours', a unit that meets customers, and nobody reports to it: in "
        "the flipped chart it sits right under the customer.",
    ]


def test_chain_accepts_any_fix_that_makes_the_chain_whole():
    other = {
        "add": [
            ("mechanic", "tour_guide"),
            ("bookkeeper", "counter"),
            ("web_bookings", "tour_guide"),
        ],
        "remove": [("counter", "shop_manager")],
    }
    assert _hints("chain", other) == []


def test_chain_wants_no_more_edges_than_needed():
    answer = copy.deepcopy(SOLUTIONS["chain"])
    answer["add"].append(("workshop_lead", "counter"))
    assert _hints("chain", answer) == [
        "The chain is whole, but you added 4 edges where 3 are enough: an edge from a post that "
        "already reaches the customer is not needed."
    ]


def test_chain_names_what_is_still_broken():
    hints = _hints(
        "chain",
        {
            "add": [("mechanic", "customer"), ("bookkeeper", "customer")],
            "remove": [("shop_manager", "owner")],
        },
    )
    assert hints == [  # bookkeeper -> customer is fine: customers see its work (B7, the deposit)
        "shop_manager -> owner is not in the serves table, so there is nothing to remove there.",
        "mechanic: no touchpoint of the customer's journey uses its work directly, so rather "
        "than serving the customer, which frontline post does it help?",
        "web_bookings still does not reach a customer. If you don't serve customers, serve "
        "someone who does: whom could it serve?",
        "counter (frontline) still serves shop_manager (manager), who sits below it: that is "
        "serving the boss.",
    ]
    assert _hints("chain", {"add": ["mechanic"], "remove": []}) == [
        "Each entry of 'add' should be a pair (from_role, to_role), like (\"mechanic\", "
        "\"counter\"); got 'mechanic'."
    ]


def test_gaps_match_the_hand_worked_priorities():
    from kit.analyses import scoring

    ranking = scoring.priority_ranking(data.shop_scores(), data.shop_journey())
    by_id = ranking.set_index("touchpoint_id")["priority"]
    assert (by_id["B5"], by_id["B7"], by_id["B2"], by_id["B3"]) == (22.5, 8.0, 7.5, 6.0)
    hints = _hints(
        "gaps", {"B5": "Concentrate here", "B3": "Concentrate here", "B2": "Concentrate here"}
    )
    assert hints[0] == (
        "B3 is not in the top three: work out max(gap, 0) × importance, × 1.5 "
        "at a moment of truth, for it and for the others."
    )
    # one hint per wrong answer: B3 is wrong (so B7 is missing: no second hint), B2's quadrant
    assert len(hints) == 2 and hints[1].startswith("B2: the quadrant comes from its median")


def test_needs_hints_name_the_kind_without_giving_the_answer():
    answer = dict(SOLUTIONS["needs"])
    answer["N3"] = ("do", "hr_partner")
    assert _hints("needs", answer) == [
        "N3 ('A screen showing, live, which rooms are clean and inspected') reads like a tool, "
        "piece of information or authority someone gives them; which of be, do and have is "
        "that?",
        "N3: would People & culture partner really provide this? Ask who owns it day to day.",
    ]


def test_credibility_score_on_hand_worked_ratings():
    assert (
        credibility_score({**dict.fromkeys(data.WIDENING, 1), **dict.fromkeys(data.BRIDGING, 5)})
        == 0.0
    )
    assert (
        credibility_score({**dict.fromkeys(data.WIDENING, 5), **dict.fromkeys(data.BRIDGING, 1)})
        == 100.0
    )
    # widening: (2-1)*6 = 6 of 24 -> 12.5; bridging: (5-4)*4 = 4 of 16 -> 12.5
    assert (
        credibility_score({**dict.fromkeys(data.WIDENING, 2), **dict.fromkeys(data.BRIDGING, 4)})
        == 25.0
    )
    ratings = SOLUTIONS["credibility"]["ratings"]
    assert widest(ratings) == ["blame"]


def test_credibility_wants_complete_ratings_a_consistent_choice_and_a_reflection(capsys):
    answer = copy.deepcopy(SOLUTIONS["credibility"])
    answer["widest"] = "listen"
    answer["reflection"] = "Be nicer."
    assert _hints("credibility", answer) == [
        '"widest" should be the habit your own ratings say costs most; by your ratings that '
        "is 'blame'.",
        "Write a reflection of at least a couple of sentences (12 words or more): what will you "
        "do differently next week, and how will you know it worked?",
    ]
    # widening costs 1+1+3+2+1+2 = 10 of 24, bridging 2+2+1+2 = 7 of 16: 50·10/24 + 50·7/16
    assert capsys.readouterr().out == "Your credibility-gap score: 42.7 of 100 (0 = no gap).\n"
    answer["ratings"]["blame"] = 7
    assert _hints("credibility", answer)[0] == (
        "Rate 'blame' (When something goes wrong, my first question is whose fault it was) with "
        "a whole number from 1 (never) to 5 (often)."
    )


def test_shifts_follow_the_pareto_of_the_seeded_log():
    log = data.shift_log()
    counts = log["issue"].value_counts()
    few = vital_few(pareto(log["issue"]))
    assert counts[few].sum() / len(log) >= 0.8
    assert counts[few[:-1]].sum() / len(log) < 0.8
    assert sorted(few) == sorted(SOLUTIONS["shifts"]["recurring"])
    swapped = {
        "recurring": few,
        "not_equipped": ["fee needs a manager"],
        "not_empowered": ["room status lags", "new app untrained"],
    }
    assert len(_hints("shifts", swapped)) == 3


def test_hired_traces_the_pyramid():
    answer = dict(SOLUTIONS["hired"])
    answer.update(C1="front_desk_agent", C2="executive_chef", C3="revenue_manager")
    assert _hints("hired", answer) == [
        "C1: that puts it back on the agent. Who hired the agent, and who trains them? Look "
        "below the desk in the pyramid.",
        "C2: Executive chef does not serve the front desk agent, directly or through others; "
        "follow the serves edges down from the desk.",
        "C3: Revenue manager does serve the desk, but owns something "
        "else; who decides about this day to day?",
    ]


def test_leaders360_wants_the_numbers_and_no_causal_claim():
    answer = dict(SOLUTIONS["leaders360"])
    assert _hints("leaders360", answer) == []
    answer.update(r=0.5, proves_cause=True)
    assert _hints("leaders360", answer) == [
        "'r': read it again from the line printed by the analysis cell (two decimals are enough).",
        '"proves_cause" (True or False): look at the staff column. Could something else make '
        "both numbers move together? And which way round would the cause run?",
    ]


# --------------------------------------------------------------------------- data and stats


def test_generated_data_is_the_same_on_every_call():
    for make in (data.shop_scores, data.shift_log, data.units_360, data.day_in_the_life):
        assert make().equals(make())
    assert data.shift_log()["shift"].tolist() == sorted(data.shift_log()["shift"])


def test_pareto_on_a_hand_worked_log():
    table = pareto(["b", "a", "b", "c", "b", "a", "d", "a"])
    assert table.values.tolist() == [
        ["a", 3, 0.375, 0.375],
        ["b", 3, 0.375, 0.75],
        ["c", 1, 0.125, 0.875],
        ["d", 1, 0.125, 1.0],
    ]
    assert vital_few(table, 0.8) == ["a", "b", "c"]
    assert vital_few(table, 0.75) == ["a", "b"]


def test_fisher_interval_on_a_hand_worked_example():
    # r = 14.5 / 17.5; z = atanh(r) = 1.18356; se = 1/sqrt(3); z ± 1.95996·se -> tanh
    ci = correlation_ci([1, 2, 3, 4, 5, 6], [2, 1, 4, 3, 6, 5])
    assert math.isclose(ci.r, 14.5 / 17.5)
    assert math.isclose(ci.low, 0.05193, abs_tol=5e-5)
    assert math.isclose(ci.high, 0.98068, abs_tol=5e-5)
    assert ci.n == 6
    assert ci.method == "Fisher z"


def test_fisher_interval_properties():
    rng = np.random.default_rng(1)
    x = rng.normal(size=50)
    y = x + rng.normal(size=50)
    wide, narrow = correlation_ci(x, y, 0.99), correlation_ci(x, y, 0.90)
    assert wide.low < narrow.low < narrow.r < narrow.high < wide.high
    plain, flipped = correlation_ci(x, y), correlation_ci(x, -y)
    assert math.isclose(flipped.low, -plain.high)
    assert math.isclose(flipped.high, -plain.low)
    boot = bootstrap_ci(x, y)
    assert boot.low < boot.r < boot.high
    assert boot == bootstrap_ci(x, y)
    with pytest.raises(ValueError) as info:
        correlation_ci([1, 2, 3], [1, 2, 4])
    assert str(info.value) == "a correlation interval needs at least 4 complete pairs; got 3"
    with pytest.raises(ValueError) as info:
        correlation_ci([1, 1, 1, 1], [1, 2, 3, 4])
    assert str(info.value) == "one of the two variables does not vary; r is undefined"
    with pytest.raises(ValueError) as info:
        correlation_ci([1, 2], [1])
    assert str(info.value) == "x has 2 values and y has 1; expected pairs"


def test_units_360_have_a_hidden_common_cause():
    units = data.units_360()
    assert correlation_ci(units["staff"], units["satisfaction"]).high < 0
    assert correlation_ci(units["staff"], units["leader_360"]).r < 0
    assert isinstance(units, pd.DataFrame)
    assert units["unit"].is_unique


# --------------------------------------------------------------------------- the README


def _idea_rows(text, columns=4):
    rows = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == columns and cells[0].isdigit():
            rows[int(cells[0])] = cells
    return rows


def test_readme_lists_every_exercise_and_places_every_idea_of_the_sources():
    readme = (exercises_dir() / "README.md").read_text(encoding="utf-8")
    for stem in STEMS:
        assert f"]({stem})" in readme, stem
    assert "seed-ideas" not in readme  # the list is the README's own: nothing outside the repo
    ideas_file = exercises_dir().parent.parent / "shared" / "seed-ideas.md"
    rows = _idea_rows(readme.split("## Every idea of the source texts", 1)[1])
    if ideas_file.is_file():
        listed = _idea_rows(ideas_file.read_text(encoding="utf-8"), columns=3)
        assert sorted(rows) == sorted(listed)
    assert sorted(rows) == list(range(1, len(rows) + 1))
    assert len(rows) >= 41
    for number, (_, source, idea, where) in rows.items():
        assert source and idea and where, number
        places = {f"E0{n}" for n in range(1, 10)} | {"N0", "R", "S", "notes", "not covered", "case"}
        places |= {"sheet"}  # the run sheet's source story and quotations (servekit guide)
        assert any(p in where for p in places), (number, where)
    assert sum("**not covered**" in r[3] for r in rows.values()) >= 1
