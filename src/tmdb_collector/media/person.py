"""Every person fact in one place: TMDB's ``/person/{id}``, its parts, words and tables.

TMDB has no list of people to page through, so a person collection takes its ids from the daily
export (``person_ids_MM_DD_YYYY.json.gz``). Every part rides on the one details request.

The tables (documented in ``docs/tables.md``, person tables): ``people`` from the details;
``person_credits`` from ``combined_credits`` (``person_movie_credits`` and ``person_tv_credits``
from the other two credit parts, same columns), one row per credit, a series' roles and jobs
each a row; ``external_ids``, ``images`` (the profiles), ``translations`` and
``tagged_images``, one row per element as everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmdb_collector.media.base import MediaType, Part
from tmdb_collector.media.images import PROFILE, gallery, own
from tmdb_collector.media.rows import (
    CREDIT_TYPE,
    CREDIT_TYPES,
    CREDITED_TITLE,
    PERSON_ID,
    Custom,
    Images,
    Rows,
    Target,
    Whole,
    objects,
)
from tmdb_collector.media.table_schema import as_object, columns
from tmdb_collector.media.table_sets import TableSet, common_tables
from tmdb_collector.media.translated import TRANSLATIONS, TranslatedTexts

# The sub-resources of /person/{id}. Standalone, the credits carry the id after cast and crew,
# the others first; appended, none does.
PARTS = (
    Part("combined_credits", ("cast", list), id_at=2),
    Part("external_ids"),
    Part("images", ("profiles", list)),
    Part("movie_credits", ("cast", list), id_at=2),
    Part("tagged_images", ("results", list)),
    Part(TRANSLATIONS, ("translations", list)),
    Part("tv_credits", ("cast", list), id_at=2),
)

ID = PERSON_ID
_CREDITS = columns(
    f"{ID}:int media_type:str {CREDITED_TITLE}:int {CREDIT_TYPE}:str character:str department:str"
    " job:str credit_id:str order:int episode_count:int title:str original_title:str"
    " original_language:str release_date:date popularity:float vote_average:float"
    " vote_count:int"
)
_TABLES = {
    "people": columns(
        "id:int name:str known_for_department:str gender:int popularity:float birthday:date"
        " deathday:date place_of_birth:str profile_path:str imdb_id:str adult:bool"
        " homepage:str biography:str also_known_as:list_str"
    ),
    "person_credits": _CREDITS,
    "person_movie_credits": _CREDITS,
    "person_tv_credits": _CREDITS,
    "external_ids": columns(
        f"{ID}:int imdb_id:str wikidata_id:str facebook_id:str instagram_id:str"
        " twitter_id:str tiktok_id:str youtube_id:str freebase_mid:str freebase_id:str"
        " tvrage_id:int"
    ),
    **common_tables(ID, "images"),
    "translations": columns(
        f"{ID}:int language:str country:str name:str english_name:str title:str biography:str"
    ),
    "tagged_images": columns(
        f"{ID}:int rank:int image_id:str image_type:str media_type:str media_id:int"
        " file_path:str language:str width:int height:int aspect_ratio:float"
        " vote_average:float vote_count:int"
    ),
}


def details_rows(target: Target, person_id: int, details: Mapping[str, Any]) -> Rows:
    return {"people": target.rows("people", [{**details, "id": person_id}])}


def credit_rows(table: str, media_type: str | None) -> Custom:
    """A credits part's rows: every cast and crew entry, movies' and series' alike (a title's
    ``title`` or ``name``, its ``release_date`` or ``first_air_date``)."""

    def build(target: Target, person_id: int, body: Mapping[str, Any]) -> Rows:
        rows = (
            {
                **entry,
                ID: person_id,
                "media_type": entry.get("media_type", media_type),
                CREDITED_TITLE: entry.get("id"),
                CREDIT_TYPE: credit_type,
                "title": entry.get("title", entry.get("name")),
                "original_title": entry.get("original_title", entry.get("original_name")),
                "release_date": entry.get("release_date", entry.get("first_air_date")),
            }
            for credit_type in CREDIT_TYPES
            for entry in objects(body, credit_type)
        )
        return {table: target.rows(table, rows)}

    return Custom((table,), build, fast=f"credits:{media_type or ''}")  # see export/columnar.py


def translation_rows(target: Target, person_id: int, body: Mapping[str, Any]) -> Rows:
    def row(translation: Mapping[str, Any]) -> dict[str, Any]:
        data = as_object(translation.get("data"))
        return {
            **translation,
            ID: person_id,
            "language": translation.get("iso_639_1"),
            "country": translation.get("iso_3166_1"),
            "title": data.get("name"),
            "biography": data.get("biography"),
        }

    rows = map(row, objects(body, "translations"))
    return {"translations": target.rows("translations", rows)}


def tagged_rows(target: Target, person_id: int, body: Mapping[str, Any]) -> Rows:
    rows = (
        {
            **image,
            ID: person_id,
            "rank": rank,
            "image_id": image.get("id"),
            "media_id": as_object(image.get("media")).get("id"),
            "language": image.get("iso_639_1"),
        }
        for rank, image in enumerate(objects(body, "results"))
    )
    return {"tagged_images": target.rows("tagged_images", rows)}


TABLES = TableSet(
    id_column=ID,
    tables=_TABLES,
    always=("people",),
    details=Custom(("people",), details_rows, fast="own_row"),
    parts={
        "combined_credits": credit_rows("person_credits", None),
        "external_ids": Whole("external_ids"),
        "images": Images(),
        "movie_credits": credit_rows("person_movie_credits", "movie"),
        "tagged_images": Custom(("tagged_images",), tagged_rows),
        "translations": Custom(("translations",), translation_rows),
        "tv_credits": credit_rows("person_tv_credits", "tv"),
    },
    keys={"people": ("id",), "external_ids": (ID,), "tagged_images": (ID, "rank")},
)

PERSON = MediaType(
    name="person",
    word="person",
    plural="people",
    label="Person",
    daily_export_prefix="person_ids",
    daily_export_title="name",
    details_check=("name", str),
    parts=PARTS,
    default_parts=("combined_credits", "external_ids"),
    export_filename="people.json",
    tables=TABLES,
    listed=False,
    linked_tables=("people", "person_credits"),
    images=(own(PROFILE, "profile_path"), gallery(PROFILE, "profiles")),
    translated=TranslatedTexts({"biography": "biography"}),
)
