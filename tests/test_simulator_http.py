"""The simulated TMDB over HTTP: shapes vs real captures, errors, paging, appends, headers."""

from __future__ import annotations

import email.utils
import gzip
import json
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from tests.support.catalog import is_deleted, popular_ids
from tests.test_simulator_support import (
    DEFAULT_PLAN_FILTERS,
    SAMPLES,
    assert_same_shape,
    load_capture,
)
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator
from tmdb_collector.simulator.lists import list_page
from tmdb_collector.simulator.render import movie_part

pytest_plugins = ("tests.test_simulator_support",)  # the sim and client fixtures

OTHER_DAY = date(2026, 3, 15)


@pytest.fixture(scope="module")
def keyed() -> Iterator[RunningSimulator]:
    config = SimulatorConfig(api_key="the-key", catalog_size=3000, today=OTHER_DAY)
    with running_simulator(config) as running:
        yield running


def get(client: httpx.Client, path: str, **params: str | int) -> httpx.Response:
    return client.get(path, params={k: str(v) for k, v in params.items()})


def ok(client: httpx.Client, path: str, **params: str | int) -> Any:
    response = get(client, path, **params)
    assert response.status_code == 200, response.text
    return response.json()


def available_ids(sim: RunningSimulator, count: int) -> list[int]:
    cat = sim.catalog
    return [i for i in popular_ids(cat) if not is_deleted(cat, i)][:count]


def with_recommendations(sim: RunningSimulator, total: int) -> int:
    for movie_id in available_ids(sim, 400):
        recs = movie_part(sim.catalog, "recommendations", movie_id)
        if recs is not None and recs["total_results"] == total:
            return movie_id
    raise AssertionError(f"no movie with {total} recommendations")


# --------------------------------------------------------------- shapes vs captures
def test_details_shape(sim: RunningSimulator, client: httpx.Client) -> None:
    spec = load_capture("spec_examples/movie_11_details.json")
    real = load_capture("movie_550_details.json")
    seen_collection = False
    for movie_id in available_ids(sim, 60):
        body = ok(client, f"/movie/{movie_id}")
        assert_same_shape(body, spec)
        without_origin = {k: v for k, v in body.items() if k != "origin_country"}
        assert_same_shape(without_origin, real)
        assert body["imdb_id"].startswith("tt")
        assert body["status"] == "Released"
        seen_collection |= body["belongs_to_collection"] is not None
    assert seen_collection


def test_credits_keywords_shapes(sim: RunningSimulator, client: httpx.Client) -> None:
    movie_id = available_ids(sim, 1)[0]
    credits = ok(client, f"/movie/{movie_id}/credits")
    assert_same_shape(credits, load_capture("movie_550_credits.json"))
    assert credits["id"] == movie_id
    keywords = ok(client, f"/movie/{movie_id}/keywords")
    assert_same_shape(keywords, load_capture("movie_550_keywords.json"))


def test_recommendations_shape_and_quirk(sim: RunningSimulator, client: httpx.Client) -> None:
    movie_id = with_recommendations(sim, 40)
    page1 = ok(client, f"/movie/{movie_id}/recommendations")
    assert_same_shape(page1, load_capture("movie_550_recommendations_page1.json"))
    assert (len(page1["results"]), page1["total_pages"], page1["total_results"]) == (21, 2, 40)
    page2 = ok(client, f"/movie/{movie_id}/recommendations", page=2)
    ids = [r["id"] for r in page1["results"] + page2["results"]]
    assert len(ids) == len(set(ids)) == 40
    empty = ok(client, f"/movie/{with_recommendations(sim, 0)}/recommendations")
    assert empty == {"page": 1, "results": [], "total_pages": 0, "total_results": 0}


def test_list_shapes(client: httpx.Client) -> None:
    popular = ok(client, "/movie/popular", page=3)
    assert_same_shape(popular, load_capture("movie_popular_page1.json"))
    assert popular["page"] == 3
    assert len(popular["results"]) == 20
    assert popular["total_pages"] > 500  # uncapped, like TMDB
    discover = ok(client, "/discover/movie", with_genres=18)
    assert_same_shape(discover, load_capture("discover_movie_page1.json"))
    assert len(discover["results"]) == 20


