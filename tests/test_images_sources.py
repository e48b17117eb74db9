"""Which files ``images`` takes from each entity type: the facts in ``media/`` (own pictures by
default, the ``images`` part's first N with ``--per-title``), walked for movies with their
linked people, and for TV series' episode stills."""

from __future__ import annotations

import io
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.cli_helpers import collect_args, run_cli, simulator
from tmdb_collector.images.wanted import sources
from tmdb_collector.media import MEDIA_TYPES, MOVIE, PERSON, TV
from tmdb_collector.media.images import IMAGE_KINDS
from tmdb_collector.simulator.process import SimulatorProcess

TINY = ["--popular-pages", "1", "--genre-pages", "0"]


def test_every_kind_has_a_home_and_per_title_reads_the_gallery_when_held() -> None:
    kinds = {source.kind for media in MEDIA_TYPES.values() for source in media.images}
    assert kinds == set(IMAGE_KINDS)
    own = sources(MOVIE, ["poster"], None, ["images"])
    assert [(s.part, s.gallery) for s in own] == [("details", False)]
    gallery = sources(MOVIE, ["poster", "logo"], 3, ["images"])
    assert [(s.kind, s.part) for s in gallery] == [("poster", "images"), ("logo", "images")]
    # Without the images part, --per-title falls back to the record's own picture.
    assert [s.part for s in sources(PERSON, ["profile"], 3, [])] == ["details"]
    # A movie has no stills; a series' come from its seasons part, when collected.
    assert sources(MOVIE, ["still"], None, ["images"]) == []
    assert sources(TV, ["still"], None, []) == []
    assert [s.part for s in sources(TV, ["still"], None, ["seasons"])] == ["seasons"]


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorProcess]:
    with simulator("--catalog-size", "1500") as running:
        yield running


def rows(db: Path) -> list[tuple[str, int, str, str, str]]:
    connection = sqlite3.connect(db)
    try:
        return list(
            connection.execute(
                "SELECT entity, item_id, kind, size, file_path FROM image_files"
                " WHERE status = 'done'"
            )
        )
    finally:
        connection.close()


def width(out: Path, size: str, file_path: str) -> tuple[str | None, int]:
    picture = Image.open(io.BytesIO((out / size / file_path.lstrip("/")).read_bytes()))
    picture.load()
    return picture.format, picture.width


def test_per_title_takes_the_first_n_of_each_kind_and_people_get_profiles(
    sim: SimulatorProcess, tmp_path: Path
) -> None:
    db, out = tmp_path / "c.db", tmp_path / "images"
    extra = [
        "--parts",
        "credits,images",
        "--linked",
        "people",
        "--linked-cast",
        "2",
        "--linked-crew",
        "none",
    ]
    assert run_cli(collect_args(db, sim.base_url, *TINY, *extra)).returncode == 0
    args = ["images", "--db", str(db), "--out", str(out), "--base-url", sim.base_url]
    result = run_cli([*args, "--kinds", "poster,logo,profile", "--per-title", "2", "--no-progress"])
    assert result.returncode == 0, result.stderr
    held = rows(db)
    per_record = Counter((entity, item, kind) for entity, item, kind, _, _ in held)
    assert max(per_record.values()) == 2
    assert {(entity, kind) for entity, _, kind in per_record} == {
        ("movie", "poster"),
        ("movie", "logo"),
        ("person", "profile"),
    }
    for entity, _, kind, size, path in held:
        expected = {"poster": ("JPEG", 342), "logo": ("PNG", 300), "profile": ("JPEG", 185)}
        assert width(out, size, path) == expected[kind], (entity, path)


def test_series_episode_stills(sim: SimulatorProcess, tmp_path: Path) -> None:
    db, out = tmp_path / "tv.db", tmp_path / "images"
    collect = collect_args(db, sim.base_url, "--media", "tv", *TINY, "--parts", "seasons")
    assert run_cli(collect).returncode == 0
    args = ["images", "--db", str(db), "--out", str(out), "--base-url", sim.base_url]
    result = run_cli([*args, "--kinds", "still", "--size", "w185", "--no-progress"])
    assert result.returncode == 0, result.stderr
    held = rows(db)
    assert held
    assert {(entity, kind, size) for entity, _, kind, size, _ in held} == {("tv", "still", "w185")}
    assert all(width(out, "w185", path)[1] == 185 for *_, path in held)
