"""Journey analyses: the customer's day in the life, in order, and its service blueprint.

Pure functions over the workbook's ``journey`` table (and, for the blueprint, ``roles`` and
``serves``): no I/O, no widgets, inputs never changed. Every function accepts an empty table and
returns an empty (but correctly shaped) result, so a team that has not started yet never breaks a
notebook.

Ordering rule used everywhere (deterministic whatever the row order of the file):

1. stages by their *stage order* — the smallest ``order`` among the stage's touchpoints — and
   stages with the same stage order by name;
2. inside a stage, touchpoints by ``order``, then ``time`` (``HH:MM``; missing last), then
   ``touchpoint_id``.

The service blueprint follows Bitner, Ostrom & Morgan (2008): four lanes from top to bottom —
customer actions | frontstage (contact the customer sees) | backstage (contact the customer does not
see) | support processes — separated by the line of interaction, the line of visibility and the
line of internal interaction.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from kit.store import cells
from kit.store.schema import CONTACTS

__all__ = [
    "BLUEPRINT_COLUMNS",
    "BLUEPRINT_LINES",
    "LANES",
    "LANE_LABELS",
    "ORDERED_EXTRA",
    "STAGE_COLUMNS",
    "SUPPORT_LEVELS",
    "blueprint",
    "contact_kind",
    "contact_share",
    "emotion_curve",
    "moments_of_truth",
    "ordered_touchpoints",
    "stage_summary",
    "stages",
    "unserved_touchpoints",
]

LANES: tuple[str, ...] = ("customer", "frontstage", "backstage", "support")
"""Blueprint lanes from top to bottom."""

LANE_LABELS: dict[str, str] = {
    "customer": "Customer actions",
    "frontstage": "Frontstage",
    "backstage": "Backstage",
    "support": "Support processes",
}
"""Plain-language name of each lane."""

BLUEPRINT_LINES: tuple[tuple[str, str, str], ...] = (
    ("line of interaction", "customer", "frontstage"),
    ("line of visibility", "frontstage", "backstage"),
    ("line of internal interaction", "backstage", "support"),
)
"""The three lines of a blueprint: ``(name, lane above, lane below)``."""

SUPPORT_LEVELS: tuple[str, ...] = ("support", "manager")
"""Levels of a role that serves a touchpoint's role and is drawn in the support lane."""

ORDERED_EXTRA: list[str] = ["stage_order", "position"]
BLUEPRINT_COLUMNS: list[str] = [
    "touchpoint_id",
    "stage",
    "stage_order",
    "position",
    "lane",
    "lane_order",
    "role_id",
    "actor",
    "level",
    "via_role_id",
    "text",
    "contact",
    "moment_of_truth",
]
STAGE_COLUMNS: list[str] = [
    "stage",
    "stage_order",
    "touchpoints",
    "direct",
    "indirect",
    "direct_share",
    "moments_of_truth",
    "mean_emotion",
    "min_emotion",
]
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


# --------------------------------------------------------------------------- helpers (shared)


def contact_kind(value: Any) -> str:
    """A ``contact`` cell read leniently: ``"direct"``, ``"indirect"`` or ``""`` (missing/other).

    Examples
    --------
    >>> contact_kind(" Direct "), contact_kind(None)
    ('direct', '')
    """
    return (cells.text_or_none(value) or "").lower()


def _minutes(value: Any) -> float:
    """``"07:30"`` -> 450.0; missing or unreadable -> NaN."""
    if cells.is_missing(value):
        return math.nan
    match = _TIME.match(str(value))
    if not match:
        return math.nan
    return float(int(match.group(1)) * 60 + int(match.group(2)))


def _role_lookup(roles: pd.DataFrame | None) -> dict[str, dict[str, Any]]:
    """role_id -> {"name", "level"}; the first row wins when an id repeats."""
    table = cells.with_columns(roles, "roles")
    lookup: dict[str, dict[str, Any]] = {}
    for role_id, name, level in zip(table["role_id"], table["name"], table["level"], strict=True):
        key = cells.text_or_none(role_id)
        if key is None or key in lookup:
            continue
        level_text = cells.text_or_none(level)
        lookup[key] = {
            "name": cells.text_or_none(name) or key,
            "level": level_text.lower() if level_text else None,
        }
    return lookup


# --------------------------------------------------------------------------- ordering


