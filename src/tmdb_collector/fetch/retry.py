"""Bounded retries with exponential backoff and jitter, built on tenacity.

Transient errors (5xx, timeouts, resets, truncated bodies) are retried up to
``max_attempts``; 429s get a larger budget because the shared limiter already slows the whole
run down and pauses for ``Retry-After``. Permanent errors (401, 404, 400/422) are never retried.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential_jitter

from tmdb_collector.errors import RateLimitedError, TMDBError
from tmdb_collector.fetch.ratelimit import Clock, SystemClock

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    max_throttled_attempts: int = 20
    initial_backoff: float = 0.5
    max_backoff: float = 30.0


def _is_retryable(exc: BaseException) -> bool:
    return isinstance(exc, TMDBError) and exc.retryable


class _Stop:
    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy

    def __call__(self, state: RetryCallState) -> bool:
        exc = state.outcome.exception() if state.outcome else None
        limit = (
            self._policy.max_throttled_attempts
            if isinstance(exc, RateLimitedError)
            else self._policy.max_attempts
        )
        return state.attempt_number >= limit


class _Wait:
    """429s wait on the shared limiter, not here; everything else backs off exponentially."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._backoff = wait_exponential_jitter(
            multiplier=policy.initial_backoff, max=policy.max_backoff, jitter=policy.initial_backoff
        )

    def __call__(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, RateLimitedError):
            return 0.0
        return float(self._backoff(state))


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    log.debug("Retrying (failed %d times): %s", state.attempt_number, exc)


async def call_with_retries(
    operation: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    clock: Clock | None = None,
) -> T:
    """Run ``operation`` until it succeeds, fails permanently, or the budget is spent."""
    clock = clock or SystemClock()
    retrying = AsyncRetrying(
        stop=_Stop(policy),
        wait=_Wait(policy),
        retry=retry_if_exception(_is_retryable),
        sleep=clock.sleep,
        before_sleep=_log_retry,
        reraise=True,
    )
    return await retrying(operation)
