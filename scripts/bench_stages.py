"""Where a table export's CPU goes, one thread, stage by stage (docs/benchmarks.md).

Reads a collection's movies in batches of 500, then times, per batch, each part's table
building and the parquet writing of what it built (into memory), as CPU seconds:

    .venv/bin/python scripts/bench_stages.py --db tmdb_collection.db [--parts all]
"""

from __future__ import annotations

import argparse
import collections
import itertools
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support

from tests.support.store import raw_items

from tmdb_collector.export import columnar
from tmdb_collector.export.tables import BATCH_SIZE, _ParquetSink, _row_by_row
from tmdb_collector.media import MOVIE
from tmdb_collector.store.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--parts", default=",".join(MOVIE.default_parts), help="or all")
    args = parser.parse_args()
    parts = MOVIE.parse_parts(args.parts)
    spent: collections.defaultdict[str, float] = collections.defaultdict(float)
    movies = 0
    with Store.open_existing(args.db) as store:
        rows = raw_items(store, parts)
        while True:
            began = time.process_time()
            batch = list(itertools.islice(rows, BATCH_SIZE))
            spent["read from SQLite"] += time.process_time() - began
            if not batch:
                break
            movies += len(batch)
            ids = pa.array([item[0] for item in batch], pa.int64())
            bodies = [("details", [item[1] for item in batch])]
            bodies += [(part, [item[2][i] for item in batch]) for i, part in enumerate(parts)]
            for part, texts in bodies:
                began = time.process_time()
                fast = columnar.fast_paths(MOVIE.tables).get(part)
                built = fast(ids, texts) if fast else _row_by_row(part, batch, texts, MOVIE.tables)
                spent[f"build {part}"] += time.process_time() - began
                began = time.process_time()
                for table in built.values():
                    options = _ParquetSink.statistics_for(table.schema)
                    pq.write_table(table, pa.BufferOutputStream(), write_statistics=options)
                spent["write parquet"] += time.process_time() - began
    print(f"{movies:,} movies, one thread, CPU per movie:")
    for stage, seconds in spent.items():
        print(f"  {stage:20} {seconds / movies * 1e6:6.1f} us")
    print(f"  {'total':20} {sum(spent.values()) / movies * 1e6:6.1f} us")


if __name__ == "__main__":
    main()
