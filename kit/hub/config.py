"""The JupyterHub configuration ``servekit hub`` writes for a workshop.

One :class:`HubPlan` says everything the hub needs (where the workshop is, which system user is
which team, ports, the Python that runs the teams' servers, the proxy command, the state
folder); :func:`render_config` turns it into a plain ``jupyterhub_config.py`` that a person can
read and that works with ``jupyterhub -f`` on its own. No password is ever written into it:
logins are checked by JupyterHub's own PAM authenticator against the system users.

Examples
--------
>>> plan = HubPlan(workshop=Path("/srv/w"), teams={"sk-a": "a"}, admin="sk-facilitator",
...                state_dir=Path("/var/lib/servekit/hub/w"))
>>> text = render_config(plan)
>>> compile(text, "jupyterhub_config.py", "exec") is not None
True
>>> "c.JupyterHub.ip = '127.0.0.1'" in text
True
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from kit.hub.spawner import DEFAULT_MEM_LIMIT, DEFAULT_PROC_LIMIT

__all__ = [
    "DASHBOARD_SERVICE",
    "LINKS_SERVICE",
    "SAFE_PYTHON",
    "HubPlan",
    "render_config",
    "team_landing",
]

LINKS_SERVICE = "team-links"
#: Every server and kernel of the hub runs Python in safe-path mode (neither its working folder
#: nor the script's folder on ``sys.path``) without the user's site-packages: a module a team
#: writes into its home or its notebooks folder is never imported in place of the kit's.
SAFE_PYTHON = {"PYTHONSAFEPATH": "1", "PYTHONNOUSERSITE": "1"}
DASHBOARD_SERVICE = "dashboard"
FIRST_NOTEBOOK = "01_journey.ipynb"


def team_landing(workshop: Path, slug: str) -> str:
    """Where a team lands after login, relative to its server: its first notebook when it
    exists, else its notebooks folder.

    Examples
    --------
    >>> team_landing(Path("/nonexistent"), "a")
    '/lab/tree/notebooks/a'
    """
    folder = Path(workshop) / "notebooks" / slug
    if (folder / FIRST_NOTEBOOK).is_file():
        return f"/lab/tree/notebooks/{slug}/{FIRST_NOTEBOOK}"
    return f"/lab/tree/notebooks/{slug}"


@dataclass
class HubPlan:
    """Everything one workshop's hub needs (see :func:`render_config`)."""

    workshop: Path
    teams: dict[str, str]  # system user -> team slug
    admin: str
    state_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081
    api_port: int = 8001
    proxy_cmd: list[str] = field(default_factory=lambda: ["configurable-http-proxy"])
    user_python: str = sys.executable
    datasets: str | None = None
    hub_python: str = sys.executable
    passwords_file: Path | None = None
    links_port: int = 8002
    dashboard_cmd: list[str] | None = None
    dashboard_env: dict[str, str] = field(default_factory=dict)
    dashboard_port: int = 8003
    mem_limit: str = DEFAULT_MEM_LIMIT
    proc_limit: int = DEFAULT_PROC_LIMIT
    ssl_cert: Path | None = None
    ssl_key: Path | None = None
    jupyter_path: str | None = None  # root-owned folder with the hub's kernelspec
    kit_path: str | None = None  # this workshop's own copy of the kit (PYTHONPATH)

    @property
    def lab_extensions(self) -> str:
        """The kit's JupyterLab extensions (the run guard) in the copy the teams import."""
        from kit.room.lab import LAB_EXTENSIONS

        if self.kit_path:
            return str(Path(self.kit_path, "kit", "room", LAB_EXTENSIONS.name))
        return str(LAB_EXTENSIONS)

    @property
    def public_url(self) -> str:
        host = "localhost" if self.host in ("127.0.0.1", "::1") else self.host
        scheme = "https" if self.ssl_cert else "http"
        return f"{scheme}://{host}:{self.port}/"


