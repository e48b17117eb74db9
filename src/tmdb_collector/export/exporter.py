"""Exports of a collection. ``movies.json`` is the seed's contract:

one JSON object keyed by movie id (a string), each value
``{"id", "details", "credits", "keywords", "recommendations"}`` holding TMDB's bodies.

Exports stream movie by movie from the database, so memory does not grow with the collection,
and are atomic: a temporary file is renamed over the target only when complete.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import IO

from tmdb_collector.errors import UsageError
from tmdb_collector.export.atomic import atomic_text, check_output_file
from tmdb_collector.store.store import Store

FORMATS = ("json", "jsonl", "parquet", "csv")
FILE_FORMATS = ("json", "jsonl")


def movie_record_json(row: tuple[int, str, str, str, str]) -> str:
    """One movie as the seed's record, assembled from stored JSON text without re-parsing."""
    movie_id, details, credits, keywords, recommendations = row
    return (
        f'{{"id":{movie_id},"details":{details},"credits":{credits},'
        f'"keywords":{keywords},"recommendations":{recommendations}}}'
    )


def write_movies_json(rows: Iterator[tuple[int, str, str, str, str]], out: IO[str]) -> int:
    count = 0
    out.write("{")
    for row in rows:
        out.write(",\n" if count else "\n")
        out.write(f'"{row[0]}":{movie_record_json(row)}')
        count += 1
    out.write("\n}\n")
    return count


def write_movies_jsonl(rows: Iterator[tuple[int, str, str, str, str]], out: IO[str]) -> int:
    count = 0
    for row in rows:
        out.write(movie_record_json(row))
        out.write("\n")
        count += 1
    return count


def export(store: Store, fmt: str, out: Path) -> int:
    """Write ``store`` as ``fmt`` to ``out``; returns the number of movies written."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt in FILE_FORMATS:
        check_output_file(out)
        writer = write_movies_json if fmt == "json" else write_movies_jsonl
        with atomic_text(out) as handle:
            return writer(store.iter_movies(), handle)
    from tmdb_collector.export.tables import export_tables

    return export_tables(store, fmt, out)
