"""The discover filters answered from each title's own bodies (see
:class:`.discover.ItemFilter`): runtime, keywords, companies, origin country, and for series
networks, status, type, screened episodes and episode air dates. They are applied to what the
catalogue's column filters found, in its order; a result is cached per catalogue and query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from tmdb_collector.simulator import bodies, tv
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.discover import (
    TV_STATUS_CODES,
    TV_TYPE_CODES,
    DiscoverQuery,
    ItemFilter,
)
from tmdb_collector.simulator.lists import series_country
from tmdb_collector.simulator.tv_seasons import WEEK, layout, networks

Test = Callable[[int], bool]


@lru_cache(maxsize=64)
def discover_indices(cat: Catalog, query: DiscoverQuery) -> list[int]:
    """Slots matching every filter of ``query``, in its order."""
    found = cat.discover_indices(query)
    if not query.items:
        return found
    tests = _tests(cat, query.items)
    return [i for i in found if all(test(i) for test in tests)]


def _ids(items: Iterable[dict[str, object]]) -> set[str]:
    return {str(item["id"]) for item in items}


def _any_group(groups: tuple[frozenset[str], ...], values: Callable[[int], set[str]]) -> Test:
    return lambda i: any(group <= values(i) for group in groups)


def _tests(cat: Catalog, f: ItemFilter) -> list[Test]:
    series = cat.media == "tv"
    tests: list[Test] = []

    def keywords(i: int) -> set[str]:
        if series:
            return _ids(tv.keywords(cat, i)["results"])
        return _ids(bodies.keywords(cat, i)["keywords"])

    def companies(i: int) -> set[str]:
        return _ids((tv.companies if series else bodies.companies)(cat, i))

    def countries(i: int) -> set[str]:
        return {series_country(cat, i)} if series else set(bodies.origin_country(cat, i)[:1])

    def runtimes(i: int) -> list[int]:
        return tv.episode_run_time(cat, i) if series else [bodies.runtime(cat, i)]

    if f.runtime_gte is not None or f.runtime_lte is not None:
        lo = f.runtime_gte if f.runtime_gte is not None else 0
        hi = f.runtime_lte if f.runtime_lte is not None else 1 << 30
        tests.append(lambda i: any(lo <= r <= hi for r in runtimes(i)))
    for groups, values in ((f.keywords, keywords), (f.companies, companies),
                           (f.origin_country, countries)):  # fmt: skip
        if groups is not None:
            tests.append(_any_group(groups, values))
    if f.without_keywords:
        tests.append(lambda i: not f.without_keywords & keywords(i))
    if f.without_companies:
        tests.append(lambda i: not f.without_companies & companies(i))
    if series:
        tests += _series_tests(cat, f)
    return tests


def _series_tests(cat: Catalog, f: ItemFilter) -> list[Test]:
    tests: list[Test] = []
    if f.networks is not None:
        tests.append(_any_group(f.networks, lambda i: _ids(networks(cat, i))))
    if f.status is not None:
        tests.append(_any_group(f.status, lambda i: {TV_STATUS_CODES[tv.status(cat, i)]}))
    if f.types is not None:
        tests.append(_any_group(f.types, lambda i: {TV_TYPE_CODES[tv.series_type(cat, i)]}))
    if f.screened_theatrically:
        tests.append(lambda i: bool(tv.screened_theatrically(cat, i)["results"]))
    if f.air_date_gte is not None or f.air_date_lte is not None:
        lo = f.air_date_gte if f.air_date_gte is not None else 0
        hi = f.air_date_lte if f.air_date_lte is not None else 1 << 30

        def aired_within(i: int) -> bool:
            for s in layout(cat, i):
                if not s.air_ord:
                    continue
                weeks = max(0, -(-(lo - s.air_ord) // WEEK))  # the first episode from lo
                if weeks < s.episodes and s.air_ord + WEEK * weeks <= hi:
                    return True
            return False

        tests.append(aired_within)
    return tests
