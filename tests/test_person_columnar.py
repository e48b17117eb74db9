"""The person tables' columnar fast paths (``people`` from the details, ``person_credits`` and
its movie and TV siblings from the credits parts) build exactly the rows of the row-by-row
builders of media/person.py, and give way to them for any batch they cannot reproduce."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import httpx
import pyarrow as pa
import pytest

from tests.test_columnar import raw
from tests.test_simulator_outage import TOKEN
from tmdb_collector.export import columnar
from tmdb_collector.export.tables import _row_by_row, batch_tables
from tmdb_collector.media import MEDIA_TYPES, MOVIE
from tmdb_collector.simulator import SimulatorConfig, running_simulator
from tmdb_collector.store.store import RawItemRow

PERSON = MEDIA_TYPES["person"]
PARTS = ("combined_credits", "movie_credits", "tv_credits")
FAST = columnar.fast_paths(PERSON.tables)


def simulated_people() -> list[RawItemRow]:
    """The people credited in the simulator's first page of popular movies (a mixed
    catalogue: their credits hold movies and series), stored as the linked stage stores them."""
    query = {"append_to_response": ",".join(PARTS), "language": "en-US"}
    config = SimulatorConfig(catalog_size=200, tv_catalog_size=200)
    with (
        running_simulator(config) as sim,
        httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=60) as http,
    ):
        movies = [item["id"] for item in http.get(MOVIE.popular_path).json()["results"][:4]]
        people: set[int] = set()
        for movie in movies:
            credits = http.get(f"/movie/{movie}/credits").json()
            people |= {entry["id"] for kind in ("cast", "crew") for entry in credits[kind]}
        batch = []
        for person in sorted(people)[:60]:
            body = http.get(PERSON.path_of(person), params=query).json()
            split = PERSON.split(person, body, PARTS)
            batch.append((person, raw(split["details"]), tuple(raw(split[p]) for p in PARTS)))
        return batch


@pytest.fixture(scope="module")
def people() -> list[RawItemRow]:
    return simulated_people()


def texts_of(batch: list[RawItemRow], part: str) -> list[bytes]:
    return [item[1] if part == "details" else item[2][PARTS.index(part)] for item in batch]


def both(batch: list[RawItemRow], part: str) -> tuple[dict[str, Any], dict[str, Any]]:
    ids = pa.array([item[0] for item in batch], pa.int64())
    texts = texts_of(batch, part)
    return FAST[part](ids, texts), _row_by_row(part, batch, texts, PERSON.tables)


def assert_same(built: dict[str, Any], expected: dict[str, Any]) -> None:
    assert list(built) == list(expected)
    for name, table in built.items():
        assert table.schema == expected[name].schema, name
        assert table.to_pylist() == expected[name].to_pylist(), name


@pytest.mark.parametrize("part", ["details", *PARTS])
def test_the_person_fast_paths_equal_the_row_builders(people: list[RawItemRow], part: str) -> None:
    built, expected = both(people, part)
    assert_same(built, expected)
    assert all(table.num_rows >= len(people) for table in built.values())


def edited(batch: list[RawItemRow], part: str, change: Any) -> list[RawItemRow]:
    """The batch with ``change`` applied to its first person's body of ``part``."""
    index = None if part == "details" else PARTS.index(part)
    item_id, details, bodies = batch[0]
    body = json.loads(details if index is None else bodies[index])
    change(body)
    if index is None:
        return [(item_id, raw(body), bodies), *batch[1:]]
    changed = (*bodies[:index], raw(body), *bodies[index + 1 :])
    return [(item_id, details, changed), *batch[1:]]


def first(body: dict[str, Any], kind: str = "cast") -> dict[str, Any]:
    entry: dict[str, Any] = body[kind][0]
    return entry


