"""TV through the real CLI in a subprocess, against the fake TV API on 127.0.0.1: collect,
status, export (tv.json by default), a kill at any moment and a resume, update, and a movie
database refusing --media tv."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import collect_args, kill, movie_count, run_cli, start_cli
from tests.support.hold import held_after, stop_args
from tests.tv_fake import FakeTV
from tests.tv_server import tv_server

TV_PLAN = ["--media", "tv", "--popular-pages", "2", "--genre-pages", "1"]


@pytest.fixture(scope="module")
def fake() -> FakeTV:
    return FakeTV(count=40)


@pytest.fixture(scope="module")
def api(fake: FakeTV) -> Iterator[str]:
    with tv_server(fake, latency=0.01) as url:
        yield url


@pytest.fixture(scope="module")
def reference(api: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """tv.json of an uninterrupted run."""
    folder = tmp_path_factory.mktemp("tv-reference")
    done = run_cli(collect_args(folder / "tv.db", api, *TV_PLAN))
    assert done.returncode == 0, done.stderr
    assert " series collected" in done.stdout
    exported = run_cli(["export", "--db", str(folder / "tv.db")], cwd=folder)
    assert exported.returncode == 0, exported.stderr
    assert "series to tv.json" in exported.stdout
    data: dict[str, Any] = json.loads((folder / "tv.json").read_text("utf-8"))
    return data


def test_collect_status_and_export_a_tv_collection(
    api: str, fake: FakeTV, reference: dict[str, Any], tmp_path: Path
) -> None:
    english = [i for i in fake.ids if fake.language_of(i) == "en"]
    assert sorted(map(int, reference)) == english
    assert set(reference["1002"]) == {
        "id",
        "details",
        "aggregate_credits",
        "keywords",
        "recommendations",
    }
    db = tmp_path / "tv.db"
    assert run_cli(collect_args(db, api, *TV_PLAN)).returncode == 0
    status = run_cli(["status", "--db", str(db)])
    assert "media:     tv (series)" in status.stdout
    assert "(series with each)" in status.stdout
    out = tmp_path / "series.jsonl"
    assert (
        run_cli(["export", "--db", str(db), "--format", "jsonl", "--out", str(out)]).returncode == 0
    )
    lines = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert {str(line["id"]): line for line in lines} == reference


def test_a_kill_at_any_moment_then_a_resume_equals_an_uninterrupted_run(
    api: str, reference: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "killed.db"
    with held_after(api, 5) as gate:
        process = start_cli(collect_args(db, api, *TV_PLAN, *stop_args()))
        gate.wait_stopped()
        kill(process)
    assert movie_count(db) == 5 < len(reference)
    resumed = run_cli(collect_args(db, api, *TV_PLAN))
    assert resumed.returncode == 0, resumed.stderr
    out = tmp_path / "tv.json"
    assert run_cli(["export", "--db", str(db), "--out", str(out)]).returncode == 0
    assert json.loads(out.read_text("utf-8")) == reference


def test_update_refetches_exactly_the_changed_series(
    api: str, fake: FakeTV, tmp_path: Path
) -> None:
    db = tmp_path / "update.db"
    assert run_cli(collect_args(db, api, *TV_PLAN)).returncode == 0
    fake.details_requests.clear()
    fake.changed = {1002, 1003, 1008}  # 1008 is French: not in the collection
    try:
        updated = run_cli(["update", "--db", str(db), "--base-url", api, "--no-progress"])
    finally:
        fake.changed = set()
    assert updated.returncode == 0, updated.stderr
    assert "2 collected series refetched" in updated.stdout
    assert sorted(i for i, _ in fake.details_requests) == [1002, 1003]


def test_a_movie_database_refuses_media_tv(api: str, tmp_path: Path) -> None:
    db = tmp_path / "movies.db"
    movies = run_cli(collect_args(db, api, "--popular-pages", "0", "--genre-pages", "0"))
    assert movies.returncode == 0, movies.stderr
    for extra in ([], ["--force-plan"]):
        refused = run_cli(collect_args(db, api, *TV_PLAN, *extra))
        assert refused.returncode == 2
        assert "holds movies (--media movie)" in refused.stderr
        assert "Traceback" not in refused.stderr
    bad = run_cli(collect_args(tmp_path / "x.db", api, "--media", "anime"))
    assert bad.returncode == 2
    assert "anime" in bad.stderr


def test_media_in_the_toml_plan_and_a_database_that_keeps_its_media(
    api: str, tmp_path: Path
) -> None:
    config = tmp_path / "tv.toml"
    config.write_text('[plan]\nmedia = "tv"\npopular_pages = 1\ngenre_pages = 0\n', "utf-8")
    db = tmp_path / "toml.db"
    first = run_cli(collect_args(db, api, "--config", str(config)))
    assert first.returncode == 0, first.stderr
    assert " series collected" in first.stdout
    # Without --media the database's own media type is kept: the same plan, nothing to do.
    again = run_cli(collect_args(db, api, "--popular-pages", "1", "--genre-pages", "0"))
    assert again.returncode == 0, again.stderr
    assert "complete; nothing to fetch" in again.stdout
    assert "media:     tv (series)" in again.stdout
