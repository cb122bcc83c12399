"""The content-hash cache: what a page is built from, and the marker of its last good build.

A team's *digest* hashes its files, ``workshop.yaml``, the notebook, the kit's own source and
templates and the options. A team's files are read through :mod:`kit.store.safefs` from the
workshop folder, streamed in blocks: links and special files (FIFOs, devices) are refused, and so
is a file over :data:`MAX_DIGEST_BYTES` (a 60 GB sparse ``serves.csv`` is refused from its size,
not read), with :class:`kit.exceptions.UnsafePath` naming the file and the cap. After a successful build the team's manifest
(``OUT/.servekit/<slug>.json``) holds that digest; a team whose digest matches and whose files
are all there is not rebuilt. The manifest is deleted before a team is rebuilt and written last,
so a run killed half-way never leaves a page that looks complete and current.

Examples
--------
>>> import tempfile
>>> out = Path(tempfile.mkdtemp())
>>> read_manifest(out, "a") is None, is_current(None, out, "x", pdf=False)
(True, False)
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import kit
from kit.report.export import write_file
from kit.report.models import Status, TeamResult
from kit.store import safefs
from kit.store.storage import MAX_FILE_BYTES

__all__ = [
    "KIT_DIR",
    "MANIFEST_DIR",
    "SYNTHESIS_MARKER",
    "clean_temporaries",
    "is_current",
    "kit_fingerprint",
    "manifest_path",
    "read_manifest",
    "running_marker",
    "synthesis_current",
    "synthesis_digest",
    "team_digest",
    "write_manifest",
]

KIT_DIR = Path(kit.__file__).resolve().parent
MANIFEST_DIR = ".servekit"
SYNTHESIS_MARKER = "_synthesis.digest"
MAX_DIGEST_BYTES = MAX_FILE_BYTES
"""Largest team file hashed (the same cap as any team file the kit reads)."""
MAX_DIGEST_TOTAL = 4 * MAX_FILE_BYTES
"""Most bytes hashed for one team (many files each under the cap are refused as a whole)."""
BLOCK = 1 << 20


def _files(folder: Path) -> Iterable[Path]:
    """Input files of a folder: everything but hidden entries (history, locks, temp files)."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            yield path


