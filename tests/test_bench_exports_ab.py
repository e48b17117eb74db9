"""scripts/bench_exports_ab.py on a small collection: one round, this tree, ``--parts default``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import SmallCollection
from tmdb_collector.media import MOVIE

ROOT = Path(__file__).resolve().parents[1]


def test_parts_default_is_the_medias_default_part_set(
    small_collection: SmallCollection, tmp_path: Path
) -> None:
    script = ROOT / "scripts" / "bench_exports_ab.py"
    args = ["--db", str(small_collection.db), "--parts", "default", "--rounds", "1"]
    args += ["--tree", f"this={ROOT / 'src'}", "--export", "csv", "--workdir", str(tmp_path)]
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "failed" not in done.stdout
    named = ",".join(MOVIE.default_parts)
    assert f"medians of 1 rounds, --parts default ({named}):" in done.stdout
    assert "this     csv" in done.stdout.split("medians")[1]
