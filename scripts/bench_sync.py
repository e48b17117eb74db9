"""`make bench` (sync): ``sync --to postgresql://`` against a real server, at scale.

A few hundred movies are collected from the simulator (``--parts all``) and copied under new
ids into a collection of ``--movies`` movies with the default parts (bench_tables.py's
``build``). A PostgreSQL server is started as the tests start it (tests/support/postgres.py).
Measured, each a child process timed by bench.py's launcher (wall seconds):

* the first sync (every table created, loaded with COPY, keys and indexes added);
* against it, the hand-made route: ``export --format parquet`` of the same collection plus
  the server's COPY of those files (each parquet file read with pyarrow and sent with
  ``COPY ... FROM STDIN``, into tables without keys or indexes);
* an incremental sync after ``--changed`` (default 1%) of the titles were saved again (their
  ``ids.updated_at`` moved, as a refetch moves it), which rewrites those titles' rows only;
  before it the server is settled (VACUUM ANALYZE, what autovacuum does after a bulk load
  long before the next day's sync).

    .venv/bin/python scripts/bench_sync.py                    # 100,000 movies
    .venv/bin/python scripts/bench_sync.py --movies 20000     # quicker
"""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/support

from bench import check_child, child_env, cli, run_child
from bench_tables import build, collect_source
from tests.support.postgres import PgServer, no_other_session, postgres_server

from tmdb_collector.history.tables import HISTORY_TABLES
from tmdb_collector.media import MOVIE
from tmdb_collector.sync.target import PASSWORD_ENV

TARGET_INCREMENTAL = 0.05  # an incremental sync of 1% changed: under 5% of the first's time


