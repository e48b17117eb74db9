"""`make bench` (graph): the figures of the linked stage (#22) and of part history (#23).

Linked (#22): a small plan (``--popular-pages``, default 5) is collected from the simulator with
``--linked people`` at ``--rate`` (default 40 requests/s, TMDB's ceiling), the simulator's
people index built first (:func:`warm`). Printed: requests per entity beyond the plan's list
pages (target <= 1.02); the rate reached end to end, requests / wall time of the whole
``collect`` (target >= 0.9 of ``--rate``); the collect's peak RSS (target < 200 MB); and the
wall time of ``export --entity people`` as ``export --format parquet`` (every table of the
collection, the people's included: ``--entity`` exports json or jsonl only) against
``export --entity people --format json`` (the raw dump).

History (#23): ``--titles`` movies (default 2,000; the issue's figure is 10,000, ``--big``) are
collected (``--ids-from`` the daily export of a simulated catalogue of that many) with
``credits`` and ``watch/providers`` on the simulator's default day, then ``update
--refresh-parts watch/providers`` runs on each of the next ``--days`` (default 7) simulated
days. Printed per day: the store's growth (the database file after a WAL checkpoint) against
the compressed bytes of the bodies that changed that day (the past-version rows the refresh
added, ``length(body)``), and where the pages went (each table's and index's pages, dbstat).
Then ``export --format parquet`` (which writes ``availability.parquet`` among the tables)
against ``export --format json`` of the same collection.

Each command is a child process measured by bench.py's launcher (wall, CPU, peak RSS).

    .venv/bin/python scripts/bench_graph.py            # a few minutes
    .venv/bin/python scripts/bench_graph.py --big      # 25 popular pages, 10,000 titles
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (
    BENCH_KEY,
    EXPORT_DATE,
    Child,
    _cpu_seconds,
    check_child,
    child_env,
    cli,
    run_child,
)

from tmdb_collector.simulator.catalog import DEFAULT_TODAY
from tmdb_collector.simulator.process import simulator_process

TARGET_PER_ENTITY = 1.02
TARGET_RATE_SHARE = 0.9
TARGET_RSS_MB = 200
PROVIDERS = "watch/providers"


def served(root_url: str) -> int:
    return int(httpx.get(f"{root_url}/__sim/stats", timeout=10).json()["requests"])


def warm(base_url: str) -> None:
    """Build the simulator's people index before the timed run: a one-off of the simulator's
    (seconds for the default catalogue, on its first person request) that TMDB does not have.
    The request is not counted: the run's requests are read from the stats after it."""
    headers = {"Authorization": f"Bearer {BENCH_KEY}"}
    httpx.get(f"{base_url}/person/1", headers=headers, timeout=300).raise_for_status()


def store_bytes(db: Path) -> int:
    """The database's bytes once its WAL is checkpointed into it and truncated."""
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return sum(p.stat().st_size for p in db.parent.iterdir() if p.name.startswith(db.name))


def pages_by_object(db: Path) -> dict[str, int]:
    """Pages of each table and index (``free`` for the free list): where a growth went."""
    with sqlite3.connect(db) as con:
        pages = dict(con.execute("SELECT name, COUNT(*) FROM dbstat GROUP BY name").fetchall())
        pages["free"] = con.execute("PRAGMA freelist_count").fetchone()[0]
    return pages


def describe_pages(moved: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:+d}" for name, count in sorted(moved.items()) if count)


def run(args: list[str], env: dict[str, str], workdir: Path, what: str) -> Child:
    progress = ["--no-progress"] if args[0] in ("collect", "update") else []
    child = run_child(cli(*args, *progress), env, workdir)
    check_child(child, what)
    return child


def export_pair(
    db: Path, workdir: Path, env: dict[str, str], raw: list[str], tables: str | None = None
) -> None:
    """Time the table export (parquet, every table of the collection; and only ``tables``
    when given) against a raw JSON dump, wall and CPU seconds."""
    json_run = run(
        ["export", "--db", str(db), "--format", "json", "--out", str(workdir / "raw.json"), *raw],
        env,
        workdir,
        "export json",
    )
    table_run = run(
        ["export", "--db", str(db), "--format", "parquet", "--out", str(workdir / "tables")],
        env,
        workdir,
        "export parquet",
    )
    verdict = "met" if table_run.wall <= json_run.wall else "NOT met"
    print(
        f"  export json {json_run.wall:.2f} s, CPU {json_run.cpu:.2f} s (peak "
        f"{json_run.peak_rss_mib:.0f} MiB); parquet tables {table_run.wall:.2f} s, CPU "
        f"{table_run.cpu:.2f} s (peak {table_run.peak_rss_mib:.0f} MiB): {verdict}"
    )
    if tables is not None:
        out = str(workdir / "chosen")
        chosen = ["export", "--db", str(db), "--format", "parquet", "--tables", tables]
        only = run([*chosen, "--out", out], env, workdir, f"export --tables {tables}")
        print(
            f"  parquet --tables {tables} {only.wall:.2f} s, CPU {only.cpu:.2f} s (peak "
            f"{only.peak_rss_mib:.0f} MiB): {json_run.wall / only.wall:.2f} of the dump's "
            f"speed (wall), {json_run.cpu / only.cpu:.2f} (CPU): "
            f"{'met' if only.wall <= json_run.wall else 'NOT met'}"
        )