def ordered_touchpoints(journey: pd.DataFrame) -> pd.DataFrame:
    """Touchpoints in journey order, with their stage's rank and their position.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.

    Returns
    -------
    pandas.DataFrame
        The journey's columns (``moment_of_truth`` as ``bool``, ``emotion`` as a number) plus ``stage_order`` (0 for the first stage) and ``position`` (0 for the first
        touchpoint), sorted by the module's ordering rule, index ``0..n-1``.

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["c", "a", "b"], "stage": ["Stay", "Arrive", "Arrive"],
    ...                   "order": [1, 5, 2], "time": [None, "09:00", None],
    ...                   "description": ["Room", "Desk", "Taxi"],
    ...                   "contact": ["indirect", "direct", "direct"]})
    >>> ordered_touchpoints(j)[["touchpoint_id", "stage", "stage_order", "position"]]
      touchpoint_id   stage  stage_order  position
    0             c    Stay            0         0
    1             b  Arrive            1         1
    2             a  Arrive            1         2
    """
    table = cells.with_columns(journey, "journey")
    columns = list(table.columns) + [c for c in ORDERED_EXTRA if c not in table.columns]
    if table.empty:
        return pd.DataFrame(columns=columns)
    orders = [float(v) for v in pd.to_numeric(table["order"], errors="coerce").astype(float)]
    table["emotion"] = pd.to_numeric(table["emotion"], errors="coerce")
    table["moment_of_truth"] = [cells.flag(v) for v in table["moment_of_truth"]]
    stage_key = [cells.text_or_none(s) or "" for s in table["stage"]]
    firsts: dict[str, float] = {}
    for key, order in zip(stage_key, orders, strict=True):
        if not math.isnan(order):
            firsts[key] = min(firsts.get(key, math.inf), order)
    ranked = sorted(set(stage_key), key=lambda s: (s not in firsts, firsts.get(s, 0.0), s))
    rank = {stage: i for i, stage in enumerate(ranked)}
    times = [_minutes(v) for v in table["time"]]
    ids = [str(v) for v in table["touchpoint_id"]]

    def sort_key(i: int) -> tuple:
        order, minutes = orders[i], times[i]
        return (
            rank[stage_key[i]],
            math.isnan(order),
            0.0 if math.isnan(order) else order,
            math.isnan(minutes),
            0.0 if math.isnan(minutes) else minutes,
            ids[i],
        )

    positions = sorted(range(len(table)), key=sort_key)
    out = table.iloc[positions].reset_index(drop=True)
    out["stage_order"] = [rank[stage_key[i]] for i in positions]
    out["position"] = range(len(out))
    return out[columns]


def stages(journey: pd.DataFrame) -> list[str]:
    """Stage names in journey order (each once).

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.

    Returns
    -------
    list of str
        Empty for an empty journey; a missing stage name is listed as ``""``.

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b", "c"], "stage": ["Stay", "Arrive", "Stay"],
    ...                   "order": [3, 1, 2], "description": ["x", "y", "z"],
    ...                   "contact": ["direct"] * 3})
    >>> stages(j)
    ['Arrive', 'Stay']
    """
    ordered = ordered_touchpoints(journey)
    seen: dict[str, None] = {}
    for stage in ordered["stage"]:
        seen.setdefault(cells.text_or_none(stage) or "", None)
    return list(seen)


def stage_summary(journey: pd.DataFrame) -> pd.DataFrame:
    """One row per stage, in order: counts, direct share, moments of truth, mean emotion.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.

    Returns
    -------
    pandas.DataFrame
        Columns ``stage, stage_order, touchpoints, direct, indirect, direct_share,
        moments_of_truth, mean_emotion, min_emotion``. ``direct_share`` is direct / (direct +
        indirect); ``mean_emotion`` is the plain mean of the stage's emotions (-2..2), NaN when
        none is given.

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b", "c"], "stage": ["Arrive", "Arrive", "Stay"],
    ...                   "order": [1, 2, 3], "description": ["x", "y", "z"],
    ...                   "contact": ["direct", "indirect", "direct"], "emotion": [2, -1, 0],
    ...                   "moment_of_truth": [True, False, False]})
    >>> s = stage_summary(j)
    >>> s[["stage", "touchpoints", "direct_share", "moments_of_truth", "mean_emotion"]]
        stage  touchpoints  direct_share  moments_of_truth  mean_emotion
    0  Arrive            2           0.5                 1           0.5
    1    Stay            1           1.0                 0           0.0
    """
    ordered = ordered_touchpoints(journey)
    rows = []
    for stage_order, group in ordered.groupby("stage_order", sort=True):
        contact = group["contact"].map(contact_kind)
        direct = int((contact == "direct").sum())
        indirect = int((contact == "indirect").sum())
        emotion = pd.to_numeric(group["emotion"], errors="coerce")
        rows.append(
            {
                "stage": group["stage"].iloc[0],
                "stage_order": int(stage_order),
                "touchpoints": len(group),
                "direct": direct,
                "indirect": indirect,
                "direct_share": direct / (direct + indirect) if direct + indirect else math.nan,
                "moments_of_truth": int(group["moment_of_truth"].sum()),
                "mean_emotion": float(emotion.mean()) if emotion.notna().any() else math.nan,
                "min_emotion": float(emotion.min()) if emotion.notna().any() else math.nan,
            }
        )
    return pd.DataFrame(rows, columns=STAGE_COLUMNS)


