"""Test-only wiring: an httpx transport (``httpx.MockTransport``) under the client's Transport.

httpx is a dev dependency; the collector itself runs on aiohttp alone. Also here: the seed's
one-call-per-part fetch, kept only to prove the one-call form stores the same data.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import httpx

from tmdb_collector.credentials import Credentials
from tmdb_collector.errors import NetworkError
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.ratelimit import AdaptiveRateLimiter, Clock
from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.fetch.retry import RetryPolicy
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.fetch.transport import DEFAULT_HEADERS, RawResponse, network_failure
from tmdb_collector.media import MediaType

Handler = Callable[[httpx.Request], httpx.Response | Awaitable[httpx.Response]]


class HttpxTransport:
    """httpx under the client's :class:`~tmdb_collector.fetch.transport.Transport`."""

    def __init__(self, transport: httpx.AsyncBaseTransport, timeout: float = 15.0) -> None:
        self._http = httpx.AsyncClient(
            headers=DEFAULT_HEADERS, timeout=timeout, transport=transport
        )

    async def get(
        self, url: str, params: Mapping[str, str], headers: Mapping[str, str]
    ) -> RawResponse:
        try:
            response = await self._http.get(url, params=params, headers=headers)
        except httpx.TimeoutException:
            raise NetworkError("timed out") from None
        except httpx.TransportError as exc:
            raise network_failure(exc) from None
        return RawResponse(
            response.status_code, response.content, response.headers, response.reason_phrase
        )

    async def aclose(self) -> None:
        await self._http.aclose()


def mock_wire(handler: Handler) -> HttpxTransport:
    """A transport answering every request with ``handler`` (sync or async), in process."""
    return HttpxTransport(httpx.MockTransport(handler))


def mock_client(
    handler: Handler, clock: Clock, *, key: str, max_attempts: int, **settings: Any
) -> TMDBClient:
    """A client at 1000 requests/s over ``mock_wire(handler)``, waiting on ``clock``."""
    return TMDBClient(
        ClientSettings(base_url="http://127.0.0.1:9/3", rate=1000, **settings),
        Credentials(api_key=key),
        limiter=AdaptiveRateLimiter(1000, clock=clock),
        policy=RetryPolicy(max_attempts=max_attempts),
        clock=clock,
        transport=mock_wire(handler),
    )


async def fetch_separately(
    client: TMDBClient, media: MediaType, item_id: int, language: str, parts: Sequence[str]
) -> ItemRecord:
    """The seed's way: the details, then one call per part at its standalone endpoint (and
    one per sub-path of an expanding part, e.g. /tv/{id}/season/{n})."""
    params = {"language": language}
    path = media.path_of(item_id)
    details = await client.get_json(path, params)
    bodies: dict[str, Any] = {"details": details.body}
    for name in media.appended(parts):
        bodies[name] = (await client.get_json(f"{path}/{name}", params)).body
    found: dict[str, Any] = {}
    for subpaths in media.follow_ups(details.body, parts):
        for subpath in subpaths:
            found[subpath] = (await client.get_json(f"{path}/{subpath}", params)).body
    bodies.update(media.assemble(details.body, parts, found))
    return ItemRecord.from_parts(item_id, bodies, media, details.server_time)


def movie_body(movie_id: int) -> dict[str, Any]:
    """The smallest /movie/{id} answer with credits, keywords and recommendations appended."""
    return {
        "id": movie_id,
        "title": f"Movie {movie_id}",
        "credits": {"cast": [], "crew": []},
        "keywords": {"keywords": []},
        "recommendations": {"page": 1, "results": [], "total_pages": 0, "total_results": 0},
    }
