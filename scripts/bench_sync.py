"""`make bench` (sync): ``sync --to postgresql://`` against a real server, at scale.

A few hundred movies are collected from the simulator (``--parts all``) and copied under new
ids into a collection of ``--movies`` movies with the default parts (bench_tables.py's
``build``). A PostgreSQL server is started as the tests start it (tests/support/postgres.py).
Measured, each a child process timed by bench.py's launcher (wall seconds):

* the first sync (every table created, loaded with COPY, keys and indexes added);
* against it, the hand-made route: ``export --format parquet`` of the same collection plus
  the server's COPY of those files (each parquet file read with pyarrow and sent with
  ``COPY ... FROM STDIN``, into tables without keys or indexes): #26's target;
* and, like for like (printed beside it, not the target), the same files COPYed into tables
  made by the sync's own statements, then the primary keys and join-key indexes the sync adds
  (``sync/run.py``'s ``create_for_load`` and ``keys_after_load``), so that its end state is the
  sync's;
* an incremental sync after ``--changed`` (default 1%) of the titles were saved again (their
  ``ids.updated_at`` moved, as a refetch moves it), which rewrites those titles' rows only;
  before it the server is settled (VACUUM ANALYZE, what autovacuum does after a bulk load
  long before the next day's sync).

With ``--history`` the collection also holds ``watch/providers``, each title with an earlier
version of it (a week before) and its first day's marker, as a collection refreshed daily
holds them: the sync then writes ``availability`` and ``part_versions`` too.

The package's bytecode is compiled first (``compileall``, into its ``__pycache__``), as an
installed wheel has it: with ``PYTHONDONTWRITEBYTECODE`` set (as in the VM's environment) an
editable install's children would otherwise compile every module of ours at each start.

    .venv/bin/python scripts/bench_sync.py                    # 100,000 movies
    .venv/bin/python scripts/bench_sync.py --movies 20000     # quicker
    .venv/bin/python scripts/bench_sync.py --history          # with availability's history
    git archive main src | tar -x -C /tmp/main-tree           # then main's tree against this one:
    .venv/bin/python scripts/bench_sync.py --tree main=/tmp/main-tree/src --tree branch=src
    cp DB /tmp/copy.db && .venv/bin/python scripts/bench_sync.py --db /tmp/copy.db   # built before
"""

from __future__ import annotations

import argparse
import compileall
import io
import os
import sqlite3
import statistics
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

import tmdb_collector
from tmdb_collector.history.tables import HISTORY_TABLES
from tmdb_collector.media import MOVIE
from tmdb_collector.media.links import DETAILS
from tmdb_collector.media.rows import WATCH_PROVIDERS
from tmdb_collector.store.store import Store
from tmdb_collector.sync.pg_schema import column_list, create_table
from tmdb_collector.sync.run import INDEX_MEMORY, create_for_load, keys_after_load
from tmdb_collector.sync.source import SyncTable, scopes
from tmdb_collector.sync.target import PASSWORD_ENV

TARGET_INCREMENTAL = 0.05  # an incremental sync of 1% changed: under 5% of the first's time


