"""Every collection fact in one place: TMDB's ``/collection/{id}`` (a saga: its movies in
``parts``), its parts ``images`` and ``translations``, words and tables.

Ids come from the daily export (``collection_ids_MM_DD_YYYY.json.gz``): TMDB has no list of
collections. The tables (``docs/tables.md``, collection tables): ``collections`` and
``collection_parts`` (one row per movie, in TMDB's order) from the details, ``images`` and
``translations`` from the parts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmdb_collector.media.base import MediaType, Part
from tmdb_collector.media.images import titles_images
from tmdb_collector.media.rows import Custom, Images, Rows, Target, Translations, objects
from tmdb_collector.media.table_schema import columns
from tmdb_collector.media.table_sets import TableSet, common_keys, common_tables
from tmdb_collector.media.translated import TRANSLATIONS, TranslatedTexts

ID = "collection_id"
_TABLES = {
    "collections": columns(
        "id:int name:str original_name:str original_language:str overview:str"
        " poster_path:str backdrop_path:str"
    ),
    "collection_parts": columns(
        f"{ID}:int rank:int movie_id:int title:str original_title:str original_language:str"
        " release_date:date popularity:float vote_average:float vote_count:int adult:bool"
        " video:bool poster_path:str backdrop_path:str"
    ),
    **common_tables(ID, "images", "translations"),
}


def details_rows(target: Target, collection_id: int, details: Mapping[str, Any]) -> Rows:
    """The collection's row and one per movie; a part's title may be ``title`` (TMDB's
    answers) or ``name`` (its OpenAPI spec)."""
    parts = (
        {
            **movie,
            ID: collection_id,
            "rank": rank,
            "movie_id": movie.get("id"),
            "title": movie.get("title", movie.get("name")),
            "original_title": movie.get("original_title", movie.get("original_name")),
        }
        for rank, movie in enumerate(objects(details, "parts"))
    )
    return {
        "collections": target.rows("collections", [{**details, "id": collection_id}]),
        "collection_parts": target.rows("collection_parts", parts),
    }


TABLES = TableSet(
    id_column=ID,
    tables=_TABLES,
    always=("collections", "collection_parts"),
    details=Custom(("collections", "collection_parts"), details_rows),
    parts={"images": Images(), "translations": Translations()},
    keys={"collections": ("id",), "collection_parts": (ID, "rank"), **common_keys(ID, "images")},
)

COLLECTION = MediaType(
    name="collection",
    word="collection",
    plural="collections",
    label="Collection",
    daily_export_prefix="collection_ids",
    daily_export_title="name",
    details_check=("name", str),
    # Standalone, the id comes first in both.
    parts=(Part("images", ("posters", list)), Part(TRANSLATIONS, ("translations", list))),
    default_parts=("images", "translations"),
    export_filename="collections.json",
    tables=TABLES,
    listed=False,
    changes=False,
    linked_tables=("collections", "collection_parts"),
    images=titles_images(),
    # Its name is ``title`` in its translations' data.
    translated=TranslatedTexts({"name": "title", "overview": "overview"}),
)
