"""The wire under :class:`~tmdb_collector.fetch.client.TMDBClient`: one GET, bytes back.

Production uses aiohttp, which costs about a third of httpx's CPU per request; at TMDB's
40 req/s that is what keeps the collector near a tenth of one core (docs/benchmarks.md).
Anything with the :class:`Transport` shape plugs in (the tests wrap ``httpx.MockTransport``).
A transport raises :class:`NetworkError` (without a path; the client adds it) for anything that
is not a complete HTTP response: timeouts, resets, truncated bodies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from tmdb_collector.credentials import redact
from tmdb_collector.errors import NetworkAccessError, NetworkError
from tmdb_collector.fetch.network import Proxy, proxy_for, ssl_context
from tmdb_collector.fetch.settings import ClientSettings

USER_AGENT = "tmdb-collector/0.1"
DEFAULT_HEADERS = {"User-Agent": USER_AGENT, "Accept": "application/json"}
PROXY_REFUSALS = (403, 407)  # Forbidden, Proxy Authentication Required


@dataclass(frozen=True, slots=True)
class RawResponse:
    status: int
    content: bytes
    headers: Mapping[str, str]  # case-insensitive in both implementations
    reason: str


class Transport(Protocol):
    async def get(
        self, url: str, params: Mapping[str, str], headers: Mapping[str, str]
    ) -> RawResponse: ...

    async def aclose(self) -> None: ...


def network_failure(exc: BaseException) -> NetworkError:
    text = redact(str(exc))
    return NetworkError(f"{type(exc).__name__}: {text}" if text else type(exc).__name__)


def proxy_refused(proxy: Proxy, status: int, reason: str) -> NetworkAccessError:
    """The proxy refused (403 / 407, or a CONNECT): every request would fail alike."""
    hint = " (check the proxy's user and password)" if status == 407 else ""
    return NetworkAccessError(
        f"the proxy {redact(proxy.url)} refused: {reason}{hint}", status=status
    )


def untrusted(exc: aiohttp.ClientConnectorCertificateError) -> NetworkAccessError:
    return NetworkAccessError(
        f"the TLS certificate is not trusted ({redact(str(exc.certificate_error))});"
        " behind a TLS-intercepting proxy, pass its CA with --ca-file",
    )


class AiohttpTransport:
    """Keep-alive connections, at most ``concurrency`` of them, opened on first use."""

    def __init__(self, settings: ClientSettings) -> None:
        self._settings = settings
        self._session: aiohttp.ClientSession | None = None
        self._proxy = proxy_for(settings.base_url, settings.proxy)
        self._ssl = ssl_context(settings.ca_file)

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._settings.concurrency, ssl=self._ssl),
                timeout=aiohttp.ClientTimeout(total=self._settings.timeout),
                headers=DEFAULT_HEADERS,
            )
        return self._session

    async def get(
        self, url: str, params: Mapping[str, str], headers: Mapping[str, str]
    ) -> RawResponse:
        proxy = self._proxy
        route = proxy.request_options(url, headers) if proxy else {"headers": dict(headers)}
        try:
            async with self._open().get(
                url, params=dict(params), allow_redirects=False, **route
            ) as response:
                if proxy and response.status in PROXY_REFUSALS:  # TMDB never answers these
                    raise self._refused(response.status, response.reason or "")
                content = await response.read()
                return RawResponse(
                    response.status, content, response.headers, response.reason or ""
                )
        except TimeoutError:
            raise NetworkError("timed out") from None
        except aiohttp.ClientHttpProxyError as exc:  # the proxy refused a CONNECT
            raise self._refused(exc.status, exc.message) from None
        except aiohttp.ClientConnectorCertificateError as exc:
            raise untrusted(exc) from None
        except aiohttp.ClientError as exc:
            raise network_failure(exc) from None

    def _refused(self, status: int, reason: str) -> NetworkAccessError:
        assert self._proxy is not None
        return proxy_refused(self._proxy, status, reason)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
