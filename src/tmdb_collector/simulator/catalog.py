"""The deterministic synthetic movie (or TV series) catalogue and its query helpers.

Attributes live in compact parallel arrays (see :mod:`.generate`); JSON bodies are built
on demand from ``(seed, id, version)`` by :mod:`.bodies` and :mod:`.lists`, which read the
catalogue (this module imports none of them). Everything is deterministic for
``(size, seed, today, deleted_fraction)``.
"""

from __future__ import annotations

import bisect
from array import array
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import cached_property
from typing import NamedTuple

from tmdb_collector.simulator._hash import SALT_TV, hash_ints
from tmdb_collector.simulator.changes import ChangeLog
from tmdb_collector.simulator.discover import DiscoverQuery, run_query
from tmdb_collector.simulator.famous import FAMOUS_TITLES
from tmdb_collector.simulator.generate import (
    FLAG_ADULT,
    FLAG_ADULT_NULL,
    FLAG_DELETED,
    FLAG_VIDEO,
    LAST_RELEASE,
    MOVIE,
    TV,
    generate_columns,
)
from tmdb_collector.simulator.text import money, titles
from tmdb_collector.simulator.vocab import LANGUAGES

# Release dates stop at the default day, so a body changes only when its movie changes.
DEFAULT_TODAY = LAST_RELEASE
DEFAULT_CATALOG_SIZE = 120_000
DEFAULT_TV_CATALOG_SIZE = 40_000
DEFAULT_SEED = 42
DEFAULT_DELETED_FRACTION = 0.002
QUERY_CACHE_SIZE = 256


class Movie(NamedTuple):
    """A read-only view of one movie's compact attributes (current version)."""

    id: int
    title: str
    original_title: str
    original_language: str
    genre_ids: tuple[int, ...]
    release_date: str
    popularity: float
    vote_count: int
    vote_average: float
    adult: bool
    video: bool
    deleted: bool
    version: int


