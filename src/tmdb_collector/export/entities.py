"""``export --entity people|collections|companies|networks``: the linked entities a collection
holds (``collect --linked``), as json or jsonl records ``{"id", "details", <one key per
part>}``, written atomically like the titles' export."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from tmdb_collector.errors import UsageError
from tmdb_collector.export.atomic import atomic_text_files, check_output_file, spare_database
from tmdb_collector.export.exporter import write_records_json, write_records_jsonl
from tmdb_collector.media import MediaType
from tmdb_collector.store.store import ItemRow, Store

ENTITY_FORMATS = ("json", "jsonl")


def entity_media(store: Store, entity: str) -> MediaType:
    held = store.held_linked()
    if entity not in held:
        accepted = ", ".join(held) or "none (collect --linked first)"
        raise UsageError(
            f"--entity {entity}: this collection holds no {entity}; accepted values: {accepted}"
        )
    return held[entity]


def iter_entity(store: Store, entity: str) -> Iterator[ItemRow]:
    """The held entities of ``entity`` (a plural word) with their parts, by id."""
    media = entity_media(store, entity)
    return store.iter_linked(media.name, store.linked_parts(media))


def export_entity(store: Store, entity: str, fmt: str, out: Path) -> int:
    """Write the held ``entity`` records to ``out`` as ``fmt``; returns how many."""
    if fmt not in ENTITY_FORMATS:
        raise UsageError(f"--entity exports as {' or '.join(ENTITY_FORMATS)}, not {fmt!r}")
    media = entity_media(store, entity)
    parts = store.linked_parts(media)
    spare_database(store.path, out, [out])  # no manifest: the records alone
    check_output_file(out, media.export_filename)
    writer = write_records_json if fmt == "json" else write_records_jsonl
    with atomic_text_files([out]) as (data,):
        return writer(store.iter_linked(media.name, parts), parts, data)
