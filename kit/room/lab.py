"""``servekit lab``: one shared JupyterLab for the room, rooted at the workshop folder.

The kit does not invent a server: it starts JupyterLab itself (``python -m jupyter lab``, this
environment's interpreter and ``python3`` kernel) with safe room settings:

- bound to ``127.0.0.1`` unless asked otherwise (a warning names the risk of any other address);
- always a token (``secrets.token_urlsafe`` when none is given); a request without it is refused;
- terminals off (a team link must not be a shell), no news or update checks (the
  ``@jupyterlab/apputils-extension:announcements`` plugin is disabled through a private
  ``labconfig/page_config.json`` on ``JUPYTER_CONFIG_PATH``, and ``news_url`` is ``None``);
- one link per team straight to its own notebooks, each in its own JupyterLab *workspace*
  (``/lab/workspaces/<slug>/tree/notebooks/<slug>/01_journey.ipynb?reset=&token=…``), so teams
  never see each other's open tabs; ``reset`` opens that one notebook, not every tab the team
  had open before, and workspaces live in the server's private folder (none restored from an
  earlier session or another copy of the workshop);
- kernels that no tab shows and that run nothing are shut down after ``cull_idle`` minutes;
- *Run All* clicked the moment a link opens waits for the notebook's kernel (the kit's
  ``servekit-run-guard`` extension, :data:`LAB_EXTENSIONS`): clicked earlier, Lab ran the cells
  on a kernel it then replaced, and the editors never came; the same extension gives a chart's
  widget model 60 s to initialise (anywidget's own 2 s left charts empty on a loaded server).

Examples
--------
>>> team_url("http://127.0.0.1:8888", "night-shift", "01_journey.ipynb", "t0k")
'http://127.0.0.1:8888/lab/workspaces/night-shift/tree/notebooks/night-shift/01_journey.ipynb?reset=&token=t0k'
>>> is_loopback("127.0.0.1"), is_loopback("localhost"), is_loopback("0.0.0.0")
(True, True, False)
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from kit.exceptions import LabError
from kit.room.exercises import team_exercise_dir
from kit.room.kernelnice import write_server_config as write_nice_config
from kit.room.links import TeamLink
from kit.room.navigation import notebook_title
from kit.room.phone import phone_url, write_server_config
from kit.room.serverlog import kernel_args
from kit.room.serverlog import write_server_config as write_log_config
from kit.room.teamnotebooks import NOTEBOOKS_DIR, participant_notebooks, team_notebook_dir
from kit.room.widgetjs import write_server_config as write_widgetjs_config
from kit.store.workshop import Workshop, is_workshop

__all__ = [
    "LAB_EXTENSIONS",
    "LAB_OVERRIDES",
    "LabServer",
    "NEWS_PLUGIN",
    "WILDCARD",
    "check_port",
    "free_port",
    "host_warning",
    "is_loopback",
    "stop",
    "team_links",
    "team_url",
    "url_host",
    "write_kernel_spec",
    "write_lab_settings",
]

NEWS_PLUGIN = "@jupyterlab/apputils-extension:announcements"
LAB_EXTENSIONS = Path(__file__).with_name("labextensions")
"""The kit's own prebuilt JupyterLab extensions, given to the server as an extra labextensions
path: ``servekit-run-guard`` (a notebook's Run commands wait until its kernel is connected, and
anywidget's 2 s deadline for a widget model to initialise becomes 60 s, so a chart on a loaded
server is drawn late instead of never; see its ``static/remoteEntry.js``)."""
LAB_OVERRIDES = {"@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"}}
"""JupyterLab setting defaults for participants: every cell stays rendered (Lab's windowing
drew an editor's live chart empty after it was scrolled out of view and back)."""


def write_lab_settings(folder: Path) -> Path:
    """Write the kit's JupyterLab ``overrides.json`` (:data:`LAB_OVERRIDES`) into ``folder``.

    ``folder`` is a JupyterLab *app settings* folder: pass it as ``--LabApp.app_settings_dir``,
    or use ``<env>/share/jupyter/lab/settings`` of an environment to make it that
    environment's default.

    Examples
    --------
    >>> import tempfile
    >>> path = write_lab_settings(Path(tempfile.mkdtemp()) / "settings")
    >>> json.loads(path.read_text())["@jupyterlab/notebook-extension:tracker"]
    {'windowingMode': 'none'}
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "overrides.json"
    path.write_text(json.dumps(LAB_OVERRIDES, indent=2), encoding="utf-8")
    os.chmod(path, 0o644)
    return path


PRELOAD_EXTENSION = "kit.widgets.preload"


def write_kernel_spec(folder: Path) -> Path:
    """Write the room's ``python3`` kernel into ``folder/kernels/python3``: this environment's
    ``python3`` kernelspec, loading :mod:`kit.widgets.preload` as the kernel starts, its live
    charts loading plotly's widget code from the room's server (:mod:`kit.widgets.widgetjs`).

    JupyterLab starts a notebook's kernel when the notebook opens; with this kernel, the
    editors' imports happen then, not after the participant chose *Run All*. ``folder`` goes
    first on the server's ``JUPYTER_PATH`` (:meth:`LabServer.env`), so the notebooks' own
    ``python3`` kernelspec name finds it.

    Examples
    --------
    >>> import tempfile
    >>> path = write_kernel_spec(Path(tempfile.mkdtemp()))
    >>> spec = json.loads(path.read_text())
    >>> spec["argv"][-1], spec["display_name"], spec["env"]["SERVEKIT_WIDGET_JS"]
    ('--ext=kit.widgets.preload', 'Python 3 (ipykernel)', '1')
    """
    from jupyter_client.kernelspec import KernelSpecManager

    from kit.widgets.widgetjs import ENV

    spec = KernelSpecManager().get_kernel_spec("python3").to_dict()
    spec["argv"] = [*spec["argv"], f"--ext={PRELOAD_EXTENSION}"]
    spec["env"] = {**spec.get("env", {}), ENV: "1"}
    target = folder / "kernels" / "python3"
    target.mkdir(parents=True, exist_ok=True)
    path = target / "kernel.json"
    path.write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return path


WILDCARD = {"", "0.0.0.0", "::", "*"}
CULL_IDLE_MINUTES = 30.0
"""Default minutes before a kernel with no tab showing it, and running nothing, is shut down."""


def is_loopback(host: str) -> bool:
    """True when ``host`` is only reachable from this machine.

    Examples
    --------
    >>> [is_loopback(h) for h in ("::1", "127.0.0.2", "192.168.1.5", "")]
    [True, True, False, False]
    """
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_warning(host: str) -> str:
    """The warning printed when the server listens beyond this machine (``""`` for loopback).

    Examples
    --------
    >>> host_warning("127.0.0.1")
    ''
    >>> host_warning("0.0.0.0").startswith("warning: --host 0.0.0.0 lets any machine")
    True
    """
    if is_loopback(host):
        return ""
    return (
        f"warning: --host {host} lets any machine that can reach this one open JupyterLab; "
        f"anyone holding a team link (it carries the token) can run code here as this "
        f"user. Use it on the room's own network only."
    )


def url_host(host: str) -> str:
    """The host name to put in links: the address itself, or this machine's address on the
    network when the server listens on every interface.

    Examples
    --------
    >>> url_host("127.0.0.1"), url_host("::1")
    ('127.0.0.1', '[::1]')
    """
    if host in WILDCARD:
        try:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
                probe.connect(("192.0.2.1", 9))  # no packet is sent: only picks the interface
                host = probe.getsockname()[0]
        except OSError:
            host = socket.gethostname()
    return f"[{host}]" if ":" in host else host


def team_url(base: str, slug: str, notebook: str, token: str) -> str:
    """A team's link: its own workspace, reset, opening one notebook, with the token.

    ``reset`` makes JupyterLab clear the workspace's saved layout before opening the notebook:
    a link opens that one notebook, not every tab the team had open before (each with a
    kernel of its own).

    Examples
    --------
    >>> team_url("http://h:1", "a", "01_journey.ipynb", "x y")
    'http://h:1/lab/workspaces/a/tree/notebooks/a/01_journey.ipynb?reset=&token=x+y'
    """
    path = f"/lab/workspaces/{slug}/tree/{NOTEBOOKS_DIR}/{slug}/{notebook}"
    query = urllib.parse.urlencode({"reset": "", "token": token})
    return base.rstrip("/") + urllib.parse.quote(path) + "?" + query


def team_links(workshop_dir: Path | str, base: str, token: str) -> list[TeamLink]:
    """One link per team of the workshop, to the first notebook in its ``notebooks/<slug>/``.

    Examples
    --------
    >>> import tempfile
    >>> from kit.store.workshop import create_workshop
    >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["Blue & Gold"])
    >>> [(t.name, t.url) for t in team_links(ws.path, "http://h:1", "t")]
    [('Blue & Gold', 'http://h:1/lab/workspaces/blue-gold/tree/notebooks/blue-gold/01_journey.ipynb?reset=&token=t')]
    """
    workshop = Workshop(workshop_dir)
    links = []
    for slug, name in workshop.team_names().items():
        books = participant_notebooks(team_notebook_dir(workshop_dir, slug))
        first = books[0].name if books else participant_notebooks()[0].name
        exercises = tuple(  # the team's own exercise copies (kit.room.exercises)
            (notebook_title(p), team_url(base, slug, f"exercises/{p.name}", token))
            for p in sorted(team_exercise_dir(workshop_dir, slug).glob("*.ipynb"))
        )
        url = team_url(base, slug, first, token)
        links.append(TeamLink(slug, name, url, exercises, phone=phone_url(base, slug, token)))
    return links


def free_port(host: str = "127.0.0.1") -> int:
    """A port the OS says is free on ``host`` now.

    Examples
    --------
    >>> 0 < free_port() < 65536
    True
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.bind((host if host not in WILDCARD else "", 0))
        return sock.getsockname()[1]


