"""The file names of the linked entities' tables in a table export (and in a warehouse sync,
which writes the same tables): light to import, for a sync that needs them before it loads the
table export's builders (pyarrow)."""

from __future__ import annotations

from tmdb_collector.media import MediaType
from tmdb_collector.store.store import Store


def linked_names(store: Store, taken: set[str]) -> list[tuple[MediaType, dict[str, str]]]:
    """Each linked entity type the collection holds with its tables' file names (``linked_``
    before a name the items' or another table already has)."""
    found: list[tuple[MediaType, dict[str, str]]] = []
    for media in store.held_linked().values():
        tables = media.tables
        names: dict[str, str] = {}
        for table in media.linked_tables:
            if table in tables.names(store.linked_parts(media)):
                names[table] = f"linked_{table}" if table in taken else table
                taken.add(names[table])
        found.append((media, names))
    return found
