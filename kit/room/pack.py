"""One laptop per team: ``pack`` a team's folder into a zip, ``collect`` the work back.

A pack (``servekit pack DIR --team SLUG --out team.zip``) holds what a laptop with the kit
installed needs to run the team's notebooks: ``workshop.yaml``, ``teams/<slug>/`` (without its
``.history/``), ``notebooks/<slug>/`` and a manifest, :data:`MANIFEST`, recording the team, when
the pack was made and the SHA-256 of every file packed. After unzipping, the notebooks'
``workshop_dir = "../.."`` points at the unzipped folder, so nothing needs editing.

``servekit collect DIR team.zip …`` brings the work back, one zip at a time:

1. every entry is checked first: an absolute path, a ``..`` step, a symbolic link, or anything
   outside ``teams/<slug>/`` and ``notebooks/<slug>/`` refuses the whole zip with a message
   naming the entries — and nothing is written (zip-slip);
2. the team's files from the zip are validated like any team folder; errors refuse the zip;
3. each file is compared with the workshop's copy and with the manifest's hash of the packed
   version: a file the workshop did not change since the pack is updated (its old version kept
   in ``.history/``); a file changed in the workshop since the pack (newer work, e.g. edited on
   the shared server meanwhile) is a **conflict**: the workshop's version stays and the zip's is
   kept in ``.history/`` beside it (``prefer="zip"`` swaps the two). Nothing is silently lost.

A zip made from an unpacked folder (a team re-zipping its folder, or ``servekit pack`` run on the
laptop) keeps the original manifest's hashes as its base, so conflicts are still detected.

Examples
--------
>>> import tempfile
>>> from kit.store.workshop import create_workshop
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue"])
>>> zipped = pack_team(ws.path, "blue", ws.path.parent / "blue.zip")
>>> sorted(n for n in zipfile.ZipFile(zipped).namelist() if not n.startswith("notebooks/"))
['README.txt', 'servekit-pack.json', 'teams/blue/team.yaml', 'workshop.yaml']
>>> collect(ws.path, zipped).summary()
'blue (blue.zip): nothing changed'
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import stat
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kit.exceptions import PackError
from kit.room.teamnotebooks import NOTEBOOKS_DIR
from kit.store.csvio import atomic_write
from kit.store.problems import Problem, errors
from kit.store.storage import team_lock
from kit.store.workbook import HISTORY_DIR, validate_team
from kit.store.workshop import TEAMS_DIR, WORKSHOP_FILE, Workshop, is_workshop

__all__ = [
    "Collected",
    "FORMAT",
    "IGNORED_TOP",
    "MANIFEST",
    "README",
    "SKIPPED_PARTS",
    "collect",
    "pack_team",
    "read_pack",
]

MANIFEST = "servekit-pack.json"
README = "README.txt"
FORMAT = 1
SKIPPED_PARTS = {HISTORY_DIR, ".ipynb_checkpoints", "__pycache__", ".lock", ".DS_Store", "__MACOSX"}
"""Names never packed nor collected, besides every hidden file or folder."""
IGNORED_TOP = {MANIFEST, README, WORKSHOP_FILE}
"""Files of a pack that collect reads (or ignores) but never writes into the workshop."""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _skipped(relative: PurePosixPath) -> bool:
    """Hidden files and folders (history, lock, journal, temporary files) and OS litter."""
    return any(part in SKIPPED_PARTS or part.startswith(".") for part in relative.parts)


def _files(folder: Path) -> dict[str, Path]:
    """Files under ``folder`` (posix relative name -> path), skipping history and litter."""
    found = {}
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            relative = PurePosixPath(path.relative_to(folder).as_posix())
            if path.is_file() and not path.is_symlink() and not _skipped(relative):
                found[relative.as_posix()] = path
    return found


def _readme(slug: str, name: str) -> str:
    return (
        f"Team {name} ({slug}) — a Serve the Servers workshop pack\n\n"
        "1. Unzip this file into a folder of its own.\n"
        "2. The laptop needs the kit installed: from a copy of the kit's repository run\n"
        "   'make demo' (or 'pip install .'); see the kit's README.\n"
        "3. In that folder run  servekit lab .  (it prints your team's link) or simply\n"
        f"   jupyter lab  and open notebooks/{slug}/01_journey.ipynb; then Run > Run All Cells.\n"
        "4. To hand your work back, zip the whole folder again (or run "
        f"'servekit pack . --team {slug} --out {slug}-back.zip') and give the zip to the "
        "facilitator.\n\n"
        f"Do not edit {MANIFEST}: it tells the facilitator's 'servekit collect' what was "
        "packed, so newer work on the shared copy is never overwritten.\n"
    )


def pack_team(workshop_dir: Path | str, team: str, out: Path | str) -> Path:
    """Zip a team's folder and notebooks (plus ``workshop.yaml`` and a manifest) into ``out``.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    team : str
        The team's slug or display name.
    out : path-like
        The zip to write (outside the team's folders; replaced atomically).

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    PackError, kit.exceptions.WorkshopError
        Not a workshop, unknown team, or ``out`` inside the team's folders.
    """
    root = Path(workshop_dir).resolve()
    if not is_workshop(root):
        raise PackError(
            f"{workshop_dir} is not a workshop folder (no workshop.yaml and no "
            f"teams/ folder); expected a folder made by 'servekit new'"
        )
    workshop = Workshop(root)
    found = workshop.team(team)
    slug = found.slug
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise PackError(f"--out {out}: expected a file name ending in .zip")
    for inside in (found.path, root / NOTEBOOKS_DIR / slug):
        if out.resolve().is_relative_to(inside.resolve()):
            raise PackError(
                f"--out {out} is inside {inside}; expected a zip outside the "
                f"team's folders (it would pack itself)"
            )
    members: dict[str, bytes] = {}
    for prefix, folder in (
        (f"{TEAMS_DIR}/{slug}", found.path),
        (f"{NOTEBOOKS_DIR}/{slug}", root / NOTEBOOKS_DIR / slug),
    ):
        for relative, path in _files(folder).items():
            members[f"{prefix}/{relative}"] = path.read_bytes()
    info = root / WORKSHOP_FILE
    if info.is_file():
        members[WORKSHOP_FILE] = info.read_bytes()
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    hashes = {name: _sha(data) for name, data in members.items() if name != WORKSHOP_FILE}
    earlier = _read_manifest_file(root / MANIFEST)  # packing an unpacked pack: keep its base
    if earlier and earlier.get("team") == slug:
        base, packed_at = earlier.get("base", {}), earlier.get("packed_at", now)
    else:
        base, packed_at = hashes, now
    manifest = {
        "format": FORMAT,
        "team": slug,
        "name": workshop.team_names().get(slug, slug),
        "packed_at": packed_at,
        "zipped_at": now,
        "base": base,
    }
    members[MANIFEST] = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
    members[README] = _readme(slug, manifest["name"]).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        dir=out.parent, prefix=f".{out.name}.", suffix=".tmp", delete=False
    ) as handle:
        tmp = Path(handle.name)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(members):
                archive.writestr(name, members[name])
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def _read_manifest_file(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


# --------------------------------------------------------------------------- collect
@dataclass
class Collected:
    """What collecting one zip did (paths relative to the workshop folder)."""

    zip_name: str
    team: str
    updated: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    """(file, where the version not kept in place was saved)."""
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph for the facilitator: what changed, and every conflict."""
        parts = []
        for label, items in (("updated", self.updated), ("new", self.added)):
            if items:
                parts.append(f"{len(items)} {label} ({', '.join(items)})")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflict(s)")
        head = f"{self.team} ({self.zip_name}): " + ("; ".join(parts) or "nothing changed")
        lines = [head]
        for name, kept in self.conflicts:
            lines.append(
                f"  conflict: {name} changed in the workshop since the pack was made; "
                f"the other version is kept at {kept}"
            )
        lines += [f"  {p}" for p in self.warnings]
        return "\n".join(lines)


def _entry_problem(info: zipfile.ZipInfo, allowed: tuple[str, ...]) -> str:
    """Why a zip entry may not be extracted, or ``""``."""
    name = info.filename
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        return "is a symbolic link"
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":") or "\x00" in text:
        return "is an absolute path"
    parts = PurePosixPath(text).parts
    if ".." in parts:
        return "climbs out with '..'"
    if info.is_dir():
        return ""
    clean = PurePosixPath(*[p for p in parts if p != "."]).as_posix()
    if clean in IGNORED_TOP or _skipped(PurePosixPath(clean)):
        return ""
    if not clean.startswith(allowed):
        return "lies outside " + " and ".join(f"{a}" for a in allowed)
    return ""


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PackError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackError(
            f"{path}: not a zip file ({exc}); expected a zip made by 'servekit pack'"
        ) from None


