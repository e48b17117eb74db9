"""Holding the details requests: a gate tests close to stop a collection at a known point.

``POST /__sim/hold?after=N`` lets N more item-details requests (``/movie/{id}``, ``/tv/{id}``)
through and holds every later one, unanswered, until ``DELETE /__sim/hold`` releases them;
``GET`` reads how many are waiting. Harvest pages, sub-resources and the control routes are
never held. Images (``/t/p/...``, :mod:`.images`) count too, and are held half-sent: their
headers and half their bytes go out, the rest waits. A test can so stop a run after a known
number of items, whatever the machine's pace, and wait until the collector is blocked there
instead of guessing with a sleep.
"""

from __future__ import annotations

import asyncio


class Hold:
    def __init__(self) -> None:
        self._allowance: int | None = None  # None: open
        self._released = asyncio.Event()
        self._released.set()
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
        self.waiting += 1
        try:
            await self._released.wait()
        finally:
            self.waiting -= 1

    def view(self) -> dict[str, object]:
        return {"closed": self.closed, "waiting": self.waiting}
