"""What a table export's start costs beyond the json dump's (docs/benchmarks.md, "#22 people's
tables: the start").

Each source tree (``--tree NAME=SRC``, a directory holding the ``tmdb_collector`` package)
starts fresh Python processes, in rounds, interleaved: one imports what every export command
imports (the CLI), the other that and what a table export adds before its first batch
(``export/tables.py``, and with it pyarrow). numpy and pandas are kept out, as the CLI keeps
them. Printed per tree: the median CPU seconds (user + system of the child) of each, and their
difference, which the table export pays and the dump does not.

    git archive main src | tar -x -C /tmp/main-tree
    .venv/bin/python scripts/bench_export_start.py --tree main=/tmp/main-tree/src --tree branch=src

Python compiles our modules at every start when PYTHONDONTWRITEBYTECODE is set (as in this
VM's shells) and there is no ``__pycache__``: that cost counts here as it does in an export.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
from pathlib import Path

KEEP_OUT = (
    "from tmdb_collector.export.allocator import choose_arrow_allocator,"
    " keep_pandas_and_numpy_out; choose_arrow_allocator(); keep_pandas_and_numpy_out(); "
)
STARTS = {
    "cli": KEEP_OUT + "import tmdb_collector.cli",
    "cli + table export": KEEP_OUT + "import tmdb_collector.cli, tmdb_collector.export.tables",
}


def cpu_of(tree: Path, code: str) -> float:
    """CPU seconds of one fresh process running ``code`` with ``tree`` first on its path."""
    env = {**os.environ, "PYTHONPATH": str(tree.resolve())}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", code], env=env, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, help="NAME=SRC")
    parser.add_argument("--rounds", type=int, default=9)
    args = parser.parse_args()
    trees = {name: Path(src) for name, _, src in (tree.partition("=") for tree in args.tree)}
    found: dict[tuple[str, str], list[float]] = {}
    for _ in range(args.rounds):
        for name, tree in trees.items():
            for start, code in STARTS.items():
                found.setdefault((name, start), []).append(cpu_of(tree, code))
    print(f"median CPU s of {args.rounds} starts, load {os.getloadavg()[0]:.1f}:")
    for name in trees:
        medians = [statistics.median(found[name, start]) for start in STARTS]
        shown = "  ".join(f"{start} {m:.3f}" for start, m in zip(STARTS, medians, strict=True))
        print(f"{name:10s} {shown}  table export's own start {medians[1] - medians[0]:.3f}")


if __name__ == "__main__":
    main()
