"""Peak RSS of ``export --format duckdb`` as the collection grows (#24: memory flat).

The database ``--db`` (e.g. a 5,867-movie all-parts collection; it is only read) is exported
as it is, then its items are repeated under new ids (bench_localize.py's ``repeat_rows``) into
collections of each ``--movies`` size, each exported too. Every export is a child process
measured by bench.py's launcher (peak RSS, CPU seconds of the child). Prints each size's peak
and the largest's peak over the smallest's: the target is flat, a ratio of at most
``TARGET_RATIO``.

    .venv/bin/python scripts/bench_duckdb_memory.py --db /tmp/db6k.db --movies 60000 120000
    .venv/bin/python scripts/bench_duckdb_memory.py --db DB --movies 60000 --parts all
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import check_child, child_env, cli, run_child
from bench_localize import repeat_rows

TARGET_RATIO = 1.1


def export(db: Path, parts: str, workdir: Path) -> tuple[float, float, float]:
    """One ``export --format duckdb``: its wall and CPU seconds and peak RSS (MiB)."""
    out = workdir / "out.duckdb"
    args = cli("export", "--db", str(db), "--format", "duckdb", "--out", str(out))
    child = run_child([*args, "--parts", parts], child_env(), workdir)
    check_child(child, "export --format duckdb")
    out.unlink()
    manifest = out.with_name(out.name + ".manifest.json")
    manifest.unlink()
    return child.wall, child.cpu, child.peak_rss_mib


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True, help="the smallest collection")
    parser.add_argument("--movies", type=int, nargs="+", default=[60_000])
    parser.add_argument("--parts", default="all")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tmdb-bench-duckdb-") as folder:
        workdir = Path(folder)
        print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load {os.getloadavg()}")
        print(f"--parts {args.parts}")
        print("| movies | wall s | CPU s | peak RSS MiB |")
        print("|---|---|---|---|")
        peaks = []
        for n, movies in enumerate([0, *args.movies]):
            db = args.db
            if movies:
                db = workdir / f"scale-{n}.db"
                repeat_rows(args.db, db, movies)
            wall, cpu, rss = export(db, args.parts, workdir)
            peaks.append(rss)
            print(f"| {movies or 'as --db'} | {wall:.2f} | {cpu:.2f} | {rss:.0f} |", flush=True)
            if movies:
                db.unlink()
        ratio = max(peaks) / peaks[0]
        verdict = "met" if ratio <= TARGET_RATIO else "not met"
        print(f"largest peak / the first's: {ratio:.2f} (flat: <= {TARGET_RATIO}): {verdict}")


if __name__ == "__main__":
    main()
