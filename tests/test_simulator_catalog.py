"""Catalogue-level tests of the simulated TMDB (no HTTP)."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from tests.support.catalog import GENRE_IDS, discover_ids, is_deleted, popular_ids
from tests.test_simulator_support import (
    DEFAULT_PLAN_FILTERS,
    default_catalog,
    default_plan_ids,
)
from tmdb_collector.simulator import Catalog
from tmdb_collector.simulator.catalog import DEFAULT_CATALOG_SIZE, DEFAULT_TODAY
from tmdb_collector.simulator.changes import CHANGES_EPOCH
from tmdb_collector.simulator.famous import FAMOUS
from tmdb_collector.simulator.lists import list_page
from tmdb_collector.simulator.render import movie_details, movie_part

SMALL = 4000


@pytest.fixture(scope="module")
def small() -> Catalog:
    return Catalog(SMALL, seed=7)


def _available(catalog: Catalog, limit: int) -> list[int]:
    return [i for i in popular_ids(catalog) if not is_deleted(catalog, i)][:limit]


def test_default_plan_union_is_about_6000() -> None:
    union = default_plan_ids(default_catalog())
    assert 5500 <= len(union) <= 6500, len(union)


def test_ids_sparse_unique_and_in_range(small: Catalog) -> None:
    ids = list(small.ids())
    assert len(ids) == len(set(ids)) == SMALL
    assert min(ids) >= 2
    assert max(ids) <= 1_300_000
    assert max(ids) > 20 * SMALL  # sparse, like TMDB


def test_attribute_mix_is_plausible() -> None:
    catalog = default_catalog()
    movies = [catalog.movie(i) for i in catalog.ids()[::10]]
    assert all(m is not None for m in movies)
    langs = [m.original_language for m in movies if m]
    en_share = langs.count("en") / len(langs)
    assert 0.4 < en_share < 0.6
    assert len(set(langs)) >= 10
    assert all(
        1 <= len(m.genre_ids) <= 3 and set(m.genre_ids) <= set(GENRE_IDS) for m in movies if m
    )
    low_votes = sum(1 for m in movies if m and m.vote_count < 50) / len(movies)
    assert low_votes > 0.7
    adult = sum(1 for m in movies if m and m.adult) / len(movies)
    video = sum(1 for m in movies if m and m.video) / len(movies)
    assert 0.002 < adult < 0.03
    assert 0.002 < video < 0.03
    years = [int(m.release_date[:4]) for m in movies if m and m.release_date]
    assert min(years) >= 1925
    assert max(years) <= 2026
    assert sum(1 for y in years if y >= 2000) > len(years) / 2  # weighted to recent


def test_a_150k_catalogue_builds_with_unique_ids() -> None:
    catalog = Catalog(150_000, seed=3)  # how fast: `make bench` times whole runs, not tests
    ids = list(catalog.ids())
    assert catalog.size == len(ids) == len(set(ids)) == 150_000
    assert max(ids) <= 1_300_000


def test_popular_ordering(small: Catalog) -> None:
    ids = popular_ids(small)
    movies = [small.movie(i) for i in ids]
    keys = [(-m.popularity, m.id) for m in movies if m]
    assert keys == sorted(keys)
    assert not any(m.adult for m in movies if m)
    assert len({m.original_language for m in movies[:200] if m}) > 3


@pytest.mark.parametrize("genre", GENRE_IDS)
def test_discover_default_plan_filters(genre: int) -> None:
    catalog = default_catalog()
    ids = discover_ids(catalog, dict(DEFAULT_PLAN_FILTERS, with_genres=str(genre)))
    assert ids, "every genre has matches"
    movies = [catalog.movie(i) for i in ids]
    for m in movies:
        assert m is not None
        assert genre in m.genre_ids
        assert m.original_language == "en"
        assert m.vote_count >= 50
        assert "1970-01-01" <= m.release_date <= "2024-12-31"
        assert not m.adult
        assert not m.video
    keys = [(-m.popularity, m.id) for m in movies if m]
    assert keys == sorted(keys)


def test_discover_genre_and_or_semantics(small: Catalog) -> None:
    both = set(discover_ids(small, {"with_genres": "28,12"}))
    either = set(discover_ids(small, {"with_genres": "28|12"}))
    action = set(discover_ids(small, {"with_genres": "28"}))
    adventure = set(discover_ids(small, {"with_genres": "12"}))
    assert both == action & adventure
    assert either == action | adventure
    assert both
    assert len(either) > len(action)
    without = set(discover_ids(small, {"with_genres": "28", "without_genres": "12"}))
    assert without == action - adventure


def test_discover_sorting_and_other_filters(small: Catalog) -> None:
    ids = discover_ids(
        small, {"sort_by": "primary_release_date.asc", "primary_release_year": "1999"}
    )
    movies = [small.movie(i) for i in ids]
    assert movies
    assert all(m and m.release_date.startswith("1999-") for m in movies)
    keys = [(m.release_date, m.id) for m in movies if m]
    assert keys == sorted(keys)
    desc = [small.movie(i) for i in discover_ids(small, {"sort_by": "vote_average.desc"})]
    values = [m.vote_average for m in desc if m]
    assert values == sorted(values, reverse=True)
    lo = discover_ids(small, {"vote_average.gte": "7", "vote_count.lte": "10"})
    assert all((m := small.movie(i)) and m.vote_average >= 7 and m.vote_count <= 10 for i in lo)
    with_adult = discover_ids(small, {"include_adult": "true", "include_video": "true"})
    assert len(with_adult) == SMALL


def test_recommendations_point_at_existing_movies() -> None:
    catalog = default_catalog()
    sizes: list[int] = []
    for movie_id in _available(catalog, 250):
        pages = [movie_part(catalog, "recommendations", movie_id, page) for page in (1, 2)]
        first = pages[0]
        assert first is not None
        sizes.append(first["total_results"])
        for page in pages:
            assert page is not None
            for item in page["results"]:
                assert item["id"] != movie_id
                assert item["media_type"] == "movie"
                assert not is_deleted(catalog, item["id"])
                assert catalog.movie(item["id"]) is not None
                assert not item["adult"]
        if first["total_results"] == 40:
            assert len(first["results"]) == 21
            assert first["total_pages"] == 2
        if first["total_results"] == 0:
            assert first == {"page": 1, "results": [], "total_pages": 0, "total_results": 0}
    assert 40 in sizes
    assert 0 in sizes


def test_every_crew_has_a_director_and_sizes_are_moderate() -> None:
    catalog = default_catalog()
    for movie_id in _available(catalog, 300):
        credits = movie_part(catalog, "credits", movie_id)
        assert credits is not None
        jobs = [(c["department"], c["job"]) for c in credits["crew"]]
        assert ("Directing", "Director") in jobs
        assert 5 <= len(credits["cast"]) <= 40
        assert 5 <= len(credits["crew"]) <= 60
        assert all(re.fullmatch(r"[0-9a-f]{24}", c["credit_id"]) for c in credits["cast"])
        keywords = movie_part(catalog, "keywords", movie_id)
        assert keywords is not None
        assert 0 <= len(keywords["keywords"]) <= 20


def test_numbers_integral_floats_are_ints() -> None:
    catalog = default_catalog()
    pages = [list_page(catalog, catalog.popular_indices, page) for page in range(1, 40)]
    text = json.dumps(pages)
    assert not re.search(r'"(vote_average|popularity)": -?\d+\.0[,}]', text)
    assert re.search(r'"vote_average": \d+[,}]', text), "some integral vote_average exists"
    decimals = [len(m.group(1)) for m in re.finditer(r'"popularity": \d+\.(\d+)', text)]
    assert max(decimals) <= 4


def test_determinism_and_seed_sensitivity(small: Catalog) -> None:
    again = Catalog(SMALL, seed=7)
    other = Catalog(SMALL, seed=8)
    sample = _available(small, 60)
    for movie_id in sample:
        assert movie_details(small, movie_id) == movie_details(again, movie_id)
        for kind in ("credits", "keywords", "recommendations"):
            assert movie_part(small, kind, movie_id) == movie_part(again, kind, movie_id)
    assert popular_ids(small) == popular_ids(again)
    assert list(small.ids()) != list(other.ids())
    famous = {f.id for f in FAMOUS["movie"]}  # in every catalogue, shaped like their samples
    shared = [i for i in small.ids() if other.movie(i) is not None and i not in famous]
    assert shared, "a few ids coincide between the two seeds"
    assert all(small.movie(i) != other.movie(i) for i in shared)


def test_deleted_ids_listed_but_unavailable() -> None:
    catalog = default_catalog()
    listed = popular_ids(catalog)[:5000]
    deleted = [i for i in listed if is_deleted(catalog, i)]
    assert deleted, "some deleted ids are still listed"
    share = sum(1 for i in catalog.ids() if is_deleted(catalog, i)) / catalog.size
    assert 0.001 < share < 0.004
    for movie_id in deleted:
        assert movie_details(catalog, movie_id) is None
        assert movie_part(catalog, "credits", movie_id) is None
        assert movie_part(catalog, "keywords", movie_id) is None
        assert movie_part(catalog, "recommendations", movie_id) is None


def test_changed_ids_match_body_differences() -> None:
    d1, d2 = date(2026, 11, 10), DEFAULT_TODAY
    before = Catalog(SMALL, seed=11, today=d1)
    after = Catalog(SMALL, seed=11, today=d2)
    changed = set(after.changed_ids(d1 + timedelta(days=1), d2))
    assert changed
    assert before.changed_ids(CHANGES_EPOCH, d1) == after.changed_ids(CHANGES_EPOCH, d1)
    differs = {
        movie_id
        for movie_id in after.ids()
        if not is_deleted(after, movie_id)
        and movie_details(before, movie_id) != movie_details(after, movie_id)
    }
    available_changed = {i for i in changed if not is_deleted(after, i)}
    assert differs == available_changed
    for movie_id in list(changed)[:50]:
        assert after.version(movie_id) > before.version(movie_id)


def test_changes_history_is_a_daily_fraction(small: Catalog) -> None:
    day = small.changed_ids(DEFAULT_TODAY, DEFAULT_TODAY)
    assert 0.002 * SMALL <= len(day) <= 0.01 * SMALL
    assert len(day) == len(set(day))
    assert small.changed_ids(date(2025, 1, 1), date(2025, 12, 31)) == []
    future = DEFAULT_TODAY + timedelta(days=3)
    assert small.changed_ids(DEFAULT_TODAY, future) == day


def test_default_catalog_size_constant() -> None:
    assert default_catalog().size == DEFAULT_CATALOG_SIZE
