"""The entities the titles link to, and who links to each: TMDB's graph, read off the titles.

People, collections, companies and networks are not catalogues of their own: each is what the
movie and series bodies already name. A person is an index into the pool the credits draw from
(:func:`.text.person`), a company an index into :func:`.text.company`'s blocks, a network one of
the vocabulary's, and a collection whatever a movie's ``belongs_to_collection`` names. So that
``/person/{id}`` and ``/collection/{id}`` list exactly the titles that name them, the reverse
indexes are built from what the title routes serve (each once, on first use, off the event
loop). The people's index reads only the credits' people streams (:func:`.bodies.credited_people`,
:func:`.tv.credited_people`), not the bodies; a person's entries are then drawn alone from each
title that lists them (:func:`.bodies.credit_entries`, :func:`.tv.aggregate_entries`, each entry
from a hash of its own), with the same character, job and ``credit_id`` as the title's credits:
a person costs O(their credits).
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar, cast

from tmdb_collector.simulator import bodies, tv
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.generate import FLAG_DELETED
from tmdb_collector.simulator.lists import list_item, similar_item
from tmdb_collector.simulator.text import COMPANIES_PER_LANGUAGE, PERSON_ID_BITS, person_id
from tmdb_collector.simulator.tv_seasons import _ANY_NETWORK
from tmdb_collector.simulator.vocab import LANGUAGES
from tmdb_collector.simulator.vocab_parts import NETWORKS, Network

T = TypeVar("T")
CREDITS_CACHE = 64  # people whose credits are kept
TITLES_CACHE = 8192  # titles whose credited people and list item are kept
MOVIE_CODE, TV_CODE = 0, 1  # a credited title: slot * 2 + code
_PERSON_MASK = (1 << PERSON_ID_BITS) - 1
_PERSON_INVERSE = pow(2654435761, -1, 1 << PERSON_ID_BITS)  # undoes text.person_id


def person_slot(person_id: int) -> int:
    """The pool index :func:`.text.person_id` scrambled into ``person_id``."""
    return ((person_id - 1) * _PERSON_INVERSE) & _PERSON_MASK


def company_slot(company_id: int) -> int | None:
    """The index :func:`.text.company` gives ``company_id``, or None for no company."""
    index = (company_id - 1) // 7
    if company_id < 1 or index >= company_count():
        return None
    return index if 1 + index * 7 + index % 5 == company_id else None


def company_count() -> int:
    return len(LANGUAGES) * COMPANIES_PER_LANGUAGE


def _networks() -> dict[int, Network]:
    """Every network a series can name, by id (the first declared wins a shared id)."""
    found: dict[int, Network] = {}
    for network in (*(n for pool in NETWORKS.values() for n in pool), *_ANY_NETWORK):
        found.setdefault(network.id, network)
    return dict(sorted(found.items()))


NETWORK_BY_ID = _networks()


@dataclass(frozen=True)
class Credit:
    """One credit of a person: the title's catalogue and slot, and its entry in the credits."""

    catalog: Catalog
    slot: int
    kind: str  # "cast" or "crew"
    entry: dict[str, Any]


