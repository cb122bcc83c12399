"""``servekit hub`` without a running hub: names, passwords, the configuration, the links
page, the refusals (as a real non-root user too) and ``--config-only``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from traitlets.config import Config

from kit.cli import main
from kit.hub.accounts import (
    MAX_NAME,
    PREFIX,
    existing_user,
    new_password,
    not_root_message,
    system_username,
)
from kit.hub.config import HubPlan, render_config
from kit.hub.env import usable_by_all
from kit.hub.links import hub_links_page
from kit.hub.runner import state_dir_for, write_passwords_file
from kit.room.lab import LAB_EXTENSIONS
from kit.store.workshop import create_workshop

XSS = "<img src=x onerror=alert(1)>"


def _exec_config(text: str) -> Config:
    namespace = {"get_config": Config}
    exec(compile(text, "jupyterhub_config.py", "exec"), namespace)
    return namespace["c"]


@pytest.mark.parametrize("slug", ["a", "night-shift", "x" * 29, "x" * 30, "y" * 80])
def test_system_username_is_prefixed_short_and_stable(slug):
    name = system_username(slug)
    assert name.startswith(PREFIX) and len(name) <= MAX_NAME
    assert re.fullmatch(r"[a-z][a-z0-9-]*", name)
    assert system_username(slug) == name
    if len(PREFIX + slug) <= MAX_NAME:
        assert name == PREFIX + slug


def test_long_names_that_share_a_start_get_different_users():
    assert system_username("z" * 40 + "a") != system_username("z" * 40 + "b")


def test_passwords_are_random_and_unambiguous():
    drawn = {new_password() for _ in range(2000)}
    assert len(drawn) == 2000
    assert all(re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", p) for p in drawn)
    assert not set("01ilo") & set("".join(drawn))


def test_config_is_loopback_pam_one_user_per_team(tmp_path):
    plan = HubPlan(
        workshop=tmp_path / "w",
        teams={"sk-a": "a", "sk-b": "b"},
        admin="sk-boss",
        state_dir=tmp_path / "state",
        port=8123,
        hub_port=8124,
        api_port=8125,
        proxy_cmd=["/x/configurable-http-proxy"],
        user_python="/env/bin/python",
        passwords_file=tmp_path / "state" / "passwords.json",
        links_port=8126,
    )
    c = _exec_config(render_config(plan))
    assert (c.JupyterHub.ip, c.JupyterHub.port, c.JupyterHub.hub_ip) == (
        "127.0.0.1",
        8123,
        "127.0.0.1",
    )
    assert c.ConfigurableHTTPProxy.api_url == "http://127.0.0.1:8125"
    assert c.JupyterHub.authenticator_class == "kit.hub.throttle.ThrottledPAMAuthenticator"
    assert c.Authenticator.allowed_users == {"sk-a", "sk-b", "sk-boss"}
    assert c.Authenticator.admin_users == {"sk-boss"}
    # the kit's code only: safe path, no user site-packages, no user config
    assert c.JupyterHub.spawner_class == "kit.hub.spawner.TeamSpawner"
    assert c.Spawner.cmd == ["/env/bin/python", "-P", "-s", "-m", "jupyterhub.singleuser"]
    assert c.Spawner.disable_user_config is True
    assert c.Spawner.environment == {
        "SERVEKIT_HUB": "1",
        "SERVEKIT_WIDGET_JS": "1",  # the charts load plotly's widget code from the server
        "PYTHONSAFEPATH": "1",
        "PYTHONNOUSERSITE": "1",
    }
    # as under servekit lab: the run guard, and plotly's widget code served by the server
    assert f"--LabApp.extra_labextensions_path={LAB_EXTENSIONS}" in c.Spawner.args
    assert "--ServerApp.jpserver_extensions=kit.room.widgetjs=True" in c.Spawner.args
    assert "--ServerApp.jpserver_extensions=kit.room.phone=True" in c.Spawner.args
    assert "--ServerApp.jpserver_extensions=kit.room.kernelnice=True" in c.Spawner.args
    assert (c.Spawner.mem_limit, c.TeamSpawner.proc_limit) == ("2G", 256)
    assert "ssl_cert" not in c.JupyterHub and "tornado_settings" not in c.JupyterHub
    assert c.Spawner.notebook_dir == str(tmp_path / "w")
    assert c.JupyterHub.cleanup_servers is True
    links = next(s for s in c.JupyterHub.services if s["name"] == "team-links")
    assert links["url"] == "http://127.0.0.1:8126" and "user" not in links
    assert links["environment"]["SERVEKIT_HUB_PASSWORDS"] == str(plan.passwords_file)


def test_landing_page_per_user(tmp_path):
    (tmp_path / "w" / "notebooks" / "a").mkdir(parents=True)
    (tmp_path / "w" / "notebooks" / "a" / "01_journey.ipynb").write_text("{}")
    plan = HubPlan(
        workshop=tmp_path / "w",
        teams={"sk-a": "a", "sk-b": "b"},
        admin="sk-boss",
        state_dir=tmp_path / "s",
    )
    hook = _exec_config(render_config(plan)).Spawner.pre_spawn_hook

    class User:
        def __init__(self, name):
            self.name = name

    shared = {"SERVEKIT_HUB": "1"}  # the class-wide environment (c.Spawner.environment)

    class Spawner:
        def __init__(self, name):
            self.user, self.default_url, self.environment = User(name), "", shared

    landed, teams = {}, {}
    for name in ("sk-a", "sk-b", "sk-boss"):
        spawner = Spawner(name)
        hook(spawner)
        landed[name] = spawner.default_url
        teams[name] = spawner.environment.get("SERVEKIT_TEAM")
    assert landed == {
        "sk-a": "/lab/tree/notebooks/a/01_journey.ipynb",
        "sk-b": "/lab/tree/notebooks/b",
        "sk-boss": "/lab/tree",
    }
    # the phone page of each team's server serves that team alone; the facilitator's none
    assert teams == {"sk-a": "a", "sk-b": "b", "sk-boss": None}
    assert shared == {"SERVEKIT_HUB": "1"}  # one spawner's team never leaks into another's


def test_links_page_escapes_and_shows_each_login():
    page = hub_links_page(
        XSS,
        [("sk-a", XSS, "abcd-efgh-jkmn"), ("sk-b", "B & co", "pqrs-tuvw-xyz2")],
        "http://localhost:8000/",
        "/services/dashboard/",
    )
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count('class="card"') == 2 and "B &amp; co" in page
    assert "abcd-efgh-jkmn" in page and "pqrs-tuvw-xyz2" in page
    assert "http://localhost:8000/hub/login" in page and page.count("<svg") == 2
    assert "http://" not in page.replace("http://localhost:8000/hub/login", "").replace(
        "http://www.w3.org/2000/svg", ""
    )  # nothing loads from elsewhere


def test_passwords_file_is_owner_only(tmp_path):
    target = tmp_path / "logins.json"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_passwords_file(target, [{"login": "sk-a", "password": "p"}])
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    assert '"password": "p"' in target.read_text()


def test_state_folder_is_outside_the_workshop(tmp_path):
    state = state_dir_for(tmp_path / "w")
    assert not state.is_relative_to(tmp_path)


def test_config_only_writes_a_config_and_starts_nothing(tmp_path):
    ws = create_workshop(tmp_path / "w", teams=["Front Desk", "Night Shift"])
    out = tmp_path / "jupyterhub_config.py"
    result = CliRunner().invoke(
        main,
        [
            "hub",
            str(ws.path),
            "--config-only",
            "--out",
            str(out),
            "--port",
            "8765",
            "--admin",
            "Coach",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert result.stdout == (
        f"Wrote {out} for 2 team(s) (logins: sk-front-desk, sk-night-shift; facilitator: "
        f"sk-coach). Run it with: sudo jupyterhub -f {out}\n"
    )
    note = (
        f"Note: other users cannot run {sys.executable}; point c.Spawner.cmd at a Python "
        f"every user can run ('sudo servekit hub DIR' builds one in /opt/servekit).\n"
    )
    assert result.stderr == ("" if usable_by_all() else note)
    c = _exec_config(out.read_text())
    assert c.JupyterHub.port == 8765 and c.Authenticator.admin_users == {"sk-coach"}
    assert existing_user("sk-front-desk") is None and existing_user("sk-coach") is None
    assert not state_dir_for(ws.path).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--config-only"],
            "Error: --config-only needs --out FILE (e.g. --out jupyterhub_config.py)",
        ),
        (
            ["--out", "x.py"],
            "Error: --out goes with --config-only (the running hub keeps its "
            "configuration in its state folder)",
        ),
        (
            ["--self-signed", "--ssl-cert", __file__, "--ssl-key", __file__],
            "Error: --self-signed makes its own certificate; drop --ssl-cert/--ssl-key",
        ),
        (
            ["--ssl-cert", __file__],
            "Error: --ssl-cert and --ssl-key go together (the certificate and its key)",
        ),
        (
            ["--mem-limit", "lots"],
            "Error: Invalid value for --mem-limit: 'lots' is not a size; expected a number of "
            "bytes or a number with K, M, G or T (e.g. 2G)",
        ),
    ],
)
def test_option_mistakes(tmp_path, args, message):
    ws = create_workshop(tmp_path / "w", teams=["A"])
    result = CliRunner().invoke(main, ["hub", str(ws.path), *args])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == message


def test_passwords_never_go_into_the_workshop_folder(tmp_path):
    ws = create_workshop(tmp_path / "w", teams=["A"])
    result = CliRunner().invoke(
        main, ["hub", str(ws.path), "--passwords-out", str(ws.path / "pw.json")]
    )
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        f"Error: --passwords-out {ws.path / 'pw.json'} is inside the workshop folder; choose "
        f"a file outside it (passwords are never kept in the workshop folder)"
    )
    assert not (ws.path / "pw.json").exists()


def test_not_a_workshop(tmp_path):
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(
        main, ["hub", str(tmp_path / "empty"), "--config-only", "--out", str(tmp_path / "c.py")]
    )
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path / 'empty'} is not a workshop folder (no "
        f"workshop.yaml and no teams/ folder); expected a folder made by "
        f"'servekit new'\n"
    )


# runs the hub environment's Python, which the hub tests refresh: same xdist worker as them
@pytest.mark.slow
@pytest.mark.xdist_group("hub")
def test_a_user_who_is_not_root_is_told_so(tmp_path):
    """Run the real command as ``nobody``, with the Python environment every user can run."""
    if os.geteuid() != 0:
        result = CliRunner().invoke(main, ["hub", str(tmp_path)])
        assert result.output == f"Error: {not_root_message()}\n"
        return
    from kit.hub.env import copy_kit, ensure_user_env

    env = ensure_user_env(log=lambda message: None)
    shared = Path(
        subprocess.run(
            ["mktemp", "-d", "/tmp/servekit-nobody-XXXX"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    try:
        os.chmod(shared, 0o755)
        ws = create_workshop(shared / "w", teams=["A"])
        kit_copy = copy_kit(shared / "kit-src")  # as a workshop's own copy of the kit
        done = subprocess.run(
            [str(env.python), "-m", "kit", "hub", str(ws.path)],
            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(kit_copy)},
            user="nobody",
            cwd="/",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 1
        assert done.stderr == f"Error: {not_root_message()}\n"
        assert existing_user("sk-a") is None
    finally:
        subprocess.run(["rm", "-rf", str(shared)], check=True)
    assert not_root_message() == (
        "servekit hub needs root: it creates one system user per team and gives each its own "
        "folder, like The Littlest JupyterHub. Run it as root, e.g. 'sudo servekit hub DIR' "
        "(or use --config-only to write the configuration without starting anything)."
    )


def test_tls_config_serves_https_with_secure_cookies(tmp_path):
    plan = HubPlan(
        workshop=tmp_path / "w",
        teams={"sk-a": "a"},
        admin="sk-boss",
        state_dir=tmp_path / "s",
        host="0.0.0.0",
        port=8443,
        ssl_cert=tmp_path / "hub.crt",
        ssl_key=tmp_path / "hub.key",
        mem_limit="1G",
    )
    c = _exec_config(render_config(plan))
    assert (c.JupyterHub.ssl_cert, c.JupyterHub.ssl_key) == (
        str(tmp_path / "hub.crt"),
        str(tmp_path / "hub.key"),
    )
    assert c.JupyterHub.tornado_settings == {"cookie_options": {"secure": True}}
    assert c.Spawner.mem_limit == "1G"
    assert plan.public_url == "https://0.0.0.0:8443/"


def test_self_signed_certificate_names_and_fingerprint(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    from kit.hub.tls import fingerprint, make_self_signed

    cert, key = make_self_signed(tmp_path, ["room.example", "10.0.0.5", "localhost"])
    loaded = x509.load_pem_x509_certificate(cert.read_bytes())
    names = loaded.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == ["room.example", "localhost"]
    assert [str(a) for a in names.get_values_for_type(x509.IPAddress)] == ["10.0.0.5"]
    assert fingerprint(cert) == ":".join(f"{b:02X}" for b in loaded.fingerprint(hashes.SHA256()))
    assert oct(key.stat().st_mode & 0o777) == "0o600"


def test_the_proxy_of_make_hub_proxy_is_found_from_any_folder(tmp_path, monkeypatch):
    from kit.exceptions import HubSetupError
    from kit.hub.runner import find_proxy

    installed = Path(__file__).resolve().parent.parent / ".node/node_modules/.bin"
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.chdir(tmp_path)
    if (installed / "configurable-http-proxy").is_file():
        assert find_proxy() == [str(installed / "configurable-http-proxy")]
    with pytest.raises(HubSetupError) as refused:
        find_proxy(kit_folder=tmp_path)
    assert str(refused.value) == (
        "configurable-http-proxy not found: JupyterHub needs its proxy from npm. Install it "
        "with 'npm install -g configurable-http-proxy' (or 'make hub-proxy' in the kit's "
        "folder), then try again."
    )


def test_each_workshop_gets_its_own_kit_and_kernelspec(tmp_path):
    import json

    from kit.hub.env import workshop_runtime

    a_path, a_kit = workshop_runtime("ws-a", "/usr/bin/python3", True, tmp_path / "workshops")
    b_path, b_kit = workshop_runtime("ws-b", "/usr/bin/python3", True, tmp_path / "workshops")
    assert a_kit != b_kit and (b_kit / "kit" / "__init__.py").is_file()
    b_file = b_kit / "kit" / "hub" / "runner.py"
    b_before = (b_file.stat().st_ino, b_file.stat().st_mtime_ns)
    workshop_runtime("ws-a", "/usr/bin/python3", True, tmp_path / "workshops")  # A restarts
    assert (b_file.stat().st_ino, b_file.stat().st_mtime_ns) == b_before  # B untouched
    spec = json.loads((a_path / "kernels" / "python3" / "kernel.json").read_text())
    assert spec["argv"] == [
        "/usr/bin/python3",
        "-P",
        "-s",
        "-m",
        "ipykernel_launcher",
        "-f",
        "{connection_file}",
    ]
    assert oct(a_kit.stat().st_mode & 0o777) == "0o755"
    assert oct((a_kit / "kit" / "__init__.py").stat().st_mode & 0o777) == "0o644"


def test_the_facilitator_password_is_shown_on_a_terminal_only(tmp_path):
    from kit.hub.runner import Prepared, admin_password_shown

    plan = HubPlan(
        workshop=tmp_path,
        teams={},
        admin="sk-f",
        state_dir=tmp_path,
        passwords_file=tmp_path / "passwords.json",
    )
    prepared = Prepared(
        plan, tmp_path / "c.py", [{"team": "", "name": "f", "login": "sk-f", "password": "pw"}]
    )
    assert admin_password_shown(prepared, True) == "pw"
    assert admin_password_shown(prepared, False) == (
        f"(not shown: not a terminal; read it in {tmp_path / 'passwords.json'}, root only)"
    )


def test_leftovers_of_removed_users_go_and_nothing_else(tmp_path):
    from kit.hub.accounts import remove_leftovers

    place = tmp_path / "shm"
    place.mkdir()
    (place / "theirs").write_text("x")
    (place / "theirs-dir").mkdir()
    (place / "theirs-dir" / "f").write_text("x")
    (place / "link").symlink_to(tmp_path / "kept")
    (tmp_path / "kept").write_text("target of a link: never followed")
    (place / "mine").write_text("y")
    uid = 54321
    if os.geteuid() == 0:
        for name in ("theirs", "theirs-dir", "link"):
            os.chown(place / name, uid, uid, follow_symlinks=False)
        removed = remove_leftovers({uid}, places=[place])
        assert sorted(Path(p).name for p in removed) == ["link", "theirs", "theirs-dir"]
    else:
        assert remove_leftovers({uid}, places=[place]) == []
    assert sorted(p.name for p in place.iterdir()) == (
        ["mine"] if os.geteuid() == 0 else ["link", "mine", "theirs", "theirs-dir"]
    )
    assert (tmp_path / "kept").read_text() == "target of a link: never followed"


def test_team_servers_get_the_run_guard_from_the_workshop_s_own_copy_of_the_kit(tmp_path):
    """A hub whose teams import a copy of the kit loads Lab's run guard from that copy: the
    folder named on the team servers' command line holds the extension."""
    from kit.hub.env import copy_kit

    kit_copy = copy_kit(tmp_path / "kit-src")
    plan = HubPlan(
        workshop=tmp_path / "w",
        teams={"sk-a": "a"},
        admin="sk-boss",
        state_dir=tmp_path / "s",
        kit_path=str(kit_copy),
    )
    c = _exec_config(render_config(plan))
    guard = kit_copy / "kit" / "room" / "labextensions" / "servekit-run-guard" / "package.json"
    assert json.loads(guard.read_text())["name"] == "servekit-run-guard"
    assert plan.lab_extensions == str(guard.parent.parent)
    assert f"--LabApp.extra_labextensions_path={guard.parent.parent}" in c.Spawner.args
    assert c.Spawner.environment["PYTHONPATH"] == str(kit_copy)
