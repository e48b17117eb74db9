"""The linked entities the simulator serves: shapes against the OpenAPI spec (examples and
schemas), consistency both ways with the titles, appends, 404s and the daily exports."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.catalog import is_deleted, popular_ids
from tests.test_simulator_support import TOKEN, _openapi, assert_same_shape, spec_example
from tmdb_collector.simulator import (
    Catalog,
    RunningSimulator,
    SimulatorConfig,
    bodies,
    running_simulator,
    tv,
)
from tmdb_collector.simulator.graph import Graph
from tmdb_collector.simulator.text import person_id as pool_person_id

PARTS = {
    "person": ("combined_credits", "movie_credits", "tv_credits", "external_ids", "images",
               "translations", "tagged_images"),
    "collection": ("images", "translations"),
    "company": ("alternative_names", "images"),
    "network": ("alternative_names", "images"),
}  # fmt: skip
SPEC_ID = {"person": "person_id", "collection": "collection_id", "company": "company_id",
           "network": "network_id"}  # fmt: skip
SCHEMA_TYPES = {"integer": int, "number": (int, float), "string": str, "boolean": bool,
                "array": list, "object": dict}  # fmt: skip


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(SimulatorConfig(catalog_size=1500, tv_catalog_size=400)) as running:
        yield running


@pytest.fixture(scope="module")
def client(sim: RunningSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=120.0) as http:
        yield http


def live(catalog: Catalog) -> list[int]:
    return [i for i in popular_ids(catalog) if not is_deleted(catalog, i)]


def ok(client: httpx.Client, path: str, **params: str) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, (path, response.text)
    return response.json()


def schema_problems(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Every key of ``value`` declared by the spec's schema, with a value of its type (null
    allowed: the spec does not mark what may be null)."""
    if value is None:
        return []
    kind = schema.get("type")
    if (kind and not isinstance(value, SCHEMA_TYPES[kind])) or (
        isinstance(value, bool)
        and kind
        in (
            "integer",
            "number",
        )
    ):
        return [f"{path}: {type(value).__name__} is not {kind}"]
    found: list[str] = []
    if isinstance(value, dict) and "properties" in schema:
        for key, item in value.items():
            if key not in schema["properties"]:
                found.append(f"{path}.{key}: not in the spec")
            else:
                found += schema_problems(item, schema["properties"][key], f"{path}.{key}")
    if isinstance(value, list) and "items" in schema:
        for n, item in enumerate(value):
            found += schema_problems(item, schema["items"], f"{path}[{n}]")
    return found


def _movies_only(body: dict[str, Any]) -> dict[str, Any]:
    """A credits body without its series' entries (the spec's combined_credits schema has the
    movie fields only)."""
    if "cast" not in body or "media_type" not in (body["cast"] or body["crew"] or [{}])[0]:
        return body
    return {
        **body,
        **{
            kind: [e for e in body[kind] if e["media_type"] == "movie"] for kind in ("cast", "crew")
        },
    }


def spec_schema(path: str) -> dict[str, Any]:
    found: dict[str, Any] = _openapi()["paths"][path]["get"]["responses"]["200"]["content"]
    return found["application/json"]["schema"]  # type: ignore[no-any-return]


def some_ids(sim: RunningSimulator, client: httpx.Client) -> dict[str, list[int]]:
    """Ids the popular titles name: credited people, collections, companies, networks."""
    found: dict[str, list[int]] = {name: [] for name in PARTS}
    for movie_id in live(sim.catalog)[:60]:
        details = ok(client, f"/movie/{movie_id}", append_to_response="credits")
        found["person"] += [p["id"] for p in details["credits"]["cast"][:2]]
        if details["belongs_to_collection"]:
            found["collection"].append(details["belongs_to_collection"]["id"])
        found["company"] += [c["id"] for c in details["production_companies"]]
    for series_id in live(sim.tv_catalog)[:10]:
        found["network"] += [n["id"] for n in ok(client, f"/tv/{series_id}")["networks"]]
    assert all(found.values()), found
    return {name: sorted(set(ids))[:8] for name, ids in found.items()}


def test_bodies_match_the_spec(sim: RunningSimulator, client: httpx.Client) -> None:
    """Details and every part, standalone: the spec example's keys in its order and types
    (TV credits in combined_credits: tv_credits' with media_type), and its schema's."""
    for entity, ids in some_ids(sim, client).items():
        base = f"/3/{entity}/{{{SPEC_ID[entity]}}}"
        for item_id in ids:
            body = ok(client, f"/{entity}/{item_id}")
            assert body["id"] == item_id
            assert_same_shape(body, spec_example(base))
            assert schema_problems(body, spec_schema(base)) == []
            for part in PARTS[entity]:
                standalone = ok(client, f"/{entity}/{item_id}/{part}")
                assert standalone["id"] == item_id
                assert (
                    schema_problems(_movies_only(standalone), spec_schema(f"{base}/{part}")) == []
                )
                if part != "combined_credits":
                    assert_same_shape(standalone, spec_example(f"{base}/{part}"))
                    continue
                movie = {**standalone, "cast": [], "crew": []}
                assert_same_shape(movie, spec_example(f"{base}/{part}"))
                tv = spec_example(f"{base}/tv_credits")
                for kind in ("cast", "crew"):
                    for entry in standalone[kind]:
                        want = spec_example(f"{base}/{part}")[kind][0]
                        if entry["media_type"] == "tv":
                            want = {**tv[kind][0], "media_type": "tv"}
                            schema = spec_schema(f"{base}/tv_credits")["properties"][kind]["items"]
                            del entry["media_type"]
                            assert schema_problems(entry, schema) == []
                            entry["media_type"] = "tv"
                        assert_same_shape(entry, want)


