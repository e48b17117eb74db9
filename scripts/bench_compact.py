"""`make bench` (compact store, #24): how small the store is, what `compact` does, and speed.

Every figure comes from a run here:

* a collection of ``--movies`` movies with all 13 parts, collected uncapped from the simulator
  (``collect --ids-from`` its daily export) by ``tmdb-collector collect`` as a child process,
  and a small TV collection with all parts: on-disk bytes (database + WAL) per item, against
  the bytes of the collection's own jsonl export with every part (target <= 0.2);
* the same movies as an earlier release stored them (schema 3: the same tables, every body
  plain text, no dictionaries), made from the collection by rewriting its bodies, then
  ``tmdb-collector compact`` on it (target <= 0.25 of its size), with the sha256 of its json,
  jsonl, csv and parquet exports before and after (must be identical);
* the speed of each export (json, jsonl, parquet, csv; default and all parts) of the compact
  database, against its json dump (target: every export at least as fast);
* the collect speed at ``--rate 40`` against a simulator with 120 ms latency and a 40 req/s
  limit, all parts, past the first dictionary training (target >= 0.9 of the ceiling);
* the choices (zstd level, dictionary size, a dictionary per part or one shared, a frame per
  body or per batch of bodies) on the collection's bodies, and on TMDB's real captured bodies
  (``shared/tmdb-reference/samples``) with the dictionaries trained on the simulator's;
* bytes per person: ``--people-movies`` movies collected with ``--linked people``, compacted;
* a projection to the full catalogue (1.17M movies and 200k series with every part, and at most
  the people they credit: the samples' distinct people per title times every title).

    .venv/bin/python scripts/bench_compact.py                  # 6,000 movies
    .venv/bin/python scripts/bench_compact.py --movies 1000    # quicker
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.support
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (
    BENCH_KEY,
    EXPORT_DATE,
    Child,
    check_child,
    child_env,
    cli,
    movies_done,
    run_child,
    stage3,
)
from tests.support.store import raw_items

from tmdb_collector.fetch.records import ItemRecord, encode
from tmdb_collector.media import MOVIE
from tmdb_collector.simulator.process import simulator_process
from tmdb_collector.store import codec
from tmdb_collector.store.compaction import stored_size
from tmdb_collector.store.store import Store

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "tmdb-reference" / "samples"
FULL_MOVIES, FULL_SERIES = 1_170_000, 200_000
TARGET_DISK, TARGET_COMPACT, TARGET_COLLECT = 0.2, 0.25, 0.9
MIB = 2**20
# the tables schema 4 added (store/schema.py: _v3_to_v4), which a schema-3 database has not
SCHEMA_4_TABLES = ("dictionaries", "part_versions", "linked_ids", "linked_parts")


def reference_dir() -> Path:
    for root in (REFERENCE, Path("/work/shared/tmdb-reference/samples")):
        if root.is_dir():
            return root
    raise SystemExit("bench: shared/tmdb-reference/samples not found")


# ---- collections -----------------------------------------------------------------------------


def collect(workdir: Path, name: str, media: str, size: int, *extra: str) -> tuple[Path, Child]:
    db = workdir / f"{name}.db"
    sim_args = ["--catalog-size", str(size), "--media", media]
    with simulator_process(sim_args, api_key=BENCH_KEY) as sim:
        prefix = "tv_series" if media == "tv" else media
        source = f"{sim.root_url}/p/exports/{prefix}_ids_{EXPORT_DATE}.json.gz"
        args = cli("collect", "--db", str(db), "--base-url", sim.base_url, "--media", media)
        args += ["--ids-from", source, "--parts", "all", "--no-progress", *extra]
        child = run_child(args, child_env(), workdir)
    check_child(child, f"collect {name}")
    return db, child


def item_count(db: Path) -> int:
    with Store.open_existing(db) as store:
        return store.item_count()


def as_schema_3(source: Path, target: Path) -> None:
    """``source`` as release 0.3 (schema 3) stored it: every body plain text, none of the
    tables schema 4 added, then VACUUMed, as a collection written by that release is."""
    shutil.copy(source, target)
    with Store.open_existing(target) as store:
        decode = store.codec.decode_text
    connection = sqlite3.connect(target, isolation_level=None)
    connection.execute("BEGIN")
    for table, key, column in (("items", "id", "details"), ("parts", "rowid", "body")):
        rows = connection.execute(f"SELECT {key}, {column} FROM {table}").fetchall()
        connection.executemany(
            f"UPDATE {table} SET {column} = ? WHERE {key} = ?",
            [(decode(value), row_key) for row_key, value in rows],
        )
    for table in SCHEMA_4_TABLES:
        connection.execute(f"DROP TABLE {table}")
    connection.execute("UPDATE meta SET value = '3' WHERE key = 'schema_version'")
    connection.execute("COMMIT")
    connection.execute("VACUUM")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()


# ---- exports ---------------------------------------------------------------------------------

FORMATS = (("json", "movies.json"), ("jsonl", "movies.jsonl"), ("csv", "csv"), ("parquet", "pq"))


def export(db: Path, fmt: str, out: Path, parts: str, workdir: Path) -> Child:
    args = cli("export", "--db", str(db), "--format", fmt, "--out", str(out), "--parts", parts)
    child = run_child(args, child_env(), workdir)
    check_child(child, f"export --format {fmt} --parts {parts}")
    return child


def export_hashes(db: Path, out: Path, workdir: Path) -> dict[str, str]:
    """sha256 of every file of the json, jsonl, csv and parquet exports with all parts."""
    out.mkdir()
    hashes: dict[str, str] = {}
    for fmt, name in FORMATS:
        export(db, fmt, out / name, "all", workdir)
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.name != "manifest.json" and "manifest" not in path.name:
            hashes[str(path.relative_to(out))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def export_speeds(db: Path, movies: int, workdir: Path, repeat: int) -> list[dict[str, Any]]:
    """Each export's movies/s (median of ``repeat``), against the json dump's of the same
    parts in the same round."""
    rows = []
    for parts in (",".join(MOVIE.default_parts), "all"):
        walls: dict[str, list[float]] = {fmt: [] for fmt, _ in FORMATS}
        for _ in range(repeat):
            for fmt, name in FORMATS:
                out = workdir / f"speed-{name}"
                walls[fmt].append(export(db, fmt, out, parts, workdir).wall)
                shutil.rmtree(out, ignore_errors=True) if out.is_dir() else out.unlink()
        dump = statistics.median(walls["json"])
        for fmt, _ in FORMATS:
            wall = statistics.median(walls[fmt])
            rows.append(
                {
                    "parts": "default" if parts != "all" else "all 13",
                    "format": fmt,
                    "wall_s": wall,
                    "movies_per_s": movies / wall,
                    "vs_json_dump": dump / wall,
                }
            )
    return rows


# ---- the choices -----------------------------------------------------------------------------


def bodies_by_kind(db: Path) -> dict[str, list[bytes]]:
    """Every stored body of ``db``, decoded, by part (``details`` for the details)."""
    with Store.open_existing(db) as store:
        parts = sorted(store.part_counts())
        kinds: dict[str, list[bytes]] = {name: [] for name in ("details", *parts)}
        for _, details, bodies in raw_items(store, parts):
            kinds["details"].append(details)
            for name, body in zip(parts, bodies, strict=True):
                kinds[name].append(body)
    return kinds


def real_bodies() -> dict[str, list[bytes]]:
    """TMDB's real bodies, as the collector stores them: movie 76 with every part (one
    append_to_response body, split as the collector splits it) and movie 550's details,
    credits, keywords and recommendations."""
    samples = reference_dir()
    whole = json.loads((samples / "movie_76_details_append_to_response_all.json").read_text())
    parts = [name for name in MOVIE.part_names if name in whole]
    record = ItemRecord.from_parts(76, MOVIE.split(76, whole, parts), MOVIE)
    kinds: dict[str, list[bytes]] = {"details": [record.details.encode()]}
    for name, body in record.parts.items():
        kinds.setdefault(name, []).append(body.encode())
    for name, file in (
        ("details", "movie_550_details.json"),
        ("credits", "movie_550_credits.json"),
        ("keywords", "movie_550_keywords.json"),
        ("recommendations", "movie_550_recommendations_page1.json"),
    ):
        kinds[name].append(encode(json.loads((samples / file).read_text())).encode())
    return kinds


Choice = Callable[[dict[str, list[bytes]], dict[str, list[bytes]]], tuple[int, float, float]]


def per_body(level: int, dict_bytes: int | None, shared: bool = False) -> Choice:
    """A frame per body at ``level``, with a dictionary per part of ``dict_bytes`` (None:
    none), or one dictionary shared by every part."""

    def run(
        train: dict[str, list[bytes]], test: dict[str, list[bytes]]
    ) -> tuple[int, float, float]:
        dictionaries: dict[str, zstandard.ZstdCompressionDict | None] = {}
        if dict_bytes is not None and shared:
            mixed = [body for kind in train.values() for body in kind[: codec.SAMPLES // 4]]
            one = zstandard.train_dictionary(dict_bytes, list(mixed), dict_id=1, level=level)
            dictionaries = dict.fromkeys(test, one)
        elif dict_bytes is not None:
            for kind, bodies in train.items():
                samples = bodies[: codec.SAMPLES]
                dictionaries[kind] = zstandard.train_dictionary(
                    dict_bytes, list(samples), dict_id=1, level=level
                )
        total, packed, pack_s, unpack_s = 0, 0, 0.0, 0.0
        for kind, bodies in test.items():
            dictionary = dictionaries.get(kind)
            zc = zstandard.ZstdCompressor(level=level, dict_data=dictionary, write_checksum=False)
            zd = zstandard.ZstdDecompressor(dict_data=dictionary)
            began = time.perf_counter()
            frames = [zc.compress(body) for body in bodies]
            pack_s += time.perf_counter() - began
            began = time.perf_counter()
            for frame in frames:
                zd.decompress(frame)
            unpack_s += time.perf_counter() - began
            total += sum(map(len, bodies))
            packed += sum(map(len, frames))
        return packed, total / pack_s / MIB, total / unpack_s / MIB

    return run


def per_batch(level: int, size: int) -> Choice:
    """A frame per ``size`` consecutive bodies of a part, no dictionary."""

    def run(
        train: dict[str, list[bytes]], test: dict[str, list[bytes]]
    ) -> tuple[int, float, float]:
        zc = zstandard.ZstdCompressor(level=level, write_checksum=False)
        zd = zstandard.ZstdDecompressor()
        total, packed, pack_s, unpack_s = 0, 0, 0.0, 0.0
        for bodies in test.values():
            for start in range(0, len(bodies), size):
                chunk = b"\n".join(bodies[start : start + size])
                began = time.perf_counter()
                frame = zc.compress(chunk)
                pack_s += time.perf_counter() - began
                began = time.perf_counter()
                zd.decompress(frame)
                unpack_s += time.perf_counter() - began
                total += len(chunk)
                packed += len(frame)
        return packed, total / pack_s / MIB, total / unpack_s / MIB

    return run


CHOICES: list[tuple[str, Choice]] = [
    ("level 3, no dictionary", per_body(3, None)),
    ("level 9, no dictionary", per_body(9, None)),
    ("level 19, no dictionary", per_body(19, None)),
    ("level 3, per-part 110 KiB", per_body(3, 112_640)),
    ("level 9, per-part 16 KiB", per_body(9, 16_384)),
    ("level 9, per-part 32 KiB", per_body(9, 32_768)),
    ("level 9, per-part 110 KiB", per_body(9, 112_640)),
    ("level 19, per-part 110 KiB", per_body(19, 112_640)),
    ("level 9, one shared 110 KiB", per_body(9, 112_640, shared=True)),
    ("level 9, batches of 50, no dictionary", per_batch(9, 50)),
    ("level 19, batches of 50, no dictionary", per_batch(19, 50)),
    (f"level {codec.LEVEL}, per-part 110 KiB (chosen)", per_body(codec.LEVEL, 112_640)),
]


def measure_choices(kinds: dict[str, list[bytes]], real: dict[str, list[bytes]]) -> dict[str, Any]:
    """Each choice trained on the first :data:`codec.SAMPLES` bodies of each part and measured
    on the rest (at most 2,000 movies); and on the real bodies, trained on all the
    simulator's."""
    movies = len(kinds["details"])
    held_out = min(2_000, movies - codec.SAMPLES)
    if held_out < 200:
        raise SystemExit("bench: --movies must leave at least 200 movies past the samples")
    train = {kind: bodies[: codec.SAMPLES] for kind, bodies in kinds.items()}
    test = {
        kind: bodies[codec.SAMPLES : codec.SAMPLES + held_out] for kind, bodies in kinds.items()
    }
    raw = sum(len(body) for bodies in test.values() for body in bodies)
    simulated = []
    for label, choice in CHOICES:
        packed, pack, unpack = choice(train, test)
        simulated.append(
            {
                "choice": label,
                "bytes_per_movie": packed / held_out,
                "share_of_raw": packed / raw,
                "compress_mib_s": pack,
                "decompress_mib_s": unpack,
            }
        )
    real_rows = []
    common = {kind: train[kind] for kind in real if kind in train}
    for label, choice in (CHOICES[1], CHOICES[-1]):  # none, and the chosen
        per_kind = []
        for kind in sorted(common):
            real_packed, _, _ = choice({kind: common[kind]}, {kind: real[kind]})
            sim_packed, _, _ = choice({kind: common[kind]}, {kind: test[kind][:200]})
            real_raw = sum(map(len, real[kind]))
            sim_raw = sum(map(len, test[kind][:200]))
            per_kind.append(
                {
                    "part": kind,
                    "real_bytes": real_raw / len(real[kind]),
                    "real_ratio": real_raw / real_packed,
                    "simulated_bytes": sim_raw / 200,
                    "simulated_ratio": sim_raw / sim_packed,
                }
            )
        real_rows.append({"choice": label, "parts": per_kind})
    return {"raw_bytes_per_movie": raw / held_out, "simulated": simulated, "real": real_rows}


