"""Enabling one of the kit's Jupyter Server extensions through a config file of its own.

``servekit lab`` (and the tests' JupyterLab) put a private folder on ``JUPYTER_CONFIG_PATH``;
each extension of the room (:mod:`kit.room.phone`, :mod:`kit.room.serverlog`,
:mod:`kit.room.widgetjs`, :mod:`kit.room.kernelnice`) is switched on by a file of its own in
that folder's ``jupyter_server_config.d/``, written here.

Examples
--------
>>> enable("kit.room.example")
{'ServerApp': {'jpserver_extensions': {'kit.room.example': True}}}
>>> import tempfile
>>> path = write_config(Path(tempfile.mkdtemp()), "example", enable("kit.room.example"))
>>> path.parent.name, path.name, json.loads(path.read_text()) == enable("kit.room.example")
('jupyter_server_config.d', 'servekit-example.json', True)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["enable", "write_config"]


def enable(module: str, **others: bool) -> dict[str, Any]:
    """The Jupyter Server config that enables the extension ``module`` (and sets ``others``,
    other extensions on or off)."""
    return {"ServerApp": {"jpserver_extensions": {module: True, **others}}}


def write_config(folder: Path, name: str, config: dict[str, Any]) -> Path:
    """Write ``config`` as ``folder/jupyter_server_config.d/servekit-<name>.json``."""
    path = Path(folder) / "jupyter_server_config.d" / f"servekit-{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path
