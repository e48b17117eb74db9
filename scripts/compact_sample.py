"""The README's `compact` example output, measured: what `tmdb-collector compact` prints for a
collection an earlier release stored.

It collects ``--movies`` movies with all 13 parts from the simulator (its daily export, as
`scripts/bench_compact.py` does), rewrites the database as release 0.3 (schema 3) stored it
(every body plain text, no dictionaries: `bench_compact.as_schema_3`), then runs
`tmdb-collector compact --db ... --no-progress` as a child process and prints its line as
is, with the child's wall and CPU seconds and the load average.

    .venv/bin/python scripts/compact_sample.py                 # 6,000 movies
    .venv/bin/python scripts/compact_sample.py --movies 1000   # quicker
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import check_child, child_env, cli, run_child
from bench_compact import as_schema_3, collect


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=6_000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="compact-sample-") as tmp:
        workdir = Path(tmp)
        db, _ = collect(workdir, "movies", "movie", args.movies, "--rate", "2000")
        old = workdir / "tmdb_collection.db"  # the name the README's example gives
        as_schema_3(db, old)
        child = run_child(cli("compact", "--db", str(old), "--no-progress"), child_env(), workdir)
        check_child(child, "compact")
    print(child.stdout.strip().replace(f"{workdir}/", ""))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"compact: wall {child.wall:.1f} s, CPU {child.cpu:.1f} s, load average {load}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
