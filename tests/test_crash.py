"""SIGKILL in every stage of a collection, then resume: the export equals an uninterrupted run's.
For movies (on the simulator) and TV series (on the fake TV API until the simulator serves TV).

CI's few kill points; ``make stress`` (scripts/stress.py) runs many random ones with the same
machinery (tests.support.crash).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import cli_env
from tests.support.checks import (
    STARTUP,
    Totals,
    check_store,
    compare_exports,
    export_movies,
    load_export,
    run_collect,
)
from tests.support.crash import (
    KillPoint,
    Rates,
    collect_command,
    run_episode,
)
from tests.tv_fake import FakeTV
from tests.tv_server import tv_server

# Big enough that stages 1 and 2 last a few tenths of a second at RATES.harvest requests/s.
PLAN = ["--popular-pages", "12", "--genre-pages", "4", "--genres", "28,35,18"]
RATES = Rates(harvest="20", details="400")


@dataclass(frozen=True)
class Catalogue:
    plan: list[str]
    pages: tuple[int, int]  # the reference's popular and discover pages
    items: int  # fewer items than this in the reference is a broken catalogue


# Movies on the simulator; TV series on the fake TV API (tests/tv_fake.py), whose 600 series
# give 12 popular pages and 4 discover pages for each of the three genres.
CATALOGUES = {
    "movie": Catalogue(PLAN, (12, 12), 200),
    "tv": Catalogue(["--media", "tv", *PLAN[:-1], "18,35,80"], (12, 12), 200),
}


@pytest.fixture(scope="module", params=sorted(CATALOGUES))
def media(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def base_url(media: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """The session's simulator for movies; a fake TV API of its own for series."""
    if media == "movie":
        yield request.getfixturevalue("sim_url")
        return
    with tv_server(FakeTV(count=600), latency=0.005) as url:
        yield url


@pytest.fixture(scope="module")
def reference(
    media: str, base_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Totals, Any]:
    """An uninterrupted run: its stage sizes and its export."""
    folder = tmp_path_factory.mktemp("reference")
    db = folder / "ref.db"
    plan = CATALOGUES[media].plan
    result = run_collect(collect_command(db, base_url, plan, "--rate", "400"), cli_env())
    assert result.returncode == 0, result.stderr
    return Totals.of(db), load_export(export_movies(db, folder / "movies.json", cli_env()))


def test_sigkill_in_each_stage_then_resume_equals_an_uninterrupted_run(
    media: str, base_url: str, tmp_path: Path, reference: tuple[Totals, Any]
) -> None:
    totals, movies = reference
    catalogue = CATALOGUES[media]
    assert (totals.popular, totals.discover) == catalogue.pages
    assert len(movies) > catalogue.items
    points = [
        KillPoint(STARTUP, 0),  # while the database is being created
        KillPoint("popular", totals.popular // 2),
        KillPoint("discover", totals.discover // 2),
        KillPoint("details", totals.ids // 2),
    ]
    episode = run_episode(
        points,
        db=tmp_path / "killed.db",
        base_url=base_url,
        plan=catalogue.plan,
        totals=totals,
        reference=movies,
        env=cli_env(),
        rates=RATES,
    )
    report = "\n".join(kill.describe(totals) for kill in episode.kills)
    assert all(kill.killed for kill in episode.kills), report
    assert [kill.stage for kill in episode.kills[1:]] == ["popular", "discover", "details"], report
    last = episode.kills[-1].after
    assert last is not None, report
    assert 0 < last.resolved < totals.ids, report
    assert episode.problems == (), report


@pytest.mark.parametrize("media", ["movie"], indirect=True)  # creation is media-blind
def test_a_database_left_blank_by_a_kill_during_creation_is_adopted(
    media: str, base_url: str, tmp_path: Path, reference: tuple[Totals, Any]
) -> None:
    """A kill between creating the file and committing the schema leaves an SQLite file with
    a header and no table (WAL mode is switched on first); the same command must take it."""
    db = tmp_path / "blank.db"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    assert db.stat().st_size > 0
    plan = CATALOGUES[media].plan
    result = run_collect(collect_command(db, base_url, plan, "--rate", "400"), cli_env())
    assert result.returncode == 0, result.stderr
    assert check_store(db) == []
    assert compare_exports(reference[1], export_movies(db, tmp_path / "m.json", cli_env())) == []
