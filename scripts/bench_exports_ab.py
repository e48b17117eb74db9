"""Export speed against the json dump, two source trees interleaved (docs/benchmarks.md).

Runs ``tmdb-collector export`` of one database in rounds; in each round every source tree
(``--tree NAME=SRC``, a directory holding the ``tmdb_collector`` package, e.g. a checkout's
``src``) runs the json dump and each table export in turn, so a load that comes and goes on a
shared machine falls on all of them alike. Prints, per tree and export, the median wall and
CPU seconds (user + system of the child) and the json dump's median wall divided by the
export's, with #24's verdict (>= 1.0, at least as fast as the dump: "met").

``--parts`` is as ``export --parts`` takes it (``all``, ``none``, names), or ``default``: the
part set a new collection of the database's media gets (``MediaType.default_parts``, e.g. a
movie's credits, keywords and recommendations).

    git archive main src | tar -x -C /tmp/main-tree
    .venv/bin/python scripts/bench_exports_ab.py --db DB --parts all --rounds 3 \\
        --tree main=/tmp/main-tree/src --tree branch=src \\
        --export parquet --export csv --export "parquet --tables availability"
    .venv/bin/python scripts/bench_exports_ab.py --db LINKED_DB --tree branch=src \
        --dump "json --entity people" --export "parquet --tables people,person_credits"
"""

from __future__ import annotations

import argparse
import os
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from tmdb_collector.media import media_type
from tmdb_collector.media.base import NO_PARTS
from tmdb_collector.store.database import stored_plan

DEFAULT = "default"  # --parts default: the database's media's default parts


def export_parts(db: Path, parts: str) -> str:
    """``--parts`` as ``export`` takes it: ``default`` becomes the default part set of the
    database's media, named."""
    if parts != DEFAULT:
        return parts
    plan = stored_plan(db)
    if plan is None:
        sys.exit(f"--parts {DEFAULT}: {db} is not a collection")
    return ",".join(media_type(plan["media"]).default_parts) or NO_PARTS


def run(tree: Path, db: Path, export: str, parts: str, out: Path) -> tuple[float, float] | str:
    """One export in a child process: its wall and CPU seconds, or the last line of its error
    (the tree's export refused it, e.g. an option it does not have)."""
    fmt, *rest = shlex.split(export)
    args = [sys.executable, "-m", "tmdb_collector", "export", "--db", str(db)]
    args += ["--format", fmt, "--out", str(out), *rest]
    args += [] if "--entity" in rest else ["--parts", parts]
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    done = subprocess.run(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - began
    if done.returncode != 0:
        lines = done.stderr.decode(errors="replace").strip().splitlines()
        return lines[-1] if lines else f"exit {done.returncode}"
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if out.is_dir():
        shutil.rmtree(out)
    else:
        out.unlink()
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--parts", default="all", help=f"as export's, or {DEFAULT!r}")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tree", action="append", required=True, help="NAME=SRC")
    parser.add_argument("--export", action="append", required=True, help="FORMAT [OPTIONS]")
    parser.add_argument(
        "--dump",
        default="json",
        help="the baseline, FORMAT [OPTIONS] (e.g. 'json --entity people')",
    )
    parser.add_argument("--workdir", type=Path, default=Path("/tmp"))
    args = parser.parse_args()
    trees = dict(item.split("=", 1) for item in args.tree)
    exports = [args.dump, *args.export]
    parts = export_parts(args.db, args.parts)
    args.workdir.mkdir(parents=True, exist_ok=True)
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for n in range(args.rounds):
        for name, src in trees.items():
            for export in exports:
                out = args.workdir / f"bench-ab-{os.getpid()}-{n}"
                figure = run(Path(src), args.db, export, parts, out)
                if isinstance(figure, str):
                    print(f"round {n + 1} {name:8} {export:34} failed: {figure}", flush=True)
                    continue
                times.setdefault((name, export), []).append(figure)
                print(
                    f"round {n + 1} {name:8} {export:34} wall {figure[0]:6.2f} cpu"
                    f" {figure[1]:6.2f} load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
    print(f"\nmedians of {args.rounds} rounds, --parts {args.parts} ({parts}):")
    for name in trees:
        if (name, args.dump) not in times:
            print(f"{name:8} {args.dump:34} failed in every round: no ratio")
            continue
        dump = statistics.median(wall for wall, _ in times[(name, args.dump)])
        for export in exports:
            if (name, export) not in times:
                continue
            walls = [wall for wall, _ in times[(name, export)]]
            cpus = [cpu for _, cpu in times[(name, export)]]
            wall, cpu = statistics.median(walls), statistics.median(cpus)
            verdict = "" if export == args.dump else (" met" if dump >= wall else " not met")
            print(
                f"{name:8} {export:34} wall {wall:6.2f} cpu {cpu:6.2f}"
                f" json dump / this {dump / wall:5.2f}{verdict}"
            )


if __name__ == "__main__":
    main()
