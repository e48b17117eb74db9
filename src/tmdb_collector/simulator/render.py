"""Serialised bodies with small LRU caches, and byte-level ``append_to_response``.

An appended sub-resource is the standalone body without its ``"id"`` member; both come from
one builder per part (:data:`MOVIE_PARTS`), so the two always agree.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tmdb_collector.simulator import (
    availability,
    bodies,
    lists,
    localise,
    parts,
    season_parts,
    tv,
    tv_seasons,
)
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.parts import Languages, Subject, allowed_languages
from tmdb_collector.simulator.responses import dumps

JSONDict = dict[str, Any]
VIDEO_DEFAULT_LANGUAGE = "en-US"  # /videos documents language=en-US as its default


@dataclass(frozen=True)
class PartQuery:
    """The query parameters a sub-resource honours (standalone and appended alike)."""

    page: int = 1
    image_languages: Languages = None  # None: every image
    video_languages: Languages = frozenset({"en"})
    country: str | None = None  # alternative_titles
    language: str | None = None  # details and list items (see :mod:`.localise`)

    def key(self, kind: str) -> object:
        """The part of the query that ``kind``'s body depends on (the cache key)."""
        kind = kind.rsplit("/", 1)[-1]  # a season's part: its own name
        if kind in _RELATED:
            return self.page, self.language
        if kind in PAGED:
            return self.page
        if kind == "images":
            return self.image_languages
        if kind == "videos":
            return self.video_languages
        if kind == "alternative_titles":
            return self.country
        return None


def part_query(query: Mapping[str, str], page: int = 1) -> PartQuery:
    """A :class:`PartQuery` from request parameters (TMDB's language rules, see
    :func:`.parts.allowed_languages`)."""
    language = query.get("language")
    video_default = allowed_languages(VIDEO_DEFAULT_LANGUAGE, None, None)
    return PartQuery(
        page=page,
        image_languages=allowed_languages(language, query.get("include_image_language"), None),
        video_languages=allowed_languages(
            language, query.get("include_video_language"), video_default
        ),
        country=query.get("country") or None,
        language=localise.language_of(query),
    )


PartBuilder = Callable[[Catalog, int, PartQuery], JSONDict | None]  # (catalogue, slot, query)
SubjectOf = Callable[[Catalog, int], Subject]


def _shared(build: Callable[[int, Subject, PartQuery], JSONDict]) -> dict[SubjectOf, PartBuilder]:
    """One builder of :mod:`.parts`, for movies and for series."""
    return {
        of: (lambda cat, idx, q, of=of: build(cat.seed, of(cat, idx), q))  # type: ignore[misc]
        for of in (bodies.subject, tv.subject)
    }


def _default_changes(cat: Catalog, idx: int, q: PartQuery) -> JSONDict:
    start, end = cat.default_changes_window()
    return bodies.movie_changes(cat, idx, start, end)


SHARED = {
    "alternative_titles": _shared(lambda seed, s, q: parts.alternative_titles(seed, s, q.country)),
    "images": _shared(lambda seed, s, q: parts.images(seed, s, q.image_languages)),
    "lists": _shared(lambda seed, s, q: parts.lists(seed, s, q.page)),
    "reviews": _shared(lambda seed, s, q: parts.reviews(seed, s, q.page)),
    "translations": _shared(lambda seed, s, q: parts.translations(seed, s)),
    "videos": _shared(lambda seed, s, q: parts.videos(seed, s, q.video_languages)),
    "watch/providers": _shared(lambda seed, s, q: availability.watch_providers(seed, s)),
}  # fmt: skip
_RELATED: dict[str, PartBuilder] = {
    "recommendations": lambda cat, idx, q: localise.localise_page(
        cat, lists.recommendations(cat, idx, q.page), q.language
    ),
    "similar": lambda cat, idx, q: localise.localise_page(
        cat, lists.similar(cat, idx, q.page), q.language
    ),
}


def _plain(build: Callable[[Catalog, int], JSONDict]) -> PartBuilder:
    return lambda cat, idx, q: build(cat, idx)


