"""Login throttling on the hub's real authenticator (issue 20, item 11: 60 wrong passwords at
about one a second, then the right one worked at once).

:class:`kit.hub.throttle.ThrottledPAMAuthenticator` checks passwords with PAM against a real
system user made here (root only; removed afterwards, also when a test fails). Its clock and
its sleep are injected: the test counts and sums the delays it asked for, and never waits.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import types

import pytest

from kit.hub.accounts import existing_user
from kit.hub.throttle import Throttle, ThrottledPAMAuthenticator

pytestmark = pytest.mark.xdist_group("hub")
USER = "sk-h20-throttle"
PASSWORD = "right-pass-2345"


@pytest.fixture(scope="module")
def pam_user():
    if os.geteuid() != 0:
        pytest.skip("making a system user to check passwords against needs root")
    if existing_user(USER) is not None:
        subprocess.run(["userdel", "--remove", USER], check=True, capture_output=True)
    subprocess.run(
        [
            "useradd",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "--comment",
            "servekit throttle test",
            USER,
        ],
        check=True,
        capture_output=True,
    )
    try:
        subprocess.run(["chpasswd"], input=f"{USER}:{PASSWORD}\n", text=True, check=True)
        yield USER
    finally:
        subprocess.run(["userdel", USER], capture_output=True)
        assert existing_user(USER) is None


class FakeTime:
    """A clock that only moves when the authenticator sleeps; records every sleep."""

    def __init__(self):
        self.now, self.sleeps = 1000.0, []

    def clock(self):
        return self.now

    async def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


def _authenticator(fake: FakeTime) -> ThrottledPAMAuthenticator:
    return ThrottledPAMAuthenticator(
        clock=fake.clock, sleep=fake.sleep, allowed_users={USER}, open_sessions=False
    )


def _handler(address: str):
    return types.SimpleNamespace(request=types.SimpleNamespace(remote_ip=address))


def _try(auth, user, password, address="10.0.0.7"):
    data = {"username": user, "password": password}
    return asyncio.run(auth.authenticate(_handler(address), data))


def test_five_free_failures_then_growing_delays_even_for_the_right_password(pam_user, caplog):
    fake = FakeTime()
    auth = _authenticator(fake)
    auth.log = logging.getLogger("throttle-test")
    with caplog.at_level(logging.WARNING, logger="throttle-test"):
        results = [_try(auth, pam_user, f"wrong-{i}") for i in range(8)]
        assert results == [None] * 8
        assert fake.sleeps == [1.0, 2.0, 4.0]  # tries 6..8 waited; 1..5 did not
        assert _try(auth, pam_user, PASSWORD) == pam_user  # right, but after the delay
    assert fake.sleeps == [1.0, 2.0, 4.0, 8.0]
    logged = [r.getMessage() for r in caplog.records if "throttled" in r.getMessage()]
    assert len(logged) == 4
    assert logged[0] == (
        f"Login throttled: {pam_user} from 10.0.0.7 waits 1 s "
        "(5 failures for the name, 5 for the address)"
    )
    # the right password cleared the count: the next try is free again
    assert _try(auth, pam_user, "wrong-again") is None
    assert fake.sleeps == [1.0, 2.0, 4.0, 8.0]


def test_the_delay_follows_the_address_across_names_and_the_name_across_addresses():
    fake = FakeTime()
    throttle = Throttle(clock=fake.clock)
    keys = [[f"user:sk-nobody-{i}", "address:10.0.0.9"] for i in range(7)]
    delays = []
    for key in keys:  # seven names from one address
        delays.append(throttle.delay(key))
        throttle.failed(key)
    assert delays == [0.0] * 5 + [1.0, 2.0]
    assert throttle.delay(["user:sk-nobody-0", "address:10.0.0.10"]) == 0.0
    delays = []
    for i in range(7):  # one name from seven addresses
        key = ["user:sk-target", f"address:10.1.0.{i}"]
        delays.append(throttle.delay(key))
        throttle.failed(key)
    assert delays == [0.0] * 5 + [1.0, 2.0]


def test_the_delay_stops_growing_at_its_ceiling_and_is_forgotten_later():
    fake = FakeTime()
    throttle = Throttle(clock=fake.clock)
    delays = []
    for _ in range(14):
        delays.append(throttle.delay(["user:x"]))
        throttle.failed(["user:x"])
    assert delays == [0.0] * 5 + [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    fake.now += 899
    assert throttle.delay(["user:x"]) == 60.0
    fake.now += 2  # a quarter of an hour after the last failure
    assert throttle.delay(["user:x"]) == 0.0 and throttle.count("user:x") == 0
