"""``servekit hub`` for real: a JupyterHub with one system user per team, on this machine.

The hub runs on 127.0.0.1 (free port) over a 3-team workshop; teams log in with the passwords
``servekit hub`` generated (read from ``--passwords-out``), run code in their own kernels through
the servers' REST and websocket APIs, and try to reach each other's files. The browser side is in
``tests/test_browser_hub.py``. The tests run in file order: the last ones stop the hub, start it
again (reusing the users) and remove everything. Needs root and configurable-http-proxy.
"""

from __future__ import annotations

import os
import pwd
import re
from pathlib import Path

import pytest
import requests
from hubtools import (
    api_token,
    listening,
    login,
    processes_of,
    run_code,
    running_hub,
    wait_for_server,
)

from kit.hub.runner import state_dir_for

# One hub per module, its system users made once: keep the module on one xdist worker
# (make test runs --dist loadgroup), so two workers never start hubs with the same users.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]
TEAMS = {"hub-alpha": "Hub Alpha", "hub-bravo": "Hub Bravo", "hub-charlie": "Hub Charlie"}
ADMIN = "hub-test-admin"
ADD_TOUCHPOINT = """
import getpass, pandas as pd
from kit.store.workbook import Workbook
wb = Workbook.load('../../teams/{slug}')
j = wb['journey']
row = {{'touchpoint_id': 'T99', 'stage': j['stage'].iloc[0], 'order': int(j['order'].max()) + 1,
        'description': 'Added by {slug} through the hub', 'contact': 'direct', 'emotion': 1,
        'moment_of_truth': False}}
assert wb.set_table('journey', pd.concat([j, pd.DataFrame([row])], ignore_index=True)) == []
wb.save()
print(getpass.getuser())
"""
TRESPASS = """
import os
for path, mode in [('teams/{other}/journey.csv', 'a'), ('teams/{other}/journey.csv', 'r'),
                   ('teams/{other}/new.csv', 'w'), ('notebooks/{other}/x.ipynb', 'w')]:
    path = os.path.join({workshop!r}, path)
    try:
        with open(path, mode) as handle:
            handle.write('stolen') if mode != 'r' else handle.read()
        print('OPENED', os.path.relpath(path, {workshop!r}), mode)
    except PermissionError as exc:
        print('DENIED', os.path.relpath(path, {workshop!r}), mode)
"""


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(list(TEAMS.values()), tmp_path_factory.mktemp("hub"), ADMIN) as running:
        yield running


def _team(hub, slug):
    user, password = hub.login_of(slug)
    session, response = login(hub.base, user, password)
    assert response.ok, response.text[:300]
    wait_for_server(session, hub.base, user)
    return user, session, api_token(session, hub.base, user)


def test_hub_binds_loopback_only(hub):
    assert listening(hub.port) == ["127.0.0.1"]
    config = (state_dir_for(hub.workshop) / "jupyterhub_config.py").read_text()
    hub_port = int(re.search(r"hub_port = (\d+)", config).group(1))
    api_port = int(re.search(r"api_url = 'http://127.0.0.1:(\d+)'", config).group(1))
    assert listening(hub_port) == ["127.0.0.1"] and listening(api_port) == ["127.0.0.1"]


def test_logins_and_passwords(hub):
    logins = hub.logins
    assert sorted(row["team"] for row in logins.values()) == ["", *sorted(TEAMS)]
    assert len({row["password"] for row in logins.values()}) == len(logins)  # one each
    assert oct(os.stat(hub.passwords_file).st_mode & 0o777) == "0o600"
    # not a terminal: the facilitator's password is not printed (it would end up in logs)
    assert not any(row["password"] in hub.output() for row in logins.values())
    assert "(not shown: not a terminal; read it in " in hub.output()
    for row in logins.values():
        assert pwd.getpwnam(row["login"]).pw_dir.startswith("/home/")
    # never in the workshop folder, in clear text
    for path in hub.workshop.rglob("*"):
        if path.is_file():
            text = path.read_bytes()
            assert not any(row["password"].encode() in text for row in logins.values()), path


def test_wrong_password_no_login(hub):
    alpha, _ = hub.login_of("hub-alpha")
    _, bravo_password = hub.login_of("hub-bravo")
    for password in ("wrong-password", bravo_password, ""):
        session, response = login(hub.base, alpha, password)
        assert response.status_code == 403
        assert session.get(f"{hub.base}/hub/api/user", timeout=30).status_code == 403
        home = session.get(f"{hub.base}/hub/home", timeout=30, allow_redirects=False)
        assert home.status_code == 302 and "/hub/login" in home.headers["Location"]


