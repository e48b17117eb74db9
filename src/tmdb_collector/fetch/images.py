"""Fetching image files from TMDB's image CDN (``image.tmdb.org/t/p/``, or the simulator's).

A file is streamed to a :class:`FileSink` as it arrives (memory stays flat whatever its size),
hashed on the way, and committed only once every byte the server announced is there. Requests
go the way the API's go (:mod:`.network`: proxy, CAs, User-Agent) through the same machinery:
an :class:`~tmdb_collector.fetch.ratelimit.AdaptiveRateLimiter` of their own (``--rate``), a
connection cap (``--concurrency``), retries and the outage breaker (:mod:`.guard`). A 404 is a
:class:`NotFoundError` at once (never retried); a body that is not an image (a CDN's or a
captive portal's HTML page) counts as an outage, as it does for the API.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from tmdb_collector.errors import (
    NetworkAccessError,
    NetworkError,
    NotFoundError,
    NotTMDBError,
    RateLimitedError,
    RequestRejectedError,
    ServerError,
    TMDBError,
)
from tmdb_collector.fetch.breaker import CircuitBreaker, outage_reason
from tmdb_collector.fetch.client import retry_after_seconds
from tmdb_collector.fetch.guard import Guard
from tmdb_collector.fetch.network import proxy_for, ssl_context
from tmdb_collector.fetch.ratelimit import AdaptiveRateLimiter, Clock, SystemClock
from tmdb_collector.fetch.retry import RetryPolicy
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.fetch.transport import (
    PROXY_REFUSALS,
    USER_AGENT,
    network_failure,
    proxy_refused,
    untrusted,
)

CHUNK = 1 << 16


class FileSink(Protocol):
    """Where one download's bytes go: written in order, then flushed to disk (off the event
    loop: it may take a while) and committed, or discarded."""

    def write(self, chunk: bytes) -> None: ...

    def flush(self) -> None: ...

    def commit(self) -> None: ...

    def discard(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Fetched:
    size_bytes: int
    sha256: str


class SinkFactory(Protocol):
    def __call__(self) -> FileSink: ...


class ImageFetcher:
    """GETs ``<base_url><size><file_path>``; ``base_url`` ends with ``/`` (``.../t/p/``)."""

    def __init__(
        self,
        settings: ClientSettings,
        base_url: str,
        *,
        clock: Clock | None = None,
        policy: RetryPolicy | None = None,
    ) -> None:
        self._clock = clock or SystemClock()
        self._settings = settings
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.limiter = AdaptiveRateLimiter(settings.rate, clock=self._clock)
        self.breaker = CircuitBreaker(settings.breaker, clock=self._clock)
        self.breaker.set_probe(self._probe)
        self._guard = Guard(
            self.breaker, policy or RetryPolicy(max_attempts=settings.max_attempts), self._clock
        )
        self._proxy = proxy_for(self.base_url, settings.proxy)
        self._ssl = ssl_context(settings.ca_file)
        self._session: aiohttp.ClientSession | None = None
        self._last_url = self.base_url  # a URL that answered an image: what a probe asks
        self.requests = 0
        self.throttled = 0

    async def __aenter__(self) -> ImageFetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.breaker.aclose()
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            timeout = self._settings.timeout  # per connection and between two reads
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._settings.concurrency, ssl=self._ssl),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=timeout, sock_read=timeout),
                headers={"User-Agent": USER_AGENT, "Accept": "image/*"},
            )
        return self._session

    async def fetch(self, size: str, file_path: str, open_sink: SinkFactory) -> Fetched:
        """Download one file into a sink from ``open_sink`` (a fresh one each attempt) and
        commit it; raises :class:`NotFoundError` on a 404, another :class:`TMDBError` when
        the retries are spent, and whatever the sink raises (a full disk) at once."""
        path = f"{size}{file_path}"

        async def once() -> Fetched:
            await self.limiter.acquire()
            self.requests += 1
            sink = open_sink()
            try:
                fetched = await self._stream(path, sink)
                await asyncio.to_thread(sink.flush)
                sink.commit()
            except BaseException:
                sink.discard()
                raise
            return fetched

        return await self._guard.call(path, once)

    def _route(self, url: str) -> dict[str, Any]:
        proxy = self._proxy
        return proxy.request_options(url, {}) if proxy else {}

    async def _stream(self, path: str, sink: FileSink) -> Fetched:
        url = self.base_url + path
        try:
            async with self._open().get(url, allow_redirects=True, **self._route(url)) as response:
                self._check(response, path)
                digest = hashlib.sha256()
                written = 0
                async for chunk in response.content.iter_chunked(CHUNK):
                    sink.write(chunk)
                    digest.update(chunk)
                    written += len(chunk)
                self._last_url = url
                return Fetched(written, digest.hexdigest())
        except TimeoutError:
            raise NetworkError("timed out", path=path) from None
        except aiohttp.ClientHttpProxyError as exc:
            raise self._refused(exc.status, exc.message) from None
        except aiohttp.ClientConnectorCertificateError as exc:
            raise untrusted(exc) from None
        except aiohttp.ClientError as exc:
            raise NetworkError(network_failure(exc).reason, path=path) from None

    def _check(self, response: aiohttp.ClientResponse, path: str) -> None:
        """Raise the error a status other than an image's 200 means."""
        status, reason = response.status, response.reason or ""
        if self._proxy is not None and status in PROXY_REFUSALS:
            raise self._refused(status, reason)
        kind = response.headers.get("Content-Type", "no content type").split(";")[0]
        if status == 200 and kind.startswith("image/"):
            return
        error: TMDBError
        if status == 200:
            error = NotTMDBError(f"the body is not an image ({kind})", path=path, status=status)
        elif status == 429:
            self.throttled += 1
            wait = retry_after_seconds(response.headers)
            self.limiter.on_throttled(wait)
            error = RateLimitedError(reason or "too many requests", path=path, retry_after=wait)
        elif status == 404:
            error = NotFoundError("no such image on the CDN", path=path, status=status)
        elif status >= 500:
            error = ServerError(reason, path=path, status=status)
        else:
            error = RequestRejectedError(reason, path=path, status=status)
        raise error

    def _refused(self, status: int, reason: str) -> NetworkAccessError:
        assert self._proxy is not None
        return proxy_refused(self._proxy, status, reason)

    async def _probe(self) -> str | None:
        """One request outside the limiter: None when the CDN answers as a CDN does."""
        url = self._last_url
        try:
            async with self._open().get(url, **self._route(url)) as response:
                await response.read()
                kind = response.headers.get("Content-Type", "")
                if response.status >= 500:
                    return f"HTTP {response.status}"
                if response.status == 200 and not kind.startswith("image/"):
                    return outage_reason(NotTMDBError("the body is not an image"))
                return None
        except TimeoutError:
            return "timed out"
        except aiohttp.ClientError as exc:
            return outage_reason(network_failure(exc))
