"""The environment the teams' single-user servers run in, readable by every team's system user.

A team's server runs as that team's own system user, so its Python, its packages and the kit must
be readable (and runnable) by everybody. When the Python running ``servekit hub`` is (a system
install, a conda env under ``/opt``), it is used as it is. Otherwise (a venv made from a Python
under ``/root``, a checkout in a private home) :func:`ensure_user_env` builds a shared virtual
environment from a system Python into a world-readable folder, installs the kit's pinned
dependencies once (cached: it takes minutes) and refreshes a copy of the kit's own files in it
at every start (seconds).

Examples
--------
>>> world_readable(Path("/usr/bin/env"))
True
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import kit
from kit import resources
from kit.exceptions import HubEnvError
from kit.room.lab import write_lab_settings

__all__ = [
    "DEFAULT_BASE_PYTHON",
    "DEFAULT_ENV_ROOT",
    "HubEnvError",
    "WORKSHOPS_ROOT",
    "UserEnv",
    "copy_kit",
    "ensure_user_env",
    "kit_requirements",
    "usable_by_all",
    "workshop_runtime",
    "world_readable",
    "write_kernelspec",
]

DEFAULT_ENV_ROOT = Path("/opt/servekit")
DEFAULT_BASE_PYTHON = Path("/usr/bin/python3")
WORKSHOPS_ROOT = DEFAULT_ENV_ROOT / "workshops"
_READY = ".servekit-env-ready"


def world_readable(path: Path) -> bool:
    """True when every folder on the way to ``path`` can be crossed by any user and ``path``
    itself can be read (and, for a folder or program, entered or run) by any user.

    Examples
    --------
    >>> world_readable(Path("/"))
    True
    """
    path = Path(os.path.realpath(path))
    for parent in reversed(path.parents):
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            return False
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    if not mode & stat.S_IROTH:
        return False
    return not ((stat.S_ISDIR(mode) or mode & stat.S_IXUSR) and not mode & stat.S_IXOTH)


def usable_by_all(python: Path | str = sys.executable) -> bool:
    """True when other users can run ``python`` and import this kit with it (its package folder
    and the kit's notebooks and cases are world-readable).

    Examples
    --------
    >>> isinstance(usable_by_all(), bool)
    True
    """
    prefix = Path(sys.prefix)
    return all(
        world_readable(p)
        for p in (
            Path(python),
            prefix,
            Path(kit.__file__).parent,
            resources.workshops_dir(),
            resources.datasets_dir(),
        )
    )


def kit_requirements() -> list[str]:
    """The kit's pinned run-time requirements (without the developer extras).

    Examples
    --------
    >>> any(r.startswith("jupyterhub==") for r in kit_requirements())
    True
    """
    found = importlib.metadata.requires("servekit") or []
    return sorted(r for r in found if "extra ==" not in r)


class UserEnv:
    """A shared environment: ``python`` runs the single-user servers (the kit itself is each
    workshop's own copy, see :func:`workshop_runtime`).

    Examples
    --------
    >>> env = UserEnv(Path("/opt/servekit/hub-env-abc"))
    >>> env.python.name
    'python'
    """

    def __init__(self, path: Path):
        self.path = Path(path)

    @property
    def python(self) -> Path:
        return self.path / "bin" / "python"

    @property
    def ready(self) -> bool:
        return (self.path / _READY).is_file() and self.python.exists()


def _env_key(base_python: Path) -> str:
    text = "\n".join([str(base_python), *kit_requirements()])
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-15:])
        raise HubEnvError(f"{what} failed (exit {result.returncode}): {' '.join(command)}\n{tail}")


def _copy_tree(source: Path, target: Path) -> None:
    """Mirror ``source`` into ``target`` (files world-readable, caches skipped)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(
        source,
        target,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".history"),
    )
    for folder, _dirs, files in os.walk(target):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


def copy_kit(target: Path) -> Path:
    """Copy this kit's package, notebooks, cases and exercises into ``target`` (a workshop's
    own, root-owned copy: put on ``PYTHONPATH`` of that workshop's servers only). The new copy
    is made beside the old one and swapped in, so no other workshop's files are touched."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = target.with_name(target.name + ".new")
    if fresh.exists():
        shutil.rmtree(fresh)
    fresh.mkdir()
    _copy_tree(Path(kit.__file__).parent, fresh / "kit")
    for name, source in (
        ("workshops", resources.workshops_dir()),
        ("datasets", resources.datasets_dir()),
        ("exercises", resources.exercises_dir()),
    ):
        if source.is_dir():
            _copy_tree(source, fresh / name)
    os.chmod(fresh, 0o755)
    if target.exists():
        shutil.rmtree(target)
    fresh.rename(target)
    return target


def write_kernelspec(jupyter_path: Path, python: str) -> Path:
    """Write the hub's ``python3`` kernelspec under ``jupyter_path/kernels`` (root-owned,
    world-readable): kernels start in safe-path mode (``-P``) without user site-packages
    (``-s``), so a team's ``kit/`` or ``pandas.py`` beside a notebook is never imported.

    Examples
    --------
    >>> import json, tempfile
    >>> spec = write_kernelspec(Path(tempfile.mkdtemp()), "/usr/bin/python3")
    >>> json.loads(spec.read_text())["argv"][:5]
    ['/usr/bin/python3', '-P', '-s', '-m', 'ipykernel_launcher']
    """
    folder = Path(jupyter_path) / "kernels" / "python3"
    folder.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [python, "-P", "-s", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (ipykernel)",
        "language": "python",
        "metadata": {"debugger": True},
    }
    path = folder / "kernel.json"
    path.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
    for mode_path, mode in ((path, 0o644), (folder, 0o755), (folder.parent, 0o755)):
        os.chmod(mode_path, mode)
    os.chmod(jupyter_path, 0o755)
    return path


def workshop_runtime(
    name: str, python: str, with_kit: bool, root: Path = WORKSHOPS_ROOT
) -> tuple[Path, Path | None]:
    """This workshop's own root-owned folder ``root/name``: the kernelspec (returned first, as
    a ``JUPYTER_PATH`` entry) and, when the teams cannot import the kit where it is
    (``with_kit``), a copy of the kit (returned second, for ``PYTHONPATH``)."""
    base = Path(root) / name
    base.mkdir(parents=True, exist_ok=True)
    for folder in (root.parent, root, base):
        os.chmod(folder, 0o755)
    jupyter = base / "share" / "jupyter"
    jupyter.mkdir(parents=True, exist_ok=True)
    os.chmod(base / "share", 0o755)
    write_kernelspec(jupyter, python)
    return jupyter, copy_kit(base / "kit-src") if with_kit else None


def ensure_user_env(
    root: Path = DEFAULT_ENV_ROOT, *, base_python: Path = DEFAULT_BASE_PYTHON, log=print
) -> UserEnv:
    """Build (once) or reuse the shared environment under ``root`` and refresh the kit in it.

    Parameters
    ----------
    root : Path
        A folder every user can cross (``/opt/servekit`` by default).
    base_python : Path
        A Python every user can run (Debian's ``/usr/bin/python3`` by default).
    log : callable
        Progress messages.

    Returns
    -------
    UserEnv
    """
    if not Path(base_python).exists():
        raise HubEnvError(
            f"{base_python} not found; the teams' servers need a Python every "
            f"user can run (install python3 and python3-venv)"
        )
    if not world_readable(Path(base_python)):
        raise HubEnvError(f"{base_python} cannot be run by other users; choose a system Python")
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o755)
    env = UserEnv(root / f"hub-env-{_env_key(Path(base_python))}")
    if not env.ready:
        log(f"Building the teams' Python environment in {env.path} (once; a few minutes)")
        if env.path.exists():
            shutil.rmtree(env.path)
        _run([str(base_python), "-m", "venv", str(env.path)], "creating the virtual environment")
        _run(
            [str(env.python), "-m", "pip", "install", "--quiet", *kit_requirements()],
            "installing the kit's requirements",
        )
        # the same JupyterLab defaults as servekit lab, as this environment's own defaults
        write_lab_settings(env.path / "share" / "jupyter" / "lab" / "settings")
        (env.path / _READY).write_text("ok\n")
    # no longer one kit for every hub: each workshop has its own copy (workshop_runtime)
    for stale in env.path.glob("lib/python*/site-packages/servekit-kit-src.pth"):
        stale.unlink()
    for folder, _dirs, _files in os.walk(env.path):
        mode = os.stat(folder).st_mode
        if not (mode & stat.S_IROTH and mode & stat.S_IXOTH):
            os.chmod(folder, mode | 0o055)
    return env