def test_genre_lists_equal_captures(client: httpx.Client) -> None:
    assert ok(client, "/genre/movie/list", language="en") == load_capture(
        "genre_movie_list_en.json"
    )
    german = load_capture("spec_examples/genre_movie_list_de.json")
    assert ok(client, "/genre/movie/list", language="de") == german


def test_changes_shape(client: httpx.Client) -> None:
    body = ok(client, "/movie/changes")
    assert_same_shape(body, load_capture("movie_changes_page1.json"))
    assert len(body["results"]) == 100


def test_configuration_and_authentication(client: httpx.Client) -> None:
    config = ok(client, "/configuration")
    assert_same_shape(config, load_capture("spec_examples/configuration.json"))
    auth = ok(client, "/authentication")
    assert auth == {"success": True, "status_code": 1, "status_message": "Success."}


def test_append_to_response_shape(sim: RunningSimulator, client: httpx.Client) -> None:
    capture = load_capture("movie_76_details_append_to_response_all.json")
    names = ["credits", "keywords", "recommendations", "similar", "external_ids", "changes"]
    movie_id = with_recommendations(sim, 40)
    body = ok(client, f"/movie/{movie_id}", append_to_response=",".join([*names, "nonsense"]))
    base = [k for k in body if k not in names]
    assert list(body)[len(base) :] == names  # appended keys follow every base field
    capture_base = [k for k in capture if k in base]
    assert [k for k in base if k != "origin_country"] == capture_base
    for name in names:
        assert_same_shape(body[name], capture[name], f"$.{name}")
        assert "id" not in body[name]


def test_appended_parts_are_byte_identical(sim: RunningSimulator, client: httpx.Client) -> None:
    movie_id = with_recommendations(sim, 40)
    appended = get(
        client, f"/movie/{movie_id}", append_to_response="credits,keywords,recommendations"
    )
    for name in ("credits", "keywords"):
        standalone = get(client, f"/movie/{movie_id}/{name}").content
        prefix = b'{"id":%d,' % movie_id
        assert standalone.startswith(prefix)
        assert b'"%s":{' % name.encode() + standalone[len(prefix) :] in appended.content
    recs = get(client, f"/movie/{movie_id}/recommendations").content
    assert b'"recommendations":' + recs + b"}" == appended.content[-len(recs) - 19 :]
    plain = get(client, f"/movie/{movie_id}").content
    assert appended.content.startswith(plain[:-1] + b',"credits":')


# ------------------------------------------------------------------ errors and paging
def test_error_bodies(sim: RunningSimulator, client: httpx.Client) -> None:
    with httpx.Client(base_url=sim.base_url) as anonymous:
        missing = anonymous.get("/movie/popular")
    assert missing.status_code == 401
    assert missing.content == (SAMPLES / "error_401_invalid_api_key.json").read_bytes().strip()
    not_found = get(client, "/movie/1")
    assert not_found.status_code == 404
    legacy = load_capture("error_404_not_found_legacy.json")
    assert not_found.json() == dict(legacy, success=False)
    over = get(client, "/movie/popular", page=501)
    assert over.status_code == 422
    assert over.json() == load_capture("error_422_page_over_500.json")


@pytest.mark.parametrize("page", ["0", "-1", "abc", "1.5"])
def test_invalid_page_is_400_code_22(client: httpx.Client, page: str) -> None:
    for path in ("/movie/popular", "/discover/movie", "/movie/changes"):
        response = get(client, path, page=page)
        assert response.status_code == 400
        assert response.json()["status_code"] == 22


def test_page_beyond_results_is_empty(client: httpx.Client) -> None:
    narrow = dict(DEFAULT_PLAN_FILTERS, with_genres="37")
    first = ok(client, "/discover/movie", **narrow)
    assert first["total_pages"] < 400
    late = ok(client, "/discover/movie", page=400, **narrow)
    assert late["results"] == []
    assert (late["total_pages"], late["total_results"]) == (
        first["total_pages"],
        first["total_results"],
    )