# --------------------------------------------------------------------------- measures


def contact_share(journey: pd.DataFrame) -> pd.DataFrame:
    """How many touchpoints are direct (face to face, phone) and how many indirect.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.

    Returns
    -------
    pandas.DataFrame
        Always two rows, ``direct`` then ``indirect``, with columns ``contact, touchpoints,
        share``. Shares are over touchpoints whose contact is one of the two and sum to 1; with no
        such touchpoint both shares are 0.0.

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b", "c", "d"], "stage": ["S"] * 4,
    ...                   "order": [1, 2, 3, 4], "description": ["w", "x", "y", "z"],
    ...                   "contact": ["direct", "indirect", "direct", "direct"]})
    >>> contact_share(j)
        contact  touchpoints  share
    0    direct            3   0.75
    1  indirect            1   0.25
    """
    table = cells.with_columns(journey, "journey")
    contact = [contact_kind(c) for c in table["contact"]]
    counts = [contact.count(kind) for kind in CONTACTS]
    total = sum(counts)
    return pd.DataFrame(
        {
            "contact": list(CONTACTS),
            "touchpoints": counts,
            "share": [n / total if total else 0.0 for n in counts],
        }
    )


def emotion_curve(journey: pd.DataFrame) -> pd.DataFrame:
    """The customer's emotion at each touchpoint, in journey order.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.

    Returns
    -------
    pandas.DataFrame
        Columns ``position, touchpoint_id, stage, stage_order, time, description, contact,
        emotion, moment_of_truth`` (``emotion`` from -2, very negative, to 2, very positive).

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b"], "stage": ["S", "S"], "order": [2, 1],
    ...                   "description": ["x", "y"], "contact": ["direct", "direct"],
    ...                   "emotion": [-2, 1]})
    >>> emotion_curve(j)[["position", "touchpoint_id", "emotion"]]
       position touchpoint_id  emotion
    0         0             b        1
    1         1             a       -2
    """
    columns = [
        "position",
        "touchpoint_id",
        "stage",
        "stage_order",
        "time",
        "description",
        "contact",
        "emotion",
        "moment_of_truth",
    ]
    return ordered_touchpoints(journey)[columns]


def moments_of_truth(journey: pd.DataFrame) -> pd.DataFrame:
    """The touchpoints marked as moments of truth, in journey order.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.

    Returns
    -------
    pandas.DataFrame
        The rows of :func:`ordered_touchpoints` whose ``moment_of_truth`` is true (``position``
        keeps the place in the whole journey).

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b"], "stage": ["S", "S"], "order": [1, 2],
    ...                   "description": ["x", "y"], "contact": ["direct", "direct"],
    ...                   "moment_of_truth": ["no", "yes"]})
    >>> moments_of_truth(j)[["touchpoint_id", "position"]]
      touchpoint_id  position
    0             b         1
    """
    ordered = ordered_touchpoints(journey)
    return ordered[ordered["moment_of_truth"].astype(bool)].reset_index(drop=True)


def unserved_touchpoints(journey: pd.DataFrame, roles: pd.DataFrame | None = None) -> pd.DataFrame:
    """Touchpoints that name no serving role (or, given ``roles``, a role that is not listed).

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.
    roles : pandas.DataFrame, optional
        The ``roles`` table; when given, a ``role_id`` missing from it is reported too.

    Returns
    -------
    pandas.DataFrame
        Rows of :func:`ordered_touchpoints` plus ``reason``: ``"no role named"`` or
        ``"role not in roles"``.

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["a", "b", "c"], "stage": ["S"] * 3,
    ...                   "order": [1, 2, 3], "description": ["x", "y", "z"],
    ...                   "contact": ["direct"] * 3, "role_id": ["desk", None, "ghost"]})
    >>> r = pd.DataFrame({"role_id": ["desk"], "name": ["Front desk"], "level": ["frontline"]})
    >>> unserved_touchpoints(j, r)[["touchpoint_id", "reason"]]
      touchpoint_id             reason
    0             b      no role named
    1             c  role not in roles
    """
    ordered = ordered_touchpoints(journey)
    known = set(_role_lookup(roles)) if roles is not None else None
    reasons = []
    for role_id in ordered["role_id"]:
        role = cells.text_or_none(role_id)
        if role is None:
            reasons.append("no role named")
        elif known is not None and role not in known:
            reasons.append("role not in roles")
        else:
            reasons.append(None)
    ordered["reason"] = reasons
    return ordered[ordered["reason"].notna()].reset_index(drop=True)


# --------------------------------------------------------------------------- blueprint


