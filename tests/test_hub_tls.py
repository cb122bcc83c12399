"""``servekit hub --self-signed`` for real (issue 20, item 11): the proxy serves HTTPS with a
certificate made offline, the fingerprint printed at start is the one the server presents,
the hub's cookies are ``Secure``, and plain HTTP gets nothing. Needs root and the proxy."""

from __future__ import annotations

import re
import ssl

import pytest
import requests
from hubtools import login, running_hub

from kit.hub.runner import state_dir_for
from kit.hub.tls import fingerprint

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("hub")]


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with running_hub(
        ["Tls Alpha"], tmp_path_factory.mktemp("tls"), "tls-admin", extra=("--self-signed",)
    ) as running:
        yield running


def test_the_printed_fingerprint_is_the_served_certificate(hub):
    printed = re.search(
        r"SHA-256 fingerprint \(read it out: the browser's warning page must "
        r"show the same\): ([0-9A-F:]{95})\n",
        hub.output(),
    )
    assert printed, hub.output()
    served = ssl.get_server_certificate(("127.0.0.1", hub.port)).encode()
    assert fingerprint(served) == printed.group(1)
    cert = state_dir_for(hub.workshop) / "hub.crt"
    assert fingerprint(cert) == printed.group(1)
    assert oct((state_dir_for(hub.workshop) / "hub.key").stat().st_mode & 0o777) == "0o600"


def test_login_over_https_sets_secure_cookies_only(hub):
    cert = str(state_dir_for(hub.workshop) / "hub.crt")
    user, password = hub.login_of("tls-alpha")
    session, response = login(hub.base, user, password, verify=cert)
    assert response.ok and response.url.startswith(f"https://127.0.0.1:{hub.port}/")
    cookies = {c.name: c.secure for c in session.cookies}
    assert "jupyterhub-session-id" in cookies and any(
        n.startswith("jupyterhub-hub-login") for n in cookies
    ), cookies
    assert all(cookies.values()), cookies
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{hub.port}/hub/login", timeout=10)
