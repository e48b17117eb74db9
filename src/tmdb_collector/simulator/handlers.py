"""Route handlers for the simulated ``/3`` API and the daily exports."""

from __future__ import annotations

import asyncio
import datetime
import logging
import re
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tmdb_collector.media.base import APPEND_LIMIT, MAX_PAGE
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.config import SimulatorConfig
from tmdb_collector.simulator.discover import QueryError, UnsupportedFilter, parse_discover_params
from tmdb_collector.simulator.discover_items import discover_indices
from tmdb_collector.simulator.drift import Drift
from tmdb_collector.simulator.endpoints import tmdb_endpoint
from tmdb_collector.simulator.faults import FaultInjector
from tmdb_collector.simulator.hold import Hold
from tmdb_collector.simulator.id_catalogue import CatalogueCache
from tmdb_collector.simulator.linked import served_templates
from tmdb_collector.simulator.lists import list_page
from tmdb_collector.simulator.localise import genre_name, language_of, localise_page
from tmdb_collector.simulator.outage import Outage
from tmdb_collector.simulator.ratelimit import TokenBucket
from tmdb_collector.simulator.render import (
    LRU,
    MEDIA,
    PAGED,
    SEASON_PARTS,
    BodyRenderer,
    parse_appends,
    part_query,
)
from tmdb_collector.simulator.responses import (
    AUTH_SUCCESS,
    INVALID_DATE,
    INVALID_DATE_RANGE,
    INVALID_PAGE,
    NOT_FOUND,
    NOT_SIMULATED_STATUS,
    PAGE_OVER_500,
    TOO_MANY_APPENDS,
    ApiError,
    Responder,
    dumps,
    filters_not_simulated,
    not_simulated,
)
from tmdb_collector.simulator.stats import SimulatorStats
from tmdb_collector.simulator.vocab import GENRES, TV_GENRES

log = logging.getLogger(__name__)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CHANGES_PAGE_SIZE = 100
PERSON_CHANGES = "/3/person/changes"  # served by .entities
MAX_CHANGES_WINDOW = datetime.timedelta(days=14)
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
SEASON_DETAILS = re.compile(r"season/(\d{1,3})")

# fmt: off
CHANGE_KEYS: tuple[str, ...] = (
    "adult", "air_date", "also_known_as", "alternative_titles", "biography", "birthday",
    "budget", "cast", "certifications", "character_names", "created_by", "crew",
    "deathday", "episode", "episode_number", "episode_run_time", "freebase_id",
    "freebase_mid", "general", "genres", "guest_stars", "homepage", "images", "imdb_id",
    "languages", "name", "network", "origin_country", "original_name", "original_title",
    "overview", "parts", "place_of_birth", "plot_keywords", "production_code",
    "production_companies", "production_countries", "releases", "revenue", "runtime",
    "season", "season_number", "season_regular", "spoken_languages", "status", "tagline",
    "title", "translations", "tvdb_id", "tvrage_id", "type", "video", "videos",
)
# fmt: on
CONFIGURATION: dict[str, Any] = {
    "images": {
        "base_url": "http://image.tmdb.org/t/p/",
        "secure_base_url": "https://image.tmdb.org/t/p/",
        "backdrop_sizes": ["w300", "w780", "w1280", "original"],
        "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
        "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
        "profile_sizes": ["w45", "w185", "h632", "original"],
        "still_sizes": ["w92", "w185", "w300", "original"],
    },
    "change_keys": list(CHANGE_KEYS),
}


class Shelf:
    """The movie catalogue, and the TV one built on first use (off the loop)."""

    def __init__(self, movie: Catalog, build_tv: Callable[[], Catalog]) -> None:
        self._catalogs = {"movie": movie}
        self._renderers = {"movie": BodyRenderer(movie)}
        self._build_tv = build_tv
        self._lock = threading.Lock()

    def catalog_now(self, media: str) -> Catalog:
        """The catalogue, built here if needed (blocks while it builds)."""
        with self._lock:
            if media not in self._catalogs:
                catalog = self._build_tv()
                self._renderers[media] = BodyRenderer(catalog)
                self._catalogs[media] = catalog
            return self._catalogs[media]

    async def catalog(self, media: str) -> Catalog:
        found = self._catalogs.get(media)
        if found is not None:
            return found
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, self.catalog_now, media)

    async def renderer(self, media: str) -> BodyRenderer:
        await self.catalog(media)
        return self._renderers[media]


