"""Wrong-answer tables (issue 21, point 6): one hint per wrong answer, and never a wrong hint.

Each row is an answer with one (or no) mistake and the exact hints the exercise's check must
give: ids, names and quadrants are read regardless of case where case carries no meaning, a
single wrong entry gives a single hint, and a right answer in another spelling gives none. Every
hint below was read against the exercise's data and solution.
"""

from __future__ import annotations

import pytest

from kit.exercises import REGISTRY

TABLE = [  # (exercise, answer, the hints it must give)
    (
        "day",
        {"indirect": ["d1"], "behind": {"d1": "COOK"}},
        [
            "D4 ('Back at lunchtime, she finds the room made up and fresh towels on the rail.'): does the guest see the person who did this? If not, someone served her out of sight.",
            "D6 ('The Wi-Fi holds up through a one-hour video call.'): does the guest see the person who did this? If not, someone served her out of sight.",
            'D8 ("The hotel app already shows today\'s charges, all correct."): does the guest see the person who did this? If not, someone served her out of sight.',
            "D9 ('The air conditioning runs quietly; it was serviced last week.'): does the guest see the person who did this? If not, someone served her out of sight.",
        ],
    ),
    (
        "day",
        {
            "indirect": ["D1", "D2", "D4", "D6", "D8", "D9"],
            "behind": {
                "D1": "cook",
                "D4": "room_attendant",
                "D6": "it_support",
                "D8": "revenue_billing",
                "D9": "maintenance_tech",
            },
        },
        [
            "D2: the guest talks to a Restaurant server here, face to face or on the phone. That makes it direct."
        ],
    ),
    (
        "day",
        {
            "indirect": ["D1", "D4", "D6", "D8", "D9"],
            "behind": {
                "D1": "server",
                "D4": "room_attendant",
                "D6": "it_support",
                "D8": "revenue_billing",
                "D9": "maintenance_tech",
            },
        },
        [
            "D1: would a Restaurant server really have done that? Think about who prepares it before the guest arrives."
        ],
    ),
    (
        "day",
        {
            "indirect": ["D1", "D4", "D6", "D8"],
            "behind": {
                "D1": "cook",
                "D4": "room_attendant",
                "D6": "it_support",
                "D8": "revenue_billing",
                "D9": "maintenance_tech",
            },
        },
        [
            "D9 ('The air conditioning runs quietly; it was serviced last week.'): does the guest see the person who did this? If not, someone served her out of sight."
        ],
    ),
    (
        "flip",
        {
            "frontline": ["counter"],
            "cut_off": ["workshop_lead", "mechanic", "bookkeeper", "web_bookings"],
        },
        [
            "tour_guide works in 'Tours', a unit that meets customers, and nobody reports to it: in the flipped chart it sits right under the customer."
        ],
    ),
    (
        "flip",
        {
            "frontline": ["counter", "tour_guide"],
            "cut_off": ["workshop_lead", "mechanic", "bookkeeper"],
        },
        [
            "Follow web_bookings's serves edges upward after the flip: does any path end at the customer?"
        ],
    ),
    (
        "flip",
        {
            "frontline": ["COUNTER", "Tour_Guide"],
            "cut_off": ["workshop_lead", "mechanic", "bookkeeper", "web_bookings"],
        },
        [],
    ),
    (
        "chain",
        {
            "add": [
                ("mechanic", "counter"),
                ("bookkeeper", "counter"),
                ("web_bookings", "counter"),
            ],
            "remove": [],
        },
        [
            "counter (frontline) still serves shop_manager (manager), who sits below it: that is serving the boss."
        ],
    ),
    (
        "chain",
        {
            "add": [("mechanic", "counter"), ("bookkeeper", "counter")],
            "remove": [("counter", "shop_manager")],
        },
        [
            "web_bookings still does not reach a customer. If you don't serve customers, serve someone who does: whom could it serve?"
        ],
    ),
    (
        "chain",
        {
            "add": [
                ("mechanic", "counter"),
                ("bookkeeper", "counter"),
                ("web_bookings", "customer"),
            ],
            "remove": [("counter", "shop_manager")],
        },
        [],
    ),
    (
        "chain",
        {
            "add": [
                ("mechanic", "customer"),
                ("bookkeeper", "counter"),
                ("web_bookings", "counter"),
            ],
            "remove": [("counter", "shop_manager")],
        },
        [
            "mechanic: no touchpoint of the customer's journey uses its work directly, so rather than serving the customer, which frontline post does it help?"
        ],
    ),
    (
        "gaps",
        {"b5": "Concentrate Here", "B7": "concentrate here", "B2": "KEEP UP THE GOOD WORK"},
        [],
    ),
    (
        "gaps",
        {"B5": "Concentrate here", "B7": "Concentrate here", "B2": "Concentrate here"},
        [
            "B2: the quadrant comes from its median importance and performance against the crosshair at 3 (above 3 is high, below 3 is low, exactly 3 is 'On the line'). Choose one of: Concentrate here, Keep up the good work, Low priority, Possible overkill, On the line."
        ],
    ),
    (
        "gaps",
        {"B5": "Concentrate here", "B7": "Concentrate here", "B3": "Concentrate here"},
        [
            "B3 is not in the top three: work out max(gap, 0) × importance, × 1.5 at a moment of truth, for it and for the others."
        ],
    ),
    (
        "needs",
        {
            "N1": ("BE", "Front_Office_Manager"),
            "N2": ("do", "front_office_manager"),
            "N3": ("have", "it_manager"),
            "N4": ("have", "gm"),
            "N5": ("do", "front_office_manager"),
            "N6": ("be", "gm"),
            "N7": ("have", "reservations_agent"),
            "N8": ("do", "front_office_manager"),
        },
        [],
    ),
    (
        "needs",
        {
            "N1": ("do", "front_office_manager"),
            "N2": ("do", "front_office_manager"),
            "N3": ("have", "it_manager"),
            "N4": ("have", "gm"),
            "N5": ("do", "front_office_manager"),
            "N6": ("be", "gm"),
            "N7": ("have", "reservations_agent"),
            "N8": ("do", "front_office_manager"),
        },
        [
            "N1 ('Stays calm and warm with guests even when the queue reaches the door') reads like a mindset or attitude the person brings; which of be, do and have is that?"
        ],
    ),
    (
        "needs",
        {
            "N1": ("be", "front_office_manager"),
            "N2": ("do", "front_office_manager"),
            "N3": ("have", "hr_partner"),
            "N4": ("have", "gm"),
            "N5": ("do", "front_office_manager"),
            "N6": ("be", "gm"),
            "N7": ("have", "reservations_agent"),
            "N8": ("do", "front_office_manager"),
        },
        ["N3: would People & culture partner really provide this? Ask who owns it day to day."],
    ),
    (
        "shifts",
        {
            "recurring": ["room status lags", "fee needs a manager"],
            "not_equipped": ["room status lags", "new app untrained"],
            "not_empowered": ["fee needs a manager"],
        },
        [
            '"recurring" should hold the fewest issues from the top of the Pareto table that together reach 80% of the notes (2 given); read the cumulative column.'
        ],
    ),
    (
        "shifts",
        {
            "recurring": ["room status lags", "fee needs a manager", "new app untrained"],
            "not_equipped": ["room status lags"],
            "not_empowered": ["fee needs a manager", "new app untrained"],
        },
        [
            "'new app untrained': would a tool, information or training fix it (not equipped), or only permission to act (not empowered)?"
        ],
    ),
    (
        "shifts",
        {
            "recurring": ["Room Status Lags", "fee needs a manager", "new app untrained"],
            "not_equipped": ["room status lags", "New App Untrained"],
            "not_empowered": ["fee needs a manager"],
        },
        [],
    ),
    (
        "hired",
        {
            "C1": "front_desk_agent",
            "C2": "training_coordinator",
            "C3": "it_manager",
            "C4": "revenue_manager",
            "C5": "front_office_manager",
        },
        [
            "C1: that puts it back on the agent. Who hired the agent, and who trains them? Look below the desk in the pyramid."
        ],
    ),
    (
        "hired",
        {
            "C1": "hr_partner",
            "C2": "executive_chef",
            "C3": "it_manager",
            "C4": "revenue_manager",
            "C5": "front_office_manager",
        },
        [
            "C2: Executive chef does not serve the front desk agent, directly or through others; follow the serves edges down from the desk."
        ],
    ),
    (
        "hired",
        {
            "c1": "HR_partner",
            "C2": "training_coordinator",
            "C3": "it_manager",
            "C4": "revenue_manager",
            "C5": "front_office_manager",
        },
        [],
    ),
    (
        "leaders360",
        {"r": 0.69, "low": 0.44, "high": 0.84, "zero_inside": False, "proves_cause": True},
        [
            '"proves_cause" (True or False): look at the staff column. Could something else make both numbers move together? And which way round would the cause run?'
        ],
    ),
    (
        "leaders360",
        {"r": 0.5, "low": 0.44, "high": 0.84, "zero_inside": False, "proves_cause": False},
        [
            "'r': read it again from the line printed by the analysis cell (two decimals are enough)."
        ],
    ),
]


