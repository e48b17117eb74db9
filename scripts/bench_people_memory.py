"""Memory with many people held (#22: peak RSS < 200 MB with 100k people held).

1. ``collect --popular-pages 1 --linked people`` from the simulator's default catalogue (a real
   run: it sets the plan and holds a first thousand or so people).
2. The store is filled through the library's own calls, as the linked stage fills it
   (``Store.queue_linked``, ``ItemRecord.from_parts``, ``Store.save_linked``), up to
   ``--people`` held, plus ``--pending`` more queued. The bodies are the simulator's: the first
   ``--distinct`` people's ``/person/{id}`` bodies (the plan's parts appended) are built
   in-process and reused, each under its own id (building 100k bodies would take most of an
   hour here; their sizes are those of real simulated people).
3. Measured, each a child process started by bench.py's launcher (its peak RSS counts the
   dictionaries' training worker): ``collect`` again, which fetches the pending people from
   the simulator with the others held; ``status``; ``export --entity people --format jsonl``;
   ``export --format parquet`` (every table, the people's among them).

    .venv/bin/python scripts/bench_people_memory.py                  # 100,000 people
    .venv/bin/python scripts/bench_people_memory.py --people 20000   # a quicker look
    .venv/bin/python scripts/bench_people_memory.py --db /tmp/people.db --only parquet

``--db PATH`` keeps the database at PATH; when it exists already, steps 1 and 2 are skipped
and the steps measured (``--only``, default all) run on it as it is.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import BENCH_KEY, Child, check_child, child_env, cli, run_child
from bench_graph import warm

from tmdb_collector.fetch.records import ItemRecord
from tmdb_collector.media import PERSON
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.graph import Graph
from tmdb_collector.simulator.linked import SERVED
from tmdb_collector.simulator.process import simulator_process
from tmdb_collector.simulator.text import person_id
from tmdb_collector.store.store import Store

TARGET_RSS_MB = 200
STEPS = ("collect", "status", "jsonl", "parquet")


def fill(db: Path, people: int, pending: int, distinct: int) -> None:
    """Hold ``people`` people (and queue ``pending`` more) through the store's calls."""
    served = next(s for s in SERVED if s.name == PERSON.name)
    movies, series = Catalog(), Catalog(media="tv")
    graph = Graph(lambda: movies, lambda: series)
    started = time.monotonic()
    with Store.open_existing(db) as store:
        parts = store.linked_parts(PERSON)
        appended = list(PERSON.appended(parts))
        held = set(store.linked_held(PERSON.name))
        wanted = people - len(held)
        fresh = (person_id(i) for i in range(graph.people))
        ids = [pid for pid in fresh if pid not in held][: wanted + pending]
        store.queue_linked(PERSON.name, ids)
        bodies = [orjson.loads(served.body(graph, pid, appended, 1)) for pid in ids[:distinct]]
        for n, pid in enumerate(ids[:wanted]):
            body = {**bodies[n % len(bodies)], "id": pid}
            split = PERSON.split(pid, body, appended)
            store.save_linked(PERSON.name, ItemRecord.from_parts(pid, split, PERSON))
    print(
        f"filled: {wanted:,} people saved through Store.save_linked, {pending:,} queued, "
        f"parts {','.join(parts)} ({time.monotonic() - started:.0f} s)"
    )


def report(what: str, child: Child) -> None:
    """The child's figures; the target is in MB (10^6 bytes), the RSS read in MiB."""
    peak_mb = child.peak_rss_mib * 2**20 / 1e6
    verdict = "met" if peak_mb < TARGET_RSS_MB else "NOT met"
    print(
        f"  {what}: {child.wall:.1f} s (CPU {child.cpu:.1f} s), peak RSS "
        f"{child.peak_rss_mib:.0f} MiB = {peak_mb:.1f} MB, {peak_mb / TARGET_RSS_MB:.3f} of the "
        f"target (< {TARGET_RSS_MB} MB: {verdict}; load average {os.getloadavg()[0]:.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000, help="people held")
    parser.add_argument("--pending", type=int, default=2_000, help="people left to collect")
    parser.add_argument("--distinct", type=int, default=2_000, help="distinct bodies built")
    parser.add_argument("--rate", default="2000")
    parser.add_argument("--db", type=Path, help="keep the database here (reused if present)")
    parser.add_argument(
        "--only", action="append", choices=STEPS, help="measure only this step (repeatable)"
    )
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    env = child_env()
    with tempfile.TemporaryDirectory() as folder, simulator_process([], api_key=BENCH_KEY) as sim:
        workdir = Path(folder)
        db = args.db or workdir / "people.db"
        collect = cli(
            "collect", "--db", str(db), "--base-url", sim.base_url, "--rate", args.rate,
            "--popular-pages", "1", "--genre-pages", "0", "--linked", "people", "--no-progress",
        )  # fmt: skip
        if not db.exists():
            warm(sim.base_url)
            first = run_child(collect, env, workdir)
            check_child(first, "collect --linked people")
            report("first collect (1 popular page)", first)
            fill(db, args.people, args.pending, args.distinct)
        with sqlite3.connect(db) as con:
            counts = dict(con.execute("SELECT status, COUNT(*) FROM linked_ids GROUP BY 1"))
        print(f"  linked_ids by status: {counts}; database {db.stat().st_size / 2**20:.0f} MiB")
        steps = (
            ("collect", "collect (the pending people, the rest held)", collect),
            ("status", "status", cli("status", "--db", str(db))),
            (
                "jsonl",
                "export --entity people --format jsonl",
                cli("export", "--db", str(db), "--entity", "people", "--format", "jsonl",
                    "--out", str(workdir / "people.jsonl")),
            ),
            (
                "parquet",
                "export --format parquet",
                cli("export", "--db", str(db), "--format", "parquet",
                    "--out", str(workdir / "tables")),
            ),
        )  # fmt: skip
        for step, what, command in steps:
            if args.only and step not in args.only:
                continue
            child = run_child(command, env, workdir)
            check_child(child, what)
            report(what, child)


if __name__ == "__main__":
    main()
