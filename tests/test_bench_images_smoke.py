"""Cheap checks of scripts/bench_images.py (`make bench`); the benchmark itself is not run."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


@pytest.fixture(scope="module")
def bench_images() -> ModuleType:
    sys.path.insert(0, str(SCRIPTS))
    spec = importlib.util.spec_from_file_location("tmdb_bench_images", SCRIPTS / "bench_images.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["tmdb_bench_images"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_steady_rate_is_read_between_the_first_and_last_progress_events(
    bench_images: ModuleType,
) -> None:
    lines = [
        {"event": "start"},
        {"event": "progress", "elapsed": 0.5, "files": 0},  # before the first file: left out
        {"event": "progress", "elapsed": 5.5, "files": 100},
        {"event": "progress", "elapsed": 10.5, "files": 300},
        {"event": "progress", "elapsed": 15.5, "files": 500},
        {"event": "finish", "elapsed": 16.0, "files": 520},
    ]
    stderr = "\n".join(json.dumps(line) for line in lines)
    child = bench_images.Child(0, 16.0, 1.0, 40.0, "", stderr)
    assert bench_images.steady_rate(child) == pytest.approx(40.0)
    assert bench_images.steady_rate(bench_images.Child(0, 1.0, 0.1, 40.0, "", "")) is None
