"""The report's needs section, on a hand-worked team.

The team (worked out by hand below):

========  ==========  ===========  ====  ==============================================
touchpt   importance  performance  MoT   priority = max(I − P, 0) × I × (1.5 if MoT)
========  ==========  ===========  ====  ==============================================
Q1        5           1            yes   4 × 5 × 1.5 = 30
Q2        4           2            no    2 × 4       = 8
Q3        5           4            yes   1 × 5 × 1.5 = 7.5
Q4        2           2            no    0
========  ==========  ===========  ====  ==============================================

So the top three are Q1, Q2, Q3 (Q4 has no gap).
"""

from __future__ import annotations

import re

import pytest
from conftest import write_team

from kit.report.story import Story
from kit.report.story.needs import needs_for_top, needs_text

FILES = {
    "team.yaml": "name: Hand <Worked>\nmembers: [Ann]\n",
    "journey.csv": (
        "touchpoint_id,stage,order,time,description,channel,contact,role_id,emotion,"
        "moment_of_truth\n"
        "Q1,Arrive,1,,Queue at the <desk>,face to face,direct,desk,-2,true\n"
        "Q2,Arrive,2,,Room ready,in room,indirect,clean,0,false\n"
        "Q3,Leave,3,,Bill,face to face,direct,desk,0,true\n"
        "Q4,Leave,4,,Taxi,face to face,direct,desk,1,false\n"
    ),
    "roles.csv": (
        "role_id,name,level,headcount,unit,grade\n"
        "guest,Guest,customer,,,\n"
        "desk,Desk agent,frontline,5,,\n"
        "clean,Cleaner,support,3,,\n"
        "boss,Manager,manager,1,,\n"
    ),
    "serves.csv": "from_role,to_role\ndesk,guest\nclean,desk\nboss,desk\nboss,clean\n",
    "needs.csv": (
        "touchpoint_id,kind,need,provider_role\n"
        "Q1,have,A second desk,boss\n"
        "Q1,be,Calm at the peak,boss\n"
        "Q1,do,Roaming agent,\n"
        "Q2,have,Room status on screen,clean\n"
        "Q4,do,Call the taxi early,desk\n"
    ),
    "scores.csv": (
        "touchpoint_id,scorer,importance,performance,be,do,have\n"
        "Q1,Ann,5,1,,,\n"
        "Q2,Ann,4,2,,,\n"
        "Q3,Ann,5,4,,,\n"
        "Q4,Ann,2,2,,,\n"
    ),
    "plan.csv": (
        "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target\n"
        "A1,Q1,have,Open desk two at 15:00,boss,,,,\n"
        "A2,Q1,have,Tablets for a roaming agent,boss,,,,\n"
        "A3,Q3,be,Believe the guest first,boss,,,,\n"
        "A4,Q4,do,Taxi rota,desk,,,,\n"
    ),
}


@pytest.fixture
def story(tmp_path):
    write_team(tmp_path / "teams" / "hand", FILES)
    return Story.load(tmp_path, "hand")


def test_needs_of_the_top_priorities_with_providers_and_actions(story):
    assert story.top["touchpoint_id"].tolist() == ["Q1", "Q2", "Q3"]
    table = needs_for_top(story.top, story.wb["needs"], story.plan, story.roles)
    assert table[
        ["rank", "touchpoint_id", "kind", "need", "provider", "provider_level", "actions"]
    ].values.tolist() == [
        [1, "Q1", "be", "Calm at the peak", "Manager", "manager", []],
        [1, "Q1", "do", "Roaming agent", "", "", []],
        [1, "Q1", "have", "A second desk", "Manager", "manager", ["A1", "A2"]],
        [2, "Q2", "have", "Room status on screen", "Cleaner", "support", []],
    ]  # Q3 has no need; Q4 is not a top priority, so its need and A4 are left out


def test_needs_text_says_what_is_missing_and_what_answers_what(story):
    html = str(needs_text(story))
    text = re.sub(r"<[^>]+>", "", html)
    assert "1. Q1 — Queue at the &lt;desk&gt;" in text  # user text escaped
    assert "<desk>" not in html
    assert "No needs written for Q3 yet." in text
    assert (
        "<td><strong>A1</strong> Open desk two at 15:00<br><strong>A2</strong> Tablets for a "
        "roaming agent</td>"
    ) in html  # the have need of Q1, answered by both have actions
    assert (
        "No need of these kinds yet: Q2 (be and do) and Q3 (all three). Add them with the "
        "needs notebook, 03_needs.ipynb in your team&#39;s notebooks folder."
    ) in text
    assert "3 needs of the top priorities have no action yet" in text
    assert "No action of the plan answers the needs at Q1 be, Q1 do and Q2 have." in text
    assert "1 need without a provider" in text and "Q1: Roaming agent" in text
    assert "3 of 3 needs with a provider are provided from below the front line" in text
    assert "A3 (be at Q3) answer no need written down for the same touchpoint and kind." in text
    assert "A4" not in text  # Q4 is not a top priority
    assert "that link is the kit's rule" in text.replace("&#39;", "'")


def test_no_scores_means_no_priorities_to_show(tmp_path):
    files = {**FILES, "scores.csv": "touchpoint_id,scorer,importance,performance,be,do,have\n"}
    write_team(tmp_path / "teams" / "hand", files)
    html = str(needs_text(Story.load(tmp_path, "hand")))
    assert "No touchpoint has been scored yet, so there are no top priorities" in html
    assert "04_scoring.ipynb" in html
