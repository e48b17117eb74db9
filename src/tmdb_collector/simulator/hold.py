"""Holding the details requests: a gate tests close to stop a collection at a known point.

``POST /__sim/hold?after=N`` lets N more item-details requests (``/movie/{id}``, ``/tv/{id}``,
and the linked entities' ``/person/{id}``...) through and holds every later one, unanswered,
until ``DELETE /__sim/hold`` releases them; with ``&what=parts`` it counts and holds the
items' sub-resources instead (``/movie/{id}/<part>``, ``/tv/{id}/season/{n}``...). ``GET``
reads how many are waiting; ``GET ?waiting=K`` answers only once K requests are held (or
with a 504 after ``timeout`` seconds, 60 by default). Harvest pages and the control routes
are never held. Images (``/t/p/...``, :mod:`.images`) count as details, and are held
half-sent: their headers and half their bytes go out, the rest waits. A test can so stop a run
after a known number of items, whatever the machine's pace, and wait on the server until the
collector is blocked there, not poll.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiohttp import web

HOLD_ROUTE = "/__sim/hold"
WAIT_SECONDS = 60.0  # how long ``GET ?waiting=K`` waits by default before its 504


DETAILS, PARTS = "details", "parts"  # what a hold holds: ``?what=`` of its POST
HELD_KINDS = (DETAILS, PARTS)


class Hold:
    def __init__(self) -> None:
        self._allowance: int | None = None  # None: open
        self._what = DETAILS
        self._released = asyncio.Event()
        self._released.set()
        self._changed = asyncio.Condition()  # notified when ``waiting`` grows
        self.waiting = 0

    @property
    def closed(self) -> bool:
        return self._allowance is not None

    def close_after(self, allow: int, what: str = DETAILS) -> None:
        """Let ``allow`` more requests of kind ``what`` through, then hold the rest."""
        self._allowance, self._what = allow, what
        self._released.clear()

    def release(self) -> None:
        self._allowance = None
        self._released.set()

    async def admit(self, what: str = DETAILS) -> None:
        """Return at once while open, for another kind of request or within the allowance;
        else wait for the release."""
        if self._allowance is None or what != self._what:
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


def hold_control(hold: Hold) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The handler of ``HOLD_ROUTE`` for ``hold``: ``POST ?after=N`` holds the details requests
    after the next N; ``DELETE`` releases them; ``GET`` reads the hold, ``GET ?waiting=K``
    once K requests are held."""

    async def control(request: web.Request) -> web.StreamResponse:
        if request.method == "POST":
            raw, what = request.query.get("after", "0"), request.query.get("what", DETAILS)
            if not raw.isdigit() or what not in HELD_KINDS:
                problem = f"after must be a whole number, what one of {', '.join(HELD_KINDS)}"
                return web.json_response({"error": problem}, status=400)
            hold.close_after(int(raw), what)
        elif request.method == "DELETE":
            hold.release()
        elif "waiting" in request.query:
            return await _until_held(request, hold)
        return web.json_response(hold.view())

    return control


async def _until_held(request: web.Request, hold: Hold) -> web.StreamResponse:
    raw, timeout = request.query["waiting"], request.query.get("timeout", str(WAIT_SECONDS))
    try:
        seconds = float(timeout)
    except ValueError:
        seconds = -1.0
    if not raw.isdigit() or not seconds > 0:
        problem = "waiting must be a whole number and timeout a positive number of seconds"
        return web.json_response({"error": problem}, status=400)
    try:
        async with asyncio.timeout(seconds):
            await hold.until_waiting(int(raw))
    except TimeoutError:
        problem = f"{raw} requests not held after {timeout} s"
        return web.json_response({"error": problem, **hold.view()}, status=504)
    return web.json_response(hold.view())
