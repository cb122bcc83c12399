"""System users, passwords and folder permissions for ``servekit hub``.

Every team gets its own system user (``sk-<slug>``, at most 32 characters) and the facilitator
gets one too (``sk-<admin>``). The operating system keeps the teams apart:

- ``teams/<slug>/`` and ``notebooks/<slug>/`` belong to the team's user and to the facilitator's
  group, mode ``2750`` for folders (the set-group-id bit makes new files the facilitator's too):
  the team reads and writes, the facilitator reads, every other team cannot even enter;
- the workshop folder, ``teams/`` and ``notebooks/`` stay readable (a team sees the other teams'
  folder *names*, never their contents); every other entry of the workshop folder (reports,
  links pages …) is closed to other users and opened to the facilitator's group.

What was changed is recorded in the hub's state folder, so :func:`restore_permissions` gives
every file back to its owner before :func:`remove_users` deletes the users. Users carry a marker
in their comment field: a user that ``servekit hub`` did not create is never changed or removed.

Examples
--------
>>> system_username("night-shift")
'sk-night-shift'
>>> len(system_username("a" * 60))
32
>>> pw = new_password()
>>> len(pw), pw.count("-")
(14, 2)
"""

from __future__ import annotations

import grp
import hashlib
import json
import os
import pwd
import secrets
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

from kit.exceptions import HubSetupError
from kit.store.csvio import atomic_write

__all__ = [
    "MARKER",
    "PREFIX",
    "Account",
    "HubSetupError",
    "apply_permissions",
    "ensure_users",
    "existing_user",
    "new_password",
    "remove_users",
    "require_root",
    "restore_permissions",
    "system_username",
]

PREFIX = "sk-"
MAX_NAME = 32
MARKER = "servekit hub"
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud and typed from paper
_TEAM_DIRS = ("teams", "notebooks")
_OPEN_FILES = ("workshop.yaml",)


@dataclass(frozen=True)
class Account:
    """One hub login: the system user, what it is for (a team slug or ``None`` for the
    facilitator) and its password."""

    username: str
    slug: str | None
    password: str


def system_username(name: str) -> str:
    """The system user for a team slug or the facilitator's name: ``sk-`` + name, shortened
    with a hash when longer than 32 characters (the Linux limit).

    Examples
    --------
    >>> system_username("Front-Desk")
    'sk-front-desk'
    >>> system_username("x" * 40) == system_username("x" * 40) != system_username("x" * 41)
    True
    """
    name = name.strip().lower()
    user = PREFIX + name
    if len(user) <= MAX_NAME:
        return user
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{PREFIX}{name[: MAX_NAME - len(PREFIX) - 9].rstrip('-')}-{digest}"


def new_password() -> str:
    """A fresh random password of 12 letters and digits in three groups (about 59 bits), with
    no look-alike characters.

    Examples
    --------
    >>> new_password() != new_password()
    True
    >>> set(new_password().replace("-", "")) <= set(_ALPHABET)
    True
    """
    chars = "".join(secrets.choice(_ALPHABET) for _ in range(12))
    return "-".join(chars[i : i + 4] for i in range(0, 12, 4))


def not_root_message(action: str = "servekit hub") -> str:
    """What :func:`require_root` says to a user who is not root.

    Examples
    --------
    >>> not_root_message().split(":")[0]
    'servekit hub needs root'
    """
    return (
        f"{action} needs root: it creates one system user per team and gives each its own "
        f"folder, like The Littlest JupyterHub. Run it as root, e.g. 'sudo servekit hub DIR' "
        f"(or use --config-only to write the configuration without starting anything)."
    )


def require_root(action: str = "servekit hub") -> None:
    """Refuse to go on unless running as root (creating users and changing owners needs it).

    Examples
    --------
    >>> import os
    >>> require_root() if os.geteuid() == 0 else None
    """
    if os.geteuid() != 0:
        raise HubSetupError(not_root_message(action))


def existing_user(name: str) -> pwd.struct_passwd | None:
    """The password-file entry of ``name``, or ``None``."""
    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def _run(command: list[str], *, stdin: str | None = None) -> None:
    result = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if result.returncode:
        raise HubSetupError(
            f"{command[0]} failed (exit {result.returncode}): "
            f"{(result.stderr or result.stdout).strip()}"
        )


def _check_ours(name: str, marker: str) -> bool:
    """True when ``name`` exists and was made by ``servekit hub`` for this workshop."""
    entry = existing_user(name)
    if entry is None:
        return False
    if entry.pw_gecos != marker:
        raise HubSetupError(
            f"a system user {name!r} already exists and was not created by servekit hub for "
            f"this workshop ({entry.pw_gecos or 'no comment'}); rename the team or remove "
            f"that user"
        )
    return True


def marker_for(workshop: Path) -> str:
    """The comment field of the users made for ``workshop`` (names the workshop by a hash, so
    two workshops on one machine never share or remove each other's users).

    Examples
    --------
    >>> marker_for(Path("/srv/w")).startswith("servekit hub ")
    True
    """
    return f"{MARKER} {hashlib.sha256(str(workshop.resolve()).encode()).hexdigest()[:12]}"