@dataclass
class Gate:
    """What a request passes before its handler: a rate limit, a latency, faults. The API
    (``/3``) and the image CDN (``/t/p``) have one each."""

    bucket: TokenBucket | None
    latency_ms: float
    faults: FaultInjector


@dataclass
class SimState:
    """Everything the handlers share for one app."""

    config: SimulatorConfig
    catalog: Catalog
    responder: Responder
    exports: CatalogueCache
    stats: SimulatorStats
    api_gate: Gate
    image_gate: Gate
    outage: Outage
    shelf: Shelf
    drift: Drift
    lists: LRU = field(default_factory=lambda: LRU(1024))
    hold: Hold = field(default_factory=Hold)


STATE: web.AppKey[SimState] = web.AppKey("tmdb_sim_state", SimState)


def parse_page(query: Mapping[str, str]) -> int:
    """``page``: integer >= 1 (else 400 code 22); > 500 gives TMDB's 422 ``errors``."""
    raw = query.get("page")
    if raw is None or raw == "":
        return 1
    raw = raw.strip()
    if not raw.isdigit() or int(raw) < 1:
        raise ApiError(400, INVALID_PAGE)
    page = int(raw)
    if page > MAX_PAGE:
        raise ApiError(422, PAGE_OVER_500)
    return page


def _lenient_page(query: Mapping[str, str]) -> int:
    raw = query.get("page", "1").strip()
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_PAGE else 1


def _parse_date(raw: str) -> datetime.date:
    try:
        if not _DATE_RE.match(raw):
            raise ValueError(raw)
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise ApiError(400, INVALID_DATE) from exc