@functools.cache
def kit_fingerprint() -> str:
    """Hash of the kit's source and templates and its version: code changes rebuild reports.

    Examples
    --------
    >>> len(kit_fingerprint())
    64
    """
    from kit.report.export import version

    digest = hashlib.sha256(version().encode())
    for path in _files(KIT_DIR):
        if (
            path.suffix in {".py", ".j2", ".css", ".json", ".js"}
            and "__pycache__" not in path.parts
        ):
            digest.update(path.relative_to(KIT_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def team_digest(team_dir: Path, workshop_dir: Path, notebook: Path, options: dict[str, Any]) -> str:
    """Hash of everything a team's page is built from.

    The team's files (names and bytes; hidden ones such as ``.history/`` excluded),
    ``workshop.yaml``, the notebook, :func:`kit_fingerprint` and the options but ``pdf``. Team files are
    streamed (never read whole) without following links; links inside the team folder are
    skipped, and a file that is special or bigger than :data:`MAX_DIGEST_BYTES` is refused.

    Raises
    ------
    kit.exceptions.UnsafePath
        The team folder is a link, one of its files is over the cap (message naming it), or
        all of them together are over :data:`MAX_DIGEST_TOTAL`.

    Examples
    --------
    >>> import tempfile
    >>> from kit.report.models import TEAM_REPORT
    >>> ws = Path(tempfile.mkdtemp()); team = ws / "teams" / "a"; team.mkdir(parents=True)
    >>> one = team_digest(team, ws, TEAM_REPORT.notebook, {"pdf": False})
    >>> _ = (team / "journey.csv").write_text("x")
    >>> one != team_digest(team, ws, TEAM_REPORT.notebook, {"pdf": False})
    True
    >>> team_digest(team, ws, TEAM_REPORT.notebook, {"pdf": True}) == team_digest(
    ...     team, ws, TEAM_REPORT.notebook, {"pdf": False})
    True
    """
    digest = hashlib.sha256(kit_fingerprint().encode())
    # --pdf changes no page: it only asks for a PDF beside it, which is_current() checks
    shaping = {name: value for name, value in options.items() if name != "pdf"}
    digest.update(json.dumps(shaping, sort_keys=True, default=str).encode())
    digest.update(notebook.read_bytes())
    info = workshop_dir / "workshop.yaml"
    if info.is_file():
        digest.update(info.read_bytes())
    base, rel = _below(Path(team_dir), Path(workshop_dir))
    files = [
        (name, size)
        for name, size in safefs.walk_files(base, rel)
        if not any(part.startswith(".") for part in name.split("/"))
    ]
    for name, size in files:  # the one file too big is named before the folder's total
        if size > MAX_DIGEST_BYTES:
            raise safefs.UnsafePath(
                f"{(base / rel / name).as_posix()}: refused: the file is {size} bytes; "
                f"expected at most {MAX_DIGEST_BYTES} bytes"
            )
    total = sum(size for _, size in files)
    if total > MAX_DIGEST_TOTAL:
        raise safefs.UnsafePath(
            f"{(base / rel).as_posix()}: refused: the team folder's files add up to {total} "
            f"bytes; expected at most {MAX_DIGEST_TOTAL} bytes"
        )
    for name, _ in files:
        digest.update(b"\0" + name.encode() + b"\0")
        _stream(digest, base, f"{rel}/{name}")
    return digest.hexdigest()


def _below(team_dir: Path, workshop_dir: Path) -> tuple[Path, str]:
    """The trusted folder to walk from (the workshop folder) and the team folder below it."""
    with contextlib.suppress(ValueError):
        return workshop_dir, team_dir.relative_to(workshop_dir).as_posix()
    return team_dir.parent, team_dir.name


def _stream(digest: Any, base: Path, rel: str) -> None:
    """Hash ``base/rel`` block by block (a regular file, no link, at most the cap)."""
    fd = safefs.open_file(base, rel, limit=MAX_DIGEST_BYTES)
    with os.fdopen(fd, "rb") as handle:
        seen = 0
        while block := handle.read(BLOCK):
            seen += len(block)
            if seen > MAX_DIGEST_BYTES:  # grew while being read
                raise safefs.UnsafePath(
                    f"{(base / rel).as_posix()}: refused: the file is over {MAX_DIGEST_BYTES} "
                    f"bytes; expected at most {MAX_DIGEST_BYTES} bytes"
                )
            digest.update(block)


def synthesis_digest(notebook: Path, team_digests: list[str]) -> str:
    """Hash of what the synthesis page is built from: every team's digest, notebook, kit.

    Examples
    --------
    >>> from kit.report.models import TEAM_REPORT
    >>> a = synthesis_digest(TEAM_REPORT.synthesis, ["1", "2"])
    >>> a == synthesis_digest(TEAM_REPORT.synthesis, ["2", "1"]), len(a)
    (True, 64)
    """
    notebook_hash = hashlib.sha256(notebook.read_bytes()).hexdigest()
    text = "\n".join([*sorted(team_digests), notebook_hash, kit_fingerprint()])
    return hashlib.sha256(text.encode()).hexdigest()


def manifest_path(out: Path, slug: str) -> Path:
    """Where a team's completion marker lives."""
    return out / MANIFEST_DIR / f"{slug}.json"


def running_marker(out: Path, slug: str) -> Path:
    """The marker a worker holds while it builds ``slug`` (tells a crash from a queued job)."""
    return out / MANIFEST_DIR / f"{slug}.running"


def read_manifest(out: Path, slug: str) -> dict[str, Any] | None:
    """The completion marker of a team's last build (``None`` when absent or unreadable).

    Examples
    --------
    >>> read_manifest(Path("/nonexistent"), "a") is None
    True
    """
    try:
        return json.loads(manifest_path(out, slug).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def write_manifest(out: Path, result: TeamResult) -> None:
    """Write a team's marker (last, after its pages)."""
    write_file(manifest_path(out, result.slug), json.dumps(asdict(result), indent=1, default=str))


def is_current(manifest: dict[str, Any] | None, out: Path, digest: str, *, pdf: bool) -> bool:
    """True when the last build succeeded from ``digest`` and its files are all there."""
    if not manifest or manifest.get("status") != Status.OK or manifest.get("digest") != digest:
        return False
    needed = [manifest.get("html"), manifest.get("ipynb")] + ([manifest.get("pdf")] if pdf else [])
    return all(name and (out / name).is_file() for name in needed)


def clean_temporaries(out: Path) -> None:
    """Remove temporary files a killed run left behind (``.<name>.*.tmp``, markers)."""
    marks = out / MANIFEST_DIR
    for path in (
        list(out.glob(".*.tmp"))
        + list(marks.glob(".*.tmp"))
        + list(marks.glob("*.running"))
        + list(out.glob(".*.print.html"))
    ):
        with contextlib.suppress(OSError):
            path.unlink()


def synthesis_current(out: Path, page: str, digest: str) -> bool:
    """True when the synthesis page exists and was built from ``digest``."""
    marker = out / MANIFEST_DIR / SYNTHESIS_MARKER
    return (
        (out / page).is_file() and marker.is_file() and marker.read_text(encoding="utf-8") == digest
    )
