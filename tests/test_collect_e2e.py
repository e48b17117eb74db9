"""`collect`, `status` and `export` end to end, as a user runs them, against the simulator."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.cli_helpers import (
    SMALL_PLAN,
    TEST_KEY,
    cli_env,
    collect_args,
    export_json,
    kill,
    movie_count,
    one_line_error,
    run_cli,
    sim_stats,
    simulator,
    start_cli,
)
from tests.support.hold import CONCURRENCY, held_after, pause_stopped, stop_args


@pytest.fixture(scope="module")
def reference_export(sim_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """An uninterrupted run of the small plan: what every other run must reproduce."""
    folder = tmp_path_factory.mktemp("reference")
    db = folder / "ref.db"
    result = run_cli(collect_args(db, sim_url, *SMALL_PLAN))
    assert result.returncode == 0, result.stderr
    return export_json(db, folder / "movies.json")


def test_collect_status_export(sim_url: str, tmp_path: Path, reference_export: dict) -> None:
    db = tmp_path / "c.db"
    result = run_cli(collect_args(db, sim_url, *SMALL_PLAN))
    assert result.returncode == 0, result.stderr
    assert "movies collected" in result.stdout
    assert "\x1b[" not in result.stdout + result.stderr  # --no-progress is plain text
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["stage"] == "complete"
    assert status["ids"]["pending"] == 0
    assert status["harvest"]["pages_done"] == 4 + 3 * 2
    data = export_json(db, tmp_path / "movies.json")
    assert data == reference_export
    assert len(data) == status["ids"]["done"] > 100
    for key, movie in data.items():
        assert list(movie) == ["id", "details", "credits", "keywords", "recommendations"]
        assert str(movie["id"]) == key == str(movie["details"]["id"])
        assert movie["credits"]["id"] == movie["id"]
        assert not {"credits", "keywords", "recommendations"} & set(movie["details"])
        assert any(c["job"] == "Director" for c in movie["credits"]["crew"])


def test_rerunning_a_finished_collection_only_reports(sim_url: str, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    args = collect_args(db, sim_url, "--popular-pages", "2", "--genre-pages", "0")
    assert run_cli(args).returncode == 0
    again = run_cli(args)
    assert again.returncode == 0
    assert "complete; nothing to fetch" in again.stdout
    assert "stage:     complete" in again.stdout


def test_force_plan_with_more_pages_harvests_them(
    sim_url: str, tmp_path: Path, reference_export: dict
) -> None:
    """A smaller plan first, then SMALL_PLAN with --force-plan: the pages the bigger plan adds
    are fetched, and the collection ends up the one SMALL_PLAN collects from scratch."""
    db = tmp_path / "c.db"
    smaller = ["--popular-pages", "2", "--genre-pages", "1", "--genres", "28,35,18"]
    assert run_cli(collect_args(db, sim_url, *smaller)).returncode == 0
    assert len(export_json(db, tmp_path / "small.json")) < len(reference_export)
    result = run_cli(collect_args(db, sim_url, *SMALL_PLAN, "--force-plan"))
    assert result.returncode == 0, result.stderr
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["harvest"]["pages_done"] == 4 + 3 * 2
    assert export_json(db, tmp_path / "movies.json") == reference_export


def test_sigkill_then_resume_equals_an_uninterrupted_run(
    sim_url: str, tmp_path: Path, reference_export: dict
) -> None:
    db = tmp_path / "killed.db"
    args = collect_args(db, sim_url, *SMALL_PLAN, *stop_args())
    with held_after(sim_url, 20) as gate:
        process = start_cli(args)
        gate.wait_stopped()
        kill(process)
    assert movie_count(db) == 20 < len(reference_export)
    resumed = run_cli(collect_args(db, sim_url, *SMALL_PLAN))
    assert resumed.returncode == 0, resumed.stderr
    assert export_json(db, tmp_path / "movies.json") == reference_export


def test_ctrl_c_pauses_and_the_same_command_resumes(
    sim_url: str, tmp_path: Path, reference_export: dict
) -> None:
    db = tmp_path / "paused.db"
    args = ["collect", "--db", str(db), "--base-url", sim_url, "--no-progress", *SMALL_PLAN]
    with held_after(sim_url, 10) as gate:
        process = start_cli([*args, *stop_args()])
        gate.wait_stopped()
        err = pause_stopped(process, gate)
    assert process.returncode == 130, err
    assert "Run the same command to resume" in err
    assert "Traceback" not in err
    paused_at = movie_count(db)
    assert paused_at == 10 + CONCURRENCY < len(reference_export)
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert status["ids"]["done"] == paused_at
    assert run_cli([*args, "--rate", "40"]).returncode == 0
    assert export_json(db, tmp_path / "movies.json") == reference_export


def test_a_second_collect_on_the_same_db_is_refused(sim_url: str, tmp_path: Path) -> None:
    db = tmp_path / "busy.db"
    args = ["collect", "--db", str(db), "--base-url", sim_url, "--no-progress", *SMALL_PLAN]
    with held_after(sim_url, 1) as gate:
        first = start_cli([*args, *stop_args()])
        try:
            gate.wait_stopped()  # the first run holds the database, mid-collection
            second = run_cli([*args, "--rate", "20"])
            assert second.returncode == 1
            assert "another tmdb-collector process" in one_line_error(second)
        finally:
            kill(first)
    assert run_cli(["status", "--db", str(db)]).returncode == 0


def test_missing_key_says_how_to_set_one(sim_url: str, tmp_path: Path) -> None:
    result = run_cli(
        ["collect", "--db", str(tmp_path / "x.db"), "--base-url", sim_url],
        env=cli_env(api_key=None),
    )
    assert result.returncode == 2
    assert "TMDB_API_KEY" in one_line_error(result)
    assert not (tmp_path / "x.db").exists()


def test_invalid_key_stops_at_once(tmp_path: Path) -> None:
    with simulator(api_key="the-right-key") as sim:
        result = run_cli(
            [
                "collect",
                "--db",
                str(tmp_path / "x.db"),
                "--base-url",
                sim.base_url,
                "--no-progress",
                *SMALL_PLAN,
            ],
            env=cli_env(api_key="a-wrong-key-123"),
        )
        stats = sim_stats(sim)
    assert result.returncode == 1
    line = one_line_error(result)
    assert "status_code 7" in line
    assert "TMDB_API_KEY" in line
    assert "a-wrong-key-123" not in result.stdout + result.stderr
    assert stats["requests"] <= 2, stats


def test_not_found_ids_are_reported_and_left_out(sim_url: str, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    result = run_cli(collect_args(db, sim_url, "--popular-pages", "100", "--genre-pages", "0"))
    assert result.returncode == 0, result.stderr
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    missing = [f["id"] for f in status["failures"] if f["status"] == "not_found"]
    assert status["ids"]["not_found"] == len(missing) > 0
    data = export_json(db, tmp_path / "m.json")
    assert not {str(m) for m in missing} & set(data)
    assert len(data) == status["ids"]["done"]


def test_progress_bars_render_on_a_terminal_only(sim_url: str, tmp_path: Path) -> None:
    args = [
        "collect",
        "--base-url",
        sim_url,
        "--rate",
        "500",
        "--popular-pages",
        "2",
        "--genre-pages",
        "0",
    ]
    terminal = run_cli([*args, "--db", str(tmp_path / "t.db")], env=cli_env(TTY_COMPATIBLE="1"))
    assert terminal.returncode == 0
    assert "Movie details" in terminal.stderr
    assert "Popular pages" in terminal.stderr
    assert "req/s" in terminal.stderr
    assert TEST_KEY not in terminal.stderr
    piped = run_cli([*args, "--db", str(tmp_path / "p.db")])
    assert piped.returncode == 0
    assert "Movie details" not in piped.stderr


def test_an_existing_collection_resumes_without_its_plan_flags(
    sim_url: str, tmp_path: Path
) -> None:
    """Flags left out are the collection's own plan, not the seed's: the bare command resumes,
    and --parts alone changes only the parts."""
    db = tmp_path / "c.db"
    plan = ["--popular-pages", "2", "--genre-pages", "1", "--genres", "28"]
    with held_after(sim_url, 5) as gate:
        first = start_cli(collect_args(db, sim_url, *plan, *stop_args()))
        try:
            gate.wait_stopped()
        finally:
            kill(first, signal.SIGKILL)
    bare = ["collect", "--db", str(db), "--base-url", sim_url, "--no-progress"]
    result = run_cli(bare)
    assert result.returncode == 0, result.stderr
    result = run_cli([*bare, "--parts", "credits,keywords,recommendations,videos"])
    assert result.returncode == 0, result.stderr
    status = json.loads(run_cli(["status", "--db", str(db), "--json"]).stdout)
    assert (status["plan"]["popular_pages"], status["plan"]["genre_pages"]) == (2, 1)
    assert status["plan"]["genres"] == [28]
    assert status["parts"]["items_with"]["videos"] == status["movies"] > 5
    assert status["stage"] == "complete"
    refused = run_cli([*bare, "--popular-pages", "3"])
    assert refused.returncode == 2
    assert "popular_pages: 2 -> 3" in one_line_error(refused)