def ensure_users(
    workshop: Path, usernames: list[str], passwords: dict[str, str], home_root: Path
) -> list[str]:
    """Create the missing users (a private home under ``home_root``, their own group) and set
    every password from ``passwords`` (given to ``chpasswd`` on its standard input, never on a
    command line). Returns the names created now (the others are reused)."""
    marker = marker_for(workshop)
    created = []
    home_root.mkdir(parents=True, exist_ok=True)
    for name in usernames:
        if _check_ours(name, marker):
            continue
        _run(
            [
                "useradd",
                "--create-home",
                "--home-dir",
                str(home_root / name),
                "--user-group",
                "--shell",
                "/usr/sbin/nologin",
                "--comment",
                marker,
                name,
            ]
        )
        created.append(name)
    for name in usernames:
        entry = pwd.getpwnam(name)
        os.chmod(entry.pw_dir, 0o700)
    _run(["chpasswd"], stdin="".join(f"{name}:{passwords[name]}\n" for name in usernames))
    return created


def remove_users(workshop: Path, usernames: list[str]) -> list[str]:
    """Delete the users made for ``workshop`` (and their homes); returns those removed."""
    marker = marker_for(workshop)
    removed = []
    for name in usernames:
        entry = existing_user(name)
        if entry is None or entry.pw_gecos != marker:
            continue
        _run(["userdel", "--remove", name])
        try:
            grp.getgrnam(name)
        except KeyError:
            pass
        else:
            _run(["groupdel", name])
        removed.append(name)
    return removed


# --------------------------------------------------------------------------- permissions
def _record(path: Path, saved: dict[str, list[int]]) -> None:
    key = str(path)
    if key not in saved:
        st = os.lstat(path)
        saved[key] = [st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)]


def _walk(folder: Path):
    yield folder
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            yield Path(root) / name


def apply_permissions(workshop: Path, team_users: dict[str, str], admin: str, record: Path) -> None:
    """Give each team's folders to its user (``team_users``: slug -> user) and open them to
    the facilitator's group only; record the previous owners and modes in ``record`` (merged
    with an earlier record, so a second start keeps the true originals)."""
    saved: dict[str, list[int]] = json.loads(record.read_text()) if record.is_file() else {}
    admin_gid = pwd.getpwnam(admin).pw_gid
    workshop = workshop.resolve()
    for parent in reversed(workshop.parents):
        if not os.stat(parent).st_mode & stat.S_IXOTH:
            raise HubSetupError(
                f"{workshop} is inside {parent}, which other users cannot enter; the teams' "
                f"servers could not reach their folders. Move the workshop to a shared place "
                f"such as /srv/workshops (or run: chmod o+x {parent})"
            )
    _record(workshop, saved)
    for name in _TEAM_DIRS:
        (workshop / name).mkdir(exist_ok=True)
    for entry in workshop.iterdir():
        if entry.is_symlink():
            continue
        _record(entry, saved)
        if entry.name in _TEAM_DIRS or entry.name in _OPEN_FILES:
            continue
        os.chown(entry, -1, admin_gid)
        os.chmod(entry, (os.stat(entry).st_mode & 0o7770) | (0o050 if entry.is_dir() else 0o040))
    os.chown(workshop, -1, -1)
    os.chmod(workshop, 0o755)
    for name in _OPEN_FILES:
        if (workshop / name).is_file():
            os.chmod(workshop / name, 0o644)
    for name in _TEAM_DIRS:
        os.chmod(workshop / name, 0o755)
        for slug, user in team_users.items():
            folder = workshop / name / slug
            folder.mkdir(exist_ok=True)
            uid = pwd.getpwnam(user).pw_uid
            _record(folder, saved)
            owner = saved[str(folder)][:2]
            for path in _walk(folder):
                if path.is_symlink():
                    continue
                if str(path) not in saved and os.lstat(path).st_uid == uid:
                    # made by the team in an earlier session: back to the folder's owner later
                    saved[str(path)] = [*owner, 0o755 if path.is_dir() else 0o644]
                _record(path, saved)
                os.chown(path, uid, admin_gid)
                mode = stat.S_IMODE(os.stat(path).st_mode)
                if path.is_dir():
                    os.chmod(path, 0o2750 | (mode & 0o020) | 0o700)
                else:
                    os.chmod(path, (mode & 0o700) | 0o600 | 0o040)
    atomic_write(record, json.dumps(saved, indent=1, sort_keys=True))
    os.chmod(record, 0o600)


def restore_permissions(workshop: Path, record: Path) -> int:
    """Give every recorded path back its owner and mode; files made during the session go to
    the owner of the folder they are in, readable as usual. Returns the paths restored."""
    if not record.is_file():
        return 0
    saved = json.loads(record.read_text())
    workshop = workshop.resolve()
    count = 0
    for name in _TEAM_DIRS:
        base = workshop / name
        if not base.is_dir():
            continue
        for team in base.iterdir():
            if team.is_symlink() or not team.is_dir() or str(team) not in saved:
                continue
            uid, gid, _ = saved[str(team)]
            for path in _walk(team):
                if path.is_symlink() or str(path) in saved:
                    continue
                os.chown(path, uid, gid)
                os.chmod(path, 0o755 if path.is_dir() else 0o644)
                count += 1
    for key, (uid, gid, mode) in sorted(saved.items(), key=lambda kv: -len(kv[0])):
        path = Path(key)
        if path.exists() and not path.is_symlink():
            os.chown(path, uid, gid)
            os.chmod(path, mode)
            count += 1
    record.unlink()
    return count
