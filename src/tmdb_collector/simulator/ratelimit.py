"""Token-bucket rate limiter with an injectable clock."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

_EPSILON = 1e-9


class TokenBucket:
    """Capacity ``rate`` (one second of burst), refilled continuously at ``rate``/s.

    A client pacing itself evenly at exactly ``rate`` requests/s is never refused.
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self._clock = clock
        self._tokens = self.capacity
        self._last = clock()
        self._window_start = self._last
        self._window_count = 0

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._last)
        self._tokens = min(self.capacity, self._tokens + elapsed * self.rate)
        self._last = now

    def acquire(self) -> float | None:
        """Take one token. ``None`` if allowed, else seconds until one is available."""
        now = self._clock()
        self._refill(now)
        if now - self._window_start >= 1.0:
            self._window_start, self._window_count = now, 0
        self._window_count += 1
        if self._tokens >= 1.0 - _EPSILON:
            self._tokens -= 1.0
            return None
        return (1.0 - self._tokens) / self.rate

    def retry_after(self, wait: float) -> int:
        """``Retry-After`` value: whole seconds, at least 1."""
        return max(1, math.ceil(wait))

    @property
    def recent_count(self) -> int:
        """Requests seen in the current one-second window (for the 429 message)."""
        return self._window_count
