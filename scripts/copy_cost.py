"""The server's CPU for COPY of the same rows: CSV against binary, and with the primary key
grown during the load, built after it, or left out.

A collection of ``--movies`` movies is built and synced (as bench_sync.py does); then the rows
of movies, cast, crew and recommendations are read back with ``COPY ... TO STDOUT`` in each
format (the server's own CSV: it quotes less than Arrow's) and copied into fresh tables of the
same shape, each way in turn, ``--rounds`` times; the backend's CPU and its parallel workers'
are summed over the four tables.

    .venv/bin/python scripts/copy_cost.py --movies 100000
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/support

from bench_tables import build, collect_source
from tests.support.postgres import postgres_server

from tmdb_collector.media import MOVIE

KEYS = {
    "movies": "id",
    "cast": "movie_id, credit_id",
    "crew": "movie_id, credit_id",
    "recommendations": "movie_id, rank",
}
# (format, primary key: "during" the load, "after" it, or "none")
WAYS = [("csv", "none"), ("binary", "none"), ("csv", "during"), ("binary", "during")]
WAYS += [("binary", "after")]
_TICK = os.sysconf("SC_CLK_TCK")


def _cpu(pid: int, children: bool = False) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    at = 13 if children else 11
    return (int(fields[at]) + int(fields[at + 1])) / _TICK


def _copied(conn: Any, data: dict[tuple[str, str], bytes], fmt: str, key: str) -> float:
    """Server CPU seconds to load the four tables one way."""
    pid = conn.info.backend_pid
    postmaster = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    total = 0.0
    with conn.cursor() as cur:
        for table, columns in KEYS.items():
            cur.execute("DROP SCHEMA IF EXISTS cost CASCADE")
            cur.execute("CREATE SCHEMA cost")
            conn.commit()
            keyed = f", PRIMARY KEY ({columns})" if key == "during" else ""
            cur.execute(f'CREATE TABLE cost."{table}" (LIKE tmdb."{table}"{keyed})')
            backend, workers = _cpu(pid), _cpu(postmaster, True)
            with cur.copy(f'COPY cost."{table}" FROM STDIN (FORMAT {fmt}, FREEZE)') as copy:
                rows = data[table, fmt]
                for at in range(0, len(rows), 1 << 20):
                    copy.write(rows[at : at + (1 << 20)])
            if key == "after":
                cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
                cur.execute(f'ALTER TABLE cost."{table}" ADD PRIMARY KEY ({columns})')
            conn.commit()
            total += _cpu(pid) - backend + _cpu(postmaster, True) - workers
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    import psycopg

    from tmdb_collector.store.store import Store
    from tmdb_collector.sync.run import sync
    from tmdb_collector.sync.target import parse_target

    with tempfile.TemporaryDirectory(prefix="copy-cost-") as tmp, postgres_server() as pg:
        print(f"building and syncing {args.movies:,} movies...", flush=True)
        db = Path(tmp) / "big.db"
        build(collect_source(Path(tmp)), db, args.movies, MOVIE.default_parts)
        with Store.open_existing(db) as store:
            sync(store, parse_target(pg.dsn(), "tmdb"))
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET autovacuum = off")
            conn.execute("SELECT pg_reload_conf()")
        with psycopg.connect(pg.dsn()) as conn:
            data: dict[tuple[str, str], bytes] = {}
            with conn.cursor() as cur:
                for table in KEYS:
                    for fmt in ("csv", "binary"):
                        rows = bytearray()
                        with cur.copy(f'COPY tmdb."{table}" TO STDOUT (FORMAT {fmt})') as copy:
                            for chunk in copy:
                                rows += chunk
                        data[table, fmt] = bytes(rows)
            conn.commit()
            for fmt in ("csv", "binary"):
                size = sum(len(data[table, fmt]) for table in KEYS)
                print(f"{fmt}: {size / 1e6:,.0f} MB", flush=True)
            for number in range(args.rounds):
                for fmt, key in WAYS:
                    seconds = _copied(conn, data, fmt, key)
                    print(
                        f"round {number + 1}: {fmt}, primary key {key}: server CPU"
                        f" {seconds:.2f} s; load average {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
