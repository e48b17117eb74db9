"""Serialised bodies with small LRU caches, and byte-level ``append_to_response``.

An appended sub-resource is the standalone body without its ``"id"`` member; both come from
one builder per part (:data:`MOVIE_PARTS`), so the two always agree.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from tmdb_collector.simulator import bodies, lists, parts
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.parts import Languages, Subject, allowed_languages
from tmdb_collector.simulator.responses import dumps

MAX_APPENDS = 20
JSONDict = dict[str, Any]
VIDEO_DEFAULT_LANGUAGE = "en-US"  # /videos documents language=en-US as its default


@dataclass(frozen=True)
class PartQuery:
    """The query parameters a sub-resource honours (standalone and appended alike)."""

    page: int = 1
    image_languages: Languages = None  # None: every image
    video_languages: Languages = frozenset({"en"})
    country: str | None = None  # alternative_titles

    def key(self, kind: str) -> object:
        """The part of the query that ``kind``'s body depends on (the cache key)."""
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
    )


PartBuilder = Callable[[Catalog, int, PartQuery], JSONDict]  # (catalogue, slot, query)


def _shared(build: Callable[[int, Subject, PartQuery], JSONDict]) -> PartBuilder:
    return lambda cat, idx, q: build(cat.seed, bodies.subject(cat, idx), q)


def _default_changes(cat: Catalog, idx: int, q: PartQuery) -> JSONDict:
    start, end = cat.default_changes_window()
    return bodies.movie_changes(cat, idx, start, end)


# Every movie sub-resource: the same builder serves /movie/{id}/<name> and the append.
MOVIE_PARTS: dict[str, PartBuilder] = {
    "alternative_titles": _shared(lambda seed, s, q: parts.alternative_titles(seed, s, q.country)),
    "changes": _default_changes,
    "credits": lambda cat, idx, q: bodies.credits(cat, idx),
    "external_ids": lambda cat, idx, q: bodies.external_ids(cat, idx),
    "images": _shared(lambda seed, s, q: parts.images(seed, s, q.image_languages)),
    "keywords": lambda cat, idx, q: bodies.keywords(cat, idx),
    "lists": _shared(lambda seed, s, q: parts.lists(seed, s, q.page)),
    "recommendations": lambda cat, idx, q: lists.recommendations(cat, idx, q.page),
    "release_dates": _shared(lambda seed, s, q: parts.release_dates(seed, s)),
    "reviews": _shared(lambda seed, s, q: parts.reviews(seed, s, q.page)),
    "similar": lambda cat, idx, q: lists.similar(cat, idx, q.page),
    "translations": _shared(lambda seed, s, q: parts.translations(seed, s)),
    "videos": _shared(lambda seed, s, q: parts.videos(seed, s, q.video_languages)),
    "watch/providers": _shared(lambda seed, s, q: parts.watch_providers(seed, s)),
}  # fmt: skip
PAGED = frozenset({"recommendations", "similar", "lists", "reviews"})
SUB_RESOURCES = frozenset(MOVIE_PARTS)
# Where the standalone endpoint puts "id" (absent: first; None: no id at all). The
# appended form never has it (REAL movie 76).
ID_AFTER: dict[str, str | None] = {
    "changes": None,
    "recommendations": None,
    "similar": None,
    "images": "backdrops",
}


def with_id(kind: str, item_id: int, body: JSONDict) -> JSONDict:
    """The standalone form of an appended body: ``id`` where TMDB puts it."""
    if kind in ID_AFTER and ID_AFTER[kind] is None:
        return body
    after = ID_AFTER.get(kind, "")
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


def movie_details(cat: Catalog, movie_id: int) -> JSONDict | None:
    """``GET /movie/{id}`` without appends, or ``None`` when the id does not answer."""
    idx = cat.available_index(movie_id)
    return None if idx is None else bodies.details(cat, idx)


def movie_part(
    cat: Catalog, kind: str, movie_id: int, page: int = 1, query: PartQuery | None = None
) -> JSONDict | None:
    """Sub-resource ``kind`` in its standalone form, or ``None`` for a missing id."""
    idx = cat.available_index(movie_id)
    if idx is None:
        return None
    q = query if query is not None else PartQuery(page=page)
    body = MOVIE_PARTS[kind](cat, idx, q)
    body.pop("id", None)
    return with_id(kind, movie_id, body)


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
    """JSON bytes for one catalogue's movie resources (callers pass available slots)."""

    def __init__(self, catalog: Catalog, cache_size: int = 2048) -> None:
        self.catalog = catalog
        self._cache = LRU(cache_size)

    def _build_part(self, kind: str, movie_id: int, query: PartQuery) -> bytes:
        """Sub-resource JSON without ``id`` (the appended form)."""
        idx = self.catalog.available_index(movie_id)
        if idx is None:
            raise KeyError(movie_id)
        body = MOVIE_PARTS[kind](self.catalog, idx, query)
        body.pop("id", None)
        return dumps(body)

    def part(self, kind: str, movie_id: int, query: PartQuery) -> bytes:
        key = (kind, movie_id, query.key(kind))
        return self._cache.get_or_build(key, lambda: self._build_part(kind, movie_id, query))

    def standalone(self, kind: str, movie_id: int, query: PartQuery) -> bytes:
        """``GET /3/movie/{id}/{kind}``: the appended body with ``id`` where TMDB has it."""

        def build() -> bytes:
            body = movie_part(self.catalog, kind, movie_id, query=query)
            if body is None:
                raise KeyError(movie_id)
            return dumps(body)

        return self._cache.get_or_build(("standalone", kind, movie_id, query.key(kind)), build)

    def movie_changes(self, movie_id: int, start: date, end: date) -> bytes:
        idx = self.catalog.available_index(movie_id)
        if idx is None:
            raise KeyError(movie_id)
        return dumps(bodies.movie_changes(self.catalog, idx, start, end))

    def details(
        self, movie_id: int, appends: Sequence[str] = (), query: PartQuery | None = None
    ) -> bytes:
        """Details, followed by each known appended sub-resource in request order."""

        def build_base() -> bytes:
            body = movie_details(self.catalog, movie_id)
            if body is None:
                raise KeyError(movie_id)
            return dumps(body)

        base = self._cache.get_or_build(("details", movie_id, 0), build_base)
        extra = [
            b',"%s":%s' % (name.encode(), self.part(name, movie_id, query or PartQuery()))
            for name in dict.fromkeys(appends)
            if name in SUB_RESOURCES
        ]
        if not extra:
            return base
        return base[:-1] + b"".join(extra) + b"}"


def parse_appends(raw: str | None) -> list[str]:
    """Split ``append_to_response`` (order kept, empty names dropped, duplicates kept so
    the caller can apply the 20-item limit to what was asked)."""
    if not raw:
        return []
    return [name.strip() for name in raw.split(",") if name.strip()]
