"""Run a workshop's JupyterHub: users, permissions, configuration, hub and proxy, clean stop.

:func:`prepare` does everything but starting (users made or reused, passwords kept in the
hub's root-only state folder outside the workshop, folders given to their teams, the teams'
Python environment, free ports, the configuration); :func:`serve` starts JupyterHub (which
starts configurable-http-proxy and, at each login, the team's server as the team's own system
user) and stops all of it on Ctrl-C or SIGTERM; :func:`teardown` gives every file back to its
owner and deletes the users and the state folder.

Examples
--------
>>> state_dir_for(Path("/srv/My Workshop")).parent
PosixPath('/var/lib/servekit/hub')
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from kit.exceptions import HubSetupError
from kit.hub.accounts import (
    apply_permissions,
    ensure_users,
    new_password,
    our_users,
    remove_users,
    require_root,
    restore_permissions,
    system_username,
)
from kit.hub.config import DASHBOARD_SERVICE, LINKS_SERVICE, HubPlan, render_config
from kit.hub.env import WORKSHOPS_ROOT, workshop_runtime
from kit.hub.spawner import DEFAULT_MEM_LIMIT
from kit.room.lab import free_port
from kit.room.lab import stop as stop_process
from kit.store.teamnames import slugify
from kit.store.workshop import Workshop, is_workshop

__all__ = [
    "HOME_ROOT",
    "STATE_ROOT",
    "Prepared",
    "admin_password_shown",
    "find_proxy",
    "free_port",
    "notebooks_to_write",
    "prepare",
    "serve",
    "state_dir_for",
    "teardown",
    "write_passwords_file",
]

STATE_ROOT = Path("/var/lib/servekit/hub")
HOME_ROOT = Path("/home")
PROXY = "configurable-http-proxy"
_LOCAL_PROXY = Path(".node") / "node_modules" / ".bin" / PROXY


def state_dir_for(workshop: Path, root: Path = STATE_ROOT) -> Path:
    """The hub's state folder for ``workshop`` (database, cookie secret, passwords): outside
    the workshop folder, readable by root only.

    Examples
    --------
    >>> state_dir_for(Path("/srv/w")) == state_dir_for(Path("/srv/w/"))
    True
    """
    workshop = Path(os.path.abspath(workshop))
    digest = hashlib.sha256(str(workshop).encode()).hexdigest()[:10]
    return root / f"{slugify(workshop.name) or 'workshop'}-{digest}"


def find_proxy(kit_folder: Path | None = None) -> list[str]:
    """The command that runs configurable-http-proxy: on ``PATH``, or where ``make hub-proxy``
    installs it in the kit's own folder (``.node/``), whatever the working folder.

    Examples
    --------
    >>> import kit
    >>> find_proxy()[0].endswith("configurable-http-proxy") if (Path(kit.__file__).parent.parent
    ...     / _LOCAL_PROXY).is_file() else True
    True
    """
    found = shutil.which(PROXY)
    if found:
        return [found]
    if kit_folder is None:
        import kit

        kit_folder = Path(kit.__file__).resolve().parent.parent
    candidate = kit_folder / _LOCAL_PROXY
    if candidate.is_file():
        return [str(candidate)]
    raise HubSetupError(
        f"{PROXY} not found: JupyterHub needs its proxy from npm. Install it with "
        f"'npm install -g {PROXY}' (or 'make hub-proxy' in the kit's folder), then try again."
    )


def write_passwords_file(path: Path, rows: list[dict[str, str]]) -> None:
    """Write the logins to ``path`` as JSON that only its owner can read (mode 0600 from the
    first byte, replaced atomically)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=1)
            handle.write("\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    os.chmod(path, 0o600)


@dataclass
class Prepared:
    """What :func:`prepare` made: the plan, the config file and every login."""

    plan: HubPlan
    config_file: Path
    logins: list[dict[str, str]]  # {"team", "name", "login", "password"}; team "" = admin

    @property
    def admin_login(self) -> dict[str, str]:
        return next(row for row in self.logins if not row["team"])


def plan_accounts(workshop: Path, admin: str) -> tuple[Workshop, dict[str, str], str]:
    if not is_workshop(workshop):
        raise HubSetupError(
            f"{workshop} is not a workshop folder (no workshop.yaml and no "
            f"teams/ folder); expected a folder made by 'servekit new'"
        )
    ws = Workshop(workshop)
    teams = {system_username(t.slug): t.slug for t in ws.teams()}
    if not teams:
        raise HubSetupError(
            f"{workshop / 'teams'} holds no team folder; add teams with "
            f"'servekit new {workshop} --force --team NAME'"
        )
    admin_user = system_username(slugify(admin) or "facilitator")
    if admin_user in teams:
        raise HubSetupError(
            f"the facilitator's login {admin_user!r} is also team "
            f"{teams[admin_user]!r}'s; choose another name with --admin"
        )
    return ws, teams, admin_user


def _user_python(log) -> tuple[str, bool]:
    """The Python for the teams' servers, and whether they need a copy of the kit (``False``
    when this Python and kit are usable by every user as they are)."""
    from kit.hub.env import ensure_user_env, usable_by_all

    if usable_by_all():
        return sys.executable, False
    env = ensure_user_env(log=log)
    return str(env.python), True


def dashboard_service(
    python: str, workshop: Path, kit_src: Path | None, interval: float = 10
) -> tuple[list[str], dict[str, str]]:
    """The live dashboard (``servekit present``'s Voilà page) as a hub service: a single-user
    server signed in through the hub (so only the admin role may open it) that renders the
    dashboard notebook with the kit's Voilà template, as the facilitator's system user."""
    import kit
    from kit import resources
    from kit.room.present import DASHBOARD, TEMPLATE, TEMPLATES

    notebooks, templates = resources.workshops_dir(), TEMPLATES
    if kit_src is not None:  # the same files in the shared environment's copy of the kit
        notebooks = kit_src / "workshops"
        templates = kit_src / "kit" / TEMPLATES.relative_to(Path(kit.__file__).resolve().parent)
    command = [
        python,
        "-P",
        "-s",
        "-m",
        "jupyterhub.singleuser",
        f"--ServerApp.root_dir={notebooks}",
        f"--ServerApp.default_url=/voila/render/{DASHBOARD}",
        f"--VoilaConfiguration.template={TEMPLATE}",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
    ]
    env = {
        "SERVEKIT_WORKSHOP_DIR": str(workshop),
        "SERVEKIT_DASHBOARD_INTERVAL": f"{interval:g}",
        "JUPYTER_PATH": str(templates),
    }
    if kit_src is not None:
        env["SERVEKIT_DATASETS"] = str(kit_src / "datasets")
    return command, env


def notebooks_to_write(workshop: Path, teams: dict[str, str], log=print) -> list[str]:
    """The teams whose missing notebooks a hub start (as root) writes: only a folder no team has
    had yet. A folder owned by the team's user is the team's: root writes nothing into it
    (the team may have planted links there); the facilitator runs ``servekit notebooks`` for it.

    Examples
    --------
    >>> notebooks_to_write(Path("/nonexistent"), {"sk-surely-nobody": "a"})
    ['a']
    """
    from kit.hub.accounts import existing_user

    slugs = []
    for user, slug in teams.items():
        folder = workshop / "notebooks" / slug
        try:
            st = os.lstat(folder)
        except FileNotFoundError:
            slugs.append(slug)
            continue
        first = folder / "01_journey.ipynb"
        if not stat.S_ISDIR(st.st_mode):
            log(f"{folder} is not a folder (a link?); its notebooks are not written")
        elif (entry := existing_user(user)) is not None and st.st_uid == entry.pw_uid:
            if not first.is_file():
                log(
                    f"{first} is missing; the folder is team {slug}'s, so the hub does not "
                    f"write into it (run 'servekit notebooks {workshop} --team {slug}')"
                )
        elif not first.is_file():
            slugs.append(slug)
    return slugs


def prepare(
    workshop: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    admin: str = "facilitator",
    state_root: Path = STATE_ROOT,
    home_root: Path = HOME_ROOT,
    runtime_root: Path = WORKSHOPS_ROOT,
    mem_limit: str = DEFAULT_MEM_LIMIT,
    ssl_cert: Path | None = None,
    ssl_key: Path | None = None,
    self_signed: bool = False,
    log=print,
) -> Prepared:
    """Make (or reuse) the users, folders, passwords, environment and configuration. With
    ``self_signed`` a fresh certificate is made in the state folder and its SHA-256
    fingerprint logged (for the facilitator to read out)."""
    require_root()
    workshop = Path(os.path.abspath(workshop))
    ws, teams, admin_user = plan_accounts(workshop, admin)
    missing = notebooks_to_write(workshop, teams, log)
    if missing:
        from kit.room.teamnotebooks import write_team_notebooks

        write_team_notebooks(workshop, missing)
    state = state_dir_for(workshop, state_root)
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o700)
    if self_signed:
        from kit.hub.tls import fingerprint, make_self_signed, names_for

        ssl_cert, ssl_key = make_self_signed(state, names_for(host))
        log(
            f"Self-signed certificate {ssl_cert}; its SHA-256 fingerprint (read it out: the "
            f"browser's warning page must show the same): {fingerprint(ssl_cert)}"
        )
    passwords_file = state / "passwords.json"
    passwords = json.loads(passwords_file.read_text()) if passwords_file.is_file() else {}
    for user in [*teams, admin_user]:
        passwords.setdefault(user, new_password())
    write_passwords_file(passwords_file, passwords)  # a dict: user -> password
    created = ensure_users(workshop, [*teams, admin_user], passwords, home_root)
    log(f"{len(created)} system user(s) created, {len(teams) + 1 - len(created)} reused")
    apply_permissions(
        workshop,
        {slug: user for user, slug in teams.items()},
        admin_user,
        state / "permissions.json",
    )
    user_python, needs_kit = _user_python(log)
    jupyter_path, kit_src = workshop_runtime(state.name, user_python, needs_kit, runtime_root)
    dashboard_cmd, dashboard_env = dashboard_service(user_python, workshop, kit_src)
    plan = HubPlan(
        workshop=workshop,
        teams=teams,
        admin=admin_user,
        state_dir=state,
        host=host,
        port=port,
        hub_port=free_port(),
        api_port=free_port(),
        proxy_cmd=find_proxy(),
        user_python=user_python,
        datasets=str(kit_src / "datasets") if kit_src else None,
        passwords_file=passwords_file,
        links_port=free_port(),
        dashboard_cmd=dashboard_cmd,
        dashboard_env=dashboard_env,
        dashboard_port=free_port(),
        mem_limit=mem_limit,
        ssl_cert=ssl_cert,
        ssl_key=ssl_key,
        jupyter_path=str(jupyter_path),
        kit_path=str(kit_src) if kit_src else None,
    )
    config_file = state / "jupyterhub_config.py"
    config_file.write_text(render_config(plan), encoding="utf-8")
    os.chmod(config_file, 0o600)
    names = ws.team_names()
    logins = [
        {"team": slug, "name": names.get(slug, slug), "login": user, "password": passwords[user]}
        for user, slug in teams.items()
    ]
    logins.append(
        {"team": "", "name": "facilitator", "login": admin_user, "password": passwords[admin_user]}
    )
    return Prepared(plan, config_file, logins)


