"""One checker per exercise. Each returns hints (empty list = right); see :mod:`.core`.

Answers are small Python literals typed in the exercise's answer cell. Checkers compute the
right answer from the exercise's data with the kit's own analyses (:mod:`kit.analyses.orgchart`,
:mod:`kit.analyses.pyramid`, :mod:`kit.analyses.scoring`, :mod:`.stats`) wherever there is one, so the exercise,
its data and the kit cannot drift apart. Hints are kind and specific: they say where to look,
not what to type.

Examples
--------
>>> from kit.exercises import check
>>> check("gaps", {"B5": "Concentrate here", "B7": "Concentrate here",
...                "B2": "Keep up the good work"})
✅ Top three gaps: right. ...
True
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kit.exercises import data
from kit.exercises.answers import (
    answer_id,
    answer_ids,
    answer_mapping,
    answer_number,
    canon,
    canons,
    unknown_names,
)
from kit.exercises.core import exercise

__all__ = [
    "check_chain",
    "check_credibility",
    "check_day",
    "check_flip",
    "check_gaps",
    "check_hired",
    "check_leaders360",
    "check_needs",
    "check_shifts",
    "credibility_score",
    "shift_pareto",
    "widest",
]

# --------------------------------------------------------------------------- 01 day in the life


@exercise(
    "day",
    "A day in the life",
    success="Five of nine moments happen out of the guest's sight, yet she feels every one "
    "of them: those people serve her too.",
)
def check_day(answer: Any) -> list[str]:
    """``{"indirect": [ids], "behind": {id: role_id}}``."""
    answer, hints = answer_mapping(answer, '"indirect" and "behind"')
    if answer is None:
        return hints
    day = data.day_in_the_life()
    chosen = canons(answer_ids(answer.get("indirect")), day["id"])
    hints += unknown_names(chosen, day["id"], "a moment of the day")
    truth = set(data.DAY_INDIRECT)
    for moment in day.itertuples():
        if moment.id in truth and moment.id not in chosen:
            hints.append(
                f"{moment.id} ({moment.what_happens!r}): does the guest see the person "
                "who did this? If not, someone served her out of sight."
            )
        if moment.id in chosen and moment.id not in truth:
            hints.append(
                f"{moment.id}: the guest talks to a {data.ROLES_HOTEL[moment.role]} "
                "here, face to face or on the phone. That makes it direct."
            )
    behind = answer.get("behind") or {}
    if not isinstance(behind, Mapping):
        return hints + ['"behind" should be a dictionary such as {"D1": "cook"}.']
    roles = {
        canon(str(k), day["id"]): canon(answer_id(v), data.ROLES_HOTEL) for k, v in behind.items()
    }
    hints += unknown_names([r for r in roles.values() if r], data.ROLES_HOTEL, "a role")
    for tp, accepted in data.DAY_INDIRECT.items():
        if tp not in chosen:
            continue
        role = roles.get(tp, "")
        if not role:
            hints.append(
                f'{tp} is indirect: name the role whose work the guest feels there (in "behind").'
            )
        elif role in data.ROLES_HOTEL and role not in accepted:
            hints.append(
                f"{tp}: would a {data.ROLES_HOTEL[role]} really have done that? Think "
                "about who prepares it before the guest arrives."
            )
    return hints


# --------------------------------------------------------------------------- 02 flip the chart


def _flipped():
    from kit.analyses.orgchart import flip

    return flip(data.shop_org_chart(), customer_facing_units=data.SHOP_FACING_UNITS)


@exercise(
    "flip",
    "Flip the org chart",
    success="Flipping alone puts the counter and the guides on top, but it leaves the "
    "workshop and the office hanging: their work reaches customers only if they "
    "serve someone who does.",
)
def check_flip(answer: Any) -> list[str]:
    """``{"frontline": [ids], "cut_off": [ids]}``."""
    from kit.analyses.pyramid import build_graph, chain_check

    answer, hints = answer_mapping(answer, '"frontline" and "cut_off"')
    if answer is None:
        return hints
    flipped = _flipped()
    posts = [r for r in flipped.roles["role_id"] if r != "customer"]
    levels = dict(zip(flipped.roles["role_id"], flipped.roles["level"], strict=True))
    units = dict(zip(data.shop_org_chart()["id"], data.shop_org_chart()["unit"], strict=True))
    frontline = canons(answer_ids(answer.get("frontline")), posts)
    cut_off = canons(answer_ids(answer.get("cut_off")), posts)
    hints += unknown_names(frontline + cut_off, posts, "a post of Pedal & Spoke")
    for post in posts:
        facing = levels[post] == "frontline"
        if facing and post not in frontline:
            hints.append(
                f"{post} works in {units[post]!r}, a unit that meets customers, and "
                "nobody reports to it: in the flipped chart it sits right under the "
                "customer."
            )
        if post in frontline and not facing:
            hints.append(
                f"{post}: either people report to this post (then it is a manager) or "
                f"its unit {units[post]!r} does not meet customers (then it supports)."
            )
    unreached = set(chain_check(build_graph(flipped.roles, flipped.serves)).unreached["role_id"])
    for post in posts:
        if post in unreached and post not in cut_off:
            hints.append(
                f"Follow {post}'s serves edges upward after the flip: does any path end "
                "at the customer?"
            )
        if post in cut_off and post not in unreached:
            hints.append(
                f"{post} does reach the customer: trace its edges in the flipped table once more."
            )
    return hints


# --------------------------------------------------------------------------- 03 fix the chain


def _pairs_of(value: Any, key: str) -> tuple[list[tuple[str, str]], list[str]]:
    pairs, hints = [], []
    for item in value or []:
        if isinstance(item, list | tuple) and len(item) == 2:
            pairs.append((answer_id(item[0]), answer_id(item[1])))
        else:
            hints.append(
                f"Each entry of {key!r} should be a pair (from_role, to_role), like "
                f'("mechanic", "counter"); got {item!r}.'
            )
    return pairs, hints


@exercise(
    "chain",
    "Fix the service chain",
    success="Every post now reaches a customer, and nobody at the counter spends the "
    "morning serving the boss.",
)
def check_chain(answer: Any) -> list[str]:
    """``{"add": [(from, to)], "remove": [(from, to)]}`` applied to the shop's pyramid."""
    import pandas as pd

    from kit.analyses.pyramid import build_graph, chain_check

    answer, hints = answer_mapping(answer, '"add" and "remove"')
    if answer is None:
        return hints
    roles, serves = data.shop_pyramid()
    ids = list(roles["role_id"])
    levels = dict(zip(roles["role_id"], roles["level"], strict=True))
    add, bad_add = _pairs_of(answer.get("add"), "add")
    remove, bad_remove = _pairs_of(answer.get("remove"), "remove")
    add = [(canon(a, ids), canon(b, ids)) for a, b in add]
    remove = [(canon(a, ids), canon(b, ids)) for a, b in remove]
    hints += bad_add + bad_remove
    hints += unknown_names(sorted({r for pair in add + remove for r in pair}), ids, "a role")
    if hints:
        return hints
    edges = [tuple(e) for e in serves.values.tolist()]
    for pair in remove:
        if pair not in edges:
            hints.append(
                f"{pair[0]} -> {pair[1]} is not in the serves table, so there is nothing "
                "to remove there."
            )
    used_directly = set(data.shop_journey()["role_id"])  # customers use their work themselves
    for a, b in add:
        if levels[a] == "support" and levels[b] == "customer" and a not in used_directly:
            hints.append(
                f"{a}: no touchpoint of the customer's journey uses its work directly, so "
                "rather than serving the customer, which frontline post does it help?"
            )
    kept = [e for e in edges if e not in remove] + [p for p in add if p not in edges]
    check = chain_check(build_graph(roles, pd.DataFrame(kept, columns=["from_role", "to_role"])))
    for role in check.unreached["role_id"]:
        hints.append(
            f"{role} still does not reach a customer. If you don't serve customers, "
            "serve someone who does: whom could it serve?"
        )
    for row in check.serves_down.itertuples():
        hints.append(
            f"{row.from_role} ({row.from_level}) still serves {row.to_role} "
            f"({row.to_level}), who sits below it: that is serving the boss."
        )
    if check.serves_down.empty:
        for row in check.cycles.itertuples():
            hints.append(f"{' -> '.join(row.roles)} serve each other in a circle.")
    before = chain_check(build_graph(roles, serves)).unreached
    enough = len(set(zip(before["fix_from"], before["fix_to"], strict=True)))
    added = len([p for p in add if p not in edges])
    if not hints and added > enough:
        hints.append(
            f"The chain is whole, but you added {added} edges where {enough} are enough: "
            "an edge from a post that already reaches the customer is not needed."
        )
    return hints


