"""What several benchmarks share: a workshop of many teams made from the case's sample teams.

Not a benchmark itself (``make bench`` runs ``bench_*.py`` only); the scripts import it as
``from _common import sample_workshop`` (a script's own folder is on ``sys.path``).
"""

from __future__ import annotations

import shutil
from pathlib import Path


def sample_workshop(root: Path, teams: int) -> Path:
    """A workshop under ``root`` with ``teams`` teams, the case's sample teams copied round."""
    from kit.resources import datasets_dir
    from kit.store.workshop import create_workshop

    ws = create_workshop(root / "ws", teams=[])
    samples = sorted(
        p for p in (datasets_dir() / "laurie-hospitality" / "teams").iterdir() if p.is_dir()
    )
    for i in range(teams):
        target = ws.teams_path / f"team-{i + 1:02d}"
        shutil.copytree(samples[i % len(samples)], target)
        (target / "team.yaml").write_text(f"name: Team {i + 1}\nmembers: []\n", encoding="utf-8")
    return ws.path