# ---- collect speed ---------------------------------------------------------------------------


def collect_speed(workdir: Path, movies: int) -> dict[str, float]:
    """``--rate 40`` against a 40 req/s, 120 ms simulator, every part: movies/s in stage 3
    in steady state, as bench.py measures it (one request per movie: the ceiling is 40/s),
    over a run that trains the dictionaries (at codec.FIRST_TRAINING movies)."""
    db = workdir / "speed.db"
    sim_args = ["--catalog-size", str(movies), "--latency-ms", "120", "--rate-limit", "40"]
    with simulator_process(sim_args, api_key=BENCH_KEY) as sim:
        source = f"{sim.root_url}/p/exports/movie_ids_{EXPORT_DATE}.json.gz"
        args = cli("collect", "--db", str(db), "--base-url", sim.base_url, "--ids-from", source)
        args += ["--parts", "all", "--rate", "40", "--no-progress"]
        child = run_child(args, child_env(), workdir, probe=lambda: movies_done(db), interval=0.1)
    check_child(child, "collect --rate 40")
    done = item_count(db)
    steady = stage3(child, done)
    if steady is None:
        raise SystemExit("bench: collect --rate 40 too short to measure stage 3")
    with sqlite3.connect(db) as connection:
        trained = connection.execute("SELECT COUNT(*) FROM dictionaries").fetchone()[0]
    return {
        "movies": done,
        "wall_s": child.wall,
        "movies_per_s": steady[0],
        "share_of_ceiling": steady[0] / 40,
        "cpu_share": steady[1],
        "cpu_s": child.cpu,
        "dictionaries": trained,
    }