def test_appended_parts_are_the_standalone_bodies_without_id(
    sim: RunningSimulator, client: httpx.Client
) -> None:
    for entity, ids in some_ids(sim, client).items():
        item_id = ids[0]
        body = ok(client, f"/{entity}/{item_id}", append_to_response=",".join(PARTS[entity]))
        for part in PARTS[entity]:
            standalone = ok(client, f"/{entity}/{item_id}/{part}")
            assert body[part] == {k: v for k, v in standalone.items() if k != "id"}, part
    too_many = client.get("/person/1", params={"append_to_response": ",".join(["images"] * 21)})
    assert too_many.status_code == 400
    assert too_many.json()["status_code"] == 27


def test_a_persons_credits_are_the_titles_that_credit_them(
    sim: RunningSimulator, client: httpx.Client
) -> None:
    """Both ways: every credit a title lists is in the person's combined credits with the
    same character, job and credit_id, and every entry there is in that title's credits."""
    movies = live(sim.catalog)[:40]
    listed: dict[int, set[tuple[str, int, str, str]]] = {}
    for movie_id in movies:
        credits = ok(client, f"/movie/{movie_id}/credits")
        for entry in credits["cast"]:
            key = ("movie", movie_id, entry["credit_id"], entry["character"])
            listed.setdefault(entry["id"], set()).add(key)
        for entry in credits["crew"]:
            key = ("movie", movie_id, entry["credit_id"], entry["job"])
            listed.setdefault(entry["id"], set()).add(key)
    for person_id in sorted(listed)[:25]:
        combined = ok(client, f"/person/{person_id}/combined_credits")
        entries = {
            (e["media_type"], e["id"], e["credit_id"], e.get("character", e.get("job")))
            for kind in ("cast", "crew")
            for e in combined[kind]
        }
        assert listed[person_id] <= entries
        for media, title_id, _credit_id, _ in entries:
            path = (
                f"/movie/{title_id}/credits"
                if media == "movie"
                else f"/tv/{title_id}/aggregate_credits"
            )
            credits = ok(client, path)
            people = {e["id"] for kind in ("cast", "crew") for e in credits[kind]}
            assert person_id in people


def test_a_collections_parts_are_the_movies_that_name_it(
    sim: RunningSimulator, client: httpx.Client
) -> None:
    for collection_id in some_ids(sim, client)["collection"]:
        parts = ok(client, f"/collection/{collection_id}")["parts"]
        assert parts
        for part in parts:
            named = ok(client, f"/movie/{part['id']}")["belongs_to_collection"]
            assert named["id"] == collection_id
    catalog = sim.catalog
    naming = sum(
        1
        for movie_id in live(catalog)[:300]
        if ok(client, f"/movie/{movie_id}")["belongs_to_collection"] is not None
    )
    assert 10 <= naming <= 60  # about one in ten


def test_tmdbs_other_person_endpoints_are_not_simulated(client: httpx.Client) -> None:
    """/person/{id}/changes and /person/popular are TMDB's but not served: 501, not 404."""
    for path in ("/person/1/changes", "/person/popular"):
        assert client.get(path).status_code == 501, path


def test_unknown_ids_get_tmdbs_404(client: httpx.Client) -> None:
    for path in ("/person/99999999", "/collection/1", "/company/999999", "/network/999999",
                 "/person/99999999/images", "/network/49/nonsense"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {
            "success": False,
            "status_code": 34,
            "status_message": "The resource you requested could not be found.",
        }


@pytest.mark.parametrize(
    ("kind", "keys", "entity"),
    [
        ("person", ["adult", "id", "name", "popularity"], "person"),
        ("collection", ["id", "name"], "collection"),
        ("production_company", ["id", "name"], "company"),
        ("tv_network", ["id", "name"], "network"),
    ],
)
def test_daily_exports(
    sim: RunningSimulator, client: httpx.Client, kind: str, keys: list[str], entity: str
) -> None:
    """Each line as TMDB's (API-FACTS §10), every id resolving to a body of that name."""
    url = f"{sim.base_url[:-2]}/p/exports/{kind}_ids_11_24_2026.json.gz"
    response = httpx.get(url, timeout=120)
    assert response.status_code == 200
    lines = [json.loads(line) for line in gzip.decompress(response.content).splitlines()]
    assert lines
    assert all(list(line) == keys for line in lines)
    for line in lines[:: max(1, len(lines) // 5)]:
        assert ok(client, f"/{entity}/{line['id']}")["name"] == line["name"]


def test_no_person_is_credited_in_a_large_share_of_titles() -> None:
    """Credit skew like TMDB's: famous people are credited more, but the most credited person
    of a 6,000-movie, 2,000-series catalogue is in under 2% of its titles (before the credits
    drew from a Lomax-like head, one person was in about a third of them), and each of a
    person's entries is the very entry the title's credits list."""
    movies = Catalog(6000, seed=7)
    series = Catalog(2000, seed=7, media="tv")
    graph = Graph(lambda: movies, lambda: series)
    counts = {p: len(graph.titles_of(pool_person_id(p))) for p in range(graph.people)}
    assert max(counts.values()) < 0.02 * (movies.size + series.size)
    assert sum(1 for n in counts.values() if n > 1) > 1000  # people are shared by titles
    for index in [*sorted(counts, key=counts.__getitem__)[-3:], 2500, 4000]:
        pid = pool_person_id(index)
        for credit in graph.credits_of(pid):
            body = (
                bodies.credits(movies, credit.slot)
                if credit.catalog is movies
                else tv.aggregate_credits(series, credit.slot)
            )
            assert credit.entry in body[credit.kind]