def _uids(users: list[str]) -> set[int]:
    import pwd

    found = set()
    for user in users:
        with contextlib.suppress(KeyError):
            found.add(pwd.getpwnam(user).pw_uid)
    return found


def processes_of(users: list[str]) -> list[int]:
    """The ids of the running processes owned by ``users`` (read from ``/proc``)."""
    uids = _uids(users)
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.stat().st_uid in uids:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _stop_strays(users: list[str], grace: float = 10.0) -> None:
    """Ask every process left by the hub's users to stop, then force the stubborn ones."""
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
        pids = processes_of(users)
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while processes_of(users) and time.monotonic() < deadline:
            time.sleep(0.2)


def admin_password_shown(prepared: Prepared, interactive: bool) -> str:
    """The facilitator's password as printed: itself on an interactive terminal, otherwise
    (a log file, a pipe) only where it is kept, the root-only passwords file."""
    if interactive:
        return prepared.admin_login["password"]
    return f"(not shown: not a terminal; read it in {prepared.plan.passwords_file}, root only)"


def serve(prepared: Prepared, log=print, interactive: bool | None = None) -> int:
    """Start JupyterHub with ``prepared``'s configuration and wait; on Ctrl-C or SIGTERM stop
    the hub (which stops the proxy and every team's server), then anything left behind. The
    facilitator's password is printed only when standard output is a terminal
    (``interactive``)."""
    if interactive is None:
        interactive = sys.stdout.isatty()
    plan = prepared.plan
    hub_log = (plan.state_dir / "jupyterhub.log").open("ab")
    stopping: list[int] = []
    started: list[subprocess.Popen] = []

    def stop(signum, frame):
        stopping.append(signum)
        if started and started[0].poll() is None:
            started[0].send_signal(signal.SIGTERM)

    # Handlers first: a signal caught here is reset to its default in the hub and its children
    # (an ignored one, e.g. SIGINT under `nohup` or `&`, would stay ignored and stall the stop).
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    process = subprocess.Popen(
        [plan.hub_python, "-m", "jupyterhub", "-f", str(prepared.config_file)],
        cwd=plan.state_dir,
        stdout=hub_log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started.append(process)
    try:
        log(f"JupyterHub is starting on {plan.public_url} (log: {plan.state_dir}/jupyterhub.log)")
        log(
            f"Facilitator: log in as {prepared.admin_login['login']} with password "
            f"{admin_password_shown(prepared, interactive)}; the teams' logins are on "
            f"{plan.public_url}services/{LINKS_SERVICE}/"
            + (
                f" and the live dashboard on {plan.public_url}services/{DASHBOARD_SERVICE}/"
                if plan.dashboard_cmd
                else ""
            )
        )
        log("Press Ctrl-C to stop the hub, the proxy and every team's server.")
        while True:
            try:
                code = process.wait(timeout=1)
                break
            except subprocess.TimeoutExpired:
                if stopping and len(stopping) > 1:
                    process.kill()
        if code and not stopping:
            tail = (plan.state_dir / "jupyterhub.log").read_text(errors="replace")
            log(
                "JupyterHub stopped unexpectedly; the end of its log:\n"
                + "\n".join(tail.splitlines()[-20:])
            )
        return 0 if stopping else code
    finally:
        stop_process(process, timeout=30)
        _stop_strays([*plan.teams, plan.admin])
        _stop_proxy(plan.state_dir / "proxy.pid")
        hub_log.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        log(
            "Stopped. The team logins are kept for the next start; remove them with "
            "'servekit hub DIR --remove'."
        )


def _stop_proxy(pid_file: Path) -> None:
    """Stop the proxy the hub started if it outlived the hub (it is told by its pid file)."""
    try:
        pid = int(pid_file.read_text().strip())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError):
        return
    if PROXY.encode() in cmdline:
        os.kill(pid, signal.SIGTERM)
    pid_file.unlink(missing_ok=True)


def teardown(
    workshop: Path,
    *,
    admin: str = "facilitator",
    state_root: Path = STATE_ROOT,
    runtime_root: Path = WORKSHOPS_ROOT,
    log=print,
) -> list[str]:
    """Give every file back to its owner, delete the hub's users and its state folder."""
    require_root("servekit hub --remove")
    workshop = Path(os.path.abspath(workshop))
    state = state_dir_for(workshop, state_root)
    users = []
    if is_workshop(workshop):
        ws = Workshop(workshop)
        users = [system_username(t.slug) for t in ws.teams()]
    users.append(system_username(slugify(admin) or "facilitator"))
    if state.is_dir() and (state / "passwords.json").is_file():
        users += [u for u in json.loads((state / "passwords.json").read_text()) if u not in users]
    users = our_users(workshop, users)  # proven this workshop's before any signal is sent
    _stop_strays(users)
    restore_permissions(workshop, state / "permissions.json", _uids(users))
    removed = remove_users(workshop, users)
    if state.is_dir():
        shutil.rmtree(state)
    shutil.rmtree(runtime_root / state.name, ignore_errors=True)
    log(f"{len(removed)} system user(s) removed; the workshop's files are back with their owner")
    return removed
