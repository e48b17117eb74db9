"""The HTTP client against httpx.MockTransport, and the one-call/four-call equivalence."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conftest import FakeClock, load_sample
from tests.httpx_wire import fetch_separately, mock_wire
from tmdb_collector.credentials import Credentials
from tmdb_collector.errors import (
    AuthError,
    BadResponseError,
    NetworkError,
    NotFoundError,
    RequestRejectedError,
)
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.ratelimit import AdaptiveRateLimiter
from tmdb_collector.fetch.retry import RetryPolicy
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.media import MOVIE

BASE = "http://127.0.0.1:9/3"
KEY = "k3y-0123456789abcdef-secret"
Handler = Callable[[httpx.Request], httpx.Response]


def make_client(handler: Handler, clock: FakeClock, **creds: str) -> TMDBClient:
    credentials = Credentials(**(creds or {"api_key": KEY}))
    settings = ClientSettings(base_url=BASE, rate=1000, concurrency=4)
    return TMDBClient(
        settings,
        credentials,
        limiter=AdaptiveRateLimiter(1000, clock=clock),
        policy=RetryPolicy(max_attempts=3),
        clock=clock,
        transport=mock_wire(handler),
    )


def appended_550() -> dict[str, Any]:
    """What /movie/550?append_to_response=credits,keywords,recommendations returns."""
    body = load_sample("movie_550_details.json")
    credits = load_sample("movie_550_credits.json")
    keywords = load_sample("movie_550_keywords.json")
    body["credits"] = {k: v for k, v in credits.items() if k != "id"}
    body["keywords"] = {k: v for k, v in keywords.items() if k != "id"}
    body["recommendations"] = load_sample("movie_550_recommendations_page1.json")
    return body


def sample_server(request: httpx.Request) -> httpx.Response:
    path = request.url.path.removeprefix("/3")
    if path == "/movie/550":
        if request.url.params.get("append_to_response") == "credits,keywords,recommendations":
            return httpx.Response(200, json=appended_550())
        return httpx.Response(200, json=load_sample("movie_550_details.json"))
    names = {
        "/movie/550/credits": "movie_550_credits.json",
        "/movie/550/keywords": "movie_550_keywords.json",
        "/movie/550/recommendations": "movie_550_recommendations_page1.json",
    }
    return httpx.Response(200, json=load_sample(names[path]))


async def test_one_call_equals_four_calls(fake_clock: FakeClock) -> None:
    async with make_client(sample_server, fake_clock) as client:
        one = await client.fetch_item(MOVIE, 550, "en-US", MOVIE.default_parts)
        four = await fetch_separately(client, MOVIE, 550, "en-US", MOVIE.default_parts)
    assert (one.details, one.parts) == (four.details, four.parts)
    assert list(one.parts) == ["credits", "keywords", "recommendations"]
    assert json.loads(one.details) == load_sample("movie_550_details.json")
    assert json.loads(one.parts["credits"]) == load_sample("movie_550_credits.json")
    assert list(json.loads(one.parts["credits"])) == ["id", "cast", "crew"]
    assert json.loads(one.parts["keywords"]) == load_sample("movie_550_keywords.json")
    assert json.loads(one.parts["recommendations"]) == load_sample(
        "movie_550_recommendations_page1.json"
    )


def test_split_rejects_a_body_without_appended_parts() -> None:
    with pytest.raises(BadResponseError, match="credits"):
        MOVIE.split(550, load_sample("movie_550_details.json"), MOVIE.default_parts)


async def test_api_key_goes_in_the_query_and_bearer_in_a_header(fake_clock: FakeClock) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"genres": []})

    async with make_client(handler, fake_clock) as client:
        await client.get_json("/genre/movie/list")
    async with make_client(handler, fake_clock, bearer_token="eyJtoken") as client:
        await client.get_json("/genre/movie/list")
    assert seen[0].url.params["api_key"] == KEY
    assert "authorization" not in seen[0].headers
    assert seen[1].headers["authorization"] == "Bearer eyJtoken"
    assert "api_key" not in seen[1].url.params
    assert seen[0].url.path == "/3/genre/movie/list"


def error(status: int, code: int, message: str) -> httpx.Response:
    return httpx.Response(
        status, json={"status_code": code, "status_message": message, "success": False}
    )


async def test_401_is_permanent_and_message_has_no_key(fake_clock: FakeClock) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(401, json=load_sample("error_401_invalid_api_key.json"))

    async with make_client(handler, fake_clock) as client:
        with pytest.raises(AuthError) as caught:
            await client.get_json("/movie/550")
    assert calls == 1
    assert KEY not in str(caught.value)
    assert "status_code 7" in str(caught.value)
    assert "TMDB_API_KEY" in str(caught.value)


async def test_404_and_422_are_not_retried(fake_clock: FakeClock) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if request.url.path.endswith("/popular"):
            return httpx.Response(422, json=load_sample("error_422_page_over_500.json"))
        return error(404, 34, "The resource you requested could not be found.")

    async with make_client(handler, fake_clock) as client:
        with pytest.raises(NotFoundError, match="status_code 34"):
            await client.fetch_item(MOVIE, 1, "en-US", MOVIE.default_parts)
        with pytest.raises(RequestRejectedError, match="less than or equal to 500"):
            await client.get_json("/movie/popular", {"page": "501"})
    assert calls == 2


async def test_429_honours_retry_after_through_the_limiter(fake_clock: FakeClock) -> None:
    answers = [
        httpx.Response(
            429,
            json=load_sample("error_429_rate_limit_legacy.json"),
            headers={"Retry-After": "3"},
        ),
        httpx.Response(200, json={"genres": []}),
    ]
    async with make_client(lambda request: answers.pop(0), fake_clock) as client:
        start = fake_clock.now
        response = await client.get_json("/genre/movie/list")
        assert response.body == {"genres": []}
        assert fake_clock.now - start >= 3.0
        assert client.stats.throttled == 1
        assert client.limiter.rate < 1000


async def test_5xx_and_resets_and_truncation_are_retried(fake_clock: FakeClock) -> None:
    answers: list[Callable[[], httpx.Response]] = [
        lambda: error(503, 9, "Service offline"),
        lambda: httpx.Response(200, content=b'{"genres": [{"id": 28, "na'),
        lambda: (_ for _ in ()).throw(httpx.RemoteProtocolError("peer closed connection")),
        lambda: httpx.Response(200, json={"genres": [{"id": 28, "name": "Action"}]}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)()

    settings_policy = RetryPolicy(max_attempts=5, initial_backoff=0.1)
    client = make_client(handler, fake_clock)
    client._guard.policy = settings_policy
    async with client:
        response = await client.get_json("/genre/movie/list")
    assert response.body["genres"][0]["name"] == "Action"
    assert not answers  # all four answered: three retries
    assert client.stats.errors["ServerError"] == 1
    assert client.stats.errors["NotTMDBError"] == 1  # truncated: not TMDB JSON
    assert client.stats.errors["NetworkError"] == 1


async def test_network_error_after_budget_names_path_not_key(fake_clock: FakeClock) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"cannot reach {request.url}")

    async with make_client(handler, fake_clock) as client:
        with pytest.raises(NetworkError) as caught:
            await client.get_json("/movie/550")
    assert "/movie/550" in str(caught.value)
    assert KEY not in str(caught.value)