def linked(workdir: Path, pages: int, rate: float) -> None:
    env = child_env()
    db = workdir / "linked.db"
    with simulator_process([], api_key=BENCH_KEY) as sim:
        warm(sim.base_url)
        before, sim_cpu = served(sim.root_url), _cpu_seconds(sim.process.pid)
        child = run(
            [
                "collect",
                "--db",
                str(db),
                "--base-url",
                sim.base_url,
                "--rate",
                f"{rate:g}",
                "--popular-pages",
                str(pages),
                "--genre-pages",
                "0",
                "--linked",
                "people",
            ],
            env,
            workdir,
            "collect --linked people",
        )
        requests = served(sim.root_url) - before
        sim_cpu = _cpu_seconds(sim.process.pid) - sim_cpu
    with sqlite3.connect(db) as con:
        titles = con.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        list_pages = con.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
        people = con.execute("SELECT COUNT(*) FROM linked_ids").fetchone()[0]
    per_entity = (requests - list_pages) / (titles + people)
    share = requests / child.wall / rate
    print(
        f"linked (#22): {titles:,} titles, {people:,} people, {list_pages} list pages, "
        f"{requests:,} requests in {child.wall:.1f} s (CPU: collect {child.cpu:.1f} s, "
        f"simulator {sim_cpu:.1f} s; load average {os.getloadavg()[0]:.1f})"
    )
    print(
        f"  requests per entity beyond pages {per_entity:.3f} (target <= {TARGET_PER_ENTITY}: "
        f"{'met' if per_entity <= TARGET_PER_ENTITY else 'NOT met'})"
    )
    print(
        f"  rate {requests / child.wall:.1f}/s = {share:.2f} of --rate {rate:g} (target >= "
        f"{TARGET_RATE_SHARE}: {'met' if share >= TARGET_RATE_SHARE else 'NOT met'})"
    )
    print(f"  collect peak RSS {child.peak_rss_mib:.0f} MiB with {people:,} people")
    export_pair(db, workdir, env, ["--entity", "people"], "people,person_credits")


def history(workdir: Path, titles: int, days: int) -> None:
    env = child_env()
    db = workdir / "history.db"
    day = DEFAULT_TODAY
    catalogue = ["--catalog-size", str(titles)]  # the same catalogue every day
    with simulator_process(["--today", day.isoformat(), *catalogue], api_key=BENCH_KEY) as sim:
        ids = f"{sim.root_url}/p/exports/movie_ids_{EXPORT_DATE}.json.gz"
        run(
            [
                "collect",
                "--db",
                str(db),
                "--base-url",
                sim.base_url,
                "--rate",
                "2000",
                "--ids-from",
                ids,
                "--parts",
                f"credits,{PROVIDERS}",
            ],
            env,
            workdir,
            "collect",
        )
    with sqlite3.connect(db) as con:
        titles = con.execute("SELECT COUNT(*) FROM items").fetchone()[0]
    print(f"history (#23): {titles:,} titles, {days} daily refreshes of {PROVIDERS}")
    growth_total = changed_total = 0
    for _ in range(days):
        day += dt.timedelta(days=1)
        before, pages_before = store_bytes(db), pages_by_object(db)
        with sqlite3.connect(db) as con:
            old = con.execute(
                "SELECT COUNT(*), COALESCE(SUM(length(body)), 0) "
                "FROM part_versions WHERE body IS NOT NULL"
            ).fetchone()
        with simulator_process(["--today", day.isoformat(), *catalogue], api_key=BENCH_KEY) as sim:
            child = run(
                [
                    "update",
                    "--db",
                    str(db),
                    "--base-url",
                    sim.base_url,
                    "--rate",
                    "2000",
                    "--refresh-parts",
                    PROVIDERS,
                ],
                env,
                workdir,
                "update --refresh-parts",
            )
        with sqlite3.connect(db) as con:
            new = con.execute(
                "SELECT COUNT(*), COALESCE(SUM(length(body)), 0) "
                "FROM part_versions WHERE body IS NOT NULL"
            ).fetchone()
        growth, changed = store_bytes(db) - before, new[1] - old[1]
        growth_total, changed_total = growth_total + growth, changed_total + changed
        print(
            f"  {day}: {new[0] - old[0]:,} bodies changed, {changed:,} bytes compressed; "
            f"store grew {growth:,} bytes ({child.wall:.1f} s)"
        )
        grown = pages_by_object(db)
        moved = {k: grown.get(k, 0) - pages_before.get(k, 0) for k in grown.keys() | pages_before}
        print("    pages by table/index: " + (describe_pages(moved) or "none changed"))
    print(
        f"  week: store grew {growth_total:,} bytes for {changed_total:,} compressed bytes "
        f"changed ({growth_total - changed_total:+,} bytes overhead)"
    )
    export_pair(db, workdir, env, [])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5, help="popular pages of the linked run")
    parser.add_argument("--rate", type=float, default=40.0, help="TMDB's ceiling: 40")
    parser.add_argument("--titles", type=int, default=2000, help="titles of the history run")
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--big", action="store_true", help="10,000 titles, 25 linked pages")
    parser.add_argument("--only", choices=["linked", "history"])
    args = parser.parse_args()
    if args.big:
        args.pages, args.titles = 25, 10_000
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    if args.only != "history":
        with tempfile.TemporaryDirectory() as folder:
            linked(Path(folder), args.pages, args.rate)
    if args.only == "linked":
        return
    with tempfile.TemporaryDirectory() as folder:
        history(Path(folder), args.titles, args.days)


if __name__ == "__main__":
    main()
