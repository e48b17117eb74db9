"""--image-languages / --video-languages: the language filters of appended images and videos,
sent on the one details request only when those parts are chosen."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli_helpers import collect_args, run_cli, simulator
from tests.conftest import FakeClock, load_sample
from tests.httpx_wire import mock_wire
from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.collector import Collector
from tmdb_collector.errors import ConfigError, PlanMismatchError
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.ratelimit import AdaptiveRateLimiter
from tmdb_collector.fetch.retry import RetryPolicy
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.plan import EVERY_LANGUAGE, Plan
from tmdb_collector.store.store import Store

CAPTURE = "movie_76_details_append_to_response_all.json"


@pytest.mark.parametrize(
    ("value", "clean"),
    [
        ("en,null", "en,null"),
        (" FR , null,fr", "fr,null"),
        (["de", "null"], "de,null"),
        ("all", "all"),
        ("null", "null"),
    ],
)
def test_language_lists_are_normalised(value: object, clean: str) -> None:
    assert Plan.from_dict({"image_languages": value}).image_languages == clean


@pytest.mark.parametrize("value", ["", "english", "en,all", "en-US", 5, "en,,"])
def test_bad_language_lists_are_refused(value: object) -> None:
    with pytest.raises(ConfigError, match="video_languages"):
        Plan.from_dict({"video_languages": value})


def test_the_filters_go_only_with_their_part() -> None:
    assert Plan().details_params() == {"language": "en-US"}
    both = Plan(parts=("images", "videos"))
    assert both.details_params() == {
        "language": "en-US",
        "include_image_language": "en,null",
        "include_video_language": "en,null",
    }
    every = Plan(parts=("images", "videos"), image_languages="all").details_params()
    assert every["include_video_language"] == "en,null"
    named = every["include_image_language"].split(",")
    assert len(named) == len(set(named)) > 180  # TMDB has no wildcard: every code, and null
    assert {"en", "fr", "ja", "zh", "null"} <= set(named)
    assert Plan(parts=("videos",), video_languages="ja").details_params() == {
        "language": "en-US",
        "include_video_language": "ja",
    }


class OneMovie:
    """One popular movie; /movie/{id} answers the real capture with every part appended."""

    def __init__(self) -> None:
        self.details_params: list[dict[str, str]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/3")
        if path == "/genre/movie/list":
            return httpx.Response(200, json=load_sample("genre_movie_list_en.json"))
        if path == "/movie/popular":
            results = [{"id": 76, "original_language": "en"}]
            return httpx.Response(
                200, json={"page": 1, "results": results, "total_pages": 1, "total_results": 1}
            )
        self.details_params.append({k: v for k, v in request.url.params.items() if k != "api_key"})
        body: dict[str, Any] = load_sample(CAPTURE)
        del body["changes"]
        return httpx.Response(200, json=body)


@pytest.mark.parametrize(
    ("settings", "sent"),
    [
        ({}, {"include_image_language": "en,null", "include_video_language": "en,null"}),
        (
            {"image_languages": "all", "video_languages": "fr,en"},
            {"include_image_language": EVERY_LANGUAGE, "include_video_language": "fr,en"},
        ),
    ],
)
async def test_one_details_request_carries_the_filters(
    db_path: Path, fake_clock: FakeClock, settings: dict[str, str], sent: dict[str, str]
) -> None:
    server = OneMovie()
    plan = Plan(popular_pages=1, genre_pages=0, parts=("images", "videos"), **settings)
    client = TMDBClient(
        ClientSettings(base_url="http://127.0.0.1:9/3", rate=1000, concurrency=1),
        Credentials(api_key="languages-test-key-0042"),
        limiter=AdaptiveRateLimiter(1000, clock=fake_clock),
        policy=RetryPolicy(max_attempts=2),
        clock=fake_clock,
        transport=mock_wire(server),
    )
    with Store.create_or_open(db_path, plan) as store:
        async with client:
            outcome = await Collector(store, client, plan, concurrency=1).run()
        assert outcome.status == "complete"
        assert store.part_counts() == {"images": 1, "videos": 1}
    assert server.details_params == [
        {"language": "en-US", "append_to_response": "images,videos", **sent}
    ]


def image_languages_collected(tmp_path: Path, base_url: str, *flags: str) -> set[str | None]:
    db = tmp_path / f"c{len(list(tmp_path.iterdir()))}.db"
    plan = ["--popular-pages", "1", "--genre-pages", "0", "--parts", "images,videos", *flags]
    result = run_cli(collect_args(db, base_url, *plan))
    assert result.returncode == 0, result.stderr
    out = tmp_path / f"{db.stem}.jsonl"
    args = ["export", "--db", str(db), "--format", "jsonl", "--out", str(out)]
    assert run_cli(args).returncode == 0
    languages: set[str | None] = set()
    for line in out.read_text().splitlines():
        images = json.loads(line)["images"]
        for kind in ("posters", "backdrops", "logos"):
            languages |= {image["iso_639_1"] for image in images[kind]}
    return languages


def test_the_default_keeps_language_neutral_posters(tmp_path: Path) -> None:
    with simulator() as sim:
        assert image_languages_collected(tmp_path, sim.base_url) == {"en", None}
        assert image_languages_collected(tmp_path, sim.base_url, "--image-languages", "en") == {
            "en"
        }
        every = image_languages_collected(tmp_path, sim.base_url, "--image-languages", "all")
    assert {"en", None} < every


def test_other_languages_are_another_plan(db_path: Path) -> None:
    Store.create_or_open(db_path, Plan(parts=("images",))).close()
    with pytest.raises(PlanMismatchError, match="image_languages: 'en,null' -> 'fr'"):
        Store.create_or_open(db_path, Plan(parts=("images",), image_languages="fr"))