def parse_window(
    query: Mapping[str, str], today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """``start_date``/``end_date`` (default: the last 24 h, i.e. yesterday and today)."""
    raw_start, raw_end = query.get("start_date", "").strip(), query.get("end_date", "").strip()
    end = _parse_date(raw_end) if raw_end else None
    start = _parse_date(raw_start) if raw_start else None
    if end is None:
        end = today
    if start is None:
        start = end - datetime.timedelta(days=1)
    if end < start or end - start > MAX_CHANGES_WINDOW:
        raise ApiError(422, INVALID_DATE_RANGE)
    return start, end


def _media(request: web.Request) -> str:
    """``tv`` for the TV routes (``/3/tv/…``, ``/3/discover/tv``, ``/3/genre/tv/list``)."""
    path = request.path
    tv = path.startswith(("/3/tv/", "/3/discover/tv", "/3/genre/tv/"))
    return "tv" if tv else "movie"


def _item_id(request: web.Request) -> int:
    raw = request.match_info["item_id"]
    if not raw.isdigit():  # /movie/abc, but also /movie/now_playing (not simulated)
        raise missing(request)
    return int(raw)


def _available(cat: Catalog, item_id: int) -> int:
    if cat.available_index(item_id) is None:
        raise ApiError(404, NOT_FOUND)
    return item_id


def _page_body(
    cat: Catalog,
    ranked: Sequence[int],
    page: int,
    language: str | None,
    slots: Sequence[int] | None = None,
) -> bytes:
    return dumps(localise_page(cat, list_page(cat, ranked, page, slots), language))


def _ranked_page(
    st: SimState,
    cat: Catalog,
    key: tuple[object, ...],
    ranked: Sequence[int],
    page: int,
    language: str | None,
) -> bytes:
    """A page of a popularity ranking, as it stands at this request when rankings drift."""
    drift = st.drift
    key = (*key, language, page)
    if drift.rate <= 0.0:
        return st.lists.get_or_build(key, lambda: _page_body(cat, ranked, page, language))
    tick = drift.next_tick()
    return st.lists.get_or_build(
        (*key, drift.state(page, tick)),
        lambda: _page_body(cat, ranked, page, language, drift.page(ranked, page, tick)),
    )


async def popular(request: web.Request) -> web.StreamResponse:
    st = request.app[STATE]
    media = _media(request)
    page = parse_page(request.query)
    cat = await st.shelf.catalog(media)
    language = language_of(request.query)
    body = _ranked_page(st, cat, (media, "popular"), cat.popular_indices, page, language)
    return st.responder.ok(body)


async def discover(request: web.Request) -> web.StreamResponse:
    st = request.app[STATE]
    media = _media(request)
    page = parse_page(request.query)
    try:
        query = parse_discover_params(request.query, media)
    except QueryError as exc:
        raise ApiError(400, INVALID_DATE) from exc
    except UnsupportedFilter as exc:
        log.warning("not simulated: %s with %s (answered 501)", request.path, exc)
        raise ApiError(NOT_SIMULATED_STATUS, filters_not_simulated(exc.names)) from exc
    cat = await st.shelf.catalog(media)
    ranked = discover_indices(cat, query)
    language = language_of(request.query)
    if query.sort_field != "popularity":  # only popularity rankings drift
        body = st.lists.get_or_build(
            (media, "discover", query, language, page),
            lambda: _page_body(cat, ranked, page, language),
        )
        return st.responder.ok(body)
    body = _ranked_page(st, cat, (media, "discover", query), ranked, page, language)
    return st.responder.ok(body)


async def details(request: web.Request) -> web.StreamResponse:
    """``/movie/{id}`` and ``/tv/{id}`` with ``append_to_response`` (at most 20 names;
    TV also takes ``season/N``)."""
    st = request.app[STATE]
    await st.hold.admit()
    media = _media(request)
    appends = parse_appends(request.query.get("append_to_response"))
    if len(appends) > APPEND_LIMIT:
        raise ApiError(400, TOO_MANY_APPENDS)
    renderer = await st.shelf.renderer(media)
    item_id = _available(renderer.catalog, _item_id(request))
    query = part_query(request.query, _lenient_page(request.query))
    return st.responder.ok(renderer.details(item_id, appends, query))


async def sub_resource(request: web.Request) -> web.StreamResponse:
    """``/movie/{id}/<part>``, ``/tv/{id}/<part>``, ``/tv/{id}/season/{n}`` (with its
    ``append_to_response``) and ``/tv/{id}/season/{n}/<part>``."""
    st = request.app[STATE]
    media = _media(request)
    sub = request.match_info["sub"]
    renderer = await st.shelf.renderer(media)
    if not renderer.has_part(sub):
        raise missing(request)
    item_id = _item_id(request)
    if sub == "changes":
        start, end = parse_window(request.query, renderer.catalog.today)
        _available(renderer.catalog, item_id)
        return st.responder.ok(renderer.movie_changes(item_id, start, end))
    page = parse_page(request.query) if sub in PAGED else 1
    _available(renderer.catalog, item_id)
    query = part_query(request.query, page)
    if season := SEASON_DETAILS.fullmatch(sub):
        appends = parse_appends(request.query.get("append_to_response"))
        if len(appends) > APPEND_LIMIT:
            raise ApiError(400, TOO_MANY_APPENDS)
        body = renderer.season(item_id, int(season.group(1)), appends, query)
    else:
        body = renderer.standalone(sub, item_id, query)
    if not body:  # a season the series does not have
        raise ApiError(404, NOT_FOUND)
    return st.responder.ok(body)


async def genres(request: web.Request) -> web.StreamResponse:
    st = request.app[STATE]
    language = language_of(request.query)
    vocabulary = TV_GENRES if _media(request) == "tv" else GENRES
    items = [{"id": g.id, "name": genre_name(g, language)} for g in vocabulary]
    return st.responder.ok(dumps({"genres": items}))


async def changes(request: web.Request) -> web.StreamResponse:
    st = request.app[STATE]
    cat = await st.shelf.catalog(_media(request))
    start, end = parse_window(request.query, cat.today)
    page = parse_page(request.query)
    return st.responder.ok(changes_page(cat.changed_entries(start, end), page))


def changes_page(entries: Sequence[tuple[int, bool | None]], page: int) -> bytes:
    """One page of a changes feed (``/movie/changes``, ``/person/changes``...)."""
    chunk = entries[(page - 1) * CHANGES_PAGE_SIZE : page * CHANGES_PAGE_SIZE]
    body = {
        "results": [{"id": mid, "adult": adult} for mid, adult in chunk],
        "page": page,
        "total_pages": -(-len(entries) // CHANGES_PAGE_SIZE),
        "total_results": len(entries),
    }
    return dumps(body)


async def configuration(request: web.Request) -> web.StreamResponse:
    """TMDB's configuration, its image base this simulator's own address (``/t/p/``)."""
    base = f"{request.scheme}://{request.host}/t/p/"
    images = {**CONFIGURATION["images"], "base_url": base, "secure_base_url": base}
    return request.app[STATE].responder.ok(dumps({**CONFIGURATION, "images": images}))


async def authentication(request: web.Request) -> web.StreamResponse:
    return request.app[STATE].responder.ok(AUTH_SUCCESS)


def missing(request: web.Request) -> ApiError:
    """What a request no served route answers gets: 501 naming the endpoint when it is one of
    TMDB's (see :mod:`.endpoints`), else TMDB's own 404."""
    endpoint = tmdb_endpoint(request.method, request.path)
    if endpoint is None or endpoint.template in served_endpoints():
        return ApiError(404, NOT_FOUND)
    log.warning("not simulated: %s %s (TMDB's %s)", request.method, request.path,
                endpoint.template)  # fmt: skip
    return ApiError(NOT_SIMULATED_STATUS, not_simulated(endpoint.method, endpoint.template))


async def unserved(request: web.Request) -> web.StreamResponse:
    raise missing(request)


async def export_file(request: web.Request) -> web.StreamResponse:
    st = request.app[STATE]
    data = await st.exports.get(request.match_info["name"])
    if data is None:
        return st.responder.error(404, NOT_FOUND)
    return st.responder.raw(data, "application/octet-stream")


@dataclass(frozen=True)
class Route:
    """One route of the simulated ``/3`` API and the TMDB endpoints (OpenAPI path
    templates, all GET) it answers."""

    path: str  # the aiohttp path
    handler: Handler
    serves: tuple[str, ...]


def _parts_of(media: str, prefix: str) -> tuple[str, ...]:
    return tuple(f"{prefix}/{name}" for name in MEDIA[media].parts)


_MOVIE, _SERIES = "/3/movie/{movie_id}", "/3/tv/{series_id}"
_SEASON = _SERIES + "/season/{season_number}"
# Every route served under /3, in matching order; anything else gets :func:`unserved`. The
# README's simulator section lists the same endpoints (tests/test_simulator_fidelity.py).
ROUTES: tuple[Route, ...] = (
    Route("/3/movie/popular", popular, ("/3/movie/popular",)),
    Route("/3/movie/changes", changes, ("/3/movie/changes",)),
    Route("/3/movie/{item_id}", details, (_MOVIE,)),
    Route("/3/movie/{item_id}/{sub:.+}", sub_resource, _parts_of("movie", _MOVIE)),
    Route("/3/discover/movie", discover, ("/3/discover/movie",)),
    Route("/3/genre/movie/list", genres, ("/3/genre/movie/list",)),
    Route("/3/tv/popular", popular, ("/3/tv/popular",)),
    Route("/3/tv/changes", changes, ("/3/tv/changes",)),
    Route("/3/tv/{item_id}", details, (_SERIES,)),
    Route(
        "/3/tv/{item_id}/{sub:.+}",
        sub_resource,
        (*_parts_of("tv", _SERIES), _SEASON, *(f"{_SEASON}/{name}" for name in SEASON_PARTS)),
    ),
    Route("/3/discover/tv", discover, ("/3/discover/tv",)),
    Route("/3/genre/tv/list", genres, ("/3/genre/tv/list",)),
    Route("/3/configuration", configuration, ("/3/configuration",)),
    Route("/3/authentication", authentication, ("/3/authentication",)),
)


def served_endpoints() -> frozenset[str]:
    """The TMDB endpoints (GET path templates) the simulator serves."""
    titles = (template for route in ROUTES for template in route.serves)
    return frozenset((*titles, *served_templates(), PERSON_CHANGES))
