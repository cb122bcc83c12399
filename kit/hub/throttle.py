"""Login throttling for the hub: after a few wrong passwords, each new try waits longer.

Failures are counted per login name and per client address. The first
``free_failures`` (5) cost nothing (a typo); after them each try waits ``base_delay`` seconds,
doubling with every further failure up to ``max_delay``. A right password clears the
count of its login and address. :class:`ThrottledPAMAuthenticator` puts this in front of
JupyterHub's own PAM authenticator through the Authenticator API (``authenticate``) and logs
every delay; the clock and the sleep are attributes, so a test counts the delays instead of
waiting them out.

Examples
--------
>>> now = [0.0]
>>> t = Throttle(clock=lambda: now[0])
>>> for _ in range(7):
...     t.failed(["user:a"])
>>> t.delay(["user:a"]), t.delay(["user:b"])
(4.0, 0.0)
"""

from __future__ import annotations

import asyncio
import time

from jupyterhub.auth import PAMAuthenticator
from traitlets import Any, Float, Instance, Integer, default

__all__ = ["Throttle", "ThrottledPAMAuthenticator"]


class Throttle:
    """Failure counts per key (``"user:NAME"``, ``"address:IP"``) and the delay they earn.

    Parameters
    ----------
    free_failures : int
        Failures that cost no delay.
    base_delay, max_delay : float
        The first delay, and the ceiling of the doubling delays, in seconds.
    forget_after : float
        Seconds after its last failure when a key's count is forgotten.
    clock : callable
        Monotonic seconds (injected by tests).
    """

    def __init__(
        self,
        free_failures: int = 5,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        forget_after: float = 900.0,
        clock=time.monotonic,
    ):
        self.free_failures, self.base_delay, self.max_delay = free_failures, base_delay, max_delay
        self.forget_after, self.clock = forget_after, clock
        self._failures: dict[str, tuple[int, float]] = {}

    def count(self, key: str) -> int:
        """Failures of ``key`` still remembered.

        Examples
        --------
        >>> Throttle().count("user:nobody")
        0
        """
        failures, last = self._failures.get(key, (0, 0.0))
        if failures and self.clock() - last > self.forget_after:
            del self._failures[key]
            return 0
        return failures

    def delay(self, keys) -> float:
        """Seconds the next try with ``keys`` waits: 0 while the key with most failures has
        ``n < free_failures``, then ``base_delay * 2**(n - free_failures)``, at most
        ``max_delay``.

        Examples
        --------
        >>> t = Throttle(free_failures=2, base_delay=2, max_delay=5)
        >>> [(t.failed(["k"]), t.delay(["k"]))[1] for _ in range(5)]
        [0.0, 2.0, 4.0, 5.0, 5.0]
        """
        worst = max((self.count(k) for k in keys), default=0)
        if worst < self.free_failures:
            return 0.0
        return float(min(self.max_delay, self.base_delay * 2 ** (worst - self.free_failures)))

    def failed(self, keys) -> None:
        """Count one more failure for each of ``keys``."""
        for key in keys:
            self._failures[key] = (self.count(key) + 1, self.clock())

    def succeeded(self, keys) -> None:
        """Forget ``keys``' failures (a right password)."""
        for key in keys:
            self._failures.pop(key, None)


class ThrottledPAMAuthenticator(PAMAuthenticator):
    """JupyterHub's PAM authenticator with :class:`Throttle` in front of every password check:
    the delay is served (and logged) before PAM is asked, so guessing gets slow for the name
    and for the address alike, even when the guess is right."""

    free_failures = Integer(5, help="Wrong passwords without delay.").tag(config=True)
    base_delay = Float(1.0, help="First delay (seconds); doubles per failure.").tag(config=True)
    max_delay = Float(60.0, help="Longest delay (seconds).").tag(config=True)
    clock = Any(help="Monotonic clock (tests inject one).")
    sleep = Any(help="Coroutine function that waits (tests inject one that counts).")
    throttle = Instance(Throttle)

    @default("clock")
    def _clock(self):
        return time.monotonic

    @default("sleep")
    def _sleep(self):
        return asyncio.sleep

    @default("throttle")
    def _throttle(self):
        return Throttle(self.free_failures, self.base_delay, self.max_delay, clock=self.clock)

    async def authenticate(self, handler, data):
        name = self.normalize_username(str(data.get("username", "")))
        address = handler.request.remote_ip if handler is not None else ""
        keys = [f"user:{name}", f"address:{address}"]
        wait = self.throttle.delay(keys)
        if wait:
            self.log.warning(
                "Login throttled: %s from %s waits %.0f s (%d failures for the name, %d for "
                "the address)",
                name,
                address,
                wait,
                self.throttle.count(keys[0]),
                self.throttle.count(keys[1]),
            )
            await self.sleep(wait)
        result = await super().authenticate(handler, data)
        if result:
            self.throttle.succeeded(keys)
        else:
            self.throttle.failed(keys)
        return result