def _strip_top(names: list[str]) -> str:
    """The single top folder every entry sits in (a folder zipped again), or ``""``."""
    if MANIFEST in names:
        return ""
    tops = {n.replace("\\", "/").split("/", 1)[0] for n in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{MANIFEST}" in names:
            return top + "/"
    return ""


def read_pack(path: Path | str) -> tuple[dict, dict[str, bytes]]:
    """Check a zip and return its manifest and its team files (nothing is written).

    Returns
    -------
    manifest : dict
    files : dict
        ``teams/<slug>/…`` and ``notebooks/<slug>/…`` name -> content.

    Raises
    ------
    PackError
        Not a pack, or an unsafe entry (the message names every one).

    Examples
    --------
    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "bad.zip"
    >>> with zipfile.ZipFile(bad, "w") as archive:
    ...     archive.writestr(MANIFEST, '{"team": "blue"}')
    ...     archive.writestr("../evil.txt", "x")
    >>> read_pack(bad)
    Traceback (most recent call last):
    ...
    kit.exceptions.PackError: ...bad.zip: refused, nothing was written: 1 unsafe entry (expected only files under teams/blue/ and notebooks/blue/): '../evil.txt' climbs out with '..'
    """
    path = Path(path)
    with _open_zip(path) as archive:
        infos = archive.infolist()
        names = [i.filename for i in infos]
        top = _strip_top(names)
        manifest_name = top + MANIFEST
        if manifest_name not in names:
            raise PackError(
                f"{path}: refused, nothing was written: no {MANIFEST} in the zip; "
                f"expected a zip made by 'servekit pack' (or its folder zipped "
                f"again)"
            )
        try:
            manifest = json.loads(archive.read(manifest_name).decode("utf-8"))
            slug = str(manifest["team"])
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            raise PackError(
                f"{path}: refused, nothing was written: {MANIFEST} is damaged; "
                f"expected the file 'servekit pack' wrote"
            ) from None
        if not slug or "/" in slug or "\\" in slug or slug in {".", ".."}:
            raise PackError(
                f"{path}: refused, nothing was written: {MANIFEST} names team "
                f"{slug!r}; expected a team folder name"
            )
        allowed = (f"{TEAMS_DIR}/{slug}/", f"{NOTEBOOKS_DIR}/{slug}/")
        bad = []
        seen: set[str] = set()
        for info in infos:
            if info.filename in seen:
                bad.append(f"'{info.filename}' appears twice")
            seen.add(info.filename)
            inner = info.filename[len(top) :] if info.filename.startswith(top) else info.filename
            probe = zipfile.ZipInfo(inner)
            probe.external_attr = info.external_attr
            if info.is_dir():
                probe.filename = inner.rstrip("/") + "/"
            why = _entry_problem(probe, allowed) if inner else ""
            if why:
                bad.append(f"'{info.filename}' {why}")
        if bad:
            raise PackError(
                f"{path}: refused, nothing was written: "
                f"{len(bad)} unsafe entr{'y' if len(bad) == 1 else 'ies'} (expected "
                f"only files under {allowed[0]} and {allowed[1]}): " + "; ".join(bad)
            )
        files = {}
        for info in infos:
            if info.is_dir():
                continue
            inner = PurePosixPath(info.filename[len(top) :]).as_posix()
            if inner.startswith(allowed) and not _skipped(PurePosixPath(inner)):
                files[inner] = archive.read(info)
    if not isinstance(manifest.get("base", {}), dict):
        manifest["base"] = {}
    return manifest, files


def _plan(
    root: Path,
    files: dict[str, bytes],
    base: dict[str, str],
    result: Collected,
    prefer: str,
    label: str,
) -> list[tuple[str, bytes]]:
    """What to write (relative path, bytes), in order; fills ``result`` as it decides."""
    plan: list[tuple[str, bytes]] = []
    for name in sorted(files):
        data = files[name]
        target = root / name
        current = target.read_bytes() if target.is_file() else None
        if current == data:
            result.unchanged.append(name)
        elif current is None and name not in base:
            plan.append((name, data))
            result.added.append(name)
        elif current is None:  # packed, then deleted in the workshop: not brought back silently
            kept = _history_name(name, label)
            plan.append((kept, data))
            result.conflicts.append((name, kept))
        elif base.get(name) == _sha(current):  # the workshop did not change it since the pack
            plan.append((_history_name(name, ""), current))
            plan.append((name, data))
            result.updated.append(name)
        elif prefer == "zip":
            kept = _history_name(name, "workshop.")
            plan.append((kept, current))
            plan.append((name, data))
            result.conflicts.append((name, kept))
        else:
            kept = _history_name(name, label)
            plan.append((kept, data))
            result.conflicts.append((name, kept))
    return plan


def _history_name(relative: str, label: str) -> str:
    folder, _, name = relative.rpartition("/")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"{folder}/{HISTORY_DIR}/{stamp}.{label}{name}"


def collect(
    workshop_dir: Path | str, zip_path: Path | str, *, prefer: str = "workshop"
) -> Collected:
    r"""Bring one team's work back from a pack into the workshop.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    zip_path : path-like
        A zip made by :func:`pack_team` (or its unzipped folder zipped again).
    prefer : {"workshop", "zip"}
        On a conflict, which version stays in place (the other goes to ``.history/``).

    Returns
    -------
    Collected

    Raises
    ------
    PackError
        Unsafe entries, not a pack, an unknown team, or invalid team data — nothing written.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue"])
    >>> zipped = pack_team(ws.path, "blue", ws.path.parent / "blue.zip")
    >>> _ = (ws.path / "teams" / "blue" / "team.yaml").write_text("name: Blue\nmembers: [Al]\n")
    >>> laptop = ws.path.parent / "laptop.zip"  # the laptop changed it too
    >>> with zipfile.ZipFile(zipped) as old, zipfile.ZipFile(laptop, "w") as new:
    ...     for name in old.namelist():
    ...         new.writestr(name, old.read(name) if not name.endswith("team.yaml")
    ...                      else "name: Blue\nmembers: [Bo]\n")
    >>> result = collect(ws.path, laptop)
    >>> result.conflicts[0][0], (ws.path / "teams/blue/team.yaml").read_text()
    ('teams/blue/team.yaml', 'name: Blue\nmembers: [Al]\n')
    """
    if prefer not in {"workshop", "zip"}:
        raise PackError(f"prefer={prefer!r}: expected 'workshop' or 'zip'")
    root = Path(workshop_dir)
    zip_path = Path(zip_path)
    if not is_workshop(root):
        raise PackError(
            f"{workshop_dir} is not a workshop folder (no workshop.yaml and no "
            f"teams/ folder); expected a folder made by 'servekit new'"
        )
    manifest, files = read_pack(zip_path)
    slug = manifest["team"]
    known = {t.slug for t in Workshop(root).teams()}
    if slug not in known:
        raise PackError(
            f"{zip_path}: refused, nothing was written: team {slug!r} is not in "
            f"{root / TEAMS_DIR}; expected one of: {', '.join(sorted(known)) or '-'}"
        )
    team_prefix = f"{TEAMS_DIR}/{slug}/"
    with tempfile.TemporaryDirectory(prefix="servekit-collect-") as tmp:
        staged = Path(tmp) / TEAMS_DIR / slug
        staged.mkdir(parents=True)
        for name, data in files.items():
            if name.startswith(team_prefix):
                target = Path(tmp) / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        problems = validate_team(staged, root=tmp)
    if errors(problems):
        lines = "\n".join(f"  {p}" for p in errors(problems))
        raise PackError(
            f"{zip_path}: refused, nothing was written: the team's data has "
            f"errors (fix them on the laptop and zip again):\n{lines}"
        )
    result = Collected(zip_path.name, slug, warnings=[p for p in problems if not p.is_error])
    with team_lock(root / TEAMS_DIR / slug):  # the lock every editor's save takes
        for name, data in _plan(
            root, files, manifest.get("base", {}), result, prefer, f"from-{zip_path.stem}."
        ):
            atomic_write(root / name, data)
    if result.updated or result.added or (result.conflicts and prefer == "zip"):
        after = validate_team(root / TEAMS_DIR / slug, root=root)
        result.warnings += [
            Problem(p.path, p.row, p.column, f"after collecting: {p.message}", "warning")
            for p in errors(after)
        ]
    return result
