"""A hostile team's code never runs in a server or a kernel it does not own (issue 20, items
1, 5 and 11), on a real ``servekit hub`` with real system users.

The team plants, as its own user through its own kernel, every module, configuration and
kernelspec its server or the facilitator's might pick up: a module in its home that shadows one
the server imports, a user configuration, a ``.pth`` in its user site-packages, a ``python3``
kernelspec in its home, and ``notebooks/<team>/kit/__init__.py`` beside its notebook. Each
planted file writes a marker when it runs. The team restarts its server through the hub's API;
its kernels and the facilitator's kernel on the team's notebook then import the kit's own
``kit``, and no marker exists. Limits (memory, processes) and the content-security policy of
``/files/`` are checked on the same hub. Needs root and the proxy.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import requests
from hubtools import api_token, login, run_code, running_hub, wait_for_server, xsrf_headers

import kit
from kit.hub.env import WORKSHOPS_ROOT, usable_by_all
from kit.hub.runner import state_dir_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]
TEAMS = {"iso-alpha": "Iso Alpha", "iso-bravo": "Iso Bravo"}
ADMIN = "iso-admin"
PLANT = """
import json, os, sys, sysconfig
marks = {marks!r}
def planted(name):
    return f"open({{marks!r}} + '/{{name}}', 'w').write('ran')\\n"
home = os.path.expanduser('~')
files = {{
    os.path.join(home, 'jupyter_server_terminals.py'): planted('home-module'),
    os.path.join(home, 'jupyterhub.py'): planted('home-jupyterhub'),
    os.path.join(home, '.jupyter', 'jupyter_server_config.py'): planted('user-config'),
    os.path.join(home, '.jupyter', 'jupyter_config.py'): planted('user-config-2'),
    os.path.join(sysconfig.get_path('purelib', f'{{os.name}}_user'), 'planted.pth'):
        'import os; ' + planted('user-site').strip() + '\\n',
    os.path.join(home, '.local', 'share', 'jupyter', 'kernels', 'python3', 'kernel.json'):
        json.dumps({{'argv': [sys.executable, '-c', planted('home-kernelspec')],
                    'display_name': 'Python 3', 'language': 'python'}}),
    os.path.join({notebooks!r}, 'kit', '__init__.py'): planted('notebook-kit'),
    os.path.join({notebooks!r}, 'pandas.py'): planted('notebook-pandas'),
}}
for path, text in files.items():
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as handle:
        handle.write(text)
print(len(files))
"""
PROBE = """
import sys, resource, kit, pandas
print(kit.__file__)
print(pandas.__file__.endswith('site-packages/pandas/__init__.py'))
print(sys.flags.safe_path, bool(sys.flags.no_user_site))
"""
LIMITS = """
import resource
print(resource.getrlimit(resource.RLIMIT_AS), resource.getrlimit(resource.RLIMIT_NPROC))
try:
    block = bytearray(3 * 2**30)
    print('allocated 3 GiB')
except MemoryError:
    print('MemoryError')
