"""A media type the collector does not have, declared as a new one would be (#22): TMDB's
collections (``/collection/{id}``), with the facts a module under ``media/`` holds and nothing
else. Tests register it in ``MEDIA_TYPES`` and export a collection of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmdb_collector.media import MediaType, Part
from tmdb_collector.media.rows import Custom, Images, Ranked, Rows, Target, Translations
from tmdb_collector.media.table_schema import columns
from tmdb_collector.media.table_sets import TableSet, common_keys, common_tables

ID = "collection_id"
PARTS = Ranked("collection_parts", "parts", {"movie_id": "id"})


def details_rows(target: Target, item_id: int, details: Mapping[str, Any]) -> Rows:
    own = target.rows("collections", [{**details, "id": item_id}])
    return {"collections": own, **PARTS.bind(target)(item_id, details)}


def views(tables: set[str]) -> list[str]:
    return [
        "CREATE VIEW collection_summary AS SELECT c.id, c.name, count(p.movie_id) AS movies"
        f" FROM collections c LEFT JOIN collection_parts p ON p.{ID} = c.id GROUP BY c.id, c.name"
    ]


TABLES = TableSet(
    id_column=ID,
    tables={
        "collections": columns("id:int name:str overview:str poster_path:str"),
        "collection_parts": columns(f"{ID}:int rank:int movie_id:int title:str"),
        **common_tables(ID, "images", "translations"),
    },
    always=("collections", "collection_parts"),
    details=Custom(("collections", "collection_parts"), details_rows),
    parts={"images": Images(), "translations": Translations(title_from="name")},
    keys={"collections": ("id",), "collection_parts": (ID, "rank"), **common_keys(ID, "images")},
    views=views,
)

COLLECTION = MediaType(
    name="collection",
    word="collection",
    plural="collections",
    label="Collection",
    daily_export_prefix="collection_ids",
    daily_export_title="name",
    date_field="primary_release_date",
    genres={},
    details_check=("name", str),
    parts=(Part("images", ("posters", list), id_at=1), Part("translations")),
    default_parts=("images",),
    export_filename="collections.json",
    tables=TABLES,
    sort_orders=("popularity.desc",),
)


def bodies(collection_id: int, movies: int) -> dict[str, Any]:
    """One collection's stored bodies: ``movies`` parts, a poster and two translations."""
    return {
        "details": {
            "id": collection_id,
            "name": f"Collection {collection_id}",
            "overview": "Films in a row.",
            "poster_path": f"/c{collection_id}.jpg",
            "parts": [{"id": collection_id * 10 + n, "title": f"Part {n}"} for n in range(movies)],
        },
        "images": {
            "id": collection_id,
            "backdrops": [],
            "posters": [{"file_path": f"/p{collection_id}.jpg", "iso_639_1": "en", "width": 500}],
        },
        "translations": {
            "id": collection_id,
            "translations": [
                {
                    "iso_3166_1": code,
                    "iso_639_1": code.lower(),
                    "name": name,
                    "english_name": name,
                    "data": {"name": f"{name} {collection_id}", "overview": ""},
                }
                for code, name in (("US", "English"), ("DE", "Deutsch"))
            ],
        },
    }