@pytest.mark.parametrize(
    ("name", "answer", "hints"), TABLE, ids=[f"{r[0]}-{i}" for i, r in enumerate(TABLE)]
)
def test_each_wrong_answer_gets_exactly_its_hint(name, answer, hints):
    assert REGISTRY[name].checker(answer) == hints


def test_the_table_covers_every_exercise_but_the_self_assessment():
    assert {r[0] for r in TABLE} == set(REGISTRY) - {"credibility"}  # 06 rates yourself
    assert all(len(r[2]) <= 1 for r in TABLE if r[0] != "day" or r[1] != TABLE[0][1])


def test_the_widest_habit_hint_is_one_sentence_about_your_own_ratings():
    ratings = {
        "outside_first": 2,
        "served_by_them": 2,
        "blame": 4,
        "muddled": 3,
        "closed_mind": 2,
        "no_feedback": 3,
        "listen": 3,
        "reach_across": 3,
        "ask_input": 4,
        "two_way": 3,
    }
    answer = {
        "ratings": ratings,
        "widest": "listen",
        "reflection": "I will ask what got in the way before I ask who slipped, every day.",
    }
    assert REGISTRY["credibility"].checker(answer) == [
        '"widest" should be the habit your own ratings say costs most; by your ratings that '
        "is 'blame'."
    ]
    assert REGISTRY["credibility"].checker({**answer, "widest": "BLAME"}) == []