def test_team_lands_in_its_own_notebook_and_edits_its_own_journey(hub):
    user, session, token = _team(hub, "hub-alpha")
    page = session.get(f"{hub.base}/hub/", timeout=60)
    assert page.url.endswith(f"/user/{user}/lab/tree/notebooks/hub-alpha/01_journey.ipynb")
    journeys = {s: (hub.workshop / "teams" / s / "journey.csv") for s in TEAMS}
    before = {s: _read_as_root(p) for s, p in journeys.items()}
    result = run_code(
        hub.base,
        user,
        token,
        ADD_TOUCHPOINT.format(slug="hub-alpha"),
        path="notebooks/hub-alpha/01_journey.ipynb",
    )
    assert result == {"status": "ok", "stdout": f"{user}\n", "error": ""}
    after = {s: _read_as_root(p) for s, p in journeys.items()}
    assert "Added by hub-alpha through the hub" in after["hub-alpha"]
    assert after["hub-bravo"] == before["hub-bravo"]
    assert after["hub-charlie"] == before["hub-charlie"]
    assert pwd.getpwuid(journeys["hub-alpha"].stat().st_uid).pw_name == user


def test_team_cannot_reach_another_team(hub):
    alpha, alpha_session, alpha_token = _team(hub, "hub-alpha")
    bravo, _, _ = _team(hub, "hub-bravo")  # Bravo's server is running
    bravo_csv = hub.workshop / "teams" / "hub-bravo" / "journey.csv"
    before = _read_as_root(bravo_csv)
    headers = {"Authorization": f"token {alpha_token}"}
    own = f"{hub.base}/user/{alpha}/api/contents"
    assert (
        requests.get(f"{own}/teams/hub-alpha/journey.csv", headers=headers, timeout=30).status_code
        == 200
    )
    # through Alpha's own server (the OS refuses the read)
    for path in ("teams/hub-bravo/journey.csv", "teams/hub-bravo", "notebooks/hub-bravo"):
        assert requests.get(f"{own}/{path}", headers=headers, timeout=30).status_code == 404
    # through the hub to Bravo's server: the hub refuses Alpha
    other = f"{hub.base}/user/{bravo}/api/contents/teams/hub-bravo/journey.csv"
    assert requests.get(other, headers=headers, timeout=30).status_code == 403
    assert alpha_session.get(other, timeout=30).status_code == 403
    # Alpha's kernel, as Alpha's system user
    result = run_code(
        hub.base, alpha, alpha_token, TRESPASS.format(other="hub-bravo", workshop=str(hub.workshop))
    )
    assert result["status"] == "ok", result
    assert result["stdout"].splitlines() == [
        "DENIED teams/hub-bravo/journey.csv a",
        "DENIED teams/hub-bravo/journey.csv r",
        "DENIED teams/hub-bravo/new.csv w",
        "DENIED notebooks/hub-bravo/x.ipynb w",
    ]
    assert _read_as_root(bravo_csv) == before
    assert not (hub.workshop / "teams" / "hub-bravo" / "new.csv").exists()


def test_admin_reaches_every_team_and_the_links_page(hub):
    admin, password = hub.admin()
    session, response = login(hub.base, admin, password)
    assert response.ok
    wait_for_server(session, hub.base, admin)
    token = api_token(session, hub.base, admin)
    headers = {"Authorization": f"token {token}"}
    _team(hub, "hub-charlie")
    for slug in TEAMS:  # the facilitator's own server reads every team (not write)
        url = f"{hub.base}/user/{admin}/api/contents/teams/{slug}/journey.csv"
        assert requests.get(url, headers=headers, timeout=30).status_code == 200
    charlie = pwd.getpwnam(hub.login_of("hub-charlie")[0]).pw_name
    url = f"{hub.base}/user/{charlie}/api/contents/teams/hub-charlie/journey.csv"
    assert requests.get(url, headers=headers, timeout=30).status_code == 200  # admin access
    code = (
        "import glob\nfor p in sorted(glob.glob('../../teams/*/journey.csv')): "
        "print(p, len(open(p).read()) > 0)\n"
        "try:\n    open('../../teams/hub-charlie/journey.csv', 'a')\n"
        "except PermissionError:\n    print('read-only')\n"
    )
    result = run_code(hub.base, admin, token, code.replace("../../", str(hub.workshop) + "/"))
    assert result["stdout"].splitlines() == [
        f"{hub.workshop}/teams/{slug}/journey.csv True" for slug in sorted(TEAMS)
    ] + ["read-only"]
    page = session.get(f"{hub.base}/services/team-links/", timeout=60)
    assert page.status_code == 200
    for row in hub.logins.values():
        if row["team"]:
            assert row["login"] in page.text and row["password"] in page.text
            assert TEAMS[row["team"]] in page.text
    dashboard = session.get(f"{hub.base}/services/dashboard/", timeout=180)
    assert dashboard.status_code == 200 and "/voila/render/" in dashboard.url
    # the dashboard is a widget the page draws from the kernel (names checked in Chromium,
    # tests/test_browser_hub.py); here: rendered by Voila, no error output
    assert "application/vnd.jupyter.widget-view+json" in dashboard.text
    assert "application/vnd.jupyter.stderr" not in dashboard.text
    assert "Traceback" not in dashboard.text
    _, alpha_session, _ = _team(hub, "hub-alpha")
    for service in ("team-links", "dashboard"):
        refused = alpha_session.get(f"{hub.base}/services/{service}/", timeout=60)
        assert refused.status_code == 403
        assert not any(row["password"] in refused.text for row in hub.logins.values())
        assert not any(name in refused.text for name in TEAMS.values())


