"""Holding the details requests: a gate tests close to stop a collection at a known point.

``POST /__sim/hold?after=N`` lets N more item-details requests (``/movie/{id}``, ``/tv/{id}``,
and the linked entities' ``/person/{id}``...) through and holds every later one, unanswered,
until ``DELETE /__sim/hold`` releases them; ``GET`` reads how many are waiting, and
``GET /__sim/hold?waiting=K`` answers only once K requests are held (or with a 504 after
``timeout`` seconds, 60 by default). Harvest pages, sub-resources and the control routes are
never held. A test can so stop a run after a known number of items, whatever the machine's
pace, and wait on the server until the collector is blocked there instead of polling.
"""

from __future__ import annotations

import asyncio

WAIT_SECONDS = 60.0  # how long ``GET ?waiting=K`` waits by default before its 504


class Hold:
    def __init__(self) -> None:
        self._allowance: int | None = None  # None: open
        self._released = asyncio.Event()
        self._released.set()
        self._changed = asyncio.Condition()  # notified when ``waiting`` grows
        self.waiting = 0

    @property
    def closed(self) -> bool:
        return self._allowance is not None

    def close_after(self, allow: int) -> None:
        """Let ``allow`` more requests through, then hold the rest."""
        self._allowance = allow
        self._released.clear()

    def release(self) -> None:
        self._allowance = None
        self._released.set()

    async def admit(self) -> None:
        """Return at once while open or within the allowance; else wait for the release."""
        if self._allowance is None:
            return
        if self._allowance > 0:
            self._allowance -= 1
            return
        async with self._changed:
            self.waiting += 1
            self._changed.notify_all()
        try:
            await self._released.wait()
        finally:
            self.waiting -= 1

    async def until_waiting(self, count: int) -> None:
        """Return once ``count`` requests are held (bound it with ``asyncio.timeout``)."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.waiting >= count)

    def view(self) -> dict[str, object]:
        return {"closed": self.closed, "waiting": self.waiting}
