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

import contextlib
import grp
import hashlib
import json
import os
import pwd
import secrets
import shutil
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
    "our_users",
    "remove_leftovers",
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


def our_users(workshop: Path, usernames: list[str]) -> list[str]:
    """The names in ``usernames`` that exist and carry ``workshop``'s marker: the only users
    (and processes) ``servekit hub`` may touch for this workshop. A user of the same name made
    for another workshop, or by somebody else, is left alone.

    Examples
    --------
    >>> our_users(Path("/nonexistent"), ["sk-surely-nobody-here"])
    []
    """
    marker = marker_for(workshop)
    return [name for name in usernames if (e := existing_user(name)) and e.pw_gecos == marker]


LEFTOVER_PLACES = (Path("/dev/shm"), Path("/tmp"), Path("/var/tmp"))


def remove_leftovers(uids: set[int], places=LEFTOVER_PLACES) -> list[str]:
    """Delete what users ``uids`` left directly in the shared scratch folders ``places``
    (files, folders, links, FIFOs; a link is removed, never followed). Returns the paths."""
    removed = []
    for place in places:
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            try:
                st = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if st.st_uid not in uids:
                continue
            if stat.S_ISDIR(st.st_mode):
                shutil.rmtree(entry.path, ignore_errors=True)  # fd-based: links not followed
            else:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(entry.path)
            removed.append(entry.path)
    return removed


def remove_users(workshop: Path, usernames: list[str]) -> list[str]:
    """Delete the users made for ``workshop`` (their homes, and what they left in
    :data:`LEFTOVER_PLACES`); returns those removed."""
    removed = []
    uids = set()
    for name in our_users(workshop, usernames):
        uids.add(pwd.getpwnam(name).pw_uid)
        _run(["userdel", "--remove", name])
        try:
            grp.getgrnam(name)
        except KeyError:
            pass
        else:
            _run(["groupdel", name])
        removed.append(name)
    remove_leftovers(uids)
    return removed


# --------------------------------------------------------------------------- permissions
# Every change below is made through a file descriptor opened with O_NOFOLLOW relative to its
# parent folder's descriptor (``os.fwalk``), so a link a team planted anywhere in its folder
# is never followed, and a FIFO or socket is never opened for reading: those are skipped.
_OPEN = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0)


def _fix(dir_fd: int | None, name: str, uid: int, gid: int, mode_of) -> os.stat_result | None:
    """Change the owner and mode of ``name`` (in folder ``dir_fd``) without following a link:
    ``mode_of(stat)`` gives the new mode (``None``: keep it). Returns the stat before the
    change, or ``None`` when ``name`` is a link, a special file or gone (then nothing changed).
    """
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return None
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        return None
    try:
        fd = os.open(name, _OPEN, dir_fd=dir_fd)
    except OSError:  # replaced by a link (ELOOP) or gone in the meantime
        return None
    try:
        now = os.fstat(fd)
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            return None
        os.fchown(fd, uid, gid)
        mode = mode_of(now)
        if mode is not None:
            os.fchmod(fd, mode)
    finally:
        os.close(fd)
    return st


def _open_under(base: Path, relative: Path) -> tuple[int, str] | None:
    """A descriptor of the folder holding ``base / relative`` and the last name, reached one
    component at a time without following any link; ``None`` when a component is a link, not
    a folder or missing. ``base`` itself is the workshop folder (the facilitator's)."""
    parts = relative.parts
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            try:
                child = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            except OSError:
                os.close(fd)
                return None
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd, parts[-1]


def _fix_path(base: Path, path: Path, uid: int, gid: int, mode_of) -> os.stat_result | None:
    """:func:`_fix` for ``path`` inside ``base``, reached without following any link."""
    opened = _open_under(base, path.relative_to(base))
    if opened is None:
        return None
    fd, name = opened
    try:
        return _fix(fd, name, uid, gid, mode_of)
    finally:
        os.close(fd)


def _team_mode(st: os.stat_result) -> int:
    mode = stat.S_IMODE(st.st_mode)
    if stat.S_ISDIR(st.st_mode):
        return 0o2750 | (mode & 0o020) | 0o700
    return (mode & 0o700) | 0o600 | 0o040


def _keep(mode: int):
    return lambda _st: mode


