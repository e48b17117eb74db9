"""A media type the collector does not have, declared as a new one would be: "sagas"
(``/saga/{id}``, shaped like TMDB's collections), with the facts a module under ``media/``
holds and nothing else. Tests register it in ``MEDIA_TYPES`` and export a saga of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmdb_collector.media import MediaType, Part
from tmdb_collector.media.rows import Custom, Images, Ranked, Rows, Target, Translations
from tmdb_collector.media.table_schema import columns
from tmdb_collector.media.table_sets import TableSet, common_keys, common_tables

ID = "saga_id"
PARTS = Ranked("saga_parts", "parts", {"movie_id": "id"})


def details_rows(target: Target, item_id: int, details: Mapping[str, Any]) -> Rows:
    own = target.rows("sagas", [{**details, "id": item_id}])
    return {"sagas": own, **PARTS.bind(target)(item_id, details)}


def views(tables: set[str]) -> list[str]:
    return [
        "CREATE VIEW saga_summary AS SELECT c.id, c.name, count(p.movie_id) AS movies"
        f" FROM sagas c LEFT JOIN saga_parts p ON p.{ID} = c.id GROUP BY c.id, c.name"
    ]


TABLES = TableSet(
    id_column=ID,
    tables={
        "sagas": columns("id:int name:str overview:str poster_path:str"),
        "saga_parts": columns(f"{ID}:int rank:int movie_id:int title:str"),
        **common_tables(ID, "images", "translations"),
    },
    always=("sagas", "saga_parts"),
    details=Custom(("sagas", "saga_parts"), details_rows),
    parts={"images": Images(), "translations": Translations(title_from="name")},
    keys={"sagas": ("id",), "saga_parts": (ID, "rank"), **common_keys(ID, "images")},
    views=views,
)

SAGA = MediaType(
    name="saga",
    word="saga",
    plural="sagas",
    label="Saga",
    daily_export_prefix="saga_ids",
    daily_export_title="name",
    date_field="primary_release_date",
    genres={},
    details_check=("name", str),
    parts=(Part("images", ("posters", list), id_at=1), Part("translations")),
    default_parts=("images",),
    export_filename="sagas.json",
    tables=TABLES,
    sort_orders=("popularity.desc",),
)


def bodies(saga_id: int, movies: int) -> dict[str, Any]:
    """One saga's stored bodies: ``movies`` parts, a poster and two translations."""
    return {
        "details": {
            "id": saga_id,
            "name": f"Saga {saga_id}",
            "overview": "Films in a row.",
            "poster_path": f"/c{saga_id}.jpg",
            "parts": [{"id": saga_id * 10 + n, "title": f"Part {n}"} for n in range(movies)],
        },
        "images": {
            "id": saga_id,
            "backdrops": [],
            "posters": [{"file_path": f"/p{saga_id}.jpg", "iso_639_1": "en", "width": 500}],
        },
        "translations": {
            "id": saga_id,
            "translations": [
                {
                    "iso_3166_1": code,
                    "iso_639_1": code.lower(),
                    "name": name,
                    "english_name": name,
                    "data": {"name": f"{name} {saga_id}", "overview": ""},
                }
                for code, name in (("US", "English"), ("DE", "Deutsch"))
            ],
        },
    }
