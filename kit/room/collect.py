r"""``servekit collect``: bring a team's work back from a laptop's zip, losing nothing.

A zip is checked completely before anything is written, and a refused zip writes nothing:

1. **from the zip's directory, before inflating anything**: at most :data:`MAX_ENTRIES`
   entries, no entry over :data:`MAX_ENTRY_BYTES` nor compressed more than :data:`MAX_RATIO`
   times, and at most :data:`MAX_TOTAL_BYTES` in all — the message names the limit;
2. **entry names** are read as a laptop meant them: ``\`` becomes ``/`` (Windows PowerShell 5.1's
   ``Compress-Archive`` writes backslashes) and Unicode is normalised (NFC). An absolute path, a
   ``..`` step, a symbolic link, a name too long for a disk, two names that are the same file on
   a case-insensitive or normalising disk, or anything outside ``teams/<slug>/`` (the kit's team
   files only) and ``notebooks/<slug>/`` refuses the whole zip, naming every entry (shown with
   control and format characters escaped, so a name cannot rewrite the terminal);
3. the **manifest** must be one this kit reads (:data:`kit.room.pack.FORMATS`) and come from
   this workshop (:func:`kit.room.pack.workshop_id`);
4. the team's files from the zip are validated like any team folder.

Then the work goes in through the one safe save (:func:`kit.store.teamsave.save_team_files`):
under the team's lock, each file is merged **row by row** with the workshop's copy against the
packed base (the manifest keeps the team files' text; :mod:`kit.store.merge`). Rows changed on
one side only are taken; a row changed differently on both sides is a **conflict**: the zip is
refused (exit status 1) with every clash and what to do — run again with ``--prefer zip`` or
``--prefer workshop``, and the version not kept in place goes to ``.history/``. The whole team
is validated as it would be, and all its files are written as one change (previous versions in
``.history/``). Notebooks (not row-mergeable) are taken when only one side changed them.
Nothing is read or written through a symbolic link on either side.

Examples
--------
>>> import tempfile
>>> from kit.room.pack import pack_team
>>> from kit.store.workshop import create_workshop
>>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue"])
>>> zipped = pack_team(ws.path, "blue", ws.path.parent / "blue.zip")
>>> collect(ws.path, zipped).summary()
'blue (blue.zip): nothing changed'
"""

from __future__ import annotations

import json
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kit.exceptions import InvalidData, PackError
from kit.room.pack import (
    FORMATS,
    IGNORED_TOP,
    MANIFEST,
    read_nofollow,
    skipped,
    workshop_id,
    workshop_label,
)
from kit.room.teamnotebooks import NOTEBOOKS_DIR, team_owner
from kit.store import safefs
from kit.store.csvio import atomic_write
from kit.store.filemerge import Decision, decide_file, history_name
from kit.store.oserrors import naming
from kit.store.problems import Problem, errors
from kit.store.teamsave import save_team_files
from kit.store.terminal import safe_text
from kit.store.validation import FILES, parse_team
from kit.store.workshop import TEAMS_DIR, Workshop, is_workshop

__all__ = [
    "MAX_ENTRIES",
    "MAX_ENTRY_BYTES",
    "MAX_NAME_CHARS",
    "MAX_RATIO",
    "MAX_TOTAL_BYTES",
    "Collected",
    "collect",
    "entry_name",
    "read_pack",
]

MAX_ENTRIES = 2_000
"""Most entries a zip may hold (a team's pack holds a few dozen)."""
MAX_ENTRY_BYTES = 20_000_000
"""Largest file a zip may hold, uncompressed (team tables are kilobytes, notebooks megabytes)."""
MAX_TOTAL_BYTES = 100_000_000
"""Most bytes a zip may inflate to, all entries together."""
MAX_RATIO = 100
"""Highest compression ratio accepted for an entry over 1 MB (a zip bomb has thousands)."""
MAX_NAME_CHARS = 255
"""Longest file or folder name in an entry (what most disks allow)."""
_RATIO_FLOOR = 1_000_000


