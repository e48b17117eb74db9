"""Exports of a collection. ``movies.json`` is the seed's contract:

one JSON object keyed by movie id (a string), each value ``{"id", "details", <one key per
part>}`` holding TMDB's bodies; with the default parts, ``{"id", "details", "credits",
"keywords", "recommendations"}``. A part's key is spelled as the part (``"watch/providers"``).
A TV collection writes ``tv.json`` in the same shape, keyed by series id.

Exports stream item by item from the database, so memory does not grow with the collection,
and are atomic: a temporary file is renamed over the target only when complete. Each carries
its provenance in a manifest (export/manifest.py), written in the same atomic step. Only items
that have every part asked are written (:func:`missing_from_export` counts the others), and
which statuses are left out is the store's one rule (store/items.py, ``include_removed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from tmdb_collector.errors import ConfigError, UsageError
from tmdb_collector.export.atomic import (
    atomic_text_files,
    check_output_file,
    refuse_standard_output,
    spare_database,
)
from tmdb_collector.export.formats import (
    DATABASE_FORMATS,
    FILE_FORMATS,
    TABLE_FORMATS,
    check_format,
    default_export_path,
)
from tmdb_collector.export.localize import LOCALIZED, Localization, Localizer
from tmdb_collector.export.manifest import build_manifest, manifest_path, manifest_text
from tmdb_collector.history.as_of import as_of as collection_as_of
from tmdb_collector.media.links import DETAILS
from tmdb_collector.store.store import ItemRow, Store


def item_record_json(row: ItemRow, keys: Sequence[str], localizer: Localizer | None = None) -> str:
    """One item as the seed's record, assembled from stored JSON text without re-parsing:
    ``{"id", "details", <one key per part>}``, the key spelled as the part; with a
    ``localizer`` (export --language), its ``localized`` object last."""
    item_id, details, bodies = row
    tail = "".join(f',"{key}":{body}' for key, body in zip(keys, bodies, strict=True))
    if localizer is not None:
        tail += localizer.record_tail(row)
    return f'{{"id":{item_id},"{DETAILS}":{details}{tail}}}'


def record_text(
    rows: Iterable[ItemRow], keys: Sequence[str], fmt: str, localizer: Localizer | None = None
) -> Iterator[str]:
    """The text of a json or jsonl export, one piece per item (json adds its braces)."""
    if fmt == "jsonl":
        for row in rows:
            yield item_record_json(row, keys, localizer) + "\n"
        return
    separator = "\n"
    yield "{"
    for row in rows:
        yield f'{separator}"{row[0]}":{item_record_json(row, keys, localizer)}'
        separator = ",\n"
    yield "\n}\n"


def write_records_json(
    rows: Iterable[ItemRow], keys: Sequence[str], out: IO[str], localizer: Localizer | None = None
) -> int:
    return _write(rows, keys, "json", out, localizer)


def write_records_jsonl(
    rows: Iterable[ItemRow], keys: Sequence[str], out: IO[str], localizer: Localizer | None = None
) -> int:
    return _write(rows, keys, "jsonl", out, localizer)


def _write(
    rows: Iterable[ItemRow],
    keys: Sequence[str],
    fmt: str,
    out: IO[str],
    localizer: Localizer | None = None,
) -> int:
    count = 0

    def counted() -> Iterator[ItemRow]:
        nonlocal count
        for row in rows:
            count += 1
            yield row

    for piece in record_text(counted(), keys, fmt, localizer):
        out.write(piece)
    return count


def export_parts(store: Store, parts: object = None) -> tuple[str, ...]:
    """The parts an export writes: ``parts`` (names, a comma-separated list or ``"all"``,
    checked against the collection's media type) or, by default, the collection's."""
    if parts is None:
        return store.plan().parts
    try:
        return store.media_type.parse_parts(parts)
    except ConfigError as exc:
        raise UsageError(exc.cli_message) from None


def export(
    store: Store,
    fmt: str,
    out: Path,
    parts: object = None,
    *,
    include_removed: bool = False,
    locale: Localization | None = None,
    tables: object = None,
    as_of: dt.date | None = None,
) -> int:
    """Write ``store`` as ``fmt`` to ``out``; returns the number of items written. Items gone
    from TMDB's daily export only with ``include_removed``. With a ``locale`` (export
    --language), each item's texts in that language too (export/localize.py). ``tables``
    (names, or a comma-separated list): a table export (parquet, csv, duckdb) of those tables
    only. ``as_of`` (a day): the collection as it was then (history/as_of.py), from a copy
    made once the export's options have been checked."""
    check_format(fmt)
    chosen = export_parts(store, parts)
    only = export_tables_named(fmt, tables)
    localizer = None if locale is None else Localizer.of(locale, store.media_type, chosen)
    files = _data_files(store, fmt, out, chosen, only, localizer)
    spare_database(store.path, out, [*files, manifest_path(out, directory=fmt in TABLE_FORMATS)])
    if fmt in FILE_FORMATS:
        check_output_file(out, default_export_path(store.media_type, fmt).name)
    elif fmt in TABLE_FORMATS:  # duckdb's file is checked as it is written
        refuse_standard_output(out, "tables/")
    if as_of is None:
        return _write_export(store, fmt, out, chosen, files, only, localizer, include_removed)
    with collection_as_of(store, as_of, dt.datetime.now(dt.UTC).date()) as past:
        return _write_export(past, fmt, out, chosen, files, only, localizer, include_removed)