# Every movie sub-resource: the same builder serves /movie/{id}/<name> and the append.
MOVIE_PARTS: dict[str, PartBuilder] = {
    "changes": _default_changes,
    "credits": _plain(bodies.credits),
    "external_ids": _plain(bodies.external_ids),
    "keywords": _plain(bodies.keywords),
    "release_dates": lambda cat, idx, q: availability.release_dates(
        cat.seed, bodies.subject(cat, idx)
    ),
    **_RELATED,
    **{name: by[bodies.subject] for name, by in SHARED.items()},
}
# Every TV sub-resource (``season/N`` is resolved by :func:`part_builder`).
TV_PARTS: dict[str, PartBuilder] = {
    "aggregate_credits": _plain(tv.aggregate_credits),
    "changes": _default_changes,
    "content_ratings": lambda cat, idx, q: availability.content_ratings(
        cat.seed, tv.subject(cat, idx)
    ),
    "credits": _plain(tv.credits),
    "episode_groups": _plain(tv.episode_groups),
    "external_ids": _plain(tv.external_ids),
    "keywords": _plain(tv.keywords),
    "screened_theatrically": _plain(tv.screened_theatrically),
    **_RELATED,
    **{name: by[tv.subject] for name, by in SHARED.items()},
}
SeasonBuilder = Callable[[Catalog, int, tv_seasons.Season, PartQuery], JSONDict]
# Every season sub-resource: /tv/{id}/season/{n}/<name> and the season's appends.
SEASON_PARTS: dict[str, SeasonBuilder] = {
    "aggregate_credits": lambda cat, idx, s, q: season_parts.aggregate_credits(cat, idx, s),
    "credits": lambda cat, idx, s, q: season_parts.credits(cat, idx, s),
    "external_ids": lambda cat, idx, s, q: season_parts.external_ids(cat, idx, s),
    "images": lambda cat, idx, s, q: season_parts.images(cat, idx, s, q.image_languages),
    "translations": lambda cat, idx, s, q: season_parts.translations(cat, idx, s),
    "videos": lambda cat, idx, s, q: season_parts.videos(cat, idx, s, q.video_languages),
    "watch/providers": lambda cat, idx, s, q: season_parts.watch_providers(cat, idx, s),
}
PAGED = frozenset({"recommendations", "similar", "lists", "reviews"})
_SEASON = re.compile(r"^season/(\d{1,3})(?:/(.+))?$")
LAST = "$last"
# Where the standalone endpoint puts the title's "id" (absent: first; None: no id at all;
# LAST: at the end). The appended form never has it (REAL movie 76).
ID_AFTER: dict[str, str | None] = {
    "changes": None,
    "recommendations": None,
    "similar": None,
    "images": "backdrops",
}
TV_ID_AFTER: dict[str, str | None] = {
    **ID_AFTER,
    "aggregate_credits": LAST,
    "credits": LAST,
    "content_ratings": LAST,
    "episode_groups": LAST,
}


@dataclass(frozen=True)
class Media:
    """How one media type's details and sub-resources are built."""

    name: str
    details: Callable[[Catalog, int], JSONDict]
    parts: dict[str, PartBuilder]
    id_after: dict[str, str | None]


MEDIA = {
    "movie": Media("movie", bodies.details, MOVIE_PARTS, ID_AFTER),
    "tv": Media("tv", tv.details, TV_PARTS, TV_ID_AFTER),
}


def part_builder(media: str, kind: str) -> PartBuilder | None:
    """The builder of sub-resource ``kind`` (TV also takes ``season/N`` and
    ``season/N/<part>``, whose bodies carry the season's id), or ``None``."""
    found = MEDIA[media].parts.get(kind)
    if found is None and media == "tv" and (match := _SEASON.match(kind)):
        number, sub = int(match.group(1)), match.group(2)
        if sub is None:
            return lambda cat, idx, q: tv_seasons.season(cat, idx, number)
        if sub in SEASON_PARTS:
            return lambda cat, idx, q: _season_part(cat, idx, number, sub, q)
    return found


def _season_part(cat: Catalog, idx: int, number: int, sub: str, q: PartQuery) -> JSONDict | None:
    """A season's sub-resource in its standalone form (the season id first, or last)."""
    season = season_parts.find_season(cat, idx, number)
    if season is None:
        return None
    body = SEASON_PARTS[sub](cat, idx, season, q)
    the_id = tv_seasons.season_id(cat.cols.ids[idx], number)
    return {**body, "id": the_id} if sub in season_parts.ID_LAST else {"id": the_id, **body}


def season_with_appends(
    cat: Catalog, idx: int, number: int, appends: Sequence[str], q: PartQuery
) -> JSONDict | None:
    """``GET /tv/{id}/season/{n}`` with its ``append_to_response`` parts (without ``id``,
    after the season's own fields, as on the details)."""
    body = tv_seasons.season(cat, idx, number)
    if body is None:
        return None
    for name in dict.fromkeys(appends):
        if name in SEASON_PARTS:
            part = _season_part(cat, idx, number, name, q)
            if part is not None:
                part.pop("id", None)
                body[name] = part
    return body


def with_id(kind: str, item_id: int, body: JSONDict, media: str = "movie") -> JSONDict:
    """The standalone form of an appended body: ``id`` where TMDB puts it."""
    id_after = MEDIA[media].id_after
    if kind.startswith("season/") or (kind in id_after and id_after[kind] is None):
        return body
    after = id_after.get(kind, "")
    if after == "":
        return {"id": item_id, **body}
    out: JSONDict = {}
    for name, value in body.items():
        out[name] = value
        if name == after:
            out["id"] = item_id
    if "id" not in out:
        out["id"] = item_id
    return out


