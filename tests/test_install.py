"""Installable and reproducible: the lock matches what is installed, and ``pip install .`` into
a clean virtual environment (the system Python, no system site-packages) gives a working kit.

The clean install reads wheels from a local wheelhouse (``$SERVEKIT_WHEELHOUSE``, default
``~/.cache/servekit/wheelhouse``) filled once from the lock with ``pip download``, so later runs
need no network and take about a minute.

The clean install then builds the demo's reports: several minutes on a 2-core machine. It runs
in CI (``CI=true``) or when ``SERVEKIT_INSTALL_TEST=1`` asks for it; elsewhere it is skipped
with that reason (``-ra`` lists it), and ``make test-fast`` leaves it out (marker ``install``).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from helpers import ROOT
from packaging.requirements import Requirement

LOCK = ROOT / "requirements" / "lock.txt"
SYSTEM_PYTHON = Path("/usr/bin/python3")
WHEELHOUSE = Path(
    os.environ.get("SERVEKIT_WHEELHOUSE", Path.home() / ".cache" / "servekit" / "wheelhouse")
)


def locked() -> dict[str, tuple[str, Requirement]]:
    """name -> (version, requirement) for every line of the lock."""
    found = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            req = Requirement(line)
            found[req.name.lower().replace("_", "-")] = (next(iter(req.specifier)).version, req)
    return found


def build_pins() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["build-system"]["requires"]


def test_installed_versions_match_the_lock():
    wrong = []
    for name, (want, req) in locked().items():
        if req.marker and not req.marker.evaluate():
            continue
        try:
            have = version(name)
        except PackageNotFoundError:
            have = None
        if have != want:
            wrong.append(f"{name}: lock {want}, installed {have}")
    assert wrong == [], "run 'make setup' (or 'make lock' after changing a pin)"


def test_the_lock_holds_every_pin_of_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = project["dependencies"] + project["optional-dependencies"]["dev"]
    lock = locked()
    for pin in pins:
        req = Requirement(pin)
        name = req.name.lower().replace("_", "-")
        assert name in lock and lock[name][0] == next(iter(req.specifier)).version, pin


def test_pip_and_the_build_backend_are_pinned():
    assert all(re.fullmatch(r"[a-z]+==[\d.]+", pin) for pin in build_pins()), build_pins()
    pip = re.search(r"^PIP_VERSION\s*:=\s*(\S+)", (ROOT / "Makefile").read_text(), re.M)
    assert pip
    assert version("pip") == pip.group(1)


# --------------------------------------------------------------------------- clean install
def _run(args: list, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def _fill_wheelhouse(pip: list) -> None:
    """Download every locked wheel (and the build backend) once."""
    stamp = WHEELHOUSE / (
        hashlib.sha256(LOCK.read_bytes() + str(build_pins()).encode()).hexdigest()[:16]
        + ".complete"
    )
    if stamp.exists():
        return
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    _run(
        [
            *pip,
            "download",
            "-q",
            "--no-deps",
            "--only-binary",
            ":all:",
            "-d",
            WHEELHOUSE,
            "-r",
            LOCK,
            *build_pins(),
        ],
        timeout=1200,
    )
    stamp.write_text("ok\n")


def _source_copy(target: Path) -> Path:
    """The working tree as a user would get it (no venv, caches or build output)."""
    shutil.copytree(
        ROOT,
        target,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".git",
            "build",
            "demo",
            "test-artifacts",
            "__pycache__",
            "*.egg-info",
            ".pytest_cache",
            ".ruff_cache",
            ".ipynb_checkpoints",
            ".history",
        ),
    )
    return target


@pytest.mark.slow
@pytest.mark.install
@pytest.mark.skipif(not SYSTEM_PYTHON.is_file(), reason="no /usr/bin/python3")
@pytest.mark.skipif(
    os.environ.get("CI") != "true" and os.environ.get("SERVEKIT_INSTALL_TEST") != "1",
    reason="the clean-venv install runs in CI only (CI=true) or with SERVEKIT_INSTALL_TEST=1",
)
def test_pip_install_into_a_clean_venv_then_servekit_demo_works(tmp_path):
    venv = tmp_path / "venv"
    _run([SYSTEM_PYTHON, "-m", "venv", venv], timeout=120)  # no system site-packages
    python = venv / "bin" / "python"
    pip = [python, "-m", "pip", "--disable-pip-version-check"]
    _fill_wheelhouse(pip)
    offline = ["--no-index", "--find-links", WHEELHOUSE]
    _run([*pip, "install", "-q", *offline, *build_pins()], timeout=300)
    source = _source_copy(tmp_path / "src")
    _run([*pip, "install", "-q", *offline, "--no-build-isolation", "-c", LOCK, source], timeout=600)
    shutil.rmtree(source)  # the kit must not need its source

    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "COLUMNS": "120",
    }
    where = _run(
        [
            python,
            "-c",
            "import kit, kit.resources as r; print(kit.__file__); print(r.workshops_dir())",
        ],
        cwd=tmp_path,
        env=env,
    ).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where
    assert Path(where[1]).name == "_workshops", where
    done = _run(
        [venv / "bin" / "servekit", "demo", tmp_path / "demo", "--jobs", "2"],
        cwd=tmp_path,
        env=env,
        timeout=600,
    )
    index = tmp_path / "demo" / "reports" / "index.html"
    assert f"Reports: open {index}" in done.stdout
    assert "4 built, 0 unchanged, 0 failed" in done.stdout + done.stderr
    for slug in (
        "equipe-etoile",
        "front-desk-friends",
        "team-4-half-finished",
        "the-night-shift",
        "_synthesis",
    ):
        assert (tmp_path / "demo" / "reports" / f"{slug}.html").stat().st_size > 100_000, slug