def entry_name(raw: str) -> str:
    r"""An entry's name as the laptop meant it: ``/`` separators, NFC, no ``./`` steps.

    Examples
    --------
    >>> entry_name("teams\\blue\\plan.csv")
    'teams/blue/plan.csv'
    >>> entry_name("./notebooks/blue/Cafe\u0301.ipynb") == "notebooks/blue/Caf\u00e9.ipynb"
    True
    """
    text = unicodedata.normalize("NFC", raw.replace("\\", "/"))
    trailing = "/" if text.endswith("/") else ""
    parts = [p for p in text.split("/") if p not in ("", ".")]
    lead = "/" if text.startswith("/") else ""
    return lead + "/".join(parts) + (trailing if parts else "")


@dataclass
class Collected:
    """What collecting one zip did (paths relative to the workshop folder)."""

    zip_name: str
    team: str
    updated: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    """Files changed on both sides, merged row by row."""
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[tuple[str, str]] = field(default_factory=list)
    """Clashes settled by ``prefer``: (file, where the version not kept in place was saved)."""
    warnings: list[Problem] = field(default_factory=list)

    def summary(self) -> str:
        """One paragraph for the facilitator: what changed, and every conflict settled."""
        parts = []
        for label, items in (
            ("updated", self.updated),
            ("new", self.added),
            ("merged with the workshop's changes", self.merged),
        ):
            if items:
                parts.append(f"{len(items)} {label} ({', '.join(map(safe_text, items))})")
        if self.conflicts:
            parts.append(f"{len(self.conflicts)} conflict(s)")
        head = f"{self.team} ({self.zip_name}): " + ("; ".join(parts) or "nothing changed")
        lines = [head]
        for name, kept in self.conflicts:
            lines.append(
                f"  conflict: {safe_text(name)} changed in the workshop since the pack was made; "
                f"the other version is kept at {safe_text(kept)}"
            )
        lines += [f"  {p}" for p in self.warnings]
        return "\n".join(lines)


@dataclass
class Pack:
    """A checked zip: its manifest and its team's files (workshop-relative name -> bytes)."""

    manifest: dict
    files: dict[str, bytes]


def _refused(path: Path, why: str) -> PackError:
    return PackError(f"{path}: refused, nothing was written: {why}")


