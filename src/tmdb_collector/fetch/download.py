"""Downloading TMDB's daily ID export (the id catalogue) for ``--ids-from URL``.

The download goes the way requests to TMDB go (proxy, CAs, User-Agent) and streams with aiohttp,
so the event loop keeps running meanwhile. A local file is checked and used as it is.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import aiohttp

from tmdb_collector.errors import NetworkError, StoreWriteError, UsageError
from tmdb_collector.fetch.network import proxy_for, ssl_context
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.fetch.transport import USER_AGENT

CHUNK = 1 << 16


def is_url(source: str) -> bool:
    return urlsplit(source).scheme in ("http", "https")


@asynccontextmanager
async def local_copy(
    source: str,
    stall_seconds: float = 60.0,
    *,
    retry: Callable[[NetworkError], Awaitable[bool]] | None = None,
    network: ClientSettings | None = None,
) -> AsyncIterator[Path]:
    """A path to the daily ID export: the file itself, or a download of the URL into a temp dir.

    A download goes the way requests to TMDB go: through ``network``'s proxy (``--proxy``),
    else the environment's, trusting its ``ca_file`` besides the system's CAs
    (:mod:`.network`).
    One that fails for network reasons (refused, reset, timed out, a 5xx, an HTML page instead
    of the file) is tried again for as long as ``retry`` says so.
    """
    if not is_url(source):
        yield existing_file(source)
        return
    with tempfile.TemporaryDirectory(prefix="tmdb-ids-") as folder:
        target = Path(folder) / url_file_name(source)  # TMDB's name tells the entity apart
        while True:
            try:
                await download(source, target, stall_seconds, network)
                break
            except NetworkError as exc:
                if retry is None or not await retry(exc):
                    raise
        yield target


def url_file_name(url: str) -> str:
    """The file name a URL ends in (``movie_ids_11_24_2026.json.gz``), else ``ids.json.gz``."""
    name = PurePosixPath(urlsplit(url).path).name
    return name if name not in ("", ".", "..") else "ids.json.gz"


def existing_file(source: str) -> Path:
    if "://" in source:
        raise UsageError(f"--ids-from {source}: give an http:// or https:// URL, or a file")
    path = Path(source)
    if path.is_dir():
        raise UsageError(f"--ids-from {source} is a directory, not a daily ID export file")
    if not path.is_file():
        raise UsageError(f"--ids-from {source}: no such file")
    return path


async def download(
    url: str,
    target: Path,
    stall_seconds: float,
    network: ClientSettings | None = None,
) -> None:
    """Stream ``url`` into ``target`` with aiohttp: the event loop keeps running meanwhile."""
    limits = aiohttp.ClientTimeout(total=None, sock_connect=stall_seconds, sock_read=stall_seconds)
    proxy, ca_file = (network.proxy, network.ca_file) if network else (None, None)
    route = proxy_for(url, proxy)  # --proxy, else HTTPS_PROXY / HTTP_PROXY with NO_PROXY
    headers = {"User-Agent": USER_AGENT}
    options = route.request_options(url, headers) if route else {"headers": headers}
    try:
        async with (
            aiohttp.ClientSession(timeout=limits) as session,
            session.get(url, ssl=ssl_context(ca_file), **options) as response,
        ):
            if response.status >= 500:
                raise NetworkError(f"download answered HTTP {response.status}", path=url)
            if response.status != 200:
                raise UsageError(f"--ids-from {url}: the server answered HTTP {response.status}")
            if response.content_type == "text/html":  # a portal or an error page, not the file
                raise NetworkError("download answered an HTML page", path=url)
            await _save(response, target, url)
    except TimeoutError:
        raise NetworkError("download timed out", path=url) from None
    except aiohttp.ClientError as exc:
        raise NetworkError(f"download failed: {type(exc).__name__}", path=url) from None


async def _save(response: aiohttp.ClientResponse, target: Path, url: str) -> None:
    """The body into ``target``; a full or unwritable disk is no network error (trying again
    cannot help), so it is said as such."""
    try:
        handle = target.open("wb")
    except OSError as exc:
        raise _unsaved(url, exc) from None
    with handle:
        async for chunk in response.content.iter_chunked(CHUNK):
            try:
                handle.write(chunk)
            except OSError as exc:
                raise _unsaved(url, exc) from None


def _unsaved(url: str, exc: OSError) -> StoreWriteError:
    return StoreWriteError(f"could not save the download of {url}: {exc.strerror or exc}")
