"""What production companies and TV networks share: TMDB's ``/company/{id}`` and
``/network/{id}`` have the same parts (``alternative_names``, ``images``: the logos) and
tables, each under its own names. :data:`COMPANY` and :data:`NETWORK` are declared in
``company.py`` and ``network.py``.

The tables (``docs/tables.md``): the entity's own table from the details, ``alternative_names``
(one row per name) and ``images`` (one row per logo) from the parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmdb_collector.media.base import MediaType, Part
from tmdb_collector.media.images import logos_images
from tmdb_collector.media.rows import Custom, Images, Rows, Target, each
from tmdb_collector.media.table_schema import as_object, columns
from tmdb_collector.media.table_sets import TableSet, common_tables

# Standalone, the id comes first in both.
PARTS = (Part("alternative_names", ("results", list)), Part("images", ("logos", list)))


def studio_type(
    *, name: str, word: str, plural: str, label: str, table: str, export_prefix: str, own: str
) -> MediaType:
    """A company-like type: ``table`` holds one row per entity, with ``own`` columns."""
    id_column = f"{name}_id"

    def details_rows(target: Target, item_id: int, details: Mapping[str, Any]) -> Rows:
        parent = as_object(details.get("parent_company"))
        row = {**details, "id": item_id, "parent_company_id": parent.get("id")}
        row["parent_company_name"] = parent.get("name")
        return {table: target.rows(table, [row])}

    tables = TableSet(
        id_column=id_column,
        tables={
            table: columns(own),
            "alternative_names": columns(f"{id_column}:int name:str type:str"),
            **common_tables(id_column, "images"),
        },
        always=(table,),
        details=Custom((table,), details_rows),
        parts={"alternative_names": each("alternative_names", "results"), "images": Images()},
        keys={table: ("id",)},
    )
    return MediaType(
        name=name,
        word=word,
        plural=plural,
        label=label,
        daily_export_prefix=export_prefix,
        daily_export_title="name",
        details_check=("name", str),
        parts=PARTS,
        default_parts=(),
        export_filename=f"{table}.json",
        tables=tables,
        listed=False,
        changes=False,
        linked_tables=(table,),
        images=logos_images(),
    )
