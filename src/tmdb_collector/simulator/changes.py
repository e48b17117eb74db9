"""Simulated-date mutation log.

From :data:`CHANGES_EPOCH` up to the simulated ``today``, every day changes a small,
deterministic set of movies (chosen by ``(seed, day)`` only, so two catalogues with the
same seed and size agree on every day they both cover). A movie's *version* is the number
of days ``<= today`` on which it changed; body builders derive everything mutable from it.
Nothing here reads the wall clock.
"""

from __future__ import annotations

import bisect
import random
from array import array
from datetime import date, timedelta

from tmdb_collector.simulator._hash import SALT_DAY, hash_ints

CHANGES_EPOCH = date(2026, 1, 1)
DAILY_CHANGE_FRACTION = 0.005


class ChangeLog:
    """Per-day changed movie indices and per-movie versions for one catalogue."""

    def __init__(self, size: int, seed: int, today: date) -> None:
        self.size = size
        self.seed = seed
        self.today = today
        self._days: dict[int, array[int]] = {}
        self._sorted_days: dict[int, array[int]] = {}
        self.versions: array[int] = array("H", bytes(2 * size))
        day = CHANGES_EPOCH
        while day <= today:
            picked = self._pick(day.toordinal())
            self._days[day.toordinal()] = picked
            self._sorted_days[day.toordinal()] = array("i", sorted(picked))
            versions = self.versions
            for idx in picked:
                versions[idx] += 1
            day += timedelta(days=1)

    def _pick(self, ordinal: int) -> array[int]:
        """The movie indices changed on the day with this ordinal (deterministic)."""
        if self.size == 0:
            return array("i")
        rng = random.Random(hash_ints(self.seed, SALT_DAY, ordinal))
        expected = self.size * DAILY_CHANGE_FRACTION * rng.uniform(0.6, 1.4)
        count = min(self.size, max(1, round(expected)))
        return array("i", rng.sample(range(self.size), count))

    def version(self, idx: int) -> int:
        return self.versions[idx]

    def changed_indices(self, start: date, end: date) -> list[int]:
        """Indices changed on any day in ``[start, end]`` (inclusive), clamped to the
        simulated history; day order, first occurrence wins, no duplicates."""
        first = max(start, CHANGES_EPOCH)
        last = min(end, self.today)
        seen: set[int] = set()
        out: list[int] = []
        day = first
        while day <= last:
            for idx in self._days.get(day.toordinal(), ()):
                if idx not in seen:
                    seen.add(idx)
                    out.append(idx)
            day += timedelta(days=1)
        return out

    def changed_on(self, idx: int, start: date, end: date) -> list[date]:
        """Days in ``[start, end]`` on which movie ``idx`` changed (used by the per-movie
        ``changes`` sub-resource)."""
        days: list[date] = []
        first = max(start, CHANGES_EPOCH).toordinal()
        last = min(end, self.today).toordinal()
        for ordinal in range(first, last + 1):
            picked = self._sorted_days[ordinal]
            pos = bisect.bisect_left(picked, idx)
            if pos < len(picked) and picked[pos] == idx:
                days.append(date.fromordinal(ordinal))
        return days

    def version_on(self, idx: int, day: date) -> int:
        """The movie's version at the end of ``day``."""
        return len(self.changed_on(idx, CHANGES_EPOCH, day))
