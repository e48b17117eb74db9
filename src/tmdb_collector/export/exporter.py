"""Exports of a collection. ``movies.json`` is the seed's contract:

one JSON object keyed by movie id (a string), each value
``{"id", "details", "credits", "keywords", "recommendations"}`` holding TMDB's bodies.

Exports stream movie by movie from the database, so memory does not grow with the collection,
and are atomic: a temporary file is renamed over the target only when complete. Each carries
its provenance in a manifest (export/manifest.py), written in the same atomic step.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from tmdb_collector.errors import UsageError
from tmdb_collector.export.atomic import atomic_text_files, check_output_file
from tmdb_collector.export.manifest import build_manifest, manifest_path, manifest_text
from tmdb_collector.store.store import Store

# The one list of export formats. json and jsonl are single files (with their media type);
# parquet and csv are directories of tables (export/tables.py).
FILE_FORMATS: dict[str, str] = {"json": "application/json", "jsonl": "application/x-ndjson"}
TABLE_FORMATS = ("parquet", "csv")
DATABASE_FORMATS = ("duckdb",)  # every table in one database file (export/duckdb_file.py)
FORMATS = (*FILE_FORMATS, *TABLE_FORMATS, *DATABASE_FORMATS)

MovieRow = tuple[int, str, str, str, str]  # id, details, credits, keywords, recommendations


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def movie_record_json(row: MovieRow) -> str:
    """One movie as the seed's record, assembled from stored JSON text without re-parsing."""
    movie_id, details, credits, keywords, recommendations = row
    return (
        f'{{"id":{movie_id},"details":{details},"credits":{credits},'
        f'"keywords":{keywords},"recommendations":{recommendations}}}'
    )


def movie_text(rows: Iterable[MovieRow], fmt: str) -> Iterator[str]:
    """The text of a json or jsonl export, one piece per movie (json adds its braces)."""
    if fmt == "jsonl":
        for row in rows:
            yield movie_record_json(row) + "\n"
        return
    separator = "\n"
    yield "{"
    for row in rows:
        yield f'{separator}"{row[0]}":{movie_record_json(row)}'
        separator = ",\n"
    yield "\n}\n"


def write_movies_json(rows: Iterable[MovieRow], out: IO[str]) -> int:
    return _write(rows, "json", out)


def write_movies_jsonl(rows: Iterable[MovieRow], out: IO[str]) -> int:
    return _write(rows, "jsonl", out)


def _write(rows: Iterable[MovieRow], fmt: str, out: IO[str]) -> int:
    count = 0

    def counted() -> Iterator[MovieRow]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for piece in movie_text(counted(), fmt):
        out.write(piece)
    return count


def export(store: Store, fmt: str, out: Path) -> int:
    """Write ``store`` as ``fmt`` to ``out``; returns the number of movies written."""
    check_format(fmt)
    if fmt in FILE_FORMATS:
        check_output_file(out)
        writer = write_movies_json if fmt == "json" else write_movies_jsonl
        with atomic_text_files([out, manifest_path(out, directory=False)]) as (data, manifest):
            count = writer(store.iter_movies(), data)
            manifest.write(manifest_text(build_manifest(store, fmt, {out.name: count})))
        return count
    if fmt in DATABASE_FORMATS:
        from tmdb_collector.export.duckdb_file import export_duckdb

        return export_duckdb(store, out)
    from tmdb_collector.export.tables import export_tables

    return export_tables(store, fmt, out)