def _write_export(
    store: Store,
    fmt: str,
    out: Path,
    chosen: Sequence[str],
    files: Sequence[Path],
    only: Sequence[str] | None,
    localizer: Localizer | None,
    include_removed: bool,
) -> int:
    """The export :func:`export` has checked, of ``store`` (the collection, or its copy as
    of a past day)."""
    _spare_an_export_from_nothing(store, out, files, chosen, include_removed)
    if fmt in FILE_FORMATS:
        writer = write_records_json if fmt == "json" else write_records_jsonl
        rows = store.iter_items(chosen, include_removed=include_removed)
        with atomic_text_files([out, manifest_path(out, directory=False)]) as (data, manifest):
            if localizer is None:  # the default export, exactly as before --language
                count = writer(rows, chosen, data)
            else:
                count = writer(rows, chosen, data, localizer)
            locale = None if localizer is None else localizer.locale
            built = build_manifest(store, fmt, {out.name: count}, parts=chosen, locale=locale)
            manifest.write(manifest_text(built))
        return count
    if fmt in DATABASE_FORMATS:
        from tmdb_collector.export.duckdb_file import export_duckdb

        return export_duckdb(
            store, out, chosen, include_removed=include_removed, localizer=localizer, tables=only
        )
    from tmdb_collector.export.tables import export_tables

    return export_tables(
        store,
        fmt,
        out,
        chosen,
        include_removed=include_removed,
        localizer=localizer,
        tables=only,
    )


def export_tables_named(fmt: str, tables: object) -> tuple[str, ...] | None:
    """``export --tables LIST`` (names, or a comma-separated list) as names; only a table
    export (parquet, csv, duckdb) takes it."""
    if tables is None:
        return None
    if fmt in FILE_FORMATS:
        raise UsageError(
            f"--tables is for the table exports ({', '.join(TABLE_FORMATS)},"
            f" {', '.join(DATABASE_FORMATS)}), not {fmt}"
        )
    if isinstance(tables, str):
        names = tables.split(",")
    elif isinstance(tables, Iterable):
        names = [str(name) for name in tables]
    else:
        raise UsageError(f"--tables takes table names, not {tables!r}")
    return tuple(name.strip() for name in names if name.strip())


def _data_files(
    store: Store,
    fmt: str,
    out: Path,
    parts: Sequence[str],
    only: Sequence[str] | None,
    localizer: Localizer | None,
) -> list[Path]:
    """The files an export of ``parts`` (of the tables ``only``, if given) to ``out``
    writes, but its manifest."""
    if fmt in FILE_FORMATS or fmt in DATABASE_FORMATS:
        return [out]
    names = [name for name in store.media_type.tables.names(parts) if only is None or name in only]
    return [out / f"{name}.{fmt}" for name in [*names, *([LOCALIZED] if localizer else [])]]


def _spare_an_export_from_nothing(
    store: Store, out: Path, files: Sequence[Path], parts: Sequence[str], include_removed: bool
) -> None:
    """An export with no item would replace an earlier one with an empty file: refused (an
    empty export where there was none is written, as the collection's honest state)."""
    # One file (json, jsonl, duckdb): there if it is a file; tables: if any of theirs is there.
    present = out.is_file() if files == [out] else any(target.exists() for target in files)
    if not present or store.any_exported(parts, include_removed=include_removed):
        return
    media = store.media_type
    asked = f" with every part asked ({', '.join(parts)})" if parts else ""
    raise UsageError(
        f"no collected {media.word} to export{asked}; {out} is left as it was"
        " (`status` shows what each part has)"
    )


def missing_from_export(store: Store, parts: object = None) -> int:
    """Collected items an export of ``parts`` leaves out because they lack one of them."""
    return store.count_lacking(export_parts(store, parts))
