"""Issue 6 end to end: incremental update, past the 500-page cap, the daily ID export."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import sqlite3
from pathlib import Path

import httpx
import pytest

from tests.cli_helpers import (
    SMALL_PLAN,
    TEST_KEY,
    collect_args,
    export_json,
    one_line_error,
    run_cli,
    simulator,
    update_args,
)
from tests.support.catalog import discover_ids
from tmdb_collector.media import MOVIE
from tmdb_collector.simulator import Catalog

SEED = "7"
DAY0, DAY7 = dt.date(2026, 11, 10), dt.date(2026, 11, 17)


def fetched_dates(db: Path) -> dict[int, dt.date]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT id, fetched_at FROM items").fetchall()
    return {movie_id: dt.datetime.fromisoformat(when).date() for movie_id, when in rows}


def test_update_a_simulated_week_later_refetches_exactly_the_changed(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    with simulator("--seed", SEED, "--today", DAY0.isoformat()) as sim:
        first = run_cli(collect_args(db, sim.base_url, *SMALL_PLAN))
        assert first.returncode == 0, first.stderr
    collected = set(fetched_dates(db))
    assert set(fetched_dates(db).values()) == {DAY0}
    catalog = Catalog(120_000, int(SEED), DAY7)
    expected = set(catalog.changed_ids(DAY0, DAY7)) & collected
    assert 0 < len(expected) < len(collected)

    with simulator("--seed", SEED, "--today", DAY7.isoformat()) as sim:
        update = run_cli(update_args(db, sim.base_url))
        assert update.returncode == 0, update.stderr
        assert f"Changes {DAY0}..{DAY7}" in update.stdout
        assert f"{len(expected):,} collected movies refetched" in update.stdout
        refetched = {i for i, day in fetched_dates(db).items() if day == DAY7}
        assert refetched == expected
        # Every exported movie now matches what TMDB serves a week later. Recommendation lists
        # embed *other* movies' data, which the changes feed does not track (see README).
        data = export_json(db, tmp_path / "movies.json")
        with httpx.Client(base_url=sim.base_url + "/", params={"api_key": TEST_KEY}) as http:
            for movie_id in sorted(collected)[:60] + sorted(expected)[:60]:
                body = http.get(
                    f"movie/{movie_id}",
                    params={
                        "language": "en-US",
                        "append_to_response": "credits,keywords,recommendations",
                    },
                ).json()
                parts = MOVIE.split(movie_id, body, MOVIE.default_parts)
                record = data[str(movie_id)]
                own = ["details", "credits", "keywords"]
                for part in own + (["recommendations"] if movie_id in expected else []):
                    assert record[part] == parts[part], (movie_id, part)
        config = tmp_path / "client.toml"  # update reads [client] from --config too
        config.write_text(f'[client]\nbase_url = "{sim.base_url}"\nrate = 500\ntimeout = 30\n')
        again = run_cli(["update", "--db", str(db), "--no-progress", "--config", str(config)])
        assert again.returncode == 0, again.stderr
        assert f"Changes {DAY7}..{DAY7}" in again.stdout
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["last_sync"] == DAY7.isoformat()

    later = DAY7 + dt.timedelta(days=3)
    with simulator("--seed", SEED, "--today", later.isoformat()) as sim:
        aged = run_cli(update_args(db, sim.base_url, "--max-age", "2"))
    assert aged.returncode == 0, aged.stderr
    assert set(fetched_dates(db).values()) == {later}


def test_more_than_500_pages_are_split_by_release_date(tmp_path: Path) -> None:
    """Drama in a 100k catalogue has ~750 pages: every result is reached, none twice."""
    config = tmp_path / "plan.toml"
    config.write_text(
        '[plan]\npopular_pages = 0\ngenres = [18]\ngenre_pages = "all"\nvote_count_gte = 0\n'
    )
    db = tmp_path / "c.db"
    with simulator("--catalog-size", "100000", "--seed", SEED) as sim:
        result = run_cli(
            [
                "collect",
                "--db",
                str(db),
                "--config",
                str(config),
                "--base-url",
                sim.base_url,
                "--no-progress",
                "--rate",
                "2000",
                "--concurrency",
                "16",
                "--harvest-only",
            ],
            timeout=300,
        )
    assert result.returncode == 0, result.stderr
    assert "ids await details" in result.stdout
    query = {
        "with_genres": "18",
        "vote_count.gte": "0",
        "sort_by": "popularity.desc",
        "primary_release_date.gte": "1970-01-01",
        "primary_release_date.lte": "2024-12-31",
        "with_original_language": "en",
    }
    expected = set(discover_ids(Catalog(100_000, int(SEED), dt.date(2026, 11, 24)), query))
    assert len(expected) > 500 * 20
    with sqlite3.connect(db) as connection:
        harvested = {row[0] for row in connection.execute("SELECT id FROM ids")}
        leaves = connection.execute(
            "SELECT key, total_results FROM queries WHERE split = 0"
        ).fetchall()
        rows = connection.execute(
            "SELECT COUNT(*) FROM provenance p JOIN queries q ON q.key = p.query_key"
            " WHERE q.split = 0"
        ).fetchone()[0]
    assert harvested == expected
    assert len(leaves) > 1
    assert all(total <= 500 * 20 for _, total in leaves)
    assert sum(total for _, total in leaves) == len(expected) == rows  # no gaps, no duplicates


def daily_export_lines(root_url: str) -> list[dict[str, object]]:
    url = f"{root_url}/p/exports/movie_ids_11_24_2026.json.gz"
    raw = gzip.decompress(httpx.get(url, timeout=30).content).decode()
    return [json.loads(line) for line in raw.splitlines() if line]


@pytest.mark.parametrize("source", ["url", "file"])
def test_ids_from_the_daily_export(tmp_path: Path, source: str) -> None:
    db = tmp_path / "c.db"
    with simulator("--catalog-size", "3000", "--seed", SEED) as sim:
        lines = daily_export_lines(sim.root_url)
        url = f"{sim.root_url}/p/exports/movie_ids_11_24_2026.json.gz"
        where = url
        if source == "file":
            where = str(tmp_path / "movie_ids.json.gz")
            Path(where).write_bytes(httpx.get(url).content)
        result = run_cli(
            collect_args(
                db, sim.base_url, "--ids-from", where, "--min-popularity", "1.5", rate="1000"
            )
        )
    assert result.returncode == 0, result.stderr
    wanted = {
        int(e["id"])
        for e in lines  # type: ignore[call-overload]
        if not e["adult"] and not e["video"] and e["popularity"] >= 1.5
    }  # type: ignore[operator]
    assert any(e["video"] for e in lines)
    assert 0 < len(wanted) < len(lines)
    data = export_json(db, tmp_path / "movies.json")
    assert {int(k) for k in data} == wanted
    with sqlite3.connect(db) as connection:
        stages = {row[0] for row in connection.execute("SELECT DISTINCT stage FROM provenance")}
    assert stages == {"daily_export"}


def test_a_file_that_is_not_a_daily_export(tmp_path: Path) -> None:
    bad = tmp_path / "ids.json.gz"
    bad.write_bytes(gzip.compress(b'{"id": 1, "adult": false}\nnot json\n'))
    result = run_cli(
        [
            "collect",
            "--db",
            str(tmp_path / "c.db"),
            "--base-url",
            "http://127.0.0.1:9/3",
            "--ids-from",
            str(bad),
        ]
    )
    assert result.returncode == 2
    assert "line 2 is not JSON" in one_line_error(result)


def test_a_wrong_ids_from_leaves_no_collection_behind(tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    series = tmp_path / "tv_series_ids.json.gz"
    series.write_bytes(gzip.compress(b'{"id":1,"original_name":"Pride","popularity":3.8}\n'))
    cases = [
        (str(tmp_path / "missing.json.gz"), "no such file"),
        ("ftp://127.0.0.1/ids.json.gz", "give an http:// or https:// URL, or a file"),
        (str(series), "is not a movie daily ID export (its lines have 'original_name'"),
    ]
    for source, message in cases:
        args = ["collect", "--db", str(db), "--base-url", "http://127.0.0.1:9/3"]
        result = run_cli([*args, "--ids-from", source])
        assert result.returncode == 2, source
        assert message in one_line_error(result)
        assert not db.exists()  # so the right --ids-from is not refused as another plan
    db.touch()  # an empty file is no collection either: checked the same
    result = run_cli(["collect", "--db", str(db), "--ids-from", str(series)])
    assert result.returncode == 2
    assert db.stat().st_size == 0


def test_update_refuses_another_medias_daily_export(tmp_path: Path) -> None:
    from tmdb_collector.errors import UsageError
    from tmdb_collector.plan.id_catalogue import iter_catalogue
    from tmdb_collector.plan.plan import Plan

    movies = tmp_path / "movie_ids.json.gz"
    movies.write_bytes(gzip.compress(b'{"adult":false,"id":3924,"original_title":"Blondie"}\n'))
    assert [entry[1] for entry in iter_catalogue(movies, Plan())] == [3924]
    with pytest.raises(UsageError, match="not a series daily ID export"):
        list(iter_catalogue(movies, Plan(media="tv")))


def test_force_plan_adopts_exactly_the_plan_given(sim_url: str, tmp_path: Path) -> None:
    """Without --force-plan, settings left out are the collection's; with it, the defaults:
    so a collection made from a daily export can go back to harvesting lists."""
    db = tmp_path / "c.db"
    ids = tmp_path / "movie_ids.json.gz"
    ids.write_bytes(
        gzip.compress(b'{"adult":false,"id":550,"original_title":"x","popularity":9}\n')
    )
    assert run_cli(collect_args(db, sim_url, "--ids-from", str(ids))).returncode == 0
    lists = ["--popular-pages", "1", "--genre-pages", "0", "--force-plan"]
    assert run_cli(collect_args(db, sim_url, *lists)).returncode == 0
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["plan"]["ids_from"] is None
    assert status["harvest"]["pages_done"] == 1


def test_a_release_0_1_database_resumes_with_media_movie(tmp_path: Path, sim_url: str) -> None:
    """Schema 1 knew no media types: its collection is movies, --media movie or not."""
    from tests.conftest import REPO

    db = tmp_path / "v1.db"
    db.write_bytes(gzip.decompress((REPO / "tests/fixtures/v1_collection.db.gz").read_bytes()))
    result = run_cli(collect_args(db, sim_url, "--media", "movie"))
    assert result.returncode in (0, 3), result.stderr  # 3: the fixture holds a failed id
    assert "different plan" not in result.stderr


def test_an_empty_or_partial_daily_export_changes_nothing(sim_url: str, tmp_path: Path) -> None:
    """A daily export lists every id: an empty file is refused, and one that would mark most
    of the collection removed (a truncated download) is refused before anything changes."""
    db = tmp_path / "c.db"
    assert (
        run_cli(collect_args(db, sim_url, "--popular-pages", "1", "--genre-pages", "0")).returncode
        == 0
    )
    with sqlite3.connect(db) as connection:
        done = [row[0] for row in connection.execute("SELECT id FROM ids WHERE status = 'done'")]
    empty, partial = tmp_path / "empty.json.gz", tmp_path / "partial.json.gz"
    empty.write_bytes(gzip.compress(b""))
    lines = (f'{{"adult":false,"id":{i},"original_title":"t","popularity":1}}' for i in done[:2])
    partial.write_bytes(gzip.compress("\n".join(lines).encode()))
    for source, message in ((empty, "has no entries"), (partial, "lists too few")):
        result = run_cli(update_args(db, sim_url, "--ids-from", str(source)))
        assert result.returncode == 2, result.stderr
        assert message in one_line_error(result)
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["ids"]["removed"] == 0
    assert status["ids"]["done"] == len(done)
    fresh = run_cli(["collect", "--db", str(tmp_path / "n.db"), "--ids-from", str(empty)])
    assert fresh.returncode == 2
    assert not (tmp_path / "n.db").exists()