class Graph:
    """The reverse indexes over the movie and series catalogues (built once, on first use)."""

    def __init__(self, movies: Callable[[], Catalog], series: Callable[[], Catalog]) -> None:
        self._movies = movies
        self._series = series
        self._lock = threading.Lock()
        self._built: dict[str, object] = {}
        self._credits: OrderedDict[int, list[Credit]] = OrderedDict()
        # Per title (slot * 2 + media code): many people share a title (lru_cache locks).
        self._credited = lru_cache(maxsize=TITLES_CACHE)(self._credited_people)
        self.title_item = lru_cache(maxsize=TITLES_CACHE)(self._title_item)

    @property
    def movies(self) -> Catalog:
        return self._movies()

    @property
    def series(self) -> Catalog:
        return self._series()

    # ------------------------------------------------------------------ people
    @property
    def people(self) -> int:
        """How many people there are: the largest pool any credit draws from."""
        return max(bodies.cast_pool(self.movies.size), *tv.pools(self.series), tv.CREATOR_POOL)

    def person_index(self, person_id: int) -> int | None:
        if not 1 <= person_id <= 1 << PERSON_ID_BITS:
            return None
        index = person_slot(person_id)
        return index if index < self.people else None

    def credits_of(self, person_id: int) -> list[Credit]:
        """Every credit of the person, movies first, each title in catalogue order and its
        entries in the order its credits list them (the last few people's are kept)."""
        with self._lock:
            found = self._credits.get(person_id)
            if found is not None:
                self._credits.move_to_end(person_id)
                return found
        found = list(self._find_credits(person_id))
        with self._lock:
            self._credits[person_id] = found
            if len(self._credits) > CREDITS_CACHE:
                self._credits.popitem(last=False)
        return found

    def _find_credits(self, person_id: int) -> Iterator[Credit]:
        index = self.person_index(person_id)
        for code in self.titles_of(person_id):
            slot, media = divmod(code, 2)
            people = self._credited(code)
            catalog, entries = (
                (self.movies, bodies.credit_entries(self.movies, slot, index, people))
                if media == MOVIE_CODE
                else (self.series, tv.aggregate_entries(self.series, slot, index, people))
            )
            for kind in ("cast", "crew"):
                for entry in entries[kind]:
                    yield Credit(catalog, slot, kind, entry)

    def _credited_people(self, code: int) -> bodies.Credited:
        slot, media = divmod(code, 2)
        if media == MOVIE_CODE:
            return bodies.credited_people(self.movies, slot)
        return tv.credited_people(self.series, slot)

    def _title_item(self, catalog: Catalog, slot: int) -> dict[str, Any]:
        """A credited title as a person's credits show it (a movie's list item, a series'
        /similar item); shared, not to be changed."""
        if catalog is self.movies:
            return list_item(catalog, slot)
        return similar_item(catalog, slot)

    def _index(self, name: str, build: Callable[[], T]) -> T:
        found = self._built.get(name)
        if found is None:
            with self._lock:
                found = self._built.get(name)
                if found is None:
                    found = self._built[name] = build()
        return cast(T, found)

    def titles_of(self, person_id: int) -> array[int]:
        """The titles whose credits list the person (slot * 2 + media code), movies first,
        each in catalogue order."""
        index = self.person_index(person_id)
        credited = self._index("people", self._build_people)
        return credited[index] if index is not None else array("i")

    def _build_people(self) -> list[array[int]]:
        """Each pool index's titles, drawn from the credits' own people streams
        (:func:`.bodies.credited_people`, :func:`.tv.credited_people`): O(credits), no bodies."""
        found = [array("i") for _ in range(self.people)]
        for catalog, code, credited in (
            (self.movies, MOVIE_CODE, bodies.credited_people),
            (self.series, TV_CODE, tv.credited_people),
        ):
            for slot in _available(catalog):
                value = slot * 2 + code
                first, second = credited(catalog, slot)
                for index in {*first, *second}:
                    found[index].append(value)
        return found

    def changed_people(self, start: date, end: date) -> list[int]:
        """The people ``/person/changes`` lists for ``start``..``end``: everyone credited by a
        title that changed then (a person's combined credits are built from those titles)."""
        found: set[int] = set()
        for catalog, credited in (
            (self.movies, bodies.credited_people),
            (self.series, tv.credited_people),
        ):
            flags = catalog.cols.flags
            for slot in catalog.changes.changed_indices(start, end):
                if not flags[slot] & FLAG_DELETED:
                    first, second = credited(catalog, slot)
                    found.update(map(person_id, (*first, *second)))
        return sorted(found)

    # ------------------------------------------------------------- collections
    def collections(self) -> dict[int, array[int]]:
        """Collection id -> the slots of the movies whose ``belongs_to_collection`` names it."""
        return self._index("collections", self._build_collections)

    def _build_collections(self) -> dict[int, array[int]]:
        found: dict[int, array[int]] = {}
        movies = self.movies
        for slot in _available(movies):
            named = bodies.details(movies, slot)["belongs_to_collection"]
            if named is not None:
                found.setdefault(named["id"], array("i")).append(slot)
        return dict(sorted(found.items()))


def _available(catalog: Catalog) -> Iterator[int]:
    flags = catalog.cols.flags
    return (i for i in range(catalog.size) if not flags[i] & FLAG_DELETED)
