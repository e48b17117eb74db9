from __future__ import annotations

from pathlib import Path

import pytest

from tmdb_collector.errors import ConfigError
from tmdb_collector.fetch.settings import ClientSettings, build_client_settings
from tmdb_collector.media.movie import GENRES
from tmdb_collector.plan.config import (
    build_plan,
    on_collection,
    read_config,
)
from tmdb_collector.plan.linked import linked_in_words
from tmdb_collector.plan.plan import Plan, parse_genres, parse_pages


def test_default_plan_is_the_seeds() -> None:
    plan = Plan()
    queries = plan.harvest_queries()
    assert len(queries) == 20
    popular = queries[0]
    assert popular.path == "/movie/popular"
    assert popular.max_pages == 250
    assert popular.params == {"language": "en-US"}
    assert popular.keep_language == "en"
    discover = queries[1:]
    assert [q.genre for q in discover] == list(GENRES)
    assert all(q.max_pages == 25 for q in discover)
    assert discover[0].params == {
        "language": "en-US",
        "with_genres": "28",
        "sort_by": "popularity.desc",
        "vote_count.gte": "50",
        "primary_release_date.gte": "1970-01-01",
        "primary_release_date.lte": "2024-12-31",
        "with_original_language": "en",
    }


def test_zero_pages_skip_a_stage() -> None:
    assert [q.stage for q in Plan(popular_pages=0).harvest_queries()] == ["discover"] * 19
    assert [q.stage for q in Plan(genre_pages=0).harvest_queries()] == ["popular"]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"genres": (28, 999)}, "unknown genre id 999"),
        ({"popular_pages": -1}, "popular_pages must be 0"),
        ({"genre_pages": "lots"}, "genre_pages must be a whole number"),
        ({"release_date_gte": "1970-13-01"}, "release_date_gte must be a date"),
        ({"release_date_gte": "2020-01-01", "release_date_lte": "2010-01-01"}, "after"),
        ({"sort_by": "random"}, "sort_by must be one of"),
        ({"original_language": "english"}, "ISO-639-1"),
        ({"genres": (28, 28)}, "twice"),
    ],
)
def test_invalid_plans_are_rejected(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Plan(**values)  # type: ignore[arg-type]


def test_parse_helpers() -> None:
    assert parse_genres("28, 35", GENRES) == (28, 35)
    assert parse_genres("all", GENRES) == tuple(GENRES)
    assert parse_pages("all", "x") == "all"
    assert parse_pages("7", "x") == 7
    with pytest.raises(ConfigError, match="not a number"):
        parse_genres("28,action", GENRES)
    with pytest.raises(ConfigError):
        parse_pages("-3", "--genre-pages")


def test_plan_round_trips_and_reports_differences() -> None:
    plan = Plan(genres=(28, 35), genre_pages=3)
    assert Plan.from_dict(plan.to_dict()) == plan
    assert Plan().differences(plan) == [
        f"genres: {list(GENRES)!r} -> [28, 35]",
        "genre_pages: 25 -> 3",
    ]


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"rate": 0}, "rate must be a number greater than 0"),
        ({"rate": -5.0}, "rate must be"),
        ({"concurrency": 0}, "concurrency"),
        ({"base_url": "ftp://example.org/3"}, "malformed base URL"),
        ({"base_url": "not a url"}, "malformed base URL"),
        ({"base_url": "http://127.0.0.1:99999/3"}, "bad port"),
    ],
)
def test_invalid_client_settings(values: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ClientSettings(**values)  # type: ignore[arg-type]


def test_config_file_with_flag_overrides(tmp_path: Path) -> None:
    path = tmp_path / "tmdb.toml"
    path.write_text(
        '[plan]\npopular_pages = 3\ngenre_pages = "all"\ngenres = [28, 35]\n'
        '[client]\nrate = 10\nbase_url = "http://127.0.0.1:8000/3/"\n'
    )
    config = read_config(path)
    plan = build_plan(config, {"popular_pages": 5, "genres": None})
    assert (plan.popular_pages, plan.genre_pages, plan.genres) == (5, "all", (28, 35))
    settings = build_client_settings(config.client, {"concurrency": 4}, env={})
    assert settings.rate == 10
    assert settings.concurrency == 4
    assert settings.base_url == "http://127.0.0.1:8000/3"


def test_base_url_from_environment() -> None:
    config = read_config(None)
    env = {"TMDB_BASE_URL": "http://127.0.0.1:1234/3"}
    assert build_client_settings(config.client, {}, env=env).base_url == "http://127.0.0.1:1234/3"
    flagged = build_client_settings(config.client, {"base_url": "http://127.0.0.1:9/3"}, env=env)
    assert flagged.base_url == "http://127.0.0.1:9/3"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[plan\n", "not valid TOML"),
        ("[plans]\n", "unknown table"),
        ("[plan]\ncolour = 1\n", "unknown setting 'colour'"),
        ("[client]\nspeed = 1\n", "unknown setting 'speed'"),
    ],
)
def test_bad_config_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)

    def load() -> None:
        config = read_config(path)
        build_plan(config, {})
        build_client_settings(config.client, {}, env={})

    with pytest.raises(ConfigError, match=message):
        load()


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        read_config(tmp_path / "nope.toml")


def test_a_plan_on_a_collection_keeps_its_media_even_with_force_plan() -> None:
    """The CLI and the API both build on a collection's plan through on_collection."""
    stored = {"media": "tv", "genre_pages": 7, "popular_pages": 3}
    asked = {"genre_pages": 1}
    assert on_collection(asked, stored, force_plan=False) == {**stored, "genre_pages": 1}
    assert on_collection(asked, stored, force_plan=True) == {"genre_pages": 1, "media": "tv"}
    other = {"media": "movie", "genre_pages": 1}
    for force in (False, True):
        assert on_collection(other, stored, force_plan=force) == other  # opening then refuses
        assert on_collection(asked, None, force_plan=force) == asked


def test_the_linked_help_names_which_titles_link_each_entity() -> None:
    """The --linked help is read from the media types' links: collections come from movies
    alone, networks from series alone (the help once said only the second)."""
    from click.testing import CliRunner

    from tmdb_collector.cli import cli

    words = "people, collections (Movie only), companies, networks (TV only)"
    assert linked_in_words() == words
    shown = CliRunner().invoke(cli, ["collect", "--help"], terminal_width=1000).output
    assert f"one request each: {words}, or 'all'" in shown
