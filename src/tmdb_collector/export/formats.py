"""The one list of export formats, and where an export without ``--out`` goes.

The exporter, the table and duckdb writers, the CLI and the dashboard all read them here, so no
writer needs another to know its own format.
"""

from __future__ import annotations

from pathlib import Path

from tmdb_collector.errors import UsageError
from tmdb_collector.media import MediaType

# The one list of export formats. json and jsonl are single files (with their media type);
# parquet and csv are directories of tables (export/tables.py).
FILE_FORMATS: dict[str, str] = {"json": "application/json", "jsonl": "application/x-ndjson"}
TABLE_FORMATS = ("parquet", "csv")
DATABASE_FORMATS = ("duckdb",)  # every table in one database file (export/duckdb_file.py)
FORMATS = (*FILE_FORMATS, *TABLE_FORMATS, *DATABASE_FORMATS)


def check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


def default_export_path(media: MediaType, fmt: str) -> Path:
    """Where an export without --out goes: the media type's json file (``movies.json``,
    ``tv.json``), or the same name ending ``.jsonl`` or ``.duckdb``; tables need a directory."""
    check_format(fmt)
    if fmt in TABLE_FORMATS:
        raise UsageError(f"--format {fmt} writes one file per table: name the directory with --out")
    return Path(media.export_filename).with_suffix(f".{fmt}")