# Bodies the fast paths build as the row builders do.
REGULAR = [
    ("combined_credits", lambda b: first(b).pop("title", None)),  # a series' name read instead
    ("combined_credits", lambda b: first(b).update(title="T", name="N", first_air_date="")),
    ("combined_credits", lambda b: first(b, "crew").update(original_name="O", person_id=3)),
    ("combined_credits", lambda b: first(b).update(release_date="", media_type=None)),
    ("combined_credits", lambda b: b["cast"].append(None)),  # a null entry: an empty row
    ("combined_credits", lambda b: b.update(crew=None)),
    ("combined_credits", lambda b: b.update(cast=None)),  # crew only: placed after no cast
    ("combined_credits", lambda b: b.update(cast=b["crew"][:2], crew=b["cast"][:1])),
    ("combined_credits", lambda b: b.update(cast=[], crew=[])),
    ("movie_credits", lambda b: first(b).update(vote_average=7, character='Ünïcode "q"')),
    ("details", lambda b: b.update(also_known_as=[], birthday="", deathday=None)),
    ("details", lambda b: b.update(popularity=3, homepage=None, id=1)),
]


@pytest.mark.parametrize(("part", "change"), REGULAR)
def test_regular_edge_cases_take_the_fast_path(
    people: list[RawItemRow], part: str, change: Any
) -> None:
    assert_same(*both(edited(people, part, change), part))


# Bodies only the row builders reproduce: each makes the fast path give way.
ODD = [
    ("combined_credits", lambda b: first(b).update(title=None, name="Other")),
    ("combined_credits", lambda b: first(b).update(original_title=None)),
    ("combined_credits", lambda b: first(b).update(release_date=None)),
    ("combined_credits", lambda b: first(b).update(order=1.0)),
    ("combined_credits", lambda b: first(b).update(release_date="2001-1-1")),
    ("combined_credits", lambda b: b["cast"].append(7)),
    ("movie_credits", lambda b: first(b).update(media_type=None)),
    ("tv_credits", lambda b: first(b).update(media_type="movie")),
    ("details", lambda b: b.update(also_known_as=["a", None, 3])),
    ("details", lambda b: b.update(gender=True)),
    ("details", lambda b: b.update(adult=1)),
]


@pytest.mark.parametrize(("part", "change"), ODD)
def test_an_odd_body_is_built_row_by_row(people: list[RawItemRow], part: str, change: Any) -> None:
    batch = edited(people, part, change)
    ids = pa.array([item[0] for item in batch], pa.int64())
    with pytest.raises((columnar.Irregular, pa.ArrowInvalid, pa.ArrowTypeError)):
        FAST[part](ids, texts_of(batch, part))
    tables = batch_tables(batch, PARTS, PERSON.tables)
    for name, table in _row_by_row(part, batch, texts_of(batch, part), PERSON.tables).items():
        assert tables[name].to_pylist() == table.to_pylist()


@pytest.mark.parametrize("seed", range(6))
def test_random_credit_bodies_agree(people: list[RawItemRow], seed: int) -> None:
    """Credits shuffled, dropped and given odd values at random: the batch's tables (fast
    path or not) are the row builders'."""
    rng = random.Random(seed)
    batch = copy.copy(people)
    for index in rng.sample(range(len(batch)), 8):
        body = json.loads(batch[index][2][0])
        for entry in rng.sample(body["cast"] + body["crew"], min(3, len(body["cast"]))):
            key = rng.choice(sorted(entry))
            entry[key] = rng.choice([None, "", 0, 2.5, "x", [], entry[key]])
        rng.shuffle(body["cast"])
        batch[index] = (batch[index][0], batch[index][1], (raw(body), *batch[index][2][1:]))
    tables = batch_tables(batch, PARTS, PERSON.tables)
    expected = _row_by_row(
        "combined_credits", batch, texts_of(batch, "combined_credits"), PERSON.tables
    )
    assert tables["person_credits"].to_pylist() == expected["person_credits"].to_pylist()


def test_the_person_tables_have_fast_paths() -> None:
    assert {"details", *PARTS} <= set(FAST)
