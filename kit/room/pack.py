"""One laptop per team: ``pack`` a team's folder into a zip (``collect`` brings it back).

A pack (``servekit pack DIR --team SLUG --out team.zip``) holds what a laptop with the kit
installed needs to run the team's notebooks: ``workshop.yaml``, ``teams/<slug>/`` (without its
``.history/``), ``notebooks/<slug>/`` and a manifest, :data:`MANIFEST`. The manifest records the
team, which workshop it came from (:func:`workshop_id`), when the pack was made, the SHA-256 of
every file packed and the text of the team's own files: the *base* that
:mod:`kit.room.collect` merges the laptop's work against, row by row. After unzipping, the
notebooks' ``workshop_dir = "../.."`` points at the unzipped folder, so nothing needs editing.

Nothing is read through a symbolic link: a team folder, notebook folder or file that is a link
refuses the pack with a message naming it (a link could carry another team's, or the machine's,
files onto a laptop).

A zip made from an unpacked folder (a team re-zipping its folder, or ``servekit pack`` run on the
laptop) keeps the original manifest's base, so the merge still knows what the laptop changed.

Examples
--------
>>> import tempfile
>>> from kit.store.workshop import create_workshop
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue"])
>>> zipped = pack_team(ws.path, "blue", ws.path.parent / "blue.zip")
>>> sorted(n for n in zipfile.ZipFile(zipped).namelist() if not n.startswith("notebooks/"))
['README.txt', 'servekit-pack.json', 'teams/blue/team.yaml', 'workshop.yaml']
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import os
import stat
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from kit import __version__
from kit.exceptions import PackError
from kit.room.exercises import write_exercises
from kit.room.teamnotebooks import NOTEBOOKS_DIR
from kit.store.oserrors import naming
from kit.store.validation import FILES
from kit.store.workbook import HISTORY_DIR
from kit.store.workshop import TEAMS_DIR, WORKSHOP_FILE, Workshop, is_workshop

__all__ = [
    "FORMAT",
    "FORMATS",
    "IGNORED_TOP",
    "MANIFEST",
    "README",
    "SKIPPED_PARTS",
    "pack_team",
    "read_nofollow",
    "skipped",
    "walk_nofollow",
    "workshop_id",
    "workshop_label",
]

MANIFEST = "servekit-pack.json"
README = "README.txt"
FORMAT = 2
"""Manifest format written: 2 adds the workshop id, the kit version and the base texts."""
FORMATS = (1, 2)
"""Manifest formats ``collect`` reads."""
SKIPPED_PARTS = {HISTORY_DIR, ".ipynb_checkpoints", "__pycache__", ".lock", ".DS_Store", "__MACOSX"}
"""Names never packed nor collected, besides every hidden file or folder."""
IGNORED_TOP = {MANIFEST, README, WORKSHOP_FILE}
"""Files of a pack that collect reads (or ignores) but never writes into the workshop."""
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def skipped(relative: PurePosixPath) -> bool:
    """Hidden files and folders (history, lock, journal, temporary files) and OS litter.

    Examples
    --------
    >>> skipped(PurePosixPath("a/.history/x.csv")), skipped(PurePosixPath("a/journey.csv"))
    (True, False)
    """
    return any(part in SKIPPED_PARTS or part.startswith(".") for part in relative.parts)


def _link_error(path: Path) -> PackError:
    return PackError(
        f"{path}: refused, nothing was written: a symbolic link; expected the file or "
        f"folder itself (links are never followed)"
    )


def read_nofollow(path: Path) -> bytes:
    """A regular file's bytes, opened without following a symbolic link.

    Raises
    ------
    PackError
        ``path`` is a link or not a regular file.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "link").symlink_to("/etc/hostname")
    >>> read_nofollow(folder / "link")
    Traceback (most recent call last):
    ...
    kit.exceptions.PackError: .../link: refused, nothing was written: a symbolic link; expected the file or folder itself (links are never followed)
    """
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            raise _link_error(path) from None
        raise
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise PackError(f"{path}: refused: not a regular file; expected a file")
        return handle.read()


def walk_nofollow(folder: Path) -> dict[str, Path]:
    """Files under ``folder`` (posix relative name -> path), never entering a link.

    History and litter (:func:`skipped`) are left out; a link anywhere is refused.

    Raises
    ------
    PackError
        ``folder``, a folder inside it or a file is a symbolic link.

    Examples
    --------
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.csv").write_text("x")
    >>> (folder / ".history").mkdir()
    >>> list(walk_nofollow(folder))
    ['a.csv']
    """
    found: dict[str, Path] = {}
    if folder.is_symlink():
        raise _link_error(folder)
    if not folder.is_dir():
        return found
    pending = [folder]
    while pending:
        current = pending.pop()
        for entry in sorted(os.scandir(current), key=lambda e: e.name):
            path = Path(entry.path)
            relative = PurePosixPath(path.relative_to(folder).as_posix())
            if skipped(relative):
                continue
            if entry.is_symlink():
                raise _link_error(path)
            if entry.is_dir(follow_symlinks=False):
                pending.append(path)
            elif entry.is_file(follow_symlinks=False):
                found[relative.as_posix()] = path
    return dict(sorted(found.items()))


def workshop_id(root: Path | str) -> str:
    """A short fingerprint of a workshop (its case, date and title in ``workshop.yaml``).

    A pack records it, so ``collect`` can tell a zip from another workshop (another room, or
    last month's run of the same case).

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> a = create_workshop(Path(tempfile.mkdtemp()) / "a", title="Room A", date="2026-03-02")
    >>> b = create_workshop(Path(tempfile.mkdtemp()) / "b", title="Room B", date="2026-03-02")
    >>> workshop_id(a.path) == workshop_id(b.path), len(workshop_id(a.path))
    (False, 16)
    """
    info = Workshop(Path(root)).info
    key = json.dumps([str(info.get(k, "")) for k in ("case", "date", "title")])
    return _sha(key.encode("utf-8"))[:16]


def workshop_label(root: Path | str) -> str:
    """How a workshop is named in messages: its title and date.

    Examples
    --------
    >>> workshop_label("/nowhere")
    "'' of ''"
    """
    info = Workshop(Path(root)).info
    return f"{str(info.get('title', ''))!r} of {str(info.get('date', ''))!r}"


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
    if (root / NOTEBOOKS_DIR / slug).is_dir():  # the team's exercises travel with its notebooks
        write_exercises(root, [slug])
    members: dict[str, bytes] = {}
    for prefix, folder in (
        (f"{TEAMS_DIR}/{slug}", found.path),
        (f"{NOTEBOOKS_DIR}/{slug}", root / NOTEBOOKS_DIR / slug),
    ):
        for relative, path in walk_nofollow(folder).items():
            members[f"{prefix}/{relative}"] = read_nofollow(path)
    info = root / WORKSHOP_FILE
    if info.is_file() or info.is_symlink():
        members[WORKSHOP_FILE] = read_nofollow(info)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    hashes = {name: _sha(data) for name, data in members.items() if name != WORKSHOP_FILE}
    earlier = _read_manifest_file(root / MANIFEST)  # packing an unpacked pack: keep its base
    texts = {
        name: data.decode("utf-8", errors="replace")
        for name, data in members.items()
        if name.startswith(f"{TEAMS_DIR}/{slug}/") and name.rpartition("/")[2] in FILES
    }
    manifest = {
        "format": FORMAT,
        "kit": __version__,
        "workshop": workshop_id(root),
        "workshop_label": workshop_label(root),
        "team": slug,
        "name": workshop.team_names().get(slug, slug),
        "packed_at": now,
        "zipped_at": now,
        "base": hashes,
        "base_texts": texts,
    }
    if earlier and earlier.get("team") == slug:  # re-packed on the laptop: the base stays
        for key in ("workshop", "workshop_label", "packed_at", "base", "base_texts"):
            if key in earlier:
                manifest[key] = earlier[key]
            elif key == "base_texts":
                manifest.pop(key)
    members[MANIFEST] = json.dumps(manifest, indent=1, sort_keys=True).encode("utf-8")
    members[README] = _readme(slug, manifest["name"]).encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    with (
        naming(out),
        tempfile.NamedTemporaryFile(
            dir=out.parent, prefix=f".{out.name}.", suffix=".tmp", delete=False
        ) as handle,
    ):
        tmp = Path(handle.name)
    try:
        with naming(out), zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(members):
                archive.writestr(name, members[name])
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def _read_manifest_file(path: Path) -> dict | None:
    try:
        data = json.loads(read_nofollow(path).decode("utf-8"))
    except (OSError, ValueError, PackError):
        return None
    return data if isinstance(data, dict) else None