# --------------------------------------------------------------------------- 04 top gaps


@exercise(
    "gaps",
    "Top three gaps",
    success="B3 has a bigger gap than B2, but B2 matters more and is a moment of truth; "
    "and a top gap can sit in 'Keep up the good work' when it is small but costly.",
)
def check_gaps(answer: Any) -> list[str]:
    """``{touchpoint_id: quadrant}`` for the three highest priorities."""
    from kit.analyses import scoring

    answer, hints = answer_mapping(answer, "touchpoint id -> quadrant")
    if answer is None:
        return hints
    scores, journey = data.shop_scores(), data.shop_journey()
    top = scoring.top_priorities(scores, journey, k=3)["touchpoint_id"].tolist()
    quadrant = dict(scoring.ipa(scores, journey)[["touchpoint_id", "quadrant"]].values.tolist())
    given = {
        canon(str(k), journey["touchpoint_id"]): canon(answer_id(v), scoring.CATEGORIES)
        for k, v in answer.items()
    }
    hints += unknown_names(given, journey["touchpoint_id"], "a touchpoint")
    if len(given) != 3:
        hints.append(f"Name exactly three touchpoints (you named {len(given)}).")
    for tp in given:
        if tp in quadrant and tp not in top:
            hints.append(
                f"{tp} is not in the top three: work out max(gap, 0) × importance, "
                "× 1.5 at a moment of truth, for it and for the others."
            )
    missing = [tp for tp in top if tp not in given]
    wrong = [tp for tp in given if tp not in top]
    if len(missing) > len(wrong):  # a wrong touchpoint already has its own hint
        hints.append(
            f"{len(missing)} of the top three {'is' if len(missing) == 1 else 'are'} "
            "missing: a touchpoint with a small gap can still rank high if it is very "
            "important and a moment of truth."
        )
    for tp, name in given.items():
        if tp in top and name != quadrant[tp]:
            hints.append(
                f"{tp}: the quadrant comes from its median importance and performance "
                "against the crosshair at 3 (above 3 is high, below 3 is low, exactly 3 "
                f"is '{scoring.ON_LINE}'). Choose one of: {', '.join(scoring.CATEGORIES)}."
            )
    return hints


