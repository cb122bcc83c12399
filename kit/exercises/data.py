"""Small data for the exercises: written out here or generated with a fixed seed.

Every function returns a fresh :class:`pandas.DataFrame` (or plain structure), the same on every
call and every machine (NumPy's ``default_rng`` with a fixed seed), so a checker and the
participant's notebook always see the same numbers. The settings are invented for practice:
a hotel guest's day (the Laurie case's world), *Pedal & Spoke*, a small city bike shop with
rentals, repairs and tours, and a hotel division's units for the research exercise.

Examples
--------
>>> day_in_the_life().shape
(9, 4)
>>> shift_log().equals(shift_log())
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "BRIDGING",
    "CAUSES",
    "COMPLAINT",
    "DAY_INDIRECT",
    "ISSUES",
    "NEEDS_KEY",
    "PROVIDERS",
    "ROLES_HOTEL",
    "SEED",
    "SHOP_FACING_UNITS",
    "WIDENING",
    "checkin_needs",
    "day_in_the_life",
    "desk_pyramid",
    "shift_log",
    "shop_journey",
    "shop_org_chart",
    "shop_pyramid",
    "shop_scores",
    "units_360",
]

SEED = 20260112
"""The one seed of every generated table (change it and the solutions' numbers change)."""

# --------------------------------------------------------------------------- 01 day in the life

ROLES_HOTEL: dict[str, str] = {
    "front_desk_agent": "Front desk agent",
    "concierge": "Concierge",
    "server": "Restaurant server",
    "cook": "Cook",
    "room_attendant": "Room attendant",
    "laundry_attendant": "Laundry attendant",
    "it_support": "IT support",
    "revenue_billing": "Revenue & billing clerk",
    "maintenance_tech": "Maintenance technician",
}
"""Roles a participant may name in the day-in-the-life exercise (id → name)."""


def day_in_the_life() -> pd.DataFrame:
    """A business guest's day at the hotel, moment by moment (``id, time, what_happens, role``).

    ``role`` is the employee the guest meets for a direct touchpoint and is left blank where the
    employee works out of sight. The checker uses it; the exercise shows only ``id, time,
    what_happens``, because the blanks would give the indirect moments away.

    Examples
    --------
    >>> day_in_the_life()["id"].tolist()[:3]
    ['D1', 'D2', 'D3']
    """
    rows = [
        (
            "D1",
            "07:00",
            "The breakfast buffet is full and the eggs are hot when the guest comes down.",
            "",
        ),
        (
            "D2",
            "07:20",
            "A server pours coffee and asks whether anything on the menu is a problem for her.",
            "server",
        ),
        ("D3", "08:05", "She asks the concierge to get a taxi to her meeting.", "concierge"),
        (
            "D4",
            "12:30",
            "Back at lunchtime, she finds the room made up and fresh towels on the rail.",
            "",
        ),
        (
            "D5",
            "13:00",
            "Her key card stops working; she phones the front desk and an agent re-codes it.",
            "front_desk_agent",
        ),
        ("D6", "18:00", "The Wi-Fi holds up through a one-hour video call.", ""),
        ("D7", "19:30", "At dinner a server explains the specials.", "server"),
        ("D8", "22:00", "The hotel app already shows today's charges, all correct.", ""),
        ("D9", "23:30", "The air conditioning runs quietly; it was serviced last week.", ""),
    ]
    return pd.DataFrame(rows, columns=["id", "time", "what_happens", "role"])


DAY_INDIRECT: dict[str, frozenset[str]] = {
    "D1": frozenset({"cook"}),
    "D4": frozenset({"room_attendant", "laundry_attendant"}),
    "D6": frozenset({"it_support"}),
    "D8": frozenset({"revenue_billing", "it_support"}),
    "D9": frozenset({"maintenance_tech"}),
}
"""The indirect touchpoints of :func:`day_in_the_life` and the roles accepted behind each."""

# --------------------------------------------------------------------------- 02-04 bike shop

SHOP_FACING_UNITS: tuple[str, ...] = ("Shop", "Tours")
"""The units of Pedal & Spoke whose people meet customers."""


def shop_org_chart() -> pd.DataFrame:
    """Pedal & Spoke's conventional org chart (``id, title, reports_to, headcount, unit``).

    Examples
    --------
    >>> shop_org_chart().query("reports_to == ''")["id"].tolist()
    ['owner']
    """
    rows = [
        ("owner", "Owner", "", 1, "Board"),
        ("shop_manager", "Shop manager", "owner", 1, "Shop"),
        ("workshop_lead", "Workshop lead", "shop_manager", 1, "Workshop"),
        ("mechanic", "Mechanic", "workshop_lead", 4, "Workshop"),
        ("counter", "Counter & rental staff", "shop_manager", 3, "Shop"),
        ("tour_guide", "Tour guide", "shop_manager", 2, "Tours"),
        ("bookkeeper", "Bookkeeper", "owner", 1, "Office"),
        ("web_bookings", "Web & booking system keeper", "owner", 1, "Office"),
    ]
    return pd.DataFrame(rows, columns=["id", "title", "reports_to", "headcount", "unit"])


def shop_pyramid() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pedal & Spoke flipped, with one more edge: the counter staff serving the shop manager.

    Returns the ``roles`` and ``serves`` tables of :func:`kit.analyses.orgchart.flip` on
    :func:`shop_org_chart` (customer-facing units :data:`SHOP_FACING_UNITS`), plus the edge
    ``counter -> shop_manager`` (they spend their mornings on the manager's daily report).

    Examples
    --------
    >>> roles, serves = shop_pyramid()
    >>> ["counter", "shop_manager"] in serves.values.tolist()
    True
    """
    from kit.analyses.orgchart import flip

    flipped = flip(shop_org_chart(), customer_facing_units=SHOP_FACING_UNITS)
    extra = pd.DataFrame({"from_role": ["counter"], "to_role": ["shop_manager"]})
    serves = pd.concat([flipped.serves, extra], ignore_index=True)
    return flipped.roles, serves


def shop_journey() -> pd.DataFrame:
    """A rental customer's journey with Pedal & Spoke (journey table columns the kit reads).

    Examples
    --------
    >>> int(shop_journey()["moment_of_truth"].sum())
    2
    """
    rows = [
        (
            "B1",
            "Before",
            1,
            "Books a bike and a tour on the website",
            "indirect",
            "web_bookings",
            False,
        ),
        ("B2", "Pick-up", 2, "Collects the bike at the counter", "direct", "counter", True),
        ("B3", "Pick-up", 3, "Saddle and brakes are set for her", "direct", "counter", False),
        ("B4", "Ride", 4, "Joins the guided old-town tour", "direct", "tour_guide", False),
        ("B5", "Ride", 5, "Gets a puncture and phones the shop", "direct", "counter", True),
        ("B6", "Return", 6, "Hands the bike back", "direct", "counter", False),
        ("B7", "Return", 7, "Deposit comes back on her card", "indirect", "bookkeeper", False),
        (
            "B8",
            "After",
            8,
            "Receives a thank-you email with photos",
            "indirect",
            "tour_guide",
            False,
        ),
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "touchpoint_id",
            "stage",
            "order",
            "description",
            "contact",
            "role_id",
            "moment_of_truth",
        ],
    )


_BASE_SCORES = {  # touchpoint: (importance, performance) before the scorers' own views
    "B1": (3, 4),
    "B2": (5, 4),
    "B3": (3, 2),
    "B4": (4, 4),
    "B5": (5, 2),
    "B6": (3, 3),
    "B7": (4, 2),
    "B8": (2, 1),
}


def shop_scores() -> pd.DataFrame:
    """Three staff members' scores of :func:`shop_journey` (a workbook ``scores`` table).

    Each scorer starts from the same view of a touchpoint and, with a seeded chance, differs
    by one point on importance or performance (kept within 1-5).

    Examples
    --------
    >>> s = shop_scores()
    >>> sorted(s["scorer"].unique()), len(s)
    (['Ana', 'Bo', 'Chidi'], 24)
    """
    rng = np.random.default_rng(SEED)
    rows = []
    for scorer in ("Ana", "Bo", "Chidi"):
        for tp, (imp, perf) in _BASE_SCORES.items():
            shift = rng.choice([-1, 0, 0, 0, 1], size=2)
            rows.append(
                {
                    "touchpoint_id": tp,
                    "scorer": scorer,
                    "importance": int(np.clip(imp + shift[0], 1, 5)),
                    "performance": int(np.clip(perf + shift[1], 1, 5)),
                    "be": None,
                    "do": None,
                    "have": None,
                }
            )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- 05 be / do / have


def checkin_needs() -> pd.DataFrame:
    """Needs written for the hotel's check-in at the 15:00 peak (``need_id, need``).

    Examples
    --------
    >>> checkin_needs()["need_id"].tolist()[-1]
    'N8'
    """
    rows = [
        ("N1", "Stays calm and warm with guests even when the queue reaches the door"),
        ("N2", "Greets each guest by name and explains the room in under two minutes"),
        ("N3", "A screen showing, live, which rooms are clean and inspected"),
        ("N4", "Permission to offer a free drink when someone has waited over ten minutes"),
        ("N5", "Checks with housekeeping before promising an early room"),
        ("N6", "Proud of the hotel and curious about why each guest is visiting"),
        ("N7", "Tonight's arrivals list with every special request from the booking"),
        ("N8", "Hands a waiting guest over to the bar and fetches them when the room is ready"),
    ]
    return pd.DataFrame(rows, columns=["need_id", "need"])


PROVIDERS: dict[str, str] = {
    "front_office_manager": "Front office manager",
    "exec_housekeeper": "Executive housekeeper",
    "it_manager": "IT manager",
    "reservations_agent": "Reservations agent",
    "gm": "General manager",
    "hr_partner": "People & culture partner",
}
"""The roles a participant may name as the provider of a need (id → plain role name: the
label never says what the role provides, which is the exercise)."""

NEEDS_KEY: dict[str, tuple[str, frozenset[str]]] = {
    "N1": ("be", frozenset({"front_office_manager", "hr_partner"})),
    "N2": ("do", frozenset({"front_office_manager"})),
    "N3": ("have", frozenset({"it_manager", "exec_housekeeper"})),
    "N4": ("have", frozenset({"gm", "front_office_manager"})),
    "N5": ("do", frozenset({"front_office_manager", "exec_housekeeper"})),
    "N6": ("be", frozenset({"gm", "front_office_manager", "hr_partner"})),
    "N7": ("have", frozenset({"reservations_agent", "it_manager"})),
    "N8": ("do", frozenset({"front_office_manager"})),
}
"""Each need's kind and the providers accepted for it."""

# --------------------------------------------------------------------------- 06 credibility gap

WIDENING: dict[str, str] = {
    "outside_first": "I look to outside experts for ideas before I ask my own people",
    "served_by_them": "I expect the front line to serve me more than I serve them",
    "blame": "When something goes wrong, my first question is whose fault it was",
    "muddled": "After I have spoken, people are unsure what matters most",
    "closed_mind": "My door is open, but I have usually made up my mind already",
    "no_feedback": "I steer clear of hearing how my own behaviour comes across",
}
"""Habits that widen the gap between leaders and the front line (rate 1 never - 5 often)."""

BRIDGING: dict[str, str] = {
    "listen": "On the front line I listen much more than I talk",
    "reach_across": "I spend time every month where customers are served",
    "ask_input": "I ask the people affected before deciding changes to their work",
    "two_way": "People can see what I did with what they told me",
}
"""Habits that bridge it (rate 1 never - 5 often)."""

# --------------------------------------------------------------------------- 07 shift log

ISSUES: dict[str, tuple[str, str, int]] = {
    # issue: (what the leader noted, kind, weight in the generated log)
    "room status lags": (
        "the room-status screen was behind, guests waited for rooms that were ready",
        "not equipped",
        12,
    ),
    "fee needs a manager": (
        "an agent had to find a manager before waiving a parking or late check-out fee",
        "not empowered",
        9,
    ),
    "new app untrained": (
        "nobody had shown the team the new mobile check-in app",
        "not equipped",
        6,
    ),
    "no upgrade allowed": (
        "the booked room was not ready and the agent could not offer another one",
        "not empowered",
        4,
    ),
    "requests lost": (
        "a special request from the booking never reached the desk",
        "not equipped",
        2,
    ),
    "key printer jams": ("the key-card printer jammed at the peak", "not equipped", 1),
    "abuse, no backing": (
        "a guest shouted and the agent did not know whether they could end the conversation",
        "not empowered",
        1,
    ),
    "short-staffed": ("two people covered a three-person shift", "not equipped", 1),
}
"""The issue categories of the shift log: the note, "not equipped" / "not empowered", weight."""


def shift_log(entries: int = 40) -> pd.DataFrame:
    """A leader's notes from five front-desk shifts (``shift, date, note, issue``), seeded.

    Examples
    --------
    >>> log = shift_log()
    >>> len(log), sorted(int(s) for s in log["shift"].unique())
    (40, [1, 2, 3, 4, 5])
    """
    rng = np.random.default_rng(SEED + 7)
    names = list(ISSUES)
    weights = np.array([ISSUES[n][2] for n in names], dtype=float)
    picks = rng.choice(len(names), size=entries, p=weights / weights.sum())
    shifts = np.sort(rng.integers(1, 6, size=entries))
    shifts[:5] = [1, 2, 3, 4, 5][: min(5, entries)]  # every shift has at least one note
    shifts = np.sort(shifts)
    dates = {s: f"2026-03-{2 + 7 * (s - 1):02d}" for s in range(1, 6)}
    rows = [
        {"shift": int(s), "date": dates[int(s)], "note": ISSUES[names[p]][0], "issue": names[p]}
        for s, p in zip(shifts, picks, strict=True)
    ]
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- 08 who hired them


def desk_pyramid() -> tuple[pd.DataFrame, pd.DataFrame]:
    """A hotel pyramid around the front desk (``roles``, ``serves`` workbook tables).

    Examples
    --------
    >>> roles, serves = desk_pyramid()
    >>> len(roles), len(serves)
    (12, 15)
    """
    roles = pd.DataFrame(
        [
            ("guest", "Guest", "customer"),
            ("front_desk_agent", "Front desk agent", "frontline"),
            ("server", "Restaurant server", "frontline"),
            ("it_support", "IT support", "support"),
            ("training_coordinator", "Training coordinator", "support"),
            ("cook", "Cook", "support"),
            ("front_office_manager", "Front office manager", "manager"),
            ("hr_partner", "People & culture partner", "manager"),
            ("it_manager", "IT manager", "manager"),
            ("revenue_manager", "Revenue manager", "manager"),
            ("executive_chef", "Executive chef", "manager"),
            ("gm", "General manager", "executive"),
        ],
        columns=["role_id", "name", "level"],
    )
    serves = pd.DataFrame(
        [
            ("front_desk_agent", "guest"),
            ("server", "guest"),
            ("it_support", "front_desk_agent"),
            ("training_coordinator", "front_desk_agent"),
            ("cook", "server"),
            ("front_office_manager", "front_desk_agent"),
            ("hr_partner", "front_office_manager"),
            ("hr_partner", "training_coordinator"),
            ("it_manager", "it_support"),
            ("revenue_manager", "front_desk_agent"),
            ("executive_chef", "cook"),
            ("gm", "front_office_manager"),
            ("gm", "it_manager"),
            ("gm", "revenue_manager"),
            ("gm", "hr_partner"),
        ],
        columns=["from_role", "to_role"],
    )
    return roles, serves


COMPLAINT = (
    "At check-in the agent was curt, could not say whether my room was ready, and "
    "would not refund the parking fee although the barrier was broken."
)
"""A guest's complaint about the front desk (invented)."""

CAUSES: dict[str, tuple[str, frozenset[str]]] = {
    "C1": (
        "The agent was hired in a hurry for the summer; nobody asked about service in the "
        "interview.",
        frozenset({"hr_partner", "front_office_manager"}),
    ),
    "C2": (
        "Nobody ever showed the agent how to read the room-status screen.",
        frozenset({"training_coordinator", "front_office_manager"}),
    ),
    "C3": (
        "The room-status screen is half an hour behind housekeeping.",
        frozenset({"it_support", "it_manager"}),
    ),
    "C4": (
        "Desk agents may not refund any fee, whatever happened.",
        frozenset({"revenue_manager", "gm"}),
    ),
    "C5": (
        "It was the agent's third double shift that week.",
        frozenset({"front_office_manager", "gm"}),
    ),
}
"""The causes behind :data:`COMPLAINT` and the roles accepted as owning each."""

# --------------------------------------------------------------------------- 09 360 vs customers


def units_360(units: int = 30) -> pd.DataFrame:
    """Synthetic units: leader's 360° rating (1-5), customer satisfaction (0-100), size.

    Generated so that bigger units tend to have both lower ratings and lower satisfaction (a
    hidden common cause), plus a direct link between the two. Invented: it illustrates the kind
    of research the sources cite; it is not that research's data.

    Examples
    --------
    >>> u = units_360()
    >>> len(u), u["leader_360"].between(1, 5).all(), u["satisfaction"].between(0, 100).all()
    (30, np.True_, np.True_)
    """
    rng = np.random.default_rng(SEED + 360)
    size = rng.integers(8, 60, size=units)
    crowd = (size - size.mean()) / size.std()
    leader = np.clip(3.7 - 0.25 * crowd + rng.normal(0, 0.4, units), 1, 5).round(2)
    satisfaction = np.clip(
        72 + 6 * (leader - 3.7) / 0.45 - 3 * crowd + rng.normal(0, 6, units), 0, 100
    ).round(1)
    return pd.DataFrame(
        {
            "unit": [f"U{i + 1:02d}" for i in range(units)],
            "staff": size.astype(int),
            "leader_360": leader,
            "satisfaction": satisfaction,
        }
    )
