"""Building blocks shared by the report's sections: callouts, "not there yet" notes, labels.

Examples
--------
>>> "05_plan.ipynb" in missing("plan", "No plan yet.")
True
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from kit.formatting import is_missing, join, markup

__all__ = [
    "LEVEL_WORDS",
    "WHERE",
    "callout",
    "missing",
    "tp_label",
]

LEVEL_WORDS = {
    "customer": "customer",
    "frontline": "front line",
    "support": "support",
    "manager": "manager",
    "executive": "executive",
}
"""Pyramid levels as prose words."""

OWN_NOTEBOOKS = "in your team's notebooks folder"
"""Where a team finds its notebooks, in its own words (its copies, not the facilitator's)."""

WHERE = {
    "journey": ("journey.csv", f"the journey notebook, 01_journey.ipynb {OWN_NOTEBOOKS}"),
    "roles": (
        "roles.csv and serves.csv",
        f"the pyramid notebook, 02_pyramid.ipynb {OWN_NOTEBOOKS}",
    ),
    "needs": ("needs.csv", f"the needs notebook, 03_needs.ipynb {OWN_NOTEBOOKS}"),
    "scores": ("scores.csv", f"the scoring notebook, 04_scoring.ipynb {OWN_NOTEBOOKS}"),
    "plan": ("plan.csv", f"the planning notebook, 05_plan.ipynb {OWN_NOTEBOOKS}"),
    "results": (
        "results.csv",
        f"the follow-up notebook, 07_follow_up.ipynb {OWN_NOTEBOOKS} (or the plan's Excel file, "
        "if your facilitator sent you one)",
    ),
    "reflections": ("reflections.yaml", f"the planning notebook, 05_plan.ipynb {OWN_NOTEBOOKS}"),
}
"""Where each part of a team's work is kept, and where the team fills it in: the team's own
copies of the notebooks (``notebooks/<team>/`` in the workshop), named as the team sees them,
never the facilitator's ``workshops/`` folder or a command only the facilitator runs."""


def callout(kind: str, title: str, *body: Any) -> Markup:
    """A boxed note: ``kind`` is ``info``, ``missing``, ``finding`` or ``good``.

    Examples
    --------
    >>> print(callout("missing", "Not yet", "Fill <it> in"))
    <div class="sk-callout sk-missing"><p class="sk-callout-title">Not yet</p><p>Fill &lt;it&gt; in</p></div>
    """
    css = {"info": "", "missing": " sk-missing", "finding": " sk-finding", "good": " sk-good"}[kind]
    inner = join(b if isinstance(b, Markup) else markup("<p>{}</p>", b) for b in body if b)
    return markup(
        '<div class="sk-callout{}"><p class="sk-callout-title">{}</p>{}</div>',
        Markup(css),
        title,
        inner,
    )


def missing(part: str, what: str) -> Markup:
    """The note shown where a part of the team's work is not there yet, saying how to add it.

    Examples
    --------
    >>> "plan.csv" in missing("plan", "No internal service plan yet.")
    True
    """
    file, where = WHERE[part]
    return callout(
        "missing",
        what,
        markup(
            "Add it with {}; it is kept in the team folder as <code>{}</code>. Then "
            "run the report again.",
            where,
            file,
        ),
    )


def tp_label(row: Any) -> Markup:
    """``T05 — Waits in the check-in queue`` with both parts escaped.

    Examples
    --------
    >>> str(tp_label({"touchpoint_id": "T5", "description": "<b>"}))
    '<strong>T5</strong> — &lt;b&gt;'
    """
    tid = row.get("touchpoint_id") if hasattr(row, "get") else row["touchpoint_id"]
    desc = row.get("description") if hasattr(row, "get") else row["description"]
    if is_missing(desc):
        return markup("<strong>{}</strong>", tid)
    return markup("<strong>{}</strong> — {}", tid, desc)
