"""Helpers shared by several test files (import them: ``from helpers import make_workshop``).

Test modules never import from each other; what two of them need lives here (plain functions
and constants) or in ``conftest.py`` (fixtures).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent

MINI_TEAM = {
    "team.yaml": "name: Mini team\nmembers: [Ann, Bo]\n",
    "roles.csv": (
        "role_id,name,level,headcount\n"
        "guest,Hotel guest,customer,\n"
        "desk,Front desk agent,frontline,4\n"
        "fom,Front office manager,manager,1\n"
    ),
    "serves.csv": "from_role,to_role\ndesk,guest\nfom,desk\n",
    "journey.csv": (
        "touchpoint_id,stage,order,time,description,channel,contact,role_id,emotion,moment_of_truth\n"
        "T1,Arrival,1,15:00,Check-in at the desk,face to face,direct,desk,1,true\n"
        "T2,Room,2,,Room prepared before arrival,,indirect,,0,false\n"
    ),
    "needs.csv": "touchpoint_id,kind,need,provider_role\nT1,do,Fast check-in training,fom\n",
    "scores.csv": "touchpoint_id,scorer,importance,performance,be,do,have\nT1,Ann,5,3,4,3,2\n",
    "plan.csv": (
        "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target\n"
        "A1,T1,do,Train desk staff,fom,2026-03-01,wait minutes,14,5\n"
    ),
    "results.csv": "action_id,date,value\nA1,2026-04-01,9\n",
    "reflections.yaml": "first_step: Ann books the training room.\n",
}


def write_team(folder: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """Write the mini team into ``folder`` with ``files`` replacing (or adding) some files."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in {**MINI_TEAM, **(files or {})}.items():
        target = folder / name
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


XSS_NAME = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = "<script>alert(1)</script>"

XSS_FILES = {
    "team.yaml": f"name: '{XSS_NAME}'\nmembers: ['{XSS_SCRIPT}', 'Bo & Co']\n",
    "roles.csv": (
        "role_id,name,level,headcount\n"
        "guest,Hotel guest,customer,\n"
        f"desk,{XSS_NAME},frontline,4\n"
        "fom,Front office manager,manager,1\n"
    ),
    "journey.csv": (
        "touchpoint_id,stage,order,time,description,channel,contact,role_id,emotion,moment_of_truth\n"
        f"T1,Arrival,1,15:00,{XSS_SCRIPT},face to face,direct,desk,-2,true\n"
        "T2,Room,2,,Room prepared before arrival,,indirect,,0,false\n"
    ),
    "scores.csv": (
        "touchpoint_id,scorer,importance,performance,be,do,have\n"
        f"T1,{XSS_NAME},5,2,4,3,2\nT2,Bo,3,3,3,3,3\n"
    ),
    "plan.csv": (
        "action_id,touchpoint_id,kind,action,owner_role,due,metric,baseline,target\n"
        f"A1,T1,do,{XSS_SCRIPT},fom,2026-03-01,{XSS_NAME},14,5\n"
    ),
    "reflections.yaml": f"first_step: '{XSS_SCRIPT} then <b>bold</b>'\n",
}
"""A valid team whose every piece of user text is an HTML-injection attempt."""

UNESCAPED = re.compile(r"<script>alert|<img src=x|<b>bold</b>")


def make_workshop(root: Path, teams: dict[str, dict[str, str] | None]) -> Path:
    """A workshop folder with ``teams`` (slug -> files overriding the mini team)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "workshop.yaml").write_text(
        "title: 'Workshop <i>&</i> Co'\ncase: laurie-hospitality\ndate: '2026-03-01'\n"
        "facilitator: Kim\n",
        encoding="utf-8",
    )
    for slug, files in teams.items():
        write_team(root / "teams" / slug, files)
    return root


BROKEN_ROLES = (
    "role_id,name,level\nguest,Guest,customer\ndesk,Desk,boss\nfom,Front office manager,manager\n"
)
"""A roles table with one error: ``roles.csv:3:level`` is ``boss``."""


def write_notebook(path: Path, text: str) -> Path:
    """A notebook from ``text``: cells separated by ``---``, the first one is the parameters."""
    sources = [s.strip() for s in text.strip().split("\n---\n")]
    nb = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    nb.cells = [nbformat.v4.new_code_cell(sources[0], metadata={"tags": ["parameters"]})]
    nb.cells += [nbformat.v4.new_code_cell(s) for s in sources[1:]]
    nbformat.write(nb, path)
    return path


def wait_for(predicate, timeout: float = 120) -> None:
    """Poll ``predicate`` every 0.2 s until it is true; AssertionError after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.2)


def pid_alive(pid: int) -> bool:
    """True when process ``pid`` exists and is not a zombie."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "zombie" not in status.lower()


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (children, their children …), read from ``/proc``."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found
