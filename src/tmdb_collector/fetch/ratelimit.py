"""One adaptive rate limiter shared by every request of a run.

It paces requests evenly at ``rate`` per second (no bursts, so a server with a token bucket of
the same rate never answers 429). On a 429 it cuts the rate to 70% and pauses everyone for the
server's ``Retry-After`` (or a jittered backoff); after each quiet second it adds
``increase_per_second`` back, up to the configured ceiling: additive increase, multiplicative
decrease. The clock is injected so tests run without sleeping.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Protocol


class Clock(Protocol):
    def monotonic(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    __slots__ = ()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class AdaptiveRateLimiter:
    __slots__ = (
        "_blocked_until",
        "_clock",
        "_decreased_at",
        "_increase_per_second",
        "_last_increase",
        "_next_slot",
        "_random",
        "decrease_factor",
        "max_rate",
        "min_rate",
        "rate",
    )

    def __init__(
        self,
        rate: float,
        *,
        clock: Clock | None = None,
        min_rate: float = 1.0,
        increase_per_second: float = 1.0,
        decrease_factor: float = 0.7,
        rng: random.Random | None = None,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self._clock = clock or SystemClock()
        self.max_rate = rate
        self.rate = rate
        self.min_rate = min(min_rate, rate)
        self._increase_per_second = increase_per_second
        self.decrease_factor = decrease_factor
        self._random = rng or random.Random()
        now = self._clock.monotonic()
        self._next_slot = now
        self._blocked_until = now
        self._decreased_at = -float("inf")
        self._last_increase = now

    async def acquire(self) -> None:
        """Wait for this request's slot. Slots are reserved in call order."""
        now = self._clock.monotonic()
        self._grow(now)
        slot = max(now, self._next_slot, self._blocked_until)
        self._next_slot = slot + 1.0 / self.rate
        if slot > now:
            await self._clock.sleep(slot - now)

    def forget_bookings(self) -> None:
        """Give back the slots booked by requests that were cancelled before their turn (a
        stopped run's): the next request waits only for a 429's pause, if any."""
        self._next_slot = max(self._clock.monotonic(), self._blocked_until)

    def on_throttled(self, retry_after: float | None) -> None:
        """A 429 arrived: slow down and pause every caller."""
        now = self._clock.monotonic()
        pause = retry_after if retry_after is not None else 0.5 + self._random.uniform(0, 1.0)
        self._blocked_until = max(self._blocked_until, now + pause)
        self._next_slot = max(self._next_slot, self._blocked_until)
        # Requests already in flight answer 429 together: count them as one congestion event.
        if now - self._decreased_at >= max(pause, 1.0):
            self.rate = max(self.min_rate, self.rate * self.decrease_factor)
            self._decreased_at = now
        self._last_increase = max(now, self._blocked_until)

    def _grow(self, now: float) -> None:
        if self.rate >= self.max_rate or now <= self._last_increase:
            return
        elapsed = now - self._last_increase
        self.rate = min(self.max_rate, self.rate + self._increase_per_second * elapsed)
        self._last_increase = now