def test_append_limit(sim: RunningSimulator, client: httpx.Client) -> None:
    movie_id = available_ids(sim, 1)[0]
    twenty = ",".join(["credits"] * 10 + ["keywords"] * 10)
    assert get(client, f"/movie/{movie_id}", append_to_response=twenty).status_code == 200
    response = get(client, f"/movie/{movie_id}", append_to_response=twenty + ",videos")
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "status_code": 27,
        "status_message": "Too many append to response objects: "
        "The maximum number of remote calls is 20.",
    }


def test_not_found_variants(sim: RunningSimulator, client: httpx.Client) -> None:
    deleted = [i for i in popular_ids(sim.catalog)[:5000] if is_deleted(sim.catalog, i)]
    assert deleted
    listed = {
        r["id"]
        for p in range(1, 251)
        for r in list_page(sim.catalog, sim.catalog.popular_indices, p)["results"]
    }
    assert deleted[0] in listed
    paths = [
        f"/movie/{deleted[0]}",
        f"/movie/{deleted[0]}/credits",
        f"/movie/{deleted[0]}/keywords",
        f"/movie/{deleted[0]}/recommendations",
        "/movie/99999999",
        "/movie/abc",
        "/movie/12x",
        "/tv/99999999",
        "/person/99999999",  # no such person (/person/{id} is served)
        "/movie/550/nonsense",
    ]
    for path in paths:
        response = get(client, path)
        assert response.status_code == 404, path
        assert response.json()["status_code"] == 34


# --------------------------------------------------------------------- discover
@pytest.mark.parametrize("genre", [28, 99, 10770, 37])
def test_discover_honours_default_plan_filters(client: httpx.Client, genre: int) -> None:
    previous: tuple[float, int] | None = None
    seen: set[int] = set()
    for page in (1, 2, 3):
        body = ok(client, "/discover/movie", page=page, with_genres=genre, **DEFAULT_PLAN_FILTERS)
        for item in body["results"]:
            assert genre in item["genre_ids"]
            assert item["original_language"] == "en"
            assert item["vote_count"] >= 50
            assert "1970-01-01" <= item["release_date"] <= "2024-12-31"
            assert item["adult"] is False
            assert item["video"] is False
            key = (-item["popularity"], item["id"])
            assert previous is None or previous <= key
            previous = key
            assert item["id"] not in seen
            seen.add(item["id"])
    assert len(seen) > 20, genre  # pages of results were checked, not an empty list


def test_discover_genre_semantics_over_http(client: httpx.Client) -> None:
    both = ok(client, "/discover/movie", with_genres="28,12")
    either = ok(client, "/discover/movie", with_genres="28|12")
    assert all({28, 12} <= set(r["genre_ids"]) for r in both["results"])
    assert all({28, 12} & set(r["genre_ids"]) for r in either["results"])
    assert either["total_results"] > both["total_results"] > 0


# ---------------------------------------------------------------------- changes
def test_changes_paging_and_window(sim: RunningSimulator, client: httpx.Client) -> None:
    first = ok(client, "/movie/changes")
    total = first["total_results"]
    assert first["total_pages"] == -(-total // 100)
    ids = [
        r["id"]
        for p in range(1, first["total_pages"] + 1)
        for r in ok(client, "/movie/changes", page=p)["results"]
    ]
    start, end = sim.catalog.default_changes_window()
    assert ids == sim.catalog.changed_ids(start, end)
    assert len(ids) == total
    window = ok(client, "/movie/changes", start_date="2026-11-10", end_date="2026-11-24")
    assert window["total_results"] == len(sim.catalog.changed_ids(date(2026, 11, 10), end))


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"start_date": "2026-11-01", "end_date": "2026-11-20"}, 422, 20),
        ({"start_date": "2026-11-20", "end_date": "2026-11-10"}, 422, 20),
        ({"start_date": "2026-1-01"}, 400, 23),
        ({"end_date": "yesterday"}, 400, 23),
    ],
)
def test_changes_errors(
    client: httpx.Client, params: dict[str, str], status: int, code: int
) -> None:
    response = get(client, "/movie/changes", **params)
    assert response.status_code == status
    assert response.json()["status_code"] == code
    assert response.json()["success"] is False