def _appended(media: str, cat: Catalog, kind: str, idx: int, q: PartQuery) -> JSONDict | None:
    build = part_builder(media, kind)
    body = None if build is None else build(cat, idx, q)
    if body is not None and not kind.startswith("season/"):
        body.pop("id", None)  # the title's own id (a season keeps its season id)
    return body


def movie_details(cat: Catalog, movie_id: int, language: str | None = None) -> JSONDict | None:
    """``GET /movie/{id}`` (``/tv/{id}`` for a TV catalogue) without appends, in
    ``language``, or ``None`` when the id does not answer."""
    idx = cat.available_index(movie_id)
    if idx is None:
        return None
    return localise.localise(cat, idx, MEDIA[cat.media].details(cat, idx), language)


def movie_part(
    cat: Catalog, kind: str, movie_id: int, page: int = 1, query: PartQuery | None = None
) -> JSONDict | None:
    """Sub-resource ``kind`` in its standalone form, or ``None`` for a missing id or part
    (works for a TV catalogue too)."""
    idx = cat.available_index(movie_id)
    if idx is None:
        return None
    q = query if query is not None else PartQuery(page=page)
    body = _appended(cat.media, cat, kind, idx, q)
    return None if body is None else with_id(kind, movie_id, body, cat.media)


class LRU:
    """A tiny bounded mapping from keys to bytes."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[object, bytes] = OrderedDict()

    def get_or_build(self, key: object, build: Callable[[], bytes]) -> bytes:
        found = self._data.get(key)
        if found is not None:
            self._data.move_to_end(key)
            return found
        value = build()
        self._data[key] = value
        if len(self._data) > self.maxsize:
            self._data.popitem(last=False)
        return value


class BodyRenderer:
    """JSON bytes for one catalogue's resources (callers pass available ids)."""

    def __init__(self, catalog: Catalog, cache_size: int = 2048) -> None:
        self.catalog = catalog
        self.media = catalog.media
        self._cache = LRU(cache_size)

    def _build_part(self, kind: str, movie_id: int, query: PartQuery) -> bytes:
        """Sub-resource JSON without ``id`` (the appended form); ``b""`` when absent."""
        idx = self.catalog.available_index(movie_id)
        if idx is None:
            raise KeyError(movie_id)
        body = _appended(self.media, self.catalog, kind, idx, query)
        return b"" if body is None else dumps(body)

    def has_part(self, kind: str) -> bool:
        return part_builder(self.media, kind) is not None

    def part(self, kind: str, movie_id: int, query: PartQuery) -> bytes:
        key = (kind, movie_id, query.key(kind))
        return self._cache.get_or_build(key, lambda: self._build_part(kind, movie_id, query))

    def standalone(self, kind: str, movie_id: int, query: PartQuery) -> bytes:
        """``GET /3/movie/{id}/{kind}``: the appended body with ``id`` where TMDB has it
        (``b""`` for a season the series does not have)."""

        def build() -> bytes:
            body = movie_part(self.catalog, kind, movie_id, query=query)
            return b"" if body is None else dumps(body)

        return self._cache.get_or_build(("standalone", kind, movie_id, query.key(kind)), build)

    def season(
        self, series_id: int, number: int, appends: Sequence[str], query: PartQuery
    ) -> bytes:
        """``GET /3/tv/{id}/season/{n}`` with appends (``b""`` for a season it lacks)."""
        if not any(name in SEASON_PARTS for name in appends):
            return self.standalone(f"season/{number}", series_id, query)
        idx = self.catalog.available_index(series_id)
        if idx is None:
            raise KeyError(series_id)
        body = season_with_appends(self.catalog, idx, number, appends, query)
        return b"" if body is None else dumps(body)

    def movie_changes(self, movie_id: int, start: date, end: date) -> bytes:
        idx = self.catalog.available_index(movie_id)
        if idx is None:
            raise KeyError(movie_id)
        return dumps(bodies.movie_changes(self.catalog, idx, start, end))

    def details(
        self, movie_id: int, appends: Sequence[str] = (), query: PartQuery | None = None
    ) -> bytes:
        """Details, followed by each known appended sub-resource in request order."""

        q = query or PartQuery()

        def build_base() -> bytes:
            body = movie_details(self.catalog, movie_id, q.language)
            if body is None:
                raise KeyError(movie_id)
            return dumps(body)

        base = self._cache.get_or_build(("details", movie_id, q.language), build_base)
        found = [(name, self.part(name, movie_id, q)) for name in dict.fromkeys(appends)
                 if self.has_part(name)]  # fmt: skip
        extra = [b',"%s":%s' % (name.encode(), body) for name, body in found if body]
        if not extra:
            return base
        return base[:-1] + b"".join(extra) + b"}"


def parse_appends(raw: str | None) -> list[str]:
    """Split ``append_to_response`` (order kept, empty names dropped, duplicates kept so
    the caller can apply the 20-item limit to what was asked)."""
    if not raw:
        return []
    return [name.strip() for name in raw.split(",") if name.strip()]
