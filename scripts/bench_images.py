"""`make bench` (images, #25): the download's pace against its rate cap, its memory, and a rerun.

Every figure comes from a run here, ``tmdb-collector images`` a child process (peak RSS and CPU
its own, through bench.py's launcher) against the simulator in another process, its image CDN
given ``--image-latency-ms`` and an ``--image-rate-limit`` equal to the cap:

* cap: the posters of a small collection (``--small`` movies) at ``--rate RATE``; the steady
  pace is read from the run's own ``--progress json`` events (files between the first and the
  last ``progress`` event over the time between them). Target >= 0.9 of RATE, no 429.
* many: the posters and backdrops of a large collection (``--movies`` movies, about 1.7 files
  a movie) at a high cap; its peak RSS against the small run's (target: flat, within 25 MB).
* rerun: the same command again over the files in place: wall time, and the requests the
  simulator served (target: /configuration alone, no image; seconds, not minutes).

    .venv/bin/python scripts/bench_images.py                       # 6,000 movies
    .venv/bin/python scripts/bench_images.py --movies 1500 --small 300   # quicker
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (
    BENCH_KEY,
    EXPORT_DATE,
    Child,
    check_child,
    child_env,
    cli,
    run_child,
    sim_stats,
    stats_delta,
)

from tmdb_collector.simulator.process import SimulatorProcess, simulator_process

FLAT_MB = 25.0  # peak RSS may grow this much from the small run to the large one


@dataclass
class Run:
    name: str
    files: int
    skipped: int
    wall: float
    steady_rate: float | None
    requests: int
    throttled: int
    cpu: float
    peak_rss_mib: float


def collect(sim: SimulatorProcess, db: Path, workdir: Path) -> None:
    source = f"{sim.root_url}/p/exports/movie_ids_{EXPORT_DATE}.json.gz"
    args = cli("collect", "--db", str(db), "--base-url", sim.base_url, "--ids-from", source)
    args += ["--parts", "none", "--rate", "1000", "--concurrency", "20", "--no-progress"]
    check_child(run_child(args, child_env(), workdir), "collect")


def keep_first(source: Path, target: Path, movies: int) -> None:
    """A copy of ``source`` holding its first ``movies`` movies only."""
    with sqlite3.connect(source) as db, sqlite3.connect(target) as copy:
        db.backup(copy)
    copy = sqlite3.connect(target, isolation_level=None)
    try:
        copy.execute(
            "DELETE FROM items WHERE id NOT IN (SELECT id FROM items ORDER BY id LIMIT ?)",
            (movies,),
        )
    finally:
        copy.close()


def events(child: Child) -> list[dict[str, Any]]:
    return [json.loads(line) for line in child.stderr.splitlines() if line.startswith("{")]


def steady_rate(child: Child) -> float | None:
    """Files a second between the first and the last ``progress`` event that counted files."""
    stamps = [
        (event["elapsed"], event["files"])
        for event in events(child)
        if event["event"] == "progress" and event.get("files")
    ]
    if len(stamps) < 2 or stamps[-1][0] <= stamps[0][0]:
        return None
    return float((stamps[-1][1] - stamps[0][1]) / (stamps[-1][0] - stamps[0][0]))


def images(
    sim: SimulatorProcess, name: str, db: Path, out: Path, workdir: Path, *extra: str
) -> Run:
    args = cli("images", "--db", str(db), "--out", str(out), "--base-url", sim.base_url)
    args += ["--progress", "json", *extra]
    before = sim_stats(sim)
    child = run_child(args, child_env(), workdir)
    check_child(child, f"images ({name})")
    requests, throttled = stats_delta(before, sim_stats(sim))
    finish = events(child)[-1]
    return Run(
        name,
        finish["files"],
        finish["skipped"],
        child.wall,
        steady_rate(child),
        requests,
        throttled,
        child.cpu,
        child.peak_rss_mib,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=6000)
    parser.add_argument("--small", type=int, default=1000)
    parser.add_argument("--rate", type=float, default=40.0)
    parser.add_argument("--latency-ms", type=float, default=100.0)
    args = parser.parse_args()
    sim_args = ["--catalog-size", str(args.movies), "--image-latency-ms", str(args.latency_ms)]
    with (
        tempfile.TemporaryDirectory(prefix="bench-images-") as tmp,
        simulator_process(
            [*sim_args, "--image-rate-limit", str(args.rate)], api_key=BENCH_KEY
        ) as capped,
    ):
        workdir = Path(tmp)
        big, small = workdir / "big.db", workdir / "small.db"
        collect(capped, big, workdir)
        keep_first(big, small, args.small)
        cap = images(capped, "cap", small, workdir / "small", workdir, "--rate", str(args.rate))
        with simulator_process(sim_args, api_key=BENCH_KEY) as free:
            fast = ["--kinds", "poster,backdrop", "--size", "w780", "--rate", "2000"]
            fast += ["--concurrency", "20"]
            many = images(free, "many", big, workdir / "big", workdir, *fast)
            rerun = images(free, "rerun", big, workdir / "big", workdir, *fast)
    runs = [cap, many, rerun]
    print(f"{'run':<6} {'files':>7} {'present':>7} {'wall s':>7} {'steady/s':>9} "
          f"{'requests':>8} {'429':>4} {'cpu s':>6} {'peak MiB':>8}")  # fmt: skip
    for run in runs:
        rate = "-" if run.steady_rate is None else f"{run.steady_rate:.1f}"
        print(
            f"{run.name:<6} {run.files:>7,} {run.skipped:>7,} {run.wall:>7.1f} {rate:>9}"
            f" {run.requests:>8,} {run.throttled:>4} {run.cpu:>6.1f} {run.peak_rss_mib:>8.1f}"
        )
    checks = [
        (
            f"cap: steady {cap.steady_rate or 0:.1f} files/s >= 0.9 x {args.rate:g}",
            (cap.steady_rate or 0) >= 0.9 * args.rate and cap.throttled == 0,
        ),
        (
            f"memory flat: {many.files:,} files peak {many.peak_rss_mib:.1f} MiB vs"
            f" {cap.files:,} files {cap.peak_rss_mib:.1f} MiB",
            many.peak_rss_mib - cap.peak_rss_mib <= FLAT_MB,
        ),
        (
            f"rerun: {rerun.skipped:,} files present in {rerun.wall:.1f} s,"
            f" {rerun.requests} request(s) (/configuration)",
            rerun.requests == 1 and rerun.files == 0 and rerun.wall < 30,
        ),
    ]
    failed = 0
    for text, ok in checks:
        print(f"{'ok  ' if ok else 'MISS'} {text}")
        failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
