"""What ``export --language`` costs: the same exports with and without it.

A few hundred movies are collected from the simulator with the default parts and
``translations``; their stored rows are then repeated under new ids into a collection of
``--movies`` movies (as stored: the same compressed frames and dictionaries). It is exported as
parquet and as jsonl, without and with ``--language de-DE --fallback en-US``, each a child
process measured by bench.py's launcher (wall time, CPU seconds, peak RSS), ``--repeat`` times;
the median is reported.

    .venv/bin/python scripts/bench_localize.py                  # 50,000 movies
    .venv/bin/python scripts/bench_localize.py --movies 10000   # quicker
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import BENCH_KEY, check_child, child_env, cli, run_child

from tmdb_collector.media import MOVIE
from tmdb_collector.simulator.process import simulator_process

PARTS = ",".join((*MOVIE.default_parts, "translations"))
SOURCE_PLAN = ["--popular-pages", "0", "--genre-pages", "3", "--genres", "28,35,18,27,878"]
LANGUAGE = ["--language", "de-DE", "--fallback", "en-US"]


def collect_source(workdir: Path) -> Path:
    db = workdir / "source.db"
    with simulator_process(["--catalog-size", "20000"], api_key=BENCH_KEY) as sim:
        args = cli("collect", "--db", str(db), "--base-url", sim.base_url, "--no-progress")
        args += [*SOURCE_PLAN, "--parts", PARTS, "--rate", "1000", "--concurrency", "16"]
        check_child(run_child(args, child_env(), workdir), "collect")
    return db


def repeat_rows(source: Path, target: Path, movies: int) -> None:
    """``target``: a copy of ``source`` whose items are the source's in turn, under new ids,
    until it holds ``movies`` (its provenance and versions dropped: not what is measured)."""
    with sqlite3.connect(source) as db:
        db.execute("VACUUM INTO ?", (str(target),))
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("BEGIN")
    for table in ("provenance", "part_versions"):
        db.execute(f"DELETE FROM {table}")
    originals = [row[0] for row in db.execute("SELECT id FROM items ORDER BY id")]
    top = max(originals)
    for n in range(len(originals), movies):
        old, new = originals[n % len(originals)], top + n
        db.execute(
            "INSERT INTO ids SELECT ?, status, ?, attempts, error, updated_at FROM ids"
            " WHERE id = ?",
            (new, n, old),
        )
        db.execute(
            "INSERT INTO items SELECT ?, details, fetched_at FROM items WHERE id = ?", (new, old)
        )
        db.execute(
            "INSERT INTO parts SELECT ?, name, body FROM parts WHERE item_id = ?", (new, old)
        )
    db.execute("COMMIT")
    db.close()


def export(db: Path, fmt: str, extra: list[str], workdir: Path) -> tuple[float, float, float]:
    out = workdir / ("out" if fmt == "parquet" else "out.jsonl")
    args = cli("export", "--db", str(db), "--format", fmt, "--out", str(out), *extra)
    child = run_child(args, child_env(), workdir)
    check_child(child, f"export --format {fmt} {' '.join(extra)}")
    return child.wall, child.cpu, child.peak_rss_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="exports of each; the median counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tmdb-bench-localize-") as folder:
        workdir = Path(folder)
        db = workdir / "scale.db"
        repeat_rows(collect_source(workdir), db, args.movies)
        print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load {os.getloadavg()}")
        print(f"{args.movies:,} movies, parts {PARTS}; the median of {args.repeat} exports")
        print("| format | --language | wall s | movies/s | CPU s | peak RSS MiB |")
        print("|---|---|---|---|---|---|")
        for fmt in ("parquet", "jsonl"):
            for extra in ([], LANGUAGE):
                runs = sorted(export(db, fmt, extra, workdir) for _ in range(args.repeat))
                wall, cpu, _ = runs[len(runs) // 2]
                rss = max(run[2] for run in runs)
                language = " ".join(extra[1::2]) or "none"
                print(
                    f"| {fmt} | {language} | {wall:.1f} | {args.movies / wall:,.0f} | {cpu:.1f} |"
                    f" {rss:.0f} |"
                )
        print(f"load {os.getloadavg()}")


if __name__ == "__main__":
    main()