# ---------------------------------------------------------------------- headers / auth
def test_headers(client: httpx.Client, keyed: RunningSimulator) -> None:
    response = get(client, "/genre/movie/list")
    assert response.headers["content-type"] == "application/json;charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=28800"
    assert response.headers["server"] == "openresty"
    assert response.headers["etag"].startswith('W/"')
    assert not [h for h in response.headers if h.lower().startswith("x-ratelimit")]
    with httpx.Client(base_url=keyed.base_url) as other:
        dated = other.get("/configuration", params={"api_key": "the-key"})
    stamp = email.utils.parsedate_to_datetime(dated.headers["date"])
    assert stamp.date() == OTHER_DAY
    assert dated.headers["date"].startswith("Sun, 15 Mar 2026 ")


def test_auth_with_configured_key(keyed: RunningSimulator) -> None:
    with httpx.Client(base_url=keyed.base_url) as http:
        assert http.get("/configuration", params={"api_key": "the-key"}).status_code == 200
        bearer = {"Authorization": "Bearer the-key"}
        assert http.get("/configuration", headers=bearer).status_code == 200
        for params, headers in [
            ({"api_key": "wrong"}, {}),
            ({}, {"Authorization": "Bearer wrong"}),
            ({}, {}),
            ({"api_key": ""}, {}),
        ]:
            response = http.get("/movie/popular", params=params, headers=headers)
            assert response.status_code == 401
            assert response.json()["status_code"] == 7


# ---------------------------------------------------------------------- exports / stats
def test_daily_export(sim: RunningSimulator) -> None:
    with httpx.Client(base_url=sim.root_url, timeout=60.0) as http:
        response = http.get("/p/exports/movie_ids_11_24_2026.json.gz")
        adult = http.get("/p/exports/adult_movie_ids_11_24_2026.json.gz")
        assert http.get("/p/exports/movie_ids_11_23_2026.json.gz").status_code == 404
    assert response.status_code == 200
    lines = gzip.decompress(response.content).decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert all(list(r) == ["adult", "id", "original_title", "popularity", "video"] for r in records)
    assert lines[0] == json.dumps(records[0], separators=(",", ":"), ensure_ascii=False)
    ids = [r["id"] for r in records]
    assert ids != sorted(ids)
    cat = sim.catalog
    expected = {i for i in cat.ids() if not is_deleted(cat, i) and not cat.movie(i).adult}  # type: ignore[union-attr]
    assert set(ids) == expected
    assert len(ids) == len(expected)
    assert any(r["video"] for r in records)
    assert all(isinstance(r["popularity"], float) for r in records)
    adult_ids = [json.loads(x)["id"] for x in gzip.decompress(adult.content).splitlines()]
    assert adult_ids
    assert all(cat.movie(i).adult for i in adult_ids)  # type: ignore[union-attr]


def test_health_and_stats(sim: RunningSimulator, client: httpx.Client) -> None:
    before = sim.stats.status(404)
    get(client, "/movie/1")
    with httpx.Client(base_url=sim.root_url) as http:
        assert http.get("/__sim/health").json() == {"ok": True}
        stats = http.get("/__sim/stats").json()
    assert stats["by_status"]["404"] == before + 1 == sim.stats.status(404)
    assert stats["requests"] >= stats["by_status"]["200"]


def test_movie_changes_sub_resource(sim: RunningSimulator, client: httpx.Client) -> None:
    start, end = sim.catalog.default_changes_window()
    changed = [i for i in sim.catalog.changed_ids(start, end) if not is_deleted(sim.catalog, i)]
    body = ok(client, f"/movie/{changed[0]}/changes")
    assert list(body) == ["changes"]
    assert body["changes"]
    for change in body["changes"]:
        assert list(change) == ["key", "items"]
        assert change["key"] in ("images", "tagline")
        for item in change["items"]:
            assert list(item)[:6] == ["id", "action", "time", "iso_639_1", "iso_3166_1", "value"]
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC", item["time"])
    appended = ok(client, f"/movie/{changed[0]}", append_to_response="changes")
    assert appended["changes"] == body
    quiet = ok(
        client, f"/movie/{changed[0]}/changes", start_date="2025-01-01", end_date="2025-01-10"
    )
    assert quiet == {"changes": []}