# ---- report ----------------------------------------------------------------------------------


def distinct_people(db: Path, part: str) -> tuple[int, int]:
    """(distinct people credited, titles) in ``db``'s ``part`` (credits, aggregate_credits)."""
    people: set[int] = set()
    with Store.open_existing(db) as store:
        titles = 0
        for _, _, (credits,) in raw_items(store, [part]):
            titles += 1
            body = json.loads(credits)
            people.update(p["id"] for p in body.get("cast", []) + body.get("crew", []))
    return len(people), titles


def people_store(workdir: Path, movies: int) -> dict[str, float]:
    """Bytes on disk per person: ``movies`` movies (all parts) collected with ``--linked
    people`` (every credited person, with the person's default parts), then ``compact`` (the
    people's bodies all with their own dictionaries, as a long collection has them), then the
    pages (dbstat) of the linked tables, the people's dictionaries and their share of the
    part_versions rows, over the people held."""
    db, child = collect(workdir, "people", "movie", movies, "--rate", "2000", "--linked", "people")
    compacting = run_child(cli("compact", "--db", str(db), "--no-progress"), child_env(), workdir)
    check_child(compacting, "compact (people)")
    with sqlite3.connect(db) as con:
        held = "entity = 'person' AND fetched_at IS NOT NULL"
        people = con.execute(f"SELECT COUNT(*) FROM linked_ids WHERE {held}").fetchone()[0]
        pages = dict(con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
        linked = sum(size for name, size in pages.items() if "linked_" in name)
        dictionaries = con.execute(
            "SELECT COALESCE(SUM(length(data)), 0) FROM dictionaries WHERE kind LIKE 'person:%'"
        ).fetchone()[0]
        mine, rows = con.execute(
            "SELECT COALESCE(SUM(entity = 'person'), 0), COUNT(*) FROM part_versions"
        ).fetchone()
        versions = sum(size for name, size in pages.items() if "part_versions" in name)
    versions_share = versions * mine / rows if rows else 0
    return {
        "movies": item_count(db),
        "people": people,
        "collect_wall_s": child.wall,
        "linked_tables_bytes": linked,
        "dictionaries_bytes": dictionaries,
        "versions_bytes": versions_share,
        "bytes_per_person": (linked + dictionaries + versions_share) / people,
    }


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {"movies_asked": args.movies}
    db, collected = collect(workdir, "movies", "movie", args.movies, "--rate", "2000")
    movies = item_count(db)
    jsonl = workdir / "all.jsonl"
    export(db, "jsonl", jsonl, "all", workdir)
    disk = stored_size(db)
    results["store"] = {
        "movies": movies,
        "collect_wall_s": collected.wall,
        "on_disk_bytes": disk,
        "jsonl_bytes": jsonl.stat().st_size,
        "share_of_jsonl": disk / jsonl.stat().st_size,
        "bytes_per_movie": disk / movies,
        "jsonl_bytes_per_movie": jsonl.stat().st_size / movies,
    }
    jsonl.unlink()
    tv, _ = collect(workdir, "tv", "tv", args.series, "--rate", "2000")
    series = item_count(tv)
    tv_jsonl = workdir / "tv.jsonl"
    export(tv, "jsonl", tv_jsonl, "all", workdir)
    results["tv"] = {
        "series": series,
        "on_disk_bytes": stored_size(tv),
        "bytes_per_series": stored_size(tv) / series,
        "share_of_jsonl": stored_size(tv) / tv_jsonl.stat().st_size,
    }
    people, credited = distinct_people(db, "credits")
    tv_people, tv_credited = distinct_people(tv, "aggregate_credits")
    results["people"] = people_store(workdir, args.people_movies)
    per_movie, per_series = people / credited, tv_people / tv_credited
    # people recur across titles: the sample's distinct people per title, times every title,
    # bounds from above the people the whole catalogue credits
    full_people = per_movie * FULL_MOVIES + per_series * FULL_SERIES
    movies_gb = FULL_MOVIES * disk / movies / 1e9
    series_gb = FULL_SERIES * stored_size(tv) / series / 1e9
    people_gb = full_people * results["people"]["bytes_per_person"] / 1e9
    results["projection"] = {
        "movies_gb": movies_gb,
        "series_gb": series_gb,
        "distinct_people_per_movie": per_movie,
        "distinct_people_per_series": per_series,
        "people_at_most": full_people,
        "people_gb_at_most": people_gb,
        "total_gb_at_most": movies_gb + series_gb + people_gb,
    }
    # an earlier release's database, compacted
    old = workdir / "schema3.db"
    as_schema_3(db, old)
    before = export_hashes(old, workdir / "before", workdir)
    old_size = stored_size(old)
    compacting = run_child(cli("compact", "--db", str(old), "--no-progress"), child_env(), workdir)
    check_child(compacting, "compact")
    after = export_hashes(old, workdir / "after", workdir)
    results["compact"] = {
        "size_before": old_size,
        "size_after": stored_size(old),
        "share": stored_size(old) / old_size,
        "wall_s": compacting.wall,
        "cpu_s": compacting.cpu,
        "peak_rss_mib": compacting.peak_rss_mib,
        "exports_identical": before == after,
        "files_compared": len(before),
    }
    results["exports"] = export_speeds(old, movies, workdir, args.repeat)
    results["collect"] = collect_speed(workdir, args.collect_movies)
    results["choices"] = measure_choices(bodies_by_kind(db), real_bodies())
    return results


def checks(results: dict[str, Any]) -> list[tuple[str, bool]]:
    store, compact = results["store"], results["compact"]
    found = [
        (
            f"on disk {store['share_of_jsonl']:.3f} of the jsonl (<= {TARGET_DISK})",
            store["share_of_jsonl"] <= TARGET_DISK,
        ),
        (
            f"compact to {compact['share']:.3f} of the old size (<= {TARGET_COMPACT})",
            compact["share"] <= TARGET_COMPACT,
        ),
        ("exports identical before and after compact", compact["exports_identical"]),
        (
            f"collect at {results['collect']['share_of_ceiling']:.2f} of the ceiling"
            f" (>= {TARGET_COLLECT})",
            results["collect"]["share_of_ceiling"] >= TARGET_COLLECT,
        ),
    ]
    for row in results["exports"]:
        found.append(
            (
                f"export {row['format']} ({row['parts']} parts) at {row['vs_json_dump']:.2f}"
                " of the json dump (>= 1.0)",
                row["vs_json_dump"] >= 1.0,
            )
        )
    return found


def report(results: dict[str, Any]) -> str:
    store, tv, proj, compact, people = (
        results[k] for k in ("store", "tv", "projection", "compact", "people")
    )
    lines = [
        f"store: {store['movies']:,} movies, all 13 parts: {store['on_disk_bytes'] / MIB:.1f} MiB"
        f" on disk (db + WAL), {store['bytes_per_movie']:,.0f} B/movie; jsonl export"
        f" {store['jsonl_bytes'] / MIB:.1f} MiB ({store['jsonl_bytes_per_movie']:,.0f} B/movie);"
        f" share {store['share_of_jsonl']:.3f}",
        f"tv: {tv['series']:,} series, all parts: {tv['bytes_per_series']:,.0f} B/series,"
        f" share of jsonl {tv['share_of_jsonl']:.3f}",
        f"people: {people['people']:,} people linked from {people['movies']:,} movies, compacted:"
        f" {people['bytes_per_person']:,.0f} B/person on disk (linked tables"
        f" {people['linked_tables_bytes'] / MIB:.1f} MiB, their dictionaries"
        f" {people['dictionaries_bytes'] / 1024:.0f} KiB)",
        f"projection: {FULL_MOVIES:,} movies {proj['movies_gb']:.1f} GB; {FULL_SERIES:,} series"
        f" {proj['series_gb']:.1f} GB; the people they credit, at most"
        f" {proj['people_at_most'] / 1e6:.1f}M ({proj['distinct_people_per_movie']:.1f} distinct"
        f" per movie, {proj['distinct_people_per_series']:.1f} per series in the samples)"
        f" {proj['people_gb_at_most']:.1f} GB; in all at most {proj['total_gb_at_most']:.1f} GB",
        f"compact: {compact['size_before'] / MIB:.1f} -> {compact['size_after'] / MIB:.1f} MiB"
        f" ({compact['share']:.3f}) in {compact['wall_s']:.1f} s ({compact['cpu_s']:.1f} CPU s,"
        f" peak {compact['peak_rss_mib']:.0f} MiB); {compact['files_compared']} export files"
        f" identical: {compact['exports_identical']}",
        "",
        "| parts | format | wall s | movies/s | vs json dump |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in results["exports"]:
        lines.append(
            f"| {row['parts']} | {row['format']} | {row['wall_s']:.2f} |"
            f" {row['movies_per_s']:,.0f} | {row['vs_json_dump']:.2f} |"
        )
    speed = results["collect"]
    lines += [
        "",
        f"collect --rate 40, all parts: {speed['movies']:,} movies in {speed['wall_s']:.1f} s ="
        f" {speed['movies_per_s']:.1f}/s in stage 3 ({speed['share_of_ceiling']:.2f} of the"
        f" ceiling, {speed['cpu_share']:.1%} of a core),"
        f" {speed['cpu_s']:.1f} CPU s, {speed['dictionaries']} dictionaries trained",
        "",
        f"choices (raw {results['choices']['raw_bytes_per_movie']:,.0f} B/movie):",
        "",
        "| choice | B/movie | share of raw | compress MiB/s | decompress MiB/s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in results["choices"]["simulated"]:
        lines.append(
            f"| {row['choice']} | {row['bytes_per_movie']:,.0f} | {row['share_of_raw']:.3f} |"
            f" {row['compress_mib_s']:.0f} | {row['decompress_mib_s']:.0f} |"
        )
    for real in results["choices"]["real"]:
        lines += [
            "",
            f"real bodies, {real['choice']} (dictionaries trained on the simulator's):",
            "",
            "| part | real B | real ratio | simulated B | simulated ratio |",
            "| --- | --- | --- | --- | --- |",
        ]
        for row in real["parts"]:
            lines.append(
                f"| {row['part']} | {row['real_bytes']:,.0f} | {row['real_ratio']:.1f}x |"
                f" {row['simulated_bytes']:,.0f} | {row['simulated_ratio']:.1f}x |"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--movies", type=int, default=6_000)
    parser.add_argument("--series", type=int, default=300)
    parser.add_argument("--collect-movies", type=int, default=600)
    parser.add_argument(
        "--people-movies", type=int, default=40, help="movies of the --linked people run"
    )
    parser.add_argument("--repeat", type=int, default=3, help="exports of each; median counts")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        results = run(args, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-compact-") as tmp:
            results = run(args, Path(tmp))
    print(report(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    missed = [label for label, ok in checks(results) if not ok]
    for label, ok in checks(results):
        print(("ok     " if ok else "MISSED ") + label)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