# --------------------------------------------------------------------------- 05 be, do, have

_KIND_HINT = {
    "be": "a mindset or attitude the person brings",
    "do": "a skill, behaviour or routine they carry out",
    "have": "a tool, piece of information or authority someone gives them",
}


@exercise(
    "needs",
    "Be, do, have",
    success="Mindsets, routines and tools each have an owner below the front line: that "
    "is what serving the servers means in practice.",
)
def check_needs(answer: Any) -> list[str]:
    """``{need_id: (kind, provider_role)}``."""
    answer, hints = answer_mapping(answer, "need id -> (kind, provider)")
    if answer is None:
        return hints
    needs = data.checkin_needs().set_index("need_id")["need"]
    answer = {canon(str(k), needs.index): v for k, v in answer.items()}
    hints += unknown_names(list(answer), needs.index, "a need")
    for need_id, (kind, accepted) in data.NEEDS_KEY.items():
        value = answer.get(need_id)
        if not isinstance(value, list | tuple) or len(value) != 2:
            hints.append(
                f'{need_id}: give a pair (kind, provider), e.g. ("do", "front_office_manager").'
            )
            continue
        given_kind, provider = (
            answer_id(value[0]).lower(),
            canon(answer_id(value[1]), data.PROVIDERS),
        )
        if given_kind != kind:
            hints.append(
                f"{need_id} ({needs[need_id]!r}) reads like {_KIND_HINT[kind]}; which "
                "of be, do and have is that?"
            )
        if provider not in data.PROVIDERS:
            hints.append(
                f"{need_id}: {provider!r} is not one of the providers listed; choose "
                f"from: {', '.join(data.PROVIDERS)}."
            )
        elif provider not in accepted:
            hints.append(
                f"{need_id}: would {data.PROVIDERS[provider]} really provide this? "
                "Ask who owns it day to day."
            )
    return hints


