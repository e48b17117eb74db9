"""The TV catalogue served beside movies: shapes vs the spec's TV examples, seasons and
episodes, aggregate credits, appends with season/N, discover/tv, changes, the export."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.catalog import is_deleted, popular_ids
from tests.test_simulator_support import TOKEN, assert_same_shape, spec_example
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator
from tmdb_collector.simulator.vocab_parts import TV_RATINGS

TV_PARTS = (
    "aggregate_credits", "alternative_titles", "content_ratings", "credits", "episode_groups",
    "external_ids", "images", "keywords", "recommendations", "reviews", "screened_theatrically",
    "similar", "translations", "videos", "watch/providers",
)  # fmt: skip
TV_PLAN = {
    "sort_by": "popularity.desc",
    "vote_count.gte": "50",
    "first_air_date.gte": "1970-01-01",
    "first_air_date.lte": "2024-12-31",
    "with_original_language": "en",
}


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(catalog_size=3000, tv_catalog_size=8000)
    with running_simulator(config) as running:
        yield running


@pytest.fixture(scope="module")
def client(sim: RunningSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=120.0) as http:
        yield http


def ok(client: httpx.Client, path: str, **params: str) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, (path, response.text)
    return response.json()


def series(sim: RunningSimulator, count: int) -> list[int]:
    cat = sim.tv_catalog
    return [i for i in popular_ids(cat) if not is_deleted(cat, i)][:count]


def test_genre_list_is_tmdbs_sixteen(client: httpx.Client) -> None:
    german = ok(client, "/genre/tv/list", language="de")
    assert german == spec_example("/3/genre/tv/list")
    english = ok(client, "/genre/tv/list")["genres"]
    assert len(english) == 16
    assert [g["id"] for g in english] == [g["id"] for g in german["genres"]]
    assert {"Action & Adventure", "Sci-Fi & Fantasy", "Comedy", "War & Politics"} <= {
        g["name"] for g in english
    }


def test_list_shapes(client: httpx.Client) -> None:
    popular = ok(client, "/tv/popular", page="2")
    assert_same_shape(popular, spec_example("/3/tv/popular"))
    assert (popular["page"], len(popular["results"])) == (2, 20)
    discover = ok(client, "/discover/tv", with_genres="18")
    assert_same_shape(discover, spec_example("/3/discover/tv"))
    assert all(18 in item["genre_ids"] for item in discover["results"])


def test_details_and_parts_match_the_spec(sim: RunningSimulator, client: httpx.Client) -> None:
    spec = spec_example("/3/tv/{series_id}")
    seen: dict[str, int] = {}
    for series_id in series(sim, 25):
        body = ok(client, f"/tv/{series_id}")
        assert_same_shape(body, spec)
        for name in TV_PARTS:
            part = ok(client, f"/tv/{series_id}/{name}")
            example = spec_example(f"/3/tv/{{series_id}}/{name}")
            assert list(part) == list(example), name  # incl. where "id" sits
            if name == "watch/providers":
                continue
            assert_same_shape(part, example, f"$.{name}")
            lists = [v for v in part.values() if isinstance(v, list)]
            seen[name] = seen.get(name, 0) + (sum(map(len, lists)) if lists else 1)
    empty = [name for name in TV_PARTS if name != "watch/providers" and not seen.get(name)]
    assert empty in ([], ["screened_theatrically"]), empty


def test_seasons_and_episodes(sim: RunningSimulator, client: httpx.Client) -> None:
    spec = spec_example("/3/tv/{series_id}/season/{season_number}")
    multi = 0
    for series_id in series(sim, 15):
        body = ok(client, f"/tv/{series_id}")
        regular = [s for s in body["seasons"] if s["season_number"] > 0]
        assert body["number_of_seasons"] == len(regular)
        assert body["number_of_episodes"] == sum(s["episode_count"] for s in regular)
        multi += len(regular) > 1
        for summary in body["seasons"]:
            season = ok(client, f"/tv/{series_id}/season/{summary['season_number']}")
            assert_same_shape(season, spec)
            assert season["id"] == summary["id"]
            assert len(season["episodes"]) == summary["episode_count"]
            assert [e["episode_number"] for e in season["episodes"]] == list(
                range(1, summary["episode_count"] + 1)
            )
            assert {e["show_id"] for e in season["episodes"]} == {series_id}
        last = body["last_episode_to_air"]
        assert (last["season_number"], last["episode_number"]) == (
            regular[-1]["season_number"],
            regular[-1]["episode_count"],
        )
        missing = client.get(f"/tv/{series_id}/season/{len(regular) + 1}")
        assert missing.status_code == 404
    assert multi > 0


def test_aggregate_credits_count_episodes(sim: RunningSimulator, client: httpx.Client) -> None:
    for series_id in series(sim, 10):
        total = ok(client, f"/tv/{series_id}")["number_of_episodes"]
        credits = ok(client, f"/tv/{series_id}/aggregate_credits")
        assert credits["cast"]
        assert credits["crew"]
        for person in credits["cast"]:
            assert person["total_episode_count"] == sum(r["episode_count"] for r in person["roles"])
            assert 1 <= person["total_episode_count"] <= total
        for person in credits["crew"]:
            assert person["total_episode_count"] == sum(j["episode_count"] for j in person["jobs"])


def test_appends_match_standalone(sim: RunningSimulator, client: httpx.Client) -> None:
    for series_id in series(sim, 3):
        names = [*TV_PARTS, "season/1"]
        body = ok(client, f"/tv/{series_id}", append_to_response=",".join(names))
        assert list(body)[-len(names) :] == names
        for name in names:
            standalone = ok(client, f"/tv/{series_id}/{name}")
            if name.startswith("season/"):
                assert body[name] == standalone  # a season keeps its own id
                continue
            assert "id" not in body[name], name
            assert body[name] == {k: v for k, v in standalone.items() if k != "id"}, name
        absent = ok(client, f"/tv/{series_id}", append_to_response="season/99")
        assert "season/99" not in absent
    too_many = ",".join(f"season/{n}" for n in range(1, 22))
    response = client.get(f"/tv/{series(sim, 1)[0]}", params={"append_to_response": too_many})
    assert response.status_code == 400
    assert response.json()["status_code"] == 27


def test_keywords_results_and_ratings(sim: RunningSimulator, client: httpx.Client) -> None:
    ratings = 0
    for series_id in series(sim, 20):
        keywords = ok(client, f"/tv/{series_id}/keywords")
        assert list(keywords) == ["id", "results"]
        assert all(list(k) == ["name", "id"] for k in keywords["results"])
        for rating in ok(client, f"/tv/{series_id}/content_ratings")["results"]:
            assert rating["rating"] in TV_RATINGS[rating["iso_3166_1"]]
            ratings += 1
        link = next(iter(ok(client, f"/tv/{series_id}/watch/providers")["results"].values()), None)
        if link is not None:
            assert link["link"].startswith(f"https://www.themoviedb.org/tv/{series_id}-")
    assert ratings > 0


def test_separate_id_spaces(sim: RunningSimulator, client: httpx.Client) -> None:
    tv_ids = set(sim.tv_catalog.ids())
    movie_ids = set(sim.catalog.ids())
    assert max(tv_ids) <= 320_000
    only_movie = next(i for i in popular_ids(sim.catalog) if i not in tv_ids)
    assert client.get(f"/tv/{only_movie}").status_code == 404
    only_tv = next(i for i in series(sim, 500) if i not in movie_ids)
    assert client.get(f"/movie/{only_tv}").status_code == 404
    both = sorted(tv_ids & movie_ids)
    assert both, "a few ids exist in both spaces, as on TMDB"
    shared = both[0]
    if not is_deleted(sim.tv_catalog, shared) and not is_deleted(sim.catalog, shared):
        assert ok(client, f"/tv/{shared}")["name"] != ok(client, f"/movie/{shared}")["title"]


def test_discover_tv_filters_and_cap(client: httpx.Client) -> None:
    previous = None
    for page in ("1", "2"):
        body = ok(client, "/discover/tv", page=page, with_genres="18", **TV_PLAN)
        for item in body["results"]:
            assert 18 in item["genre_ids"]
            assert item["original_language"] == "en"
            assert item["vote_count"] >= 50
            assert "1970-01-01" <= item["first_air_date"] <= "2024-12-31"
            key = (-item["popularity"], item["id"])
            assert previous is None or previous <= key
            previous = key
    by_name = ok(client, "/discover/tv", sort_by="name.asc")["results"]
    assert [r["name"] for r in by_name] == sorted(r["name"] for r in by_name)
    over = client.get("/discover/tv", params={"page": "501"})
    assert over.status_code == 422
    assert over.json() == {"errors": ["page must be less than or equal to 500"]}


def test_tv_changes_and_export(sim: RunningSimulator, client: httpx.Client) -> None:
    body = ok(client, "/tv/changes")
    assert list(body) == ["results", "page", "total_pages", "total_results"]
    start, end = sim.tv_catalog.default_changes_window()
    assert [r["id"] for r in body["results"]] == sim.tv_catalog.changed_ids(start, end)[:100]
    with httpx.Client(base_url=sim.root_url, timeout=120.0) as http:
        response = http.get("/p/exports/tv_series_ids_11_24_2026.json.gz")
    assert response.status_code == 200
    records = [json.loads(line) for line in gzip.decompress(response.content).splitlines()]
    assert all(list(r) == ["id", "original_name", "popularity"] for r in records)
    assert {r["id"] for r in records} <= set(sim.tv_catalog.ids())
    assert len(records) > 0.9 * sim.tv_catalog.size


def test_simulate_media_tv_sizes_the_series_catalogue() -> None:
    from tmdb_collector.simulator.process import simulator_process

    with (
        simulator_process(["--media", "tv", "--catalog-size", "700"]) as child,
        httpx.Client(base_url=child.base_url, headers=TOKEN, timeout=120.0) as http,
    ):
        tv_total = http.get("/tv/popular").json()["total_results"]
        movie_total = http.get("/movie/popular").json()["total_results"]
    assert 650 <= tv_total <= 700  # adult series are not listed
    assert movie_total > 100_000  # the movie catalogue keeps its default size
