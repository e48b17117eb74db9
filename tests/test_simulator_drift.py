"""Ranking drift: popularity pages shift between requests, deterministically."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from tests.support.catalog import popular_ids
from tests.test_simulator_support import TOKEN
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator
from tmdb_collector.simulator.drift import Drift

SMALL = 3000
PAGES = 30
DRIFTING = SimulatorConfig(catalog_size=SMALL, drift=0.3)


@pytest.fixture
def drifting() -> Iterator[RunningSimulator]:
    with running_simulator(DRIFTING) as sim:
        yield sim


def harvest(sim: RunningSimulator, path: str, **params: str) -> tuple[list[int], int]:
    """Pages 1..PAGES one after another: (ids in order seen, total_results)."""
    seen: list[int] = []
    total = 0
    with httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=60.0) as http:
        for page in range(1, PAGES + 1):
            body = http.get(path, params={**params, "page": str(page)}).json()
            seen += [r["id"] for r in body["results"]]
            total = body["total_results"]
    return seen, total


def test_drift_duplicates_and_misses_and_replays(drifting: RunningSimulator) -> None:
    ranked = popular_ids(drifting.catalog)[: PAGES * 20]
    seen, total = harvest(drifting, "/movie/popular")
    counts = Counter(seen)
    duplicated = [i for i, n in counts.items() if n > 1]
    missed = [i for i in ranked[:-1] if i not in counts]
    assert duplicated, "some item showed on two consecutive pages"
    assert missed, "some item fell between pages"
    assert len(seen) == PAGES * 20
    assert total == len(popular_ids(drifting.catalog))  # totals never drift
    assert set(seen) <= set(popular_ids(drifting.catalog)[: PAGES * 20 + 1])
    assert drifting.drift.tick == PAGES
    with running_simulator(DRIFTING) as fresh:  # its ticks start at 0 again
        again, _ = harvest(fresh, "/movie/popular")
    assert again == seen  # same seed, same ticks: the same pages


def test_no_drift_by_default_and_only_for_popularity() -> None:
    with running_simulator(SimulatorConfig(catalog_size=SMALL)) as sim:
        seen, _ = harvest(sim, "/movie/popular")
        assert seen == popular_ids(sim.catalog)[: PAGES * 20]
        assert sim.drift.tick == 0
    with running_simulator(SimulatorConfig(catalog_size=SMALL, drift=0.5)) as sim:
        by_votes, _ = harvest(sim, "/discover/movie", sort_by="vote_count.desc")
        assert len(by_votes) == len(set(by_votes))
        by_popularity, _ = harvest(sim, "/discover/movie")
        assert len(by_popularity) > len(set(by_popularity))


def test_drift_model() -> None:
    ranked = list(range(100))
    drift = Drift(0.5, seed=3)
    pages = [drift.page(ranked, p, tick=7) for p in range(1, 6)]
    assert sorted(i for p in pages for i in p) == ranked  # one tick: a permutation
    assert Drift(0.0).page(ranked, 2, 5) == ranked[20:40]
    assert drift.page(ranked, 6, 1) == []
    with pytest.raises(ValueError, match="drift"):
        Drift(1.5)


def test_bad_drift_flag_is_a_usage_error() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tmdb_collector", "simulate", "--drift", "2"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "--drift" in result.stderr