# --------------------------------------------------------------------------- 06 credibility gap


def credibility_score(ratings: Mapping[str, int]) -> float:
    """The credibility-gap score 0 (no gap) to 100 (wide) from 1-5 ratings.

    Half comes from the widening habits (1 never … 5 often: ``rating - 1`` of 4 points each),
    half from the bridging ones (``5 - rating``).

    Examples
    --------
    >>> credibility_score({**{k: 1 for k in data.WIDENING}, **{k: 5 for k in data.BRIDGING}})
    0.0
    >>> credibility_score({**{k: 5 for k in data.WIDENING}, **{k: 3 for k in data.BRIDGING}})
    75.0
    """
    widen = sum(ratings[k] - 1 for k in data.WIDENING) / (4 * len(data.WIDENING))
    bridge = sum(5 - ratings[k] for k in data.BRIDGING) / (4 * len(data.BRIDGING))
    return round(50 * widen + 50 * bridge, 1)


def widest(ratings: Mapping[str, int]) -> list[str]:
    """The habits that widen the gap most (a widening habit done often, a bridge done rarely).

    Examples
    --------
    >>> r = {**{k: 2 for k in data.WIDENING}, **{k: 4 for k in data.BRIDGING}}
    >>> widest({**r, "blame": 4, "listen": 2})
    ['blame', 'listen']
    """
    cost = {k: ratings[k] - 1 for k in data.WIDENING} | {k: 5 - ratings[k] for k in data.BRIDGING}
    top = max(cost.values())
    return [k for k, v in cost.items() if v == top]


@exercise(
    "credibility",
    "The credibility gap",
    success="Keep your answers: compare them with what your team would say about you.",
)
def check_credibility(answer: Any) -> list[str]:
    """``{"ratings": {habit: 1..5}, "widest": habit, "reflection": text}``."""
    answer, hints = answer_mapping(answer, '"ratings", "widest" and "reflection"')
    if answer is None:
        return hints
    items = {**data.WIDENING, **data.BRIDGING}
    ratings = answer.get("ratings") or {}
    if not isinstance(ratings, Mapping):
        return hints + ['"ratings" should be a dictionary such as {"blame": 2, ...}.']
    hints += unknown_names([str(k) for k in ratings], items, "a habit")
    clean = {}
    for key, text in items.items():
        value = ratings.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            hints.append(f"Rate {key!r} ({text}) with a whole number from 1 (never) to 5 (often).")
        else:
            clean[key] = value
    if len(clean) == len(items):
        score = credibility_score(clean)
        print(f"Your credibility-gap score: {score:g} of 100 (0 = no gap).")
        chosen = canon(answer_id(answer.get("widest")), items)
        top = widest(clean)
        if chosen not in top:
            named = repr(top[0]) if len(top) == 1 else "one of " + ", ".join(map(repr, top))
            hints.append(
                f'"widest" should be the habit your own ratings say costs most; by your '
                f"ratings that is {named}."
            )
    words = str(answer.get("reflection") or "").split()
    if len(words) < 12:
        hints.append(
            "Write a reflection of at least a couple of sentences (12 words or more): "
            "what will you do differently next week, and how will you know it worked?"
        )
    return hints


# --------------------------------------------------------------------------- 07 shift log


def shift_pareto():
    """The Pareto table of :func:`data.shift_log` (what the exercise shows)."""
    from kit.exercises.stats import pareto

    return pareto(data.shift_log()["issue"])


