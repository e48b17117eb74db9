"""TMDB's daily ID export as the source of ids: the whole catalogue instead of stages 1-2.

The file (``movie_ids_MM_DD_YYYY.json.gz``) is gzip with one JSON object per line::

    {"adult":false,"id":3924,"original_title":"Blondie","popularity":1.8133,"video":false}

Lines are not sorted. Adult and video entries are left out unless asked for.
"""

from __future__ import annotations

import gzip
import itertools
import json
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import aiohttp

from tmdb_collector.errors import NetworkError, UsageError
from tmdb_collector.export.atomic import atomic_binary
from tmdb_collector.fetch.network import proxy_for, ssl_context
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.fetch.transport import USER_AGENT
from tmdb_collector.media import MEDIA_TYPES, MediaType
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.database import stored_plan

GZIP_MAGIC = b"\x1f\x8b"
CHUNK = 1 << 16
T = TypeVar("T")
_EXPORT_TITLES = tuple(media.daily_export_title for media in MEDIA_TYPES.values())


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
    """A path to the export: the file itself, or a download of the URL into a temp dir.

    A download goes the way requests to TMDB go: through ``network``'s proxy (``--proxy``),
    else the environment's, trusting its ``ca_file`` besides the system's CAs
    (:mod:`..fetch.network`).
    One that fails for network reasons (refused, reset, timed out, a 5xx, an HTML page instead
    of the file) is tried again for as long as ``retry`` says so.
    """
    if not is_url(source):
        yield existing_file(source)
        return
    with tempfile.TemporaryDirectory(prefix="tmdb-ids-") as folder:
        target = Path(folder) / "ids.json.gz"
        while True:
            try:
                await download(source, target, stall_seconds, network)
                break
            except NetworkError as exc:
                if retry is None or not await retry(exc):
                    raise
        yield target


def existing_file(source: str) -> Path:
    if "://" in source:
        raise UsageError(f"--ids-from {source}: give an http:// or https:// URL, or a file")
    path = Path(source)
    if path.is_dir():
        raise UsageError(f"--ids-from {source} is a directory, not a daily ID export file")
    if not path.is_file():
        raise UsageError(f"--ids-from {source}: no such file")
    return path


def check_new_source(db: Path, plan: Plan) -> None:
    """Before ``db`` is created for a plan whose ids come from a daily export, so that a wrong
    ``--ids-from`` leaves no collection behind: a URL is taken as it is (its download waits
    out outages), a file must exist and be the plan's media's daily export."""
    source = plan.ids_from
    if source is None or stored_plan(db) is not None or is_url(source):
        return  # an existing collection (an empty file is none), or a download
    path = existing_file(source)
    next(iter_export(path, plan), None)  # reads up to the first entry, checking it


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
            with atomic_binary(target) as handle:
                async for chunk in response.content.iter_chunked(CHUNK):
                    handle.write(chunk)
    except TimeoutError:
        raise NetworkError("download timed out", path=url) from None
    except aiohttp.ClientError as exc:
        raise NetworkError(f"download failed: {type(exc).__name__}", path=url) from None


def take(entries: Iterator[T], count: int) -> list[T]:
    """The next ``count`` entries (fewer at the end); run it in a thread for a big file."""
    return list(itertools.islice(entries, count))


def iter_export_ids(path: Path, plan: Plan) -> Iterator[tuple[int, int]]:
    """``(line_number, id)`` for every entry the plan's filters keep."""
    return ((number, item_id) for number, item_id, kept in iter_export(path, plan) if kept)


def iter_export(path: Path, plan: Plan) -> Iterator[tuple[int, int, bool]]:
    """``(line_number, id, kept)`` for every entry; ``kept``: the plan's filters keep it."""
    with path.open("rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    opener = gzip.open if compressed else open
    checked = False
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                entry = _parse_line(line, number, path)
                if not checked:
                    _check_media(entry, plan.media_type, path)
                    checked = True
                yield number, entry["id"], _keep(entry, plan)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path} is not a readable daily ID export: {exc}") from None
    if not checked:  # not one entry: an empty file, not TMDB's export
        raise UsageError(f"{path} has no entries: not a TMDB daily ID export")


def _parse_line(line: str, number: int, path: Path) -> dict[str, Any]:
    try:
        entry = json.loads(line)
    except ValueError:
        raise UsageError(f"{path} line {number} is not JSON: not a TMDB daily ID export") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
        raise UsageError(f"{path} line {number} has no integer id: not a TMDB daily ID export")
    return entry


def _check_media(entry: dict[str, Any], media: MediaType, path: Path) -> None:
    """A line of another daily export (the movies' for a TV collection, people's...) names
    its item otherwise: refused before any of its ids could be queued or marked removed."""
    if media.daily_export_title in entry:
        return
    others = [key for key in (*_EXPORT_TITLES, "name") if key in entry]
    if others:
        raise UsageError(
            f"{path} is not a {media.word} daily ID export (its lines have {others[0]!r}, not"
            f" {media.daily_export_title!r}); use {media.daily_export_prefix}_MM_DD_YYYY.json.gz"
        )


def _keep(entry: dict[str, Any], plan: Plan) -> bool:
    if entry.get("adult") is True and not plan.include_adult:
        return False
    if entry.get("video") is True and not plan.include_video:
        return False
    popularity = entry.get("popularity", 0)
    return isinstance(popularity, int | float) and popularity >= plan.min_popularity
