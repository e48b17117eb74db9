"""SIGKILL in every stage of a collection, then resume: the export equals an uninterrupted run's.

CI's few kill points; ``make stress`` (scripts/stress.py) runs many random ones with the same
machinery (tmdb_collector.testing.crash).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import cli_env
from tmdb_collector.testing.checks import (
    STARTUP,
    Totals,
    check_store,
    compare_exports,
    export_movies,
    load_export,
    run_collect,
)
from tmdb_collector.testing.crash import (
    KillPoint,
    Rates,
    collect_command,
    run_episode,
)

# Big enough that stages 1 and 2 last a few tenths of a second at RATES.harvest requests/s.
PLAN = ["--popular-pages", "12", "--genre-pages", "4", "--genres", "28,35,18"]
RATES = Rates(harvest="20", details="400")


@pytest.fixture(scope="module")
def reference(sim_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Totals, Any]:
    """An uninterrupted run: its stage sizes and its export."""
    folder = tmp_path_factory.mktemp("reference")
    db = folder / "ref.db"
    result = run_collect(collect_command(db, sim_url, PLAN, "--rate", "400"), cli_env())
    assert result.returncode == 0, result.stderr
    return Totals.of(db), load_export(export_movies(db, folder / "movies.json", cli_env()))


def test_sigkill_in_each_stage_then_resume_equals_an_uninterrupted_run(
    sim_url: str, tmp_path: Path, reference: tuple[Totals, Any]
) -> None:
    totals, movies = reference
    assert (totals.popular, totals.discover) == (12, 12)
    assert len(movies) > 200
    points = [
        KillPoint(STARTUP, 0),  # while the database is being created
        KillPoint("popular", totals.popular // 2),
        KillPoint("discover", totals.discover // 2),
        KillPoint("details", totals.ids // 2),
    ]
    episode = run_episode(
        points,
        db=tmp_path / "killed.db",
        base_url=sim_url,
        plan=PLAN,
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


def test_a_database_left_blank_by_a_kill_during_creation_is_adopted(
    sim_url: str, tmp_path: Path, reference: tuple[Totals, Any]
) -> None:
    """A kill between creating the file and committing the schema leaves an SQLite file with
    a header and no table (WAL mode is switched on first); the same command must take it."""
    db = tmp_path / "blank.db"
    connection = sqlite3.connect(db)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    assert db.stat().st_size > 0
    result = run_collect(collect_command(db, sim_url, PLAN, "--rate", "400"), cli_env())
    assert result.returncode == 0, result.stderr
    assert check_store(db) == []
    assert compare_exports(reference[1], export_movies(db, tmp_path / "m.json", cli_env())) == []
