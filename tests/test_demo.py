"""The demo's library (``tmdb_collector.demo``): it tells and returns, the CLI prints and exits
(tests/test_bad_input.py runs ``tmdb-collector demo`` itself)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tmdb_collector.demo import run_demo
from tmdb_collector.plan.plan import Plan


def test_run_demo_prints_nothing_and_returns_its_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "demo"
    heard: list[str] = []
    run = run_demo(
        out,
        Plan.from_dict({}),
        rate=400.0,
        concurrency=8,
        catalog_size=120,
        seed=42,
        show_bars=False,
        on_simulator=heard.append,
    )
    printed = capsys.readouterr()
    assert printed.out == ""
    assert "Simulated TMDB" not in printed.err  # the CLI's words, not the library's
    assert len(heard) == 1
    assert heard[0].startswith("http://127.0.0.1:")
    assert run.outcome.status == "complete"
    assert run.path == out / "movies.json"
    assert run.exported == len(json.loads(run.path.read_bytes())) > 0
    assert run.outcome.requests > 0
