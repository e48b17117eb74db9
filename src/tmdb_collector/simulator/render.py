"""Serialised bodies with small LRU caches, and byte-level ``append_to_response``.

An appended sub-resource is the standalone body's JSON with the leading ``"id"`` member
removed, so the two are byte-identical by construction.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from tmdb_collector.simulator import bodies, lists
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.responses import dumps

MAX_APPENDS = 20
_EMPTY_PAGE: dict[str, Any] = {"page": 1, "results": [], "total_pages": 0, "total_results": 0}
JSONDict = dict[str, Any]
PartBuilder = Callable[[Catalog, int, int], JSONDict]  # (catalogue, slot, page)

# Sub-resources whose standalone body starts with {"id": …}.
_STUBS: dict[str, dict[str, Any]] = {
    "alternative_titles": {"titles": []},
    "images": {"backdrops": [], "logos": [], "posters": []},
    "release_dates": {"results": []},
    "translations": {"translations": []},
    "videos": {"results": []},
    "watch/providers": {"results": {}},
}


def _stub(kind: str) -> PartBuilder:
    return lambda cat, idx, page: dict(_STUBS[kind])


def _empty_page(cat: Catalog, idx: int, page: int) -> JSONDict:
    return dict(_EMPTY_PAGE, page=page)


def _default_changes(cat: Catalog, idx: int, page: int) -> JSONDict:
    start, end = cat.default_changes_window()
    return bodies.movie_changes(cat, idx, start, end)


# Every movie sub-resource: the same builder serves /movie/{id}/<name> and the append.
MOVIE_PARTS: dict[str, PartBuilder] = {
    "changes": _default_changes,
    "credits": lambda cat, idx, page: bodies.credits(cat, idx),
    "external_ids": lambda cat, idx, page: bodies.external_ids(cat, idx),
    "keywords": lambda cat, idx, page: bodies.keywords(cat, idx),
    "lists": _empty_page,
    "recommendations": lists.recommendations,
    "reviews": _empty_page,
    "similar": lists.similar,
    **{kind: _stub(kind) for kind in _STUBS},
}
WITH_ID = frozenset({"credits", "keywords", "external_ids", "lists", "reviews", *_STUBS})
PAGED = frozenset({"recommendations", "similar", "lists", "reviews"})
SUB_RESOURCES = frozenset(MOVIE_PARTS)


def movie_details(cat: Catalog, movie_id: int) -> JSONDict | None:
    """``GET /movie/{id}`` without appends, or ``None`` when the id does not answer."""
    idx = cat.available_index(movie_id)
    return None if idx is None else bodies.details(cat, idx)


def movie_part(cat: Catalog, kind: str, movie_id: int, page: int = 1) -> JSONDict | None:
    """Sub-resource ``kind`` as a dict (standalone form), or ``None`` for a missing id."""
    idx = cat.available_index(movie_id)
    return None if idx is None else MOVIE_PARTS[kind](cat, idx, page)


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

    def _build_part(self, kind: str, movie_id: int, page: int) -> bytes:
        """Sub-resource JSON without ``id``."""
        body = movie_part(self.catalog, kind, movie_id, page)
        if body is None:
            raise KeyError(movie_id)
        body.pop("id", None)
        return dumps(body)

    def part(self, kind: str, movie_id: int, page: int = 1) -> bytes:
        key = (kind, movie_id, page if kind in PAGED else 0)
        return self._cache.get_or_build(key, lambda: self._build_part(*key))

    def standalone(self, kind: str, movie_id: int, page: int = 1) -> bytes:
        """``GET /3/movie/{id}/{kind}``: the part, with ``"id"`` first when TMDB has one."""
        body = self.part(kind, movie_id, page)
        if kind not in WITH_ID:
            return body
        if body == b"{}":
            return b'{"id":%d}' % movie_id
        return b'{"id":%d,' % movie_id + body[1:]

    def movie_changes(self, movie_id: int, start: date, end: date) -> bytes:
        idx = self.catalog.available_index(movie_id)
        if idx is None:
            raise KeyError(movie_id)
        return dumps(bodies.movie_changes(self.catalog, idx, start, end))

    def details(self, movie_id: int, appends: Sequence[str] = (), page: int = 1) -> bytes:
        """Details, followed by each known appended sub-resource in request order."""

        def build_base() -> bytes:
            body = movie_details(self.catalog, movie_id)
            if body is None:
                raise KeyError(movie_id)
            return dumps(body)

        base = self._cache.get_or_build(("details", movie_id, 0), build_base)
        extra = [
            b',"%s":%s' % (name.encode(), self.part(name, movie_id, page))
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
