"""``servekit hub`` without a running hub: names, passwords, the configuration, the links
page, the refusals (as a real non-root user too) and ``--config-only``."""

from __future__ import annotations

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
    assert c.JupyterHub.authenticator_class == "pam"
    assert c.Authenticator.allowed_users == {"sk-a", "sk-b", "sk-boss"}
    assert c.Authenticator.admin_users == {"sk-boss"}
    assert c.Spawner.cmd == ["/env/bin/python", "-m", "jupyterhub.singleuser"]
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

    class Spawner:
        def __init__(self, name):
            self.user, self.default_url = User(name), ""

    landed = {}
    for name in ("sk-a", "sk-b", "sk-boss"):
        spawner = Spawner(name)
        hook(spawner)
        landed[name] = spawner.default_url
    assert landed == {
        "sk-a": "/lab/tree/notebooks/a/01_journey.ipynb",
        "sk-b": "/lab/tree/notebooks/b",
        "sk-boss": "/lab/tree",
    }


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
    from kit.hub.env import ensure_user_env

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
        done = subprocess.run(
            [str(env.python), "-m", "kit", "hub", str(ws.path)],
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