def backend_cpu(pid: int) -> float:
    """CPU seconds of a running backend (the server runs on this machine): the hand-made
    COPY's, read before its connection closes (a closed backend's CPU reaches the
    postmaster's children's times only once it has been reaped, which :func:`server_cpu`
    may look too early for)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def sync(
    db: Path, server: PgServer, schema: str, workdir: Path, tree: Path | None = None
) -> tuple[float, float, float]:
    """One ``sync`` (the password in PGPASSWORD, as the docs advise; the package from ``tree``
    if given): its wall seconds, its CPU seconds and the server's."""
    env = {**child_env(), PASSWORD_ENV: server.password}
    if tree is not None:
        env["PYTHONPATH"] = str(tree.resolve())
    before = server_cpu(server.dsn())
    child = run_child(
        cli("sync", "--db", str(db), "--to", server.dsn(password=""), "--schema", schema),
        env,
        workdir,
    )
    check_child(child, f"sync --schema {schema}")
    served = server_cpu(server.dsn()) - before
    print("   ", child.stdout.strip()[:300], flush=True)
    print(
        f"    {child.wall:.2f} s; CPU: sync {child.cpu:.2f} s, server {served:.2f} s;"
        f" load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return child.wall, child.cpu, served


def interleaved(
    db: Path, server: PgServer, workdir: Path, trees: dict[str, Path], rounds: int, share: float
) -> None:
    """``rounds`` more incremental syncs with each source tree (a directory holding the
    ``tmdb_collector`` package, its bytecode compiled first), the trees taking turns (their
    order reversed every other round), each after ``share`` of other titles changed: the
    median wall, CPU and server CPU of each. The trees must keep the same sync state format
    (``sync/run.py``'s STATE_VERSION), or each would load everything anew."""
    for tree in trees.values():
        compileall.compile_dir(tree / "tmdb_collector", quiet=1)
    found: dict[str, list[tuple[float, float, float]]] = {name: [] for name in trees}
    turn = 1
    for n in range(rounds):
        order = list(trees.items())
        for name, tree in order if n % 2 == 0 else reversed(order):
            changed = touch(db, share, turn)
            turn += 1
            print(f"round {n + 1}, {name}, {changed:,} titles changed:", flush=True)
            found[name].append(sync(db, server, "tmdb", workdir, tree))
    for name, runs in found.items():
        wall, cpu, served = (statistics.median(run[i] for run in runs) for i in range(3))
        print(
            f"  {name}: median of {len(runs)}: {wall:.2f} s; CPU: sync {cpu:.2f} s,"
            f" server {served:.2f} s"
        )


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


def export_and_copy(db: Path, dsn: str, workdir: Path) -> tuple[float, float, float]:
    """``export --format parquet`` (a child), then every file COPYed (in this process, as CSV
    text: :func:`csv_bytes`) twice: into tables without keys or indexes (schema ``handmade``),
    and into tables made as the sync makes them, its keys and join-key indexes added after
    (schema ``handkeyed``: the sync's end state). The seconds of the export and of each COPY."""
    out = workdir / "parquet"
    child = run_child(
        cli("export", "--db", str(db), "--format", "parquet", "--out", str(out)),
        child_env(),
        workdir,
    )
    check_child(child, "export --format parquet")
    print(f"    CPU: export {child.cpu:.1f} s", flush=True)
    bare = copy_files(out, dsn, "handmade", None)
    with Store.open_existing(db) as store:
        keyed = {table.name: table for scope in scopes(store) for table in scope.tables}
    return child.wall, bare, copy_files(out, dsn, "handkeyed", keyed)


def copy_files(out: Path, dsn: str, schema: str, keyed: dict[str, SyncTable] | None) -> float:
    """Every parquet file in ``out`` COPYed into a table of ``schema`` (dropped after), made
    bare or (``keyed``) by the sync's own statements, with its keys and indexes after the load
    (with the sync's ``maintenance_work_mem``); its seconds."""
    import psycopg
    import pyarrow.parquet as pq

    tables = {**MOVIE.tables.tables, **HISTORY_TABLES}
    began, began_cpu = time.monotonic(), time.process_time()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        backend = conn.info.backend_pid
        backend_before = backend_cpu(backend)
        cur.execute(f"CREATE SCHEMA {schema}")
        if keyed is not None:
            cur.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'")
        for path in sorted(out.glob("*.parquet")):
            columns = tables[path.stem]
            made = create_table(schema, path.stem, columns)
            if keyed is not None:
                made = create_for_load(schema, keyed[path.stem])
            cur.execute(made.encode())
            # Not vacuumed behind the incremental sync's back (only there to be timed).
            cur.execute(f"ALTER TABLE {schema}.{path.stem} SET (autovacuum_enabled = false)")
            names = column_list(columns)
            statement = f"COPY {schema}.{path.stem} ({names}) FROM STDIN (FORMAT csv)"
            with cur.copy(statement.encode()) as copy:
                for batch in pq.ParquetFile(path).iter_batches(batch_size=50_000):
                    copy.write(csv_bytes(batch))
            for after in keys_after_load(schema, keyed[path.stem]) if keyed else ():
                cur.execute(after.encode())
        took, took_cpu = time.monotonic() - began, time.process_time() - began_cpu
        # the backend's own: a parallel index build's workers are not counted (nor could they
        # be told here from autovacuum's workers, which end in the meantime too)
        copy_server = backend_cpu(backend) - backend_before
        cur.execute(f"DROP SCHEMA {schema} CASCADE")
    print(
        f"    COPY into {schema}: {took:.1f} s; CPU: client {took_cpu:.1f} s, server"
        f" {copy_server:.1f} s; load average {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    return took


def settle(dsn: str) -> None:
    """VACUUM ANALYZE the synced tables, as autovacuum would have done by the next day's sync
    (right after a bulk load it is still at work, competing for the 2 cores)."""
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def touch(db: Path, share: float, turn: int = 0) -> int:
    """Mark ``share`` of the titles saved again (every n-th id, from the ``turn``-th on, with
    a time of that turn's: other titles at each turn); returns how many."""
    with sqlite3.connect(db) as con:
        ids = [row[0] for row in con.execute("SELECT id FROM items ORDER BY id")]
        step = max(1, round(1 / share))
        chosen = ids[turn % step :: step]
        stamp = f"2099-01-01T{turn // 3600 % 24:02d}:{turn // 60 % 60:02d}:{turn % 60:02d}+00:00"
        con.executemany("UPDATE ids SET updated_at = ? WHERE id = ?", [(stamp, i) for i in chosen])
    return len(chosen)


def add_history(db: Path) -> None:
    """Give each title the versions a daily refresh of ``watch/providers`` leaves: its first
    day's marker, an earlier ``watch/providers`` (the next title's body) seen a week before
    and a marker for the one held now (store/versions.py)."""
    earlier, now = "2026-11-17", "2026-11-24"
    with sqlite3.connect(db) as con:
        con.execute(
            "INSERT INTO part_versions SELECT 'movie', id, ?, ?, NULL FROM items",
            (DETAILS, earlier),
        )
        con.execute(
            "INSERT INTO part_versions SELECT 'movie', p.item_id, p.name, ?, COALESCE((SELECT"
            " q.body FROM parts q WHERE q.name = p.name AND q.item_id = p.item_id + 7), p.body)"
            " FROM parts p WHERE p.name = ?",
            (earlier, WATCH_PROVIDERS),
        )
        con.execute(
            "INSERT INTO part_versions SELECT 'movie', item_id, name, ?, NULL FROM parts"
            " WHERE name = ?",
            (now, WATCH_PROVIDERS),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.01, help="share of titles changed")
    parser.add_argument(
        "--history", action="store_true", help="with watch/providers and its versions"
    )
    parser.add_argument(
        "--tree",
        action="append",
        default=[],
        metavar="NAME=SRC",
        help="then incremental syncs with each of these package trees in turn",
    )
    parser.add_argument("--rounds", type=int, default=3, help="incremental syncs per --tree")
    parser.add_argument(
        "--db",
        type=Path,
        help="a collection built earlier, instead of building one (it is changed: titles"
        " marked saved again, and its sync points; give a copy)",
    )
    args = parser.parse_args()
    trees = {name: Path(src) for name, src in (item.split("=", 1) for item in args.tree)}
    compileall.compile_dir(Path(tmdb_collector.__file__).parent, quiet=1)
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp, postgres_server() as server:
        workdir = Path(tmp)
        if args.db is not None:
            db = args.db
            with sqlite3.connect(db) as con:
                args.movies = int(con.execute("SELECT count(*) FROM items").fetchone()[0])
        else:
            print(f"collecting the source movies, then building {args.movies:,}...", flush=True)
            source = collect_source(workdir)
            db = workdir / "big.db"
            parts = (*MOVIE.default_parts, WATCH_PROVIDERS) if args.history else MOVIE.default_parts
            build(source, db, args.movies, parts)
            if args.history:
                add_history(db)
        dsn = server.dsn()
        print("first sync:", flush=True)
        first = sync(db, server, "tmdb", workdir)[0]
        print(f"  {first:.1f} s ({args.movies / first:,.0f} movies/s)", flush=True)
        exported, copied, keyed = export_and_copy(db, dsn, workdir)
        print(
            f"parquet export + COPY of its files: {exported:.1f} + {copied:.1f}"
            f" = {exported + copied:.1f} s",
            flush=True,
        )
        print(
            f"parquet export + COPY of its files into the sync's tables, then its keys and"
            f" indexes: {exported:.1f} + {keyed:.1f} = {exported + keyed:.1f} s",
            flush=True,
        )
        settle(dsn)
        changed = touch(db, args.changed)
        print(f"incremental sync, {changed:,} titles changed:", flush=True)
        again = sync(db, server, "tmdb", workdir)[0]
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
        print(
            f"like for like (not the target): first sync {first:.1f} s vs export+COPY into"
            f" keyed tables + the sync's indexes {exported + keyed:.1f} s ="
            f" {first / (exported + keyed):.2f} of its time"
        )
        if trees:
            interleaved(db, server, workdir, trees, args.rounds, args.changed)
    if verdict_first != "ok" or verdict_again != "ok":
        raise SystemExit("bench: a sync target was missed (see the summary)")


if __name__ == "__main__":
    main()
