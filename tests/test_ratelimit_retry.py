from __future__ import annotations

import itertools
import random

import pytest

from tests.conftest import FakeClock
from tmdb_collector.errors import NotFoundError, RateLimitedError, ServerError
from tmdb_collector.fetch.ratelimit import AdaptiveRateLimiter
from tmdb_collector.fetch.retry import RetryPolicy, call_with_retries


async def test_limiter_paces_evenly_without_bursts(fake_clock: FakeClock) -> None:
    limiter = AdaptiveRateLimiter(40, clock=fake_clock)
    starts = []
    for _ in range(81):
        await limiter.acquire()
        starts.append(fake_clock.now)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(gap == pytest.approx(1 / 40) for gap in gaps)
    assert starts[-1] - starts[0] == pytest.approx(2.0)


async def test_limiter_never_exceeds_rate_in_any_window(fake_clock: FakeClock) -> None:
    limiter = AdaptiveRateLimiter(40, clock=fake_clock)
    starts = []
    for _ in range(400):
        await limiter.acquire()
        starts.append(fake_clock.now)
    for i in range(len(starts) - 41):
        assert starts[i + 40] - starts[i] >= 1.0 - 1e-9


async def test_throttle_pauses_everyone_and_cuts_the_rate(fake_clock: FakeClock) -> None:
    limiter = AdaptiveRateLimiter(40, clock=fake_clock)
    await limiter.acquire()
    limiter.on_throttled(retry_after=2.0)
    assert limiter.rate == pytest.approx(28.0)
    # A burst of 429s from requests already in flight is one congestion event.
    limiter.on_throttled(retry_after=2.0)
    limiter.on_throttled(retry_after=2.0)
    assert limiter.rate == pytest.approx(28.0)
    before = fake_clock.now
    await limiter.acquire()
    assert fake_clock.now - before == pytest.approx(2.0)
    # A 429 after the pause is a new event.
    limiter.on_throttled(retry_after=2.0)
    assert limiter.rate == pytest.approx(28.0 * 0.7)


async def test_rate_recovers_additively_up_to_the_ceiling(fake_clock: FakeClock) -> None:
    limiter = AdaptiveRateLimiter(40, clock=fake_clock, increase_per_second=1.0)
    limiter.on_throttled(retry_after=1.0)
    assert limiter.rate == pytest.approx(28.0)
    fake_clock.now += 1.0 + 5.0  # the pause, then five quiet seconds
    await limiter.acquire()
    assert limiter.rate == pytest.approx(33.0)
    fake_clock.now += 60
    await limiter.acquire()
    assert limiter.rate == pytest.approx(40.0)


async def test_throttle_without_retry_after_backs_off_with_jitter(fake_clock: FakeClock) -> None:
    limiter = AdaptiveRateLimiter(40, clock=fake_clock, rng=random.Random(1))
    limiter.on_throttled(retry_after=None)
    before = fake_clock.now
    await limiter.acquire()
    assert 0.5 <= fake_clock.now - before <= 1.5


async def test_aimd_against_a_token_bucket_keeps_429s_rare(fake_clock: FakeClock) -> None:
    """Client asks for 60/s, server allows 40/s: the limiter settles near the server's rate."""
    limiter = AdaptiveRateLimiter(60, clock=fake_clock)
    tokens, last, throttled, served = 40.0, fake_clock.now, 0, 0
    for _ in range(6000):
        await limiter.acquire()
        now = fake_clock.now
        tokens = min(40.0, tokens + (now - last) * 40)
        last = now
        if tokens >= 1:
            tokens -= 1
            served += 1
        else:
            throttled += 1
            limiter.on_throttled(retry_after=1.0)
    assert throttled / (throttled + served) < 0.05
    achieved = served / (fake_clock.now - 1000.0)
    assert achieved > 30


async def test_retries_transient_errors_with_bounded_backoff(fake_clock: FakeClock) -> None:
    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 4:
            raise ServerError("Service offline", status=503, tmdb_code=9)
        return "ok"

    policy = RetryPolicy(max_attempts=6, initial_backoff=0.5, max_backoff=4)
    assert await call_with_retries(flaky, policy, fake_clock) == "ok"
    assert calls == 4
    assert len(fake_clock.sleeps) == 3
    assert all(0 < s <= 4.5 for s in fake_clock.sleeps)
    assert fake_clock.sleeps[2] >= 2.0  # exponential growth: 0.5, 1, 2 (+ jitter)


async def test_gives_up_after_max_attempts(fake_clock: FakeClock) -> None:
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise ServerError("Internal error", status=500, tmdb_code=11)

    with pytest.raises(ServerError):
        await call_with_retries(broken, RetryPolicy(max_attempts=3), fake_clock)
    assert calls == 3


async def test_never_retries_permanent_errors(fake_clock: FakeClock) -> None:
    calls = 0

    async def missing() -> None:
        nonlocal calls
        calls += 1
        raise NotFoundError("gone", status=404, tmdb_code=34)

    with pytest.raises(NotFoundError):
        await call_with_retries(missing, RetryPolicy(), fake_clock)
    assert calls == 1
    assert fake_clock.sleeps == []


async def test_429_does_not_sleep_in_retry_and_has_its_own_budget(fake_clock: FakeClock) -> None:
    calls = 0

    async def throttled() -> str:
        nonlocal calls
        calls += 1
        if calls < 10:
            raise RateLimitedError("slow down", retry_after=1)
        return "ok"

    policy = RetryPolicy(max_attempts=3, max_throttled_attempts=20)
    assert await call_with_retries(throttled, policy, fake_clock) == "ok"
    assert calls == 10
    assert fake_clock.sleeps == [0.0] * 9  # the shared limiter does the waiting
