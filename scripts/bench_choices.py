"""The measurements behind two design choices (docs/benchmarks.md, "Parts: measured choices").

1. The ``parts`` table: a rowid table with a unique (item_id, name) index, against WITHOUT
   ROWID keyed on (item_id, name): insert rate, file size, and reading every body in item order.
2. The engine that turns stored credits bodies into cast/crew columns: pyarrow's JSON reader,
   DuckDB's ``read_json``, and a hand-written loop over orjson; CPU per movie.

Bodies are the simulator's, from tests/fixtures/v1_collection.db.gz (44 movies, reused under
new ids). CPU is ``time.process_time`` (all threads), the best of three runs.

    .venv/bin/python scripts/bench_choices.py
"""

from __future__ import annotations

import gzip
import io
import os
import sqlite3
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

FIXTURE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "v1_collection.db.gz"
MOVIES = 20_000
PARSED = 6_000
LAYOUTS = {
    "rowid + unique index": "CREATE TABLE parts (item_id INTEGER NOT NULL, name TEXT NOT NULL,"
    " body TEXT NOT NULL, UNIQUE (item_id, name))",
    "WITHOUT ROWID": "CREATE TABLE parts (item_id INTEGER NOT NULL, name TEXT NOT NULL,"
    " body TEXT NOT NULL, PRIMARY KEY (item_id, name)) WITHOUT ROWID",
}
PERSON = {
    "adult": pa.bool_(),
    "gender": pa.int64(),
    "id": pa.int64(),
    "known_for_department": pa.string(),
    "name": pa.string(),
    "original_name": pa.string(),
    "popularity": pa.float64(),
    "profile_path": pa.string(),
    "credit_id": pa.string(),
}
CAST = {**PERSON, "cast_id": pa.int64(), "character": pa.string(), "order": pa.int64()}
CREW = {**PERSON, "department": pa.string(), "job": pa.string()}


def source_rows(folder: Path) -> list[tuple[str, str, str, str]]:
    db = folder / "v1.db"
    db.write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT details, credits, keywords, recommendations FROM movies"
        ).fetchall()


def layouts(rows: list[tuple[str, str, str, str]], folder: Path) -> None:
    print(f"parts table, {MOVIES:,} movies x 3 parts:")
    for label, ddl in LAYOUTS.items():
        path = folder / f"{label.split()[0]}.db"
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, details TEXT NOT NULL)")
        db.execute(ddl)
        started = time.perf_counter()
        for n in range(MOVIES):
            details, *bodies = rows[n % len(rows)]
            item = 1 + (n * 7919) % 10_000_000  # ids arrive in no order, as harvested
            db.execute("BEGIN IMMEDIATE")  # one transaction per movie, as the collector does
            db.execute("INSERT INTO items VALUES (?, ?)", (item, details))
            for name, body in zip(("credits", "keywords", "recommendations"), bodies, strict=True):
                db.execute("INSERT INTO parts VALUES (?, ?, ?)", (item, name, body))
            db.execute("COMMIT")
        inserted = time.perf_counter() - started
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        started = time.perf_counter()
        for _ in db.execute("SELECT item_id, name, body FROM parts ORDER BY item_id, name"):
            pass
        read = time.perf_counter() - started
        size = os.path.getsize(path) / 1e6
        print(
            f"  {label:22} insert {MOVIES / inserted:6,.0f} movies/s, file {size:5.0f} MB,"
            f" read in item order {MOVIES / read:7,.0f} movies/s"
        )
        db.close()


def best_cpu(work: Callable[[], int]) -> tuple[float, int]:
    best, rows = float("inf"), 0
    for _ in range(3):
        started = time.process_time()
        rows = work()
        best = min(best, time.process_time() - started)
    return best, rows


def engines(rows: list[tuple[str, str, str, str]], folder: Path) -> None:
    bodies = [rows[n % len(rows)][1].encode() for n in range(PARSED)]
    ids = list(range(PARSED))
    schema = pa.schema(
        [(k, pa.list_(pa.struct(list(v.items())))) for k, v in (("cast", CAST), ("crew", CREW))]
    )

    def with_pyarrow() -> int:
        options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="ignore")
        total = 0
        for start in range(0, PARSED, 500):
            data = io.BytesIO(b"\n".join(bodies[start : start + 500]))
            table = pj.read_json(data, parse_options=options)
            for column in ("cast", "crew"):
                lists = table.column(column).combine_chunks()
                parents = pc.list_parent_indices(lists)
                movie_ids = pc.take(pa.array(ids[start : start + 500]), parents)
                names = pc.struct_field(pc.list_flatten(lists), "name")
                assert len(movie_ids) == len(names)
                total += len(names)
        return total

    path = folder / "credits.ndjson"
    path.write_bytes(b"\n".join(bodies))
    duck = {pa.bool_(): "BOOLEAN", pa.int64(): "BIGINT", pa.string(): "VARCHAR"}
    duck[pa.float64()] = "DOUBLE"

    def struct(fields: dict[str, object]) -> str:
        return "STRUCT(" + ", ".join(f'"{k}" {duck[v]}' for k, v in fields.items()) + ")[]"

    columns = "{'cast': '" + struct(CAST) + "', 'crew': '" + struct(CREW) + "'}"

    def with_duckdb() -> int:
        with duckdb.connect(config={"threads": 1}) as db:
            db.execute(
                f"CREATE TABLE p AS SELECT * FROM read_json('{path}',"
                f" format='newline_delimited', columns={columns})"
            )
            return sum(
                db.sql(f'SELECT unnest("{c}", recursive := true) FROM p').to_arrow_table().num_rows
                for c in ("cast", "crew")
            )

    def with_loops() -> int:
        total = 0
        for start in range(0, PARSED, 500):
            columns_: dict[str, list[object]] = {}
            batch = zip(ids[start : start + 500], bodies[start : start + 500], strict=True)
            for movie_id, body in batch:
                credits = orjson.loads(body)
                for kind, fields in (("cast", CAST), ("crew", CREW)):
                    people = credits.get(kind) or []
                    columns_.setdefault(f"{kind}.movie_id", []).extend([movie_id] * len(people))
                    for field in fields:
                        values = columns_.setdefault(f"{kind}.{field}", [])
                        values.extend(p.get(field) for p in people)
            arrays = [pa.array(values) for values in columns_.values()]
            total += len(arrays[0])
        return total

    print(f"credits -> cast and crew columns, {PARSED:,} movies (CPU per movie, best of 3):")
    candidates = [
        ("pyarrow.json", with_pyarrow),
        ("DuckDB read_json", with_duckdb),
        ("orjson + loops", with_loops),
    ]
    for label, work in candidates:
        cpu, _ = best_cpu(work)
        print(f"  {label:18} {cpu / PARSED * 1e6:6.1f} us")


def main() -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load {os.getloadavg()}")
    with tempfile.TemporaryDirectory(prefix="tmdb-bench-choices-") as folder:
        rows = source_rows(Path(folder))
        engines(rows, Path(folder))
        layouts(rows, Path(folder))


if __name__ == "__main__":
    main()
