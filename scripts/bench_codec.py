"""The compact store's codec choices, measured on a collection's own bodies (#24).

For each choice, a dictionary is trained per kind (details and each part) on the collection's
first bodies, as the store trains them (codec.train's size and sample rules unless the choice
says otherwise), and the next movies' bodies are compressed with it, a frame per body:

* the zstd level of the store (compress CPU per movie and bytes per movie);
* zstd's cover parameters fixed (the store's k, d) against searched by zstd (training CPU);
* the cap on the bytes of samples a kind is trained on;
* the dictionary's size: the store's rule (1/20 of the samples, 4 KiB to 110 KiB) against
  fixed sizes;
* with ``--pages``, the database VACUUMed into pages of 4 to 64 KiB.

    .venv/bin/python scripts/bench_codec.py --db COLLECTION.db [--pages]

The collection should hold every part (``bench_compact.py --workdir W`` leaves one in
``W/movies.db``). CPU is this process's (``time.process_time``), one thread.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import zstandard

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_compact import bodies_by_kind

from tmdb_collector.store import codec

HELD_OUT = 2_000  # movies compressed with each choice, at most


@dataclass(frozen=True)
class Choice:
    label: str
    level: int = codec.LEVEL
    searched: bool = False  # zstd searches k and d instead of the store's fixed ones
    sample_bytes: int = codec.SAMPLE_BYTES
    dict_bytes: int | None = None  # None: the store's rule


AT = f"level {codec.LEVEL}"  # the store's
CHOICES = [
    *(Choice(f"level {level}", level=level) for level in (1, 3, 5, 6, 7, 9)),
    Choice(f"{AT}, k and d searched by zstd", searched=True),
    Choice(f"{AT}, samples up to 1 MiB a kind", sample_bytes=1 << 20),
    Choice(f"{AT}, samples up to 2 MiB a kind", sample_bytes=2 << 20),
    Choice(f"{AT}, samples up to 8 MiB a kind", sample_bytes=8 << 20),
    Choice(f"{AT}, every dictionary 16 KiB", dict_bytes=16_384),
    Choice(f"{AT}, every dictionary 110 KiB", dict_bytes=codec.DICTIONARY_BYTES),
]


def samples_of(bodies: Sequence[bytes], cap: int) -> list[bytes]:
    """The first :data:`codec.SAMPLES` bodies, at most ``cap`` bytes (as the store takes)."""
    taken: list[bytes] = []
    held = 0
    for body in bodies[: codec.SAMPLES]:
        if taken and held + len(body) > cap:
            break
        taken.append(body)
        held += len(body)
    return taken


def train(choice: Choice, samples: list[bytes]) -> zstandard.ZstdCompressionDict | None:
    size = choice.dict_bytes or min(
        codec.DICTIONARY_BYTES,
        max(codec.DICTIONARY_MIN, sum(map(len, samples)) // codec.DICTIONARY_SHARE),
    )
    cover = {} if choice.searched else {"k": codec.TRAIN_K, "d": codec.TRAIN_D}
    try:
        return zstandard.train_dictionary(
            size, list(samples), dict_id=1, level=choice.level, **cover
        )
    except zstandard.ZstdError:
        return None


def measure(choice: Choice, kinds: dict[str, list[bytes]], movies: int) -> str:
    train_cpu = pack_cpu = 0.0
    packed = raw = dict_total = 0
    for bodies in kinds.values():
        samples = samples_of(bodies, choice.sample_bytes)
        began = time.process_time()
        dictionary = train(choice, samples)
        train_cpu += time.process_time() - began
        if dictionary is not None:
            dictionary.precompute_compress(level=choice.level)
            dict_total += len(dictionary.as_bytes())
        zc = zstandard.ZstdCompressor(
            level=choice.level, dict_data=dictionary, write_checksum=False
        )
        test = bodies[codec.SAMPLES : codec.SAMPLES + movies]
        began = time.process_time()
        frames = [zc.compress(body) for body in test]
        pack_cpu += time.process_time() - began
        packed += sum(map(len, frames))
        raw += sum(map(len, test))
    return (
        f"| {choice.label} | {packed / movies:,.0f} | {packed / raw:.3f} |"
        f" {pack_cpu / movies * 1e6:,.0f} | {raw / pack_cpu / 2**20:,.0f} |"
        f" {train_cpu:.2f} | {dict_total / 1024:,.0f} |"
    )


def page_sizes(db: Path) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-codec-") as tmp:
        for size in (4_096, 8_192, 16_384, 65_536):
            target = Path(tmp) / f"p{size}.db"
            with sqlite3.connect(db) as connection:
                connection.execute(f"PRAGMA page_size = {size}")
                connection.execute("VACUUM INTO ?", (str(target),))
            with sqlite3.connect(target) as connection:  # VACUUM INTO keeps the source's size
                connection.execute(f"PRAGMA page_size = {size}")
                connection.execute("PRAGMA journal_mode = DELETE")
                connection.execute("VACUUM")
            rows.append(f"| {size // 1024} KiB | {os.path.getsize(target) / 1e6:.1f} MB |")
            target.unlink()
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--pages", action="store_true", help="also VACUUM into each page size")
    args = parser.parse_args(argv)
    kinds = bodies_by_kind(args.db)
    movies = min(HELD_OUT, len(kinds["details"]) - codec.SAMPLES)
    if movies < 200:
        raise SystemExit("bench_codec: the collection needs at least 2,200 movies")
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load {os.getloadavg()};"
        f" {len(kinds)} kinds; trained on the first {codec.SAMPLES:,} bodies of each,"
        f" measured on the next {movies:,} movies"
    )
    print(
        "| choice | B/movie | share of raw | compress us/movie | MiB/s | training CPU s"
        " | dictionaries KiB |\n| --- | --- | --- | --- | --- | --- | --- |"
    )
    for choice in CHOICES:
        print(measure(choice, kinds, movies), flush=True)
    if args.pages:
        print("\n| page size | VACUUMed database |\n| --- | --- |")
        print("\n".join(page_sizes(args.db)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
