"""The outage breaker: one per client, shared by every request of a run.

An outage is a property of the connection, not of a unit of work. When requests for different
units fail in a row for outage reasons (connection refused, reset, DNS, timeout, TLS; a 5xx;
a body that is not TMDB's JSON, such as a CDN's HTML error page or a captive portal's 200
page), the breaker opens: every request waits where it is, spending none of its unit's
attempts, while one cheap probe at a time checks whether TMDB answers again, at a jittered
backoff capped at ``probe_max`` seconds. The first probe TMDB answers closes the breaker and
everyone resumes at the limiter's rate, which the outage left untouched.

A unit that fails alone while others succeed never opens it: any answer from TMDB resets the
streak, and a streak must span at least three units (two broken ids left at the end of a run
are not an outage). Fewer units cannot tell the two apart (a run that starts during an outage
has one request in flight), so before a unit's last attempt is charged, one probe decides: if
TMDB does not answer it either, the breaker opens and the unit waits.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Literal

from tmdb_collector.errors import (
    NetworkError,
    NotTMDBError,
    OutageGiveUpError,
    ServerError,
    TMDBError,
)
from tmdb_collector.fetch.ratelimit import Clock, SystemClock

log = logging.getLogger(__name__)
Probe = Callable[[], Awaitable[str | None]]  # None when TMDB answered, else why not
EventKind = Literal["start", "probe", "end", "gave-up"]
MIN_UNITS = 3  # distinct units a streak must span
GIVE_UP_SLACK = 0.01  # seconds: an outage this close to --give-up-after has reached it


def is_outage_error(exc: BaseException) -> bool:
    """Errors that say "TMDB is unreachable" rather than "this unit is broken"."""
    return isinstance(exc, NetworkError | ServerError | NotTMDBError)


_NETWORK_REASONS = (
    (("refused", "connect call failed"), "connection refused"),
    (("timed out", "timeout"), "timed out"),
    (("reset", "disconnected", "broken pipe"), "connection reset"),
    (("name or service", "getaddrinfo", "nodename", "temporary failure in name"), "DNS failed"),
    (("ssl", "certificate", "tls"), "TLS error"),
)


def outage_reason(exc: TMDBError) -> str:
    """A short why for the outage line: "connection refused", "HTTP 503 ...", not a trace."""
    if isinstance(exc, NetworkError):
        text = exc.reason.lower()
        for needles, short in _NETWORK_REASONS:
            if any(needle in text for needle in needles):
                return short
        return exc.reason
    return f"HTTP {exc.status}: {exc.reason}" if exc.status is not None else exc.reason


@dataclass(frozen=True)
class BreakerSettings:
    threshold: int = 8  # outage-like failures in a row, across units, that open the breaker
    probe_initial: float = 1.0  # seconds before the first probe
    probe_max: float = 60.0  # the backoff between probes never exceeds this
    give_up_after: float | None = None  # seconds of outage before the run gives up


@dataclass(frozen=True)
class OutageView:
    """What a display needs: since when, why, and when the next probe goes."""

    kind: EventKind
    since: dt.datetime  # local wall-clock time the outage was recognised
    reason: str
    elapsed: float  # seconds of outage so far
    next_probe_in: float | None


def format_duration(seconds: float) -> str:
    if 0 < seconds < 10 and seconds != round(seconds):
        return f"{seconds:.1f} s"
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    if minutes:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    return f"{secs} s"


class CircuitBreaker:
    def __init__(
        self,
        settings: BreakerSettings | None = None,
        *,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        wall_clock: Callable[[], dt.datetime] = dt.datetime.now,
    ) -> None:
        self.settings = settings or BreakerSettings()
        self._clock = clock or SystemClock()
        self._random = rng or random.Random()
        self._wall_clock = wall_clock
        self._probe: Probe | None = None
        self._closed = asyncio.Event()
        self._closed.set()
        self._streak: list[str] = []  # units of the outage-like failures in a row
        self._prober: asyncio.Task[None] | None = None
        self._checking: asyncio.Future[bool] | None = None
        self._gave_up: OutageGiveUpError | None = None
        self._listeners: list[Callable[[OutageView], None]] = []
        self._since = dt.datetime.min
        self._started = 0.0
        self._reason = ""
        self._next_probe_at: float | None = None
        self._probes = 0
        self.outages = 0

    def set_probe(self, probe: Probe) -> None:
        self._probe = probe

    def listen(self, listener: Callable[[OutageView], None]) -> None:
        self._listeners.append(listener)

    def unlisten(self, listener: Callable[[OutageView], None]) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    @property
    def is_open(self) -> bool:
        return not self._closed.is_set()

    async def wait_closed(self) -> None:
        """Return at once when TMDB is reachable; otherwise wait until it is again."""
        if self._gave_up is not None:
            raise self._gave_up
        if self._closed.is_set():
            return
        await self._closed.wait()
        if self._gave_up is not None:
            raise self._gave_up

    def rearm(self) -> None:
        """Forget an earlier give-up, for a new run on the same client (the dashboard)."""
        if self._gave_up is not None:
            self._gave_up = None

    def record_success(self) -> None:
        """TMDB answered (any status it meant, 404 and 429 included)."""
        self._streak.clear()

    def record_failure(self, exc: TMDBError, unit: str) -> None:
        """An outage-like failure of ``unit``; opens the breaker once the streak is long and
        spans several units."""
        if self.is_open:
            return
        self._streak.append(unit)
        threshold = self.settings.threshold
        units = len(set(self._streak))
        if len(self._streak) >= threshold and units >= min(threshold, MIN_UNITS):
            self.trip(outage_reason(exc))

    async def decide(self) -> bool:
        """A unit is about to fail for an outage-like reason without the breaker open: is TMDB
        down, or is the unit broken? One probe (shared by every caller meanwhile) decides: the
        breaker opens if TMDB does not answer it either, and the streak is forgotten if it
        does. Returns whether TMDB is down, so the unit waits (the breaker may have closed
        again by the time the caller resumes)."""
        if self.is_open or self._gave_up is not None:
            return True  # wait_closed holds the unit, or raises the give-up
        if self._checking is None:
            self._checking = asyncio.ensure_future(self._decide())
        return await asyncio.shield(self._checking)

    async def _decide(self) -> bool:
        try:
            reason = await self._probe() if self._probe is not None else None
        finally:
            self._checking = None
        if reason is None:
            self._streak.clear()
            return False
        self.trip(reason)
        return True

    def trip(self, reason: str) -> None:
        """Open now (also for work outside the client, such as the daily-export download)."""
        if self.is_open or self._gave_up is not None:
            return
        self._closed.clear()
        self._streak.clear()
        self.outages += 1
        self._since = self._wall_clock()
        self._started = self._clock.monotonic()
        self._reason = reason
        self._probes = 0
        log.warning(
            "TMDB unreachable since %s (%s); probing every %s at most; Ctrl-C pauses",
            self._since.strftime("%H:%M:%S"),
            reason,
            format_duration(self.settings.probe_max),
        )
        self._prober = asyncio.create_task(self._probe_until_back())
        self._notify("start")

    async def aclose(self) -> None:
        for task in (self._prober, self._checking):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        self._prober = self._checking = None

    def view(self, kind: EventKind = "probe") -> OutageView:
        now = self._clock.monotonic()
        next_in = None if self._next_probe_at is None else max(0.0, self._next_probe_at - now)
        return OutageView(kind, self._since, self._reason, now - self._started, next_in)

    def _notify(self, kind: EventKind) -> None:
        view = self.view(kind)
        for listener in self._listeners:
            listener(view)

    async def _probe_until_back(self) -> None:
        delay = self.settings.probe_initial
        give_up = self.settings.give_up_after
        while True:
            wait = min(delay * self._random.uniform(0.8, 1.2), self.settings.probe_max)
            elapsed = self._clock.monotonic() - self._started
            if give_up is not None:
                if give_up - elapsed <= GIVE_UP_SLACK:
                    self._give_up(elapsed)
                    return
                wait = min(wait, give_up - elapsed)
            self._next_probe_at = self._clock.monotonic() + wait
            self._notify("probe")
            await self._clock.sleep(wait)
            self._next_probe_at = None
            self._probes += 1
            reason = await self._probe() if self._probe is not None else None
            if reason is None:
                elapsed = self._clock.monotonic() - self._started
                log.warning("TMDB reachable again after %s; resuming", format_duration(elapsed))
                self._notify("end")
                self._closed.set()
                return
            self._reason = reason
            log.debug("TMDB probe %d failed (%s)", self._probes, reason)
            delay = min(delay * 2, self.settings.probe_max)

    def _give_up(self, elapsed: float) -> None:
        self._gave_up = OutageGiveUpError(
            f"TMDB unreachable for {format_duration(elapsed)} (since "
            f"{self._since.strftime('%H:%M:%S')}: {self._reason}); gave up as "
            "--give-up-after asks. Nothing was marked failed: run the same command again to "
            "resume"
        )
        self._notify("gave-up")
        self._closed.set()  # wakes every waiter, which then raises