def _open_zip(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except FileNotFoundError:
        raise PackError(f"{path}: no such file") from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise PackError(
            f"{path}: not a zip file ({exc}); expected a zip made by 'servekit pack'"
        ) from None


def _check_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse from the zip's directory alone, before inflating a single byte."""
    if len(infos) > MAX_ENTRIES:
        raise _refused(
            path,
            f"the zip holds {len(infos)} entries; expected at most {MAX_ENTRIES} "
            f"(a team's pack holds a few dozen)",
        )
    total = 0
    for info in infos:
        name = safe_text(info.filename)
        if info.file_size > MAX_ENTRY_BYTES:
            raise _refused(
                path,
                f"'{name}' would inflate to {info.file_size} bytes; expected at most "
                f"{MAX_ENTRY_BYTES} per file",
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > _RATIO_FLOOR and ratio > MAX_RATIO:
            raise _refused(
                path,
                f"'{name}' is compressed {ratio:.0f} times ({info.compress_size} bytes "
                f"to {info.file_size}); expected at most {MAX_RATIO} times (a zip bomb?)",
            )
        total += info.file_size
    if total > MAX_TOTAL_BYTES:
        raise _refused(
            path,
            f"the zip would inflate to {total} bytes; expected at most {MAX_TOTAL_BYTES} in all",
        )


def _strip_top(names: list[str]) -> str:
    """The single top folder every entry sits in (a folder zipped again), or ``""``."""
    if MANIFEST in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1:
        top = tops.pop()
        if f"{top}/{MANIFEST}" in names:
            return top + "/"
    return ""


def _entry_problem(name: str, info: zipfile.ZipInfo, allowed: tuple[str, str]) -> str:
    """Why an entry (normalised name, without the top folder) may not be taken, or ``""``."""
    if stat.S_ISLNK(info.external_attr >> 16):
        return "is a symbolic link"
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or "\x00" in name:
        return "is an absolute path"
    parts = PurePosixPath(name).parts
    if ".." in parts:
        return "climbs out with '..'"
    longest = max((len(p) for p in parts), default=0)
    if longest > MAX_NAME_CHARS:
        return f"has a name of {longest} characters; expected at most {MAX_NAME_CHARS}"
    if name.endswith("/") or name in IGNORED_TOP or skipped(PurePosixPath(name)):
        return ""
    if not name.startswith(allowed):
        return "lies outside " + " and ".join(allowed)
    if name.startswith(allowed[0]) and name[len(allowed[0]) :] not in FILES:
        return f"is not a team file; expected only {', '.join(FILES)} in {allowed[0]}"
    return ""


def _manifest(path: Path, archive: zipfile.ZipFile, name: str) -> dict:
    try:
        manifest = json.loads(archive.read(name).decode("utf-8"))
        slug = str(manifest["team"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, zipfile.BadZipFile, zlib.error):
        raise _refused(
            path, f"{MANIFEST} is damaged; expected the file 'servekit pack' wrote"
        ) from None
    if manifest.get("format") not in FORMATS:
        raise _refused(
            path,
            f"{MANIFEST} has format {safe_text(repr(manifest.get('format')))}; this servekit "
            f"reads formats {', '.join(map(str, FORMATS))}; expected a zip packed by this "
            f"version of servekit (update servekit on this machine, or pack again)",
        )
    if not slug or "/" in slug or "\\" in slug or slug in {".", ".."}:
        raise _refused(path, f"{MANIFEST} names team {safe_text(repr(slug))}; expected a team")
    for key in ("base", "base_texts"):
        if not isinstance(manifest.get(key, {}), dict):
            manifest[key] = {}
    return manifest


def _names(path: Path, infos: list[zipfile.ZipInfo]) -> tuple[list[str], str]:
    names = [entry_name(i.filename) for i in infos]
    return names, _strip_top(names)


def read_pack(path: Path | str) -> Pack:
    """Check a zip completely and return its manifest and team files (nothing is written).

    Raises
    ------
    kit.exceptions.PackError
        Not a pack, too big, a damaged manifest, or unsafe entries (every one is named).

    Examples
    --------
    >>> import tempfile
    >>> bad = Path(tempfile.mkdtemp()) / "bad.zip"
    >>> with zipfile.ZipFile(bad, "w") as archive:
    ...     archive.writestr(MANIFEST, '{"format": 2, "team": "blue"}')
    ...     archive.writestr("../evil.txt", "x")
    >>> read_pack(bad)
    Traceback (most recent call last):
    ...
    kit.exceptions.PackError: ...bad.zip: refused, nothing was written: 1 unsafe entry (expected only files under teams/blue/ and notebooks/blue/): '../evil.txt' climbs out with '..'
    """
    path = Path(path)
    with _open_zip(path) as archive:
        infos = archive.infolist()
        _check_sizes(path, infos)
        names, top = _names(path, infos)
        if top + MANIFEST not in names:
            raise _refused(
                path,
                f"no {MANIFEST} in the zip; expected a zip made by 'servekit pack' (or its "
                f"folder zipped again)",
            )
        manifest = _manifest(path, archive, infos[names.index(top + MANIFEST)].filename)
        slug = manifest["team"]
        allowed = (f"{TEAMS_DIR}/{slug}/", f"{NOTEBOOKS_DIR}/{slug}/")
        bad: list[str] = []
        seen: dict[str, tuple[str, str]] = {}
        files: dict[str, zipfile.ZipInfo] = {}
        for info, name in zip(infos, names, strict=True):
            shown = safe_text(info.filename)
            inner = name[len(top) :] if top and name.startswith(top) else name
            if info.is_dir():
                inner = inner.rstrip("/") + "/"
            key = inner.casefold()
            if key in seen:
                first, first_name = seen[key]
                if first == info.filename:
                    bad.append(f"'{shown}' appears twice")
                else:
                    how = "once Unicode is normalised" if first_name == inner else "by case"
                    bad.append(f"'{safe_text(first)}' and '{shown}' name the same file {how}")
                continue
            seen[key] = (info.filename, inner)
            why = _entry_problem(inner, info, allowed) if inner.strip("/") else ""
            if why:
                bad.append(f"'{shown}' {why}")
            elif (
                inner.startswith(allowed)
                and not inner.endswith("/")
                and not skipped(PurePosixPath(inner))
            ):
                files[inner] = info
        if bad:
            raise _refused(
                path,
                f"{len(bad)} unsafe entr{'y' if len(bad) == 1 else 'ies'} (expected only files "
                f"under {allowed[0]} and {allowed[1]}): " + "; ".join(bad),
            )
        try:
            data = {name: archive.read(info) for name, info in files.items()}
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise _refused(
                path, f"the zip is damaged ({exc}); expected the zip to be made again"
            ) from None
    return Pack(manifest, data)


def _check_zip_team(path: Path, slug: str, files: dict[str, bytes]) -> list[Problem]:
    prefix = f"{TEAMS_DIR}/{slug}/"
    raws = {n[len(prefix) :]: d for n, d in files.items() if n.startswith(prefix)}
    problems = parse_team(raws, lambda f: prefix + f).problems
    if errors(problems):
        lines = "\n".join(f"  {p}" for p in errors(problems))
        raise _refused(
            path, f"the team's data has errors (fix them on the laptop and zip again):\n{lines}"
        )
    return [p for p in problems if not p.is_error]


def _check_workshop(root: Path, path: Path, manifest: dict) -> None:
    packed = manifest.get("workshop")
    if packed is not None and packed != workshop_id(root):
        raise _refused(
            path,
            f"it was packed from workshop {safe_text(str(manifest.get('workshop_label', packed)))}"
            f", but {root} is workshop {safe_text(workshop_label(root))}; expected a zip "
            f"packed from this workshop",
        )
    known = {t.slug for t in Workshop(root).teams()}
    if manifest["team"] not in known:
        raise _refused(
            path,
            f"team {safe_text(repr(manifest['team']))} is not in {root / TEAMS_DIR}; expected "
            f"one of: {', '.join(sorted(known)) or '-'}",
        )


def _real_folder(folder: Path, stop: Path) -> None:
    """Refuse when ``folder`` or a folder between it and ``stop`` is a symbolic link."""
    current = folder
    while True:
        if current.is_symlink():
            raise PackError(
                f"{current}: refused, nothing was written: a symbolic link; expected a real "
                f"folder (links are never followed)"
            )
        if current == stop or current.parent == current:
            return
        current = current.parent


def _conflict_error(path: Path, root: Path, clashes: list[str]) -> PackError:
    lines = "\n".join(f"  {c}" for c in clashes)
    return _refused(
        path,
        f"{len(clashes)} conflict(s): changed both on the laptop and in the workshop since the "
        f"pack was made:\n{lines}\nWhat to do: compare the two, then run "
        f"'servekit collect {root} {path} --prefer zip' to keep the laptop's values, or "
        f"'--prefer workshop' to keep the workshop's (the other version is kept in .history/)",
    )


def _current(root: Path, name: str) -> bytes | None:
    target = root / name
    _real_folder(target.parent, root)
    if not target.exists() and not target.is_symlink():
        return None
    return read_nofollow(target)


def collect(
    workshop_dir: Path | str, zip_path: Path | str, *, prefer: str | None = None
) -> Collected:
    r"""Bring one team's work back from a pack into the workshop (see the module's text).

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder.
    zip_path : path-like
        A zip made by :func:`kit.room.pack.pack_team` (or its unzipped folder zipped again).
    prefer : {None, "workshop", "zip"}
        How clashes are settled: refused (``None``, the default), or with the workshop's or
        the zip's values (the other version is kept in ``.history/``).

    Returns
    -------
    Collected

    Raises
    ------
    kit.exceptions.PackError
        Unsafe or oversized entries, not a pack from this workshop, an unknown team, invalid
        team data, or a conflict — nothing written.
    """
    if prefer not in {None, "workshop", "zip"}:
        raise PackError(f"prefer={prefer!r}: expected 'workshop' or 'zip'")
    root = Path(workshop_dir)
    path = Path(zip_path)
    if not is_workshop(root):
        raise PackError(
            f"{workshop_dir} is not a workshop folder (no workshop.yaml and no "
            f"teams/ folder); expected a folder made by 'servekit new'"
        )
    pack = read_pack(path)
    manifest, slug = pack.manifest, pack.manifest["team"]
    _check_workshop(root, path, manifest)
    team_dir = root / TEAMS_DIR / slug
    _real_folder(team_dir, root)
    _real_folder(root / NOTEBOOKS_DIR / slug, root)
    result = Collected(path.name, slug, warnings=_check_zip_team(path, slug, pack.files))
    decisions = _save(root, path, pack, prefer)
    for d in decisions:
        getattr(result, d.outcome).append(d.name)
        for what, data in d.keep:  # the version not kept in place, or the one replaced
            target = root / history_name(d.name, f"from-{path.stem}." if what == "zip" else what)
            _real_folder(target.parent, root)
            with naming(target):
                atomic_write(target, data)
            if what:
                result.conflicts.append((d.name, target.relative_to(root).as_posix()))
    return result


def _save(root: Path, path: Path, pack: Pack, prefer: str | None) -> list[Decision]:
    """Decide every file, then write: notebooks staged, the team's one safe save, renames."""
    slug = pack.manifest["team"]
    base, texts = pack.manifest.get("base", {}), pack.manifest.get("base_texts", {})
    prefix = f"{TEAMS_DIR}/{slug}/"
    decided = [
        decide_file(n, _current(root, n), d, base.get(n), None, prefer, keep_old=True)
        for n, d in sorted(pack.files.items())
        if not n.startswith(prefix)
    ]
    staged: dict[str, bytes] = {}

    def plan(disk: dict[str, bytes | None]) -> dict[str, bytes]:
        found = [
            decide_file(n, disk.get(n[len(prefix) :]), d, base.get(n), texts.get(n), prefer)
            for n, d in sorted(pack.files.items())
            if n.startswith(prefix)
        ]
        clashes = [c for d in decided + found for c in d.clashes]
        if clashes and prefer is None:
            raise _conflict_error(path, root, clashes)
        for d in decided:  # checked under the lock, written once the team is saved
            if d.write is not None:
                _real_folder((root / d.name).parent, root)
                staged[d.name] = d.write
        decided.extend(found)
        return {d.name[len(prefix) :]: d.write for d in found if d.write is not None}

    try:
        save_team_files(root / TEAMS_DIR / slug, plan, root=root)
    except InvalidData as exc:
        lines = "\n".join(f"  {p}" for p in exc.errors)
        raise _refused(
            path,
            "with the workshop's changes since the pack, the team would have errors "
            f"(fix them in the workshop or on the laptop, then collect again):\n{lines}",
        ) from None
    owner, mode = team_owner(root, slug) or (None, None)
    refused = []
    for name, data in staged.items():  # never through a link the team made (root runs this)
        try:
            safefs.write_bytes(root, name, data, owner=owner, dir_mode=mode)
        except safefs.UnsafePath as exc:
            refused.append(str(exc))
    if refused:
        raise PackError(
            f"{path}: the team's tables were collected, but not these notebooks:\n"
            + "\n".join(f"  {line}" for line in refused)
        )
    return decided