def test_a_phone_signs_in_as_the_team_and_scores_as_the_teams_user(hub):
    """Issue 22 on a hub: the phone link is the hub's login, then the team's own server serves
    the page of that team alone, and a tap is saved by the team's system user."""
    from urllib.parse import urlsplit

    from kit.room.phone import hub_phone_url

    user, password = hub.login_of("hub-alpha")
    link = urlsplit(hub_phone_url(hub.base + "/", "hub-alpha"))
    assert link.path == "/hub/login"
    session, response = login(hub.base, user, password)
    assert response.ok, response.text[:300]
    wait_for_server(session, hub.base, user)
    page = session.get(f"{hub.base}/hub/user-redirect/servekit/phone/hub-alpha", timeout=60)
    assert page.status_code == 200, page.text[:300]
    assert page.url == f"{hub.base}/user/{user}/servekit/phone/hub-alpha"
    assert "jp-" not in page.text
    own = f"{hub.base}/user/{user}/servekit/phone"
    headers = {"Authorization": f"token {api_token(session, hub.base, user)}"}
    other = requests.get(f"{own}/api/hub-bravo", headers=headers, timeout=60)
    assert other.status_code == 404  # the team's server serves its own team alone
    scores = hub.workshop / "teams" / "hub-alpha" / "scores.csv"
    tap = {"touchpoint_id": "T01", "scorer": "Phone Alpha", "importance": 5, "performance": 2}
    saved = requests.post(f"{own}/api/hub-alpha", json=tap, headers=headers, timeout=60)
    assert saved.status_code == 200, saved.text
    assert saved.json()["message"] == "saved"
    assert "Phone Alpha" in _read_as_root(scores)
    assert pwd.getpwuid(scores.stat().st_uid).pw_name == user


def test_stop_leaves_no_process_and_a_second_start_reuses_the_users(hub):
    users = [row["login"] for row in hub.logins.values()]
    assert processes_of(users)  # the servers started by the tests above
    passwords = hub.passwords_file.read_text()
    assert hub.stop() == 0
    assert processes_of(users) == []
    assert listening(hub.port) == []
    assert "Stopped." in hub.output()
    hub.log_path.write_text("")
    out = hub.start()
    assert f"0 system user(s) created, {len(users)} reused" in out
    assert hub.passwords_file.read_text() == passwords
    user, _, _ = _team(hub, "hub-bravo")
    assert processes_of([user])
    assert hub.stop() == 0
    assert processes_of(users) == []


def test_remove_gives_files_back_and_deletes_users(hub):
    users = [row["login"] for row in hub.logins.values()]
    result = hub.remove()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"{len(users)} system user(s) removed; the workshop's files are back with their owner"
    )
    for user in users:
        with pytest.raises(KeyError):
            pwd.getpwnam(user)
    strays = [str(p) for p in hub.workshop.rglob("*") if p.lstat().st_uid != os.getuid()]
    assert strays == []
    assert not state_dir_for(hub.workshop).exists()
    journey = (hub.workshop / "teams" / "hub-alpha" / "journey.csv").read_text()
    assert "Added by hub-alpha through the hub" in journey  # nothing lost


def _read_as_root(path: Path) -> str:
    return path.read_text(encoding="utf-8")