class Catalog:
    """Synthetic TMDB movie catalogue (ids sparse in 2..~1.3M, ascending by index)."""

    def __init__(
        self,
        size: int = DEFAULT_CATALOG_SIZE,
        seed: int = DEFAULT_SEED,
        today: date = DEFAULT_TODAY,
        deleted_fraction: float = DEFAULT_DELETED_FRACTION,
        media: str = "movie",
    ) -> None:
        """``media="tv"`` builds the TV series catalogue instead: its own id space, TV
        genres and a seed derived from ``seed`` (so series and movies never share a draw)."""
        self.media = media
        self.kind = TV if media == "tv" else MOVIE
        self.size = size
        self.seed = seed if media == "movie" else hash_ints(seed, SALT_TV) & 0x7FFFFFFF
        self.today = today
        self.changes = ChangeLog(size, self.seed, today)
        self.cols = generate_columns(
            size, self.seed, self.changes.versions, deleted_fraction, self.kind
        )
        pop = self.cols.popularity
        # Indices are in id order, and a stable reverse sort keeps ties id-ascending.
        order = sorted(range(size), key=pop.__getitem__, reverse=True)
        self.by_popularity = array("i", order)
        flags = self.cols.flags
        self.popular_indices = array("i", (i for i in order if not flags[i] & FLAG_ADULT))
        by_lang: dict[int, array[int]] = {-1: self.by_popularity}
        for lang_index in range(len(LANGUAGES)):
            by_lang[lang_index] = array("i")
        lang = self.cols.lang
        for i in order:
            by_lang[lang[i]].append(i)
        self._by_lang: Mapping[int, Sequence[int]] = by_lang
        self._queries: OrderedDict[DiscoverQuery, list[int]] = OrderedDict()

    # ----------------------------------------------------------------- lookups
    def index_of(self, movie_id: int) -> int | None:
        """Slot of ``movie_id`` (listed ids only, deleted ones included)."""
        ids = self.cols.ids
        pos = bisect.bisect_left(ids, movie_id)
        if pos < len(ids) and ids[pos] == movie_id:
            return pos
        return None

    def available_index(self, movie_id: int) -> int | None:
        """Slot of ``movie_id`` if its detail endpoints answer (exists, not deleted)."""
        idx = self.index_of(movie_id)
        if idx is None or self.cols.flags[idx] & FLAG_DELETED:
            return None
        return idx

    def version(self, movie_id: int) -> int:
        idx = self.index_of(movie_id)
        if idx is None:
            raise KeyError(movie_id)
        return self.changes.version(idx)

    def ids(self) -> Sequence[int]:
        return self.cols.ids

    def titles_at(self, idx: int) -> tuple[str, str]:
        """``(title, original_title)`` of slot ``idx`` (TV: name and original name)."""
        item_id = self.cols.ids[idx]
        famous = FAMOUS_TITLES[self.media].get(item_id)
        if famous is not None:
            return famous, famous
        return titles(self.seed, item_id, self.cols.lang[idx])

    def title_of(self, idx: int) -> str:
        return self.titles_at(idx)[0]

    def movie_at(self, idx: int) -> Movie:
        c = self.cols
        flags = c.flags[idx]
        title, original = self.titles_at(idx)
        return Movie(
            id=c.ids[idx],
            title=title,
            original_title=original,
            original_language=LANGUAGES[c.lang[idx]].code,
            genre_ids=c.combos[c.combo[idx]].genre_ids,
            release_date=self.release_date(idx),
            popularity=c.popularity[idx],
            vote_count=c.vote_count[idx],
            vote_average=c.vote_average[idx],
            adult=bool(flags & FLAG_ADULT),
            video=bool(flags & FLAG_VIDEO),
            deleted=bool(flags & FLAG_DELETED),
            version=self.changes.version(idx),
        )

    def movie(self, movie_id: int) -> Movie | None:
        idx = self.index_of(movie_id)
        return None if idx is None else self.movie_at(idx)

    def release_date(self, idx: int) -> str:
        ordinal = self.cols.date_ord[idx]
        return date.fromordinal(ordinal).isoformat() if ordinal else ""

    # ---------------------------------------------------------------- changes
    def changed_ids(self, start: date, end: date) -> list[int]:
        """Ids (whole catalogue) changed on any simulated day in ``[start, end]``."""
        ids = self.cols.ids
        return [ids[i] for i in self.changes.changed_indices(start, end)]

    def changed_entries(self, start: date, end: date) -> list[tuple[int, bool | None]]:
        """``(id, adult)`` pairs for the changes feed; ``adult`` may be ``None``."""
        ids, flags = self.cols.ids, self.cols.flags
        out: list[tuple[int, bool | None]] = []
        for i in self.changes.changed_indices(start, end):
            adult: bool | None = bool(flags[i] & FLAG_ADULT)
            if flags[i] & FLAG_ADULT_NULL:
                adult = None
            out.append((ids[i], adult))
        return out

    def default_changes_window(self) -> tuple[date, date]:
        """ "The last 24 hours": the simulated days ``today - 1`` and ``today``."""
        return self.today - timedelta(days=1), self.today

    # ---------------------------------------------------------------- queries
    def discover_indices(self, query: DiscoverQuery) -> list[int]:
        cached = self._queries.get(query)
        if cached is not None:
            self._queries.move_to_end(query)
            return cached
        found = run_query(query, self.cols, self._by_lang, self.title_of, self.revenue_of)
        self._queries[query] = found
        if len(self._queries) > QUERY_CACHE_SIZE:
            self._queries.popitem(last=False)
        return found

    def revenue_of(self, idx: int) -> int:
        return money(self.seed, self.cols.ids[idx])[1]

    @cached_property
    def recommendable(self) -> dict[int, array[int]]:
        """Per genre id: non-adult, non-deleted indices in popularity order."""
        pools: dict[int, array[int]] = {g.id: array("i") for g in self.kind.genres}
        combos, combo, flags = self.cols.combos, self.cols.combo, self.cols.flags
        for i in self.by_popularity:
            if flags[i] & (FLAG_ADULT | FLAG_DELETED):
                continue
            for gid in combos[combo[i]].genre_ids:
                pools[gid].append(i)
        return pools