def blueprint(
    journey: pd.DataFrame,
    roles: pd.DataFrame | None = None,
    serves: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The service blueprint: who acts in which lane at every touchpoint (tidy, one row each).

    For every touchpoint, in journey order:

    * a ``customer`` row (the customer's action: the touchpoint's description);
    * a ``frontstage`` row for a ``direct`` touchpoint or a ``backstage`` row otherwise, whose
      actor is the touchpoint's serving role (``role_id``; missing when none is named);
    * one ``support`` row for each role ``S`` with an edge "``S`` serves the touchpoint's role" in
      ``serves`` whose level is support or manager (one hop only; self-edges ignored), in
      ``role_id`` order.

    Parameters
    ----------
    journey : pandas.DataFrame
        The workbook's ``journey`` table.
    roles : pandas.DataFrame, optional
        The ``roles`` table (names and levels of the actors).
    serves : pandas.DataFrame, optional
        The ``serves`` table (``from_role`` serves ``to_role``).

    Returns
    -------
    pandas.DataFrame
        Columns ``touchpoint_id, stage, stage_order, position, lane, lane_order, role_id, actor,
        level, via_role_id, text, contact, moment_of_truth``. ``lane_order`` is 0..3 from the top
        (see :data:`LANES`); ``actor`` is the role's name (its id when it is not in ``roles``,
        ``"Customer"`` in the customer lane, missing when no role is named); ``via_role_id`` is
        the served role of a support row; ``text`` is the description, or "serves <role name>"
        for a support row. Text is returned raw: figures escape it.

    Examples
    --------
    >>> j = pd.DataFrame({"touchpoint_id": ["t1", "t2"], "stage": ["Arrive", "Stay"],
    ...                   "order": [1, 2], "description": ["Check in", "Clean room"],
    ...                   "contact": ["direct", "indirect"], "role_id": ["desk", "hk"]})
    >>> r = pd.DataFrame({"role_id": ["desk", "hk", "it", "gm"],
    ...                   "name": ["Front desk", "Housekeeping", "IT", "Manager"],
    ...                   "level": ["frontline", "frontline", "support", "manager"]})
    >>> s = pd.DataFrame({"from_role": ["it", "gm", "gm"], "to_role": ["desk", "desk", "hk"]})
    >>> blueprint(j, r, s)[["touchpoint_id", "lane", "actor", "text"]]
      touchpoint_id        lane         actor                 text
    0            t1    customer      Customer             Check in
    1            t1  frontstage    Front desk             Check in
    2            t1     support       Manager    serves Front desk
    3            t1     support            IT    serves Front desk
    4            t2    customer      Customer           Clean room
    5            t2   backstage  Housekeeping           Clean room
    6            t2     support       Manager  serves Housekeeping
    """
    ordered = ordered_touchpoints(journey)
    lookup = _role_lookup(roles)
    edges = cells.with_columns(serves, "serves")
    servers: dict[str, set[str]] = {}
    for source, target in zip(edges["from_role"], edges["to_role"], strict=True):
        src, dst = cells.text_or_none(source), cells.text_or_none(target)
        if src is not None and dst is not None and src != dst:
            servers.setdefault(dst, set()).add(src)

    rows: list[dict[str, Any]] = []
    for tp in ordered.itertuples(index=False):
        common = {
            "touchpoint_id": tp.touchpoint_id,
            "stage": tp.stage,
            "stage_order": tp.stage_order,
            "position": tp.position,
            "contact": tp.contact,
            "moment_of_truth": bool(tp.moment_of_truth),
        }
        description = cells.text_or_none(tp.description)
        rows.append(
            common
            | {
                "lane": "customer",
                "role_id": None,
                "actor": "Customer",
                "level": "customer",
                "via_role_id": None,
                "text": description,
            }
        )
        role_id = cells.text_or_none(tp.role_id)
        role = lookup.get(role_id, {}) if role_id else {}
        contact = contact_kind(tp.contact)
        rows.append(
            common
            | {
                "lane": "frontstage" if contact == "direct" else "backstage",
                "role_id": role_id,
                "actor": role.get("name", role_id),
                "level": role.get("level"),
                "via_role_id": None,
                "text": description,
            }
        )
        if role_id is None:
            continue
        served_name = role.get("name", role_id)
        for server in sorted(servers.get(role_id, ())):
            info = lookup.get(server)
            if info is None or info["level"] not in SUPPORT_LEVELS:
                continue
            rows.append(
                common
                | {
                    "lane": "support",
                    "role_id": server,
                    "actor": info["name"],
                    "level": info["level"],
                    "via_role_id": role_id,
                    "text": f"serves {served_name}",
                }
            )
    out = pd.DataFrame(rows, columns=BLUEPRINT_COLUMNS)
    out["lane_order"] = [LANES.index(lane) for lane in out["lane"]]
    return out