def render_config(plan: HubPlan) -> str:
    """The text of ``jupyterhub_config.py`` for ``plan``.

    Examples
    --------
    >>> plan = HubPlan(workshop=Path("/srv/w"), teams={"sk-a": "a", "sk-b": "b"},
    ...                admin="sk-facilitator", state_dir=Path("/tmp/s"), port=8123)
    >>> ns = {"get_config": lambda: __import__("traitlets.config").config.Config()}
    >>> exec(render_config(plan), ns)
    >>> c = ns["c"]
    >>> c.JupyterHub.port, sorted(c.Authenticator.allowed_users), c.Authenticator.admin_users
    (8123, ['sk-a', 'sk-b', 'sk-facilitator'], {'sk-facilitator'})
    """
    from kit.widgets.widgetjs import ENV as WIDGET_JS_ENV

    state = plan.state_dir
    environment = {"SERVEKIT_HUB": "1", **SAFE_PYTHON}
    if plan.datasets:
        environment["SERVEKIT_DATASETS"] = plan.datasets
    if plan.jupyter_path:
        environment["JUPYTER_PATH"] = plan.jupyter_path
    if plan.kit_path:
        environment["PYTHONPATH"] = plan.kit_path
    services = []
    if plan.passwords_file is not None:
        links_env = {
            "SERVEKIT_HUB_WORKSHOP": str(plan.workshop),
            "SERVEKIT_HUB_PASSWORDS": str(plan.passwords_file),
            "SERVEKIT_HUB_PUBLIC_URL": plan.public_url,
        }
        if plan.dashboard_cmd:
            links_env["SERVEKIT_HUB_DASHBOARD_URL"] = f"/services/{DASHBOARD_SERVICE}/"
        services.append(
            {
                "name": LINKS_SERVICE,
                "display": True,
                "oauth_no_confirm": True,
                "url": f"http://127.0.0.1:{plan.links_port}",
                "command": [plan.hub_python, "-P", "-s", "-m", "kit.hub.links"],
                "environment": links_env,
            }
        )
    if plan.dashboard_cmd:
        services.append(
            {
                "name": DASHBOARD_SERVICE,
                "display": True,
                "oauth_no_confirm": True,
                "url": f"http://127.0.0.1:{plan.dashboard_port}",
                "user": plan.admin,
                "command": plan.dashboard_cmd,
                "cwd": str(plan.workshop),
                "environment": {
                    **environment,
                    **plan.dashboard_env,
                    "JUPYTER_PATH": ":".join(
                        p for p in (plan.dashboard_env.get("JUPYTER_PATH"), plan.jupyter_path) if p
                    ),
                },
            }
        )
    lines = [
        f"# JupyterHub configuration for the workshop {plan.workshop}",
        "# Written by `servekit hub`; run with `jupyterhub -f jupyterhub_config.py` as root.",
        "# One system user per team (made by `sudo servekit hub DIR`, which also gives each",
        "# team's folders to its user); logins are checked by PAM against those users, so no",
        "# password is written here.",
        "",
        "c = get_config()  # noqa: F821",
        "",
        f"WORKSHOP = {str(plan.workshop)!r}",
        f"TEAMS = {dict(sorted(plan.teams.items()))!r}  # system user -> team slug",
        f"ADMIN = {plan.admin!r}",
        f"STATE = {str(state)!r}",
        "",
        "# Network: the proxy faces the users; the hub and the proxy's API stay on loopback.",
        f"c.JupyterHub.ip = {plan.host!r}",
        f"c.JupyterHub.port = {plan.port!r}",
        "c.JupyterHub.hub_ip = '127.0.0.1'",
        f"c.JupyterHub.hub_port = {plan.hub_port!r}",
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{plan.api_port}'",
        f"c.ConfigurableHTTPProxy.command = {list(plan.proxy_cmd)!r}",
        "c.ConfigurableHTTPProxy.should_start = True",
        "c.ConfigurableHTTPProxy.pid_file = STATE + '/proxy.pid'",
        "c.JupyterHub.pid_file = STATE + '/jupyterhub.pid'",
        "c.JupyterHub.db_url = 'sqlite:///' + STATE + '/jupyterhub.sqlite'",
        "c.JupyterHub.cookie_secret_file = STATE + '/jupyterhub_cookie_secret'",
        "c.JupyterHub.cleanup_servers = True  # stopping the hub stops every team's server",
        "c.JupyterHub.cleanup_proxy = True",
        *_tls_lines(plan),
        "",
        "# Logins: JupyterHub's PAM authenticator over the system users, one per team, with",
        "# a growing delay after 5 wrong passwords per login and per address (logged).",
        "c.JupyterHub.authenticator_class = 'kit.hub.throttle.ThrottledPAMAuthenticator'",
        "c.PAMAuthenticator.open_sessions = False",
        "c.Authenticator.allowed_users = set(TEAMS) | {ADMIN}",
        "c.Authenticator.admin_users = {ADMIN}",
        "c.Authenticator.delete_invalid_users = True",
        "c.JupyterHub.admin_access = True  # the facilitator may open every team's server",
        "",
        "# Each team's server runs as the team's own system user, rooted at the workshop folder;",
        "# the operating system lets it into its own team folders only. It runs the kit's code",
        "# only: safe-path Python (-P) without user site-packages (-s), no configuration,",
        "# extension or kernelspec from the home folder (disable_user_config), the kernelspec",
        "# from a root-owned folder (JUPYTER_PATH); memory and processes limited per team.",
        "c.JupyterHub.spawner_class = 'kit.hub.spawner.TeamSpawner'",
        f"c.Spawner.cmd = [{plan.user_python!r}, '-P', '-s', '-m', 'jupyterhub.singleuser']",
        "c.Spawner.notebook_dir = WORKSHOP",
        "c.Spawner.disable_user_config = True",
        f"c.Spawner.mem_limit = {plan.mem_limit!r}",
        f"c.TeamSpawner.proc_limit = {plan.proc_limit!r}",
        "# The kit's file manager answers 404 for a path into another team's folder.",
        "c.Spawner.args = ['--LabApp.news_url=None', '--LabApp.extension_manager=readonly',",
        "                  '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',",
        "                  '--ServerApp.contents_manager_class=kit.hub.contents.TeamContentsManager',",
        "                  # the run guard, as servekit lab has it: Run All waits for the kernel",
        f"                  {'--LabApp.extra_labextensions_path=' + plan.lab_extensions!r},",
        "                  # the phone page (kit.room.phone): a phone logs in as the team; the",
        "                  # charts' widget code (kit.room.widgetjs), served once a browser; a",
        "                  # kernel busy for long yields to the others (kit.room.kernelnice)",
        "                  '--ServerApp.jpserver_extensions=kit.room.phone=True',",
        "                  '--ServerApp.jpserver_extensions=kit.room.widgetjs=True',",
        "                  '--ServerApp.jpserver_extensions=kit.room.kernelnice=True']",
        "# SERVEKIT_WIDGET_JS: the teams' charts load plotly's widget code from their server",
        f"c.Spawner.environment = {environment | {WIDGET_JS_ENV: '1'}!r}",
        "c.Spawner.start_timeout = 120",
        "c.Spawner.http_timeout = 120",
        "",
        "",
        "def _landing(spawner):",
        '    """A team lands in its own notebooks; the facilitator in the workshop folder."""',
        "    import os",
        "    slug = TEAMS.get(spawner.user.name)",
        "    if slug is None:",
        "        spawner.default_url = '/lab/tree'",
        "        return",
        "    # the phone page (kit.room.phone) serves this team alone",
        "    spawner.environment = {**spawner.environment, 'SERVEKIT_TEAM': slug}",
        "    folder = os.path.join(WORKSHOP, 'notebooks', slug)",
        f"    first = os.path.join(folder, {FIRST_NOTEBOOK!r})",
        f"    spawner.default_url = ('/lab/tree/notebooks/' + slug + '/' + {FIRST_NOTEBOOK!r}",
        "                           if os.path.isfile(first) else '/lab/tree/notebooks/' + slug)",
        "",
        "",
        "c.Spawner.pre_spawn_hook = _landing",
        "",
        "# Admin-only services (a service is reachable only with the admin role's",
        "# access:services scope): the team links page and the live dashboard.",
        f"c.JupyterHub.services = {services!r}",
        "",
    ]
    return "\n".join(lines)


def _tls_lines(plan: HubPlan) -> list[str]:
    if not plan.ssl_cert:
        return []
    return [
        "# TLS: the proxy serves HTTPS; every hub cookie is Secure.",
        f"c.JupyterHub.ssl_cert = {str(plan.ssl_cert)!r}",
        f"c.JupyterHub.ssl_key = {str(plan.ssl_key)!r}",
        "c.JupyterHub.tornado_settings = {'cookie_options': {'secure': True}}",
    ]
