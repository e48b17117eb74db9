"""A/B of the first sync between source trees: the same collection synced by each tree's code
in turn, round after round, on one PostgreSQL server; the CPU of the sync's process and of the
server (its processes that ended: the backend and its parallel workers), which on a loaded
machine are steadier than wall time. The trees take turns, their order reversed every other
round.

The collection is built as bench_sync.py builds it (``--movies``), or given (``--db``). The
server is started as the tests start it, with autovacuum off, so that one sync's tables being
vacuumed is not counted in the next. Each sync loads a fresh schema (a full load).

    .venv/bin/python scripts/ab_sync.py --movies 100000 --rounds 3 \\
        --tree main=../main/src --tree this=src
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/support

from bench_sync import server_cpu
from bench_tables import build, collect_source
from tests.support.postgres import postgres_server

from tmdb_collector.media import MOVIE

CLI = "import sys; from tmdb_collector.cli import main; sys.argv[0] = 'tmdb-collector'; main()"


def run_sync(db: Path, dsn: str, schema: str, tree: str) -> tuple[float, float, float]:
    """One full load by ``tree``'s code: wall seconds, the sync's CPU, the server's CPU."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    server_before = server_cpu(dsn)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    args = [sys.executable, "-c", CLI, "sync", "--db", str(db), "--to", dsn]
    done = subprocess.run(
        [*args, "--schema", schema, "--no-progress"],
        env={**os.environ, "PYTHONPATH": str(Path(tree).resolve())},
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        raise SystemExit(f"sync by {tree} failed: {done.stderr.strip()[-500:]}")
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return wall, cpu, server_cpu(dsn) - server_before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="a collection to sync (else one is built)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", action="append", required=True, help="NAME=SRC_DIR")
    args = parser.parse_args()
    trees = dict(tree.split("=", 1) for tree in args.tree)
    with tempfile.TemporaryDirectory(prefix="ab-sync-") as tmp, postgres_server() as server:
        dsn = server.dsn()
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET autovacuum = off")
            conn.execute("SELECT pg_reload_conf()")
        db = args.db
        if db is None:
            print(f"building {args.movies:,} movies...", flush=True)
            db = Path(tmp) / "big.db"
            build(collect_source(Path(tmp)), db, args.movies, MOVIE.default_parts)
        found: dict[str, list[tuple[float, float, float]]] = {name: [] for name in trees}
        for number in range(args.rounds):
            order = list(trees.items())  # reversed every other round: neither always first
            for name, tree in order if number % 2 == 0 else reversed(order):
                wall, cpu, server_seconds = run_sync(db, dsn, f"ab_{name}", tree)
                found[name].append((wall, cpu, server_seconds))
                print(
                    f"round {number + 1} {name}: wall {wall:.1f} s, CPU sync {cpu:.1f} s +"
                    f" server {server_seconds:.1f} s = {cpu + server_seconds:.1f} s;"
                    f" load average {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    for name, runs in found.items():
        wall, cpu, server_seconds = (statistics.median(run[i] for run in runs) for i in range(3))
        print(
            f"median {name}: wall {wall:.1f} s, CPU sync {cpu:.1f} s + server"
            f" {server_seconds:.1f} s = {cpu + server_seconds:.1f} s"
        )


if __name__ == "__main__":
    main()
