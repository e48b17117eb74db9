"""The async HTTP client for TMDB v3 (or anything that answers like it, e.g. our simulator).

Every request goes through the shared :class:`AdaptiveRateLimiter` and the retry policy, and
every failure becomes one of the errors in :mod:`tmdb_collector.errors`. Messages name the path
only, never the query string that carries the API key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.utils
import logging
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import orjson

from tmdb_collector.credentials import Credentials
from tmdb_collector.errors import (
    AuthError,
    BadResponseError,
    NetworkError,
    NotFoundError,
    NotImplementedByServerError,
    NotTMDBError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    TMDBError,
)
from tmdb_collector.fetch.breaker import CircuitBreaker, outage_reason
from tmdb_collector.fetch.guard import Guard
from tmdb_collector.fetch.ratelimit import AdaptiveRateLimiter, Clock, SystemClock
from tmdb_collector.fetch.records import ItemRecord, encode
from tmdb_collector.fetch.retry import RetryPolicy
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.fetch.transport import AiohttpTransport, RawResponse, Transport
from tmdb_collector.media import MediaType
from tmdb_collector.media.base import CONFIGURATION_PATH
from tmdb_collector.media.links import DETAILS

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class ClientStats:
    requests: int = 0
    throttled: int = 0
    errors: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class JsonResponse:
    body: dict[str, Any]
    server_time: dt.datetime | None


class TMDBClient:
    def __init__(
        self,
        settings: ClientSettings,
        credentials: Credentials,
        *,
        limiter: AdaptiveRateLimiter | None = None,
        policy: RetryPolicy | None = None,
        clock: Clock | None = None,
        transport: Transport | None = None,
        breaker: CircuitBreaker | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self.limiter = limiter or AdaptiveRateLimiter(settings.rate, clock=self._clock)
        self._policy = policy or RetryPolicy(max_attempts=settings.max_attempts)
        self._credentials = credentials
        self.stats = ClientStats()
        self.settings = settings
        self._base_url = settings.base_url
        self._wire: Transport = transport or AiohttpTransport(settings)
        self.breaker = breaker or CircuitBreaker(settings.breaker, clock=self._clock)
        self.breaker.set_probe(self._probe)
        self._guard = Guard(self.breaker, self._policy, self._clock)
        self._awaiting_slot: set[asyncio.Task[Any]] = set()  # requests the limiter holds back
        self._holding = False

    def hold(self) -> None:
        """A run is stopping: the requests still waiting for the rate limiter are cancelled
        (never sent; their units stay pending), and none starts until :meth:`resume`. Those
        already sent land. Pausing at a low ``--rate`` is then as quick as at a high one."""
        self._holding = True
        for task in self._awaiting_slot:
            task.cancel()

    def resume(self) -> None:
        """Send requests again, the slots the cancelled ones had booked given back (a stopped
        run has ended; another may start on this client)."""
        self._holding = False
        self.limiter.forget_bookings()

    @property
    def answered(self) -> bool:
        """TMDB answered this client, or the caller knows it answers at this URL (a
        collection made there): see :mod:`.guard`."""
        return self._guard.answered

    @answered.setter
    def answered(self, value: bool) -> None:
        self._guard.answered = value

    @property
    def base_url(self) -> str:
        return self._base_url

    async def __aenter__(self) -> TMDBClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.breaker.aclose()
        await self._wire.aclose()

    async def get_json(self, path: str, params: Mapping[str, str] | None = None) -> JsonResponse:
        """GET ``path`` (relative to the base URL) with retries; the body must be an object."""
        return await self.get(path, params, lambda response: response)

    async def get(
        self,
        path: str,
        params: Mapping[str, str] | None,
        parse: Callable[[JsonResponse], T],
    ) -> T:
        """GET with retries; ``parse`` runs inside the retry loop, so a body it rejects with
        :class:`BadResponseError` is fetched again and never reaches the store.

        While the breaker is open (TMDB unreachable) the request waits, and a failure that
        an outage explains is not charged to this unit's attempts."""
        params = params or {}
        unit = f"{path}?page={params.get('page', '')}"

        async def once() -> T:
            return parse(await self._get_once(path, params))

        return await self._guard.call(unit, once)

    async def fetch_item(
        self,
        media: MediaType,
        item_id: int,
        language: str | Mapping[str, str],
        parts: Sequence[str],
    ) -> ItemRecord:
        """The details with every chosen part appended, split back into parts: one request,
        plus, when an expanding part is chosen (TV ``seasons``), one more per
        :data:`~tmdb_collector.media.base.APPEND_LIMIT` of its sub-paths. ``language`` is the
        language, or every parameter besides ``append_to_response``."""
        path = media.path_of(item_id)
        appended = media.appended(parts)

        def parse(response: JsonResponse) -> tuple[dict[str, Any], dt.datetime | None]:
            return media.split(item_id, response.body, appended), response.server_time

        bodies, fetched_at = await self.get(path, _params(language, appended), parse)
        found: dict[str, Any] = {}
        for subpaths in media.follow_ups(bodies[DETAILS], parts):

            def take(response: JsonResponse, names: list[str] = subpaths) -> dict[str, Any]:
                return media.take(item_id, response.body, names)

            found.update(await self.get(path, _params(language, subpaths), take))
        bodies.update(media.assemble(bodies[DETAILS], parts, found))
        return ItemRecord.from_parts(item_id, bodies, media, fetched_at)

    async def fetch_parts(
        self,
        media: MediaType,
        item_id: int,
        language: str | Mapping[str, str],
        parts: Sequence[str],
    ) -> ItemRecord:
        """``parts`` of an item in one request: a single part from its standalone endpoint
        (the record's details are then empty: not fetched), several appended to the details
        as :meth:`fetch_item` does."""
        if len(parts) > 1:
            return await self.fetch_item(media, item_id, language, parts)
        (part,) = parts

        def parse(response: JsonResponse) -> tuple[str, dt.datetime | None]:
            return encode(response.body), response.server_time

        path = f"{media.path_of(item_id)}/{part}"
        body, fetched_at = await self.get(path, _params(language, ()), parse)
        return ItemRecord(item_id, "", {part: body}, fetched_at)

    async def _probe(self) -> str | None:
        """One cheap request, outside the limiter: None when TMDB answered, else why not."""
        try:
            response = await self._wire.get(
                f"{self._base_url}{CONFIGURATION_PATH}",
                self._credentials.query_params(),
                self._credentials.headers(),
            )
        except NetworkError as exc:
            return outage_reason(exc)
        if _json_object(response.content) is None:
            return outage_reason(_not_tmdb(response, CONFIGURATION_PATH))
        if response.status >= 500:
            return f"HTTP {response.status}"
        return None

    async def _get_once(self, path: str, params: Mapping[str, str]) -> JsonResponse:
        if self._holding:
            raise asyncio.CancelledError  # the run is stopping: not sent
        task = asyncio.current_task()
        if task is not None:
            self._awaiting_slot.add(task)
        try:
            await self.limiter.acquire()
        finally:
            if task is not None:
                self._awaiting_slot.discard(task)
        self.stats.requests += 1
        query = {**params, **self._credentials.query_params()}
        try:
            response = await self._wire.get(
                f"{self._base_url}/{path.lstrip('/')}", query, self._credentials.headers()
            )
        except NetworkError as exc:
            raise self._failed(NetworkError(exc.reason, path=path)) from None
        return self._interpret(response, path)

    def _failed(self, error: TMDBError) -> TMDBError:
        self.stats.errors[type(error).__name__] += 1
        return error

    def _interpret(self, response: RawResponse, path: str) -> JsonResponse:
        status = response.status
        body = _json_object(response.content)
        if body is None and status != 429:
            # Not TMDB speaking: a CDN's HTML error page, a captive portal, a proxy's refusal.
            raise self._failed(_not_tmdb(response, path))
        if status == 200:
            if not isinstance(body, dict):
                raise self._failed(BadResponseError("the body is not a JSON object", path=path))
            return JsonResponse(body, _server_time(response))
        message, code = _error_details(response)
        if status == 429:
            self.stats.throttled += 1
            retry_after = retry_after_seconds(response.headers)
            self.limiter.on_throttled(retry_after)
            raise self._failed(RateLimitedError(message, path=path, retry_after=retry_after))
        error_type: type[TMDBError]
        if status == 401:
            error_type = AuthError
        elif status == 404:
            error_type = NotFoundError
        elif status == 501:  # a route the server does not serve: never worth a retry
            error_type = NotImplementedByServerError
        elif status >= 500:
            error_type = ServerError
        else:
            error_type = RequestRejectedError
        raise self._failed(error_type(message, path=path, status=status, tmdb_code=code))


