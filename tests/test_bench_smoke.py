"""Cheap checks of scripts/bench.py (`make bench`); the benchmark itself is not run here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import httpx
import pytest

from tmdb_collector.cli import summary_line
from tmdb_collector.engine.collector import RunOutcome
from tmdb_collector.media import MOVIE
from tmdb_collector.simulator.process import simulator_process

BENCH = Path(__file__).resolve().parents[1] / "scripts" / "bench.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("tmdb_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tmdb_bench"] = module
    spec.loader.exec_module(module)
    return module


def test_seed_strategy_makes_the_seeds_four_calls_per_movie(bench: ModuleType) -> None:
    with simulator_process(["--catalog-size", "500"]) as sim:
        ids = bench.sample_ids(sim.base_url, 2)
        before = httpx.get(f"{sim.root_url}/__sim/stats", timeout=5).json()
        run = bench.seed_strategy(sim.base_url, ids, sleep=0.01)
        after = httpx.get(f"{sim.root_url}/__sim/stats", timeout=5).json()
    assert len(ids) == 2
    assert (run.movies, run.requests) == (2, 8)
    assert bench.stats_delta(before, after) == (8, 0)
    assert after["by_status"]["200"] - before["by_status"].get("200", 0) == 8


def test_the_summary_line_parses(bench: ModuleType) -> None:
    outcome = RunOutcome(
        status="complete",
        collected=12_345,
        not_found=3,
        failed=2,
        requests=13_000,
        throttled=0,
        elapsed=10.0,
    )
    assert bench.parse_summary(summary_line(outcome, MOVIE)) == (12_345, 2)


def test_stage3_skips_the_first_tenth_and_ends_at_the_last_commit(bench: ModuleType) -> None:
    # A burst of 20 movies at 1 s, then 40 movies/s; 1 CPU second per 10 wall seconds.
    samples = [bench.Sample(t / 10, 40.0, 0, t / 100) for t in range(10)]
    samples += [
        bench.Sample(1 + t / 10, 40.0, min(100, 20 + 4 * t), (10 + t) / 100) for t in range(25)
    ]
    child = bench.Child(0, 4.0, 0.4, 40.0, "", "", samples)
    rate, cpu = bench.stage3(child, 100)
    assert rate == pytest.approx(40.0, rel=0.03)
    assert cpu == pytest.approx(0.1, rel=0.05)


def test_a_missed_target_fails_the_run(
    bench: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    checks = [bench.Check("a", "1", True), bench.Check("b", "2", False)]
    assert bench.report(checks) == 1
    assert "1 target(s) missed: b" in capsys.readouterr().out
    assert bench.report(checks[:1]) == 0


def test_an_exports_early_peak_is_the_highest_rss_in_its_first_fifth(bench: ModuleType) -> None:
    rss = [100, 180, 200, 190, 210, 230, 240, 250, 260, 270]
    samples = [bench.Sample(t, float(value), 0, 0.0) for t, value in enumerate(rss)]
    child = bench.Child(0, 10.0, 5.0, 270.0, "", "", samples)
    assert bench.early_peak(child) == 200.0  # t = 0, 1, 2 are within 20% of 10 s
    assert bench.early_peak(bench.Child(0, 10.0, 5.0, 270.0, "", "")) == 270.0  # no samples
