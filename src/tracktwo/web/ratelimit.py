"""Limits on guessing: wrong passwords and other secrets, per client address and account."""

from __future__ import annotations

from limits import RateLimitItemPerMinute, storage, strategies

from tracktwo.kernel.errors import TooManyRequests

__all__ = ["Throttle"]


class Throttle:
    """Allow ``per_15_minutes`` failures per key; then refuse until the window moves on.

    Memory storage is per process, which is right for SQLite mode (one process). Behind
    several servers each keeps its own count, which still caps guessing per server.
    """

    def __init__(self, per_15_minutes: int) -> None:
        self._item = RateLimitItemPerMinute(per_15_minutes, 15)
        self._limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def check(self, *keys: str) -> None:
        if not self._limiter.test(self._item, *keys):
            raise TooManyRequests(
                "Too many failed attempts; wait fifteen minutes before trying again."
            )

    def failed(self, *keys: str) -> None:
        self._limiter.hit(self._item, *keys)