def _not_tmdb(response: RawResponse, path: str) -> NotTMDBError:
    kind = response.headers.get("Content-Type", "no content type").split(";")[0]
    return NotTMDBError(f"the body is not TMDB's JSON ({kind})", path=path, status=response.status)


def _json_object(content: bytes) -> dict[str, Any] | list[Any] | None:
    """The decoded body when it is a JSON object or array (what TMDB sends), else None."""
    try:
        body = orjson.loads(content)
    except orjson.JSONDecodeError:
        return None
    return body if isinstance(body, dict | list) else None


def _params(language: str | Mapping[str, str], appended: Sequence[str]) -> dict[str, str]:
    params = {"language": language} if isinstance(language, str) else dict(language)
    if appended:
        params["append_to_response"] = ",".join(appended)
    return params


def _error_details(response: RawResponse) -> tuple[str, int | None]:
    """TMDB's ``status_message`` and ``status_code``, or the ``errors`` list of a 422."""
    try:
        body = orjson.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return response.reason or "no details", None
    if isinstance(body, dict):
        if isinstance(body.get("status_message"), str):
            code = body.get("status_code")
            return body["status_message"], code if isinstance(code, int) else None
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return "; ".join(str(e) for e in errors), None
    return response.reason or "no details", None


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """A 429's ``Retry-After`` (seconds or an HTTP date) in seconds, or None."""
    value = headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value) if value else None
        if when is None:
            return None
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


def _server_time(response: RawResponse) -> dt.datetime | None:
    value = response.headers.get("Date")
    if not value:
        return None
    try:
        return email.utils.parsedate_to_datetime(value).astimezone(dt.UTC)
    except (TypeError, ValueError):
        return None