def check_port(host: str, port: int) -> None:
    """Raise :class:`LabError` when ``port`` on ``host`` is taken (e.g. another JupyterLab).

    Examples
    --------
    >>> check_port("127.0.0.1", free_port())
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        try:
            sock.bind((host if host not in WILDCARD else "", port))
        except OSError as exc:
            raise LabError(
                f"port {port} on {host or '*'} cannot be used ({exc.strerror}); "
                f"expected a free port: choose another with --port"
            ) from None


@dataclass
class LabServer:
    """What ``servekit lab`` starts: arguments, environment and the links it serves.

    Parameters
    ----------
    workshop_dir : path-like
        The workshop folder (JupyterLab's root).
    host : str
        Address to bind.
    port : int
        Port (``0``: a free one).
    token : str, optional
        The server's token (generated when empty).
    public_host : str, optional
        Host name for the links (default: :func:`url_host`).
    cull_idle : float, optional
        Minutes after which a kernel that no browser tab shows and that runs nothing is shut
        down (``0``: never). A tab left open keeps its kernel.
    """

    workshop_dir: Path
    host: str = "127.0.0.1"
    port: int = 8888
    token: str = ""
    public_host: str = ""
    open_browser: bool = False
    cull_idle: float = CULL_IDLE_MINUTES
    config_dir: Path | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.workshop_dir = Path(self.workshop_dir).resolve()
        if not self.token:
            self.token = secrets.token_urlsafe(24)
        if self.port == 0:
            self.port = free_port(self.host)

    @property
    def base(self) -> str:
        """The base URL others use to reach the server."""
        return f"http://{self.public_host or url_host(self.host)}:{self.port}"

    @property
    def local_only(self) -> str:
        """The loopback address the links use, or ``""`` when other machines can open them.

        Examples
        --------
        >>> LabServer(".").local_only, LabServer(".", public_host="room.local").local_only
        ('127.0.0.1', '')
        """
        host = urllib.parse.urlsplit(self.base).hostname or ""
        return host if is_loopback(host) else ""

    @property
    def local_base(self) -> str:
        """The base URL this machine uses to check the server."""
        host = "127.0.0.1" if self.host in WILDCARD else url_host(self.host)
        return f"http://{host}:{self.port}"

    def links(self) -> list[TeamLink]:
        """One link per team (see :func:`team_links`).

        Examples
        --------
        >>> import tempfile
        >>> from kit.store.workshop import create_workshop
        >>> ws = create_workshop(Path(tempfile.mkdtemp()) / "w", teams=["A"])
        >>> LabServer(ws.path, port=9999, token="t").links()[0].url.split("/lab/")[0]
        'http://127.0.0.1:9999'
        """
        return team_links(self.workshop_dir, self.base, self.token)

    def argv(self) -> list[str]:
        """The ``jupyter lab`` command line.

        Examples
        --------
        >>> import tempfile
        >>> args = LabServer(Path(tempfile.mkdtemp()), port=8899, token="t0k").argv()
        >>> [a for a in args if a.startswith("--ServerApp.ip")], any("t0k" in a for a in args)
        (['--ServerApp.ip=127.0.0.1'], False)
        >>> [a.split("=")[1] == str(LAB_EXTENSIONS) for a in args if "labextensions" in a]
        [True]
        >>> [a for a in args if "cull_idle" in a]
        ['--MappingKernelManager.cull_idle_timeout=1800']

        The token is never an argument (every user of the machine reads arguments with
        ``ps``): it reaches the server through its environment, see :meth:`env`.
        """
        args = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            f"--ServerApp.ip={self.host}",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--ServerApp.root_dir={self.workshop_dir}",
            f"--ServerApp.open_browser={self.open_browser}",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            f"--LabApp.app_settings_dir={self._config() / 'lab-settings'}",
            f"--LabApp.extra_labextensions_path={LAB_EXTENSIONS}",  # Run All waits for the kernel
            # layouts of this session only: none restored from another session or copy
            f"--LabApp.workspaces_dir={self._config() / 'workspaces'}",
            "--MappingKernelManager.default_kernel_name=python3",
            *kernel_args(),  # kernel traffic encrypted (kit.room.serverlog)
            "--Application.log_level=WARN",
            "--ServerApp.log_level=WARN",
        ]
        if self.cull_idle > 0:  # a closed tab's kernel: culled, not kept for the whole day
            seconds = max(1, round(self.cull_idle * 60))
            args += [
                f"--MappingKernelManager.cull_idle_timeout={seconds}",
                f"--MappingKernelManager.cull_interval={min(60, max(1, seconds // 2))}",
                "--MappingKernelManager.cull_connected=False",
                "--MappingKernelManager.cull_busy=False",
            ]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            args.append("--allow-root")
        return args

    def _config(self) -> Path:
        """The server's private config folder: the page config that hides the news, and the
        Lab settings defaults (:func:`write_lab_settings`); made once, removed by cleanup."""
        if self.config_dir is None:
            self.config_dir = Path(tempfile.mkdtemp(prefix="servekit-lab-"))
            labconfig = self.config_dir / "labconfig"
            labconfig.mkdir()
            (labconfig / "page_config.json").write_text(
                json.dumps({"disabledExtensions": {NEWS_PLUGIN: True}}), encoding="utf-8"
            )
            write_lab_settings(self.config_dir / "lab-settings")
            write_server_config(self.config_dir)  # the phone page (kit.room.phone)
            write_log_config(self.config_dir)  # a terminal without false alarms (serverlog)
            write_widgetjs_config(self.config_dir)  # plotly's widget code, once a browser
            write_nice_config(self.config_dir)  # a kernel busy for long yields to the others
            write_kernel_spec(self.config_dir / "data")
        return self.config_dir

    def env(self) -> dict[str, str]:
        """The server's environment: this one, the page config that hides the news, the
        ``python3`` kernel that loads the editors as it starts (:func:`write_kernel_spec`), the
        token as ``JUPYTER_TOKEN`` (read by Jupyter Server's identity provider; a process's
        environment is readable only by its own user and root, unlike its arguments).

        Examples
        --------
        >>> import tempfile
        >>> server = LabServer(Path(tempfile.mkdtemp()))
        >>> first = server.env()["JUPYTER_CONFIG_PATH"].split(os.pathsep)[0]
        >>> (Path(first) / "labconfig" / "page_config.json").is_file()
        True
        >>> data = server.env()["JUPYTER_PATH"].split(os.pathsep)[0]
        >>> (Path(data) / "kernels" / "python3" / "kernel.json").is_file()
        True
        >>> server.cleanup(); Path(first).exists()
        False
        """
        env = {**os.environ}
        for name, folder in (("JUPYTER_CONFIG_PATH", ""), ("JUPYTER_PATH", "data")):
            paths = [str(self._config() / folder)]  # first: this server's config, its kernel
            if os.environ.get(name):
                paths.append(os.environ[name])
            env[name] = os.pathsep.join(paths)
        env.pop("JUPYTER_TOKEN_FILE", None)  # one source for the token: the one below
        env["JUPYTER_TOKEN"] = self.token
        return env

    def check(self) -> None:
        """Refuse what cannot work before starting: no workshop, bad kernel, port taken."""
        from kit.report.kernels import python_kernel_ok

        if not is_workshop(self.workshop_dir):
            raise LabError(
                f"{self.workshop_dir} is not a workshop folder (no workshop.yaml and "
                f"no teams/ folder); expected a folder made by 'servekit new'"
            )
        problem = python_kernel_ok()
        if problem:
            raise LabError(problem)
        check_port(self.host, self.port)

    def start(self) -> subprocess.Popen:
        """Start JupyterLab (stdin closed, so Ctrl-C stops it without a question)."""
        return subprocess.Popen(
            self.argv(), cwd=self.workshop_dir, env=self.env(), stdin=subprocess.DEVNULL
        )

    def wait_ready(self, process: subprocess.Popen, timeout: float = 120) -> None:
        """Wait until the server answers an authenticated request, or raise :class:`LabError`."""
        request = urllib.request.Request(
            f"{self.local_base}/api/status", headers={"Authorization": f"token {self.token}"}
        )
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(request, timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                if process.poll() is not None:
                    raise LabError(
                        f"JupyterLab stopped at start (exit status "
                        f"{process.returncode}); see its messages above"
                    ) from None
                if time.monotonic() > deadline:
                    raise LabError(f"JupyterLab did not answer within {timeout:.0f} s") from None
                time.sleep(0.3)

    def cleanup(self) -> None:
        """Remove the private page config."""
        if self.config_dir is not None:
            shutil.rmtree(self.config_dir, ignore_errors=True)
            self.config_dir = None


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    """Stop a server (JupyterLab and its kernels, Voilà, JupyterHub) politely, then firmly.

    Examples
    --------
    >>> process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    >>> stop(process); process.returncode
    -15
    """
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)
