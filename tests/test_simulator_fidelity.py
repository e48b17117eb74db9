"""The simulator as outside TMDB clients meet it (issue #27, items 9-15): ``language`` on
details and lists, nothing dated after the simulated today, discover filters honoured or
refused, season appends and TV changes, the documented sample ids, a distinct answer for
routes it does not serve, and unique TV credit ids."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from tests.conftest import load_sample
from tests.support.catalog import is_deleted, popular_ids
from tests.test_simulator_support import REFERENCE, TOKEN, assert_same_shape, spec_example
from tmdb_collector.api import Collection, collect
from tmdb_collector.media import TV
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.discover import NOT_SIMULATED
from tmdb_collector.simulator.endpoints import TMDB_ENDPOINTS
from tmdb_collector.simulator.handlers import served_endpoints
from tmdb_collector.simulator.render import MEDIA
from tmdb_collector.simulator.vocab import GENRES, TV_GENRES


@pytest.fixture(scope="module")
def sim() -> Iterator[RunningSimulator]:
    with running_simulator(SimulatorConfig(catalog_size=3000, tv_catalog_size=3000)) as running:
        yield running


@pytest.fixture(scope="module")
def client(sim: RunningSimulator) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=120.0) as http:
        yield http


def live(catalog: Any, count: int) -> list[int]:
    """The ``count`` most popular ids that answer (not deleted)."""
    return [i for i in popular_ids(catalog) if not is_deleted(catalog, i)][:count]


def ok(client: httpx.Client, path: str, **params: str) -> Any:
    response = client.get(path, params=params)
    assert response.status_code == 200, (path, response.text)
    return response.json()


# ------------------------------------------------------------------ 15: TV credit ids
def test_tv_credit_ids_are_unique_per_credit(sim: RunningSimulator, client: httpx.Client) -> None:
    for series_id in live(sim.tv_catalog, 300):
        body = ok(client, f"/tv/{series_id}", append_to_response="credits,aggregate_credits")
        for key in ("cast", "crew"):
            ids = [c["credit_id"] for c in body["credits"][key]]
            assert len(ids) == len(set(ids)), (series_id, key)
        roles = [r["credit_id"] for c in body["aggregate_credits"]["cast"] for r in c["roles"]]
        jobs = [j["credit_id"] for c in body["aggregate_credits"]["crew"] for j in c["jobs"]]
        assert len(roles) == len(set(roles)), series_id
        assert len(jobs) == len(set(jobs)), series_id


def test_a_tv_collection_with_every_part_exports_to_duckdb(
    sim: RunningSimulator, tmp_path: Path
) -> None:
    db = tmp_path / "tv.db"
    plan = {"media": "tv", "popular_pages": 5, "genre_pages": 1, "genres": "18",
            "parts": ",".join(TV.part_names)}  # fmt: skip
    result = collect(db, plan=plan, base_url=sim.base_url, api_key="any-key")
    assert result.outcome.status == "complete"
    with Collection.open(db) as collection:
        count = collection.export(tmp_path / "tv.duckdb", "duckdb")
    assert count == result.outcome.movies > 30
    with duckdb.connect(str(tmp_path / "tv.duckdb"), read_only=True) as con:
        tables = {
            row[0] for row in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()
        }
        assert "series_cast" in tables or any("cast" in t for t in tables), tables


# ------------------------------------------------------------------- 9: language
GERMAN_GENRES = {g.id: g.name_de for g in (*GENRES, *TV_GENRES)}
TITLE = {"movie": "title", "tv": "name"}


def german(client: httpx.Client, media: str, item_id: int) -> dict[str, Any]:
    """The title's German translation data: its de-DE one, else its first German one
    ({} when it has none)."""
    found = ok(client, f"/{media}/{item_id}/translations")["translations"]
    german = [t for t in found if t["iso_639_1"] == "de"]
    german.sort(key=lambda t: t["iso_3166_1"] != "DE")
    return german[0]["data"] if german else {}


@pytest.mark.parametrize("media", ["movie", "tv"])
def test_details_follow_language(sim: RunningSimulator, client: httpx.Client, media: str) -> None:
    catalog = sim.catalog if media == "movie" else sim.tv_catalog
    title, translated = TITLE[media], 0
    for item_id in live(catalog, 80):
        english = ok(client, f"/{media}/{item_id}")
        assert ok(client, f"/{media}/{item_id}", language="en-US") == english
        body = ok(client, f"/{media}/{item_id}", language="de-DE")
        data = german(client, media, item_id)
        for field, source in ((title, title), ("overview", "overview"), ("tagline", "tagline")):
            assert body[field] == (data.get(source) or english[field]), (item_id, field)
        assert [g["name"] for g in body["genres"]] == [
            GERMAN_GENRES[g["id"]] for g in english["genres"]
        ]
        localised = (title, "overview", "tagline", "genres")
        assert {k: v for k, v in body.items() if k not in localised} == {
            k: v for k, v in english.items() if k not in localised
        }
        translated += body[title] != english[title]
    assert translated > 5  # the sample has German titles to show


@pytest.mark.parametrize("media", ["movie", "tv"])
def test_lists_follow_language(client: httpx.Client, media: str) -> None:
    title, translated = TITLE[media], 0
    for path in (f"/{media}/popular", f"/discover/{media}"):
        english = ok(client, path)["results"]
        localised = ok(client, path, language="de-DE")["results"]
        assert [x["id"] for x in localised] == [x["id"] for x in english]
        for before, after in zip(english, localised, strict=True):
            data = german(client, media, before["id"])
            assert after[title] == (data.get(title) or before[title]), (path, before["id"])
            translated += after[title] != before[title]
    assert translated > 0
    first = ok(client, f"/{media}/popular")["results"][0]["id"]
    related = ok(client, f"/{media}/{first}/recommendations", language="de")["results"]
    assert any(item[title] == german(client, media, item["id"]).get(title) for item in related)


# --------------------------------------------------- 10: nothing dated after today
DATED = re.compile(r"^\d{4}-\d{2}-\d{2}")
MOVIE_PARTS = tuple(sorted(MEDIA["movie"].parts))
TV_PARTS = tuple(sorted(MEDIA["tv"].parts))


def dates_in(body: Any, where: str = "$") -> Iterator[tuple[str, str]]:
    """Every date-like string of a body (``YYYY-MM-DD…``), with where it is."""
    if isinstance(body, dict):
        for key, value in body.items():
            yield from dates_in(value, f"{where}.{key}")
    elif isinstance(body, list):
        for n, value in enumerate(body):
            yield from dates_in(value, f"{where}[{n}]")
    elif isinstance(body, str) and DATED.match(body):
        yield where, body[:10]


def sample(catalog: Any, count: int) -> list[int]:
    """The most popular ids and an even spread over the rest (long tail included)."""
    ids = [i for i in catalog.ids() if not is_deleted(catalog, i)]
    step = max(1, len(ids) // count)
    return live(catalog, count) + ids[::step][:count]


def every_body(client: httpx.Client, sim: RunningSimulator) -> Iterator[tuple[str, Any]]:
    """A sample of ids through every served route, part and season (and the lists)."""
    for media, catalog, names in (("movie", sim.catalog, MOVIE_PARTS),
                                  ("tv", sim.tv_catalog, TV_PARTS)):  # fmt: skip
        for path in (f"/{media}/popular", f"/discover/{media}", f"/{media}/changes"):
            yield path, ok(client, path)
        for item_id in sample(catalog, 15):
            details = ok(client, f"/{media}/{item_id}", append_to_response=",".join(names))
            yield f"/{media}/{item_id}", details
            for name in names:
                yield f"/{media}/{item_id}/{name}", ok(client, f"/{media}/{item_id}/{name}")
            for season in details.get("seasons", []):
                path = f"/tv/{item_id}/season/{season['season_number']}"
                yield path, ok(client, path, append_to_response=",".join(SEASON_PARTS))


@pytest.mark.parametrize("today", [None, "2027-02-10"])
def test_nothing_is_dated_after_the_simulated_today(today: str | None) -> None:
    config = SimulatorConfig(catalog_size=3000, tv_catalog_size=3000)
    if today is not None:
        config = replace(config, today=date.fromisoformat(today))
    with (
        running_simulator(config) as sim,
        httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=120.0) as client,
    ):
        limit = sim.catalog.today.isoformat()
        late = [
            (path, where, day)
            for path, body in every_body(client, sim)
            for where, day in dates_in(body)
            if day > limit
        ]
    assert not late, late[:20]


def test_the_last_episode_to_air_has_aired(sim: RunningSimulator, client: httpx.Client) -> None:
    today = sim.tv_catalog.today.isoformat()
    for series_id in live(sim.tv_catalog, 300):
        body = ok(client, f"/tv/{series_id}")
        last = body["last_episode_to_air"]
        assert last is None or last["air_date"] is None or last["air_date"] <= today


# ------------------------------------------------------- 12: season appends, TV changes
SEASON_PARTS = ("aggregate_credits", "credits", "external_ids", "images", "translations",
                "videos", "watch/providers")  # fmt: skip
SEASON = "/3/tv/{series_id}/season/{season_number}"


def test_a_season_serves_its_parts_standalone_and_appended(
    sim: RunningSimulator, client: httpx.Client
) -> None:
    spec = {name: spec_example(f"{SEASON}/{name}") for name in SEASON_PARTS}
    for series_id in live(sim.tv_catalog, 5):
        plain = ok(client, f"/tv/{series_id}/season/1")
        appended = ok(client, f"/tv/{series_id}/season/1",
                      append_to_response=",".join(SEASON_PARTS))  # fmt: skip
        assert list(appended)[: len(plain)] == list(plain)
        assert list(appended)[len(plain) :] == list(SEASON_PARTS)
        for name in SEASON_PARTS:
            alone = ok(client, f"/tv/{series_id}/season/1/{name}")
            assert list(alone) == list(spec[name]), name  # the spec's keys, id where it has it
            assert alone["id"] == plain["id"]
            assert appended[name] == {k: v for k, v in alone.items() if k != "id"}, name
        assert_same_shape(ok(client, f"/tv/{series_id}/season/1/credits"), spec["credits"])
    too_many = client.get(
        f"/tv/{series_id}/season/1", params={"append_to_response": "credits," * 21}
    )
    assert too_many.status_code == 400
    assert client.get(f"/tv/{series_id}/season/99/credits").status_code == 404


def test_tv_changes_are_served_standalone_and_appended(
    sim: RunningSimulator, client: httpx.Client
) -> None:
    cat = sim.tv_catalog
    start = cat.today - timedelta(days=13)
    changed = [i for i in cat.changed_ids(start, cat.today) if not is_deleted(cat, i)][:5]
    assert changed
    for series_id in changed:
        alone = ok(
            client, f"/tv/{series_id}/changes", start_date=str(start), end_date=str(cat.today)
        )
        assert alone["changes"], series_id
        appended = ok(client, f"/tv/{series_id}", append_to_response="changes")
        assert appended["changes"] == ok(client, f"/tv/{series_id}/changes")


# ------------------------------------------------------- 13: the ids of TMDB's examples
EXAMPLES = {
    "/movie/550": "movie_550_details.json",
    "/movie/11": "spec_examples/movie_11_details.json",
}
SAME = ("id", "original_language", "popularity", "vote_average")  # vote_count grows


@pytest.mark.parametrize("size", [5, 3000, 120_000])
def test_the_documented_ids_are_in_every_catalogue(size: int) -> None:
    movies, series = Catalog(size), Catalog(size, media="tv")
    assert all(movies.available_index(i) is not None for i in (11, 550))
    assert series.available_index(1399) is not None
    assert list(movies.ids()) == sorted(movies.ids())


def test_copied_examples_answer_like_their_samples(client: httpx.Client) -> None:
    for path, name in EXAMPLES.items():
        body, sample = ok(client, path), load_sample(name)
        assert_same_shape(body, load_sample(EXAMPLES["/movie/11"]))  # the current shape
        for field in (*SAME, "title", "original_title", "release_date", "genres"):
            assert body[field] == sample[field], (path, field)
        ok(client, f"{path}/credits")
    series, sample = ok(client, "/tv/1399"), spec_example("/3/tv/{series_id}")
    for field in (*SAME, "name", "original_name", "first_air_date", "genres"):
        assert series[field] == sample[field], field
    ok(client, "/tv/1399/season/1", append_to_response="credits")
    assert 1399 in [x["id"] for x in ok(client, "/tv/popular")["results"]]  # the most popular


# ------------------------------------------------------------- 11: discover filters
def results(
    client: httpx.Client, media: str, pages: int = 2, **params: str
) -> tuple[int, list[int]]:
    """``total_results`` and the ids of the first ``pages`` pages of a discover query."""
    ids: list[int] = []
    total = 0
    for page in range(1, pages + 1):
        body = ok(client, f"/discover/{media}", page=str(page), **params)
        total = body["total_results"]
        ids += [item["id"] for item in body["results"]]
    return total, ids


def check_filter(
    client: httpx.Client, media: str, params: dict[str, str], holds: Any, expect: int | None = None
) -> None:
    """The filter narrows the unfiltered total, every result meets it, and ``expect`` (a
    title known to meet it) is found."""
    everything, _ = results(client, media, 1)
    total, ids = results(client, media, 3, **params)
    assert 0 < total < everything, params
    for item_id in ids:
        if client.get(f"/{media}/{item_id}").status_code == 200:  # (deleted ids are listed)
            assert holds(item_id), (params, item_id)
    if expect is not None:
        found = results(client, media, -(-total // 20), **params)[1] if total <= 400 else ids
        assert expect in found or total > 400, params


def test_discover_honours_the_filters_the_catalogue_answers(
    sim: RunningSimulator, client: httpx.Client
) -> None:
    def movie(i: int) -> Any:
        return ok(client, f"/movie/{i}")

    def keywords(i: int) -> list[int]:
        return [k["id"] for k in ok(client, f"/movie/{i}/keywords")["keywords"]]

    def companies(i: int) -> list[int]:
        return [c["id"] for c in movie(i)["production_companies"]]

    check_filter(client, "movie", {"with_runtime.gte": "160"}, lambda i: movie(i)["runtime"] >= 160)
    check_filter(client, "movie", {"with_runtime.lte": "80", "with_genres": "99"},
                 lambda i: movie(i)["runtime"] <= 80)  # fmt: skip
    probe = live(sim.catalog, 1)[0]
    keyword = keywords(probe)[0]
    check_filter(client, "movie", {"with_keywords": str(keyword)},
                 lambda i: keyword in keywords(i), probe)  # fmt: skip
    check_filter(client, "movie", {"without_keywords": str(keyword)},
                 lambda i: keyword not in keywords(i))  # fmt: skip
    with_company = next(i for i in live(sim.catalog, 50) if companies(i))
    company = companies(with_company)[0]
    check_filter(client, "movie", {"with_companies": str(company)},
                 lambda i: company in companies(i), with_company)  # fmt: skip
    check_filter(client, "movie", {"with_origin_country": "FR"},
                 lambda i: movie(i)["origin_country"] == ["FR"])  # fmt: skip


def test_discover_tv_honours_the_filters_the_catalogue_answers(
    sim: RunningSimulator, client: httpx.Client
) -> None:
    details = lambda i: ok(client, f"/tv/{i}")  # noqa: E731
    probe = details(live(sim.tv_catalog, 1)[0])
    network = probe["networks"][0]["id"]
    networks = lambda i: [n["id"] for n in details(i)["networks"]]  # noqa: E731
    check_filter(client, "tv", {"with_networks": str(network)},
                 lambda i: network in networks(i), probe["id"])  # fmt: skip
    check_filter(client, "tv", {"with_status": "3"}, lambda i: details(i)["status"] == "Ended")
    check_filter(client, "tv", {"with_type": "0|3"},
                 lambda i: details(i)["type"] in ("Documentary", "Reality"))  # fmt: skip
    check_filter(client, "tv", {"with_runtime.gte": "45"},
                 lambda i: max(details(i)["episode_run_time"]) >= 45)  # fmt: skip
    check_filter(client, "tv", {"with_origin_country": "GB"},
                 lambda i: details(i)["origin_country"] == ["GB"])  # fmt: skip
    screened = lambda i: ok(client, f"/tv/{i}/screened_theatrically")["results"]  # noqa: E731
    check_filter(client, "tv", {"screened_theatrically": "true"}, lambda i: bool(screened(i)))

    def aired_in_2020(i: int) -> bool:
        body = details(i)
        for season in body["seasons"]:
            episodes = ok(client, f"/tv/{i}/season/{season['season_number']}")["episodes"]
            if any("2020-01-01" <= (e["air_date"] or "") <= "2020-12-31" for e in episodes):
                return True
        return False

    check_filter(client, "tv", {"air_date.gte": "2020-01-01", "air_date.lte": "2020-12-31"},
                 aired_in_2020)  # fmt: skip
    dated = {"first_air_date.gte": "1990-01-01"}
    with_null = results(client, "tv", 1, include_null_first_air_dates="true", **dated)[0]
    assert with_null > results(client, "tv", 1, **dated)[0]


def test_discover_filters_not_modelled_answer_501(client: httpx.Client) -> None:
    for media, names in NOT_SIMULATED.items():
        for name in sorted(names):
            response = client.get(f"/discover/{media}", params={name: "1", "with_genres": "18"})
            assert response.status_code == 501, (media, name)
            assert response.json()["parameters"] == [name]
    response = client.get("/discover/movie", params={"with_cast": "1", "region": "US"})
    assert response.json()["parameters"] == ["region", "with_cast"]
    assert client.get("/discover/movie", params={"with_cast": ""}).status_code == 200
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    for name in set().union(*NOT_SIMULATED.values()):
        assert f"`{name}`" in readme, name


# ------------------------------------------------------------- 14: what is not simulated
UNSERVED = {
    "/movie/now_playing": "GET /3/movie/now_playing",
    "/movie/latest": "GET /3/movie/latest",
    "/search/movie": "GET /3/search/movie",
    "/trending/movie/day": "GET /3/trending/movie/{time_window}",
    "/tv/1/season/1/episode/1": f"GET {SEASON}/episode/{{episode_number}}",
    "/movie/550/account_states": "GET /3/movie/{movie_id}/account_states",
    "/watch/providers/regions": "GET /3/watch/providers/regions",
}


def test_an_endpoint_not_simulated_answers_501_naming_it(client: httpx.Client) -> None:
    for path, endpoint in UNSERVED.items():
        response = client.get(path)
        assert response.status_code == 501, path
        assert response.json()["endpoint"] == endpoint, path
        assert response.json()["success"] is False
    for path in ("/movie/99999999", "/movie/abc", "/movie/550/nonsense", "/nonsense"):
        response = client.get(path)  # no such id, or no such TMDB endpoint: TMDB's 404
        assert response.status_code == 404, path
        assert response.json()["status_code"] == 34


def test_the_served_endpoints_are_tmdbs_and_the_readme_lists_them() -> None:
    spec = json.loads((REFERENCE / "openapi-v3.json").read_text("utf-8"))["paths"]
    assert set(TMDB_ENDPOINTS) == {f"{m.upper()} {p}" for p, ms in spec.items() for m in ms}
    served = served_endpoints()
    assert {f"GET {p}" for p in served} <= set(TMDB_ENDPOINTS)
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    block = readme.split("<!-- served endpoints -->", 1)[1].split("```", 2)[1]
    assert set(re.findall(r"^GET (/3/\S+)$", block, re.M)) == served