def server_cpu(dsn: str) -> float:
    """CPU seconds of the server's processes that have ended (backends, parallel workers,
    autovacuum workers): the postmaster's children's times, once every other client's
    backend has ended (a closed connection's backend exits a moment later)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        no_other_session(conn, "backend_type = 'client backend'", 10)
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        assert row is not None
        stat = Path(f"/proc/{row[0]}/stat").read_text().rsplit(")", 1)[1].split()
        fields = Path(f"/proc/{stat[1]}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    """CPU seconds of a running backend (the server runs on this machine): the hand-made
    COPY's, read before its connection closes (a closed backend's CPU reaches the
    postmaster's children's times only once it has been reaped, which :func:`server_cpu`
    may look too early for)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sync(db: Path, server: PgServer, schema: str, workdir: Path) -> float:
    """One ``sync`` (the password in PGPASSWORD, as the docs advise): its wall seconds."""
    env = {**child_env(), PASSWORD_ENV: server.password}
    before = server_cpu(server.dsn())
    child = run_child(
        cli("sync", "--db", str(db), "--to", server.dsn(password=""), "--schema", schema),
        env,
        workdir,
    )
    check_child(child, f"sync --schema {schema}")
    print("   ", child.stdout.strip()[:300], flush=True)
    print(
        f"    CPU: sync {child.cpu:.1f} s, server {server_cpu(server.dsn()) - before:.1f} s;"
        f" load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return child.wall


def csv_bytes(batch: Any) -> bytes:
    """A batch of a parquet file as the text of ``COPY ... (FORMAT csv)``, written by Arrow's
    CSV writer, as a hand-made loader would: Arrow quotes every string and leaves a null
    unquoted and empty (how PostgreSQL's CSV tells an empty string from NULL); a list becomes
    an array literal (``{"a","b"}``) first; NUL characters are dropped (text cannot hold them)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    arrays = []
    for column in batch.columns:
        if pa.types.is_string(column.type):
            column = _no_nul(column)
        elif pa.types.is_list(column.type):
            column = _array_literal(column)
        arrays.append(column)
    out = io.BytesIO()
    plain = pa.Table.from_arrays(arrays, names=batch.schema.names)
    pa_csv.write_csv(plain, out, pa_csv.WriteOptions(include_header=False))
    return out.getvalue()


def _no_nul(values: Any) -> Any:
    import pyarrow.compute as pc

    return pc.replace_substring(values, "\x00", "")


def _array_literal(lists: Any) -> Any:
    """``[a, b]`` -> ``{"a","b"}`` (each element quoted, ``\\`` and ``"`` escaped)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    text = _no_nul(pc.list_flatten(lists).cast(pa.string()))
    text = pc.replace_substring(text, "\\", "\\\\")
    text = pc.replace_substring(text, '"', '\\"')
    text = pc.binary_join_element_wise('"', text, '"', "")
    lengths = pc.fill_null(pc.list_value_length(lists), 0)
    offsets = pa.concat_arrays(
        [pa.array([0], pa.int64()), pc.cumulative_sum(pc.cast(lengths, pa.int64()))]
    )
    rebuilt = pa.ListArray.from_arrays(pc.cast(offsets, pa.int32()), text, mask=pc.is_null(lists))
    joined = pc.binary_join(rebuilt, ",")
    return pc.binary_join_element_wise("{", joined, "}", "")


def export_and_copy(db: Path, dsn: str, workdir: Path) -> tuple[float, float]:
    """``export --format parquet`` (a child), then every file COPYed into schema ``handmade``
    (in this process, as CSV text: :func:`csv_bytes`): the seconds of each."""
    import psycopg
    import pyarrow.parquet as pq

    from tmdb_collector.sync.copy_text import column_list, create_table

    out = workdir / "parquet"
    child = run_child(
        cli("export", "--db", str(db), "--format", "parquet", "--out", str(out)),
        child_env(),
        workdir,
    )
    check_child(child, "export --format parquet")
    tables = {**MOVIE.tables.tables, **HISTORY_TABLES}
    began, began_cpu = time.monotonic(), time.process_time()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        backend = conn.info.backend_pid
        backend_before = backend_cpu(backend)
        cur.execute("CREATE SCHEMA handmade")
        for path in sorted(out.glob("*.parquet")):
            columns = tables[path.stem]
            cur.execute(create_table("handmade", path.stem, columns).encode())
            # Not vacuumed behind the incremental sync's back (only there to be timed).
            cur.execute(f"ALTER TABLE handmade.{path.stem} SET (autovacuum_enabled = false)")
            names = column_list(columns)
            statement = f"COPY handmade.{path.stem} ({names}) FROM STDIN (FORMAT csv)"
            with cur.copy(statement.encode()) as copy:
                for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
                    copy.write(csv_bytes(batch))
        took, took_cpu = time.monotonic() - began, time.process_time() - began_cpu
        copy_server = backend_cpu(backend) - backend_before
        cur.execute("DROP SCHEMA handmade CASCADE")
    print(
        f"    CPU: export {child.cpu:.1f} s, COPY's client {took_cpu:.1f} s, server"
        f" {copy_server:.1f} s; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return child.wall, took


def settle(dsn: str) -> None:
    """VACUUM ANALYZE the synced tables, as autovacuum would have done by the next day's sync
    (right after a bulk load it is still at work, competing for the 2 cores)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def touch(db: Path, share: float) -> int:
    """Mark ``share`` of the titles saved again (every n-th id); returns how many."""
    with sqlite3.connect(db) as con:
        ids = [row[0] for row in con.execute("SELECT id FROM items ORDER BY id")]
        step = max(1, round(1 / share))
        chosen = ids[::step]
        con.executemany(
            "UPDATE ids SET updated_at = '2099-01-01T00:00:00+00:00' WHERE id = ?",
            [(i,) for i in chosen],
        )
    return len(chosen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.01, help="share of titles changed")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp, postgres_server() as server:
        workdir = Path(tmp)
        print(f"collecting the source movies, then building {args.movies:,}...", flush=True)
        source = collect_source(workdir)
        db = workdir / "big.db"
        build(source, db, args.movies, MOVIE.default_parts)
        dsn = server.dsn()
        print("first sync:", flush=True)
        first = sync(db, server, "tmdb", workdir)
        print(f"  {first:.1f} s ({args.movies / first:,.0f} movies/s)", flush=True)
        exported, copied = export_and_copy(db, dsn, workdir)
        print(
            f"parquet export + COPY of its files: {exported:.1f} + {copied:.1f}"
            f" = {exported + copied:.1f} s",
            flush=True,
        )
        settle(dsn)
        changed = touch(db, args.changed)
        print(f"incremental sync, {changed:,} titles changed:", flush=True)
        again = sync(db, server, "tmdb", workdir)
        share = again / first
        print(f"  {again:.1f} s = {share:.1%} of the first sync's time", flush=True)
        verdict_first = "ok" if first <= exported + copied else "SLOWER"
        verdict_again = "ok" if share < TARGET_INCREMENTAL else "OVER"
        print(
            f"summary: {args.movies:,} movies; first sync {first:.1f} s vs export+COPY"
            f" {exported + copied:.1f} s = {first / (exported + copied):.2f} of its time"
            f" (target <= 1: {verdict_first}); incremental {again:.1f} s ="
            f" {share:.1%} of the first (target < {TARGET_INCREMENTAL:.0%}: {verdict_again})"
        )
    if verdict_first != "ok" or verdict_again != "ok":
        raise SystemExit("bench: a sync target was missed (see the summary)")


if __name__ == "__main__":
    main()
