"""Where a first sync's CPU goes: the server's per statement kind, the client's per stage.

A collection of ``--movies`` movies is built as bench_sync.py builds it (bench_tables.py's
``build``), a PostgreSQL server started as the tests start it, and one first sync run in this
process with its steps wrapped:

* the server: its backend's CPU (``/proc``) around each statement, summed by kind (each
  table's COPYs, CREATE INDEX, ANALYZE...), and its parallel workers' (the postmaster's ended
  children) around each;
* the client: each stage's thread CPU (decoding the stored bodies, building the Arrow tables,
  making the COPY data, reading the fingerprints, sending), summed over the threads;
* when each stage began (wall), and the WAL the sync wrote.

The server runs with autovacuum off, so ``--explain`` shows how the next sync's deletes by
title would be planned with only the statistics the first sync itself left (none, since it no
longer runs ANALYZE). ``--db`` syncs a collection already built (e.g. kept from an earlier run).

    .venv/bin/python scripts/profile_sync.py --movies 100000
    .venv/bin/python scripts/profile_sync.py --db DB --explain
    .venv/bin/python scripts/profile_sync.py --db DB --incremental 0.01   # a later sync of 1%
    PYTHONPATH=../main/src .venv/bin/python scripts/profile_sync.py   # another tree's code
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import resource
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests/support

from bench_sync import settle, touch
from bench_tables import build, collect_source
from tests.support.postgres import postgres_server

from tmdb_collector.media import MOVIE

_TICK = os.sysconf("SC_CLK_TCK")
_lock = threading.Lock()
client: dict[str, float] = defaultdict(float)
server: dict[str, float] = defaultdict(float)
timeline: list[tuple[float, float, str]] = []  # each statement's start and end (monotonic)


def _proc_cpu(pid: int, children: bool = False) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    at = 13 if children else 11  # cutime, cstime / utime, stime
    return (int(fields[at]) + int(fields[at + 1])) / _TICK


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _timed(name: str, work: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        began = time.thread_time()
        try:
            return work(*args, **kwargs)
        finally:
            with _lock:
                client[name] += time.thread_time() - began

    return wrapper


def _kind(cur: Any, statement: Any) -> str:
    if isinstance(statement, bytes):
        text = statement.decode()
    else:
        text = statement.as_string(cur) if hasattr(statement, "as_string") else str(statement)
    words = text.split()
    if words[:1] == ["COPY"]:
        return "COPY " + words[1].rsplit(".", 1)[-1].strip('"')
    if "INDEX" in words[:3] or "PRIMARY" in words[:5]:
        on = words[words.index("ON") + 1] if "ON" in words else words[2]  # CREATE INDEX / ALTER
        table = on.rsplit(".", 1)[-1].strip('"')
        what = text[text.rindex("(") :].replace('"', "")
        return f"CREATE INDEX / ADD PRIMARY KEY: {table} {what}"
    return words[0] if words else "?"


@contextlib.contextmanager
def _measured(cur: Any, statement: Any) -> Iterator[None]:
    pid = cur.connection.info.backend_pid
    postmaster = _parent(pid)
    backend, workers = _proc_cpu(pid), _proc_cpu(postmaster, True)
    sending, start = time.thread_time(), time.monotonic()
    try:
        yield
    finally:
        kind = _kind(cur, statement)
        timeline.append((start, time.monotonic(), kind))
        server[kind] += _proc_cpu(pid) - backend
        server[kind + " (parallel workers)"] += _proc_cpu(postmaster, True) - workers
        with _lock:
            client["sending (statements and COPY data)"] += time.thread_time() - sending


def instrument() -> None:
    import psycopg

    from tmdb_collector.export import tables
    from tmdb_collector.store import codec, sync_reads
    from tmdb_collector.sync import source

    makers: list[Any] = [source]
    # A tree from before binary COPY has no copy_binary; one from before the rename has
    # copy_text where pg_schema is now.
    for maker in ("pg_schema", "copy_text", "copy_binary"):
        with contextlib.suppress(ImportError):
            makers.append(importlib.import_module(f"tmdb_collector.sync.{maker}"))

    # Patched where they are defined: the sync imports them where rows are built, or at its
    # own import (an older tree's source.py: patched there too).
    stages: list[tuple[Any, str, str]] = []
    for owner in (tables, source):
        stages.append((owner, "batch_tables", "building the Arrow tables"))
        stages.append((owner, "rows_table", "building the Arrow tables"))
    for owner in makers:
        stages.append((owner, "copy_data", "making the COPY data"))
        stages.append((owner, "copy_bytes", "making the COPY data"))  # its CSV name
    stages.append((codec.Codec, "decode_rows", "decoding the stored bodies"))
    stages.append((sync_reads.SyncReads, "item_fingerprints", "reading the fingerprints"))
    for owner, name, label in stages:
        if hasattr(owner, name):  # another tree's code (PYTHONPATH) may lack one
            setattr(owner, name, _timed(label, getattr(owner, name)))
    execute, copy = psycopg.Cursor.execute, psycopg.Cursor.copy

    def timed_execute(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
        with _measured(self, statement):
            return execute(self, statement, *args, **kwargs)

    @contextlib.contextmanager
    def timed_copy(self: Any, statement: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        with _measured(self, statement), copy(self, statement, *args, **kwargs) as inner:
            yield inner

    for name, wrapper in (("execute", timed_execute), ("copy", timed_copy)):
        setattr(psycopg.Cursor, name, wrapper)


def _second(item: tuple[str, float]) -> float:
    return item[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=100_000)
    parser.add_argument("--db", type=Path, help="a collection to sync (else one is built)")
    parser.add_argument(
        "--explain",
        action="store_true",
        help="then how the next sync's deletes by title would be planned (no ANALYZE yet)",
    )
    parser.add_argument(
        "--incremental",
        type=float,
        metavar="SHARE",
        help="profile an incremental sync of this share of the titles (after a first sync"
        " not profiled, and the server settled as bench_sync.py settles it)",
    )
    args = parser.parse_args()
    import psycopg

    from tmdb_collector.store.store import Store
    from tmdb_collector.sync.run import sync
    from tmdb_collector.sync.source import scopes
    from tmdb_collector.sync.target import parse_target

    with tempfile.TemporaryDirectory(prefix="profile-sync-") as tmp, postgres_server() as pg:
        workdir = Path(tmp)
        db = args.db
        if db is None:
            print(f"collecting the source movies, then building {args.movies:,}...", flush=True)
            db = workdir / "big.db"
            build(collect_source(workdir), db, args.movies, MOVIE.default_parts)
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            conn.execute("ALTER SYSTEM SET autovacuum = off")  # no statistics but the sync's
            conn.execute("SELECT pg_reload_conf()")
            wal_before = _one(conn, "SELECT pg_current_wal_lsn()")
        if args.incremental:
            with Store.open_existing(db) as store:
                sync(store, parse_target(pg.dsn(), "tmdb"), lambda *_: None)
            settle(pg.dsn())
            print(f"{touch(db, args.incremental):,} titles changed", flush=True)
        instrument()
        began, usage = time.monotonic(), resource.getrusage(resource.RUSAGE_SELF)
        stages: dict[str, float] = {}

        def progress(stage: str, done: int, total: int) -> None:
            stages.setdefault(stage, time.monotonic() - began)

        with Store.open_existing(db) as store:
            sync(store, parse_target(pg.dsn(), "tmdb"), progress)
        wall = time.monotonic() - began
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
        which = "incremental" if args.incremental else "first"
        print(f"{which} sync of {db.name}: {wall:.2f} s; load average {os.getloadavg()[0]:.1f}")
        print(
            "stages began at (wall s): "
            + ", ".join(f"{name} {at:.1f}" for name, at in sorted(stages.items(), key=_second))
        )
        print(f"client CPU {cpu:.1f} s; by stage (thread CPU, summed over threads):")
        for name, seconds in sorted(client.items(), key=lambda item: -item[1]):
            print(f"  {seconds:6.2f} s  {name}")
        rest = cpu - sum(client.values())
        print(f"  {rest:6.2f} s  the rest (reading SQLite, starting, waiting)")
        print(f"server CPU {sum(server.values()):.2f} s; by statement:")
        for name, seconds in sorted(server.items(), key=lambda item: -item[1]):
            if seconds >= 0.005:
                print(f"  {seconds:6.2f} s  {name}")
        if args.incremental:
            print("statements (wall s from the sync's start):")
            for start, end, kind in sorted(timeline):
                print(f"  {start - began:6.3f} - {end - began:6.3f}  {kind}")
        with psycopg.connect(pg.dsn(), autocommit=True) as conn:
            wal = _one(conn, "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s)", wal_before)
            print(f"WAL written: {float(wal) / 1e6:,.0f} MB")
            if args.explain:
                with Store.open_existing(db) as store:
                    units = {t.name: t.unit_column for scope in scopes(store) for t in scope.tables}
                explain(conn, units)


def _one(conn: Any, query: str, *params: Any) -> Any:
    row = conn.execute(query, params or None).fetchone()
    assert row is not None
    return row[0]


def explain(conn: Any, units: dict[str, str]) -> None:
    """The scan each table's ``DELETE ... WHERE <its title column> = ANY(ids)`` (the next
    sync's) and the fingerprints' read would use, for some numbers of ids, with the statistics
    as the first sync left them."""
    tables = [*units, "_tmdb_sync_units"]
    total = int(_one(conn, "SELECT count(*) FROM tmdb.movies"))
    for count in (1, 10, 100, 1000, 10_000, total):
        ids = [int(row[0]) for row in conn.execute("SELECT id FROM tmdb.movies LIMIT %s", (count,))]
        scans = []
        for table in tables:
            if table == "_tmdb_sync_units":
                query = "SELECT * FROM tmdb._tmdb_sync_units WHERE scope = 'movie' AND id = ANY(%s)"
            else:
                query = f'DELETE FROM tmdb."{table}" WHERE "{units[table]}" = ANY(%s)'
            plan = [str(row[0]) for row in conn.execute("EXPLAIN " + query, (ids,))]
            scan = next(line for line in plan if "Scan" in line)
            scans.append(f"{table}: {scan.strip().removeprefix('->').split('  (')[0].strip()}")
        print(f"  {count:,} ids: " + "; ".join(scans))


if __name__ == "__main__":
    main()