"""


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(list(TEAMS.values()), tmp_path_factory.mktemp("iso"), ADMIN) as running:
        yield running


@pytest.fixture(scope="module")
def marks():
    folder = Path(tempfile.mkdtemp(prefix="h20-marks-", dir="/tmp"))
    os.chmod(folder, 0o1777)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _login(hub, user, password):
    session, response = login(hub.base, user, password)
    assert response.ok, response.text[:300]
    wait_for_server(session, hub.base, user)
    return session, api_token(session, hub.base, user)


def _restart(hub, session, user):
    """Stop the user's server through the hub's API and start it again."""
    url = f"{hub.base}/hub/api/users/{user}/server"
    assert session.delete(url, headers=xsrf_headers(session), timeout=60).status_code in (202, 204)
    deadline = time.monotonic() + 120
    seen = None
    while time.monotonic() < deadline:
        seen = session.get(f"{hub.base}/hub/api/users/{user}", timeout=30).json()
        if not seen.get("server") and not seen.get("pending"):
            break
        time.sleep(0.3)
    else:
        pytest.fail(f"the server of {user} did not stop; last seen: {seen}")
    assert session.post(url, headers=xsrf_headers(session), timeout=120).status_code in (201, 202)
    wait_for_server(session, hub.base, user)


def _kit_in_servers(hub) -> str:
    if usable_by_all():
        return kit.__file__
    name = state_dir_for(hub.workshop).name
    return str(WORKSHOPS_ROOT / name / "kit-src" / "kit" / "__init__.py")


def test_planted_modules_config_and_kernelspec_never_run(hub, marks):
    user, password = hub.login_of("iso-alpha")
    session, token = _login(hub, user, password)
    notebooks = hub.workshop / "notebooks" / "iso-alpha"
    planted = run_code(
        hub.base, user, token, PLANT.format(marks=str(marks), notebooks=str(notebooks))
    )
    assert planted == {"status": "ok", "stdout": "8\n", "error": ""}
    _restart(hub, session, user)
    assert sorted(os.listdir(marks)) == []  # the new server ran none of it
    specs = requests.get(
        f"{hub.base}/user/{user}/api/kernelspecs",
        headers={"Authorization": f"token {token}"},
        timeout=30,
    ).json()
    spec = specs["kernelspecs"]["python3"]["spec"]
    assert spec["argv"][1:] == ["-P", "-s", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    # the team's own kernel, on the notebook beside its planted kit/ and pandas.py
    result = run_code(hub.base, user, token, PROBE, path="notebooks/iso-alpha/01_journey.ipynb")
    assert result == {
        "status": "ok",
        "stdout": f"{_kit_in_servers(hub)}\nTrue\nTrue True\n",
        "error": "",
    }
    # the facilitator opens the team's notebook to help: the kit's code, not the team's
    admin, admin_password = hub.admin()
    _, admin_token = _login(hub, admin, admin_password)
    result = run_code(
        hub.base, admin, admin_token, PROBE, path="notebooks/iso-alpha/01_journey.ipynb"
    )
    assert result == {
        "status": "ok",
        "stdout": f"{_kit_in_servers(hub)}\nTrue\nTrue True\n",
        "error": "",
    }
    assert sorted(os.listdir(marks)) == []


def test_a_team_server_and_its_kernels_are_limited(hub):
    user, password = hub.login_of("iso-bravo")
    _, token = _login(hub, user, password)
    result = run_code(hub.base, user, token, LIMITS)
    assert result == {
        "status": "ok",
        "stdout": f"({2**31}, {2**31}) (256, 256)\nMemoryError\n",
        "error": "",
    }
    # the server is still there for the next cell
    assert run_code(hub.base, user, token, "print(6 * 7)")["stdout"] == "42\n"


def test_files_the_facilitator_opens_are_sandboxed(hub):
    user, password = hub.login_of("iso-bravo")
    _, token = _login(hub, user, password)
    page = "<script>fetch('/hub/api/users').then(r => r.text()).then(t => document.title = t)"
    page += "</script>"
    wrote = run_code(
        hub.base,
        user,
        token,
        f"open({str(hub.workshop / 'notebooks' / 'iso-bravo' / 'evil.html')!r}, 'w')"
        f".write({page!r})",
    )
    assert wrote["status"] == "ok", wrote
    admin, admin_password = hub.admin()
    _, admin_token = _login(hub, admin, admin_password)
    served = requests.get(
        f"{hub.base}/user/{admin}/files/notebooks/iso-bravo/evil.html",
        headers={"Authorization": f"token {admin_token}"},
        timeout=30,
    )
    assert served.status_code == 200 and served.text == page
    policy = [p.strip() for p in served.headers["Content-Security-Policy"].split(";")]
    assert "sandbox allow-scripts" in policy  # a unique origin: no cookie, no same-origin
    assert not any("allow-same-origin" in p for p in policy)