def _give_team_folder(
    workshop: Path, folder: Path, uid: int, gid: int, saved: dict[str, list[int]]
) -> None:
    """Give ``folder`` and everything in it to ``uid`` (group ``gid``), recording originals."""
    before = _fix_path(workshop, folder, uid, gid, _team_mode)
    if before is None:
        return  # a link or a special file where the team's folder should be
    saved.setdefault(str(folder), [before.st_uid, before.st_gid, stat.S_IMODE(before.st_mode)])
    owner = saved[str(folder)][:2]
    for root, dirs, files, root_fd in os.fwalk(folder, follow_symlinks=False):
        for entry in dirs + files:
            key = os.path.join(root, entry)
            before = _fix(root_fd, entry, uid, gid, _team_mode)
            if before is None or key in saved:
                continue
            if before.st_uid == uid:
                # made by the team in an earlier session: back to the folder's owner later
                saved[key] = [*owner, 0o755 if stat.S_ISDIR(before.st_mode) else 0o644]
            else:
                saved[key] = [before.st_uid, before.st_gid, stat.S_IMODE(before.st_mode)]


def apply_permissions(workshop: Path, team_users: dict[str, str], admin: str, record: Path) -> None:
    """Give each team's folders to its user (``team_users``: slug -> user) and open them to
    the facilitator's group only; record the previous owners and modes in ``record`` (merged
    with an earlier record, so a second start keeps the true originals). Links and special
    files inside a team's folder are skipped, never followed."""
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

    def remember(path: str, st: os.stat_result | None) -> None:
        if st is not None and path not in saved:
            saved[path] = [st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)]

    remember(str(workshop), os.lstat(workshop))
    for name in _TEAM_DIRS:
        (workshop / name).mkdir(exist_ok=True)
    for entry in workshop.iterdir():
        if entry.name in _TEAM_DIRS or entry.name in _OPEN_FILES:
            remember(str(entry), os.lstat(entry))
            continue
        remember(
            str(entry),
            _fix_path(
                workshop,
                entry,
                -1,
                admin_gid,
                lambda st: (
                    (stat.S_IMODE(st.st_mode) & 0o7770)
                    | (0o050 if stat.S_ISDIR(st.st_mode) else 0o040)
                ),
            ),
        )
    os.chmod(workshop, 0o755)
    for name in _OPEN_FILES:
        _fix_path(workshop, workshop / name, -1, -1, _keep(0o644))
    for name in _TEAM_DIRS:
        _fix_path(workshop, workshop / name, -1, -1, _keep(0o755))
        for slug, user in team_users.items():
            folder = workshop / name / slug
            if not folder.is_symlink():
                folder.mkdir(exist_ok=True)
            _give_team_folder(workshop, folder, pwd.getpwnam(user).pw_uid, admin_gid, saved)
    atomic_write(record, json.dumps(saved, indent=1, sort_keys=True))
    os.chmod(record, 0o600)


def restore_permissions(workshop: Path, record: Path, team_uids: set[int] = frozenset()) -> int:
    """Give every recorded path back its owner and mode; files made during the session go to
    the owner of the folder they are in, readable as usual, and links, FIFOs and sockets the
    team made (owned by one of ``team_uids``) are given to that owner too, without being
    followed or opened. Returns the paths restored."""
    if not record.is_file():
        return 0
    saved = json.loads(record.read_text())
    workshop = workshop.resolve()
    count = 0
    for name in _TEAM_DIRS:
        base = workshop / name
        if base.is_symlink() or not base.is_dir():
            continue
        for team in base.iterdir():
            if team.is_symlink() or not team.is_dir() or str(team) not in saved:
                continue
            uid, gid, _ = saved[str(team)]
            for root, dirs, files, root_fd in os.fwalk(team, follow_symlinks=False):
                for entry in dirs + files:
                    st = os.stat(entry, dir_fd=root_fd, follow_symlinks=False)
                    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                        # a link, FIFO or socket: lchown the entry itself, never open it
                        if st.st_uid in team_uids:
                            os.chown(entry, uid, gid, dir_fd=root_fd, follow_symlinks=False)
                            count += 1
                        continue
                    if os.path.join(root, entry) in saved:
                        continue
                    dir_mode = stat.S_ISDIR(st.st_mode)
                    if _fix(root_fd, entry, uid, gid, _keep(0o755 if dir_mode else 0o644)):
                        count += 1
    for key, (uid, gid, mode) in sorted(saved.items(), key=lambda kv: -len(kv[0])):
        path = Path(key)
        if path == workshop:
            os.chown(path, uid, gid)
            os.chmod(path, mode)
            count += 1
        elif path.is_relative_to(workshop) and _fix_path(workshop, path, uid, gid, _keep(mode)):
            count += 1
    record.unlink()
    return count
