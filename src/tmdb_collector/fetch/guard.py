"""Retries and the outage breaker around one request: what every request to TMDB (the API's,
the image CDN's) goes through.

A failure an outage explains (:func:`~tmdb_collector.fetch.breaker.is_outage_error`) is
charged to the breaker's streak; while the breaker is open the request waits, spending none of
its unit's attempts. Until the server has answered once (``answered``), a request that cannot
reach it fails after its retries, so that a wrong base URL does not wait forever; from then on
an outage that only one or two requests meet is waited out too (the breaker decides).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from tmdb_collector.errors import TMDBError
from tmdb_collector.fetch.breaker import CircuitBreaker, is_outage_error
from tmdb_collector.fetch.ratelimit import Clock
from tmdb_collector.fetch.retry import RetryPolicy, call_with_retries

T = TypeVar("T")


class Guard:
    def __init__(self, breaker: CircuitBreaker, policy: RetryPolicy, clock: Clock) -> None:
        self.breaker = breaker
        self.policy = policy
        self._clock = clock
        self.answered = False

    def record_answer(self) -> None:
        """The server answered (any status it meant, 404 and 429 included)."""
        self.answered = True
        self.breaker.record_success()

    async def call(self, unit: str, once: Callable[[], Awaitable[T]]) -> T:
        """``once()`` with retries; ``unit`` names the work for the breaker's streak."""
        attempts = 0

        async def attempt() -> T:
            nonlocal attempts
            attempts += 1
            while True:
                await self.breaker.wait_closed()
                try:
                    result = await once()
                except TMDBError as exc:
                    if not is_outage_error(exc):
                        self.record_answer()  # if only to refuse
                        raise
                    self.breaker.record_failure(exc, unit)
                    last = attempts >= self.policy.max_attempts
                    if self.breaker.is_open or (
                        last and self.answered and await self.breaker.decide()
                    ):
                        continue  # held until the server is back; no attempt spent
                    raise
                self.record_answer()
                return result

        return await call_with_retries(attempt, self.policy, self._clock)
