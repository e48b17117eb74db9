"""Download Data: ``movies.json`` or ``tv.json`` (the seed's shape) streamed from the store,
and other formats, named after the collection's media type.

Each download reads through its own connection to the database, so it sees one consistent
snapshot (SQLite WAL) while the collector keeps writing. json and jsonl stream item by item;
parquet, csv and duckdb are exported to a temporary directory in a worker thread and sent as a
zip, with the export's manifest.
"""

from __future__ import annotations

import asyncio
import itertools
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from aiohttp import web

from tmdb_collector.export.exporter import export, record_text
from tmdb_collector.export.formats import (
    DATABASE_FORMATS,
    FILE_FORMATS,
    TABLE_FORMATS,
    default_export_path,
)
from tmdb_collector.media import MediaType
from tmdb_collector.store.store import ItemRow, Store

RECORDS_PER_CHUNK = 100
ZIPPED_FORMATS = (*TABLE_FORMATS, *DATABASE_FORMATS)
ZIP_CHUNK_BYTES = 256 * 1024


def download_name(media: MediaType, fmt: str) -> str:
    """``movies.json``, ``tv.jsonl``, ``movies-parquet.zip``...: the file a download sends."""
    stem = Path(media.export_filename).stem
    return f"{stem}.{fmt}" if fmt in FILE_FORMATS else f"{stem}-{fmt}.zip"


def downloads(media: MediaType) -> list[dict[str, str]]:
    """The page's format choices for a collection of ``media``."""
    return [
        {"format": fmt, "label": download_name(media, fmt)}
        for fmt in (*FILE_FORMATS, *ZIPPED_FORMATS)
    ]


async def download(request: web.Request, database: Path, fmt: str) -> web.StreamResponse:
    if fmt in FILE_FORMATS:
        return await _send_records(request, database, fmt)
    if fmt in ZIPPED_FORMATS:
        return await _send_tables(request, database, fmt)
    raise web.HTTPNotFound(text=f"unknown download format {fmt!r}")


def record_chunks(rows: Iterator[ItemRow], keys: Sequence[str], fmt: str) -> Iterator[str]:
    """The text :func:`~tmdb_collector.export.exporter.export` writes, a few items at a time."""
    pieces = record_text(rows, keys, fmt)
    while batch := list(itertools.islice(pieces, RECORDS_PER_CHUNK)):
        yield "".join(batch)


async def _send_records(request: web.Request, database: Path, fmt: str) -> web.StreamResponse:
    with Store.open_existing(database) as store:
        response = _attachment(download_name(store.media_type, fmt), FILE_FORMATS[fmt])
        await response.prepare(request)
        parts = store.plan().parts
        for chunk in record_chunks(store.iter_items(parts), parts, fmt):
            await response.write(chunk.encode("utf-8"))
    await response.write_eof()
    return response


async def _send_tables(request: web.Request, database: Path, fmt: str) -> web.StreamResponse:
    with tempfile.TemporaryDirectory(prefix="tmdb-dashboard-") as folder:
        archive = await asyncio.to_thread(_zip_tables, database, fmt, Path(folder))
        response = _attachment(archive.name, "application/zip")
        response.content_length = archive.stat().st_size
        await response.prepare(request)
        with archive.open("rb") as handle:
            while chunk := handle.read(ZIP_CHUNK_BYTES):
                await response.write(chunk)
    await response.write_eof()
    return response


def _zip_tables(database: Path, fmt: str, folder: Path) -> Path:
    """Export into a folder in ``folder`` and zip what it holds; runs in a worker thread.
    parquet and csv write their tables there, duckdb ``movies.duckdb`` (or ``tv.duckdb``)."""
    with Store.open_existing(database) as store:
        archive = folder / download_name(store.media_type, fmt)
        files = folder / archive.stem
        if fmt in DATABASE_FORMATS:
            files.mkdir()
            export(store, fmt, files / default_export_path(store.media_type, fmt).name)
        else:
            export(store, fmt, files)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(files.iterdir()):
            bundle.write(path, f"{files.name}/{path.name}")
    return archive


def _attachment(filename: str, content_type: str) -> web.StreamResponse:
    response = web.StreamResponse(
        headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )
    response.content_type = content_type
    if content_type != "application/zip":
        response.charset = "utf-8"
    return response
