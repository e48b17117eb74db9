"""Ranking drift: popularity-sorted lists re-ranked between requests.

On TMDB, popularity changes while a harvest pages through a list, so the item at the end
of page N can be at the start of page N+1 a moment later (seen twice) while its neighbour
moves the other way (never seen). The simulator models this at page boundaries: at each
list request (a *tick*), the two items either side of each boundary are swapped with
probability ``rate``, drawn from ``(seed, boundary, tick)``. The same ticks give the same
pages, so a test can replay a harvest exactly; ``total_results`` never changes.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from tmdb_collector.media.base import PAGE_SIZE
from tmdb_collector.simulator._hash import SALT_DRIFT_RANK, hash_ints, unit


class Drift:
    """Thread-safe tick counter and the boundary swaps it implies (``rate`` 0 = none)."""

    def __init__(self, rate: float = 0.0, seed: int = 0) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("drift rate must be within 0..1")
        self.rate = rate
        self.seed = seed
        self._tick = 0
        self._lock = threading.Lock()

    @property
    def tick(self) -> int:
        with self._lock:
            return self._tick

    def next_tick(self) -> int:
        """The tick of the request being served; advances the counter."""
        with self._lock:
            tick = self._tick
            self._tick += 1
            return tick

    def swapped(self, boundary: int, tick: int) -> bool:
        """Whether the last item of page ``boundary`` and the first of the next page have
        traded places at ``tick``."""
        if self.rate <= 0.0 or boundary < 1:
            return False
        return unit(hash_ints(self.seed, SALT_DRIFT_RANK, boundary, tick)) < self.rate

    def page(self, ranked: Sequence[int], page: int, tick: int) -> list[int]:
        """Page ``page`` (1-based) of ``ranked`` as it stands at ``tick``."""
        start = (page - 1) * PAGE_SIZE
        chunk = list(ranked[start : start + PAGE_SIZE])
        if not chunk:
            return chunk
        if page > 1 and self.swapped(page - 1, tick):
            chunk[0] = ranked[start - 1]
        if len(chunk) == PAGE_SIZE and start + PAGE_SIZE < len(ranked) and self.swapped(page, tick):
            chunk[-1] = ranked[start + PAGE_SIZE]
        return chunk

    def state(self, page: int, tick: int) -> tuple[bool, bool]:
        """The two boundary states that decide page ``page`` (a cache key)."""
        return self.swapped(page - 1, tick), self.swapped(page, tick)