@exercise(
    "shifts",
    "What the shifts showed",
    success="A few issues make up most of what went wrong. Some need a tool or training, "
    "others only need permission: the second kind costs nothing but trust.",
)
def check_shifts(answer: Any) -> list[str]:
    """``{"recurring": [issues], "not_equipped": [...], "not_empowered": [...]}``."""
    from kit.exercises.stats import vital_few

    answer, hints = answer_mapping(answer, '"recurring", "not_equipped" and "not_empowered"')
    if answer is None:
        return hints
    table = shift_pareto()
    few = vital_few(table, 0.8)
    issues = list(table["issue"])
    recurring = canons(answer_ids(answer.get("recurring")), issues)
    equipped = canons(answer_ids(answer.get("not_equipped")), issues)
    empowered = canons(answer_ids(answer.get("not_empowered")), issues)
    hints += unknown_names(
        sorted(set(recurring + equipped + empowered)), table["issue"], "an issue"
    )
    if set(recurring) != set(few):
        hints.append(
            '"recurring" should hold the fewest issues from the top of the Pareto '
            f"table that together reach 80% of the notes ({len(recurring)} given); read "
            "the cumulative column."
        )
    for issue in few:
        kind = data.ISSUES[issue][1]
        side = equipped if kind == "not equipped" else empowered
        other = empowered if kind == "not equipped" else equipped
        if issue in other or issue not in side:
            hints.append(
                f"{issue!r}: would a tool, information or training fix it (not "
                "equipped), or only permission to act (not empowered)?"
            )
    extra = [i for i in equipped + empowered if i not in few and i in data.ISSUES]
    if extra:
        hints.append(
            f"Sort only the recurring issues; {', '.join(map(repr, extra))} "
            f"{'is' if len(extra) == 1 else 'are'} not among them."
        )
    return hints


# --------------------------------------------------------------------------- 08 who hired them


@exercise(
    "hired",
    "Who hired them, and who trains them?",
    success="The complaint was about one agent; its causes belong to five roles below "
    "the desk. Blaming the agent would have fixed none of them.",
)
def check_hired(answer: Any) -> list[str]:
    """``{cause_id: role_id}``: the role that owns each cause of the complaint."""
    from kit.analyses.pyramid import build_graph, support_paths

    answer, hints = answer_mapping(answer, "cause id -> role id")
    if answer is None:
        return hints
    roles, serves = data.desk_pyramid()
    graph = build_graph(roles, serves)
    below = {r for path in support_paths(graph, "front_desk_agent") for r in path[1:]}
    names = dict(zip(roles["role_id"], roles["name"], strict=True))
    answer = {canon(str(k), data.CAUSES): v for k, v in answer.items()}
    hints += unknown_names(list(answer), data.CAUSES, "a cause")
    for cause, (text, accepted) in data.CAUSES.items():
        role = canon(answer_id(answer.get(cause)), names)
        if not role:
            hints.append(f"{cause} ({text!r}): name the role that owns this cause.")
        elif role not in names:
            hints.append(
                f"{cause}: {role!r} is not a role in this pyramid; choose from: {', '.join(names)}."
            )
        elif role == "front_desk_agent":
            hints.append(
                f"{cause}: that puts it back on the agent. Who hired the agent, and who "
                "trains them? Look below the desk in the pyramid."
            )
        elif role not in below:
            hints.append(
                f"{cause}: {names[role]} does not serve the front desk agent, directly "
                "or through others; follow the serves edges down from the desk."
            )
        elif role not in accepted:
            hints.append(
                f"{cause}: {names[role]} does serve the desk, but owns something else; "
                "who decides about this day to day?"
            )
    return hints


# --------------------------------------------------------------------------- 09 360 vs customers


@exercise(
    "leaders360",
    "Leaders' 360° ratings and customer satisfaction",
    success="A clear positive link, and an interval well away from zero. It still does "
    "not show that better leaders cause happier customers.",
)
def check_leaders360(answer: Any) -> list[str]:
    """``{"r", "low", "high": numbers, "zero_inside": bool, "proves_cause": bool}``."""
    from kit.exercises.stats import correlation_ci

    answer, hints = answer_mapping(answer, '"r", "low", "high", "zero_inside", "proves_cause"')
    if answer is None:
        return hints
    units = data.units_360()
    ci = correlation_ci(units["leader_360"], units["satisfaction"])
    for key, value in (("r", ci.r), ("low", ci.low), ("high", ci.high)):
        given = answer_number(answer.get(key))
        if given is None:
            hints.append(
                f"{key!r} should be a number with two decimals, read from the output above."
            )
        elif abs(given - value) > 0.011:
            hints.append(
                f"{key!r}: read it again from the line printed by the analysis cell "
                "(two decimals are enough)."
            )
    if answer.get("zero_inside") is not (ci.low <= 0 <= ci.high):
        hints.append('"zero_inside" (True or False): does the interval from low to high include 0?')
    if answer.get("proves_cause") is not False:
        hints.append(
            '"proves_cause" (True or False): look at the staff column. Could '
            "something else make both numbers move together? And which way round "
            "would the cause run?"
        )
    return hints
