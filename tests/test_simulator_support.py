"""Shared helpers for the simulator tests (no tests of its own).

Captures come from the reference kit checked out beside the repository.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.catalog import GENRE_IDS, discover_ids, popular_ids
from tmdb_collector.simulator import Catalog, RunningSimulator, SimulatorConfig, running_simulator

REFERENCE = Path(__file__).resolve().parents[1].parent / "shared" / "tmdb-reference"
SAMPLES = REFERENCE / "samples"
SPEC = SAMPLES / "spec_examples"

# Fields that TMDB documents as "string or null" / "object or null".
NULLABLE: dict[str, type] = {
    "backdrop_path": str,
    "poster_path": str,
    "profile_path": str,
    "logo_path": str,
    "belongs_to_collection": dict,
    "wikidata_id": str,
    "facebook_id": str,
    "instagram_id": str,
    "twitter_id": str,
    "adult": bool,  # /movie/changes reports adult: null for some ids
    "iso_639_1": str,  # images: null = no language
    "avatar_path": str,
    "rating": float,  # a review's author rating
    "imdb_id": str,
    "freebase_mid": str,
    "freebase_id": str,
    "tvdb_id": int,
    "tvrage_id": int,
    "air_date": str,  # a season or episode without a known date
    "still_path": str,
    "next_episode_to_air": dict,
    "tiktok_id": str,  # people: their external ids, dates, place of birth and homepage
    "youtube_id": str,
    "birthday": str,
    "deathday": str,
    "place_of_birth": str,
    "homepage": str,
    "parent_company": dict,
}

# TMDB "number" fields: a float, emitted as an int when integral (captures show both).
NUMBER_FIELDS = frozenset({"popularity", "vote_average"})

DEFAULT_PLAN_FILTERS: dict[str, str] = {
    "sort_by": "popularity.desc",
    "vote_count.gte": "50",
    "primary_release_date.gte": "1970-01-01",
    "primary_release_date.lte": "2024-12-31",
    "with_original_language": "en",
    "language": "en-US",
}


def load_capture(name: str) -> Any:
    """A capture from ``samples/`` (``spec_examples/…`` paths allowed)."""
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The default catalogue, built once per test session."""
    return Catalog()


TOKEN = {"Authorization": "Bearer any-token"}


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    """The default catalogue over HTTP, once per module (modules list this file in
    ``pytest_plugins`` to use it)."""
    with running_simulator(SimulatorConfig(), catalog=default_catalog()) as running:
        yield running


@pytest.fixture(scope="module")
def client(sim: RunningSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=60.0) as http:
        yield http


def json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "dict"
    raise TypeError(type(value))


def _compatible(actual: object, expected: object, key: str) -> bool:
    got, want = json_kind(actual), json_kind(expected)
    if got == want:
        return True
    if want == "float" and got == "int":
        return True  # an integral float is emitted without a decimal point
    if {got, want} == {"int", "float"} and key in NUMBER_FIELDS:
        return True  # the capture's own value happened to be integral
    nullable = NULLABLE.get(key)
    if nullable is not None and "null" in (got, want):
        other = actual if got != "null" else expected
        return other is None or isinstance(other, nullable)
    return False


def assert_same_shape(actual: object, expected: object, path: str = "$") -> None:
    """Same keys in the same order and compatible JSON types, recursively.

    List items are compared with the capture's first item; ``*_path`` strings must be
    relative (start with ``/``).
    """
    key = path.rsplit(".", 1)[-1].split("[")[0]
    assert _compatible(actual, expected, key), (
        f"{path}: {json_kind(actual)} vs capture {json_kind(expected)}"
    )
    if key.endswith("_path") and isinstance(actual, str):
        assert actual.startswith("/"), f"{path}: {actual!r} is not a relative path"
    if isinstance(actual, dict) and isinstance(expected, dict):
        assert list(actual) == list(expected), f"{path}: keys {list(actual)} != {list(expected)}"
        for name in actual:
            assert_same_shape(actual[name], expected[name], f"{path}.{name}")
    elif isinstance(actual, list) and isinstance(expected, list) and expected:
        for i, item in enumerate(actual):
            assert_same_shape(item, expected[0], f"{path}[{i}]")


def default_plan_ids(catalog: Catalog) -> set[int]:
    """Union of the collector's default plan, computed from the query helpers."""
    popular = popular_ids(catalog)[: 250 * 20]
    ids: set[int] = set()
    for movie_id in popular:
        movie = catalog.movie(movie_id)
        assert movie is not None
        if movie.original_language == "en":
            ids.add(movie_id)
    for genre in GENRE_IDS:
        params = dict(DEFAULT_PLAN_FILTERS, with_genres=str(genre))
        ids.update(discover_ids(catalog, params)[: 25 * 20])
    return ids


@lru_cache(maxsize=1)
def _openapi() -> Any:
    return json.loads((REFERENCE / "openapi-v3.json").read_text(encoding="utf-8"))


def spec_example(path: str) -> Any:
    """The 200 example of ``GET path`` in TMDB's OpenAPI spec (e.g. ``/3/tv/{series_id}``)."""
    content = _openapi()["paths"][path]["get"]["responses"]["200"]["content"]
    media = content["application/json"]
    value = media.get("example")
    if value is None:
        value = next(iter(media["examples"].values()))["value"]
    return json.loads(value) if isinstance(value, str) else value
